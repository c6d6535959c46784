"""The indexing functions users call (gather, scatter, masked_fill, index_select ...):
``torch.gather(x, ...)`` and ``x.gather(...)`` are the same function.

Each one is a call into ``_checks`` and a few lines of idea; the nodes, with their math, are in
``nodes.py``. ``x[key]`` and ``x[key] = v`` are in ``methods.py``.
"""

from __future__ import annotations

import numpy as np

from ... import _dtype as D
from ..._creation import linspace
from ..._tensor import Tensor, _make, _wrap_dim, apply
from ...autograd.function import record
from .. import _out
from ..pointwise.functions import add
from ..reduction.functions import return_type
from . import _checks
from .nodes import (
    GatherBackward0,
    HistogramBackward,
    IndexAddBackward0,
    IndexPutAccumulate,
    IndexPutBackward0,
    IndexSelectBackward0,
    MaskedFillBackward0,
    MaskedFillBackward1,
    MaskedSelectBackward0,
    ScatterAddBackward0,
    ScatterBackward0,
    ScatterBackward1,
    TakeBackward0,
    bin_index,
)

# ---------------------------------------------------------------------------------------------
# gather, scatter, index_select, index_add, index_put
# ---------------------------------------------------------------------------------------------


def gather(input, dim=None, index=None, *, sparse_grad=False, axis=None) -> Tensor:
    """Pick values along ``dim`` at ``index`` (same number of dims as input)."""
    if dim is None or index is None or axis is not None:
        dim = _checks.axis("gather", dim, axis, required=True, index=index)
    d = _checks.gather(input, dim, index)
    return apply(GatherBackward0, input, index=index._data, dim=d)


def take_along_dim(input, indices, dim=None, *, axis=None) -> Tensor:
    """gather, or of the flattened input when ``dim`` is None."""
    if axis is not None:
        dim = _checks.axis("take_along_dim", dim, axis)
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    return gather(input, dim, indices)


def scatter(input, dim=None, index=None, src=None, value=None, *, reduce=None, axis=None) -> Tensor:
    """A copy of ``input`` with ``src`` (or ``value``) written at ``index`` along ``dim``."""
    if dim is None or index is None or axis is not None:
        dim = _checks.axis("scatter", dim, axis, required=True, index=index)
    d = _checks.scatter(input, dim, index, "scatter")
    if src is None:
        src = value
    if not isinstance(src, Tensor):
        return _scatter_value(input, d, index, src, reduce)
    return apply(ScatterBackward0, input, src, index=index._data, dim=d, reduce=reduce)


def _scatter_value(input, d, index, value, reduce):
    """scatter of a number: the node has one tensor input."""
    node_src = np.asarray(value, dtype=input._data.dtype)
    node = ScatterBackward1()
    return record(node, (input, None), node.forward(input._data, node_src, index._data, d,
                                                     reduce), _make)


def scatter_add(input, dim=None, index=None, src=None, *, axis=None) -> Tensor:
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeats add up)."""
    if dim is None or index is None or src is None or axis is not None:
        dim = _checks.axis("scatter_add", dim, axis, required=True, index=index, src=src)
    d = _checks.scatter(input, dim, index, "scatter_add")
    return apply(ScatterAddBackward0, input, src, index=index._data, dim=d, reduce="add")


def index_select(input, dim=None, index=None, *, axis=None) -> Tensor:
    """The slices at ``index`` along ``dim`` (a copy)."""
    if dim is None or index is None or axis is not None:
        dim = _checks.axis("index_select", dim, axis, required=True, index=index)
    d = _checks.index_select(input, dim, index)
    return apply(IndexSelectBackward0, input, dim=d, index=index._data.reshape(-1))


def index_add(input, dim=None, index=None, source=None, *, alpha=1, axis=None) -> Tensor:
    """A copy of ``input`` with ``alpha * source`` added at ``index`` along ``dim``."""
    if dim is None or index is None or source is None or axis is not None:
        dim = _checks.axis("index_add", dim, axis, required=True, index=index, source=source)
    d = _wrap_dim(dim, input.ndim)
    dt = D.result_type(input, source)
    return apply(IndexAddBackward0, input._cast(dt), source._cast(dt), dim=d, index=index._data,
                 alpha=alpha)


def _index_put(x, key, v):
    """x with v written at ``key`` (v converted to x's dtype), recorded as one node."""
    if not isinstance(v, Tensor):
        from ..._creation import tensor

        v = tensor(v, dtype=x.dtype)
    elif v.dtype is not x.dtype:
        v = v._cast(x.dtype)
    return apply(IndexPutBackward0, x, v, key=key)


def index_put(input, indices, values, accumulate=False) -> Tensor:
    """A copy of ``input`` with ``values`` written (or, with ``accumulate``, added) at the index
    tensors ``indices``, one per leading dim (as ``x[indices] = values``)."""
    idx = _checks.put_indices(input, indices, values)
    ikey, vshape, arrays = put_key(input._data, input.shape, idx, values._data, accumulate, True)
    vshape = vshape if vshape is not None else ()  # (None: one value fills)
    v = values if tuple(values.shape) == tuple(vshape) else values.reshape(vshape)
    try:
        if not accumulate:
            return _index_put(input, ikey, v)
        z = _make(np.zeros(input.shape, input._data.dtype))
        return add(input, apply(IndexPutAccumulate, z, v, key=ikey))
    except IndexError:  # NumPy checks the bounds; PyTorch words it
        raise _checks.bounds(arrays, input.shape, input.shape) from None


def put_key(dst: np.ndarray, shape: tuple, indices: dict, src: np.ndarray,
            accumulate: bool = False, wrap: bool = False) -> tuple:
    """index_put_'s (NumPy key, shape of the values without leading 1s, index arrays for
    ``_checks.bounds``) after PyTorch's checks, in its order (NumPy checks the bounds when it
    writes). The shape is None when PyTorch fills instead (one bool mask, one value, no
    accumulate)."""
    fill = not accumulate and _checks.masked_fill_dispatch(indices, src)
    ikey, arrays = _checks.advanced(shape, indices, wrap)
    return ikey, None if fill else _checks.put_value(dst, ikey, src), arrays


def select(input, dim=None, index=None, *, axis=None) -> Tensor:
    """The slice at ``index`` along ``dim``, without that dim (a view): x[:, 0] is select(1, 0)."""
    if dim is None or index is None or axis is not None:
        dim = _checks.axis("select", dim, axis, required=True, index=index)
    d = _checks.select(input, dim, index)
    return input[(slice(None),) * d + (index,)]


# ---------------------------------------------------------------------------------------------
# masks, take, counting
# ---------------------------------------------------------------------------------------------


def masked_fill(input, mask, value) -> Tensor:
    """A copy with ``value`` where ``mask`` is true."""
    m = _checks.masked_fill(input, mask)
    if isinstance(value, Tensor) and value.ndim == 0:  # the fill value is part of the graph
        return apply(MaskedFillBackward1, input, value._cast(input.dtype), mask=m)
    v = value.item() if isinstance(value, Tensor) else value
    return apply(MaskedFillBackward0, input, mask=m, value=_checks.scalar(v, input._data.dtype))


def masked_select(input, mask) -> Tensor:
    """The elements where ``mask`` is true, as a 1-d copy (mask and input broadcast)."""
    m = mask._data if isinstance(mask, Tensor) else mask
    shape = np.broadcast_shapes(input.shape, np.shape(m))
    x = input if input.shape == shape else input.expand(shape)
    return apply(MaskedSelectBackward0, x, key=(np.broadcast_to(m, shape),))


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
    """nonzero(input)."""
    return nonzero(input)


def take(input, index) -> Tensor:
    """Elements of the flattened input at ``index`` (shaped like index)."""
    idx = _checks.take(input, index)
    return apply(TakeBackward0, input, key=idx)


def bincount(input, weights=None, minlength=0) -> Tensor:
    """How many times each non-negative integer occurs (or the sum of its weights)."""
    _checks.bincount(input)
    w = None if weights is None else weights._data
    out = np.bincount(input._data, w, minlength)
    if w is None:
        return _make(out.astype(np.int64))
    return _make(out.astype(w.dtype if w.dtype.kind == "f" else np.float64))


def histc(input, bins=100, min=0, max=0, *, out=None) -> Tensor:  # noqa: A002
    """Counts in ``bins`` equal bins over [min, max] (the data's range if min == max); values
    outside are ignored. Not differentiable."""
    lo, hi = _checks.histc(input, bins, min, max)
    a = input._data.reshape(-1)
    edges = linspace(lo, hi, bins + 1, dtype=input.dtype)._data
    inside = a[(a >= edges[0]) & (a <= edges[-1])]  # nan is never inside
    counts = np.bincount(bin_index(inside, edges, search=False), minlength=bins)
    return _out(_make(counts.astype(a.dtype)), out)


def histogram(input, bins=100, *, range=None, weight=None, density=False,  # noqa: A002
              out=None):
    """(hist, bin_edges): counts (or summed ``weight``) per bin; ``bins`` is a number of equal
    bins over ``range`` (default: the data's) or a tensor of increasing edges. ``density``
    divides by the total and by each bin's width."""
    outer = _checks.histogram(input, bins, range, weight)
    if isinstance(bins, Tensor):
        edges = bins._data
    else:
        edges = linspace(outer[0], outer[1], bins + 1, dtype=input.dtype)._data
    hist, bin_edges = apply(HistogramBackward, input, weight, edges,
                            linear=not isinstance(bins, Tensor), density=density)
    return return_type("histogram", hist, bin_edges, fields=("hist", "bin_edges"))


def bucketize(input, boundaries, *, out_int32=False, right=False) -> Tensor:
    """For each value, the index of the bucket of sorted ``boundaries`` it falls in."""
    x = input._data if isinstance(input, Tensor) else np.asarray(input)
    idx = np.searchsorted(boundaries._data, x, side="right" if right else "left")
    return _make(np.asarray(idx, np.int32 if out_int32 else np.int64))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None) -> Tensor:
    """For each value of ``input``, where it would go in ``sorted_sequence`` to keep it sorted
    (the first such place, or the last with ``right``); a sequence with more dims searches row
    by row (its leading dims match input's)."""
    right = _checks.searchsorted(right, side)
    seq = sorted_sequence._data
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, axis=-1)
    x = input._data if isinstance(input, Tensor) else np.asarray(input)
    how = "right" if right else "left"
    if seq.ndim <= 1:
        idx = np.searchsorted(seq, x, side=how)
    else:
        idx = np.empty(x.shape, np.int64)
        for row in np.ndindex(seq.shape[:-1]):
            idx[row] = np.searchsorted(seq[row], x[row], side=how)
    return _make(np.asarray(idx, np.int32 if out_int32 else np.int64))


def isin(elements, test_elements, *, assume_unique=False, invert=False) -> Tensor:
    """Whether each element is among ``test_elements`` (``invert``: is not)."""
    a = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return _make(np.isin(a, b, assume_unique=assume_unique, invert=invert))
