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
        np.isfinite: G.isfinite, np.isinf: G.isinf, np.trunc: G.trunc,
        np.bitwise_and: G.bitwise_and, np.bitwise_or: G.bitwise_or, np.invert: G.bitwise_not,
        np.remainder: G.remainder, np.fmod: G.fmod,
        # floor(a / b) has no derivative in PyTorch's floor_divide; div's rounding mode has 0
        np.floor_divide: lambda a, b: G.div(a, b, rounding_mode="floor"),
        # log(e^a + e^b), from recorded ops (glasstorch has no logaddexp node)
        np.logaddexp: lambda a, b: G.maximum(a, b) + G.log1p(G.exp(-G.abs(
            _tensor(a) - _tensor(b)))),
    }


def _functions() -> dict:
    """NumPy function -> a glasstorch equivalent taking NumPy's arguments."""
    import glasstorch as G

    def _sum(a, axis=None, dtype=None, out=None, keepdims=False, **_):
        dt = None if dtype is None else _dtype(dtype)
        return _tensor(a).sum(dtype=dt) if axis is None and not keepdims else G.sum(
            a, dim=tuple(range(a.ndim)) if axis is None else axis, keepdim=keepdims, dtype=dt)

    def _mean(a, axis=None, dtype=None, out=None, keepdims=False, **_):
        return _tensor(a).mean() if axis is None and not keepdims else G.mean(
            a, dim=tuple(range(a.ndim)) if axis is None else axis, keepdim=keepdims)

    def _like(fill):
        def like(a, dtype=None, shape=None, **_):
            if shape is not None:
                return G.full(shape, fill, dtype=_dtype(a.dtype if dtype is None else dtype))
            return G.full_like(a, fill, dtype=None if dtype is None else _dtype(dtype))
        return like

    def _split(a, cuts, axis=0):
        bounds = [0, *cuts, a.shape[axis]]
        return [G.narrow(a, axis, lo, hi - lo) for lo, hi in zip(bounds, bounds[1:])]

    def _expand_dims(a, axis):
        a = _tensor(a)
        for d in sorted(axis if isinstance(axis, tuple) else (axis,)):
            a = a.unsqueeze(d)
        return a

    return {
        np.where: lambda c, x, y: G.where(c, x, y),
        np.zeros_like: _like(0), np.ones_like: _like(1),
        np.full_like: lambda a, fill_value, dtype=None, **_: G.full_like(a, fill_value),
        np.broadcast_to: lambda a, shape, **_: _tensor(a) if tuple(a.shape) == tuple(shape)
        else _tensor(a).expand(tuple(shape)),
        np.sum: _sum, np.mean: _mean,
        np.var: lambda a, axis=None, ddof=0, keepdims=False, **_: G.var(
            a, tuple(range(a.ndim)) if axis is None else axis, correction=ddof, keepdim=keepdims),
        np.reshape: lambda a, shape, **_: _tensor(a).reshape(shape),
        np.transpose: lambda a, axes=None: _tensor(a).t() if axes is None and a.ndim <= 2
        else _tensor(a).permute(*(reversed(range(a.ndim)) if axes is None else axes)),
        np.swapaxes: lambda a, a1, a2: _tensor(a).transpose(a1, a2),
        np.moveaxis: lambda a, src, dst: G.movedim(_tensor(a), src, dst),
        np.expand_dims: _expand_dims,
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
        np.split: _split,
        np.cumsum: lambda a, axis=None, **_: G.cumsum(_tensor(a), axis),
        np.count_nonzero: lambda a, axis=None, **_: int(G.count_nonzero(a)) if axis is None
        else G.count_nonzero(a, axis),
        np.roll: lambda a, shift, axis=None: G.roll(_tensor(a), shift, axis),
        np.take: lambda a, index, axis=None: G.index_select(_tensor(a), axis, _tensor(index))
        if axis is not None and np.ndim(index) == 1 else _tensor(a).reshape(-1)[index],
    }


def _tensor(x):
    """An array inside a backward formula is a constant: a tensor that needs no gradient."""
    from ._tensor import Tensor, _make

    return x if isinstance(x, Tensor) else _make(np.asarray(x))


def _dtype(dt):
    """A glasstorch dtype for a NumPy or glasstorch one."""
    from ._dtype import from_numpy_dtype

    return dt if hasattr(dt, "np") else from_numpy_dtype(np.dtype(dt))


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    if ufunc is np.add and method == "reduce":  # np.add.reduce is np.sum
        return _FUNCTIONS[np.sum](*inputs, **kwargs)
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


# -- NumPy's in-place writes, as functions ---------------------------------------------------
# Some gradients are zeros with ``g`` written into part of them (indexing, gathering, the
# largest element). In NumPy that is a write into an array, ``dx = np.zeros(shape); dx[key] = g``,
# which a recorded graph cannot express. These functions are that pattern as one call, so a
# formula stays one formula: on arrays they run the NumPy code, on tensors (create_graph) the
# recorded glasstorch op that computes the same (and can itself be differentiated).


def placed(g, shape: tuple, key, node=None):
    """Zeros of ``shape`` with ``g`` written at ``key`` (an index naming each element once);
    recorded as ``node`` (a subclass of IndexPutBackward0 named as PyTorch's node)."""
    if not hasattr(g, "_data"):
        out = np.zeros(shape, g.dtype)
        out[key] = g
        return out
    from ._ops.indexing.nodes import IndexPutBackward0
    from ._tensor import _make, apply

    return apply(node or IndexPutBackward0, _make(np.zeros(shape, g._data.dtype)), g, key=key)


def added_at(g, shape: tuple, key):
    """Zeros of ``shape`` with ``g`` added at ``key``: an index met twice gets both values."""
    if not hasattr(g, "_data"):
        out = np.zeros(shape, g.dtype)
        if len(key) == 1 and isinstance(key[0], np.ndarray) and key[0].dtype != np.bool_ \
                and key[0].ndim == 1 and np.unique(key[0]).size == key[0].size:
            out[key] = g  # rows picked once each (a batch): a plain write, much faster
        else:
            np.add.at(out, key, g)
        return out
    from ._ops.indexing.nodes import IndexPutImplBackward0
    from ._tensor import _make, apply

    return apply(IndexPutImplBackward0, _make(np.zeros(shape, g._data.dtype)), g, key=key)


def zeroed_at(g, key):
    """``g`` with zeros written at ``key``."""
    if not hasattr(g, "_data"):
        out = np.array(g)  # a copy (and an array, even for a NumPy scalar)
        out[key] = 0
        return out
    from ._ops.indexing.nodes import IndexPutBackward0
    from ._tensor import _make, apply

    return apply(IndexPutBackward0, g, _make(np.zeros((), g._data.dtype)), key=key)


def put_along_axis(g, shape: tuple, index: np.ndarray, axis: int, add: bool = False):
    """Zeros of ``shape`` with ``g`` written (or, with ``add``, added: repeats add up) at
    ``index`` along ``axis``: the inverse of ``np.take_along_axis``."""
    if not hasattr(g, "_data"):
        if add:
            return added_at(g, shape, along_axis(index, axis))
        out = np.zeros(shape, g.dtype)
        np.put_along_axis(out, index, g, axis=axis)
        return out
    from ._ops.indexing.nodes import ScatterAddBackward0, ScatterBackward0
    from ._tensor import _make, apply

    return apply(ScatterAddBackward0 if add else ScatterBackward0,
                 _make(np.zeros(shape, g._data.dtype)), g, index=index, dim=axis,
                 reduce="add" if add else None)


def along_axis(index: np.ndarray, axis: int) -> tuple:
    """The index of ``np.take_along_axis(x, index, axis)`` as one key: ``x[key]``."""
    key = list(np.indices(index.shape, sparse=True))
    key[axis] = index
    return tuple(key)
