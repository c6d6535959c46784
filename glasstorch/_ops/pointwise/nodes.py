"""The nodes of the elementwise ops: forward and backward side by side, the math in the
docstring (``forward | backward``).

Gradients come back at the broadcast shape; the engine's ``sum_to`` reduces them to each
input's shape. The functions that run these nodes are in ``functions.py``.
"""

from __future__ import annotations

import math

import numpy as np

from ...autograd.function import Node

# Ops whose NumPy kernels warn on overflow, log(0) or 0/0 run quietly: PyTorch returns inf/nan
# without a warning, and glasstorch's coach reports non-finite losses where they matter.
_quiet = np.errstate


# ---------------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------------


class AddBackward0(Node):
    """out = a + alpha*b  |  da = g,  db = alpha*g"""

    saved_as = ()

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

    saved_as = ()

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        return a - b if alpha == 1 else a - alpha * b

    def backward(self, g):
        return g, (-g if self.alpha == 1 else g * -self.alpha)


class RsubBackward0(Node):
    """out = b - alpha*a (both tensors)  |  da = -alpha*g,  db = g"""

    saved_as = ()

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        return b - a if alpha == 1 else b - alpha * a

    def backward(self, g):
        return (-g if self.alpha == 1 else g * -self.alpha), g


class RsubBackward1(Node):
    """out = b - alpha*a (a number minus a tensor)  |  da = -alpha*g"""

    saved_as = ()

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        return b - a if alpha == 1 else b - alpha * a

    def backward(self, g):
        return (-g if self.alpha == 1 else g * -self.alpha), None


class MulBackward0(Node):
    """out = a * b  |  da = g * b,  db = g * a"""

    saved_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}
    saved_as = (0, 1)

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
    saved_as = (0, 1)

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
            q = np.true_divide(a, b)  # "trunc"
            return np.trunc(q).astype(q.dtype if a.dtype.kind == "f" else a.dtype)

    def backward(self, g):
        a, b = self.saved
        if self.rounding_mode is not None:
            return np.zeros_like(g), np.zeros_like(g)
        with _quiet(all="ignore"):
            return (g / b if self.needs(0) else None), (-g * a / (b * b) if self.needs(1) else None)


class DivBackward2(DivBackward0):
    """out = a / b rounded ('trunc' or 'floor')  |  da = 0,  db = 0"""

    saved_as = (None, None)  # (unused: the gradients are 0)


class FloorDivideBackward(DivBackward0):
    """out = floor(a / b)  |  PyTorch defines no derivative: backward raises"""

    def backward(self, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class RemainderBackward0(Node):
    """out = a mod b (sign of b)  |  da = g,  db = -g * floor(a / b)"""

    saved_inputs = (0, 1)
    saved_as = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        with _quiet(all="ignore"):
            return np.mod(a, b)

    def backward(self, g):
        a, b = self.saved
        with _quiet(all="ignore"):  # b = 0
            return g, -g * np.floor_divide(a, b)


class FmodBackward0(Node):
    """out = a - trunc(a / b) * b  |  da = g,  db = -g * trunc(a / b)"""

    saved_inputs = (0, 1)
    saved_as = (0, 1)

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
    saved_as = (0,)

    def forward(self, x, e):
        self.saved = (x,)
        self.e = e
        with _quiet(all="ignore"):
            out = _scalar_power(x, e)
        return out if out.dtype == x.dtype else out.astype(x.dtype)  # bool ** True stays bool

    def backward(self, g):
        (x,) = self.saved
        e = self.e
        if e == 0:
            return (np.zeros_like(g),)
        with _quiet(all="ignore"):
            return (g * (e * _scalar_power(x, e - 1)),)


def _scalar_power(x, e):
    """x ** e; for e = -0.5 as 1 / sqrt(x), which is how PyTorch computes it (so -inf gives
    nan and -0.0 gives -inf, where C's pow gives 0 and inf), e.g. in the gradient of x ** 0.5."""
    if e == -0.5 and type(x) is np.ndarray:
        return np.reciprocal(np.sqrt(x))
    return np.power(x, e)


class PowBackward1(Node):
    """out = a ** b  |  da = g * b * a**(b-1),  db = g * a**b * log(a)  (0 where a = 0, b >= 0)"""

    saved_inputs = (0, 1)
    saves_output = True
    saved_as = (0, 1, "out")

    def forward(self, a, b):
        out = _power(a, b)
        self.saved = (a, b, out)
        return out

    def backward(self, g):
        a, b, out = self.saved
        with _quiet(all="ignore"):  # (the masks as in PyTorch: 0 * inf would be nan)
            da = np.where(b == 0, 0, g * (b * np.power(a, b - 1))) if self.needs(0) else None
            db = g * np.where((a == 0) & (b >= 0), 0, out * np.log(a)) if self.needs(1) else None
        return da, db


class PowBackward2(Node):
    """out = base ** x (base a number)  |  dx = g * out * log(base)  (0 where base = 0, x >= 0)"""

    saves_output = True
    saved_as = ("out",)

    def forward(self, x, base):
        out = _power(base, x)
        self.saved = (out,)
        self.base = base
        return out

    def backward(self, g):
        (out,) = self.saved
        with _quiet(all="ignore"):
            d = out * float(np.log(self.base))  # (a Python float keeps out's dtype)
        if self.base == 0:  # 0 * log(0) is nan; PyTorch takes 0 where x >= 0 (out is 0 or 1)
            d = np.where(out <= 1, 0, d)
        return (g * d,)


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


# ---------------------------------------------------------------------------------------------
# unary math
# ---------------------------------------------------------------------------------------------


class NegBackward0(Node):
    """out = -x  |  dx = -g"""

    saved_as = ()

    def forward(self, x):
        return np.negative(x)

    def backward(self, g):
        return (np.negative(g),)


class ExpBackward0(Node):
    """out = e**x  |  dx = g * out"""

    saves_output = True
    saved_as = ("out",)

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
    saved_as = ("out",)

    def forward(self, x):
        with _quiet(all="ignore"):
            out = np.exp2(x)
        self.saved = (out,)
        return out

    def backward(self, g):
        return (g * self.saved[0] * math.log(2),)


class Expm1Backward0(Node):
    """out = e**x - 1  |  dx = g * (out + 1)"""

    saves_output = True
    saved_as = ("out",)

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
    saved_as = (0,)

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
    saved_as = (0,)

    def forward(self, x):
        self.saved = (x,)
        with _quiet(all="ignore"):
            return np.log2(x)

    def backward(self, g):
        with _quiet(all="ignore"):
            return (g / (self.saved[0] * math.log(2)),)


class Log10Backward0(Node):
    """out = log10 x  |  dx = g / (x ln 10)"""

    saved_inputs = (0,)
    saved_as = (0,)

    def forward(self, x):
        self.saved = (x,)
        with _quiet(all="ignore"):
            return np.log10(x)

    def backward(self, g):
        with _quiet(all="ignore"):
            return (g / (self.saved[0] * math.log(10)),)


class Log1PBackward0(Node):
    """out = ln(1 + x)  |  dx = g / (1 + x)"""

    saved_inputs = (0,)
    saved_as = (0,)

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
    saved_as = ("out",)

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
    saved_as = ("out",)

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
    saved_as = ("out",)

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
    saved_as = (0,)

    def forward(self, x):
        self.saved = (x,)
        return np.abs(x)

    def backward(self, g):
        return (g * np.sign(self.saved[0]),)


class SinBackward0(Node):
    """out = sin x  |  dx = g cos x"""

    saved_inputs = (0,)
    saved_as = (0,)

    def forward(self, x):
        self.saved = (x,)
        with _quiet(all="ignore"):  # of inf: nan
            return np.sin(x)

    def backward(self, g):
        with _quiet(all="ignore"):
            return (g * np.cos(self.saved[0]),)


class CosBackward0(Node):
    """out = cos x  |  dx = -g sin x"""

    saved_inputs = (0,)
    saved_as = (0,)

    def forward(self, x):
        self.saved = (x,)
        with _quiet(all="ignore"):  # of inf: nan
            return np.cos(x)

    def backward(self, g):
        with _quiet(all="ignore"):
            return (-g * np.sin(self.saved[0]),)


class TanBackward0(Node):
    """out = tan x  |  dx = g (1 + out**2)"""

    saves_output = True
    saved_as = ("out",)

    def forward(self, x):
        with _quiet(all="ignore"):  # of inf: nan
            out = np.tan(x)
        self.saved = (out,)
        return out

    def backward(self, g):
        out = self.saved[0]
        return (g * (1 + out * out),)


class SigmoidBackward0(Node):
    """out = 1 / (1 + e**-x)  |  dx = g * out * (1 - out)"""

    saves_output = True
    saved_as = ("out",)

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
    saved_as = ("out",)

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
    saved_as = ("out",)

    def forward(self, x):
        out = np.maximum(x, 0)
        if out.dtype != x.dtype:
            out = out.astype(x.dtype)
        self.saved = (out,)
        return out

    def backward(self, g):
        out = self.saved[0]
        return (masked_grad(ThresholdBackwardBackward0, g, out, out <= 0),)


def masked_grad(node_cls: type[Node], g, x, drop, slope: float = 0.0):
    """g, but ``slope * g`` where ``drop``: the gradient of a piecewise-linear function of x.

    A mask (a product only when g is finite: inf * 0 would be nan where PyTorch gives 0).
    Under create_graph it is recorded as ``node_cls`` of (g, x), so the gradient stays
    connected to x (with derivative 0) as PyTorch's ``threshold_backward`` and friends are: a
    second ``grad`` gives zeros."""
    if not (hasattr(g, "_data") or hasattr(x, "_data")):  # arrays (tensors: create_graph)
        if not slope and np.isfinite(g).all():
            # a product with the mask: np.where took 125 us for a CNN's 32,768 floats, this 11
            return g * ~drop
        return np.where(drop, g * slope if slope else np.zeros((), g.dtype), g)
    from ..._tensor import apply

    return apply(node_cls, g, x, drop=drop._data if hasattr(drop, "_data") else drop,
                 slope=slope)


class ThresholdBackwardBackward0(Node):
    """out = g, but slope * g where drop (a piecewise-linear function's gradient, in terms of
    g and x)  |  dg = gg, but slope * gg where drop,  dx = 0"""

    saved_as = (1,)  # (x: its derivative is 0, but the gradient stays connected to it)

    def forward(self, g, x, drop, slope=0.0):
        self.saved = (x,)
        self.drop, self.slope = drop, slope
        return masked_grad(None, g, x, drop, slope)

    def backward(self, gg):
        (x,) = self.saved
        return masked_grad(type(self), gg, x, self.drop, self.slope), np.zeros_like(gg)


class _ZeroGrad(Node):
    """out = a piecewise-constant function of x  |  dx = 0 (almost everywhere)"""

    saved_as = ()

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


# ---------------------------------------------------------------------------------------------
# clamping, choosing, copying
# ---------------------------------------------------------------------------------------------


class ClampBackward0(Node):
    """out = min(max(x, lo), hi), tensor bounds  |  dx = g within, dlo = g below, dhi = g above"""

    saved_inputs = (0,)
    saved_as = (None, None, None)  # only compared: the gradients are masks of g

    def forward(self, x, lo, hi):
        self.saved = (x, lo, hi)
        out = x if lo is None else np.maximum(x, lo)
        return out if hi is None else np.minimum(out, hi)

    def backward(self, g):
        x, lo, hi = self.saved
        if lo is not None and hi is not None:  # where lo > hi, out is hi: hi gets g
            return (np.where((x >= lo) & (x <= hi), g, 0),
                    np.where((x < lo) & (lo < hi), g, 0),
                    np.where((x > hi) | (hi < lo), g, 0))
        if lo is not None:
            return np.where(x >= lo, g, 0), np.where(x < lo, g, 0), None
        return np.where(x <= hi, g, 0), None, np.where(x > hi, g, 0)


class ClampBackward1(Node):
    """out = min(max(x, lo), hi)  |  dx = g where lo <= x <= hi, else 0"""

    saved_inputs = (0,)
    saved_as = (None,)  # only compared

    def forward(self, x, lo=None, hi=None):
        self.saved = (x,)
        self.lo, self.hi = lo, hi
        return np.clip(x, lo, hi)

    def backward(self, g):
        (x,) = self.saved
        lo, hi = self.lo, self.hi
        keep = x >= lo if hi is None else x <= hi if lo is None else (x >= lo) & (x <= hi)
        return (np.where(keep, g, 0),)  # (not g * mask: inf * 0 is nan)


class ClampMinBackward0(ClampBackward1):
    """out = max(x, lo)  |  dx = g where x >= lo"""


class ClampMaxBackward0(ClampBackward1):
    """out = min(x, hi)  |  dx = g where x <= hi"""


class ClampMinBackward1(ClampBackward0):
    """out = max(x, lo), lo a tensor  |  dx = g where x >= lo,  dlo = g where x < lo"""


class ClampMaxBackward1(ClampBackward0):
    """out = min(x, hi), hi a tensor  |  dx = g where x <= hi,  dhi = g where x > hi"""


class MaximumBackward0(Node):
    """out = max(a, b)  |  the larger input gets g (ties: g/2 each; nan: both get g)"""

    saved_inputs = (0, 1)
    saved_as = (None, None)  # only compared

    def forward(self, a, b):
        self.saved = (a, b)
        return np.maximum(a, b)

    def backward(self, g):
        a, b = self.saved
        # masks as in PyTorch: an input loses g only where it is strictly the smaller one
        ga = np.where(a < b, 0, np.where(a == b, g / 2, g))
        gb = np.where(b < a, 0, np.where(a == b, g / 2, g))
        return ga, gb


class MinimumBackward0(Node):
    """out = min(a, b)  |  the smaller input gets g (ties: g/2 each; nan: both get g)"""

    saved_inputs = (0, 1)
    saved_as = (None, None)  # only compared

    def forward(self, a, b):
        self.saved = (a, b)
        return np.minimum(a, b)

    def backward(self, g):
        a, b = self.saved
        ga = np.where(a > b, 0, np.where(a == b, g / 2, g))
        gb = np.where(b > a, 0, np.where(a == b, g / 2, g))
        return ga, gb


class WhereBackward0(Node):
    """out = x where cond else y  |  dx = g where cond,  dy = g where not cond"""

    saved_as = (None,)

    def forward(self, x, y, cond):
        self.saved = (cond,)
        return np.where(cond, x, y)

    def backward(self, g):
        (cond,) = self.saved
        return np.where(cond, g, 0), np.where(cond, 0, g)


class LerpBackward0(Node):
    """out = a + w (b - a), w a number  |  da = g (1 - w),  db = g w"""

    saved_as = ()

    def forward(self, a, b, w):
        self.w = w
        with _quiet(all="ignore"):  # inf - inf
            return a + w * (b - a)

    def backward(self, g):
        return g * (1 - self.w), g * self.w


class LerpBackward1(Node):
    """out = a + w (b - a), w a tensor  |  da = g (1 - w),  db = g w,  dw = g (b - a)"""

    saved_inputs = (0, 1, 2)
    saved_as = (0, 1, 2)

    def forward(self, a, b, w):
        self.saved = (a, b, w)
        with _quiet(all="ignore"):  # inf - inf
            return a + w * (b - a)

    def backward(self, g):
        a, b, w = self.saved
        with _quiet(all="ignore"):
            return g * (1 - w), g * w, g * (b - a)


class NanToNumBackward0(Node):
    """out = x with nan, +inf, -inf replaced by numbers  |  dx = g where x is finite, else 0"""

    saved_inputs = (0,)
    saved_as = (None,)  # only tested for being finite

    def forward(self, x, nan=0.0, posinf=None, neginf=None):
        self.saved = (x,)
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, g):
        return (g * np.isfinite(self.saved[0]),)


class ToCopyBackward0(Node):
    """out = x converted to another dtype  |  dx = g converted back"""

    saved_as = ()

    def forward(self, x, dtype):
        return x.astype(dtype)

    def backward(self, g):
        return (g,)  # the engine casts it back to the input's dtype


class CloneBackward0(Node):
    """out = a copy of x  |  dx = g"""

    saved_as = ()

    def forward(self, x):
        return x.copy()

    def backward(self, g):
        return (g,)


# ---------------------------------------------------------------------------------------------
# writing into a tensor (copy_, fill_, zero_)
# ---------------------------------------------------------------------------------------------


class CopyBackwards(Node):
    """self <- src broadcast and converted to self's dtype  |  d self = 0,  d src = g"""

    saved_as = ()

    def forward(self, x, src):
        return np.broadcast_to(src, x.shape).astype(x.dtype, copy=True)

    def backward(self, g):
        return np.zeros_like(g), g


class FillBackward2(Node):
    """self <- a number everywhere  |  d self = 0"""

    saved_as = ()

    def forward(self, x, value):
        return np.full_like(x, value)

    def backward(self, g):
        return (np.zeros_like(g),)


class FillBackward3(Node):
    """self <- a 0-d tensor v everywhere  |  d self = 0,  dv = sum g"""

    saved_as = ()

    def forward(self, x, v):
        return np.full_like(x, v)

    def backward(self, g):
        return np.zeros_like(g), g.sum()


class ZeroBackward0(Node):
    """self <- 0  |  d self = 0"""

    saved_as = ()

    def forward(self, x):
        return np.zeros_like(x)

    def backward(self, g):
        return (np.zeros_like(g),)


