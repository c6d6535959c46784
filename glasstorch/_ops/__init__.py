"""The operations on tensors, grouped by family as in PyTorch's documentation.

- ``pointwise``: arithmetic, math functions, comparisons, activations (elementwise)
- ``reduction``: sum, mean, var, max, softmax ... (reduce along dimensions)
- ``shape``: view, reshape, permute, cat, stack ... (move elements, never change them)
- ``indexing``: ``x[...]`` and ``x[...] = v``, gather, masked_fill ...
- ``linalg``: matmul and friends

Each op is a ``Node`` subclass with ``forward`` and ``backward`` side by side. This module holds
the three ways ops are run: :func:`apply` (any op), :func:`binary` (two operands with PyTorch's
type promotion and broadcasting) and :func:`inplace` (the ``_``-suffixed variants).
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, apply
from ..autograd.function import Node, edge, record
from ..autograd.grad_mode import _state

__all__ = ["apply", "binary", "inplace", "as_tensor_arg"]


def _broadcast_error(a, b, op: str) -> RuntimeError:
    sa, sb = list(np.shape(a)), list(np.shape(b))
    n = max(len(sa), len(sb))
    pa, pb = [1] * (n - len(sa)) + sa, [1] * (n - len(sb)) + sb
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(
                f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) at "
                f"non-singleton dimension {i}\n[glasstorch] in {op}: shapes {sa} and {sb} do not "
                "broadcast; dimensions are compared from the right and must be equal or 1."
            )
    return RuntimeError(f"shapes {sa} and {sb} cannot be broadcast in {op}")


def broadcast_check(a, b, op: str) -> None:
    """PyTorch checks that shapes broadcast before it looks for a kernel for the dtypes."""
    sa, sb = np.shape(a._data if isinstance(a, Tensor) else a), \
        np.shape(b._data if isinstance(b, Tensor) else b)
    if sa != sb:
        try:
            np.broadcast_shapes(sa, sb)
        except ValueError:
            raise _broadcast_error(np.empty(sa, bool), np.empty(sb, bool), op) from None


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
            raise _broadcast_error(xa, xb, node_cls.__name__.replace("Backward0", "").lower()) \
                from None
        raise
    return record(node, (a, b), out, _make)


def _cast_operand(x, is_tensor: bool, rt: np.dtype):
    if is_tensor:
        return x._data if x._data.dtype == rt else x._data.astype(rt)
    try:
        return rt.type(x)
    except OverflowError:  # PyTorch wraps integer scalars around: uint8 + (-1) adds 255
        return np.int64(x).astype(rt)


_C_NAMES = {"int32": "int", "float32": "float", "float64": "double"}


def checked_scalar(x, rt: np.dtype):
    """A Python number as a scalar of ``rt`` (a bound of clamp): PyTorch refuses values that do
    not fit, except that negative values within range wrap around for unsigned types."""
    if rt.kind in "iu" and isinstance(x, int) and not isinstance(x, bool):
        info = np.iinfo(rt)
        if x > info.max or (x < info.min and not (rt.kind == "u" and -x <= info.max)):
            name = _C_NAMES.get(rt.name, rt.name + "_t")
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
        return np.int64(x).astype(rt)
    if rt.kind in "iu" and isinstance(x, float):
        info = np.iinfo(rt)
        if not info.min <= x <= info.max:  # no wrapping for floats
            name = _C_NAMES.get(rt.name, rt.name + "_t")
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
        return rt.type(int(x))
    return rt.type(x)


def as_tensor_arg(x, like: Tensor | None = None) -> Tensor:
    """Python numbers and arrays where a tensor is expected become (0-d) tensors."""
    if isinstance(x, Tensor):
        return x
    from .._creation import tensor

    return tensor(x, dtype=like.dtype if like is not None and isinstance(x, float)
                  and like.is_floating_point() else None)


def _can_cast(src: np.dtype, dst: np.dtype) -> bool:
    """PyTorch's rule for writing results into an existing tensor: never float into integer,
    never anything but bool into bool."""
    order = {"b": 0, "u": 1, "i": 1, "f": 2}
    return order[src.kind] <= order[dst.kind]


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
    base = self._base
    if self.grad_fn is None and self._requires_grad and base is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation.\n"
            f"[glasstorch] This leaf (shape {list(self.shape)}, requires_grad=True, e.g. a "
            "parameter) may be updated in place only without recording: wrap the update in "
            "`with torch.no_grad():`, or write `x = x + ...` to make a new tensor."
        )
    if base is not None and base.grad_fn is None and base._requires_grad:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place "
            "operation.\n[glasstorch] Change the leaf under `with torch.no_grad():`, or work on "
            "a copy (x.clone())."
        )
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


def check_writable(self: Tensor) -> bool:
    """False for an empty tensor (nothing to write); PyTorch's RuntimeError for an expanded
    one, where several elements share one memory location (a stride 0)."""
    a = self._data
    if a.size == 0:
        return False
    if a.flags.c_contiguous or all(s or n == 1 for n, s in zip(a.shape, a.strides)):
        return True
    raise RuntimeError(
        "unsupported operation: more than one element of the written-to tensor refers to a single"
        " memory location. Please clone() the tensor before performing the operation."
    )


def _write(self: Tensor, r: Tensor) -> None:
    src = r._data
    if src.dtype != self._data.dtype and not _can_cast(src.dtype, self._data.dtype):
        raise RuntimeError(
            f"result type {D.from_numpy_dtype(src.dtype).scalar_name} can't be cast to the "
            f"desired output type {self.dtype.scalar_name}\n[glasstorch] An in-place op keeps "
            f"the tensor's dtype ({self.dtype}); convert first (x = x.float()) or use the "
            "out-of-place form."
        )
    if src.shape != self._data.shape:
        try:
            np.broadcast_to(src, self._data.shape)
        except ValueError:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                f"{list(src.shape)}"
            ) from None
    if src is not self._data and check_writable(self):
        np.copyto(self._data, src, casting="unsafe")
    self._vc[0] += 1


class CopySlices(Node):
    """base[view] = r  |  d base = g with the view's region zeroed,  d r = g[view]"""

    def backward(self, g):
        gb = np.array(g)  # a copy, and an array even if g is a NumPy scalar (a 0-d base)
        self.view_fn(gb)[...] = 0
        return gb, self.view_fn(g)


class AsStridedBackward0(Node):
    """view = base[view]  |  d base = zeros with g written into the view's region"""

    def backward(self, g):
        z = np.zeros(*self.base_meta)
        self.view_fn(z)[...] = g
        return (z,)
