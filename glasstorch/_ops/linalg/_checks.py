"""Argument checks of the matrix products: PyTorch's exception types and texts, and a
``[glasstorch]`` line with the shapes or dtypes and the usual fix (``nn.Linear`` sizes, float64
NumPy data).
"""

from __future__ import annotations

import numpy as np

from .._checks import broadcast_error  # noqa: F401 - shared, called as _checks.broadcast_error

# C++ type names as PyTorch's messages print them
_NP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long",
             "int32": "int", "int16": "short", "int8": "signed char", "uint8": "unsigned char",
             "bool": "bool"}


def operands(a, b, op: str) -> None:
    """One dtype, at least 1-d, inner sizes that agree (PyTorch's size errors come before its
    missing bool kernels)."""
    x, y = a._data, b._data
    if x.dtype == y.dtype and x.dtype.kind == "f" and x.ndim == 2 == y.ndim and \
            x.shape[1] == y.shape[0]:
        return  # the common case: two float matrices that fit
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: "
            f"{_NP_NAMES[a.dtype.name]} != {_NP_NAMES[b.dtype.name]}\n[glasstorch] in {op}: "
            f"{a.dtype} and {b.dtype}. NumPy arrays are float64 by default while models are "
            "float32: convert the data with .float() (or torch.tensor(x, dtype=torch.float32))."
        )
    kernel = {"mm": "addmm_impl_cpu_", "mv": "addmv_impl_cpu", "dot": "dot", "bmm": "bmm"}
    fits = a.ndim >= 1 and b.ndim >= 1 and a.shape[-1] == b.shape[-2 if b.ndim >= 2 else 0] \
        and (op != "bmm" or a.shape[0] == b.shape[0])  # size errors come first in PyTorch
    if a._data.dtype == np.bool_ and op in kernel and fits:  # no bool kernel for these
        raise NotImplementedError(f"\"{kernel[op]}\" not implemented for 'Bool'")
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and "
            f"{b.ndim}D"
        )
    if a.ndim == 1 and b.ndim == 1:
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                f"[{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} and "
                f"{b.shape[0]} elements respectively"
            )
        return
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        rows = int(np.prod(a.shape[:-1])) if a.ndim > 1 else 1
        cols = b.shape[-1] if b.ndim > 1 else 1
        if b.ndim > 2:
            msg = (f"Expected size for first two dimensions of batch2 tensor to be: "
                   f"[{b.shape[0]}, {k_a}] but got: [{b.shape[0]}, {k_b}].")
        else:
            msg = f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k_a} and {k_b}x{cols})"
        raise RuntimeError(
            f"{msg}\n[glasstorch] in {op}: {list(a.shape)} @ {list(b.shape)} needs the last dim "
            f"of the first ({k_a}) to equal the {'only' if b.ndim == 1 else 'first'} matrix dim "
            f"of the second ({k_b}). For nn.Linear(in_features, out_features) the input's last "
            "dim must be in_features; images usually need nn.Flatten() first."
        )


def matmul(input, other) -> None:
    """The operands' checks, then no bool kernel for whichever product the ranks pick."""
    operands(input, other, "matmul")
    if input._data.dtype == np.bool_:
        a, b = input.ndim, other.ndim
        kernel = "dot" if a == b == 1 else "addmv_impl_cpu" if b == 1 and a >= 2 else \
            "addmm_impl_cpu_" if b == 2 else "bmm"
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def mm(input, mat2) -> None:
    if input.ndim != 2 or mat2.ndim != 2:
        bad = input if input.ndim != 2 else mat2
        raise RuntimeError(f"{'self' if bad is input else 'mat2'} must be a matrix")
    operands(input, mat2, "mm")


def bmm(input, mat2) -> None:
    """Two 3-d tensors with one batch size."""
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    operands(input, mat2, "bmm")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}]."
        )


def mv(input, vec) -> None:
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    operands(input, vec, "mv")


def dot(input, other) -> None:
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors"
        )
    operands(input, other, "dot")


def inner(input, other) -> None:
    if other.shape[-1] != input.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(input.shape)} and {list(other.shape)}.")


def addmm(input, mat1, mat2) -> None:
    """Two matrices that multiply, and a bias that broadcasts to their product."""
    operands(mat1, mat2, "addmm")
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError("mat1 must be a matrix, got " f"{mat1.ndim}-D tensor")
    if input.dtype is not mat1.dtype:
        operands(input, mat1, "addmm")
    out_shape = (mat1._data.shape[0], mat2._data.shape[1])
    try:
        if input._data.shape not in (out_shape, out_shape[1:]):  # the usual bias shapes
            np.broadcast_shapes(input._data.shape, out_shape)
    except ValueError:
        raise RuntimeError(
            f"The expanded size of the tensor ({mat2.shape[1]}) must match the existing size "
            f"({input.shape[-1]}) at non-singleton dimension 1.  Target sizes: "
            f"[{mat1.shape[0]}, {mat2.shape[1]}].  Tensor sizes: {list(input.shape)}"
        ) from None


def outer(input, vec2) -> None:
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")


def diag(input) -> None:
    if input.ndim not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def trace(input) -> None:
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
