"""Argument checks shared by several op families: PyTorch's exception types and texts, then
optionally a ``[glasstorch]`` line with the shapes or dtypes involved and what to do next.

Each family has its own ``_checks.py`` beside its functions (``pointwise/_checks.py`` ...); it
imports these so a function only ever calls ``_checks.<name>(...)``.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor

# C++ type names as PyTorch's messages print them
_C_NAMES = {"int32": "int", "float32": "float", "float64": "double"}


def broadcast_error(a, b, op: str) -> RuntimeError:
    """PyTorch's error for two shapes that do not broadcast (returned, for the caller to raise)."""
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


def broadcast(a, b, op: str) -> None:
    """PyTorch checks that shapes broadcast before it looks for a kernel for the dtypes."""
    sa, sb = np.shape(a._data if isinstance(a, Tensor) else a), \
        np.shape(b._data if isinstance(b, Tensor) else b)
    if sa != sb:
        try:
            np.broadcast_shapes(sa, sb)
        except ValueError:
            raise broadcast_error(np.empty(sa, bool), np.empty(sb, bool), op) from None


def no_kernel(kernel: str, dtype: D.dtype) -> NotImplementedError:
    """PyTorch's error for a kernel without a version for ``dtype`` (returned, to be raised)."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{dtype.scalar_name}'")


def no_bool(input: Tensor, kernel: str) -> None:
    """PyTorch has no kernel for these ops on bool tensors."""
    if input._data.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def scalar(x, rt: np.dtype):
    """A Python number as a scalar of ``rt`` (a bound of clamp, a fill value): PyTorch refuses
    values that do not fit, except that negative values within range wrap around for unsigned
    types."""
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


def can_cast(src: np.dtype, dst: np.dtype) -> bool:
    """PyTorch's rule for writing results into an existing tensor: never float into integer,
    never anything but bool into bool."""
    order = {"b": 0, "u": 1, "i": 1, "f": 2}
    return order[src.kind] <= order[dst.kind]


def result_fits(src: np.dtype, out: Tensor, hint: bool = False) -> None:
    """A result written into ``out`` (``out=`` or an in-place op) must not lose its kind."""
    if src != out._data.dtype and not can_cast(src, out._data.dtype):
        msg = (f"result type {D.from_numpy_dtype(src).scalar_name} can't be cast to the desired "
               f"output type {out.dtype.scalar_name}")
        if hint:
            msg += (f"\n[glasstorch] An in-place op keeps the tensor's dtype ({out.dtype}); "
                    "convert first (x = x.float()) or use the out-of-place form.")
        raise RuntimeError(msg)


def result_shape(src: np.ndarray, out: np.ndarray) -> None:
    """An in-place result must broadcast to the shape of the tensor it is written into."""
    if src.shape != out.shape:
        try:
            np.broadcast_to(src, out.shape)
        except ValueError:
            raise RuntimeError(
                f"output with shape {list(out.shape)} doesn't match the broadcast shape "
                f"{list(src.shape)}"
            ) from None


def writable(self: Tensor) -> bool:
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


def inplace_on_leaf(self: Tensor) -> None:
    """A leaf that requires grad (or a view of one) may change in place only without recording."""
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



# -- NumPy's names for dim and keepdim ---------------------------------------------------------
# PyTorch's argument parser takes ``axis`` for ``dim`` and ``keepdims`` for ``keepdim`` (for the
# torch.* functions also ``x``/``a``/``x1`` for ``input`` and ``x2`` for ``other``, which
# glasstorch does not take: they would cost every op a catch-all argument, ``a + b`` included).
# An op with a ``dim`` has ``axis`` (and ``keepdims``) as keyword-only parameters; these resolve
# them.


def axis(op: str, dim, axis, default=None, required: bool = False, **after):
    """``dim``, or NumPy's ``axis`` in its place (not both: PyTorch then names ``axis`` as an
    unexpected keyword; a ``dim`` equal to its ``default`` counts as not given). ``required``:
    the op needs a dim, and the required arguments ``after`` it (given by name) too."""
    if axis is not None:
        if dim is not None and (default is None or dim != default):
            raise TypeError(f"{op}() got an unexpected keyword argument 'axis'")
        dim = axis
    if required:
        missing(op, dim=dim, **after)
    return dim


def numpy_names(op: str, dim, keepdim, axis_, keepdims, default=None):
    """(dim, keepdim) of a reduction called with NumPy's ``axis`` and/or ``keepdims``."""
    if keepdims is not None and keepdim:
        raise TypeError(f"{op}() got an unexpected keyword argument "
                        f"'{'axis' if axis_ is not None else 'keepdims'}'")
    return axis(op, dim, axis_, default), (keepdim if keepdims is None else keepdims)


def missing(op: str, **params) -> None:
    """PyTorch's TypeError for required arguments left out (None): it names the first missing
    one and every required one after it."""
    names = list(params)
    for i, name in enumerate(names):
        if params[name] is None:
            rest = names[i:]
            n = len(rest)
            # (sic: PyTorch writes "arguments" for one, "argument" for more)
            raise TypeError(f"{op}() missing {n} required positional argument"
                            f"{'s' if n == 1 else ''}: " + ", ".join(f'"{r}"' for r in rest))
