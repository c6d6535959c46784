"""Matrix-product methods only a Tensor has: the ``@`` operator (``a @ b`` is
``a.__matmul__(b)``; NotImplemented for non-tensors, so Python tries the other operand)."""

from __future__ import annotations

from ..._tensor import Tensor
from ..pointwise.methods import _no_real_torch
from .functions import matmul


def __matmul__(self, other):
    if not isinstance(other, Tensor):
        _no_real_torch(other)
        return NotImplemented
    return matmul(self, other)


def __rmatmul__(self, other):
    if not isinstance(other, Tensor):
        _no_real_torch(other)
        return NotImplemented
    return matmul(other, self)
