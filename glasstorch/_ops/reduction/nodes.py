"""The nodes of the reductions: forward and backward side by side, the math in the docstring
(``forward | backward``).

Backward of a reduction spreads ``g`` back over the reduced dimensions: ``_expand_back`` puts
the removed dimensions back (as size 1) so NumPy broadcasting does the rest. The functions that
run these nodes are in ``functions.py``.
"""

from __future__ import annotations

import builtins
import math
import warnings

import numpy as np

from ..._numpy_protocol import put_along_axis
from ...autograd.function import Node

_quiet = np.errstate


def _expand_back(g: np.ndarray, dims, keepdim: bool, shape: tuple) -> np.ndarray:
    """Give ``g`` (the gradient of a reduced result) back the reduced dims as size 1."""
    if keepdim or g.ndim == len(shape):
        return g
    if dims is None:
        return g.reshape((1,) * len(shape))
    return np.expand_dims(g, dims)


def _centred(x: np.ndarray, dims) -> np.ndarray:
    """x - its mean over dims; an empty x has no mean to subtract (NumPy would warn)."""
    return x - np.mean(x, axis=dims, keepdims=True) if math.prod(x.shape) else x


def _ratio(a: float, b: float) -> float:
    """a / b as a Python float (inf or nan for b = 0, as NumPy's division gives): a Python
    number keeps the dtype of the array it multiplies."""
    with _quiet(all="ignore"):
        return float(np.float64(a) / b)


def _quiet_numpy(fn, **kwargs):
    """Call a NumPy reduction without its RuntimeWarnings (PyTorch warns in its own words)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(**kwargs)


# ---------------------------------------------------------------------------------------------
# sums, means, spreads
# ---------------------------------------------------------------------------------------------


class SumBackward0(Node):
    """out = sum of all x  |  dx = g broadcast to x's shape"""

    saved_as = ()

    def forward(self, x, dtype=None):
        self.shape = x.shape
        # np.add.reduce is what x.sum() runs; called from here, a warning on inf + -inf is
        # attributed to this line and so hidden by glasstorch's filter, as PyTorch is silent
        return np.asarray(np.add.reduce(x, axis=None, dtype=dtype))

    def backward(self, g):
        return (np.broadcast_to(g, self.shape),)


class SumBackward1(Node):
    """out = sum of x over dims  |  dx = g broadcast back over those dims"""

    saved_as = ()

    def forward(self, x, dims=None, keepdim=False, dtype=None):
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        return np.asarray(np.add.reduce(x, axis=dims, keepdims=keepdim, dtype=dtype))

    def backward(self, g):
        return (np.broadcast_to(_expand_back(g, self.dims, self.keepdim, self.shape),
                                self.shape),)


class MeanBackward0(Node):
    """out = mean of all x  |  dx = g / N"""

    saved_as = ()

    def forward(self, x, dtype=None):
        self.shape = x.shape
        with _quiet(all="ignore"), warnings.catch_warnings():  # the mean of nothing is nan
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.asarray(x.mean(dtype=dtype))

    def backward(self, g):
        return (np.broadcast_to(g / builtins.max(math.prod(self.shape), 1), self.shape),)


class MeanBackward1(Node):
    """out = mean of x over dims  |  dx = g / (number of elements averaged)"""

    saved_as = ()

    def forward(self, x, dims=None, keepdim=False, dtype=None):
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        if x.size == 0:  # the mean of nothing is nan, without NumPy's warning
            return np.asarray(_quiet_numpy(x.mean, axis=dims, keepdims=keepdim, dtype=dtype))
        with _quiet(all="ignore"):
            return np.asarray(x.mean(axis=dims, keepdims=keepdim, dtype=dtype))

    def backward(self, g):
        n = math.prod(self.shape[d] for d in self.dims) if self.dims else math.prod(self.shape)
        g = _expand_back(g, self.dims, self.keepdim, self.shape)
        return (np.broadcast_to(g / builtins.max(n, 1), self.shape),)


class VarBackward0(Node):
    """out = sum((x - mean)**2) / (N - correction)  |  dx = g * 2 (x - mean) / (N - correction)"""

    saved_inputs = (0,)
    saved_as = (0,)

    def forward(self, x, dims=None, correction=1, keepdim=False):
        self.saved = (x,)
        self.dims, self.correction, self.keepdim = dims, correction, keepdim
        with _quiet(all="ignore"):
            return np.asarray(_quiet_numpy(x.var, axis=dims, ddof=correction,
                                           keepdims=keepdim))

    def backward(self, g):
        (x,) = self.saved
        n = math.prod(x.shape[d] for d in self.dims) if self.dims else math.prod(x.shape)
        g = _expand_back(g, self.dims, self.keepdim, x.shape)
        with _quiet(all="ignore"):
            return (g * _centred(x, self.dims) * _ratio(2, n - self.correction),)


class StdBackward0(Node):
    """out = sqrt(var(x))  |  dx = g / out * (x - mean) / (N - correction)  (0 where out = 0)"""

    saved_inputs = (0,)
    saves_output = True
    saved_as = (0, "out")

    def forward(self, x, dims=None, correction=1, keepdim=False):
        self.dims, self.correction, self.keepdim = dims, correction, keepdim
        with _quiet(all="ignore"):
            out = np.asarray(_quiet_numpy(x.std, axis=dims, ddof=correction, keepdims=keepdim))
        self.saved = (x, out)
        return out

    def backward(self, g):
        x, out = self.saved
        n = math.prod(x.shape[d] for d in self.dims) if self.dims else math.prod(x.shape)
        g = _expand_back(g, self.dims, self.keepdim, x.shape)
        out = _expand_back(out, self.dims, self.keepdim, x.shape)
        with _quiet(all="ignore"):  # (a constant input: 0, not nan)
            return (np.where(out == 0, 0, g / out) * _centred(x, self.dims)
                    * _ratio(1, n - self.correction),)


class VarMeanBackward0(Node):
    """(var, mean) of x over dims  |  dx = g_var * 2 (x - mean) / (N - c) + g_mean / N"""

    saved_inputs = (0,)
    saved_as = (0,)
    spread = VarBackward0

    def forward(self, x, dims=None, correction=1, keepdim=False):
        self.first = self.spread()
        first = self.first.forward(x, dims=dims, correction=correction, keepdim=keepdim)
        self.saved = self.first.saved  # x (and the std)
        self.second = MeanBackward1()
        return first, self.second.forward(x, dims=dims, keepdim=keepdim)

    def backward(self, g_first, g_mean):
        self.first.saved = self.saved  # (tensors, under create_graph)
        (dx,) = self.first.backward(g_first)
        return (dx + self.second.backward(g_mean)[0],)


class StdMeanBackward0(VarMeanBackward0):
    """(std, mean) of x over dims  |  dx = g_std (x - mean) / ((N - c) std) + g_mean / N"""

    saved_as = (0, ("out", 0))
    spread = StdBackward0


class ProdBackward0(Node):
    """out = product of x (over dims)  |  dx = g * product of the other elements"""

    saved_inputs = (0,)
    saved_as = (0,)

    def forward(self, x, dims=None, keepdim=False, dtype=None):
        self.saved = (x,)
        self.dims, self.keepdim = dims, keepdim
        with _quiet(all="ignore"):  # inf * 0 is nan, quietly as in PyTorch
            return np.asarray(x.prod(axis=dims, keepdims=keepdim, dtype=dtype))

    def backward(self, g):
        (x,) = self.saved
        g = _expand_back(g, self.dims, self.keepdim, x.shape)
        if x.ndim == 0:
            return (g,)
        if math.prod(x.shape) == 0:
            return (np.zeros_like(x),)
        if self.dims:
            return (g * _others_product(x, self.dims[0]),)
        return (g * _others_product(x.reshape(-1), 0).reshape(x.shape),)


def _others_product(x, axis: int):
    """For every element, the product of the other elements along ``axis`` (safe with zeros:
    nothing is divided): exclusive cumulative products from both sides, multiplied."""
    if hasattr(x, "_data"):  # create_graph: glasstorch has no cumprod; the product of x with
        # element i set to 1, for every i at once (n times the memory, fine for a formula)
        n = x.shape[axis]
        rows = np.where(np.eye(n, dtype=bool), 1, np.expand_dims(np.moveaxis(x, axis, -1), -2))
        return np.moveaxis(rows.prod(-1), -1, axis)
    ones = np.ones_like(np.take(x, [0], axis=axis))
    with _quiet(all="ignore"):
        left = np.cumprod(np.concatenate([ones, np.take(x, range(x.shape[axis] - 1),
                                                        axis=axis)], axis=axis), axis=axis)
        rev = np.flip(x, axis)
        right = np.flip(np.cumprod(np.concatenate(
            [ones, np.take(rev, range(x.shape[axis] - 1), axis=axis)], axis=axis), axis=axis),
            axis)
        return left * right


class ProdBackward1(ProdBackward0):
    """out = product of x along dim  |  dx = g * product of the other elements"""


# ---------------------------------------------------------------------------------------------
# extremes
# ---------------------------------------------------------------------------------------------


class MaxBackward1(Node):
    """out = the largest element  |  dx = g shared equally by the elements equal to out"""

    saved_inputs = (0,)
    saves_output = True
    saved_as = (None, None)  # only compared: which elements are the maximum

    def forward(self, x):
        out = np.asarray(self.reduce(x))
        self.saved = (x, out)
        return out

    reduce = staticmethod(np.max)

    def backward(self, g):
        x, out = self.saved
        mask = x == out
        with _quiet(all="ignore"):  # a nan maximum matches nothing: 0 / 0
            return (np.where(mask, g / np.count_nonzero(mask), 0),)


class MinBackward1(MaxBackward1):
    """out = the smallest element  |  dx = g shared equally by the elements equal to out"""

    reduce = staticmethod(np.min)


class MaxBackward0(Node):
    """(values, indices) = max along dim  |  dx = g at each index, 0 elsewhere"""

    differentiable_outputs = (0,)
    saved_as = (None,)

    def forward(self, x, dim, keepdim=False):
        idx = self.arg(x, axis=dim, keepdims=True)
        values = np.take_along_axis(x, idx, axis=dim)
        self.saved = (idx,)
        self.shape, self.dim, self.keepdim = x.shape, dim, keepdim
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return values, idx.astype(np.int64, copy=False)

    arg = staticmethod(np.argmax)

    def backward(self, g, g_idx=None):
        (idx,) = self.saved
        if not self.shape:  # a 0-d input is its own maximum
            return (g.reshape(()),)
        if not self.keepdim:
            g = np.expand_dims(g, self.dim)
        return (put_along_axis(g, self.shape, idx, self.dim),)


class MinBackward0(MaxBackward0):
    """(values, indices) = min along dim  |  dx = g at each index, 0 elsewhere"""

    arg = staticmethod(np.argmin)


class AmaxBackward0(Node):
    """out = max over dims  |  dx = g shared equally among the maximal elements"""

    saved_inputs = (0,)
    saves_output = True
    saved_as = (None, None)  # only compared

    def forward(self, x, dims=None, keepdim=False):
        out = np.asarray(self.reduce(x, axis=dims, keepdims=keepdim))
        self.saved = (x, out)
        self.dims, self.keepdim = dims, keepdim
        return out

    reduce = staticmethod(np.amax)

    def backward(self, g):
        x, out = self.saved
        g = _expand_back(g, self.dims, self.keepdim, x.shape)
        out = _expand_back(out, self.dims, self.keepdim, x.shape)
        mask = x == out
        count = np.sum(mask, axis=self.dims, keepdims=True, dtype=g.dtype)
        with _quiet(all="ignore"):  # a nan maximum matches nothing: 0 / 0
            return ((g / count) * mask,)


class AminBackward0(AmaxBackward0):
    """out = min over dims  |  dx = g shared equally among the minimal elements"""

    reduce = staticmethod(np.amin)


# ---------------------------------------------------------------------------------------------
# softmax and friends, cumulative sums, norms
# ---------------------------------------------------------------------------------------------


def _many_short_rows(a, dim: int) -> bool:
    """Whether ``dim`` is the last axis of at least 128 rows of at most 64 elements: where
    NumPy's reductions along it are slow (see _softmax)."""
    return (a.ndim >= 2 and dim % a.ndim == a.ndim - 1 and 0 < a.shape[-1] <= 64
            and a.size >= 128 * a.shape[-1])


def _softmax(x: np.ndarray, dim: int, log: bool) -> np.ndarray:
    """softmax(x) or log_softmax(x) along ``dim``: e^(x - m) / sum e^(x - m), m = max x.

    The max is taken once and the rest runs in place on one fresh buffer. A short last axis
    (a classifier's classes) is first moved to the front: NumPy reduces a contiguous row of
    a few dozen elements one row at a time, at several ns an element (the max over 30 classes
    of 1,024 rows took ~190 us), but reduces over the first axis as elementwise operations on
    whole rows (~5 us); the two transposing copies cost far less than they save, once there
    are a hundred rows or so."""
    front = _many_short_rows(x, dim)
    if front:
        out, axis = np.ascontiguousarray(np.moveaxis(x, dim, 0)), 0
    else:
        out, axis = np.array(x, copy=True), dim
    with _quiet(all="ignore"):
        out -= out.max(axis=axis, keepdims=True, initial=-np.inf)  # (initial: empty is ok)
        if log:
            out -= np.log(np.add.reduce(np.exp(out), axis=axis, keepdims=True))
        else:
            np.exp(out, out=out)
            out /= np.add.reduce(out, axis=axis, keepdims=True)
    return np.ascontiguousarray(np.moveaxis(out, 0, dim)) if front else out


def _row_sums(a, dim: int):
    """sum(a) over ``dim``, kept as a size-1 dim (the softmaxes' backward). For many short
    rows of a plain float array, one matrix-vector product with ones: NumPy's sum reduces
    such rows one at a time (see _softmax), BLAS does the 1,024 x 30 product in a few us.
    (Under create_graph=True ``a`` is a tensor and takes the ordinary sum.)"""
    if type(a) is np.ndarray and a.dtype in (np.float32, np.float64) and _many_short_rows(a, dim):
        return (a @ np.ones(a.shape[-1], a.dtype))[..., None]
    return np.add.reduce(a, axis=dim, keepdims=True)


class SoftmaxBackward0(Node):
    """out_i = e^(x_i - m) / sum_j e^(x_j - m)  |  dx = out * (g - sum(g * out))"""

    saves_output = True
    saved_as = ("out",)

    def forward(self, x, dim):
        self.dim = dim
        out = _softmax(x, dim, log=False)
        self.saved = (out,)
        return out

    def backward(self, g):
        (out,) = self.saved
        # (no in-place tricks here: create_graph=True replays this formula on tensors)
        return (out * (g - _row_sums(g * out, self.dim)),)


class LogSoftmaxBackward0(Node):
    """out_i = x_i - m - log sum_j e^(x_j - m)  |  dx = g - e^out * sum(g)"""

    saves_output = True
    saved_as = ("out",)

    def forward(self, x, dim):
        self.dim = dim
        out = _softmax(x, dim, log=True)
        self.saved = (out,)
        return out

    def backward(self, g):
        (out,) = self.saved
        return (g - np.exp(out) * _row_sums(g, self.dim),)


class LogsumexpBackward0(Node):
    """out = log sum e^x over dims  |  dx = g * e^(x - out)"""

    saved_inputs = (0,)
    saves_output = True
    saved_as = (0, "out")

    def forward(self, x, dims, keepdim=False):
        self.dims, self.keepdim = dims, keepdim
        m = x.max(axis=dims, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, 0)
        with _quiet(all="ignore"):
            out = np.log(np.exp(x - m).sum(axis=dims, keepdims=True)) + m
        if not keepdim:
            out = out.squeeze(dims)
        self.saved = (x, out)
        return out

    def backward(self, g):
        x, out = self.saved
        g = _expand_back(g, self.dims, self.keepdim, x.shape)
        out = _expand_back(out, self.dims, self.keepdim, x.shape)
        with _quiet(all="ignore"):  # inf - inf
            return (g * np.exp(x - out),)


class CumsumBackward0(Node):
    """out_i = sum_{j<=i} x_j  |  dx_i = sum_{j>=i} g_j"""

    saved_as = ()

    def forward(self, x, dim):
        self.dim = dim
        if not x.ndim:
            return x.copy()  # NumPy would make 0-d 1-d
        with _quiet(all="ignore"):  # inf + -inf
            return np.cumsum(x, axis=dim)

    def backward(self, g):
        if g.ndim == 0:
            return (g,)
        return (np.flip(np.cumsum(np.flip(g, self.dim), axis=self.dim), self.dim),)


class LinalgVectorNormBackward0(Node):
    """out = (sum |x|^p)^(1/p) (p = +-inf: max/min |x|, p = 0: count of non-zeros)  |
    dx = g sign(x) |x|^(p-1) / out^(p-1) (p = +-inf: g sign(x) shared among the extreme |x|)"""

    saved_inputs = (0,)
    saves_output = True
    saved_as = (0, "out")

    def forward(self, x, p=2.0, dims=None, keepdim=False, dtype=None):
        if dtype is not None and x.dtype != dtype:  # linalg.vector_norm(..., dtype=)
            x = x.astype(dtype)
        self.p, self.dims, self.keepdim = p, dims, keepdim
        a = np.abs(x)
        with _quiet(all="ignore"):  # overflow to inf, 0 ** -1
            if p == float("inf"):
                out = a.max(axis=dims, keepdims=keepdim)
            elif p == -float("inf"):
                out = a.min(axis=dims, keepdims=keepdim)
            elif p == 2:
                out = np.sqrt((x * x).sum(axis=dims, keepdims=keepdim))
            elif p == 1:
                out = a.sum(axis=dims, keepdims=keepdim)
            elif p == 0:
                out = (x != 0).sum(axis=dims, keepdims=keepdim).astype(x.dtype)
            else:
                out = (a ** p).sum(axis=dims, keepdims=keepdim) ** (1 / p)
        out = np.asarray(out, dtype=x.dtype)
        self.saved = (x, out)
        return out

    def backward(self, g):
        x, out = self.saved
        g = _expand_back(g, self.dims, self.keepdim, x.shape)
        out = _expand_back(out, self.dims, self.keepdim, x.shape)
        p = float(self.p)  # (a Python float keeps x's dtype in x ** p)
        with _quiet(all="ignore"):  # (the cases and the masks are PyTorch's norm_backward's)
            if p == 0:  # PyTorch: no gradient at all (x.grad stays None)
                return (None,)
            if p == 1:
                return (np.sign(x) * g,)
            if p == 2:
                return (g * np.where(out == 0, 0, x / out),)
            if abs(p) == float("inf"):
                a = np.abs(x)
                mask = (a == out) | np.isnan(a)
                count = np.sum(mask, axis=self.dims, keepdims=True, dtype=x.dtype)
                return (np.sign(x) * (g / count * mask),)
            if p < 1:
                scaled = np.sign(x) * np.where(x == 0, 0, np.abs(x) ** (p - 1))
                return (scaled * g * out ** (1 - p),)
            scaled = np.sign(x) * np.abs(x) ** (p - 1) if p < 2 else x * np.abs(x) ** (p - 2)
            return (scaled * np.where(out == 0, 0, g / out ** (p - 1)),)


# ---------------------------------------------------------------------------------------------
# sorting
# ---------------------------------------------------------------------------------------------


class SortBackward0(Node):
    """(values, indices) = sort along dim  |  dx = g scattered back to the original positions"""

    differentiable_outputs = (0,)
    saved_as = (None,)

    def forward(self, x, dim, descending=False, stable=False):
        if x.ndim == 0:  # a single element is sorted
            self.saved, self.shape = (None,), ()
            return x.copy(), np.zeros((), np.int64)
        if descending:
            # a stable descending order that keeps ties in their original order, as PyTorch's
            idx = np.flip(np.argsort(np.flip(x, dim), axis=dim, kind="stable"), dim)
            idx = x.shape[dim] - 1 - idx if x.ndim else idx
        else:
            idx = np.argsort(x, axis=dim, kind="stable")
        self.saved = (idx,)
        self.dim, self.shape = dim, x.shape
        return np.take_along_axis(x, idx, axis=dim), idx.astype(np.int64)

    def backward(self, g, g_idx=None):
        (idx,) = self.saved
        if not self.shape:
            return (g.sum().reshape(()),)
        return (put_along_axis(g, self.shape, idx, self.dim),)


class SortBackward1(SortBackward0):
    """(values, indices) = stable sort along dim  |  dx = g scattered back"""


class TopkBackward0(SortBackward0):
    """(values, indices) = the k largest along dim  |  dx = g scattered to those positions"""

    def forward(self, x, k, dim, largest=True, sorted=True):  # noqa: A002
        if x.ndim == 0:  # a single element: itself, or nothing
            self.saved, self.shape = (None,), ()
            return (x.copy(), np.zeros((), np.int64)) if k else \
                (np.zeros((0,), x.dtype), np.zeros((0,), np.int64))
        values, idx = SortBackward0.forward(self, x, dim, descending=largest)
        sl = [slice(None)] * x.ndim
        sl[dim] = slice(0, k)
        idx = idx[tuple(sl)]
        self.saved = (idx,)
        return values[tuple(sl)], idx


