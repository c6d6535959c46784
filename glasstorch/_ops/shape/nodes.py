"""The nodes of the shape ops: forward and backward side by side, the math in the docstring
(``forward | backward``).

Their forwards move or repeat elements without changing them, and most return NumPy views
(same memory). The functions that run these nodes, and mark views as views, are in
``functions.py`` and ``methods.py``.
"""

from __future__ import annotations

import numpy as np

from ..._numpy_protocol import placed
from ...autograd.function import Node
from ..indexing.nodes import SliceBackwardBackward0

# ---------------------------------------------------------------------------------------------
# new shapes of the same elements
# ---------------------------------------------------------------------------------------------


class ViewBackward0(Node):
    """out = x with a new shape (same memory)  |  dx = g reshaped back"""

    saved_as = ()

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


class ReshapeAliasBackward0(ViewBackward0):
    """out = a non-contiguous x seen with a new shape (same memory)  |  dx = g reshaped back"""


class SqueezeBackward0(Node):
    """out = x without size-1 dims  |  dx = g reshaped back"""

    saved_as = ()

    def forward(self, x, dims):
        self.shape = x.shape
        return np.squeeze(x, axis=dims) if dims else x.reshape(x.shape)

    def backward(self, g):
        return (g.reshape(self.shape),)


class SqueezeBackward1(SqueezeBackward0):
    """out = x without the given size-1 dim  |  dx = g reshaped back"""


class SqueezeBackward2(SqueezeBackward0):
    """out = x without those of the given dims that have size 1  |  dx = g reshaped back"""


class UnsqueezeBackward0(Node):
    """out = x with a new size-1 dim  |  dx = g without it"""

    saved_as = ()

    def forward(self, x, dim):
        self.dim = dim
        return np.expand_dims(x, dim)

    def backward(self, g):
        return (np.squeeze(g, axis=self.dim),)


class AliasBackward0(Node):
    """out = x (a new view of the same memory)  |  dx = g"""

    saved_as = ()

    def forward(self, x):
        return x.view()

    def backward(self, g):
        return (g,)


# ---------------------------------------------------------------------------------------------
# reordering dims
# ---------------------------------------------------------------------------------------------


class PermuteBackward0(Node):
    """out = x with its dims reordered  |  dx = g with the inverse order"""

    saved_as = ()

    def forward(self, x, dims):
        self.inverse = tuple(np.argsort(dims))
        return np.transpose(x, dims)

    def backward(self, g):
        return (np.transpose(g, self.inverse),)


class TransposeBackward0(Node):
    """out = x with dims d0 and d1 swapped  |  dx = g with them swapped back"""

    saved_as = ()

    def forward(self, x, d0, d1):
        self.d0, self.d1 = d0, d1
        return np.swapaxes(x, d0, d1) if x.ndim else x.view()  # 0-d: nothing to swap

    def backward(self, g):
        return (np.swapaxes(g, self.d0, self.d1) if g.ndim else g,)


class TBackward0(Node):
    """out = x^T (a matrix transposed)  |  dx = g^T"""

    saved_as = ()

    def forward(self, x):
        return x.T

    def backward(self, g):
        return (np.transpose(g),)


class FlipBackward0(Node):
    """out = x reversed along dims  |  dx = g reversed along them"""

    saved_as = ()

    def forward(self, x, dims):
        self.dims = dims
        return np.flip(x, dims).copy()

    def backward(self, g):
        return (np.flip(g, self.dims),)


class RollBackward0(Node):
    """out = x rotated by shifts  |  dx = g rotated back"""

    saved_as = ()

    def forward(self, x, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return np.roll(x, shifts, dims)

    def backward(self, g):
        neg = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return (np.roll(g, neg, self.dims),)


# ---------------------------------------------------------------------------------------------
# repeating
# ---------------------------------------------------------------------------------------------


class ExpandBackward0(Node):
    """out = x broadcast to a larger shape (no copy)  |  dx = g summed over the new dims"""

    saved_as = ()

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


class RepeatBackward0(Node):
    """out = x tiled ``repeats`` times along each dim  |  dx = sum of g's tiles"""

    saved_as = ()

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
        return (np.sum(g.reshape(split), axis=tuple(range(0, 2 * len(full), 2)))
                .reshape(self.shape),)


# ---------------------------------------------------------------------------------------------
# joining and cutting
# ---------------------------------------------------------------------------------------------


class CatBackward0(Node):
    """out = x_1, ..., x_n joined along dim  |  dx_i = g's slice for x_i"""

    saved_as = ()

    def forward(self, *xs, dim):
        self.dim = dim
        # legacy rule: 1-d empty tensors join anything, they are skipped (their gradient is empty)
        self.skip = [x.ndim == 1 and x.shape[0] == 0 for x in xs]
        kept = [x for x, s in zip(xs, self.skip) if not s] or list(xs[:1])
        self.bounds = np.cumsum([x.shape[dim] for x in kept])[:-1]
        return np.concatenate(kept, axis=dim)

    def backward(self, g):
        parts = iter(np.split(g, self.bounds, axis=self.dim))
        return tuple(np.zeros_like(g, shape=(0,)) if s else next(parts) for s in self.skip)


class StackBackward0(Node):
    """out = x_1, ..., x_n stacked along a new dim  |  dx_i = g's i-th slice along it"""

    saved_as = ()

    def forward(self, *xs, dim):
        self.dim = dim
        return np.stack(xs, axis=dim)

    def backward(self, g):
        return tuple(np.moveaxis(g, self.dim, 0))


class SplitBackward0(Node):
    """outs = consecutive slices of x along dim  |  dx = the slices' gradients joined"""

    saved_as = ()

    def forward(self, x, bounds, dim):
        self.dim = dim
        return tuple(np.split(x, bounds, axis=dim))

    def backward(self, *gs):
        return (np.concatenate(gs, axis=self.dim),)


class SplitWithSizesBackward0(SplitBackward0):
    """outs = slices of x of the given sizes along dim  |  dx = their gradients joined"""


class UnbindBackward0(Node):
    """outs = x's slices along dim  |  dx = the slices' gradients stacked"""

    saved_as = ()

    def forward(self, x, dim):
        self.dim = dim
        m = np.moveaxis(x, dim, 0)
        return tuple(m[i, ...] for i in range(len(m)))  # views, also when 0-d

    def backward(self, *gs):
        return (np.stack(gs, axis=self.dim),)


class SliceBackward0(Node):
    """out = x[..., start:stop, ...] along dim  |  dx = g placed back in zeros"""

    saved_as = ()

    def forward(self, x, dim, start, length):
        self.shape, self.sl = x.shape, (slice(None),) * dim + (slice(start, start + length),)
        return x[self.sl]

    def backward(self, g):
        return (placed(g, self.shape, self.sl, SliceBackwardBackward0),)


