"""Padding nodes (ATen's PadNd.cpp, ReflectionPad.cpp, ReplicationPadding.cpp).

Every mode reads the input through one index map per padded dimension, so one forward and one
backward serve them all; the classes differ only in the grad_fn name PyTorch gives each.
"""

from __future__ import annotations

import numpy as np

from ..._numpy_protocol import added_at
from ...autograd.function import Node


class _PadNode(Node):
    """y = x read through an index map per padded dimension  |  dx = g scattered back (summed)"""

    def forward(self, x, index, value):
        # index: one integer array per dimension; -1 marks a position filled with ``value``
        self.index, self.in_shape = index, x.shape
        grid = np.ix_(*[np.clip(i, 0, max(n - 1, 0)) for i, n in zip(index, x.shape)])
        out = x[grid] if x.size else np.zeros([len(i) for i in index], x.dtype)
        if value is not None:
            outside = np.zeros(out.shape, bool)
            for d, i in enumerate(index):
                shape = [1] * out.ndim
                shape[d] = len(i)
                outside = outside | (i < 0).reshape(shape)
            out = np.where(outside, x.dtype.type(value), out)
        return np.ascontiguousarray(out)

    saved_as = ()

    def backward(self, g):
        keep = [i >= 0 for i in self.index]
        return (added_at(g[np.ix_(*keep)], self.in_shape,
                         np.ix_(*[i[k] for i, k in zip(self.index, keep)])),)


class ConstantPadNdBackward0(_PadNode):
    """constant (and, for now, circular) padding"""


class ReflectionPad1DBackward0(_PadNode):
    """reflect padding of the last dimension"""


class ReflectionPad2DBackward0(_PadNode):
    """reflect padding of the last 2 dimensions"""


class ReflectionPad3DBackward0(_PadNode):
    """reflect padding of the last 3 dimensions"""


class ReplicationPad1DBackward0(_PadNode):
    """replicate padding of the last dimension"""


class ReplicationPad2DBackward0(_PadNode):
    """replicate padding of the last 2 dimensions"""


class ReplicationPad3DBackward0(_PadNode):
    """replicate padding of the last 3 dimensions"""


# (mode, number of padded dimensions) -> node; circular is computed by the same index map
# (PyTorch builds it from copies into slices, recorded as CopySlices)
PAD_NODES = {
    ("reflect", 1): ReflectionPad1DBackward0, ("reflect", 2): ReflectionPad2DBackward0,
    ("reflect", 3): ReflectionPad3DBackward0, ("replicate", 1): ReplicationPad1DBackward0,
    ("replicate", 2): ReplicationPad2DBackward0, ("replicate", 3): ReplicationPad3DBackward0,
}
