"""Argument checks of the elementwise ops: PyTorch's exception types and texts (and, where
they help, a ``[glasstorch]`` line). The functions in ``functions.py`` and ``methods.py`` call
these first, then run their node.
"""

from __future__ import annotations

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor
from .._checks import (  # noqa: F401 - the shared checks, called as _checks.<name> too
    broadcast,
    broadcast_error,
    no_bool,
    no_kernel,
    scalar,
    writable,
)

# C++ type names as lerp's message prints them
_C_TYPE = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
           "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
           "bool": "bool"}


def sub_bool(input, other) -> None:
    """PyTorch refuses to subtract bools (a mask is inverted with ~, not 1 - mask)."""
    # (dtype.kind of the array: cheaper than the Tensor.dtype lookup, on the path of every op)
    a_bool = isinstance(input, Tensor) and input._data.dtype.kind == "b" or isinstance(input, bool)
    b_bool = isinstance(other, Tensor) and other._data.dtype.kind == "b" or isinstance(other, bool)
    if a_bool and b_bool and isinstance(input, Tensor) and isinstance(other, Tensor):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if a_bool or b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def integer_division(a, b, kernel: str) -> None:
    """Integer division and remainder by zero raise in PyTorch; bools have no kernel."""
    broadcast(a, b, kernel.split("_")[0])
    da = a._data.dtype if isinstance(a, Tensor) else None
    if D.result_type(a, b) is D.bool:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if D.result_type(a, b).is_floating_point:
        return
    bv = b._data if isinstance(b, Tensor) else np.asarray(b)
    n = np.prod(np.broadcast_shapes(np.shape(a._data if da is not None else a), bv.shape))
    if n and (bv == 0).any():  # an empty result divides nothing
        raise RuntimeError("ZeroDivisionError")


def rounding_mode(input, other, mode) -> None:
    """div with rounding: 'trunc' or 'floor' only, then the checks of integer division."""
    if mode not in ("trunc", "floor"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{mode}'"
        )
    integer_division(input, other, f"div_{mode}_cpu")


def integer_pow(x, e) -> None:
    """An integer tensor to a negative integer power has no integer result."""
    if isinstance(e, int) and e < 0 and x._data.dtype.kind in "iub":
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def pow(input, exponent) -> None:  # noqa: A001
    """Shapes first, then PyTorch's missing bool kernel, then negative integer powers."""
    broadcast(input, exponent, "pow")
    if D.result_type(input, exponent) is D.bool and (
            isinstance(exponent, Tensor) or not isinstance(input, Tensor)):
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if isinstance(input, Tensor):
        integer_pow(input, exponent)


def neg(input) -> None:
    if input._data.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def relu(input) -> None:
    """relu is clamp_min(x, 0) in PyTorch, whose bool kernel is missing (a RuntimeError)."""
    if input._data.dtype.kind == "b":
        raise RuntimeError('"clamp_min_scalar_cpu" not implemented for \'Bool\'')


def round(input, decimals: int) -> None:  # noqa: A001
    """Rounding to decimals is a float-only kernel; plain rounding has none for bool."""
    if decimals:
        if not input.is_floating_point():
            raise no_kernel("round_cpu", input.dtype)
    else:
        no_bool(input, "round_vml_cpu")


def clamp(input, min, max) -> D.dtype:  # noqa: A002
    """At least one bound, and no bool kernel for number bounds. Returns the result dtype."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    dt = D.result_type(input, *(b for b in (min, max) if b is not None))
    if dt is D.bool and not (isinstance(min, Tensor) or isinstance(max, Tensor)):
        which = "clamp" if min is not None and max is not None else \
            "clamp_min" if min is not None else "clamp_max"
        raise NotImplementedError(f"\"{which}_scalar_cpu\" not implemented for 'Bool'")
    return dt


def where_condition(condition) -> np.ndarray:
    """The condition as a bool array (PyTorch accepts no other dtype)."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{D.from_numpy_dtype(cond.dtype).scalar_name}"
        )
    return cond


def lerp(input, end, weight) -> None:
    """One floating dtype for all tensors, shapes that broadcast."""
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t.dtype is not input.dtype:
            raise RuntimeError(f"expected dtype {_C_TYPE[input.dtype.name]} for `{name}` but "
                               f"got dtype {_C_TYPE[t.dtype.name]}")
    broadcast(input, end, "lerp")
    if not input.is_floating_point():
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise no_kernel(kernel, input.dtype)


def isclose(input, other) -> None:
    if isinstance(other, Tensor) and other.dtype is not input.dtype:
        raise RuntimeError(f"{input.dtype.scalar_name} did not match {other.dtype.scalar_name}")


def bitwise(input, other, name: str) -> None:
    """Shapes first; then bitwise ops have no float kernel (the message names the promoted
    dtype, as in PyTorch)."""
    broadcast(input, other, name)
    if input._data.dtype.kind == "f" or (
        isinstance(other, Tensor) and other._data.dtype.kind == "f"
    ) or isinstance(other, float):
        raise no_kernel(f"{name}_cpu", D.result_type(input, other))


def bitwise_not(input) -> None:
    if input._data.dtype.kind == "f":
        raise no_kernel("bitwise_not_cpu", input.dtype)


def pos(self) -> None:
    if self._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")


def invert(self) -> None:
    """``~x`` checks the dtype before any kernel, as in PyTorch."""
    if self._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")


def fill_value(value) -> None:
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(
            "fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value.ndim} dimensions."
        )


def broadcast_into(src: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``src`` broadcast to ``x``'s shape (what copy_ writes), or PyTorch's error."""
    try:
        return np.broadcast_to(src, x.shape)
    except ValueError:
        broadcast(x, src, "copy_")  # sizes that do not broadcast at all
        raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast shape "
                           f"{list(np.broadcast_shapes(src.shape, x.shape))}") from None
