"""Matrix-product methods only a Tensor has: the ``@`` operator (``a @ b`` is
``a.__matmul__(b)``; NotImplemented for non-tensors, so Python tries the other operand)."""

from __future__ import annotations

from ..._tensor import Tensor
from .functions import matmul


def __matmul__(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


def __rmatmul__(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)
