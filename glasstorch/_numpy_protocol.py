"""How tensors meet NumPy's functions.

Outside backward, glasstorch behaves as PyTorch does: ``np.exp(t)`` converts ``t`` with
``__array__`` (which refuses a tensor that requires grad) and wraps the result back into a
tensor (``__array_wrap__``); ``np.where(t > 0, t, 0)`` gives a NumPy array.

Inside a backward run with ``create_graph=True`` the engine switches :func:`recording` on.
Each node's backward formula is NumPy code (``np.where(x > 0, g, 0)``, ``g * np.cos(x)``); while
recording, tensors take part in NumPy's dispatch protocols (``__array_ufunc__`` and
``__array_function__``), so those very calls run as glasstorch operations on tensors and are
recorded in the graph. That is how one formula gives both the gradient and, when asked, a
gradient that can be differentiated again.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np


def _ufuncs() -> dict:
    """NumPy ufunc -> the glasstorch function that computes it on tensors."""
    import glasstorch as G

    return {
        np.add: G.add, np.subtract: G.sub, np.multiply: G.mul, np.true_divide: G.div,
        np.negative: G.neg, np.positive: lambda x: x, np.power: G.pow, np.float_power: G.pow,
        np.exp: G.exp, np.exp2: G.exp2, np.expm1: G.expm1, np.log: G.log, np.log2: G.log2,
        np.log10: G.log10, np.log1p: G.log1p, np.sqrt: G.sqrt, np.square: G.square,
        np.reciprocal: G.reciprocal, np.sin: G.sin, np.cos: G.cos, np.tan: G.tan,
        np.tanh: G.tanh, np.absolute: G.abs, np.sign: G.sign, np.maximum: G.maximum,
        np.minimum: G.minimum, np.floor: G.floor, np.ceil: G.ceil, np.matmul: G.matmul,
        np.greater: G.gt, np.greater_equal: G.ge, np.less: G.lt, np.less_equal: G.le,
        np.equal: G.eq, np.not_equal: G.ne, np.logical_and: G.logical_and,
        np.logical_or: G.logical_or, np.logical_not: G.logical_not, np.isnan: G.isnan,
        np.isfinite: G.isfinite, np.isinf: G.isinf,
    }


def _functions() -> dict:
    """NumPy function -> a glasstorch equivalent taking NumPy's arguments."""
    import glasstorch as G

    def _sum(a, axis=None, dtype=None, out=None, keepdims=False, **_):
        return a.sum() if axis is None and not keepdims else G.sum(
            a, dim=tuple(range(a.ndim)) if axis is None else axis, keepdim=keepdims)

    def _like(fill):
        return lambda a, dtype=None, **_: G.full_like(a, fill)

    return {
        np.where: lambda c, x, y: G.where(c, x, y),
        np.zeros_like: _like(0), np.ones_like: _like(1),
        np.full_like: lambda a, fill_value, dtype=None, **_: G.full_like(a, fill_value),
        np.broadcast_to: lambda a, shape, **_: _tensor(a).expand(*shape),
        np.sum: _sum,
        np.reshape: lambda a, shape, **_: _tensor(a).reshape(shape),
        np.transpose: lambda a, axes=None: _tensor(a).permute(
            *(reversed(range(a.ndim)) if axes is None else axes)),
        np.swapaxes: lambda a, a1, a2: _tensor(a).transpose(a1, a2),
        np.moveaxis: lambda a, src, dst: G.movedim(_tensor(a), src, dst),
        np.expand_dims: lambda a, axis: _tensor(a).unsqueeze(axis),
        np.squeeze: lambda a, axis=None: _tensor(a).squeeze() if axis is None
        else _tensor(a).squeeze(axis),
        np.flip: lambda a, axis=None: G.flip(
            _tensor(a), tuple(range(a.ndim)) if axis is None else
            (axis if isinstance(axis, tuple) else (axis,))),
        np.concatenate: lambda arrays, axis=0, **_: G.cat([_tensor(a) for a in arrays], axis),
        np.stack: lambda arrays, axis=0, **_: G.stack([_tensor(a) for a in arrays], axis),
        np.clip: lambda a, lo, hi, **_: G.clamp(_tensor(a), lo, hi),
        np.take_along_axis: lambda a, idx, axis: G.take_along_dim(_tensor(a), _tensor(idx),
                                                                   axis),
        np.diagonal: lambda a, offset=0, axis1=0, axis2=1: G.diagonal(_tensor(a), offset,
                                                                      axis1, axis2),
        np.outer: lambda a, b, **_: G.outer(_tensor(a), _tensor(b)),
        np.tril: lambda a, k=0: G.tril(_tensor(a), k),
        np.triu: lambda a, k=0: G.triu(_tensor(a), k),
    }


def _tensor(x):
    """An array inside a backward formula is a constant: a tensor that needs no gradient."""
    from ._tensor import Tensor, _make

    return x if isinstance(x, Tensor) else _make(np.asarray(x))


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    fn = _UFUNCS.get(ufunc) if method == "__call__" and not kwargs else None
    if fn is None:
        raise RuntimeError(
            f"[glasstorch] create_graph=True: np.{ufunc.__name__} ({method}) has no recorded "
            "tensor version; this backward formula cannot be differentiated again."
        )
    from ._tensor import Tensor

    args = [_tensor(x) if isinstance(x, np.ndarray) and not isinstance(x, Tensor) else x
            for x in inputs]
    return fn(*args)


def _array_function(self, func, types, args, kwargs):
    fn = _FUNCTIONS.get(func)
    if fn is None:
        raise RuntimeError(
            f"[glasstorch] create_graph=True: np.{func.__name__} has no recorded tensor "
            "version; this backward formula cannot be differentiated again."
        )
    return fn(*args, **kwargs)


_UFUNCS: dict = {}
_FUNCTIONS: dict = {}


@contextmanager
def recording():
    """While on, NumPy calls on tensors run as recorded glasstorch operations."""
    from ._tensor import Tensor

    if not _UFUNCS:
        _UFUNCS.update(_ufuncs())
        _FUNCTIONS.update(_functions())
    if "__array_ufunc__" in Tensor.__dict__:  # already on (a nested create_graph backward)
        yield
        return
    Tensor.__array_ufunc__ = _array_ufunc
    Tensor.__array_function__ = _array_function
    try:
        yield
    finally:
        del Tensor.__array_ufunc__, Tensor.__array_function__
