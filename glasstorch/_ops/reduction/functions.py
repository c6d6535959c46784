"""The reductions users call: ``torch.sum(x)`` and ``x.sum()`` are the same function.

Each one is a call into ``_checks`` (PyTorch's errors, the dims wrapped) and a few lines of
idea: which node runs, in which dtype. The nodes, with their math, are in ``nodes.py``.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor, _make, _wrap_dim, apply
from ...autograd.function import record
from ..pointwise.functions import isnan, maximum, minimum, where
from . import _checks
from .nodes import (
    AmaxBackward0,
    AminBackward0,
    CumsumBackward0,
    LinalgVectorNormBackward0,
    LogSoftmaxBackward0,
    LogsumexpBackward0,
    MaxBackward0,
    MaxBackward1,
    MeanBackward0,
    MeanBackward1,
    MinBackward0,
    MinBackward1,
    ProdBackward0,
    ProdBackward1,
    SoftmaxBackward0,
    SortBackward0,
    SortBackward1,
    StdBackward0,
    StdMeanBackward0,
    SumBackward0,
    SumBackward1,
    TopkBackward0,
    VarBackward0,
    VarMeanBackward0,
)

_returns: dict[str, type] = {}


def return_type(name: str, *values, fields: tuple = ("values", "indices")):
    """PyTorch's named tuples, e.g. ``torch.return_types.max(values=..., indices=...)``."""
    cls = _returns.get(name)
    if cls is None:
        base = namedtuple(name, fields)

        def __repr__(self):
            inner = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
            return f"torch.return_types.{name}(\n{inner})"

        cls = type(name, (base,), {"__repr__": __repr__, "__slots__": ()})
        cls.__module__ = "torch.return_types"
        _returns[name] = cls
    return cls(*values)


# ---------------------------------------------------------------------------------------------
# sums, means, spreads
# ---------------------------------------------------------------------------------------------


def _reduce_dtype(x: Tensor, dtype) -> np.dtype | None:
    """Sums of integers and bools accumulate in int64, as in PyTorch."""
    if dtype is not None:
        return D.to_dtype(dtype).np
    return np.dtype(np.int64) if x._data.dtype.kind in "biu" else None


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None,  # noqa: A001
        keepdims=None) -> Tensor:
    """Sum of all elements, or along ``dim`` (an int or a tuple of ints)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("sum", dim, keepdim, axis, keepdims)
    dims = _checks.dims(dim, input.ndim)
    dt = _reduce_dtype(input, dtype)
    if dims is None and not (dim is not None and keepdim):
        if dim is not None:
            return apply(SumBackward1, input, dims=None, keepdim=keepdim, dtype=dt)
        return apply(SumBackward0, input, dtype=dt)
    return apply(SumBackward1, input, dims=dims, keepdim=keepdim, dtype=dt)


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None) -> Tensor:
    """Average of all elements, or along ``dim``."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("mean", dim, keepdim, axis, keepdims)
    dims = _checks.mean(input, dim, dtype)
    x = input if dtype is None else input._cast(D.to_dtype(dtype))
    if dim is None:
        return apply(MeanBackward0, x)
    return apply(MeanBackward1, x, dims=dims, keepdim=keepdim)


def nanmean(input, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:
    """Mean of the elements that are not nan: sum of the others / their count."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("nanmean", dim, keepdim, axis, keepdims)
    _checks.nanmean(input)
    keep = isnan(input).logical_not()
    with np.errstate(all="ignore"):  # inf + -inf is nan, quietly as in PyTorch
        return sum(where(keep, input, 0.0), dim, keepdim) / sum(keep, dim, keepdim)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
        keepdims=None) -> Tensor:
    """Variance, by default with Bessel's correction (divide by N - 1)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("var", dim, keepdim, axis, keepdims)
    dims, corr, keepdim = _checks.var_args(input, dim, unbiased, keepdim, correction, "var")
    return apply(VarBackward0, input, dims=dims, correction=corr, keepdim=keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
        keepdims=None) -> Tensor:
    """Standard deviation, by default with Bessel's correction (divide by N - 1)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("std", dim, keepdim, axis, keepdims)
    dims, corr, keepdim = _checks.var_args(input, dim, unbiased, keepdim, correction, "std")
    return apply(StdBackward0, input, dims=dims, correction=corr, keepdim=keepdim)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
             keepdims=None):
    """(variance, mean) in one call."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("var_mean", dim, keepdim, axis, keepdims)
    dims, corr, keepdim = _checks.var_args(input, dim, unbiased, keepdim, correction, "var_mean")
    return apply(VarMeanBackward0, input, dims=dims, correction=corr, keepdim=keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
             keepdims=None):
    """(standard deviation, mean) in one call."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("std_mean", dim, keepdim, axis, keepdims)
    dims, corr, keepdim = _checks.var_args(input, dim, unbiased, keepdim, correction, "std_mean")
    return apply(StdMeanBackward0, input, dims=dims, correction=corr, keepdim=keepdim)


def prod(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None) -> Tensor:
    """Product of all elements, or along ``dim``."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("prod", dim, keepdim, axis, keepdims)
    dt = _reduce_dtype(input, dtype)
    if dim is None:
        return apply(ProdBackward0, input, dtype=dt)
    dims = _checks.dims(dim, input.ndim)
    return apply(ProdBackward1, input, dims=dims, keepdim=keepdim, dtype=dt)


# ---------------------------------------------------------------------------------------------
# extremes
# ---------------------------------------------------------------------------------------------


def _max_min(input, dim, keepdim, other, name, full_cls, dim_cls):
    """max and min: elementwise with a second tensor, of everything without ``dim``, the named
    tuple (values, indices) with it."""
    if isinstance(dim, Tensor) or other is not None:  # torch.max(a, b): elementwise
        b = dim if isinstance(dim, Tensor) else other
        return (maximum if name == "max" else minimum)(input, b)
    d = _checks.max_min(name, input, dim)
    if d is None:
        return apply(full_cls, input)
    if input.ndim == 0:  # a 0-d input is its own extreme, at index 0
        node = dim_cls()
        v, i = node.forward(input._data.reshape(1), 0, False)
        values, indices = record(node, (input,), (v.reshape(()), i.reshape(())), _make)
        node.shape, node.keepdim = (), True
        return return_type(name, values, indices)
    values, indices = apply(dim_cls, input, dim=d, keepdim=keepdim)
    return return_type(name, values, indices)


def max(input, dim=None, keepdim=False, *, other=None, axis=None, keepdims=None):  # noqa: A001
    """The largest element; with ``dim``, the named tuple (values, indices) along it."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("max", dim, keepdim, axis, keepdims)
    return _max_min(input, dim, keepdim, other, "max", MaxBackward1, MaxBackward0)


def min(input, dim=None, keepdim=False, *, other=None, axis=None, keepdims=None):  # noqa: A001
    """The smallest element; with ``dim``, the named tuple (values, indices) along it."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("min", dim, keepdim, axis, keepdims)
    return _max_min(input, dim, keepdim, other, "min", MinBackward1, MinBackward0)


def amax(input, dim=(), keepdim=False, *, axis=None, keepdims=None) -> Tensor:
    """The largest values over ``dim`` (all dims by default); ties share the gradient."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("amax", dim, keepdim, axis, keepdims, ())
    dims = _checks.amax("amax", input, dim)
    return apply(AmaxBackward0, input, dims=dims, keepdim=keepdim)


def amin(input, dim=(), keepdim=False, *, axis=None, keepdims=None) -> Tensor:
    """The smallest values over ``dim`` (all dims by default); ties share the gradient."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("amin", dim, keepdim, axis, keepdims, ())
    dims = _checks.amax("amin", input, dim)
    return apply(AminBackward0, input, dims=dims, keepdim=keepdim)


def _arg(np_fn, input, dim, keepdim):
    """argmax/argmin: int64 indices, of the flattened tensor unless ``dim``."""
    _checks.arg(np_fn.__name__, input, dim)
    if dim is None:
        r = np.asarray(np_fn(input._data.reshape(-1)))
        if keepdim:
            r = r.reshape((1,) * input.ndim)
        return _make(r.astype(np.int64))
    d = _wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return _make(np.zeros((), np.int64))
    return _make(np.asarray(np_fn(input._data, axis=d, keepdims=keepdim)).astype(np.int64))


def argmax(input, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:
    """Index of the largest element (the first one on ties), flattened unless ``dim``."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("argmax", dim, keepdim, axis, keepdims)
    return _arg(np.argmax, input, dim, keepdim)


def argmin(input, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:
    """Index of the smallest element (the first one on ties), flattened unless ``dim``."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("argmin", dim, keepdim, axis, keepdims)
    return _arg(np.argmin, input, dim, keepdim)


def all(input, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:  # noqa: A001
    """True if every element (along ``dim``) is non-zero."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("all", dim, keepdim, axis, keepdims)
    r = np.asarray(np.all(input._data, axis=_checks.dims(dim, input.ndim), keepdims=keepdim))
    return _make(r.astype(np.uint8) if input._data.dtype == np.uint8 else r)  # as PyTorch


def any(input, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:  # noqa: A001
    """True if some element (along ``dim``) is non-zero."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("any", dim, keepdim, axis, keepdims)
    r = np.asarray(np.any(input._data, axis=_checks.dims(dim, input.ndim), keepdims=keepdim))
    return _make(r.astype(np.uint8) if input._data.dtype == np.uint8 else r)


def count_nonzero(input, dim=None, *, axis=None) -> Tensor:
    """How many elements (along ``dim``) are non-zero."""
    if axis is not None:
        dim = _checks.axis("count_nonzero", dim, axis)
    return _make(np.asarray(np.count_nonzero(input._data, axis=_checks.dims(dim, input.ndim)),
                            dtype=np.int64))


# ---------------------------------------------------------------------------------------------
# softmax and friends, cumulative sums, norms
# ---------------------------------------------------------------------------------------------


def softmax(input, dim=None, dtype=None, *, axis=None) -> Tensor:
    """Turn scores into probabilities along ``dim`` (non-negative, summing to 1)."""
    if dim is None or axis is not None:
        dim = _checks.axis("softmax", dim, axis, required=True)
    x = input if dtype is None else input._cast(D.to_dtype(dtype))
    return apply(SoftmaxBackward0, x, dim=_checks.softmax(x, dim))


def log_softmax(input, dim=None, dtype=None, *, axis=None) -> Tensor:
    """log(softmax(x)), computed stably (never log of 0 from underflow)."""
    if dim is None or axis is not None:
        dim = _checks.axis("log_softmax", dim, axis, required=True)
    x = input if dtype is None else input._cast(D.to_dtype(dtype))
    return apply(LogSoftmaxBackward0, x, dim=_checks.softmax(x, dim))


def logsumexp(input, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:
    """log(sum(exp(input))) along ``dim``, computed stably."""
    if dim is None or axis is not None or keepdims is not None:
        dim, keepdim = _checks.numpy_names("logsumexp", dim, keepdim, axis, keepdims)
        _checks.missing("logsumexp", dim=dim)
    x = input if input.is_floating_point() else input.float()
    dims = _checks.dims(dim, x.ndim) or tuple(range(x.ndim))
    return apply(LogsumexpBackward0, x, dims=dims, keepdim=keepdim)


def cumsum(input, dim=None, *, dtype=None, axis=None) -> Tensor:
    """Running sums along ``dim`` (integers and bools add up in int64)."""
    if dim is None or axis is not None:
        dim = _checks.axis("cumsum", dim, axis, required=True)
    x = input if dtype is None else input._cast(D.to_dtype(dtype))
    if x._data.dtype.kind in "bui" and dtype is None:
        x = x._cast(D.int64)
    return apply(CumsumBackward0, x, dim=_wrap_dim(dim, x.ndim))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None) -> Tensor:
    """The p-norm of all elements (or along ``dim``); 'fro' is the 2-norm."""
    pv = 2.0 if p in ("fro", None) else float("inf") if p in ("inf", float("inf")) else p
    _checks.norm(input)
    dims = _checks.dims(dim, input.ndim)
    return apply(LinalgVectorNormBackward0, input, p=pv, dims=dims, keepdim=keepdim)


# ---------------------------------------------------------------------------------------------
# sorting
# ---------------------------------------------------------------------------------------------


def sort(input, dim=-1, descending=False, stable=False, *, axis=None):
    """Sorted values and the indices they came from, as a named tuple."""
    if axis is not None:
        dim = _checks.axis("sort", dim, axis, -1)
    node = SortBackward1 if stable else SortBackward0  # PyTorch's two overloads
    values, indices = apply(node, input, dim=_wrap_dim(dim, input.ndim),
                            descending=descending, stable=stable)
    return return_type("sort", values, indices)


def argsort(input, dim=-1, descending=False, stable=False, *, axis=None) -> Tensor:
    """The indices that sort ``input`` along ``dim``."""
    if axis is not None:
        dim = _checks.axis("argsort", dim, axis, -1)
    return sort(input, dim, descending, stable).indices


def topk(input, k, dim=-1, largest=True, sorted=True, *, axis=None):  # noqa: A002
    """The k largest (or smallest) elements along ``dim`` and their indices."""
    if axis is not None:
        dim = _checks.axis("topk", dim, axis, -1)
    d = _checks.topk(input, k, dim)
    values, indices = apply(TopkBackward0, input, k=k, dim=d, largest=largest)
    return return_type("topk", values, indices)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """The distinct values, sorted (of all elements, or the distinct slices along ``dim``); with
    ``return_inverse`` where each element's value is among them, with ``return_counts`` how
    often each occurs. Not differentiable (the values do not require grad)."""
    a = input._data
    if dim is None:
        vals, inv, counts = np.unique(a.reshape(-1), return_inverse=True, return_counts=True,
                                      equal_nan=False)  # (nan != nan: each is its own value)
        inv = inv.reshape(a.shape)
    else:
        d = _wrap_dim(dim, a.ndim)
        _checks.unique_dim(input, d)
        vals, inv, counts = np.unique(a, return_inverse=True, return_counts=True, axis=d,
                                      equal_nan=False)
        inv = inv.reshape(-1)
    out = [_make(vals)]
    if return_inverse:
        out.append(_make(inv.astype(np.int64)))
    if return_counts:
        out.append(_make(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


# ---------------------------------------------------------------------------------------------
# sum_to_size: the reverse of expand
# ---------------------------------------------------------------------------------------------


def sum_to_size(input, *size) -> Tensor:
    """Sum down to ``size``, a shape ``input`` can be expanded from (the gradient of expand):
    dims where ``size`` has 1 are summed and kept, leading extra dims summed away."""
    size = _checks.sum_to_size(input, size)
    if not size:  # (even of a 0-d tensor: a new one)
        return sum(input)
    if size == tuple(input.shape):
        return input
    lead = input.ndim - len(size)
    dims = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(size)
                                      if n == 1 and input.shape[lead + i] != 1)
    r = sum(input, dims, keepdim=True)
    return r.view(size) if lead else r
