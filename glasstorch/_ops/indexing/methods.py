"""Indexing methods only a Tensor has: ``x[key]``, ``x[key] = v`` and the in-place variants
(``scatter_``, ``masked_fill_`` ...).

``x[key]`` reads the key as PyTorch does (``_checks.index_key``): ints, slices, None and ``...``
give a view that shares memory (a write through it shows in ``x``); lists, ranges, NumPy arrays,
tensors and masks then index that view into a copy (IndexBackward0). ``x[key] = v`` writes into
the same view: ``copy_``/``fill_`` without index tensors, ``index_put_`` with them, recorded on
the graph as in-place ops.
"""

from __future__ import annotations

from ..._tensor import Tensor, _make, apply
from ...autograd.grad_mode import _state
from .. import _view, inplace
from ..pointwise.methods import copy_, fill_
from . import _checks
from .functions import (
    _index_put,
    index_add,
    index_put,
    masked_fill,
    put_key,
    scatter,
    scatter_add,
)
from .nodes import (
    AliasBackward0,
    IndexBackward0,
    SelectBackward0,
    SliceBackward0,
    UnsqueezeBackward0,
)

# the view x[ints, slices, None] is one node, named (as PyTorch's grad_fn) after the last op
_VIEW_NODES = {"select": SelectBackward0, "slice": SliceBackward0,
               "unsqueeze": UnsqueezeBackward0}


def _view_of(self: Tensor, vkey: tuple, last: str) -> Tensor:
    return _view(apply(_VIEW_NODES[last], self, key=vkey), self, lambda a: a[vkey])


def __getitem__(self, key):
    """x[key]: the views first (ints, slices, None, ...), then the index tensors (a copy)."""
    vkey, last, shape, indices = _checks.index_key(self._data.shape, key)
    if vkey is None and not indices:  # x[...], x[:]: a new tensor viewing all of x
        return _view(apply(AliasBackward0, self, key=(Ellipsis,)), self, lambda a: a[...])
    x = self if vkey is None else _view_of(self, vkey, last)
    if not indices:
        return x
    ikey, arrays = _checks.advanced(shape, indices, wrap=_state.enabled and x._requires_grad)
    try:
        return apply(IndexBackward0, x, key=ikey)
    except IndexError:  # NumPy checks the bounds; PyTorch words it
        raise _checks.bounds(arrays, shape, self.shape) from None


def __setitem__(self, key, value):
    """x[key] = value in place: into the view of the key's ints, slices and None, by copy_ or
    fill_ (one number), or by index_put_ with the key's index tensors."""
    v = _checks.setitem_value(self, value)  # a tensor, or a NumPy scalar of x's dtype
    if key is False:  # PyTorch writes nothing
        return
    if key is True:  # ... and copies into x[None] (the key's index [0] adds nothing)
        key = None
    vkey, last, shape, indices = _checks.index_key(self._data.shape, key)
    recording = _state.enabled and (self._requires_grad or (
        isinstance(v, Tensor) and v._requires_grad))
    if not recording:
        _write(self, vkey, shape, indices, v)
        return
    x = self if vkey is None else _view_of(self, vkey, last)
    vt = v if isinstance(v, Tensor) else _make(v)
    if not indices:
        _copy_to(x, vt)
        return
    ikey, vshape, arrays = put_key(x._data, shape, indices, vt._data, wrap=True)
    if vshape is None:  # PyTorch fills under a bool mask with the one value, in x's dtype
        vt = vt.reshape(()) if vt.dtype is x.dtype else vt.reshape(())._cast(x.dtype)
    elif vshape != vt.shape:
        vt = vt.reshape(vshape)
    try:
        inplace(x, _index_put, ikey, vt)
    except IndexError:  # NumPy checks the bounds; PyTorch words it
        raise _checks.bounds(arrays, shape, self.shape) from None


def __delitem__(self, key):
    raise TypeError("Tensor does not support deleting items")


def _copy_to(dst: Tensor, v: Tensor) -> None:
    """x[ints, slices] = v, recorded: v of dst's shape is copied, one number fills, anything
    else broadcasts once its leading 1s are dropped."""
    if v.shape == dst.shape:
        copy_(dst, v)
    elif v.ndim == 0:
        fill_(dst, v)
    else:
        copy_(dst, v.reshape(_checks.expand_value(v.shape, dst.shape)))


def _write(self: Tensor, vkey, shape: tuple, indices: dict, v) -> None:
    """x[key] = v straight into the array: nothing to record."""
    src = v._data if isinstance(v, Tensor) else v
    if not indices:  # ``shape``: the view's, where v goes
        if src.ndim and src.shape != shape:
            src = src.reshape(_checks.expand_value(src.shape, shape))
        if _checks.writable(self):  # (index_put_ allows elements that share memory)
            self._data[... if vkey is None else vkey[:-1]] = src  # (no view needed here)
    else:
        dst = self._data if vkey is None else self._data[vkey]
        ikey, vshape, arrays = put_key(dst, shape, indices, src)
        try:
            dst[ikey] = src.reshape(()) if vshape is None else src.reshape(vshape)
        except IndexError:
            raise _checks.bounds(arrays, shape, self.shape) from None
    self._vc[0] += 1


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
