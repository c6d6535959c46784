"""Binary pointwise nodes that the losses' composites record and the core does not have yet
(ATen's BinaryOps.cpp): the Tensor-and-number overloads PyTorch's C++ code calls, and xlogy.

Python's ``x * 0.9`` wraps the number into a tensor and records ``MulBackward0``; PyTorch's C++
composites (cross_entropy with label smoothing or class probabilities) call the Scalar overload
instead, which records ``MulBackward1`` / ``AddBackward1`` / ``DivBackward1``. These belong beside
``MulBackward0`` in the core's pointwise ops; they live here until the core takes them.
"""

from __future__ import annotations

import numpy as np

from ...autograd.function import Node


class AddBackward1(Node):
    """out = a + s (s a number)  |  da = g"""

    saved_as = ()

    def forward(self, a, other):
        return a + a.dtype.type(other)

    def backward(self, g):
        return (g,)


class MulBackward1(Node):
    """out = a * s (s a number)  |  da = g * s"""

    saved_as = ()

    def forward(self, a, other):
        self.other = other
        return a * a.dtype.type(other)

    def backward(self, g):
        return (g * float(self.other),)  # (a Python float keeps g's dtype)


class DivBackward1(Node):
    """out = a / s (s a number)  |  da = g / s"""

    saved_as = ()

    def forward(self, a, other):
        self.other = other
        with np.errstate(divide="ignore", invalid="ignore"):
            return a / a.dtype.type(other)

    def backward(self, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g / float(self.other),)


class XlogyBackward0(Node):
    """out = x log y (0 where x == 0, unless y is nan)  |
    dx = g log y (0 where x == 0),  dy = g x / y"""

    saved_inputs = (0, 1)
    saved_as = (0, 1)

    def forward(self, x, y):
        self.saved = (x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((x == 0) & ~np.isnan(y), x.dtype.type(0), x * np.log(y))

    def backward(self, g):
        x, y = self.saved
        dx = dy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.needs(0):
                dx = g * np.where(x == 0, 0, np.log(y))
            if self.needs(1):
                dy = g * x / y
        return dx, dy
