"""The nodes of the indexing ops: forward and backward side by side, the math in the docstring
(``forward | backward``). The functions and methods that run them are in ``functions.py`` and
``methods.py``.
"""

from __future__ import annotations

import math

import numpy as np

from ..._numpy_protocol import added_at, placed, put_along_axis, zeroed_at
from ...autograd.function import Node

# ---------------------------------------------------------------------------------------------
# x[key] and x[key] = v
# ---------------------------------------------------------------------------------------------


class SelectBackward0(Node):
    """out = x[i] along a dim (a view)  |  dx = zeros with g at i"""

    saved_as = ()

    def forward(self, x, key):
        self.shape, self.key = x.shape, key
        return x[key]

    def backward(self, g):
        return (placed(g, self.shape, self.key, _GRAD_NODES.get(type(self))),)


class SliceBackward0(SelectBackward0):
    """out = x[a:b] (a view)  |  dx = zeros with g in the slice"""


class UnsqueezeBackward0(SelectBackward0):
    """out = x[None] (a view with a new size-1 dim)  |  dx = g without it"""


class AliasBackward0(SelectBackward0):
    """out = x[:] (every element, a view)  |  dx = g"""


class IndexBackward0(Node):
    """out = x[indices] (a copy)  |  dx = zeros with g added at the indices (repeats add up)"""

    saved_as = ()

    def forward(self, x, key):
        self.shape, self.key = x.shape, key
        return np.ascontiguousarray(x[key])  # a new tensor is contiguous (view() works on it)

    def backward(self, g):
        return (added_at(g, self.shape, self.key),)


class IndexPutBackward0(Node):
    """out = x with out[indices] = v  |  dx = g with zeros at the indices,  dv = g[indices]"""

    saved_as = ()

    def forward(self, x, v, key):
        self.key = key
        out = x.copy()
        out[key] = v
        return out

    def backward(self, g):
        return (zeroed_at(g, self.key) if self.needs(0) else None), g[self.key]


class SelectBackwardBackward0(IndexPutBackward0):
    """out = zeros with g at index i along a dim (select's gradient, as a recorded op)  |
    dg = gg[i]"""


class SliceBackwardBackward0(IndexPutBackward0):
    """out = zeros with g in a slice (a slice's gradient, as a recorded op)  |  dg = gg[slice]"""


class DiagonalBackwardBackward0(IndexPutBackward0):
    """out = zeros with g on a diagonal (diagonal's gradient, as a recorded op)  |
    dg = gg's diagonal"""


# the name the gradient's own node has, under create_graph (as in PyTorch)
_GRAD_NODES = {SelectBackward0: SelectBackwardBackward0, SliceBackward0: SliceBackwardBackward0}


class IndexPutAccumulate(IndexPutBackward0):
    """out = zeros with v added at the indices (repeats add up)  |  dv = g[indices]"""

    saved_as = ()

    def forward(self, z, v, key):
        self.key = key
        out = z.copy()
        np.add.at(out, key, v)
        return out

    def backward(self, g):
        return g, g[self.key]


# ---------------------------------------------------------------------------------------------
# gather, scatter, index_select, index_add
# ---------------------------------------------------------------------------------------------


class IndexPutImplBackward0(IndexPutAccumulate):
    """out = zeros with g added at the indices (indexing's gradient, as a recorded op)  |
    dg = gg[indices]"""


class GatherBackward0(Node):
    """out[i][j] = x[i][index[i][j]] (dim 1)  |  dx = zeros with g added back at index"""

    saved_as = ()

    def forward(self, x, index, dim):
        self.shape, self.index, self.dim = x.shape, index, dim
        return np.take_along_axis(x, index, axis=dim)

    def backward(self, g):
        return (put_along_axis(g, self.shape, self.index, self.dim, add=True),)


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

    saved_as = ()

    def backward(self, g):
        gx = zeroed_at(g, self.idx) if self.reduce is None else g
        return gx, g[self.idx]


class ScatterBackward1(ScatterBackward0):
    """out = x with out[index] = a number along dim  |  dx = g with zeros at index"""


class ScatterAddBackward0(ScatterBackward0):
    """out = x with src added at index along dim  |  dx = g,  dsrc = g[index]"""


class IndexSelectBackward0(Node):
    """out = x's slices at ``index`` along dim  |  dx = zeros with g added back there"""

    saved_as = ()

    def forward(self, x, dim, index):
        self.shape, self.dim, self.index = x.shape, dim, index
        return np.take(x, index, axis=dim)

    def backward(self, g):
        return (added_at(g, self.shape, (slice(None),) * self.dim + (self.index,)),)


class IndexAddBackward0(Node):
    """out = x with alpha*src added at index along dim  |  dx = g,  dsrc = alpha * g[index]"""

    saved_as = ()

    def forward(self, x, src, dim, index, alpha=1):
        self.dim, self.index, self.alpha = dim, index, alpha
        out = x.copy()
        np.add.at(out, (slice(None),) * dim + (index,), src if alpha == 1 else src * alpha)
        return out

    def backward(self, g):
        gs = np.take(g, self.index, axis=self.dim)
        return g, (gs if self.alpha == 1 else gs * self.alpha)


# ---------------------------------------------------------------------------------------------
# masks, take
# ---------------------------------------------------------------------------------------------


class MaskedFillBackward0(Node):
    """out = x with value where mask  |  dx = g with zeros where mask"""

    saved_as = ()

    def forward(self, x, mask, value):
        self.mask = mask
        return np.where(mask, value, x)

    def backward(self, g):
        return (np.where(self.mask, 0, g),)


class MaskedFillBackward1(Node):
    """out = x with a 0-d tensor v where mask  |  dx = g where not mask,  dv = sum(g[mask])"""

    saved_as = ()

    def forward(self, x, v, mask):
        self.mask = mask
        return np.where(mask, v, x)

    def backward(self, g):
        return np.where(self.mask, 0, g), np.where(self.mask, g, 0).sum()


class MaskedSelectBackward0(IndexBackward0):
    """out = the elements of x where mask, as a 1-d copy  |  dx = zeros with g where mask"""


class TakeBackward0(IndexBackward0):
    """out = x.flatten()[index]  |  dx = zeros with g added at the flat indices"""

    def forward(self, x, key):
        self.shape, self.key = x.shape, key
        return x.reshape(-1)[key]

    def backward(self, g):
        return (added_at(g, (math.prod(self.shape),), (self.key,)).reshape(self.shape),)




# ---------------------------------------------------------------------------------------------
# histograms
# ---------------------------------------------------------------------------------------------


def bin_index(x: np.ndarray, edges: np.ndarray, search: bool) -> np.ndarray:
    """The bin of each x (all within [edges[0], edges[-1]]): (x - lo) * bins / (hi - lo)
    truncated, computed in x's dtype as PyTorch does; ``search`` then corrects it against the
    edges themselves (the neighbouring bins), as torch.histogram does (torch.histc does not)."""
    bins = edges.size - 1
    lo, hi = edges[0], edges[-1]
    pos = ((x - lo) * bins / (hi - lo)).astype(np.int64)
    if search:
        pos = np.clip(pos, 0, bins)
        pos = pos - (x < edges[pos]) + (x >= edges[np.minimum(pos + 1, bins)])
        pos = np.clip(pos, 0, bins)
    return np.minimum(pos, bins - 1)  # the last bin includes its right edge


class HistogramBackward(Node):  # prints as NotImplemented (autograd/_names.py)
    """(hist, bin_edges) = counts (or summed weights) of x per bin  |  PyTorch defines no
    derivative: backward raises"""

    saved_as = ()  # (its backward raises PyTorch's error, with create_graph too)

    def forward(self, x, weight, edges, linear=True, density=False):
        x = x.reshape(-1)
        inside = (x >= edges[0]) & (x <= edges[-1])  # (nan is outside)
        xs = x[inside]
        bins = edges.size - 1
        if linear:
            pos = bin_index(xs, edges, search=True)
        else:  # any increasing edges: binary search
            pos = np.minimum(np.searchsorted(edges, xs, side="right") - 1, bins - 1)
        w = None if weight is None else weight.reshape(-1)[inside]
        hist = np.bincount(pos, w, minlength=bins).astype(x.dtype)
        if density:
            with np.errstate(all="ignore"):
                hist = hist / hist.sum() / np.diff(edges)
        return hist.astype(x.dtype), edges.copy()

    def backward(self, g_hist, g_edges):
        raise RuntimeError("derivative for aten::histogram is not implemented")
