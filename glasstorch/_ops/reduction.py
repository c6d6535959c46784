"""Reductions: operations that combine many elements into fewer (sum, mean, max, softmax ...).

Backward of a reduction spreads ``g`` back over the reduced dimensions: ``_expand_back`` puts
the removed dimensions back (as size 1) so NumPy broadcasting does the rest.
"""

from __future__ import annotations

import builtins
import math
import warnings
from collections import namedtuple

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap_dim, apply
from ..autograd.function import Node, record

_quiet = np.errstate


def _dims(dim, ndim: int) -> tuple | None:
    """Normalise ``dim`` (None, int, or a list/tuple of ints) to a sorted tuple or None."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
        dims = tuple(sorted(_wrap_dim(d, ndim) for d in dim))
        if len(set(dims)) != len(dims):
            raise RuntimeError("dim appears multiple times in the list of dims")
        return dims if ndim else ()
    d = _wrap_dim(dim, ndim)
    return (d,) if ndim else ()  # 0-d: dim 0 (or -1) is the tensor itself, no axis to reduce


def _axis(dims):
    return None if dims is None else dims


def _expand_back(g: np.ndarray, dims, keepdim: bool, shape: tuple) -> np.ndarray:
    """Give ``g`` (the gradient of a reduced result) back the reduced dims as size 1."""
    if keepdim or g.ndim == len(shape):
        return g
    if dims is None:
        return g.reshape((1,) * len(shape))
    return np.expand_dims(g, dims)


_returns: dict[str, type] = {}


def return_type(name: str, *values):
    """PyTorch's named tuples, e.g. ``torch.return_types.max(values=..., indices=...)``."""
    cls = _returns.get(name)
    if cls is None:
        base = namedtuple(name, ["values", "indices"])

        def __repr__(self):
            return (f"torch.return_types.{name}(\nvalues={self.values!r},\n"
                    f"indices={self.indices!r})")

        cls = type(name, (base,), {"__repr__": __repr__, "__slots__": ()})
        cls.__module__ = "torch.return_types"
        _returns[name] = cls
    return cls(*values)


# ---------------------------------------------------------------------------------------------


class SumBackward0(Node):
    """out = sum of all x  |  dx = g broadcast to x's shape"""

    def forward(self, x, dtype=None):
        self.shape = x.shape
        return np.asarray(x.sum(dtype=dtype))

    def backward(self, g):
        return (np.broadcast_to(g, self.shape),)


class SumBackward1(Node):
    """out = sum of x over dims  |  dx = g broadcast back over those dims"""

    def forward(self, x, dims=None, keepdim=False, dtype=None):
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        return np.asarray(x.sum(axis=dims, keepdims=keepdim, dtype=dtype))

    def backward(self, g):
        return (np.broadcast_to(_expand_back(g, self.dims, self.keepdim, self.shape),
                                self.shape),)


class MeanBackward0(Node):
    """out = mean of all x  |  dx = g / N"""

    def forward(self, x, dtype=None):
        self.shape = x.shape
        with _quiet(all="ignore"), warnings.catch_warnings():  # the mean of nothing is nan
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.asarray(x.mean(dtype=dtype))

    def backward(self, g):
        n = builtins.max(math.prod(self.shape), 1)
        return (np.broadcast_to(g / g.dtype.type(n) if n else g, self.shape),)


class MeanBackward1(Node):
    """out = mean of x over dims  |  dx = g / (number of elements averaged)"""

    def forward(self, x, dims=None, keepdim=False, dtype=None):
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        with _quiet(all="ignore"):
            return np.asarray(x.mean(axis=dims, keepdims=keepdim, dtype=dtype))

    def backward(self, g):
        n = math.prod(self.shape[d] for d in self.dims) if self.dims else math.prod(self.shape)
        g = _expand_back(g, self.dims, self.keepdim, self.shape)
        return (np.broadcast_to(g / g.dtype.type(builtins.max(n, 1)), self.shape),)


def _reduce_dtype(x: Tensor, dtype) -> np.dtype | None:
    """Sums of integers and bools accumulate in int64, as in PyTorch."""
    if dtype is not None:
        return D.to_dtype(dtype).np
    return np.dtype(np.int64) if x._data.dtype.kind in "biu" else None


def sum(input, dim=None, keepdim=False, *, dtype=None) -> Tensor:  # noqa: A001
    """Sum of all elements, or along ``dim`` (an int or a tuple of ints)."""
    dims = _dims(dim, input.ndim)
    dt = _reduce_dtype(input, dtype)
    if dims is None and not (dim is not None and keepdim):
        if dim is not None:
            return apply(SumBackward1, input, dims=None, keepdim=keepdim, dtype=dt)
        return apply(SumBackward0, input, dtype=dt)
    return apply(SumBackward1, input, dims=dims, keepdim=keepdim, dtype=dt)


def _check_mean_dtype(input, dtype, op="mean"):
    if dtype is None and input._data.dtype.kind != "f":
        raise RuntimeError(
            f"{op}(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input.dtype.scalar_name}\n[glasstorch] The tensor is "
            f"{input.dtype} (shape {list(input.shape)}); convert first: x.float().{op}() "
            "(integer tensors often hold labels or counts)."
        )


def mean(input, dim=None, keepdim=False, *, dtype=None) -> Tensor:
    """Average of all elements, or along ``dim``."""
    _check_mean_dtype(input, dtype)
    x = input if dtype is None else input._cast(D.to_dtype(dtype))
    dims = _dims(dim, input.ndim)
    if dim is None:
        return apply(MeanBackward0, x)
    return apply(MeanBackward1, x, dims=dims, keepdim=keepdim)


def nanmean(input, dim=None, keepdim=False) -> Tensor:
    """Mean of the elements that are not nan: sum of the others / their count."""
    if input._data.dtype.kind != "f":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but "
                           f"got {input.dtype.scalar_name}")
    from .pointwise import isnan, where

    keep = isnan(input).logical_not()
    return sum(where(keep, input, 0.0), dim, keepdim) / sum(keep, dim, keepdim)


class VarBackward0(Node):
    """out = sum((x - mean)**2) / (N - correction)  |  dx = g * 2 (x - mean) / (N - correction)"""

    saved_inputs = (0,)

    def forward(self, x, dims=None, correction=1, keepdim=False):
        self.saved = (x,)
        self.dims, self.correction, self.keepdim = dims, correction, keepdim
        with _quiet(all="ignore"):
            return np.asarray(_quiet_numpy(x.var, axis=dims, ddof=correction,
                                           keepdims=keepdim))

    def backward(self, g):
        (x,) = self.saved
        n = math.prod(x.shape[d] for d in self.dims) if self.dims else x.size
        g = _expand_back(g, self.dims, self.keepdim, x.shape)
        centred = x - x.mean(axis=self.dims, keepdims=True)
        with _quiet(all="ignore"):
            return (g * centred * (x.dtype.type(2) / x.dtype.type(n - self.correction)),)


class StdBackward0(Node):
    """out = sqrt(var(x))  |  dx = g * (x - mean) / ((N - correction) * out)"""

    saved_inputs = (0,)
    saves_output = True

    def forward(self, x, dims=None, correction=1, keepdim=False):
        self.dims, self.correction, self.keepdim = dims, correction, keepdim
        with _quiet(all="ignore"):
            out = np.asarray(_quiet_numpy(x.std, axis=dims, ddof=correction, keepdims=keepdim))
        self.saved = (x, out)
        return out

    def backward(self, g):
        x, out = self.saved
        n = math.prod(x.shape[d] for d in self.dims) if self.dims else x.size
        g = _expand_back(g, self.dims, self.keepdim, x.shape)
        out = _expand_back(out, self.dims, self.keepdim, x.shape)
        centred = x - x.mean(axis=self.dims, keepdims=True)
        with _quiet(all="ignore"):
            dx = g * centred / (out * x.dtype.type(n - self.correction))
        return (np.where(out == 0, np.zeros((), dx.dtype), dx),)  # constant input: 0, not nan


def _correction(unbiased, correction) -> int:
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _quiet_numpy(fn, **kwargs):
    """Call a NumPy reduction without its RuntimeWarnings (PyTorch warns in its own words)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(**kwargs)


def _var_args(input, dim, unbiased, keepdim, correction, op):
    if isinstance(dim, bool):  # torch.var(x, False): the second positional is `unbiased`
        unbiased, dim = dim, None
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"{op}(): input dtype should be either floating point or complex dtypes. Got "
            f"{input.dtype.scalar_name} instead."
        )
    dims, corr = _dims(dim, input.ndim), _correction(unbiased, correction)
    n = math.prod(input.shape[d] for d in dims) if dims is not None else input.numel()
    if n - corr <= 0:
        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    return dims, corr, keepdim


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None) -> Tensor:
    """Variance, by default with Bessel's correction (divide by N - 1)."""
    dims, corr, keepdim = _var_args(input, dim, unbiased, keepdim, correction, "var")
    return apply(VarBackward0, input, dims=dims, correction=corr, keepdim=keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None) -> Tensor:
    """Standard deviation, by default with Bessel's correction (divide by N - 1)."""
    dims, corr, keepdim = _var_args(input, dim, unbiased, keepdim, correction, "std")
    return apply(StdBackward0, input, dims=dims, correction=corr, keepdim=keepdim)


class VarMeanBackward0(Node):
    """(var, mean) of x over dims  |  dx = g_var * 2 (x - mean) / (N - c) + g_mean / N"""

    saved_inputs = (0,)
    spread = VarBackward0

    def forward(self, x, dims=None, correction=1, keepdim=False):
        self.saved = (x,)
        self.first = self.spread()
        first = self.first.forward(x, dims=dims, correction=correction, keepdim=keepdim)
        self.second = MeanBackward1()
        return first, self.second.forward(x, dims=dims, keepdim=keepdim)

    def backward(self, g_first, g_mean):
        (dx,) = self.first.backward(g_first)
        return (dx + self.second.backward(g_mean)[0],)


class StdMeanBackward0(VarMeanBackward0):
    """(std, mean) of x over dims  |  dx = g_std (x - mean) / ((N - c) std) + g_mean / N"""

    spread = StdBackward0


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(variance, mean) in one call."""
    dims, corr, keepdim = _var_args(input, dim, unbiased, keepdim, correction, "var_mean")
    return apply(VarMeanBackward0, input, dims=dims, correction=corr, keepdim=keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(standard deviation, mean) in one call."""
    dims, corr, keepdim = _var_args(input, dim, unbiased, keepdim, correction, "std_mean")
    return apply(StdMeanBackward0, input, dims=dims, correction=corr, keepdim=keepdim)


class ProdBackward0(Node):
    """out = product of x (over dims)  |  dx = g * product of the other elements"""

    saved_inputs = (0,)

    def forward(self, x, dims=None, keepdim=False, dtype=None):
        self.saved = (x,)
        self.dims, self.keepdim = dims, keepdim
        return np.asarray(x.prod(axis=dims, keepdims=keepdim, dtype=dtype))

    def backward(self, g):
        (x,) = self.saved
        g = _expand_back(g, self.dims, self.keepdim, x.shape)
        if x.size == 0 or x.ndim == 0:
            return (np.broadcast_to(g, x.shape).copy() if x.ndim == 0 else np.zeros_like(x),)
        axis = self.dims[0] if self.dims else None
        flat = x if axis is not None else x.reshape(-1)
        ax = axis if axis is not None else 0
        # product of the others = exclusive cumulative products from both sides (safe with 0s)
        ones = np.ones_like(np.take(flat, [0], axis=ax))
        left = np.cumprod(np.concatenate([ones, np.take(flat, range(flat.shape[ax] - 1),
                                                          axis=ax)], axis=ax), axis=ax)
        rev = np.flip(flat, ax)
        right = np.flip(np.cumprod(np.concatenate(
            [ones, np.take(rev, range(flat.shape[ax] - 1), axis=ax)], axis=ax), axis=ax), ax)
        others = (left * right).reshape(x.shape)
        return (g * others,)


class ProdBackward1(ProdBackward0):
    """out = product of x along dim  |  dx = g * product of the other elements"""


def prod(input, dim=None, keepdim=False, *, dtype=None) -> Tensor:
    """Product of all elements, or along ``dim``."""
    dt = _reduce_dtype(input, dtype)
    if dim is None:
        return apply(ProdBackward0, input, dtype=dt)
    return apply(ProdBackward1, input, dims=_dims(dim, input.ndim), keepdim=keepdim, dtype=dt)


class MaxBackward1(Node):
    """out = the largest element  |  dx = g shared equally by the elements equal to out"""

    saved_inputs = (0,)
    saves_output = True

    def forward(self, x):
        out = np.asarray(self.reduce(x))
        self.saved = (x, out)
        return out

    reduce = staticmethod(np.max)

    def backward(self, g):
        x, out = self.saved
        mask = x == out
        return (np.where(mask, g / mask.sum(dtype=g.dtype), 0).astype(g.dtype),)


class MinBackward1(MaxBackward1):
    """out = the smallest element  |  dx = g shared equally by the elements equal to out"""

    reduce = staticmethod(np.min)


class MaxBackward0(Node):
    """(values, indices) = max along dim  |  dx = g at each index, 0 elsewhere"""

    differentiable_outputs = (0,)

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
            return (np.asarray(g).reshape(()),)
        if not self.keepdim:
            g = np.expand_dims(g, self.dim)
        dx = np.zeros(self.shape, g.dtype)
        np.put_along_axis(dx, idx, g, axis=self.dim)
        return (dx,)


class MinBackward0(MaxBackward0):
    """(values, indices) = min along dim  |  dx = g at each index, 0 elsewhere"""

    arg = staticmethod(np.argmin)


def _max_min(input, dim, keepdim, other, name, full_cls, dim_cls):
    if isinstance(dim, Tensor):  # torch.max(a, b) is the elementwise maximum
        from . import pointwise

        return (pointwise.maximum if name == "max" else pointwise.minimum)(input, dim)
    if other is not None:
        from . import pointwise

        return (pointwise.maximum if name == "max" else pointwise.minimum)(input, other)
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return apply(full_cls, input)
    d = _wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        node = dim_cls()
        v, i = node.forward(input._data.reshape(1), 0, False)
        values, indices = record(node, (input,), (v.reshape(()), i.reshape(())), _make)
        node.shape, node.keepdim = (), True
        return return_type(name, values, indices)
    if input.shape[d] == 0:
        raise IndexError(
            f"{name}(): Expected reduction dim {d} to have non-zero size."
        )
    values, indices = apply(dim_cls, input, dim=d, keepdim=keepdim)
    return return_type(name, values, indices)


def max(input, dim=None, keepdim=False, *, other=None):  # noqa: A001
    """The largest element; with ``dim``, the named tuple (values, indices) along it."""
    return _max_min(input, dim, keepdim, other, "max", MaxBackward1, MaxBackward0)


def min(input, dim=None, keepdim=False, *, other=None):  # noqa: A001
    """The smallest element; with ``dim``, the named tuple (values, indices) along it."""
    return _max_min(input, dim, keepdim, other, "min", MinBackward1, MinBackward0)


class AmaxBackward0(Node):
    """out = max over dims  |  dx = g shared equally among the maximal elements"""

    saved_inputs = (0,)
    saves_output = True

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
        count = mask.sum(axis=self.dims, keepdims=True, dtype=g.dtype)
        return ((g / count) * mask,)


class AminBackward0(AmaxBackward0):
    """out = min over dims  |  dx = g shared equally among the minimal elements"""

    reduce = staticmethod(np.amin)


def _nonempty(name: str, input, dims) -> None:
    """max-like reductions have no value over an empty dim: PyTorch's IndexError."""
    if input._data.size == 0:
        if dims is None:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        for d in dims or range(input.ndim):
            if input.shape[d] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _amax_check(name: str, input, dims) -> None:
    if dims is None and input._data.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")
    _nonempty(name, input, dims)


def amax(input, dim=(), keepdim=False) -> Tensor:
    dims = _dims(dim, input.ndim)
    _amax_check("amax", input, dims)
    return apply(AmaxBackward0, input, dims=dims, keepdim=keepdim)


def amin(input, dim=(), keepdim=False) -> Tensor:
    dims = _dims(dim, input.ndim)
    _amax_check("amin", input, dims)
    return apply(AminBackward0, input, dims=dims, keepdim=keepdim)


def _arg(np_fn, input, dim, keepdim):
    name = np_fn.__name__
    if input._data.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    _nonempty(name, input, None if dim is None else _dims(dim, input.ndim))
    if dim is None:
        r = np.asarray(np_fn(input._data.reshape(-1)))
        if keepdim:
            r = r.reshape((1,) * input.ndim)
        return _make(r.astype(np.int64))
    d = _wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return _make(np.zeros((), np.int64))
    return _make(np.asarray(np_fn(input._data, axis=d, keepdims=keepdim)).astype(np.int64))


def argmax(input, dim=None, keepdim=False) -> Tensor:
    """Index of the largest element (the first one on ties), flattened unless ``dim``."""
    return _arg(np.argmax, input, dim, keepdim)


def argmin(input, dim=None, keepdim=False) -> Tensor:
    """Index of the smallest element (the first one on ties), flattened unless ``dim``."""
    return _arg(np.argmin, input, dim, keepdim)


def all(input, dim=None, keepdim=False) -> Tensor:  # noqa: A001
    r = np.asarray(np.all(input._data, axis=_dims(dim, input.ndim), keepdims=keepdim))
    return _make(r.astype(np.uint8) if input._data.dtype == np.uint8 else r)  # as PyTorch


def any(input, dim=None, keepdim=False) -> Tensor:  # noqa: A001
    r = np.asarray(np.any(input._data, axis=_dims(dim, input.ndim), keepdims=keepdim))
    return _make(r.astype(np.uint8) if input._data.dtype == np.uint8 else r)


def count_nonzero(input, dim=None) -> Tensor:
    return _make(np.asarray(np.count_nonzero(input._data, axis=_dims(dim, input.ndim)),
                            dtype=np.int64))


class SoftmaxBackward0(Node):
    """out_i = e^(x_i - m) / sum_j e^(x_j - m)  |  dx = out * (g - sum(g * out))"""

    saves_output = True

    def forward(self, x, dim):
        self.dim = dim
        with _quiet(all="ignore"):
            e = np.exp(x - x.max(axis=dim, keepdims=True, initial=-np.inf))  # (empty ok)
            out = e / e.sum(axis=dim, keepdims=True)
        self.saved = (out,)
        return out

    def backward(self, g):
        (out,) = self.saved
        return (out * (g - (g * out).sum(axis=self.dim, keepdims=True)),)


class LogSoftmaxBackward0(Node):
    """out_i = x_i - m - log sum_j e^(x_j - m)  |  dx = g - e^out * sum(g)"""

    saves_output = True

    def forward(self, x, dim):
        self.dim = dim
        with _quiet(all="ignore"):
            shifted = x - x.max(axis=dim, keepdims=True, initial=-np.inf)
            out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        self.saved = (out,)
        return out

    def backward(self, g):
        (out,) = self.saved
        return (g - np.exp(out) * g.sum(axis=self.dim, keepdims=True),)


def _softmax_input(input, dim, dtype):
    x = input if dtype is None else input._cast(D.to_dtype(dtype))
    d = _wrap_dim(dim, x.ndim)  # 0-d tensors take dim 0 or -1 only
    if x._data.dtype.kind != "f":
        raise NotImplementedError(
            f'"softmax_lastdim_kernel_impl" not implemented for \'{x.dtype.scalar_name}\''
        )
    return x, 0 if x.ndim == 0 else d


def softmax(input, dim, dtype=None) -> Tensor:
    """Turn scores into probabilities along ``dim`` (non-negative, summing to 1)."""
    x, d = _softmax_input(input, dim, dtype)
    return apply(SoftmaxBackward0, x, dim=d)


def log_softmax(input, dim, dtype=None) -> Tensor:
    """log(softmax(x)), computed stably (never log of 0 from underflow)."""
    x, d = _softmax_input(input, dim, dtype)
    return apply(LogSoftmaxBackward0, x, dim=d)


class LogsumexpBackward0(Node):
    """out = log sum e^x over dims  |  dx = g * e^(x - out)"""

    saved_inputs = (0,)
    saves_output = True

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
        return (g * np.exp(x - out),)


def logsumexp(input, dim, keepdim=False) -> Tensor:
    x = input if input.is_floating_point() else input.float()
    return apply(LogsumexpBackward0, x, dims=_dims(dim, x.ndim) or tuple(range(x.ndim)),
                 keepdim=keepdim)


class CumsumBackward0(Node):
    """out_i = sum_{j<=i} x_j  |  dx_i = sum_{j>=i} g_j"""

    def forward(self, x, dim):
        self.dim = dim
        return np.cumsum(x, axis=dim) if x.ndim else x.copy()  # NumPy would make 0-d 1-d

    def backward(self, g):
        if g.ndim == 0:
            return (g,)
        return (np.flip(np.cumsum(np.flip(g, self.dim), axis=self.dim), self.dim),)


def cumsum(input, dim, *, dtype=None) -> Tensor:
    x = input if dtype is None else input._cast(D.to_dtype(dtype))
    if x._data.dtype.kind in "bui" and dtype is None:
        x = x._cast(D.int64)
    return apply(CumsumBackward0, x, dim=_wrap_dim(dim, x.ndim))


class LinalgVectorNormBackward0(Node):
    """out = (sum |x|^p)^(1/p)  |  dx = g * x |x|^(p-2) / out^(p-1)"""

    saved_inputs = (0,)
    saves_output = True

    def forward(self, x, p=2.0, dims=None, keepdim=False):
        self.p, self.dims, self.keepdim = p, dims, keepdim
        a = np.abs(x)
        if p == float("inf"):
            out = a.max(axis=dims, keepdims=keepdim)
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
        p = self.p
        with _quiet(all="ignore"):
            if p == 2:
                r = g * x / out
            elif p == 1:
                r = g * np.sign(x)
            elif p == float("inf"):
                mask = np.abs(x) == out
                r = g * np.sign(x) * mask / mask.sum(axis=self.dims, keepdims=True)
            elif p == 0:
                r = np.zeros_like(x)
            else:
                r = g * x * np.abs(x) ** (p - 2) / out ** (p - 1)
        return (np.where(out == 0, 0, r).astype(x.dtype),)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None) -> Tensor:
    """The p-norm of all elements (or along ``dim``); 'fro' is the 2-norm."""
    pv = 2.0 if p in ("fro", None) else float("inf") if p in ("inf", float("inf")) else p
    if not input.is_floating_point():
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {input.dtype.scalar_name}")
    x = input
    return apply(LinalgVectorNormBackward0, x, p=pv, dims=_dims(dim, x.ndim), keepdim=keepdim)


class SortBackward0(Node):
    """(values, indices) = sort along dim  |  dx = g scattered back to the original positions"""

    differentiable_outputs = (0,)

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
            return (np.asarray(g).sum().reshape(()),)
        dx = np.zeros(self.shape, g.dtype)
        np.put_along_axis(dx, idx, g, axis=self.dim)
        return (dx,)


class SortBackward1(SortBackward0):
    """(values, indices) = stable sort along dim  |  dx = g scattered back"""


def sort(input, dim=-1, descending=False, stable=False):
    """Sorted values and the indices they came from, as a named tuple."""
    node = SortBackward1 if stable else SortBackward0  # PyTorch's two overloads
    values, indices = apply(node, input, dim=_wrap_dim(dim, input.ndim),
                            descending=descending, stable=stable)
    return return_type("sort", values, indices)


def argsort(input, dim=-1, descending=False, stable=False) -> Tensor:
    return sort(input, dim, descending, stable).indices


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


def topk(input, k, dim=-1, largest=True, sorted=True):  # noqa: A002
    """The k largest (or smallest) elements along ``dim`` and their indices."""
    if input.dtype is D.bool:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if k > n or k < 0:
        raise RuntimeError("selected index k out of range")
    values, indices = apply(TopkBackward0, input, k=k, dim=d, largest=largest)
    return return_type("topk", values, indices)


TENSOR_METHODS = (
    "sum", "mean", "nanmean", "var", "std", "prod", "max", "min", "amax", "amin", "argmax",
    "argmin", "all", "any", "count_nonzero", "softmax", "log_softmax", "logsumexp", "cumsum",
    "norm", "sort", "argsort", "topk",
)
