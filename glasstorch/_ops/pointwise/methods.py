"""Elementwise methods only a Tensor has: the Python operators (``a + b`` is ``a.__add__(b)``),
the in-place variants (``add_``, ``exp_`` ...: the function's result written into the tensor by
:func:`glasstorch._ops.inplace`) and ``copy_`` / ``fill_`` / ``zero_``.
"""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor, apply
from .. import inplace
from . import _checks
from .functions import (
    abs,
    add,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    clamp,
    clamp_max,
    clamp_min,
    div,
    eq,
    exp,
    floor,
    floor_divide,
    ge,
    gt,
    le,
    lerp,
    log,
    logical_not,
    lt,
    mul,
    neg,
    pow,
    reciprocal,
    relu,
    remainder,
    round,
    rsub,
    sigmoid,
    sqrt,
    sub,
    tanh,
)
from .nodes import CopyBackwards, FillBackward2, FillBackward3, ZeroBackward0

# ---------------------------------------------------------------------------------------------
# Python operators: NotImplemented for operands they do not know, so Python tries the other's
# ---------------------------------------------------------------------------------------------


def _operand(x) -> bool:
    """Whether an operator takes ``x`` as its other operand (else NotImplemented)."""
    if isinstance(x, (Tensor, int, float, bool, np.number, np.bool_)):
        return True
    _no_real_torch(x)
    return False


def _no_real_torch(x) -> None:
    """PyTorch turns errors in its reflected operators into NotImplemented, so a tensor of the
    real PyTorch meeting a glasstorch one would end in Python's bare "unsupported operand"."""
    from ..._torch_alias import is_real_torch, mixing_hint

    if is_real_torch(x):
        raise TypeError(f"unsupported operand: a glasstorch tensor and a {type(x).__module__}."
                        f"{type(x).__qualname__}{mixing_hint(x)}")


def __add__(self, other):
    return add(self, other) if _operand(other) else NotImplemented


def __radd__(self, other):
    return add(self, other) if _operand(other) else NotImplemented


def __sub__(self, other):
    return sub(self, other) if _operand(other) else NotImplemented


def __rsub__(self, other):
    return rsub(self, other) if _operand(other) else NotImplemented


def __mul__(self, other):
    return mul(self, other) if _operand(other) else NotImplemented


def __rmul__(self, other):
    return mul(self, other) if _operand(other) else NotImplemented


def __truediv__(self, other):
    return div(self, other) if _operand(other) else NotImplemented


def __rtruediv__(self, other):
    return mul(reciprocal(self), other) if _operand(other) else NotImplemented


def __floordiv__(self, other):
    return floor_divide(self, other) if _operand(other) else NotImplemented


def __rfloordiv__(self, other):
    return floor_divide(other, self) if _operand(other) else NotImplemented


def __mod__(self, other):
    return remainder(self, other) if _operand(other) else NotImplemented


def __rmod__(self, other):
    return remainder(other, self) if _operand(other) else NotImplemented


def __pow__(self, other):
    return pow(self, other) if _operand(other) else NotImplemented


def __rpow__(self, other):
    return pow(other, self) if _operand(other) else NotImplemented


def __neg__(self):
    return neg(self)


def __pos__(self):
    _checks.pos(self)
    return self


def __abs__(self):
    return abs(self)


def __invert__(self):
    _checks.invert(self)
    if self._data.dtype == np.bool_:
        return logical_not(self)
    return bitwise_not(self)


def __and__(self, other):
    return bitwise_and(self, other)


def __or__(self, other):
    return bitwise_or(self, other)


def __xor__(self, other):
    return bitwise_xor(self, other)


__rand__, __ror__, __rxor__ = __and__, __or__, __xor__


def __eq__(self, other):
    return eq(self, other)


def __ne__(self, other):
    r = eq(self, other)
    return NotImplemented if r is NotImplemented else logical_not(r)


def __lt__(self, other):
    return lt(self, other)


def __le__(self, other):
    return le(self, other)


def __gt__(self, other):
    return gt(self, other)


def __ge__(self, other):
    return ge(self, other)


# ---------------------------------------------------------------------------------------------
# in-place variants
# ---------------------------------------------------------------------------------------------


def add_(self, other, *, alpha=1):
    return inplace(self, add, other, alpha=alpha)


def sub_(self, other, *, alpha=1):
    return inplace(self, sub, other, alpha=alpha)


def mul_(self, other):
    return inplace(self, mul, other)


def div_(self, other, *, rounding_mode=None):
    return inplace(self, div, other, rounding_mode=rounding_mode)


def pow_(self, exponent):
    return inplace(self, pow, exponent)


def neg_(self):
    return inplace(self, neg)


def exp_(self):
    return inplace(self, exp)


def log_(self):
    return inplace(self, log)


def sqrt_(self):
    return inplace(self, sqrt)


def abs_(self):
    return inplace(self, abs)


def sigmoid_(self):
    return inplace(self, sigmoid)


def tanh_(self):
    return inplace(self, tanh)


def relu_(self):
    return inplace(self, relu)


def clamp_(self, min=None, max=None):  # noqa: A002
    return inplace(self, clamp, min, max)


def clamp_min_(self, min):  # noqa: A002
    return inplace(self, clamp_min, min)


def clamp_max_(self, max):  # noqa: A002
    return inplace(self, clamp_max, max)


def floor_(self):
    return inplace(self, floor)


def round_(self, *, decimals=0):
    return inplace(self, round, decimals=decimals)


def lerp_(self, end, weight):
    return inplace(self, lerp, end, weight)


def _iop(fn):
    def op(self, other):
        if not _operand(other):
            return NotImplemented
        return fn(self, other)

    return op


__iadd__ = _iop(add_)
__isub__ = _iop(sub_)
__imul__ = _iop(mul_)
__itruediv__ = _iop(div_)
__ipow__ = _iop(pow_)


def __ifloordiv__(self, other):
    return inplace(self, floor_divide, other)


def __imod__(self, other):
    return inplace(self, remainder, other)


# ---------------------------------------------------------------------------------------------
# copy_, fill_, zero_: write new values; without autograd they write straight into the array
# ---------------------------------------------------------------------------------------------


def copy_(self, src, non_blocking=False) -> Tensor:
    """Copy ``src``'s values into this tensor (broadcasting, converting dtype)."""
    if not isinstance(src, Tensor):
        from ..._creation import tensor

        src = tensor(src)
    if not (src._requires_grad or self._requires_grad):
        s = _checks.broadcast_into(src._data, self._data)
        if _checks.writable(self):
            np.copyto(self._data, s, casting="unsafe")
        self._vc[0] += 1
        return self
    return inplace(self, _copy, src)


def _copy(s: Tensor, src: Tensor) -> Tensor:
    _checks.broadcast_into(src._data, s._data)  # after inplace's checks, as in PyTorch
    return apply(CopyBackwards, s, src)


def fill_(self, value) -> Tensor:
    """Set every element to ``value`` (a number or a 0-d tensor)."""
    _checks.fill_value(value)
    if isinstance(value, Tensor):
        return inplace(self, lambda s, v: apply(FillBackward3, s, v), value)
    if self._requires_grad or not self.is_leaf:
        return inplace(self, lambda s: apply(FillBackward2, s,
                                             value=_checks.scalar(value, s._data.dtype)))
    self._data.fill(_checks.scalar(value, self._data.dtype))
    self._vc[0] += 1
    return self


def zero_(self) -> Tensor:
    """Set every element to 0."""
    if self._requires_grad or not self.is_leaf:
        return inplace(self, lambda s: apply(ZeroBackward0, s))
    return fill_(self, 0)

