"""The shape functions users call: ``torch.reshape(x, ...)`` and ``x.reshape(...)`` are the
same function.

Views (reshape when it can, transpose, permute, squeeze, unsqueeze, narrow, split ...) share
memory and the version counter with their base, exactly as in PyTorch: a write through a view
shows in the base. ``_view`` records how to get the view from the base (``_view_fn``), which
lets an in-place change of a view update the base's gradient. Each function is a call into
``_checks`` and a few lines of idea; the nodes, with their math, are in ``nodes.py``.
"""

from __future__ import annotations

import math

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor, _make, _wrap_dim, apply
from ...autograd.function import record
from .. import _out, _view
from . import _checks
from .methods import contiguous, expand, repeat, view
from .nodes import (
    AliasBackward0,
    CatBackward0,
    FlipBackward0,
    PermuteBackward0,
    ReshapeAliasBackward0,
    RollBackward0,
    SliceBackward0,
    SplitBackward0,
    SplitWithSizesBackward0,
    SqueezeBackward0,
    SqueezeBackward1,
    SqueezeBackward2,
    StackBackward0,
    TBackward0,
    TransposeBackward0,
    UnbindBackward0,
    UnsafeViewBackward0,
    UnsqueezeBackward0,
    ViewBackward0,
)

# ---------------------------------------------------------------------------------------------
# new shapes of the same elements
# ---------------------------------------------------------------------------------------------


def reshape(input, *shape) -> Tensor:
    """A tensor with the given shape: a view when the layout allows, otherwise a copy."""
    shape = _checks.reshape(input, shape)
    try:
        np.reshape(input._data, shape, copy=False)
    except ValueError:  # PyTorch copies the layout row by row (a clone), then views that
        return apply(UnsafeViewBackward0, contiguous(input), shape=shape)
    node = ViewBackward0 if input._data.flags.c_contiguous else ReshapeAliasBackward0
    return _view(apply(node, input, shape=shape), input, lambda a: a.reshape(shape))


def flatten(input, start_dim=0, end_dim=-1) -> Tensor:
    """Merge dims start_dim..end_dim into one."""
    if input.ndim == 0:
        return reshape(input, 1)
    s, e = _checks.flatten(input, start_dim, end_dim)
    if s == e:
        return input
    shape = input.shape
    return reshape(input, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])


def unflatten(input, dim=None, sizes=None, *, axis=None) -> Tensor:
    """Split dim ``dim`` into dims of the given ``sizes`` (one may be -1)."""
    if dim is None or sizes is None or axis is not None:
        dim = _checks.axis("unflatten", dim, axis, required=True, sizes=sizes)
    d, sizes = _checks.unflatten(input, dim, sizes)
    new = input.shape[:d] + sizes + input.shape[d + 1:]
    try:
        return view(input, new)  # PyTorch views whenever the strides allow (ViewBackward0)
    except RuntimeError:
        return reshape(input, new)


def ravel(input) -> Tensor:
    """The elements as a 1-d tensor (a view if contiguous)."""
    return view(contiguous(input), -1)


def squeeze(input, dim=None, *, axis=None) -> Tensor:
    """Remove dims of size 1 (all of them, or only ``dim`` if it has size 1)."""
    if axis is not None:
        dim = _checks.axis("squeeze", dim, axis)
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


def unsqueeze(input, dim=None, *, axis=None) -> Tensor:
    """Insert a dim of size 1 at position ``dim``."""
    if dim is None or axis is not None:
        dim = _checks.axis("unsqueeze", dim, axis, required=True)
    d = _wrap_dim(dim, input.ndim + 1)
    return _view(apply(UnsqueezeBackward0, input, dim=d), input,
                 lambda a: np.expand_dims(a, d))


def view_of(input) -> Tensor:
    """A new view of all of ``input``."""
    return _view(apply(AliasBackward0, input), input, lambda a: a)


# ---------------------------------------------------------------------------------------------
# reordering dims
# ---------------------------------------------------------------------------------------------


def permute(input, *dims) -> Tensor:
    """Reorder the dims: ``x.permute(2, 0, 1)``."""
    dims = _checks.permute(input, dims)
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
    _checks.t(input)
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


def flip(input, *dims) -> Tensor:
    """Reverse the order of elements along ``dims`` (a copy)."""
    dims = _checks.shape_arg(dims)
    return apply(FlipBackward0, input, dims=tuple(_wrap_dim(d, input.ndim) for d in dims))


def roll(input, shifts, dims=None) -> Tensor:
    """Rotate elements by ``shifts`` along ``dims`` (of the flattened tensor if no dims)."""
    if isinstance(shifts, list):
        shifts = tuple(shifts)
    if isinstance(dims, list):
        dims = tuple(dims)
    return apply(RollBackward0, input, shifts=shifts, dims=dims)


# ---------------------------------------------------------------------------------------------
# repeating
# ---------------------------------------------------------------------------------------------


def broadcast_to(input, size) -> Tensor:
    """expand(size)."""
    return expand(input, size)


def broadcast_tensors(*tensors):
    """The tensors expanded to their common broadcast shape."""
    shape = np.broadcast_shapes(*(t.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def tile(input, dims) -> Tensor:
    """repeat, with missing leading counts taken as 1."""
    dims = tuple(dims)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats, dim=None, *, axis=None) -> Tensor:
    """Repeat each slice along ``dim`` (each element if no dim) ``repeats`` times in place."""
    if axis is not None:
        dim = _checks.axis("repeat_interleave", dim, axis)
    from ..indexing.functions import index_select

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


# ---------------------------------------------------------------------------------------------
# joining and cutting
# ---------------------------------------------------------------------------------------------


class _DimProxy:
    """cat/stack promote over all inputs as if each were dimensioned."""

    __slots__ = ("dtype",)
    ndim = 1

    def __init__(self, t):
        self.dtype = t.dtype


def _promote(tensors: list) -> list:
    """The tensors converted to their common dtype."""
    dt = D.result_type(*[_DimProxy(t) for t in tensors])
    return [t if t.dtype is dt else t._cast(dt) for t in tensors]


def cat(tensors, dim=0, *, out=None, axis=None) -> Tensor:
    """Join tensors along an existing dim (all other dims must match)."""
    if axis is not None:
        dim = _checks.axis("cat", dim, axis, 0)
    tensors, d = _checks.cat(tensors, dim)
    every = _promote(tensors)
    node = CatBackward0()
    return _out(record(node, every, node.forward(*[t._data for t in every], dim=d), _make), out)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None, axis=None) -> Tensor:
    """Join equal-shaped tensors along a new dim."""
    if axis is not None:
        dim = _checks.axis("stack", dim, axis, 0)
    tensors, d = _checks.stack(tensors, dim)
    ts = _promote(tensors)
    node = StackBackward0()
    return _out(record(node, ts, node.forward(*[t._data for t in ts], dim=d), _make), out)


def hstack(tensors) -> Tensor:
    """Join along dim 1 (dim 0 for 1-d tensors)."""
    ts = [atleast_1d(t) for t in tensors]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    """Join along dim 0, 1-d tensors as rows."""
    return cat([atleast_2d(t) for t in tensors], 0)


def atleast_1d(t) -> Tensor:
    """A 0-d tensor as shape (1,); others as they are."""
    return reshape(t, 1) if t.ndim == 0 else t


def atleast_2d(t) -> Tensor:
    """A 0-d or 1-d tensor as a row; others as they are."""
    return reshape(t, 1, -1) if t.ndim == 0 else unsqueeze(t, 0) if t.ndim == 1 else t


def split(tensor, split_size_or_sections, dim=0) -> tuple:
    """Cut into pieces of ``split_size`` (the last may be smaller) or of the given sizes."""
    d, sizes = _checks.split(tensor, split_size_or_sections, dim)
    bounds = list(np.cumsum(sizes)[:-1])
    node = SplitBackward0 if isinstance(split_size_or_sections, int) else SplitWithSizesBackward0
    outs = apply(node, tensor, bounds=bounds, dim=d)
    start = 0
    for o, size in zip(outs, sizes):
        sl = (slice(None),) * d + (slice(start, start + size),)
        _view(o, tensor, lambda a, sl=sl: a[sl])
        start += size
    return outs


def chunk(input, chunks, dim=0, *, axis=None) -> tuple:
    """Split into ``chunks`` nearly equal pieces."""
    if axis is not None:
        dim = _checks.axis("chunk", dim, axis, 0)
    d = _checks.chunk(input, chunks, dim)
    n = input.shape[d]
    if n == 0:  # PyTorch gives `chunks` empty pieces
        return split(input, [0] * chunks, d)
    return split(input, -(-n // chunks), d)


def unbind(input, dim=0, *, axis=None) -> tuple:
    """The slices along ``dim`` as a tuple of views."""
    if axis is not None:
        dim = _checks.axis("unbind", dim, axis, 0)
    d = _checks.unbind(input, dim)
    if input.shape[d] == 0:
        return ()
    outs = apply(UnbindBackward0, input, dim=d)
    if not isinstance(outs, tuple):
        outs = (outs,)
    for i, o in enumerate(outs):
        sl = (slice(None),) * d + (i,)
        _view(o, input, lambda a, sl=sl: a[sl])
    return outs


def narrow(input, dim=None, start=None, length=None, *, axis=None) -> Tensor:
    """``length`` elements from ``start`` along ``dim`` (a view)."""
    if dim is None or start is None or length is None or axis is not None:
        dim = _checks.axis("narrow", dim, axis, required=True, start=start, length=length)
    d, start = _checks.narrow(input, dim, start, length)
    sl = (slice(None),) * d + (slice(start, start + length),)
    return _view(apply(SliceBackward0, input, dim=d, start=start, length=length), input,
                 lambda a: a[sl])


# ---------------------------------------------------------------------------------------------
# more ways to cut, mirror and grid (each built from the ops above)
# ---------------------------------------------------------------------------------------------


def tensor_split(input, indices_or_sections, dim=0, *, axis=None) -> tuple:
    """Views cut at the given indices, or into n nearly equal parts (the first ones larger by
    one); unlike split, indices past the end give empty parts."""
    if axis is not None:
        dim = _checks.axis("tensor_split", dim, axis, 0)
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d]
    cuts = _checks.tensor_split(indices_or_sections)
    if isinstance(cuts, int):
        size, extra = divmod(n, cuts)
        cuts = list(np.cumsum([size + (i < extra) for i in range(cuts)])[:-1])
    bounds = [0] + [min(int(c), n) for c in cuts] + [n]
    return tuple(narrow(input, d, a, max(b - a, 0)) for a, b in zip(bounds, bounds[1:]))


def hsplit(input, indices_or_sections) -> tuple:
    """tensor_split along dim 1 (dim 0 of a 1-d tensor); a number of parts must divide it."""
    d = 0 if input.ndim == 1 else 1
    _checks.even_split("hsplit", input, d, indices_or_sections, 1)
    return tensor_split(input, indices_or_sections, d)


def vsplit(input, indices_or_sections) -> tuple:
    """tensor_split along dim 0 of a tensor of at least 2 dims."""
    _checks.even_split("vsplit", input, 0, indices_or_sections, 2)
    return tensor_split(input, indices_or_sections, 0)


def dsplit(input, indices_or_sections) -> tuple:
    """tensor_split along dim 2 of a tensor of at least 3 dims."""
    _checks.even_split("dsplit", input, 2, indices_or_sections, 3)
    return tensor_split(input, indices_or_sections, 2)


def fliplr(input) -> Tensor:
    """Reverse the columns (dim 1)."""
    _checks.at_least(input, 2)
    return flip(input, 1)


def flipud(input) -> Tensor:
    """Reverse the rows (dim 0)."""
    _checks.at_least(input, 1)
    return flip(input, 0)


def meshgrid(*tensors, indexing=None) -> tuple:
    """Grids from 1-d coordinates: with indexing 'ij' the k-th output varies along dim k, with
    'xy' the first two swap (x along columns, y along rows, as for plotting). Each output is a
    view of its input, expanded."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    indexing = _checks.meshgrid(tensors, indexing)
    ts = list(tensors)
    if indexing == "xy" and len(ts) >= 2:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.numel() for t in ts)
    one = [1] * len(ts)
    grids = [expand(reshape(t, *(one[:k] + [-1] + one[k + 1:])), shape) for k, t in enumerate(ts)]
    if indexing == "xy" and len(ts) >= 2:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors) -> Tensor:
    """Every combination of the elements of the 1-d tensors, one per row."""
    if len(tensors) == 1:
        return tensors[0]
    return stack([g.reshape(-1) for g in meshgrid(*tensors, indexing="ij")], 1)


def diff(input, n=1, dim=-1, prepend=None, append=None, *, axis=None) -> Tensor:
    """Differences of neighbours along ``dim`` (``n`` times); bools: whether they differ."""
    if axis is not None:
        dim = _checks.axis("diff", dim, axis, -1)
    _checks.diff(input)
    x = cat([t for t in (prepend, input, append) if t is not None], dim) \
        if prepend is not None or append is not None else input
    d = _wrap_dim(dim, x.ndim)
    for _ in range(n):
        m = x.shape[d]
        a, b = narrow(x, d, min(1, m), max(m - 1, 0)), narrow(x, d, 0, max(m - 1, 0))
        x = a.logical_xor(b) if x.dtype is D.bool else a - b
    return x
