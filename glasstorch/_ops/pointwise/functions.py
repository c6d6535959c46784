"""The elementwise functions users call: ``torch.exp(x)`` and ``x.exp()`` are the same function.

Each one is a call into ``_checks`` (PyTorch's errors) and a few lines of idea: which node runs,
in which dtype. The nodes, with their math, are in ``nodes.py``.
"""

from __future__ import annotations

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor, _make, apply
from ...autograd.function import Node, record
from .. import _cast_operand, _out, as_tensor_arg, binary
from . import _checks
from .nodes import (
    AbsBackward0,
    AddBackward0,
    CeilBackward0,
    ClampBackward0,
    ClampBackward1,
    ClampMaxBackward0,
    ClampMaxBackward1,
    ClampMinBackward0,
    ClampMinBackward1,
    CloneBackward0,
    CosBackward0,
    DivBackward0,
    DivBackward2,
    Exp2Backward0,
    ExpBackward0,
    Expm1Backward0,
    FloorBackward0,
    FloorDivideBackward,
    FmodBackward0,
    FmodBackward1,
    LerpBackward0,
    LerpBackward1,
    Log1PBackward0,
    Log2Backward0,
    Log10Backward0,
    LogBackward0,
    MaximumBackward0,
    MinimumBackward0,
    MulBackward0,
    NanToNumBackward0,
    NegBackward0,
    PowBackward0,
    PowBackward1,
    PowBackward2,
    ReciprocalBackward0,
    ReluBackward0,
    RemainderBackward0,
    RemainderBackward1,
    RoundBackward0,
    RoundBackward1,
    RsqrtBackward0,
    RsubBackward0,
    RsubBackward1,
    SigmoidBackward0,
    SignBackward0,
    SinBackward0,
    SqrtBackward0,
    SubBackward0,
    TanBackward0,
    TanhBackward0,
    TruncBackward0,
    WhereBackward0,
)

# ---------------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------------


def add(input, other, *, alpha=1, out=None) -> Tensor:
    """input + alpha * other, broadcasting."""
    return _out(binary(AddBackward0, input, other, alpha=alpha), out)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """input - alpha * other, broadcasting."""
    _checks.sub_bool(input, other)
    return _out(binary(SubBackward0, input, other, alpha=alpha), out)


subtract = sub


def rsub(input, other, *, alpha=1) -> Tensor:
    """other - alpha * input."""
    _checks.sub_bool(input, other)
    if isinstance(other, Tensor):
        return binary(RsubBackward0, input, other, alpha=alpha)
    return binary(RsubBackward1, input, other, alpha=alpha)


def mul(input, other, *, out=None) -> Tensor:
    """input * other, elementwise with broadcasting."""
    return _out(binary(MulBackward0, input, other), out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    """input / other: true division (integers give floats), or rounded ('trunc', 'floor')."""
    if rounding_mode is None:
        return _out(binary(DivBackward0, input, other, out_dtype=D.float32), out)
    _checks.rounding_mode(input, other, rounding_mode)
    return _out(binary(DivBackward2, input, other, rounding_mode=rounding_mode), out)


divide = true_divide = div


def floor_divide(input, other, *, out=None) -> Tensor:
    """input / other rounded down (Python's ``//``)."""
    _checks.integer_division(input, other, "div_floor_cpu")
    return _out(binary(FloorDivideBackward, input, other, rounding_mode="floor"), out)


def remainder(input, other, *, out=None) -> Tensor:
    """Python's modulo: the result has the sign of ``other``."""
    _checks.integer_division(input, other, "remainder_cpu")
    node = RemainderBackward1 if isinstance(other, Tensor) else RemainderBackward0
    return _out(binary(node, input, other), out)


def fmod(input, other) -> Tensor:
    """C's remainder: the result has the sign of ``input``."""
    _checks.integer_division(input, other, "fmod_cpu")
    return binary(FmodBackward1 if isinstance(other, Tensor) else FmodBackward0, input, other)


def pow(input, exponent, *, out=None) -> Tensor:  # noqa: A001
    """input ** exponent; either may be a number."""
    _checks.pow(input, exponent)
    if not isinstance(input, Tensor):  # a number to a tensor power
        dt = D.result_type(exponent, input)
        xa = exponent._data if exponent._data.dtype == dt.np else exponent._data.astype(dt.np)
        base = np.int64(input).astype(dt.np) if dt.np.kind in "iu" else dt.np.type(input)
        node = PowBackward2()
        return _out(record(node, (exponent,), node.forward(xa, base), _make), out)
    if isinstance(exponent, Tensor):
        return _out(binary(PowBackward1, input, exponent), out)
    dt = D.result_type(input, exponent)
    x = input if input.dtype is dt else input._cast(dt)
    if isinstance(exponent, float) and dt.is_floating_point:
        exponent = dt.np.type(exponent)
    return _out(apply(PowBackward0, x, e=exponent), out)


def float_power(input, exponent) -> Tensor:
    """input ** exponent in float64."""
    return pow(input.double(), exponent.double() if isinstance(exponent, Tensor) else exponent)


def square(input) -> Tensor:
    """input ** 2."""
    return pow(input, 2)


def as_data(x):
    """A tensor's array, or the number itself."""
    return x._data if isinstance(x, Tensor) else x


# ---------------------------------------------------------------------------------------------
# unary math
# ---------------------------------------------------------------------------------------------


def _floating(x: Tensor) -> np.ndarray:
    """Integer and bool inputs of float functions (exp, log, sigmoid ...) become the default
    float dtype, as in PyTorch."""
    a = x._data
    return a if a.dtype.kind == "f" else a.astype(D.get_default_dtype().np)


def _unary(node_cls: type[Node], x: Tensor, float_op: bool = True, **params) -> Tensor:
    """Run a one-input node; ``float_op`` ones compute integer inputs in the default float."""
    if float_op and x._data.dtype.kind != "f":
        node = node_cls()
        return record(node, (x,), node.forward(_floating(x), **params), _make)
    return apply(node_cls, x, **params)


def neg(input) -> Tensor:
    """-input."""
    _checks.neg(input)
    return apply(NegBackward0, input)


negative = neg


def exp(input) -> Tensor:
    """e ** input."""
    return _unary(ExpBackward0, input)


def exp2(input) -> Tensor:
    """2 ** input."""
    return _unary(Exp2Backward0, input)


def expm1(input) -> Tensor:
    """e ** input - 1, exact for small inputs."""
    return _unary(Expm1Backward0, input)


def log(input) -> Tensor:
    """Natural logarithm (log(0) = -inf, log of a negative number = nan)."""
    return _unary(LogBackward0, input)


def log2(input) -> Tensor:
    """Logarithm to base 2."""
    return _unary(Log2Backward0, input)


def log10(input) -> Tensor:
    """Logarithm to base 10."""
    return _unary(Log10Backward0, input)


def log1p(input) -> Tensor:
    """log(1 + input), exact for small inputs."""
    return _unary(Log1PBackward0, input)


def sqrt(input) -> Tensor:
    """Square root (nan for negative numbers)."""
    return _unary(SqrtBackward0, input)


def rsqrt(input) -> Tensor:
    """1 / sqrt(input)."""
    return _unary(RsqrtBackward0, input)


def reciprocal(input) -> Tensor:
    """1 / input."""
    return _unary(ReciprocalBackward0, input)


def abs(input) -> Tensor:  # noqa: A001
    """|input|."""
    _checks.no_bool(input, "abs_cpu")
    return _unary(AbsBackward0, input, float_op=False)


absolute = abs


def sin(input) -> Tensor:
    """Sine (radians)."""
    return _unary(SinBackward0, input)


def cos(input) -> Tensor:
    """Cosine (radians)."""
    return _unary(CosBackward0, input)


def tan(input) -> Tensor:
    """Tangent (radians)."""
    return _unary(TanBackward0, input)


def sigmoid(input) -> Tensor:
    """1 / (1 + e**-input): squashes any number into (0, 1)."""
    return _unary(SigmoidBackward0, input)


def tanh(input) -> Tensor:
    """Hyperbolic tangent: squashes any number into (-1, 1)."""
    return _unary(TanhBackward0, input)


def relu(input) -> Tensor:
    """max(input, 0): the Rectified Linear Unit."""
    _checks.relu(input)
    return apply(ReluBackward0, input)


def sign(input) -> Tensor:
    """-1, 0 or 1 by the sign of each element (bools stay as they are)."""
    if input.dtype is D.bool:
        return _make(input._data.copy())
    return _unary(SignBackward0, input, float_op=False)


def floor(input) -> Tensor:
    """Round down; integers come back as a copy, as in PyTorch (not the input itself)."""
    _checks.no_bool(input, "floor_vml_cpu")
    if not input.is_floating_point():
        return _make(input._data.copy())
    return _unary(FloorBackward0, input, float_op=False)


def ceil(input) -> Tensor:
    """Round up; integers come back as a copy."""
    _checks.no_bool(input, "ceil_vml_cpu")
    if not input.is_floating_point():
        return _make(input._data.copy())
    return _unary(CeilBackward0, input, float_op=False)


def round(input, *, decimals: int = 0) -> Tensor:  # noqa: A001
    """Round half to even (to ``decimals`` digits: another kernel and node, floats only)."""
    _checks.round(input, decimals)
    if decimals:
        return _unary(RoundBackward1, input, float_op=False, decimals=decimals)
    if not input.is_floating_point():
        return _make(input._data.copy())
    return _unary(RoundBackward0, input, float_op=False)


def trunc(input) -> Tensor:
    """Round toward zero; integers come back as a copy."""
    _checks.no_bool(input, "trunc_vml_cpu")
    if not input.is_floating_point():
        return _make(input._data.copy())
    return _unary(TruncBackward0, input, float_op=False)


fix = trunc


# ---------------------------------------------------------------------------------------------
# clamping, choosing, copying
# ---------------------------------------------------------------------------------------------


def clamp(input, min=None, max=None, *, out=None) -> Tensor:  # noqa: A002
    """Limit values to [min, max] (either bound may be omitted or a tensor)."""
    dt = _checks.clamp(input, min, max)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo, hi = (None if b is None else as_tensor_arg(b)._cast(dt) for b in (min, max))
        return _out(apply(ClampBackward0, input._cast(dt), lo, hi), out)
    x = input if input.dtype is dt else input._cast(dt)
    lo = None if min is None else _checks.scalar(min, dt.np)
    hi = None if max is None else _checks.scalar(max, dt.np)
    return _out(apply(ClampBackward1, x, lo=lo, hi=hi), out)


clip = clamp


def clamp_min(input, min) -> Tensor:  # noqa: A002
    """max(input, min)."""
    dt = D.result_type(input, min)
    if isinstance(min, Tensor):
        return apply(ClampMinBackward1, input._cast(dt), min._cast(dt), None)
    return apply(ClampMinBackward0, input._cast(dt), lo=_checks.scalar(min, dt.np))


def clamp_max(input, max) -> Tensor:  # noqa: A002
    """min(input, max)."""
    dt = D.result_type(input, max)
    if isinstance(max, Tensor):
        return apply(ClampMaxBackward1, input._cast(dt), None, max._cast(dt))
    return apply(ClampMaxBackward0, input._cast(dt), hi=_checks.scalar(max, dt.np))


def maximum(input, other) -> Tensor:
    """The larger of the two, elementwise (nan wins)."""
    return binary(MaximumBackward0, input, other)


def minimum(input, other) -> Tensor:
    """The smaller of the two, elementwise (nan wins)."""
    return binary(MinimumBackward0, input, other)


def where(condition, input=None, other=None) -> Tensor:
    """Pick from ``input`` where ``condition`` is true, else from ``other`` (broadcasting)."""
    if input is None and other is None:
        from ..indexing import nonzero

        return nonzero(condition, as_tuple=True)
    cond = _checks.where_condition(condition)
    if isinstance(input, Tensor) or isinstance(other, Tensor):
        return binary(WhereBackward0, input, other, cond=cond)
    dt = D.result_type(input, other).np  # two numbers: float32 for floats, as in PyTorch
    return _make(np.where(cond, dt.type(input), dt.type(other)))


def lerp(input, end, weight) -> Tensor:
    """input + weight * (end - input): all tensors of one floating dtype."""
    _checks.lerp(input, end, weight)
    if isinstance(weight, Tensor):
        return apply(LerpBackward1, input, end, weight)
    return apply(LerpBackward0, input, end, w=input.dtype.np.type(weight))


def clone(input, *, memory_format=None) -> Tensor:
    """A copy that stays in the graph (gradients flow back through it)."""
    return apply(CloneBackward0, input)


def isnan(input) -> Tensor:
    """True where input is nan."""
    return _make(np.isnan(input._data))


def isinf(input) -> Tensor:
    """True where input is +inf or -inf."""
    return _make(np.isinf(input._data))


def isfinite(input) -> Tensor:
    """True where input is neither nan nor infinite."""
    return _make(np.isfinite(input._data))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None) -> Tensor:
    """nan, +inf and -inf replaced by numbers (by default 0 and the dtype's extremes)."""
    return apply(NanToNumBackward0, input, nan=nan, posinf=posinf, neginf=neginf)


# ---------------------------------------------------------------------------------------------
# comparisons and logic: results are bool tensors, never part of the graph
# ---------------------------------------------------------------------------------------------


def _compare(np_op, a, b) -> Tensor:
    """``np_op`` on both operands promoted to one dtype; NotImplemented for operands Python
    should try the other way round."""
    if not isinstance(b, (Tensor, int, float, bool, np.number)):
        if b is None:
            return NotImplemented
        b = np.asarray(b)
        if b.dtype.kind not in "biuf":
            return NotImplemented
        from ..._creation import tensor

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
        raise _checks.broadcast_error(xa, xb, "comparison") from None


def eq(input, other) -> Tensor:
    """input == other, elementwise."""
    return _compare(np.equal, input, other)


def ne(input, other) -> Tensor:
    """input != other, elementwise."""
    return _compare(np.not_equal, input, other)


def lt(input, other) -> Tensor:
    """input < other, elementwise."""
    return _compare(np.less, input, other)


def le(input, other) -> Tensor:
    """input <= other, elementwise."""
    return _compare(np.less_equal, input, other)


def gt(input, other) -> Tensor:
    """input > other, elementwise."""
    return _compare(np.greater, input, other)


def ge(input, other) -> Tensor:
    """input >= other, elementwise."""
    return _compare(np.greater_equal, input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(input, other) -> bool:
    """True if both have the same shape and values."""
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """True if every |input - other| <= atol + rtol * |other|."""
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
    """Elementwise |input - other| <= atol + rtol * |other|."""
    _checks.isclose(input, other)
    return _make(np.isclose(input._data, as_data(other), rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def logical_and(input, other) -> Tensor:
    """True where both are non-zero."""
    return _make(np.logical_and(input._data, as_data(other)))


def logical_or(input, other) -> Tensor:
    """True where either is non-zero."""
    return _make(np.logical_or(input._data, as_data(other)))


def logical_xor(input, other) -> Tensor:
    """True where exactly one is non-zero."""
    return _make(np.logical_xor(input._data, as_data(other)))


def logical_not(input) -> Tensor:
    """True where input is zero."""
    return _make(np.logical_not(input._data))


def _bitwise(np_op, name):
    """A bitwise op of integer or bool tensors; Python numbers wrap into the dtype as in
    PyTorch."""

    def op(input, other) -> Tensor:
        _checks.bitwise(input, other, name)
        rt = D.result_type(input, other).np
        return _make(np_op(input._data.astype(rt, copy=False),
                           other._data.astype(rt, copy=False) if isinstance(other, Tensor)
                           else _cast_operand(other, False, rt)))

    op.__name__ = name
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def bitwise_not(input) -> Tensor:
    """~input for integers (bools: logical not)."""
    _checks.bitwise_not(input)
    return _make(np.invert(input._data))
