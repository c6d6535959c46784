"""Elementwise operations: arithmetic, math functions, activations, comparisons.

Each op: a ``Node`` whose docstring gives the math (``forward | backward``), then the function
that users call (``torch.exp(x)`` and ``x.exp()`` are the same function). Gradients come back at
the broadcast shape; the engine's ``sum_to`` reduces them to each input's shape.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, apply
from ..autograd.function import Node
from . import _cast_operand, binary, broadcast_check, check_writable, checked_scalar, inplace

# Ops whose NumPy kernels warn on overflow, log(0) or 0/0 run quietly: PyTorch returns inf/nan
# without a warning, and glasstorch's coach reports non-finite losses where they matter.
_quiet = np.errstate


def _floating(x: Tensor) -> np.ndarray:
    """Integer and bool inputs of float functions (exp, log, sigmoid ...) become the default
    float dtype, as in PyTorch."""
    a = x._data
    return a if a.dtype.kind == "f" else a.astype(D.get_default_dtype().np)


# ---------------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------------


class AddBackward0(Node):
    """out = a + alpha*b  |  da = g,  db = alpha*g"""

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        if alpha == 1:
            return a + b
        if b.dtype.kind in "bu":  # the factor wraps into the dtype as in PyTorch (uint8: -2 is 254)
            return a + np.asarray(alpha).astype(b.dtype) * b
        return a + alpha * b

    def backward(self, g):
        return g, (g if self.alpha == 1 else g * self.alpha)


class SubBackward0(Node):
    """out = a - alpha*b  |  da = g,  db = -alpha*g"""

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        return a - b if alpha == 1 else a - alpha * b

    def backward(self, g):
        return g, (-g if self.alpha == 1 else g * -self.alpha)


class RsubBackward0(Node):
    """out = b - alpha*a (both tensors)  |  da = -alpha*g,  db = g"""

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        return b - a if alpha == 1 else b - alpha * a

    def backward(self, g):
        return (-g if self.alpha == 1 else g * -self.alpha), g


class RsubBackward1(Node):
    """out = b - alpha*a (a number minus a tensor)  |  da = -alpha*g"""

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        return b - a if alpha == 1 else b - alpha * a

    def backward(self, g):
        return (-g if self.alpha == 1 else g * -self.alpha), None


class MulBackward0(Node):
    """out = a * b  |  da = g * b,  db = g * a"""

    saved_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}

    def forward(self, a, b):
        self.saved = (a, b)
        return a * b

    def backward(self, g):
        a, b = self.saved
        return (g * b if self.needs(0) else None), (g * a if self.needs(1) else None)


class DivBackward0(Node):
    """out = a / b  |  da = g / b,  db = -g * a / b**2"""

    saved_inputs = (0, 1)
    saved_for = {0: (1,)}

    def forward(self, a, b, rounding_mode=None):
        self.saved = (a, b)
        self.rounding_mode = rounding_mode
        with _quiet(all="ignore"):
            if rounding_mode is None:
                return np.true_divide(a, b)
            if rounding_mode == "floor":
                # floats too: NumPy's floor_divide, like PyTorch, rounds (a - fmod(a, b)) / b,
                # which can differ from floor(a / b) by one (5 // 0.001 is 4999)
                return np.floor_divide(a, b)
            if rounding_mode == "trunc":
                q = np.true_divide(a, b)
                return np.trunc(q).astype(q.dtype if a.dtype.kind == "f" else a.dtype)
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )

    def backward(self, g):
        a, b = self.saved
        if self.rounding_mode is not None:
            return np.zeros_like(g), np.zeros_like(g)
        with _quiet(all="ignore"):
            return (g / b if self.needs(0) else None), (-g * a / (b * b) if self.needs(1) else None)


class DivBackward2(DivBackward0):
    """out = a / b rounded ('trunc' or 'floor')  |  da = 0,  db = 0"""


class FloorDivideBackward(DivBackward0):
    """out = floor(a / b)  |  PyTorch defines no derivative: backward raises"""

    def backward(self, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


def _integer_division_check(a, b, kernel: str):
    """Integer division and remainder by zero raise in PyTorch; bools have no kernel."""
    broadcast_check(a, b, kernel.split("_")[0])
    da = a._data.dtype if isinstance(a, Tensor) else None
    if D.result_type(a, b) is D.bool:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if D.result_type(a, b).is_floating_point:
        return
    bv = b._data if isinstance(b, Tensor) else np.asarray(b)
    n = np.prod(np.broadcast_shapes(np.shape(a._data if da is not None else a), bv.shape))
    if n and (bv == 0).any():  # an empty result divides nothing
        raise RuntimeError("ZeroDivisionError")


class RemainderBackward0(Node):
    """out = a mod b (sign of b)  |  da = g,  db = -g * floor(a / b)"""

    saved_inputs = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        with _quiet(all="ignore"):
            return np.mod(a, b)

    def backward(self, g):
        a, b = self.saved
        return g, -g * np.floor_divide(a, b)


class FmodBackward0(Node):
    """out = a - trunc(a / b) * b  |  da = g,  db = -g * trunc(a / b)"""

    saved_inputs = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        with _quiet(all="ignore"):
            return np.fmod(a, b)

    def backward(self, g):
        a, b = self.saved
        with _quiet(all="ignore"):
            return g, -g * np.trunc(a / b)


class RemainderBackward1(RemainderBackward0):
    """out = a mod b, b a tensor  |  da = g,  db = -g * floor(a / b)"""


class FmodBackward1(FmodBackward0):
    """out = a - trunc(a / b) * b, b a tensor  |  da = g,  db = -g * trunc(a / b)"""


class PowBackward0(Node):
    """out = x ** e (e a number)  |  dx = g * e * x**(e-1)"""

    saved_inputs = (0,)

    def forward(self, x, e):
        self.saved = (x,)
        self.e = e
        with _quiet(all="ignore"):
            out = np.power(x, e)
        return out if out.dtype == x.dtype else out.astype(x.dtype)  # bool ** True stays bool

    def backward(self, g):
        (x,) = self.saved
        e = self.e
        if e == 0:
            return (np.zeros_like(g),)
        with _quiet(all="ignore"):
            return (g * (e * np.power(x, e - 1)),)


class PowBackward1(Node):
    """out = a ** b  |  da = g * b * a**(b-1),  db = g * a**b * log(a)  (0 where a = 0, b >= 0)"""

    saved_inputs = (0, 1)
    saves_output = True

    def forward(self, a, b):
        out = _power(a, b)
        self.saved = (a, b, out)
        return out

    def backward(self, g):
        a, b, out = self.saved
        with _quiet(all="ignore"):
            da = g * b * np.power(a, b - 1) if self.needs(0) else None
            db = None
            if self.needs(1):
                db = g * out * np.log(a)
                db = np.where((a == 0) & (b >= 0), 0, db)
        return da, db


class PowBackward2(Node):
    """out = base ** x (base a number)  |  dx = g * out * log(base)  (0 where base = 0, x >= 0)"""

    saves_output = True

    def forward(self, x, base):
        out = _power(base, x)
        self.saved = (out,)
        self.base = base
        return out

    def backward(self, g):
        (out,) = self.saved
        with _quiet(all="ignore"):
            dx = g * out * np.log(self.base).astype(out.dtype)
        if self.base == 0:  # 0 * log(0) is nan; PyTorch takes 0 where x >= 0 (out is 0 or 1)
            dx = np.where(out <= 1, np.zeros((), dx.dtype), dx)
        return (dx,)


def _power(a, b):
    """a ** b; integer powers with negative exponents give 0 (or +-1 for bases +-1) as in
    PyTorch, where NumPy would raise."""
    b_arr = np.asarray(b)
    if b_arr.dtype.kind in "iu" and np.asarray(a).dtype.kind in "iu" and (b_arr < 0).any():
        a_arr = np.asarray(a)
        pos = np.power(a_arr, np.maximum(b_arr, 0).astype(b_arr.dtype))
        neg = np.where(a_arr == 1, 1, np.where(a_arr == -1, np.where(b_arr % 2 == 0, 1, -1), 0))
        return np.where(b_arr < 0, neg, pos).astype(pos.dtype)
    with _quiet(all="ignore"):
        return np.power(a, b)


def _check_integer_pow(x, e):
    if isinstance(e, int) and e < 0 and x._data.dtype.kind in "iub":
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def add(input, other, *, alpha=1, out=None) -> Tensor:
    """input + alpha * other, broadcasting."""
    return _out(binary(AddBackward0, input, other, alpha=alpha), out)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """input - alpha * other, broadcasting."""
    _check_bool_sub(input, other)
    return _out(binary(SubBackward0, input, other, alpha=alpha), out)


def _check_bool_sub(input, other) -> None:
    a_bool = isinstance(input, Tensor) and input.dtype is D.bool or isinstance(input, bool)
    b_bool = isinstance(other, Tensor) and other.dtype is D.bool or isinstance(other, bool)
    if a_bool and b_bool and isinstance(input, Tensor) and isinstance(other, Tensor):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if a_bool or b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


subtract = sub


def rsub(input, other, *, alpha=1) -> Tensor:
    """other - alpha * input."""
    _check_bool_sub(input, other)
    if isinstance(other, Tensor):
        return binary(RsubBackward0, input, other, alpha=alpha)
    return binary(RsubBackward1, input, other, alpha=alpha)


def mul(input, other, *, out=None) -> Tensor:
    """input * other, elementwise with broadcasting."""
    return _out(binary(MulBackward0, input, other), out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    """input / other: true division (integers give floats) unless rounding_mode is 'trunc' or
    'floor'."""
    if rounding_mode is None:
        return _out(binary(DivBackward0, input, other, out_dtype=D.float32), out)
    if rounding_mode in ("trunc", "floor"):
        _integer_division_check(input, other, f"div_{rounding_mode}_cpu")
    return _out(binary(DivBackward2, input, other, rounding_mode=rounding_mode), out)


divide = true_divide = div


def floor_divide(input, other, *, out=None) -> Tensor:
    _integer_division_check(input, other, "div_floor_cpu")
    return _out(binary(FloorDivideBackward, input, other, rounding_mode="floor"), out)


def remainder(input, other, *, out=None) -> Tensor:
    """Python's modulo: the result has the sign of ``other``."""
    _integer_division_check(input, other, "remainder_cpu")
    node = RemainderBackward1 if isinstance(other, Tensor) else RemainderBackward0
    return _out(binary(node, input, other), out)


def fmod(input, other) -> Tensor:
    """C's remainder: the result has the sign of ``input``."""
    _integer_division_check(input, other, "fmod_cpu")
    return binary(FmodBackward1 if isinstance(other, Tensor) else FmodBackward0, input, other)


def pow(input, exponent, *, out=None) -> Tensor:  # noqa: A001
    """input ** exponent; either may be a number."""
    broadcast_check(input, exponent, "pow")
    if D.result_type(input, exponent) is D.bool and (
            isinstance(exponent, Tensor) or not isinstance(input, Tensor)):
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if not isinstance(input, Tensor):
        x = exponent
        dt = D.result_type(x, input)
        xa = x._data if x._data.dtype == dt.np else x._data.astype(dt.np)
        node = PowBackward2()
        from ..autograd.function import record

        base = np.int64(input).astype(dt.np) if dt.np.kind in "iu" else dt.np.type(input)
        return _out(record(node, (x,), node.forward(xa, base), _make), out)
    if isinstance(exponent, Tensor):
        return _out(binary(PowBackward1, input, exponent), out)
    _check_integer_pow(input, exponent)
    dt = D.result_type(input, exponent)
    x = input if input.dtype is dt else input._cast(dt)
    if isinstance(exponent, float) and dt.is_floating_point:
        exponent = dt.np.type(exponent)
    return _out(apply(PowBackward0, x, e=exponent), out)


def float_power(input, exponent) -> Tensor:
    return pow(input.double(), exponent.double() if isinstance(exponent, Tensor) else exponent)


def square(input) -> Tensor:
    return pow(input, 2)


def as_data(x):
    return x._data if isinstance(x, Tensor) else x


def _out(result: Tensor, out: Tensor | None) -> Tensor:
    """Honour ``out=``: write the result into ``out`` (resizing it if needed) and return it."""
    if out is None:
        return result
    from . import _can_cast

    if not _can_cast(result._data.dtype, out._data.dtype):
        raise RuntimeError(f"result type {result.dtype.scalar_name} can't be cast to the desired "
                           f"output type {out.dtype.scalar_name}")
    if out.shape != result.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    np.copyto(out._data, result._data, casting="unsafe")
    out._vc[0] += 1
    return out


# ---------------------------------------------------------------------------------------------
# unary math
# ---------------------------------------------------------------------------------------------


class NegBackward0(Node):
    """out = -x  |  dx = -g"""

    def forward(self, x):
        return np.negative(x)

    def backward(self, g):
        return (np.negative(g),)


class ExpBackward0(Node):
    """out = e**x  |  dx = g * out"""

    saves_output = True

    def forward(self, x):
        with _quiet(all="ignore"):
            out = np.exp(x)
        self.saved = (out,)
        return out

    def backward(self, g):
        return (g * self.saved[0],)


class Exp2Backward0(Node):
    """out = 2**x  |  dx = g * out * ln 2"""

    saves_output = True

    def forward(self, x):
        with _quiet(all="ignore"):
            out = np.exp2(x)
        self.saved = (out,)
        return out

    def backward(self, g):
        return (g * self.saved[0] * np.log(2).astype(g.dtype),)


class Expm1Backward0(Node):
    """out = e**x - 1  |  dx = g * (out + 1)"""

    saves_output = True

    def forward(self, x):
        with _quiet(all="ignore"):
            out = np.expm1(x)
        self.saved = (out,)
        return out

    def backward(self, g):
        return (g * (self.saved[0] + 1),)


class LogBackward0(Node):
    """out = ln x  |  dx = g / x"""

    saved_inputs = (0,)

    def forward(self, x):
        self.saved = (x,)
        with _quiet(all="ignore"):
            return np.log(x)

    def backward(self, g):
        with _quiet(all="ignore"):
            return (g / self.saved[0],)


class Log2Backward0(Node):
    """out = log2 x  |  dx = g / (x ln 2)"""

    saved_inputs = (0,)

    def forward(self, x):
        self.saved = (x,)
        with _quiet(all="ignore"):
            return np.log2(x)

    def backward(self, g):
        with _quiet(all="ignore"):
            return (g / (self.saved[0] * np.log(2).astype(g.dtype)),)


class Log10Backward0(Node):
    """out = log10 x  |  dx = g / (x ln 10)"""

    saved_inputs = (0,)

    def forward(self, x):
        self.saved = (x,)
        with _quiet(all="ignore"):
            return np.log10(x)

    def backward(self, g):
        with _quiet(all="ignore"):
            return (g / (self.saved[0] * np.log(10).astype(g.dtype)),)


class Log1PBackward0(Node):
    """out = ln(1 + x)  |  dx = g / (1 + x)"""

    saved_inputs = (0,)

    def forward(self, x):
        self.saved = (x,)
        with _quiet(all="ignore"):
            return np.log1p(x)

    def backward(self, g):
        with _quiet(all="ignore"):
            return (g / (1 + self.saved[0]),)


class SqrtBackward0(Node):
    """out = sqrt x  |  dx = g / (2 out)"""

    saves_output = True

    def forward(self, x):
        with _quiet(all="ignore"):
            out = np.sqrt(x)
        self.saved = (out,)
        return out

    def backward(self, g):
        with _quiet(all="ignore"):
            return (g / (2 * self.saved[0]),)


class RsqrtBackward0(Node):
    """out = 1 / sqrt x  |  dx = -g * out**3 / 2"""

    saves_output = True

    def forward(self, x):
        with _quiet(all="ignore"):
            out = 1 / np.sqrt(x)
        self.saved = (out,)
        return out

    def backward(self, g):
        out = self.saved[0]
        return (-0.5 * g * out * out * out,)


class ReciprocalBackward0(Node):
    """out = 1 / x  |  dx = -g * out**2"""

    saves_output = True

    def forward(self, x):
        with _quiet(all="ignore"):
            out = np.reciprocal(x)
        self.saved = (out,)
        return out

    def backward(self, g):
        out = self.saved[0]
        return (-g * out * out,)


class AbsBackward0(Node):
    """out = |x|  |  dx = g * sign(x)"""

    saved_inputs = (0,)

    def forward(self, x):
        self.saved = (x,)
        return np.abs(x)

    def backward(self, g):
        return (g * np.sign(self.saved[0]),)


class SinBackward0(Node):
    """out = sin x  |  dx = g cos x"""

    saved_inputs = (0,)

    def forward(self, x):
        self.saved = (x,)
        return np.sin(x)

    def backward(self, g):
        return (g * np.cos(self.saved[0]),)


class CosBackward0(Node):
    """out = cos x  |  dx = -g sin x"""

    saved_inputs = (0,)

    def forward(self, x):
        self.saved = (x,)
        return np.cos(x)

    def backward(self, g):
        return (-g * np.sin(self.saved[0]),)


class TanBackward0(Node):
    """out = tan x  |  dx = g (1 + out**2)"""

    saves_output = True

    def forward(self, x):
        out = np.tan(x)
        self.saved = (out,)
        return out

    def backward(self, g):
        out = self.saved[0]
        return (g * (1 + out * out),)


class SigmoidBackward0(Node):
    """out = 1 / (1 + e**-x)  |  dx = g * out * (1 - out)"""

    saves_output = True

    def forward(self, x):
        with _quiet(all="ignore"):
            out = 1 / (1 + np.exp(-x))
        self.saved = (out,)
        return out

    def backward(self, g):
        out = self.saved[0]
        return (g * out * (1 - out),)


class TanhBackward0(Node):
    """out = tanh x  |  dx = g * (1 - out**2)"""

    saves_output = True

    def forward(self, x):
        out = np.tanh(x)
        self.saved = (out,)
        return out

    def backward(self, g):
        out = self.saved[0]
        return (g * (1 - out * out),)


class ReluBackward0(Node):
    """out = max(x, 0)  |  dx = g where out > 0, else 0"""

    saves_output = True

    def forward(self, x):
        out = np.maximum(x, 0)
        if out.dtype != x.dtype:
            out = out.astype(x.dtype)
        self.saved = (out,)
        return out

    def backward(self, g):
        # a mask, not a product: inf * 0 would be nan where PyTorch gives 0
        return (np.where(self.saved[0] <= 0, np.zeros((), g.dtype), g),)


class _ZeroGrad(Node):
    """Piecewise-constant functions: their gradient is 0 almost everywhere."""

    def backward(self, g):
        return (np.zeros_like(g),)


class SignBackward0(_ZeroGrad):
    """out = sign x  |  dx = 0"""

    def forward(self, x):
        s = np.sign(x)
        return np.where(np.isnan(s), 0, s).astype(s.dtype) if x.dtype.kind == "f" else s


class FloorBackward0(_ZeroGrad):
    """out = floor x  |  dx = 0"""

    def forward(self, x):
        return np.floor(x)


class CeilBackward0(_ZeroGrad):
    """out = ceil x  |  dx = 0"""

    def forward(self, x):
        return np.ceil(x)


class RoundBackward0(_ZeroGrad):
    """out = x rounded half to even  |  dx = 0"""

    def forward(self, x, decimals=0):
        return np.round(x, decimals)


class RoundBackward1(_ZeroGrad):
    """out = x rounded half to even at ``decimals`` digits  |  dx = 0"""

    def forward(self, x, decimals=0):
        if x.dtype == np.float16:  # PyTorch scales and rounds half floats in float32
            return np.round(x.astype(np.float32), decimals).astype(np.float16)
        return np.round(x, decimals)


class TruncBackward0(_ZeroGrad):
    """out = x rounded toward zero  |  dx = 0"""

    def forward(self, x):
        return np.trunc(x)


class ClampBackward0(Node):
    """out = min(max(x, lo), hi), lo and hi tensors  |  dx = g where lo <= x <= hi,
    dlo = g where x < lo (and lo < hi),  dhi = g where x > hi (or hi < lo)"""

    saved_inputs = (0,)

    def forward(self, x, lo, hi):
        self.saved = (x, lo, hi)
        out = x if lo is None else np.maximum(x, lo)
        return out if hi is None else np.minimum(out, hi)

    def backward(self, g):
        x, lo, hi = self.saved
        zero = np.zeros((), g.dtype)
        if lo is not None and hi is not None:
            return (np.where((x >= lo) & (x <= hi), g, zero),
                    np.where((x < lo) & (lo < hi), g, zero),
                    np.where((x > hi) | (hi < lo), g, zero))
        if lo is not None:
            return np.where(x >= lo, g, zero), np.where(x < lo, g, zero), None
        return np.where(x <= hi, g, zero), None, np.where(x > hi, g, zero)


class ClampBackward1(Node):
    """out = min(max(x, lo), hi)  |  dx = g where lo <= x <= hi, else 0"""

    saved_inputs = (0,)

    def forward(self, x, lo=None, hi=None):
        self.saved = (x,)
        self.lo, self.hi = lo, hi
        return np.clip(x, lo, hi)

    def backward(self, g):
        (x,) = self.saved
        mask = np.ones(x.shape, bool)
        if self.lo is not None:
            mask &= x >= self.lo
        if self.hi is not None:
            mask &= x <= self.hi
        return (np.where(mask, g, np.zeros((), g.dtype)),)  # (not g * mask: inf * 0 is nan)


class ClampMinBackward0(ClampBackward1):
    """out = max(x, lo)  |  dx = g where x >= lo"""


class ClampMaxBackward0(ClampBackward1):
    """out = min(x, hi)  |  dx = g where x <= hi"""


class MaximumBackward0(Node):
    """out = max(a, b)  |  the larger input gets g (ties: g/2 each; nan: both get g)"""

    saved_inputs = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        return np.maximum(a, b)

    def backward(self, g):
        a, b = self.saved
        # masks as in PyTorch: an input loses g only where it is strictly the smaller one
        ga = np.where(a < b, 0, np.where(a == b, g / 2, g)).astype(g.dtype)
        gb = np.where(b < a, 0, np.where(a == b, g / 2, g)).astype(g.dtype)
        return ga, gb


class MinimumBackward0(Node):
    """out = min(a, b)  |  the smaller input gets g (ties: g/2 each; nan: both get g)"""

    saved_inputs = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        return np.minimum(a, b)

    def backward(self, g):
        a, b = self.saved
        ga = np.where(a > b, 0, np.where(a == b, g / 2, g)).astype(g.dtype)
        gb = np.where(b > a, 0, np.where(a == b, g / 2, g)).astype(g.dtype)
        return ga, gb


class WhereBackward0(Node):
    """out = x where cond else y  |  dx = g where cond,  dy = g where not cond"""

    def forward(self, x, y, cond):
        self.saved = (cond,)
        return np.where(cond, x, y)

    def backward(self, g):
        (cond,) = self.saved
        zero = np.zeros((), g.dtype)
        return np.where(cond, g, zero), np.where(cond, zero, g)


class ToCopyBackward0(Node):
    """out = x converted to another dtype  |  dx = g converted back"""

    def forward(self, x, dtype):
        return x.astype(dtype)

    def backward(self, g):
        return (g,)  # the engine casts it back to the input's dtype


class CloneBackward0(Node):
    """out = a copy of x  |  dx = g"""

    def forward(self, x):
        return x.copy()

    def backward(self, g):
        return (g,)


def _unary(node_cls: type[Node], x: Tensor, float_op: bool = True, **params) -> Tensor:
    if float_op and x._data.dtype.kind != "f":
        node = node_cls()
        from ..autograd.function import record

        return record(node, (x,), node.forward(_floating(x), **params), _make)
    return apply(node_cls, x, **params)


def neg(input) -> Tensor:
    """-input."""
    if input.dtype is D.bool:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return apply(NegBackward0, input)


negative = neg


def exp(input) -> Tensor:
    """e ** input."""
    return _unary(ExpBackward0, input)


def exp2(input) -> Tensor:
    return _unary(Exp2Backward0, input)


def expm1(input) -> Tensor:
    return _unary(Expm1Backward0, input)


def log(input) -> Tensor:
    """Natural logarithm (log(0) = -inf, log of a negative number = nan)."""
    return _unary(LogBackward0, input)


def log2(input) -> Tensor:
    return _unary(Log2Backward0, input)


def log10(input) -> Tensor:
    return _unary(Log10Backward0, input)


def log1p(input) -> Tensor:
    return _unary(Log1PBackward0, input)


def sqrt(input) -> Tensor:
    return _unary(SqrtBackward0, input)


def rsqrt(input) -> Tensor:
    return _unary(RsqrtBackward0, input)


def reciprocal(input) -> Tensor:
    return _unary(ReciprocalBackward0, input)


def _no_bool(input: Tensor, kernel: str) -> None:
    """PyTorch has no kernel for these ops on bool tensors."""
    if input._data.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def abs(input) -> Tensor:  # noqa: A001
    _no_bool(input, "abs_cpu")
    return _unary(AbsBackward0, input, float_op=False)


absolute = abs


def sin(input) -> Tensor:
    return _unary(SinBackward0, input)


def cos(input) -> Tensor:
    return _unary(CosBackward0, input)


def tan(input) -> Tensor:
    return _unary(TanBackward0, input)


def sigmoid(input) -> Tensor:
    """1 / (1 + e**-input): squashes any number into (0, 1)."""
    return _unary(SigmoidBackward0, input)


def tanh(input) -> Tensor:
    """Hyperbolic tangent: squashes any number into (-1, 1)."""
    return _unary(TanhBackward0, input)


def relu(input) -> Tensor:
    """max(input, 0): the Rectified Linear Unit."""
    if input.dtype is D.bool:
        raise RuntimeError('"clamp_min_scalar_cpu" not implemented for \'Bool\'')
    return apply(ReluBackward0, input)


def sign(input) -> Tensor:
    if input.dtype is D.bool:
        return _make(input._data.copy())
    return _unary(SignBackward0, input, float_op=False)


def floor(input) -> Tensor:
    _no_bool(input, "floor_vml_cpu")
    return _unary(FloorBackward0, input, float_op=False) if input.is_floating_point() else \
        _make(input._data.copy())  # integers: a copy, as in PyTorch (not the input itself)


def ceil(input) -> Tensor:
    _no_bool(input, "ceil_vml_cpu")
    return _unary(CeilBackward0, input, float_op=False) if input.is_floating_point() else \
        _make(input._data.copy())


def round(input, *, decimals: int = 0) -> Tensor:  # noqa: A001
    if decimals:  # a different kernel (and node) from plain rounding, floats only
        if not input.is_floating_point():
            raise NotImplementedError(f"\"round_cpu\" not implemented for "
                                      f"'{input.dtype.scalar_name}'")
        return _unary(RoundBackward1, input, float_op=False, decimals=decimals)
    _no_bool(input, "round_vml_cpu")
    if not input.is_floating_point():
        return _make(input._data.copy())
    return _unary(RoundBackward0, input, float_op=False)


def trunc(input) -> Tensor:
    _no_bool(input, "trunc_vml_cpu")
    return _unary(TruncBackward0, input, float_op=False) if input.is_floating_point() else \
        _make(input._data.copy())


fix = trunc


def clamp(input, min=None, max=None, *, out=None) -> Tensor:  # noqa: A002
    """Limit values to [min, max] (either bound may be omitted or a tensor)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if D.result_type(input, *(b for b in (min, max) if b is not None)) is D.bool:
        which = "clamp" if min is not None and max is not None else \
            "clamp_min" if min is not None else "clamp_max"
        tensor_bound = isinstance(min, Tensor) or isinstance(max, Tensor)
        if not tensor_bound:
            raise NotImplementedError(f"\"{which}_scalar_cpu\" not implemented for 'Bool'")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from . import as_tensor_arg

        dt = D.result_type(input, *(b for b in (min, max) if b is not None))
        lo, hi = (None if b is None else as_tensor_arg(b)._cast(dt) for b in (min, max))
        return _out(apply(ClampBackward0, input._cast(dt), lo, hi), out)
    dt = D.result_type(input, *(b for b in (min, max) if b is not None))
    x = input if input.dtype is dt else input._cast(dt)
    lo = None if min is None else checked_scalar(min, dt.np)
    hi = None if max is None else checked_scalar(max, dt.np)
    return _out(apply(_clamp_cls, x, lo=lo, hi=hi), out)


clip = clamp
_clamp_cls = ClampBackward1


class ClampMinBackward1(ClampBackward0):
    """out = max(x, lo), lo a tensor  |  dx = g where x >= lo,  dlo = g where x < lo"""


class ClampMaxBackward1(ClampBackward0):
    """out = min(x, hi), hi a tensor  |  dx = g where x <= hi,  dhi = g where x > hi"""


def clamp_min(input, min) -> Tensor:  # noqa: A002
    if isinstance(min, Tensor):
        dt = D.result_type(input, min)
        return apply(ClampMinBackward1, input._cast(dt), min._cast(dt), None)
    dt = D.result_type(input, min)
    return apply(ClampMinBackward0, input._cast(dt), lo=checked_scalar(min, dt.np))


def clamp_max(input, max) -> Tensor:  # noqa: A002
    if isinstance(max, Tensor):
        dt = D.result_type(input, max)
        return apply(ClampMaxBackward1, input._cast(dt), None, max._cast(dt))
    dt = D.result_type(input, max)
    return apply(ClampMaxBackward0, input._cast(dt), hi=checked_scalar(max, dt.np))


def maximum(input, other) -> Tensor:
    return binary(MaximumBackward0, input, other)


def minimum(input, other) -> Tensor:
    return binary(MinimumBackward0, input, other)


def where(condition, input=None, other=None) -> Tensor:
    """Pick from ``input`` where ``condition`` is true, else from ``other`` (broadcasting)."""
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{D.from_numpy_dtype(cond.dtype).scalar_name}"
        )
    if isinstance(input, Tensor) or isinstance(other, Tensor):
        return binary(WhereBackward0, input, other, cond=cond)
    dt = D.result_type(input, other).np  # two numbers: float32 for floats, as in PyTorch
    return _make(np.where(cond, dt.type(input), dt.type(other)))


class LerpBackward0(Node):
    """out = a + w (b - a), w a number  |  da = g (1 - w),  db = g w"""

    def forward(self, a, b, w):
        self.w = w
        return a + w * (b - a)

    def backward(self, g):
        return g * (1 - self.w), g * self.w


class LerpBackward1(Node):
    """out = a + w (b - a), w a tensor  |  da = g (1 - w),  db = g w,  dw = g (b - a)"""

    saved_inputs = (0, 1, 2)

    def forward(self, a, b, w):
        self.saved = (a, b, w)
        return a + w * (b - a)

    def backward(self, g):
        a, b, w = self.saved
        return g * (1 - w), g * w, g * (b - a)


_C_TYPE = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
           "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
           "bool": "bool"}


def lerp(input, end, weight) -> Tensor:
    """input + weight * (end - input): all tensors of one floating dtype."""
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t.dtype is not input.dtype:
            raise RuntimeError(f"expected dtype {_C_TYPE[input.dtype.name]} for `{name}` but "
                               f"got dtype {_C_TYPE[t.dtype.name]}")
    tensor_w = isinstance(weight, Tensor)
    broadcast_check(input, end, "lerp")
    if not input.is_floating_point():
        kernel = "lerp_kernel_tensor" if tensor_w else "lerp_kernel_scalar"
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{input.dtype.scalar_name}'")
    if tensor_w:
        return apply(LerpBackward1, input, end, weight)
    return apply(LerpBackward0, input, end, w=input.dtype.np.type(weight))


def clone(input, *, memory_format=None) -> Tensor:
    """A copy that stays in the graph (gradients flow back through it)."""
    return apply(CloneBackward0, input)


def isnan(input) -> Tensor:
    return _make(np.isnan(input._data))


def isinf(input) -> Tensor:
    return _make(np.isinf(input._data))


def isfinite(input) -> Tensor:
    return _make(np.isfinite(input._data))


class NanToNumBackward0(Node):
    """out = x with nan, +inf, -inf replaced by numbers  |  dx = g where x is finite, else 0"""

    saved_inputs = (0,)

    def forward(self, x, nan=0.0, posinf=None, neginf=None):
        self.saved = (x,)
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, g):
        return (g * np.isfinite(self.saved[0]),)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None) -> Tensor:
    return apply(NanToNumBackward0, input, nan=nan, posinf=posinf, neginf=neginf)


# ---------------------------------------------------------------------------------------------
# comparisons and logic: results are bool tensors, never part of the graph
# ---------------------------------------------------------------------------------------------


def _compare(np_op, a, b) -> Tensor:
    if not isinstance(b, (Tensor, int, float, bool, np.number)):
        if b is None:
            return NotImplemented
        b = np.asarray(b)
        if b.dtype.kind not in "biuf":
            return NotImplemented
        from .._creation import tensor

        b = tensor(b)
    rt = D.result_type(a, b).np
    xa = a._data if a._data.dtype == rt else a._data.astype(rt)
    if isinstance(b, Tensor):
        xb = b._data
    elif rt.kind in "iu" and isinstance(b, int) and not isinstance(b, bool):
        xb = np.int64(b).astype(rt)  # uint8 < -3 compares with 253, as PyTorch does
    else:
        xb = rt.type(b)
    if isinstance(b, Tensor) and xb.dtype != rt:
        xb = xb.astype(rt)
    try:
        return _make(np_op(xa, xb))
    except ValueError:
        raise _broadcast_error_cmp(xa, xb) from None


def _broadcast_error_cmp(a, b):
    from . import _broadcast_error

    return _broadcast_error(a, b, "comparison")


def eq(input, other) -> Tensor:
    return _compare(np.equal, input, other)


def ne(input, other) -> Tensor:
    return _compare(np.not_equal, input, other)


def lt(input, other) -> Tensor:
    return _compare(np.less, input, other)


def le(input, other) -> Tensor:
    return _compare(np.less_equal, input, other)


def gt(input, other) -> Tensor:
    return _compare(np.greater, input, other)


def ge(input, other) -> Tensor:
    return _compare(np.greater_equal, input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(input, other) -> bool:
    """True if both have the same shape and values."""
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
    if isinstance(other, Tensor) and other.dtype is not input.dtype:
        raise RuntimeError(f"{input.dtype.scalar_name} did not match {other.dtype.scalar_name}")
    return _make(np.isclose(input._data, as_data(other), rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def logical_and(input, other) -> Tensor:
    return _make(np.logical_and(input._data, as_data(other)))


def logical_or(input, other) -> Tensor:
    return _make(np.logical_or(input._data, as_data(other)))


def logical_xor(input, other) -> Tensor:
    return _make(np.logical_xor(input._data, as_data(other)))


def logical_not(input) -> Tensor:
    return _make(np.logical_not(input._data))


def _bitwise(np_op, name):
    def op(input, other) -> Tensor:
        broadcast_check(input, other, name)
        if input._data.dtype.kind == "f" or (
            isinstance(other, Tensor) and other._data.dtype.kind == "f"
        ) or isinstance(other, float):
            # NotImplementedError (a RuntimeError) names the promoted dtype, as in PyTorch
            kind = D.result_type(input, other).scalar_name
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{kind}\'')
        rt = D.result_type(input, other).np
        return _make(np_op(input._data.astype(rt, copy=False),
                           other._data.astype(rt, copy=False) if isinstance(other, Tensor)
                           else _cast_operand(other, False, rt)))  # wraps like PyTorch

    op.__name__ = name
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def bitwise_not(input) -> Tensor:
    if input._data.dtype.kind == "f":
        raise NotImplementedError(
            f"\"bitwise_not_cpu\" not implemented for '{input.dtype.scalar_name}'")
    return _make(np.invert(input._data))


# ---------------------------------------------------------------------------------------------
# Python operators and in-place variants (methods of Tensor)
# ---------------------------------------------------------------------------------------------


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
    if self.dtype is D.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return self


def __abs__(self):
    return abs(self)


def __invert__(self):
    if self._data.dtype.kind == "f":  # the operator checks before the kernel, as in PyTorch
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
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


def _operand(x) -> bool:
    return isinstance(x, (Tensor, int, float, bool, np.number, np.bool_))


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


class CopyBackwards(Node):
    """self <- src broadcast and converted to self's dtype  |  d self = 0,  d src = g"""

    def forward(self, x, src):
        return _broadcast_into(src, x).astype(x.dtype, copy=True)

    def backward(self, g):
        return np.zeros_like(g), g


class FillBackward2(Node):
    """self <- a number everywhere  |  d self = 0"""

    def forward(self, x, value):
        return np.full_like(x, checked_scalar(value, x.dtype))

    def backward(self, g):
        return (np.zeros_like(g),)


class FillBackward3(Node):
    """self <- a 0-d tensor v everywhere  |  d self = 0,  dv = sum g"""

    def forward(self, x, v):
        return np.full_like(x, v)

    def backward(self, g):
        return np.zeros_like(g), g.sum()


class ZeroBackward0(Node):
    """self <- 0  |  d self = 0"""

    def forward(self, x):
        return np.zeros_like(x)

    def backward(self, g):
        return (np.zeros_like(g),)


def _broadcast_into(src: np.ndarray, x: np.ndarray) -> np.ndarray:
    try:
        return np.broadcast_to(src, x.shape)
    except ValueError:
        broadcast_check(x, src, "copy_")  # sizes that do not broadcast at all
        raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast shape "
                           f"{list(np.broadcast_shapes(src.shape, x.shape))}") from None


def copy_(self, src, non_blocking=False) -> Tensor:
    """Copy ``src``'s values into this tensor (broadcasting, converting dtype)."""
    if not isinstance(src, Tensor):
        from .._creation import tensor

        src = tensor(src)
    if not (src._requires_grad or self._requires_grad):
        s = _broadcast_into(src._data, self._data)
        if check_writable(self):
            np.copyto(self._data, s, casting="unsafe")
        self._vc[0] += 1
        return self
    return inplace(self, lambda s, src: apply(CopyBackwards, s, src), src)


def fill_(self, value) -> Tensor:
    """Set every element to ``value`` (a number or a 0-d tensor)."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value.ndim} dimensions."
            )
        return inplace(self, lambda s, v: apply(FillBackward3, s, v), value)
    if self._requires_grad or not self.is_leaf:
        return inplace(self, lambda s: apply(FillBackward2, s, value=value))
    self._data.fill(checked_scalar(value, self._data.dtype))
    self._vc[0] += 1
    return self


def zero_(self) -> Tensor:
    if self._requires_grad or not self.is_leaf:
        return inplace(self, lambda s: apply(ZeroBackward0, s))
    return fill_(self, 0)


TENSOR_METHODS = (
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
    "remainder", "fmod", "pow", "float_power", "square", "neg", "negative", "exp", "exp2",
    "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "abs", "absolute",
    "sin", "cos", "tan", "sigmoid", "tanh", "relu", "sign", "floor", "ceil", "round", "trunc",
    "fix", "clamp", "clip", "clamp_min", "clamp_max", "maximum", "minimum", "where", "lerp",
    "clone", "isnan", "isinf", "isfinite", "nan_to_num", "eq", "ne", "lt", "le", "gt", "ge",
    "greater", "greater_equal", "less", "less_equal", "not_equal", "equal", "allclose",
    "isclose", "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and",
    "bitwise_or", "bitwise_xor", "bitwise_not",
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
    "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pow__", "__rpow__",
    "__neg__", "__pos__", "__abs__", "__invert__", "__and__", "__or__", "__xor__", "__rand__",
    "__ror__", "__rxor__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__",
    "__iadd__", "__isub__", "__imul__", "__itruediv__", "__ipow__", "__ifloordiv__", "__imod__",
    "add_", "sub_", "mul_", "div_", "pow_", "neg_", "exp_", "log_", "sqrt_", "abs_",
    "sigmoid_", "tanh_", "relu_", "clamp_", "clamp_min_", "clamp_max_", "floor_", "round_",
    "lerp_", "copy_", "fill_", "zero_",
)
