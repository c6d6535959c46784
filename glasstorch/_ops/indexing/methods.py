"""Indexing methods only a Tensor has: ``x[key]``, ``x[key] = v`` and the in-place variants
(``scatter_``, ``masked_fill_`` ...).

``x[key]`` follows NumPy's rules. Keys made only of ints, slices, ``None`` and ``...`` give a
view that shares memory (a write through it shows in ``x``); keys with a bool mask, an integer
tensor or a list give a copy. ``x[key] = v`` is an in-place operation recorded on the graph.
"""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor, apply
from ...autograd.grad_mode import _state
from .. import _view, inplace
from ..pointwise.methods import copy_, fill_
from . import _checks
from .functions import _index_put, index_add, index_put, masked_fill, scatter, scatter_add
from .nodes import (
    AliasBackward0,
    IndexBackward0,
    SelectBackward0,
    SliceBackward0,
    UnsqueezeBackward0,
)


def _basic_node(key, shape):
    """PyTorch applies a basic index left to right (select, slice, unsqueeze), skipping slices
    that keep a whole dim; the grad_fn is named after the last op applied (Alias if none)."""
    n_ellipsis = len(shape) - sum(1 for k in key if k is not None and k is not Ellipsis)
    dim, last = 0, AliasBackward0
    for k in key:
        if k is Ellipsis:
            dim += n_ellipsis
        elif k is None:
            last = UnsqueezeBackward0
        elif isinstance(k, slice):
            if k.indices(shape[dim]) != (0, shape[dim], 1):
                last = SliceBackward0
            dim += 1
        else:
            last = SelectBackward0
            dim += 1
    return last


def _split_ints(k: tuple, ndim: int):
    """PyTorch applies the integers of a key as selections before the index arrays, so they do
    not count as advanced indices (NumPy counts them: ``x[1, :, idx]`` would be transposed).
    A bool (True/False) next to index arrays is a new dim indexed by [0] or [] (NumPy's rule
    differs). Returns (basic key, rest of the key) or None when there is nothing to do."""
    has_bool = any(isinstance(e, (bool, np.bool_)) for e in k)
    has_int = any(isinstance(e, int) and not isinstance(e, bool) for e in k)
    has_array = any(isinstance(e, np.ndarray) for e in k)
    if not ((has_int and (has_array or has_bool)) or (has_bool and has_array)):
        return None

    def dims(e):
        if e is None or isinstance(e, (bool, np.bool_)):
            return 0
        return e.ndim if isinstance(e, np.ndarray) and e.dtype == np.bool_ else 1

    n_ellipsis = ndim - sum(dims(e) for e in k if e is not Ellipsis)
    first, rest = [], []
    for e in k:
        if e is Ellipsis:
            first += [slice(None)] * max(n_ellipsis, 0)
            rest.append(e)
        elif isinstance(e, (bool, np.bool_)):
            first.append(None)
            rest.append(np.array([0] if e else [], dtype=np.int64))
        elif e is None:
            first.append(None)
            rest.append(slice(None))
        elif isinstance(e, int):
            first.append(e)
        else:
            first += [slice(None)] * dims(e)
            rest.append(e)
    return tuple(first), tuple(rest)


def __getitem__(self, key):
    """x[key]: a view for ints, slices, None and ..., a copy for index arrays and masks."""
    k, basic = _checks.index_key(key)
    split = None if basic else _split_ints(k, self.ndim)
    if split is not None:
        return __getitem__(__getitem__(self, split[0]), split[1])
    try:
        if basic:
            if not any(e is Ellipsis for e in k):
                k = k + (Ellipsis,)  # so NumPy returns a 0-d view, not a copied scalar
            out = apply(_basic_node(k, self.shape), self, key=k)
            return _view(out, self, lambda a: a[k])
        return apply(IndexBackward0, self, key=k)
    except IndexError as e:
        raise _checks.index_error(e, self.shape) from None


def __setitem__(self, key, value):
    """x[key] = value in place (recorded as index_put_, or as copy_ into the view x[key])."""
    k, basic = _checks.index_key(key)
    split = None if basic else _split_ints(k, self.ndim)
    if split is not None:  # write through the view the integers select
        return __setitem__(__getitem__(self, split[0]), split[1], value)
    _checks.setitem(self, k, basic, value)
    try:
        if not (_state.enabled and (self._requires_grad or (
                isinstance(value, Tensor) and value._requires_grad))):
            _write(self, k, basic, value)
        elif basic:  # PyTorch writes through the view, x[k].copy_(v): the base gets CopySlices
            _write_view(__getitem__(self, key), value)
        else:
            inplace(self, _index_put, k, value)
    except IndexError as e:
        raise _checks.index_error(e, self.shape) from None
    except (ValueError, TypeError) as e:
        raise _checks.setitem_shape_error(self, k, value) from e


def _write(self: Tensor, k: tuple, basic: bool, value) -> None:
    """x[k] = v straight into the array: nothing to record."""
    v = value._data if isinstance(value, Tensor) else value
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = _checks.scalar(v, self._data.dtype)  # -1 wraps into uint8, 300 refuses
    if basic:  # (index_put_ allows elements that share memory)
        _checks.writable(self)
    self._data[k] = v
    self._vc[0] += 1


def _write_view(view: Tensor, value) -> None:
    """x[k] = v recorded as view.fill_(v) or view.copy_(v), v without its leading 1s."""
    if isinstance(value, (int, float, bool, np.number)):
        fill_(view, value)
        return
    lead = value.ndim - view.ndim
    if lead > 0 and all(s == 1 for s in value.shape[:lead]):
        value = value.reshape(value.shape[lead:])  # x[k] = v ignores leading 1s
    copy_(view, value)


def scatter_(self, dim=None, index=None, src=None, value=None, *, reduce=None, axis=None
             ) -> Tensor:
    if dim is None or index is None or axis is not None:
        dim = _checks.axis("scatter_", dim, axis, required=True, index=index)
    return inplace(self, scatter, dim, index, src, value, reduce=reduce)


def scatter_add_(self, dim=None, index=None, src=None, *, axis=None) -> Tensor:
    if dim is None or index is None or src is None or axis is not None:
        dim = _checks.axis("scatter_add_", dim, axis, required=True, index=index, src=src)
    return inplace(self, scatter_add, dim, index, src)


def masked_fill_(self, mask, value) -> Tensor:
    return inplace(self, masked_fill, mask, value)


def index_add_(self, dim=None, index=None, source=None, *, alpha=1, axis=None) -> Tensor:
    if dim is None or index is None or source is None or axis is not None:
        dim = _checks.axis("index_add_", dim, axis, required=True, index=index, source=source)
    return inplace(self, index_add, dim, index, source, alpha=alpha)


def index_put_(self, indices, values, accumulate=False) -> Tensor:
    return inplace(self, index_put, indices, values, accumulate)
