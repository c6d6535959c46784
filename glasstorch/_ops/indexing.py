"""Indexing: ``x[key]``, ``x[key] = value``, gather/scatter, masks.

``x[key]`` follows NumPy's rules. Keys made only of ints, slices, ``None`` and ``...`` give a
view that shares memory (a write through it shows in ``x``); keys with a bool mask, an integer
tensor or a list give a copy. ``x[key] = v`` is an in-place operation recorded on the graph.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap_dim, apply
from ..autograd.function import Node
from ..autograd.grad_mode import _state
from . import broadcast_check, check_writable, checked_scalar, inplace
from .shape import _view


def _convert_key(key, shape):
    """Turn a user index into a NumPy one; report whether it is basic (gives a view)."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    basic = True
    for k in key:
        if isinstance(k, Tensor):
            a = k._data
            if a.dtype == np.bool_ or a.ndim:
                basic = False
                out.append(a)
            elif a.dtype.kind in "iu":
                out.append(int(a))
            else:
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
        elif isinstance(k, (list, np.ndarray)):
            a = np.asarray(k)
            if a.dtype.kind not in "biu":
                if a.size == 0:
                    a = a.astype(np.int64)
                else:
                    raise IndexError(
                        "tensors used as indices must be long, int, byte or bool tensors"
                    )
            basic = False
            out.append(a)
        elif isinstance(k, slice):
            if k.step is not None and _int(k.step) <= 0:
                raise ValueError("step must be greater than zero")
            out.append(slice(_int(k.start), _int(k.stop), _int(k.step)))
        elif k is None or k is Ellipsis:
            out.append(k)
        elif isinstance(k, (bool, np.bool_)):
            basic = False
            out.append(k)
        elif isinstance(k, str):  # PyTorch tries to build an index tensor from it
            raise TypeError(f"new(): invalid data type '{type(k).__name__}'")
        else:
            try:
                out.append(int(k.__index__()))
            except (AttributeError, TypeError):
                raise IndexError(
                    "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                    "Variables are valid indices (got " + type(k).__name__ + ")"
                ) from None
    return tuple(out), basic


def _int(v):
    if v is None or isinstance(v, int):
        return v
    return int(v.__index__())


def _index_error(e: IndexError, shape) -> IndexError:
    msg = str(e)
    if "out of bounds" in msg:
        msg = msg.replace("axis", "dimension")
        return IndexError(
            f"{msg}\n[glasstorch] Valid indices along a dimension of size n are 0..n-1 (or "
            f"-n..-1); the tensor has shape {list(shape)}."
        )
    if "too many indices" in msg:
        return IndexError(
            f"too many indices for tensor of dimension {len(shape)}"
        )
    return IndexError(msg)


class SelectBackward0(Node):
    """out = x[i] along a dim (a view)  |  dx = zeros with g at i"""

    def forward(self, x, key):
        self.shape, self.key = x.shape, key
        return x[key]

    def backward(self, g):
        dx = np.zeros(self.shape, g.dtype)
        dx[self.key] = g
        return (dx,)


class SliceBackward0(SelectBackward0):
    """out = x[a:b] (a view)  |  dx = zeros with g in the slice"""


class UnsqueezeBackward0(SelectBackward0):
    """out = x[None] (a view with a new size-1 dim)  |  dx = g without it"""


class IndexBackward0(Node):
    """out = x[indices] (a copy)  |  dx = zeros with g added at the indices (repeats add up)"""

    def forward(self, x, key):
        self.shape, self.key = x.shape, key
        return np.ascontiguousarray(x[key])  # a new tensor is contiguous (view() works on it)

    def backward(self, g):
        dx = np.zeros(self.shape, g.dtype)
        key = self.key
        if len(key) == 1 and isinstance(key[0], np.ndarray) and key[0].dtype != np.bool_ \
                and key[0].ndim == 1 and len(self.shape) >= 1:
            # one integer index along dim 0 (a batch of rows): bincount-free fast path
            idx = key[0]
            if np.unique(idx).size == idx.size:
                dx[idx] = g
                return (dx,)
        np.add.at(dx, key, g)
        return (dx,)


class AliasBackward0(SelectBackward0):
    """out = x[:] (every element, a view)  |  dx = g"""


def _basic_node(key, shape):
    """PyTorch applies a basic index left to right (select, slice, unsqueeze), skipping slices
    that keep a whole dim; the grad_fn is named after the last op applied (Alias if none)."""
    n_ellipsis = len(shape) - sum(1 for k in key if k is not None and k is not Ellipsis)
    dim, last = 0, AliasBackward0
    for k in key:
        if k is Ellipsis:
            dim += n_ellipsis
        elif k is None:
            last = UnsqueezeBackward0
        elif isinstance(k, slice):
            if k.indices(shape[dim]) != (0, shape[dim], 1):
                last = SliceBackward0
            dim += 1
        else:
            last = SelectBackward0
            dim += 1
    return last


def _split_ints(k: tuple, ndim: int):
    """PyTorch applies the integers of a key as selections before the index arrays, so they do
    not count as advanced indices (NumPy counts them: ``x[1, :, idx]`` would be transposed).
    A bool (True/False) next to index arrays is a new dim indexed by [0] or [] (NumPy's rule
    differs). Returns (basic key, rest of the key) or None when there is nothing to do."""
    has_bool = any(isinstance(e, (bool, np.bool_)) for e in k)
    has_int = any(isinstance(e, int) and not isinstance(e, bool) for e in k)
    has_array = any(isinstance(e, np.ndarray) for e in k)
    if not ((has_int and (has_array or has_bool)) or (has_bool and has_array)):
        return None

    def dims(e):
        if e is None or isinstance(e, (bool, np.bool_)):
            return 0
        return e.ndim if isinstance(e, np.ndarray) and e.dtype == np.bool_ else 1

    n_ellipsis = ndim - sum(dims(e) for e in k if e is not Ellipsis)
    first, rest = [], []
    for e in k:
        if e is Ellipsis:
            first += [slice(None)] * max(n_ellipsis, 0)
            rest.append(e)
        elif isinstance(e, (bool, np.bool_)):
            first.append(None)
            rest.append(np.array([0] if e else [], dtype=np.int64))
        elif e is None:
            first.append(None)
            rest.append(slice(None))
        elif isinstance(e, int):
            first.append(e)
        else:
            first += [slice(None)] * dims(e)
            rest.append(e)
    return tuple(first), tuple(rest)


def __getitem__(self, key):
    k, basic = _convert_key(key, self.shape)
    split = None if basic else _split_ints(k, self.ndim)
    if split is not None:
        return __getitem__(__getitem__(self, split[0]), split[1])
    try:
        if basic:
            if not any(e is Ellipsis for e in k):
                k = k + (Ellipsis,)  # so NumPy returns a 0-d view, not a copied scalar
            out = apply(_basic_node(k, self.shape), self, key=k)
            return _view(out, self, lambda a: a[k])
        return apply(IndexBackward0, self, key=k)
    except IndexError as e:
        raise _index_error(e, self.shape) from None


class IndexPutBackward0(Node):
    """out = x with out[indices] = v  |  dx = g with zeros at the indices,  dv = g[indices]"""

    def forward(self, x, v, key):
        self.key = key
        out = x.copy()
        out[key] = v
        return out

    def backward(self, g):
        gx = g.copy()
        gx[self.key] = 0
        return gx, g[self.key]


def _index_put(x, key, v):
    if not isinstance(v, Tensor):
        from .._creation import tensor

        v = tensor(v, dtype=x.dtype)
    elif v.dtype is not x.dtype:
        v = v._cast(x.dtype)
    return apply(IndexPutBackward0, x, v, key=key)


def __setitem__(self, key, value):
    k, basic = _convert_key(key, self.shape)
    split = None if basic else _split_ints(k, self.ndim)
    if split is not None:  # write through the view the integers select
        return __setitem__(__getitem__(self, split[0]), split[1], value)
    masked_fill = len(k) == 1 and getattr(k[0], "dtype", None) == np.bool_ and \
        isinstance(value, Tensor) and value._data.size == 1  # PyTorch's masked_fill_ converts
    if not basic and isinstance(value, Tensor) and value.dtype is not self.dtype and \
            not masked_fill and (any(isinstance(e, np.ndarray) for e in k) or (
                len(k) > 1 and any(isinstance(e, (bool, np.bool_)) for e in k))):
        raise RuntimeError(  # PyTorch's index_put_ does not convert (x[1:] = v does)
            "Index put requires the source and destination dtypes match, got "
            f"{self.dtype.scalar_name} for the destination and {value.dtype.scalar_name} for the "
            "source."
        )
    try:
        recording = _state.enabled and (
            self._requires_grad or (isinstance(value, Tensor) and value._requires_grad)
        )
        if not recording:
            v = value._data if isinstance(value, Tensor) else value
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                v = checked_scalar(v, self._data.dtype)  # -1 wraps into uint8, 300 refuses
            if basic:  # (index_put_ allows elements that share memory)
                check_writable(self)
            self._data[k] = v
            self._vc[0] += 1
            return
        if basic:  # PyTorch writes through the view, x[k].copy_(v): the base gets CopySlices
            from .pointwise import copy_, fill_

            view = __getitem__(self, key)
            if isinstance(value, (int, float, bool, np.number)):
                fill_(view, value)
                return
            lead = value.ndim - view.ndim
            if lead > 0 and all(s == 1 for s in value.shape[:lead]):
                value = value.reshape(value.shape[lead:])  # x[k] = v ignores leading 1s
            copy_(view, value)
            return
        inplace(self, _index_put, k, value)
    except IndexError as e:
        raise _index_error(e, self.shape) from None
    except (ValueError, TypeError) as e:
        v_shape = list(np.shape(value._data if isinstance(value, Tensor) else value))
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {v_shape} cannot be broadcast to indexing "
            f"result of shape {list(np.shape(self._data[k]))}"
        ) from e


class GatherBackward0(Node):
    """out[i][j] = x[i][index[i][j]] (dim 1)  |  dx = zeros with g added back at index"""

    def forward(self, x, index, dim):
        self.shape, self.index, self.dim = x.shape, index, dim
        return np.take_along_axis(x, index, axis=dim)

    def backward(self, g):
        dx = np.zeros(self.shape, g.dtype)
        _scatter_add(dx, self.dim, self.index, g)
        return (dx,)


def _scatter_add(target, dim, index, src):
    """target[... index[i] ...] += src[i] along dim (repeated indices add up)."""
    idx = list(np.indices(index.shape, sparse=True))
    idx[dim] = index
    np.add.at(target, tuple(idx), src[tuple(slice(0, n) for n in index.shape)])


def _check_index(index, name):
    if index.dtype is not D.int64:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")


def gather(input, dim, index, *, sparse_grad=False) -> Tensor:
    """Pick values along ``dim`` at ``index`` (same number of dims as input)."""
    _check_index(index, "gather")
    d = _wrap_dim(dim, input.ndim)
    if index.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    return apply(GatherBackward0, input, index=index._data, dim=d)


def take_along_dim(input, indices, dim=None) -> Tensor:
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    return gather(input, dim, indices)


class ScatterBackward0(Node):
    """out = x with out[index] = src along dim  |  dx = g with zeros at index, dsrc = g[index]"""

    def forward(self, x, src, index, dim, reduce=None):
        self.index, self.dim = index, dim
        out = x.copy()
        idx = list(np.indices(index.shape, sparse=True))
        idx[dim] = index
        idx = tuple(idx)
        self.idx = idx
        s = src[tuple(slice(0, n) for n in index.shape)] if np.ndim(src) else src
        if reduce == "add":
            np.add.at(out, idx, s)
        elif reduce == "multiply":
            np.multiply.at(out, idx, s)
        else:
            out[idx] = s
        self.reduce = reduce
        return out

    def backward(self, g):
        gx = g.copy()
        if self.reduce is None:
            gx[self.idx] = 0
        return gx, g[self.idx]


class ScatterBackward1(ScatterBackward0):
    """out = x with out[index] = a number along dim  |  dx = g with zeros at index"""


class ScatterAddBackward0(ScatterBackward0):
    """out = x with src added at index along dim  |  dx = g,  dsrc = g[index]"""


def scatter(input, dim, index, src=None, value=None, *, reduce=None) -> Tensor:
    """A copy of ``input`` with ``src`` (or ``value``) written at ``index`` along ``dim``."""
    _check_index(index, "scatter")
    d = _wrap_dim(dim, input.ndim)
    if src is None:
        src = value
    if not isinstance(src, Tensor):
        return _scatter_value(input, d, index, src, reduce)
    return apply(ScatterBackward0, input, src, index=index._data, dim=d, reduce=reduce)


def _scatter_value(input, d, index, value, reduce):
    node_src = np.asarray(value, dtype=input._data.dtype)
    from ..autograd.function import record

    node = ScatterBackward1()
    return record(node, (input, None), node.forward(input._data, node_src, index._data, d,
                                                     reduce), _make)


def scatter_add(input, dim, index, src) -> Tensor:
    _check_index(index, "scatter_add")
    return apply(ScatterAddBackward0, input, src, index=index._data,
                 dim=_wrap_dim(dim, input.ndim), reduce="add")


def scatter_(self, dim, index, src=None, value=None, *, reduce=None) -> Tensor:
    return inplace(self, scatter, dim, index, src, value, reduce=reduce)


def scatter_add_(self, dim, index, src) -> Tensor:
    return inplace(self, scatter_add, dim, index, src)


class IndexSelectBackward0(Node):
    """out = x's slices at ``index`` along dim  |  dx = zeros with g added back there"""

    def forward(self, x, dim, index):
        self.shape, self.dim, self.index = x.shape, dim, index
        return np.take(x, index, axis=dim)

    def backward(self, g):
        dx = np.zeros(self.shape, g.dtype)
        key = (slice(None),) * self.dim + (self.index,)
        np.add.at(dx, key, g)
        return (dx,)


def index_select(input, dim, index) -> Tensor:
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    d = _wrap_dim(dim, input.ndim)
    try:
        return apply(IndexSelectBackward0, input, dim=d, index=index._data.reshape(-1))
    except IndexError as e:
        raise _index_error(e, input.shape) from None


class MaskedFillBackward0(Node):
    """out = x with value where mask  |  dx = g with zeros where mask"""

    def forward(self, x, mask, value):
        self.mask = mask
        return np.where(mask, value, x)

    def backward(self, g):
        return (np.where(self.mask, np.zeros((), g.dtype), g),)


class MaskedFillBackward1(Node):
    """out = x with a 0-d tensor v where mask  |  dx = g with zeros where mask,
    dv = sum of g where mask"""

    def forward(self, x, v, mask):
        self.mask = mask
        return np.where(mask, v, x)

    def backward(self, g):
        zero = np.zeros((), g.dtype)
        return np.where(self.mask, zero, g), np.where(self.mask, g, zero).sum()


def masked_fill(input, mask, value) -> Tensor:
    """A copy with ``value`` where ``mask`` is true."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    broadcast_check(input, m, "masked_fill")
    if m.dtype != np.bool_:
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{D.from_numpy_dtype(m.dtype)}"
        )
    if isinstance(value, Tensor) and value.ndim == 0:  # the fill value is part of the graph
        return apply(MaskedFillBackward1, input, value._cast(input.dtype), mask=m)
    v = value.item() if isinstance(value, Tensor) else value
    return apply(MaskedFillBackward0, input, mask=m, value=checked_scalar(v, input._data.dtype))


def masked_fill_(self, mask, value) -> Tensor:
    return inplace(self, masked_fill, mask, value)


def masked_select(input, mask) -> Tensor:
    m = mask._data if isinstance(mask, Tensor) else mask
    shape = np.broadcast_shapes(input.shape, np.shape(m))
    x = input if input.shape == shape else input.expand(shape)
    return apply(MaskedSelectBackward0, x, key=(np.broadcast_to(m, shape),))


class MaskedSelectBackward0(IndexBackward0):
    """out = the elements of x where mask, as a 1-d copy  |  dx = zeros with g where mask"""


def nonzero(input, *, as_tuple=False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or one tensor per dim."""
    if input.ndim == 0:  # a 0-d tensor has one element and no dims to index
        n = int(bool(input._data))
        return (_make(np.zeros(n, np.int64)),) if as_tuple else _make(np.zeros((n, 0), np.int64))
    idx = np.nonzero(input._data)
    if as_tuple:
        return tuple(_make(i.astype(np.int64)) for i in idx)
    return _make(np.stack(idx, axis=1).astype(np.int64) if idx else
                 np.zeros((0, input.ndim), np.int64))


def argwhere(input) -> Tensor:
    return nonzero(input)


class TakeBackward0(IndexBackward0):
    """out = x.flatten()[index]  |  dx = zeros with g added at the flat indices"""

    def forward(self, x, key):
        self.shape, self.key = x.shape, key
        return x.reshape(-1)[key]

    def backward(self, g):
        dx = np.zeros(self.shape, g.dtype)
        np.add.at(dx.reshape(-1), self.key, g)
        return (dx,)


def take(input, index) -> Tensor:
    """Elements of the flattened input at ``index`` (shaped like index)."""
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    n = input.numel()
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return apply(TakeBackward0, input, key=idx)


def index_add(input, dim, index, source, *, alpha=1) -> Tensor:
    d = _wrap_dim(dim, input.ndim)
    dt = D.result_type(input, source)
    return apply(IndexAddBackward0, input._cast(dt), source._cast(dt), dim=d, index=index._data,
                 alpha=alpha)


class IndexAddBackward0(Node):
    """out = x with alpha*source added at index along dim  |  dx = g,
    dsource = alpha * g's slices at index"""

    def forward(self, x, src, dim, index, alpha=1):
        self.dim, self.index, self.alpha = dim, index, alpha
        out = x.copy()
        np.add.at(out, (slice(None),) * dim + (index,), src if alpha == 1 else src * alpha)
        return out

    def backward(self, g):
        gs = np.take(g, self.index, axis=self.dim)
        return g, (gs if self.alpha == 1 else gs * self.alpha)


def index_add_(self, dim, index, source, *, alpha=1) -> Tensor:
    return inplace(self, index_add, dim, index, source, alpha=alpha)


TENSOR_METHODS = (
    "__getitem__", "__setitem__", "gather", "take_along_dim", "scatter", "scatter_add",
    "scatter_", "scatter_add_", "index_select", "masked_fill", "masked_fill_", "masked_select",
    "nonzero", "argwhere", "take", "index_add", "index_add_",
)


def index_put(input, indices, values, accumulate=False) -> Tensor:
    """A copy of ``input`` with ``values`` written (or added) at the tuple of index tensors."""
    key = tuple(i._data if isinstance(i, Tensor) else i for i in indices)
    if isinstance(values, Tensor) and values.dtype is not input.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{input.dtype.scalar_name} for the destination and {values.dtype.scalar_name} for "
            "the source."
        )
    if not accumulate:
        return _index_put(input, key, values)
    from .pointwise import add

    z = _make(np.zeros(input.shape, input._data.dtype))
    v = values if isinstance(values, Tensor) else _make(np.asarray(values, input._data.dtype))
    return add(input, apply(IndexPutAccumulate, z, v, key=key))


class IndexPutAccumulate(IndexPutBackward0):
    """out = zeros with v added at the indices (repeats add up)  |  dv = g[indices]"""

    def forward(self, z, v, key):
        self.key = key
        out = z.copy()
        np.add.at(out, key, v)
        return out

    def backward(self, g):
        return g, g[self.key]


def index_put_(self, indices, values, accumulate=False) -> Tensor:
    return inplace(self, index_put, indices, values, accumulate)


def bincount(input, weights=None, minlength=0) -> Tensor:
    """How many times each non-negative integer occurs (or the sum of its weights)."""
    if input.ndim != 1 or input._data.dtype.kind not in "iub":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    w = None if weights is None else weights._data
    out = np.bincount(input._data, w, minlength)
    if w is None:
        return _make(out.astype(np.int64))
    return _make(out.astype(w.dtype if w.dtype.kind == "f" else np.float64))


def histc(input, bins=100, min=0, max=0) -> Tensor:  # noqa: A002
    """Histogram with ``bins`` equal bins over [min, max] (the data's range if both are 0)."""
    a = input._data
    lo, hi = (float(a.min()), float(a.max())) if min == max else (min, max)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    counts, _ = np.histogram(a[(a >= lo) & (a <= hi)], bins=bins, range=(lo, hi))
    return _make(counts.astype(a.dtype))


def bucketize(input, boundaries, *, out_int32=False, right=False) -> Tensor:
    """For each value, the index of the bucket of sorted ``boundaries`` it falls in."""
    x = input._data if isinstance(input, Tensor) else np.asarray(input)
    idx = np.searchsorted(boundaries._data, x, side="right" if right else "left")
    return _make(np.asarray(idx, np.int32 if out_int32 else np.int64))


TENSOR_METHODS += ("index_put", "index_put_", "bincount", "histc")


def select(input, dim, index) -> Tensor:
    """The slice at ``index`` along ``dim``, without that dim (a view): x.select(1, 0) is
    x[:, 0]."""
    from .._tensor import _wrap_dim

    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 0
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
            f"dimension {d}"
        )
    return __getitem__(input, (slice(None),) * d + (index,))


TENSOR_METHODS += ("select",)
