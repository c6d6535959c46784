"""Shape operations: they move or repeat elements without changing their values.

Views (view, reshape when it can, transpose, permute, squeeze, unsqueeze, expand, narrow,
split ...) share memory and the version counter with their base, exactly as in PyTorch: a write
through a view shows in the base. ``_view`` records how to get the view from the base
(``_view_fn``), which lets an in-place change of a view update the base's gradient.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap_dim, apply
from ..autograd.function import Node, record


def _view(out: Tensor, base: Tensor, fn) -> Tensor:
    """Mark ``out`` as a view of ``base`` made by ``fn`` (an ndarray -> ndarray function)."""
    out._vc = base._vc
    out._view_vc = base._vc[0]  # its grad_fn is current for this version of the base
    if base._base is None:
        out._base, out._view_fn = base, fn
    else:
        prev = base._view_fn
        out._base, out._view_fn = base._base, (lambda a: fn(prev(a)))
    return out


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _infer(shape: tuple, numel: int) -> tuple:
    """Resolve one -1 in ``shape`` (PyTorch's errors when impossible)."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(
                f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}"
                + _reshape_hint(shape, numel)
            )
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(
            f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}"
            + _reshape_hint(shape, numel)
        )
    return shape


def _reshape_hint(shape, numel) -> str:
    return (f"\n[glasstorch] The new shape must hold exactly {numel} elements (the product of "
            "the old shape); one dimension may be -1 to be inferred.")


class ViewBackward0(Node):
    """out = x with a new shape (same memory)  |  dx = g reshaped back"""

    def forward(self, x, shape):
        self.shape = x.shape
        return np.reshape(x, shape, copy=False)

    def backward(self, g):
        return (g.reshape(self.shape),)


class UnsafeViewBackward0(ViewBackward0):
    """out = a reshaped copy of x (its layout did not allow a view)  |  dx = g reshaped back"""

    def forward(self, x, shape):
        self.shape = x.shape
        return np.reshape(x, shape).copy() if not x.flags.c_contiguous else np.reshape(x, shape)


def view(self, *shape) -> Tensor:
    """The same memory seen with another shape; needs a compatible (e.g. contiguous) layout."""
    if not shape:
        raise TypeError("view() received an invalid combination of arguments - got (), but "
                        "expected one of:\n * (torch.dtype dtype)\n * (tuple of ints size)\n")
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        return _make(self._data.view(shape[0].np))
    shape = _infer(_shape_arg(shape), self._data.size)
    try:
        np.reshape(self._data, shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead.\n"
            f"[glasstorch] This tensor (shape {list(self.shape)}, strides {list(self.stride())})"
            " is not laid out row by row, typically after t(), transpose() or permute(); call "
            ".contiguous() first or use .reshape()."
        ) from None
    return _view(apply(ViewBackward0, self, shape=shape), self, lambda a: a.reshape(shape))


def view_as(self, other) -> Tensor:
    return view(self, other.shape)


class ReshapeAliasBackward0(ViewBackward0):
    """out = a non-contiguous x seen with a new shape (same memory)  |  dx = g reshaped back"""


def reshape(input, *shape) -> Tensor:
    """A tensor with the given shape: a view when the layout allows, otherwise a copy."""
    if not shape:
        raise TypeError('reshape() missing 1 required positional arguments: "shape"')
    shape = _infer(_shape_arg(shape), input._data.size)
    try:
        np.reshape(input._data, shape, copy=False)
    except ValueError:  # PyTorch copies the layout row by row (a clone), then views that
        return apply(UnsafeViewBackward0, contiguous(input), shape=shape)
    node = ViewBackward0 if input._data.flags.c_contiguous else ReshapeAliasBackward0
    return _view(apply(node, input, shape=shape), input, lambda a: a.reshape(shape))


def reshape_as(self, other) -> Tensor:
    return reshape(self, other.shape)


def flatten(input, start_dim=0, end_dim=-1) -> Tensor:
    """Merge dims start_dim..end_dim into one."""
    if input.ndim == 0:
        return reshape(input, 1)
    s, e = _wrap_dim(start_dim, input.ndim), _wrap_dim(end_dim, input.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input.shape
    return reshape(input, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])


def unflatten(input, dim, sizes) -> Tensor:
    d = _wrap_dim(dim, input.ndim)
    sizes = tuple(sizes)
    if -1 in sizes:
        sizes = _infer(sizes, input.shape[d])
    if math.prod(sizes) != input.shape[d]:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({input.shape[d]}) in the input tensor"
        )
    new = input.shape[:d] + sizes + input.shape[d + 1:]
    try:
        return view(input, new)  # PyTorch views whenever the strides allow (ViewBackward0)
    except RuntimeError:
        return reshape(input, new)


def ravel(input) -> Tensor:
    return view(contiguous(input), -1)


class SqueezeBackward0(Node):
    """out = x without size-1 dims  |  dx = g reshaped back"""

    def forward(self, x, dims):
        self.shape = x.shape
        return np.squeeze(x, axis=dims) if dims else x.reshape(x.shape)

    def backward(self, g):
        return (g.reshape(self.shape),)


class SqueezeBackward1(SqueezeBackward0):
    """out = x without the given size-1 dim  |  dx = g reshaped back"""


class SqueezeBackward2(SqueezeBackward0):
    """out = x without those of the given dims that have size 1  |  dx = g reshaped back"""


def squeeze(input, dim=None) -> Tensor:
    """Remove dims of size 1 (all of them, or only ``dim`` if it has size 1)."""
    if dim is None:
        dims = tuple(i for i, s in enumerate(input.shape) if s == 1)
        cls = SqueezeBackward0
    else:
        ds = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = tuple(i for i in (_wrap_dim(d, input.ndim) for d in ds)
                     if input.ndim and input.shape[i] == 1)
        cls = SqueezeBackward2 if isinstance(dim, (tuple, list)) else SqueezeBackward1
    return _view(apply(cls, input, dims=dims), input, lambda a: np.squeeze(a, axis=dims)
                 if dims else a.reshape(a.shape))


class UnsqueezeBackward0(Node):
    """out = x with a new size-1 dim  |  dx = g without it"""

    def forward(self, x, dim):
        self.dim = dim
        return np.expand_dims(x, dim)

    def backward(self, g):
        return (np.squeeze(g, axis=self.dim),)


def unsqueeze(input, dim) -> Tensor:
    """Insert a dim of size 1 at position ``dim``."""
    d = _wrap_dim(dim, input.ndim + 1)
    return _view(apply(UnsqueezeBackward0, input, dim=d), input,
                 lambda a: np.expand_dims(a, d))


class PermuteBackward0(Node):
    """out = x with its dims reordered  |  dx = g with the inverse order"""

    def forward(self, x, dims):
        self.inverse = tuple(np.argsort(dims))
        return np.transpose(x, dims)

    def backward(self, g):
        return (np.transpose(g, self.inverse),)


class TransposeBackward0(Node):
    """out = x with dims d0 and d1 swapped  |  dx = g with them swapped back"""

    def forward(self, x, d0, d1):
        self.d0, self.d1 = d0, d1
        return np.swapaxes(x, d0, d1) if x.ndim else x.view()  # 0-d: nothing to swap

    def backward(self, g):
        return (np.swapaxes(g, self.d0, self.d1) if g.ndim else g,)


class TBackward0(Node):
    """out = x^T (a matrix transposed)  |  dx = g^T"""

    def forward(self, x):
        return x.T

    def backward(self, g):
        return (g.T,)


def permute(input, *dims) -> Tensor:
    """Reorder the dims: ``x.permute(2, 0, 1)``."""
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = _shape_arg(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {input.ndim} is "
            f"not equal to len(dims) = {len(dims)}"
        )
    dims = tuple(_wrap_dim(d, input.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _view(apply(PermuteBackward0, input, dims=dims), input,
                 lambda a: np.transpose(a, dims))


def transpose(input, dim0, dim1) -> Tensor:
    """Swap two dims (a view)."""
    d0, d1 = _wrap_dim(dim0, input.ndim), _wrap_dim(dim1, input.ndim)
    return _view(apply(TransposeBackward0, input, d0=d0, d1=d1), input,
                 lambda a: np.swapaxes(a, d0, d1))


swapaxes = swapdims = transpose


def t(input) -> Tensor:
    """Transpose a matrix (0-d and 1-d tensors are returned as they are)."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return _view(apply(TBackward0, input), input, lambda a: a.T)


def movedim(input, source, destination) -> Tensor:
    """Move dims from ``source`` positions to ``destination`` positions."""
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [_wrap_dim(s, input.ndim) for s in src]
    dst = [_wrap_dim(d, input.ndim) for d in dst]
    if input.ndim == 0:
        return view_of(input)
    order: list = [None] * input.ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(i for i in range(input.ndim) if i not in src)
    return permute(input, *[o if o is not None else next(rest) for o in order])


moveaxis = movedim


class ExpandBackward0(Node):
    """out = x broadcast to a larger shape (no copy)  |  dx = g summed over the new dims"""

    def forward(self, x, shape):
        return _broadcast_view(x, shape)

    def backward(self, g):
        return (g,)  # the engine's sum_to reduces it to x's shape


def _broadcast_view(a: np.ndarray, shape: tuple) -> np.ndarray:
    """np.broadcast_to, but writable like PyTorch's expand (NumPy marks it read-only; in-place
    ops check for elements sharing memory themselves, see ``_ops.check_writable``)."""
    out = np.broadcast_to(a, shape)
    if a.flags.writeable:
        out = np.lib.stride_tricks.as_strided(a, shape, out.strides)
    return out


def expand(input, *sizes) -> Tensor:
    """Broadcast size-1 dims to ``sizes`` without copying (-1 keeps a dim)."""
    if not sizes:
        raise TypeError('expand() missing 1 required positional arguments: "size"')
    sizes = _shape_arg(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError(
            f"expand({input.type()}{{{list(input.shape)}}}, size=[{', '.join(map(str, sizes))}]): "
            "the number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor "
            f"({input.ndim})"
        )
    lead = len(sizes) - input.ndim
    shape = tuple(
        input.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes)
    )
    for i in range(input.ndim):
        have, want = input.shape[i], shape[i + lead]
        if have != want and have != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size ({have}) "
                f"at non-singleton dimension {i + lead}.  Target sizes: "
                f"[{', '.join(map(str, sizes))}].  Tensor sizes: "
                f"[{', '.join(map(str, input.shape))}]"
            )
    return _view(apply(ExpandBackward0, input, shape=shape), input,
                 lambda a: _broadcast_view(a, shape))


def expand_as(input, other) -> Tensor:
    return expand(input, other.shape)


def broadcast_to(input, size) -> Tensor:
    return expand(input, size)


def broadcast_tensors(*tensors):
    shape = np.broadcast_shapes(*(t.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def contiguous(input, memory_format=None) -> Tensor:
    """This tensor if it is laid out row by row, otherwise a row-by-row copy."""
    if input._data.flags.c_contiguous:
        return input
    from .pointwise import clone

    r = clone(input)
    r._data = np.ascontiguousarray(r._data)
    return r


class RepeatBackward0(Node):
    """out = x tiled ``repeats`` times along each dim  |  dx = sum of g's tiles"""

    def forward(self, x, repeats):
        self.shape = x.shape
        self.repeats = repeats
        lead = len(repeats) - x.ndim
        return np.tile(x.reshape((1,) * lead + x.shape), repeats)

    def backward(self, g):
        lead = len(self.repeats) - len(self.shape)
        full = (1,) * lead + self.shape
        split = []
        for r, s in zip(self.repeats, full):
            split += [r, s]
        return (g.reshape(split).sum(axis=tuple(range(0, 2 * len(full), 2))).reshape(self.shape),)


def repeat(self, *repeats) -> Tensor:
    """Tile the tensor: ``x.repeat(2, 3)`` (copies, unlike expand)."""
    repeats = _shape_arg(repeats)
    if len(repeats) < self.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    return apply(RepeatBackward0, self, repeats=repeats)


def tile(input, dims) -> Tensor:
    dims = tuple(dims)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats, dim=None) -> Tensor:
    from .indexing import index_select

    if dim is None:
        input, dim = reshape(input, -1), 0
    d = _wrap_dim(dim, input.ndim)
    if isinstance(repeats, int):  # each slice seen `repeats` times, then copied into place
        x = unsqueeze(input, d + 1)
        shape = list(x.shape)
        shape[d + 1] = repeats
        merged = list(input.shape)
        merged[d] *= repeats
        return view(contiguous(expand(x, shape)), merged)
    reps = repeats._data if isinstance(repeats, Tensor) else repeats
    idx = np.repeat(np.arange(input.shape[d]), reps)
    return index_select(input, d, _make(idx.astype(np.int64)))


class CatBackward0(Node):
    """out = x_1, ..., x_n joined along dim  |  dx_i = g's slice for x_i"""

    def forward(self, *xs, dim):
        self.dim = dim
        # legacy rule: 1-d empty tensors join anything, they are skipped (their gradient is empty)
        self.skip = [x.ndim == 1 and x.shape[0] == 0 for x in xs]
        kept = [x for x, s in zip(xs, self.skip) if not s] or list(xs[:1])
        self.bounds = np.cumsum([x.shape[dim] for x in kept])[:-1]
        return np.concatenate(kept, axis=dim)

    def backward(self, g):
        parts = iter(np.split(g, self.bounds, axis=self.dim))
        return tuple(np.zeros(0, g.dtype) if s else next(parts) for s in self.skip)


class StackBackward0(Node):
    """out = x_1, ..., x_n stacked along a new dim  |  dx_i = g's i-th slice along it"""

    def forward(self, *xs, dim):
        self.dim = dim
        return np.stack(xs, axis=dim)

    def backward(self, g):
        return tuple(np.moveaxis(g, self.dim, 0))


def _same_dtype(tensors, op: str):
    tensors = list(tensors)
    if not tensors:
        if op == "cat":
            raise ValueError("torch.cat(): expected a non-empty list of Tensors")
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    dt = D.result_type(*[_DimProxy(t) for t in tensors])
    return [t if t.dtype is dt else t._cast(dt) for t in tensors]


class _DimProxy:
    """cat/stack promote over all inputs as if each were dimensioned."""

    __slots__ = ("dtype",)
    ndim = 1

    def __init__(self, t):
        self.dtype = t.dtype


def cat(tensors, dim=0, *, out=None) -> Tensor:
    """Join tensors along an existing dim (all other dims must match)."""
    every = _same_dtype(tensors, "cat")
    for i, t in enumerate(every):  # checked before anything else, as in PyTorch
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    ts = [t for t in every if not (t.ndim == 1 and t.shape[0] == 0)] or every[:1]  # legacy []
    ref = ts[0]
    d = _wrap_dim(dim, ref.ndim)
    for i, t in enumerate(ts):
        if t.ndim != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {t.ndim}"
            )
        for k in range(ref.ndim):
            if k != d and t.shape[k] != ref.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref.shape[k]} but got size {t.shape[k]} for tensor number {i} in the list."
                    f"\n[glasstorch] tensor 0 has shape {list(ref.shape)} and tensor {i} has "
                    f"shape {list(t.shape)}; cat joins along dim={d}, so every other size must "
                    "be equal: crop or pad them, or join along the dimension where they differ."
                )
    node = CatBackward0()
    r = record(node, every, node.forward(*[t._data for t in every], dim=d), _make)
    if out is not None:
        from .pointwise import _out

        return _out(r, out)
    return r


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None) -> Tensor:
    """Join equal-shaped tensors along a new dim."""
    ts = _same_dtype(tensors, "stack")
    for i, t in enumerate(ts):
        if t.shape != ts[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(ts[0].shape)} at "
                f"entry 0 and {list(t.shape)} at entry {i}\n[glasstorch] stack adds a new "
                "dimension, so all tensors need one shape: pad or crop them to the same size "
                "first (e.g. sequences of different lengths), or use torch.cat to join them "
                "along an existing dimension."
            )
    d = _wrap_dim(dim, ts[0].ndim + 1)
    node = StackBackward0()
    r = record(node, ts, node.forward(*[t._data for t in ts], dim=d), _make)
    if out is not None:
        from .pointwise import _out

        return _out(r, out)
    return r


def hstack(tensors) -> Tensor:
    ts = [atleast_1d(t) for t in tensors]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    return cat([atleast_2d(t) for t in tensors], 0)


def atleast_1d(t) -> Tensor:
    return reshape(t, 1) if t.ndim == 0 else t


def atleast_2d(t) -> Tensor:
    return reshape(t, 1, -1) if t.ndim == 0 else unsqueeze(t, 0) if t.ndim == 1 else t


class SplitBackward0(Node):
    """outs = consecutive slices of x along dim  |  dx = the slices' gradients joined"""

    def forward(self, x, bounds, dim):
        self.dim = dim
        return tuple(np.split(x, bounds, axis=dim))

    def backward(self, *gs):
        return (np.concatenate(gs, axis=self.dim),)


class SplitWithSizesBackward0(SplitBackward0):
    """outs = slices of x of the given sizes along dim  |  dx = their gradients joined"""


def split(tensor, split_size_or_sections, dim=0) -> tuple:
    """Cut into pieces of ``split_size`` (the last may be smaller) or of the given sizes."""
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, tensor.ndim)
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, int):
        s = split_size_or_sections
        sizes = [s] * (n // s) + ([n % s] if n % s else []) if s > 0 else [n]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                f"at dimension {d}), but got split_sizes={sizes}"
            )
    bounds = list(np.cumsum(sizes)[:-1])
    node = SplitBackward0 if isinstance(split_size_or_sections, int) else SplitWithSizesBackward0
    outs = apply(node, tensor, bounds=bounds, dim=d)
    start = 0
    for o, size in zip(outs, sizes):
        sl = (slice(None),) * d + (slice(start, start + size),)
        _view(o, tensor, lambda a, sl=sl: a[sl])
        start += size
    return outs


def chunk(input, chunks, dim=0) -> tuple:
    """Split into ``chunks`` nearly equal pieces."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if n == 0:  # PyTorch gives `chunks` empty pieces
        return split(input, [0] * chunks, d)
    return split(input, -(-n // chunks), d)


class UnbindBackward0(Node):
    """outs = x's slices along dim  |  dx = the slices' gradients stacked"""

    def forward(self, x, dim):
        self.dim = dim
        m = np.moveaxis(x, dim, 0)
        return tuple(m[i, ...] for i in range(len(m)))  # views, also when 0-d

    def backward(self, *gs):
        return (np.stack(gs, axis=self.dim),)


def unbind(input, dim=0) -> tuple:
    """The slices along ``dim`` as a tuple of views."""
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _wrap_dim(dim, input.ndim)
    if input.shape[d] == 0:
        return ()
    outs = apply(UnbindBackward0, input, dim=d)
    if not isinstance(outs, tuple):
        outs = (outs,)
    for i, o in enumerate(outs):
        sl = (slice(None),) * d + (i,)
        _view(o, input, lambda a, sl=sl: a[sl])
    return outs


class SliceBackward0(Node):
    """out = x[..., start:stop, ...] along dim  |  dx = g placed back in zeros"""

    def forward(self, x, dim, start, length):
        self.shape, self.sl = x.shape, (slice(None),) * dim + (slice(start, start + length),)
        return x[self.sl]

    def backward(self, g):
        dx = np.zeros(self.shape, g.dtype)
        dx[self.sl] = g
        return (dx,)


def narrow(input, dim, start, length) -> Tensor:
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, input.ndim)
    if start < 0:
        start += input.shape[d]
    if start + length > input.shape[d]:
        raise RuntimeError(
            f"start ({start}) + length ({length}) exceeds dimension size ({input.shape[d]})."
        )
    sl = (slice(None),) * d + (slice(start, start + length),)
    return _view(apply(SliceBackward0, input, dim=d, start=start, length=length), input,
                 lambda a: a[sl])


class FlipBackward0(Node):
    """out = x reversed along dims  |  dx = g reversed along them"""

    def forward(self, x, dims):
        self.dims = dims
        return np.flip(x, dims).copy()

    def backward(self, g):
        return (np.flip(g, self.dims),)


def flip(input, *dims) -> Tensor:
    dims = _shape_arg(dims)
    return apply(FlipBackward0, input, dims=tuple(_wrap_dim(d, input.ndim) for d in dims))


class RollBackward0(Node):
    """out = x rotated by shifts  |  dx = g rotated back"""

    def forward(self, x, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return np.roll(x, shifts, dims)

    def backward(self, g):
        neg = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return (np.roll(g, neg, self.dims),)


def roll(input, shifts, dims=None) -> Tensor:
    if isinstance(shifts, list):
        shifts = tuple(shifts)
    if isinstance(dims, list):
        dims = tuple(dims)
    return apply(RollBackward0, input, shifts=shifts, dims=dims)


class AliasBackward0(Node):
    """out = x (a new view of the same memory)  |  dx = g"""

    def forward(self, x):
        return x.view()

    def backward(self, g):
        return (g,)


def view_of(input) -> Tensor:
    return _view(apply(AliasBackward0, input), input, lambda a: a)


TENSOR_METHODS = (
    "view", "view_as", "reshape", "reshape_as", "flatten", "unflatten", "ravel", "squeeze",
    "unsqueeze", "permute", "transpose", "swapaxes", "swapdims", "t", "movedim", "moveaxis",
    "expand", "expand_as", "broadcast_to", "contiguous", "repeat", "tile", "repeat_interleave",
    "split", "chunk", "unbind", "narrow", "flip", "roll",
)
