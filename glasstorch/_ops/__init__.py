"""The operations on tensors, grouped by family as in PyTorch's documentation.

- ``pointwise``: arithmetic, math functions, comparisons, activations (elementwise)
- ``reduction``: sum, mean, var, max, softmax ... (reduce along dimensions)
- ``shape``: view, reshape, permute, cat, stack ... (move elements, never change them)
- ``indexing``: ``x[...]`` and ``x[...] = v``, gather, masked_fill ...
- ``linalg``: matmul and friends

Each family is a folder of four drawers: ``nodes.py`` (each op's ``Node``: forward and backward
side by side, the math in one docstring line), ``functions.py`` (``torch.add`` ...: a check,
then the idea), ``methods.py`` (Tensor-only methods: operators, in-place variants) and
``_checks.py`` (PyTorch's argument checks and error texts; shared ones in ``_ops/_checks.py``).

This module holds the three ways ops are run: :func:`apply` (any op), :func:`binary` (two
operands with PyTorch's type promotion and broadcasting) and :func:`inplace` (the
``_``-suffixed variants), with :func:`_view` (a result that shares its base's memory) and
:func:`_out` (``out=``).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .._numpy_protocol import placed, zeroed_at
from .._tensor import Tensor, _make, apply
from ..autograd.function import Node, edge, record
from ..autograd.grad_mode import _state
from . import _checks

__all__ = ["apply", "binary", "inplace", "as_tensor_arg"]


def binary(node_cls: type[Node], a, b, out_dtype: D.dtype | None = None, **params) -> Tensor:
    """Run a two-operand op: promote both to PyTorch's result dtype, broadcast, record."""
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb and a._data.dtype == b._data.dtype and (
        out_dtype is None or a._data.dtype.kind == "f"
    ):
        xa, xb = a._data, b._data
    else:
        rt = D.result_type(a, b).np
        if out_dtype is D.float32 and rt.kind != "f":  # true division of integers
            rt = D.get_default_dtype().np
        xa = _cast_operand(a, ta, rt)
        xb = _cast_operand(b, tb, rt)
    node = node_cls()
    try:
        out = node.forward(xa, xb, **params)
    except ValueError as e:
        if "broadcast" in str(e):
            raise _checks.broadcast_error(
                xa, xb, node_cls.__name__.replace("Backward0", "").lower()) from None
        raise
    return record(node, (a, b), out, _make)


def _cast_operand(x, is_tensor: bool, rt: np.dtype):
    if is_tensor:
        return x._data if x._data.dtype == rt else x._data.astype(rt)
    try:
        return rt.type(x)
    except OverflowError:  # PyTorch wraps integer scalars around: uint8 + (-1) adds 255
        return np.int64(x).astype(rt)


def as_tensor_arg(x, like: Tensor | None = None) -> Tensor:
    """Python numbers and arrays where a tensor is expected become (0-d) tensors."""
    if isinstance(x, Tensor):
        return x
    from .._creation import tensor

    return tensor(x, dtype=like.dtype if like is not None and isinstance(x, float)
                  and like.is_floating_point() else None)


def inplace(self: Tensor, compute, *args, **kwargs) -> Tensor:
    """Run ``compute(self, *args)`` out of place, then write the result into ``self``.

    When autograd records it, ``self`` takes the new node as its ``grad_fn`` (fed by a snapshot
    of its old value); when ``self`` is a view, its base gets a ``CopySlices`` node instead, so
    the gradient of the base sees the change. Leaves that require grad refuse, as in PyTorch.
    """
    recording = _state.enabled and self._data.dtype.kind in "fc" and (
        self._requires_grad
        or any(isinstance(a, Tensor) and a._requires_grad for a in args)
        or any(isinstance(a, Tensor) and a._requires_grad for a in kwargs.values())
    )
    if not recording:
        r = compute(self, *args, **kwargs)
        _write(self, r)
        return self
    _checks.inplace_on_leaf(self)
    base = self._base
    snapshot = _make(self._data.copy())
    snapshot.grad_fn, snapshot._output_nr = self.grad_fn, self._output_nr
    snapshot._requires_grad = self._requires_grad
    if self.grad_fn is None and self._requires_grad:
        snapshot._acc = self._acc
    r = compute(snapshot, *args, **kwargs)
    _write(self, r)
    node = r.grad_fn
    if node is not None and getattr(node, "_versions", None):
        # an output the node saved now lives in self: later writes to self must be detected
        node._versions = [(self._vc, self._vc[0], d) if vc is r._vc else (vc, v, d)
                          for vc, v, d in node._versions]
    if base is None:
        self.grad_fn, self._output_nr = r.grad_fn, r._output_nr
        self._requires_grad = r._requires_grad
        return self
    # self is a view: the base changed too; record that on the base, then view it again
    node = CopySlices()
    node.view_fn = self._view_fn
    node.next_functions = (edge(base), edge(r))
    node._in_meta = ((base.shape, base._data.dtype) if base._requires_grad else None,
                     (r.shape, r._data.dtype))
    base.grad_fn, base._output_nr, base._requires_grad = node, 0, True
    view = AsStridedBackward0()
    view.view_fn = self._view_fn
    view.base_meta = (base._data.shape, base._data.dtype)
    view.next_functions = ((node, 0),)
    view._in_meta = ((base.shape, base._data.dtype),)
    self.grad_fn, self._output_nr, self._requires_grad = view, 0, True
    return self


def _view(out: Tensor, base: Tensor, fn) -> Tensor:
    """Mark ``out`` as a view of ``base`` made by ``fn`` (an ndarray -> ndarray function): they
    share the version counter, and an in-place change of the view can update the base's
    gradient (``_ops.inplace``)."""
    out._vc = base._vc
    out._view_vc = base._vc[0]  # its grad_fn is current for this version of the base
    if base._base is None:
        out._base, out._view_fn = base, fn
    else:
        prev = base._view_fn
        out._base, out._view_fn = base._base, (lambda a: fn(prev(a)))
    return out


def _write(self: Tensor, r: Tensor) -> None:
    """Copy an op's result ``r`` into ``self`` (same kind of dtype, broadcasting)."""
    src = r._data
    _checks.result_fits(src.dtype, self, hint=True)
    _checks.result_shape(src, self._data)
    if src is not self._data and _checks.writable(self):
        np.copyto(self._data, src, casting="unsafe")
    self._vc[0] += 1


def _out(result: Tensor, out: Tensor | None) -> Tensor:
    """Honour ``out=``: write the result into ``out`` (resizing it if needed) and return it."""
    if out is None:
        return result
    _checks.result_fits(result._data.dtype, out)
    if out.shape != result.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    np.copyto(out._data, result._data, casting="unsafe")
    out._vc[0] += 1
    return out


class CopySlices(Node):
    """base[view] = r  |  d base = g with the view's region zeroed,  d r = g[view]"""

    saved_as = ()

    def backward(self, g):
        shape = tuple(g.shape)
        at = (_region(self.view_fn, shape),)
        flat = g.reshape(-1)
        return zeroed_at(flat, at).reshape(shape), flat[at]


class AsStridedBackward0(Node):
    """view = base[view]  |  d base = zeros with g written into the view's region"""

    saved_as = ()

    def backward(self, g):
        shape, dtype = self.base_meta
        return (placed(g, (math.prod(shape),), (_region(self.view_fn, shape),)).reshape(shape),)


def _region(view_fn, shape: tuple) -> np.ndarray:
    """Where the elements a view shows sit in its base (flat positions, in the view's shape)."""
    return view_fn(np.arange(math.prod(shape)).reshape(shape))


# the names these helpers had before the checks moved to _checks.py (kept for old imports)
_broadcast_error = _checks.broadcast_error
broadcast_check = _checks.broadcast
checked_scalar = _checks.scalar
check_writable = _checks.writable
_can_cast = _checks.can_cast
_C_NAMES = _checks._C_NAMES
