"""Argument checks of the indexing ops: PyTorch's exception types and texts (and, where they
help, a ``[glasstorch]`` line). Some return the normalised arguments (a NumPy key, a wrapped
dim, the plan of ``x[key]``) that ``functions.py`` and ``methods.py`` then use.
"""

from __future__ import annotations

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor, _wrap_dim
from ..._warnings import warn
from .._checks import _C_NAMES, axis, broadcast, scalar, writable  # noqa: F401 - shared

# -- x[key]: how PyTorch reads a key -----------------------------------------------------------
# PyTorch turns a key into a tuple (a list counts as one if it holds a tensor, a list, a slice,
# None or ...), then walks it left to right: an int (or a 0-d integer tensor) selects, a slice
# slices, None (or True/False) adds a dim, ... skips dims; everything else (lists, ranges, NumPy
# arrays, tensors) becomes an index tensor recorded at the current dim. The views come first,
# then one advanced-indexing op with all the index tensors (where NumPy would count an int among
# the index arrays, PyTorch has already selected with it: the result dims can differ).

INVALID_INDEX = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                 "Variables are valid indices (got {})")
_ZERO_DIM = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
_LIST_AS_TUPLE = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or "
    "a different result (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/python_variable_indexing.cpp:{}.)")
_BYTE_MASK = ("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
              "instead. (Triggered internally at "
              "/__w/pytorch/pytorch/aten/src/ATen/native/IndexingUtils.h:37.)")


def index_key(shape: tuple, key):
    """Read ``key`` for a tensor of ``shape`` as PyTorch does: (view key, last view op, the
    view's shape, index tensors). The view key is a NumPy basic key (ints, slices, None) for
    the views PyTorch applies first (None: no view, the tensor itself); the last view op names
    its node ("select", "slice", "unsqueeze"); the index tensors are arrays by the dim of the
    view they index ({} if none): ``advanced`` checks them and makes NumPy's key."""
    ndim = len(shape)
    tk = type(key)
    if isinstance(key, Tensor) and key._data.ndim or tk is list and all(
            type(k) in _NUMBERS for k in key):  # one index tensor (or list): no view first
        a = key._data if tk is not list else _index_array(key)
        if (a.ndim if a.dtype.char in "?B" else 1) > ndim:
            raise IndexError(f"too many indices for tensor of dimension {ndim}")
        return None, None, shape, {0: a}
    if tk is tuple:
        if len(key) <= ndim and all(type(k) is int for k in key):  # x[i, j]: selects only
            for i, k in enumerate(key):
                if not -shape[i] <= k < shape[i]:
                    raise IndexError(f"index {k} is out of bounds for dimension {i} with size "
                                     f"{shape[i]}{_bounds_hint(shape)}")
            return (key + (Ellipsis,) if key else None), ("select" if key else None), \
                shape[len(key):], {}
        items = key
    elif tk is int or tk is slice or key is None or key is Ellipsis or isinstance(
            key, (Tensor, np.integer)):
        if ndim == 0 and (tk is int or tk is slice or isinstance(key, np.integer)):
            if tk is slice:  # PyTorch's own messages for one int or slice on a 0-d tensor
                raise IndexError("slice() cannot be applied to a 0-dim tensor.")
            raise IndexError(_ZERO_DIM if key == 0 else
                             f"index {key} is out of bounds for dimension 0 with size 0")
        items = (key,)
    else:
        items = _as_tuple(key)
    specified = 0  # the dims the key names: a mask tensor names as many as it has
    for k in items:
        if isinstance(k, Tensor):
            specified += k._data.ndim if k._data.dtype in _MASKS else 1
        elif not (k is None or k is Ellipsis or k is True or k is False):
            specified += 1
    if specified > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")

    cur = list(shape)  # the shape of the view so far
    view, indices = [], {}  # the NumPy basic key; {dim of the view: index array}
    dim = 0  # PyTorch's position in the view
    last = None
    for i, k in enumerate(items):
        if type(k) is int or isinstance(k, np.integer):
            _select(cur, dim, int(k), i, shape)
            view.append(int(k))
            last = "select"
        elif type(k) is slice:
            sl = _slice(k)
            whole = (sl.start or 0) == 0 and (sl.step or 1) == 1  # and stop: at least the end
            if dim >= len(cur):  # past the last dim (after a mask): only ``:`` is no error
                if not (whole and sl.stop is None):
                    raise _dim_out_of_range(dim, len(cur))
            else:
                if not whole or (sl.stop is not None and sl.stop < cur[dim]):
                    last = "slice"  # (PyTorch skips a slice of everything, written from 0)
                view.append(sl)
                cur[dim] = len(range(*sl.indices(cur[dim])))
            dim += 1
        elif k is Ellipsis:
            skip = ndim - specified
            view += [slice(None)] * min(skip, len(cur) - dim)
            dim += skip
        elif k is None or k is True or k is False:
            _unsqueeze(view, cur, dim, indices, k)
            last = "unsqueeze"
            dim += 1
        else:
            a = _index_array(k)
            if a.ndim == 0 and a.dtype.kind in "iu" and a.dtype != np.uint8:
                _select(cur, dim, int(a), i, shape)  # a 0-d integer tensor selects, like an int
                view.append(int(a))
                last = "select"
            elif a.ndim == 0 and a.dtype in _MASKS:  # a 0-d bool (or byte): True or False
                _unsqueeze(view, cur, dim, indices, bool(a))
                last = "unsqueeze"
                dim += 1
            else:
                n = a.ndim if a.dtype in _MASKS else 1
                view += [slice(None)] * min(n, len(cur) - dim)
                indices[dim] = a
                dim += n
    vkey = None if last is None else tuple(view) + (Ellipsis,)  # a view even if 0-d
    return vkey, last, tuple(cur), indices


_MASKS = (np.dtype(np.bool_), np.dtype(np.uint8))


def _unsqueeze(view: list, cur: list, dim: int, indices: dict, k) -> None:
    """None adds a dim of size 1; True and False also index it with [0] or [] (all or none)."""
    if dim > len(cur):  # (past the end, after a mask PyTorch counted as one dim)
        raise _dim_out_of_range(dim, len(cur) + 1)
    view.append(None)
    cur.insert(dim, 1)
    if k is not None:
        indices[dim] = np.zeros(1 if k else 0, np.int64)


def _as_tuple(key) -> tuple:
    """PyTorch's (and old NumPy's) rule for a key that is not a tuple: a short sequence holding
    a tensor, a sequence, a slice, None or ``...`` is read as a tuple of indices (with a
    deprecation warning); anything else is one index."""
    if isinstance(key, np.ndarray) or not _is_sequence(key):
        return (key,)
    try:
        n = len(key)
    except TypeError:
        return (key,)
    if n >= 32:
        return (key,)
    for k in key:
        if type(k) in _NUMBERS:
            continue
        if isinstance(k, (Tensor, slice)) or _is_sequence(k):
            line = 349
        elif k is None or k is Ellipsis:
            line = 359
        else:
            continue
        warn(_LIST_AS_TUPLE.format(line), UserWarning)
        return tuple(key)
    return (key,)


_NUMBERS = (int, float, bool)


def _is_sequence(x) -> bool:
    """Python's sequence protocol as PyTorch tests it (lists, tuples, ranges, strings, NumPy
    arrays; not dicts, sets or NumPy scalars)."""
    return hasattr(type(x), "__getitem__") and not isinstance(x, (dict, np.generic))


def _select(cur: list, dim: int, i: int, position: int, shape: tuple) -> None:
    """An int index at ``dim`` of the view (``position`` in the key names it in the message)."""
    size = cur[dim] if dim < len(cur) else 0
    if not -size <= i < size:
        raise IndexError(f"index {i} is out of bounds for dimension {position} with size "
                         f"{size}{_bounds_hint(shape)}")
    del cur[dim]


def _bounds_hint(shape: tuple) -> str:
    return ("\n[glasstorch] Valid indices along a dimension of size n are 0..n-1 (or -n..-1); "
            f"the tensor has shape {list(shape)}.")


def _slice(k: slice) -> slice:
    """A slice with int bounds: PyTorch's errors for a zero or negative step."""
    try:
        start, stop, step = (None if v is None else v.__index__()
                             for v in (k.start, k.stop, k.step))
    except (AttributeError, TypeError):
        raise TypeError("slice indices must be integers or None or have an __index__ "
                        "method") from None
    if step is not None:
        if step == 0:
            raise ValueError("slice step cannot be zero")
        if step < 0:
            raise ValueError("step must be greater than zero")
    return slice(start, stop, step)


def _index_array(k) -> np.ndarray:
    """An index that is not an int, slice, None or ``...``, as an array: a tensor's values; a
    sequence (list, range, NumPy array) as PyTorch's index tensor (bool and uint8 arrays stay,
    everything else becomes int64, floats truncated); else an object with ``__index__``."""
    if isinstance(k, Tensor):
        return k._data
    if not _is_sequence(k):
        try:
            return np.asarray(k.__index__())
        except (AttributeError, TypeError):
            raise IndexError(INVALID_INDEX.format(_type_name(k))) from None
    a = np.asarray(k)
    if a.dtype.kind in "USO":
        raise TypeError(f"new(): invalid data type '{'str' if a.dtype.kind != 'O' else 'object'}'")
    if a.dtype.char == "?" or (a.dtype.char == "B" and isinstance(k, np.ndarray)):
        return a
    return a.astype(np.int64, copy=False)


def _type_name(x) -> str:
    """The type's name as PyTorch's messages print it (NumPy's types with their module)."""
    t = type(x)
    return f"numpy.{t.__name__}" if t.__module__ == "numpy" else t.__name__


def advanced(shape: tuple, indices: dict, wrap: bool = False) -> tuple:
    """PyTorch's checks of the index tensors recorded at dims of a tensor of ``shape``: their
    dtypes, the masks' shapes, that they broadcast together (NumPy then checks the bounds:
    ``bounds`` words its IndexError as PyTorch). Returns the NumPy key (the index arrays at
    their dims, whole slices before them) and, for ``bounds``, the index arrays with the dims
    they index. ``wrap``: negative indices made positive (a gradient adds up repeats)."""
    if len(indices) == 1 and 0 in indices and indices[0].dtype.char in "lqi" and shape and \
            0 not in shape[1:]:  # one integer index tensor on dim 0 (a batch of rows)
        a = indices[0]
        return (_positive(a, shape[0]) if wrap and a.size else a,), [(a, 0)]
    items = sorted(indices.items()) if len(indices) > 1 else list(indices.items())
    for _, a in items:
        if a.dtype.char not in "lqiB?":  # int64, int32, uint8 (a mask) or bool
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    key, arrays = [], []  # the key; (index array, the first dim it indexes)
    beyond = None
    for d, a in items:
        key += [slice(None)] * (d - _dims_of(key))
        if a.dtype.char in "?B":
            if a.dtype.char == "B":
                warn(_BYTE_MASK, UserWarning)
                a = a.astype(np.bool_)
            for j, n in enumerate(a.shape):
                if d + j >= len(shape):
                    raise _dim_out_of_range(d + j, len(shape))
                if n != shape[d + j]:
                    raise IndexError(
                        f"The shape of the mask {list(a.shape)} at index {j} does not match the "
                        f"shape of the indexed tensor {list(shape)} at index {d + j}")
        elif d >= len(shape):  # after a mask PyTorch counted as one dim
            beyond = d if beyond is None else beyond
        arrays.append((a, d))
        key.append(_positive(a, shape[d]) if wrap and a.size and d < len(shape) and
                   a.dtype.char != "?" else a)
    if len(arrays) > 1:
        shapes = [s for a, _ in arrays for s in
                  ([(int(np.count_nonzero(a)),)] * a.ndim if a.dtype == np.bool_ else [a.shape])]
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            raise IndexError("shape mismatch: indexing tensors could not be broadcast together "
                             "with shapes " + ", ".join(str(list(s)) for s in shapes)) from None
    if beyond is not None:
        raise _dim_out_of_range(beyond, len(shape))
    if 0 in _unindexed(key, shape):  # an empty result: PyTorch reads no index, checks none
        key = [np.zeros(e.shape, np.intp) if isinstance(e, np.ndarray) and e.dtype != np.bool_
               else e for e in key]
    return tuple(key), arrays


def _positive(a: np.ndarray, n: int) -> np.ndarray:
    """Negative indices as n + i, so that a gradient sees -1 and n - 1 as a repeat (unless one
    is out of bounds: NumPy's error must still come)."""
    lo = a.min()
    return np.where(a < 0, a + n, a) if -n <= lo < 0 else a


def _unindexed(key: list, shape: tuple) -> list:
    """The sizes of the dims a NumPy key of whole slices and index arrays leaves whole."""
    out, d = [], 0
    for e in key:
        if isinstance(e, slice):
            out += shape[d:d + 1]
            d += 1
        else:
            d += e.ndim if e.dtype == np.bool_ else 1
    return out + list(shape[d:])


def _dim_out_of_range(dim: int, ndim: int) -> IndexError:
    n = max(ndim, 1)
    return IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but "
                      f"got {dim})")


def _dims_of(key: list) -> int:
    """How many dims a NumPy key of whole slices and index arrays spans (a mask: its ndim)."""
    return sum(e.ndim if isinstance(e, np.ndarray) and e.dtype == np.bool_ else 1 for e in key)


def bounds(arrays: list, view_shape: tuple, shape: tuple) -> IndexError:
    """PyTorch's IndexError for an index out of bounds (returned, to raise where NumPy raised
    its own): PyTorch names the first bad one (elements in order, then the index tensors in
    order) and the position of its tensor among the index tensors (masks count one per dim).
    ``arrays``: (index array, first dim it indexes) from ``advanced``; ``shape`` (of the whole
    tensor) is for the hint."""
    flat, sizes = [], []
    for a, d in arrays:
        if a.dtype == np.bool_:
            flat += np.nonzero(a)
            sizes += view_shape[d:d + a.ndim]
        else:
            flat.append(a)
            sizes.append(view_shape[d])
    b = np.stack([x.reshape(-1) for x in np.broadcast_arrays(*flat)])  # (tensors, elements)
    n = np.asarray(sizes)[:, None]
    out = (b >= n) | (b < -n)
    e = int(np.argmax(out.any(axis=0)))
    j = int(np.argmax(out[:, e]))
    return IndexError(f"index {b[j, e]} is out of bounds for dimension {j} with size "
                      f"{sizes[j]}{_bounds_hint(shape)}")


def setitem_value(self: Tensor, value):
    """The value of ``x[key] = value`` as PyTorch takes it: a tensor, or a Python number (or
    NumPy integer) as a NumPy scalar of x's dtype; TypeError for anything else, NumPy arrays and
    NumPy floats other than float64 included."""
    if isinstance(value, Tensor):
        return value
    tv = type(value)
    if tv is float or tv is int or isinstance(value, (int, float, np.integer)) and not \
            isinstance(value, np.bool_):
        v, dt = int(value) if isinstance(value, np.integer) else value, self._data.dtype
        if dt.char != "e":
            return scalar(v, dt)  # (a NumPy scalar)
        with np.errstate(over="ignore"):  # 1e10 into float16 is inf, quietly as in PyTorch
            return scalar(v, dt)
    if isinstance(value, complex):  # a real dtype takes it only without an imaginary part
        name = self._data.dtype.name
        if value.imag == 0 or name == "bool":
            return setitem_value(self, bool(value) if name == "bool" else value.real)
        name = "double" if name == "float16" else _C_NAMES.get(name, name + "_t")
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    raise TypeError(f"can't assign a {_type_name(value)} to a {self.type()}")


def expand_value(src_shape: tuple, dst_shape: tuple) -> tuple:
    """``x[key] = v`` without index tensors: v without its leading 1s must expand to the
    written region (PyTorch's expand errors); returns v's shape without those 1s."""
    s = list(src_shape)
    while s and s[0] == 1:
        s.pop(0)
    if len(s) > len(dst_shape):
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(s)}}}, size={list(dst_shape)}): the number of "
            f"sizes provided ({len(dst_shape)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(s)})")
    for i in range(1, len(s) + 1):
        if s[-i] != 1 and s[-i] != dst_shape[-i]:
            raise RuntimeError(
                f"The expanded size of the tensor ({dst_shape[-i]}) must match the existing size "
                f"({s[-i]}) at non-singleton dimension {len(dst_shape) - i}.  Target sizes: "
                f"{list(dst_shape)}.  Tensor sizes: {list(s)}")
    return tuple(s)


def masked_fill_dispatch(indices: dict, value: np.ndarray) -> bool:
    """Whether ``index_put_`` fills: PyTorch does, before any other check, when the only index
    is a mask and there is one value (a uint8 mask then fails: masked_fill_ wants bools)."""
    if len(indices) != 1:
        return False
    (a,) = indices.values()
    if a.dtype.char not in "?B" or a.ndim == 0 or value.size != 1:
        return False
    if a.dtype.char == "B":
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           "unsigned char")
    return True


def put_value(dst: np.ndarray, key: tuple, src: np.ndarray) -> tuple:
    """``index_put_``'s checks of its values: they broadcast (without their leading 1s) to the
    indexed region and have the destination's dtype. Returns their shape without those 1s."""
    v = src.shape
    while v and v[0] == 1:
        v = v[1:]
    if v:
        safe = tuple(np.zeros(e.shape, np.intp) if isinstance(e, np.ndarray) and
                     e.dtype != np.bool_ else e for e in key)  # (the bounds come later)
        region = np.empty(dst.shape, np.bool_)[safe].shape
        if len(v) > len(region) or any(a != 1 and a != b for a, b in zip(v[::-1], region[::-1])):
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(src.shape)} cannot "
                               f"be broadcast to indexing result of shape {list(region)}")
    if src.dtype != dst.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{D.from_numpy_dtype(dst.dtype).scalar_name} for the destination and "
            f"{D.from_numpy_dtype(src.dtype).scalar_name} for the source.")
    return v


def put_indices(input, indices, values) -> dict:
    """index_put's arguments: a tuple (or list) of index tensors, values a tensor. Returns the
    index arrays by the dim they index."""
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' (position 3) must be Tensor, not "
                        f"{type(values).__name__}")
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got "
                            f"{type(t).__name__}")
    out, d = {}, 0
    for t in indices:
        out[d] = t._data
        d += t._data.ndim if t._data.dtype in _MASKS else 1
    if d > input.ndim:
        raise IndexError(f"too many indices for tensor of dimension {input.ndim} (got {d})")
    return out


def index_dtype(index, name: str) -> None:
    if index.dtype is not D.int64:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")


def gather(input, dim, index) -> int:
    """An int64 index with as many dims as the input; returns the dim wrapped."""
    index_dtype(index, "gather")
    d = _wrap_dim(dim, input.ndim)
    if index.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    return d


def scatter(input, dim, index, name: str) -> int:
    """An int64 index; returns the dim wrapped."""
    index_dtype(index, name)
    return _wrap_dim(dim, input.ndim)


def index_select(input, dim, index) -> int:
    """A vector of int32/int64 indices within the dim; returns the dim wrapped."""
    if index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 1
    i = index._data
    if i.size and (i.min() < 0 or i.max() >= n):
        raise IndexError("index out of range in self")
    return d


def masked_fill(input, mask) -> np.ndarray:
    """The mask as a bool array that broadcasts to the input."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    broadcast(input, m, "masked_fill")
    if m.dtype != np.bool_:
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{D.from_numpy_dtype(m.dtype)}"
        )
    return m


def take(input, index) -> np.ndarray:
    """The flat indices as an array, each within the number of elements."""
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    n = input.numel()
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return idx


def bincount(input) -> None:
    if input.ndim != 1 or input._data.dtype.kind not in "iub":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")


def select(input, dim, index) -> int:
    """An index within the dim's size; returns the dim wrapped."""
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 0
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
            f"dimension {d}"
        )
    return d


# C++ type names, as histogram's messages print dtypes
_CPP = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
        "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
        "bool": "bool"}


def _g(x: float) -> str:
    """A double as C++ streams print it (6 significant digits)."""
    return f"{x:g}"


def histc(input, bins: int, min, max) -> tuple[float, float]:  # noqa: A002
    """bins > 0 and a finite range, then a float dtype; returns the range (the data's own when
    min == max, widened by 1 on each side if that is a single value)."""
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    a = input._data
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        show = [("-nan" if np.isnan(v) else _g(v)) for v in (lo, hi)]
        raise RuntimeError(f"torch.histc: range of [{show[0]}, {show[1]}] is not finite")
    if not lo < hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if a.dtype.kind != "f":
        kernel = "linspace_cpu" if a.dtype.kind == "b" else "histogram_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{input.dtype.scalar_name}'")
    return lo, hi


def histogram(input, bins, range, weight) -> tuple[float, float] | None:  # noqa: A002
    """PyTorch's checks in its order; for a number of bins, returns the outer edges (the
    ``range``, else the data's min and max, widened by 0.5 if equal)."""
    a = input._data
    name = input.dtype.scalar_name
    if not isinstance(bins, Tensor):
        if not isinstance(bins, (int, np.integer)) or isinstance(bins, bool):
            raise TypeError(
                f"histogram() received an invalid combination of arguments - got (Tensor, "
                f"{type(bins).__name__}), but expected one of:\n * (Tensor input, Tensor bins, *, "
                "Tensor weight = None, bool density = False, tuple of Tensors out = None)\n * "
                "(Tensor input, int bins = 100, *, tuple of floats range = None, Tensor weight = "
                "None, bool density = False, tuple of Tensors out = None)\n")
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                               "dimension 0")
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        elif a.size:
            if a.dtype.kind != "f" or a.dtype == np.float16:
                raise NotImplementedError(f"\"histogramdd\" not implemented for '{name}'")
            lo, hi = float(a.min()), float(a.max())
        else:
            lo, hi = 0.0, 1.0
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise RuntimeError(f"torch.histogramdd: dimension 0's range [{_g(lo)}, {_g(hi)}] is "
                               "not finite")
        if lo > hi:
            raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                               f"{_g(lo)} max {_g(hi)} for dimension 0")
        edges = (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)
    else:
        edges = None
        if bins._data.dtype != a.dtype:
            raise RuntimeError(
                f"torch.histogramdd: input tensor and bins tensors should have the same dtype, "
                f"but got input with dtype {_CPP[a.dtype.name]} and bins for dimension 0 with "
                f"dtype {_CPP[bins._data.dtype.name]}")
        if bins.ndim != 1:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, but "
                               f"got {bins.ndim} dimensions in the bins tensor for dimension 0")
        if bins.numel() == 0:
            raise RuntimeError("torch.histogramdd: bins tensor should have at least 1 element, "
                               "but got 0 elements in the bins tensor for dimension 0")
    if weight is not None:
        if weight._data.dtype != a.dtype:
            raise RuntimeError(
                f"torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
                f"should have the same dtype, but got input({_CPP[a.dtype.name]}), and "
                f"weight({_CPP[weight._data.dtype.name]})")
        if weight.numel() != a.size:
            raise RuntimeError(
                f"torch.histogramdd: if weight tensor is provided it should have the same shape "
                f"as the input tensor excluding its innermost dimension, but got input with shape "
                f"[{a.size}, 1] and weight with shape [{weight.numel()}]")
    if isinstance(bins, Tensor) and bins.numel() < 2:
        raise RuntimeError("torch.histogram(): bins must be > 0, but got 0 for dimension 0")
    if a.dtype.kind != "f" or a.dtype == np.float16:
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{name}'")
    return edges


def searchsorted(right: bool, side) -> bool:
    """``side`` ('left' or 'right') and ``right`` must agree; returns whether to go right."""
    if side is None:
        return bool(right)
    if side not in ("left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got "
                           f"{side}")
    if right and side == "left":
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got "
                           "side of left while right was True")
    return side == "right"
