"""Argument checks of the matrix products: PyTorch's exception types and texts, and a
``[glasstorch]`` line with the shapes or dtypes and the usual fix (``nn.Linear`` sizes, float64
NumPy data).
"""

from __future__ import annotations

import numpy as np

from ..._warnings import warn
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


# ---------------------------------------------------------------------------------------------
# torch.linalg: inverses, determinants, solves, factorizations, norms
# ---------------------------------------------------------------------------------------------


class _LinAlgError(RuntimeError):
    """PyTorch's ``torch.linalg.LinAlgError`` (``torch._C._LinAlgError``): a RuntimeError raised
    when a matrix is singular (inv, solve) or a factorization fails to converge."""


_LinAlgError.__module__ = "torch._C"  # where PyTorch's class lives (and how it prints)

# the low-precision dtypes with no LAPACK kernel, and the kernel each op names in its error
_KERNELS = {"linalg.det": "lu_cpu", "linalg.qr": "geqrf_cpu", "linalg.svd": "linalg_svd_cpu",
            "linalg.solve": "lu_cpu"}


def matrix(A, op: str, square: bool = False, low_precision: bool = False,
           dtype: bool = True) -> None:
    """At least 2-d (a batch of matrices), optionally square, then (unless ``dtype`` is False)
    a float dtype: PyTorch's order of checks for every linalg function."""
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions."
                           f"\n[glasstorch] A has shape {list(A.shape)}; a vector v is the "
                           "matrix v[None] (a row) or v[:, None] (a column).")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if dtype:
        floating(A, op, low_precision)


def floating(A, op: str, low_precision: bool = False) -> None:
    kind = A._data.dtype.kind
    if kind != "f":
        raise RuntimeError(
            f"{op}: Expected a floating point or complex tensor as input. Got "
            f"{A.dtype.scalar_name}\n[glasstorch] Linear algebra works on float tensors: "
            "convert first with A.float() (or A.double() for more precision)."
        )
    if A._data.dtype == np.float16 and not low_precision:
        if op in _KERNELS:
            raise NotImplementedError(f"\"{_KERNELS[op]}\" not implemented for 'Half'")
        raise RuntimeError(f"{op}: Low precision dtypes not supported. Got Half")


def eigh(A, UPLO: str) -> None:  # noqa: N803 - PyTorch's argument name
    """Square matrices; any dtype but float32/float64 has no kernel; UPLO is 'L' or 'U'."""
    matrix(A, "linalg.eigh", square=True, dtype=False)
    if A._data.dtype.kind == "f" and A._data.dtype != np.float16 and UPLO.upper() in "LU" \
            and len(UPLO) == 1:
        return
    if A._data.dtype.kind != "f" or A._data.dtype == np.float16:
        raise NotImplementedError(
            f"\"linalg_eigh_cpu\" not implemented for '{A.dtype.scalar_name}'")
    raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def qr_mode(mode: str) -> None:
    if mode not in ("reduced", "r", "complete"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")


def driver(driver) -> None:
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on "
                           "CUDA inputs with cuSOLVER backend.")


def pinv(A, hermitian: bool) -> None:
    dt = A._data.dtype
    if A.ndim < 2 or dt.kind != "f" or dt == np.float16:
        raise RuntimeError(
            f"linalg.pinv({A.dtype.scalar_name}{{{list(A.shape)}}}): expected a tensor with 2 "
            "or more dimensions of float, double, cfloat or cdouble types"
        )
    if hermitian:
        matrix(A, "linalg.eigh", square=True)


def solve(A, B, left: bool) -> bool:
    """A square, B of the same float dtype and of matching size; returns whether B is a
    vector (PyTorch's rule: 1-d, or A's batch shape without the last dim)."""
    matrix(A, "linalg.solve", square=True, low_precision=True)
    if B.ndim < 1:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(
            f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{A.dtype.scalar_name} and B of type {B.dtype.scalar_name} instead"
        )
    floating(A, "linalg.solve")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    n = A.shape[-1]
    rows, cols = (B.shape[-1], 1) if vector else B.shape[-2:]
    if vector and not left:
        rows, cols = cols, rows
    if (rows if left else cols) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {rows}x{cols})")
    if B.ndim < 2 and not vector:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    try:
        np.broadcast_shapes(A.shape[:-2], B.shape[:-1] if vector else B.shape[:-2])
    except ValueError:
        raise broadcast_error(np.empty(B.shape[:-1] if vector else B.shape[:-2]),
                              np.empty(A.shape[:-2]), "linalg.solve") from None
    return vector


def singular(info: np.ndarray, op: str, kind: str) -> None:
    """PyTorch's LinAlgError when LU found a zero pivot (``info`` > 0) in some matrix."""
    if not info.any():
        return
    where = ""
    if info.ndim:
        where = f"(Batch element {int(np.flatnonzero(info.reshape(-1))[0])}): "
        first = int(info.reshape(-1)[np.flatnonzero(info.reshape(-1))[0]])
    else:
        first = int(info)
    if kind == "inv":
        msg = (f"{op}: {where}The diagonal element {first} is zero, the inversion could not be "
               "completed because the input matrix is singular.")
    else:
        msg = f"torch.{op}: {where}The solver failed because the input matrix is singular."
    raise _LinAlgError(msg + "\n[glasstorch] A singular matrix has no inverse (its determinant "
                       "is 0: some row is a combination of others). torch.linalg.pinv or "
                       "torch.linalg.lstsq give a least-squares answer instead.")


def norm_dtype(A, dtype, op: str) -> None:
    """``dtype=`` must be a float that A converts to without narrowing."""
    if dtype is None:
        return
    if not dtype.is_floating_point:
        raise RuntimeError(f"{op}: dtype should be floating point or complex, but got "
                           f"{dtype.scalar_name}")
    if A._data.dtype.kind == "f" and np.dtype(dtype.np).itemsize < A._data.dtype.itemsize:
        raise RuntimeError(
            f"{op}: the dtype of the input ({A.dtype.scalar_name}) should be convertible "
            f"without narrowing to the specified dtype ({dtype.scalar_name})"
        )


def vector_norm(x, ord, dims, dtype) -> None:  # noqa: A002 - PyTorch's name
    if isinstance(ord, str) or not isinstance(ord, (int, float, np.number)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    floating(x, "linalg.vector_norm", low_precision=True)
    norm_dtype(x, dtype, "linalg.vector_norm")
    if abs(float(ord)) == float("inf") and float(ord) and x.numel() == 0:
        inf = "-inf" if ord < 0 else "inf"
        if dims is None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {inf} norm on an empty "
                               "tensor because the operation does not have an identity")
        for d in dims:
            if x.shape[d] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {inf} norm on the "
                                   f"dimension {d}because this dimension is empty and the "
                                   "operation does not have an identity")


def matrix_norm(A, ord, dim, dtype) -> tuple:  # noqa: A002 - PyTorch's name
    """A supported order, a matrix, two different dims (returned wrapped)."""
    from ..._tensor import _wrap_dim

    if isinstance(ord, str):
        ok, low = ord in ("fro", "nuc"), ord != "nuc"
    else:
        ok, low = abs(float(ord)) in (1.0, 2.0, float("inf")), abs(float(ord)) != 2.0
    if not ok:
        shown = ord if isinstance(ord, str) else _num(ord)
        raise RuntimeError(f"linalg.matrix_norm: Order {shown} not supported.")
    matrix(A, "linalg.matrix_norm", low_precision=low)
    dim = tuple(dim) if isinstance(dim, (list, tuple)) else (dim,)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(str(d) for d in dim)}")
    d0, d1 = (_wrap_dim(d, A.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    norm_dtype(A, dtype, "linalg.matrix_norm")
    return d0, d1


def norm(A, ord, dim) -> None:  # noqa: A002 - PyTorch's name
    if dim is not None:
        dims = list(dim) if isinstance(dim, (list, tuple)) else [dim]
        if len(dims) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got {dims}")
    elif ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.ndim}D.")


def _num(x) -> str:
    """A number as C++ prints it in PyTorch's messages (3, 0.5, inf)."""
    x = float(x)
    return str(int(x)) if x.is_integer() else str(x)


# ---------------------------------------------------------------------------------------------
# cdist
# ---------------------------------------------------------------------------------------------


def cdist(x1, x2, p, compute_mode) -> int:
    """Returns the compute mode as a number (0 default, 1 always mm, 2 never)."""
    modes = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
             "donot_use_mm_for_euclid_dist": 2}
    if compute_mode not in modes:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, t in (("X1", x1), ("X2", x2)):
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if x1._data.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: "
                           f"{x1.dtype.scalar_name}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    try:
        np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    except ValueError:
        raise broadcast_error(np.empty(x1.shape[:-2]), np.empty(x2.shape[:-2]),
                              "cdist") from None
    if x1._data.dtype == np.float16:
        raise NotImplementedError("\"cdist\" not implemented for 'Half'")
    if x1._data.dtype != x2._data.dtype:
        raise RuntimeError(f"expected scalar type {x1.dtype.scalar_name} but found "
                           f"{x2.dtype.scalar_name}\n[glasstorch] cdist needs both point sets in "
                           "one dtype: convert one with .to(other.dtype).")
    return modes[compute_mode]


# ---------------------------------------------------------------------------------------------
# einsum: the equation's grammar and sizes
# ---------------------------------------------------------------------------------------------

ELLIPSIS = 52  # labels are 0..51: 'A'..'Z' then 'a'..'z' (PyTorch's order), then '...'


def _label(c: str) -> int:
    return ord(c) - ord("A") if c.isupper() else ord(c) - ord("a") + 26


def _letter(s: int) -> str:
    return chr(s + ord("A")) if s < 26 else chr(s - 26 + ord("a"))


def einsum(equation: str, operands) -> tuple[list, list, int]:
    """Parse ``equation`` for ``operands`` with PyTorch's errors. Returns the labels of each
    operand and of the output (ELLIPSIS for '...'), and how many dims '...' covers."""
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    lhs, arrow, rhs = equation.partition("->")
    op_labels: list[list[int]] = [[] for _ in operands]
    cur, ell, i = 0, False, 0
    while i < len(lhs):
        c = lhs[i]
        if c == " ":
            pass
        elif c == ".":
            if ell:
                raise RuntimeError(f"einsum(): found '.' for operand {cur} for which an ellipsis "
                                   "was already found")
            if lhs[i:i + 3] != "..." or i + 2 >= len(lhs):
                raise RuntimeError(f"einsum(): found '.' for operand {cur} that is not part of "
                                   "any ellipsis")
            op_labels[cur].append(ELLIPSIS)
            ell, i = True, i + 2
        elif c == ",":
            cur += 1
            if cur >= len(operands):
                raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                                   "equation")
            ell = False
        elif c.isascii() and c.isalpha():
            op_labels[cur].append(_label(c))
        else:
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation "
                               "string, subscripts must be in [a-zA-Z]")
        i += 1
    if cur != len(operands) - 1:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    count = [0] * 52
    ell_dims = 0
    for k, (t, labels) in enumerate(zip(operands, op_labels)):
        n = len([s for s in labels if s != ELLIPSIS])
        for s in labels:
            if s != ELLIPSIS:
                count[s] += 1
        if ELLIPSIS in labels:
            ell_dims = max(ell_dims, t.ndim - n)
            if n > t.ndim:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) is "
                                   f"more than the number of dimensions ({t.ndim}) for operand "
                                   f"{k}")
        elif n != t.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({n}) does not match the "
                f"number of dimensions ({t.ndim}) for operand {k} and no ellipsis was given"
                f"\n[glasstorch] operand {k} has shape {list(t.shape)}: give one letter per dim "
                "(or '...' for the leading dims)."
            )
    if not arrow:  # implicit output: '...' then the labels seen once, in label order
        out = [ELLIPSIS] + [s for s in range(52) if count[s] == 1]
    else:
        out, ell, i = [], False, 0
        while i < len(rhs):
            c = rhs[i]
            if c == " ":
                pass
            elif c == ".":
                if ell:
                    raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was "
                                       "already found")
                if rhs[i:i + 3] != "..." or i + 2 >= len(rhs):
                    raise RuntimeError("einsum(): found '.' for output that is not part of any "
                                       "ellipsis (...)")
                out.append(ELLIPSIS)
                ell, i = True, i + 2
            elif c.isascii() and c.isalpha():
                s = _label(c)
                if count[s] == 0 or s in out:
                    why = ("appears more than once in the output" if s in out else
                           "does not appear in the equation for any input operand")
                    raise RuntimeError(f"einsum(): output subscript {c} {why}")
                out.append(s)
            else:
                raise RuntimeError(f"einsum(): invalid subscript given at index "
                                   f"{len(lhs) + 2 + i} in the equation string, subscripts must "
                                   "be in [a-zA-Z]")
            i += 1
    _einsum_sizes(operands, op_labels, ell_dims)
    return op_labels, out, ell_dims


def _einsum_sizes(operands, op_labels, ell_dims: int) -> None:
    """Each label has one size (or 1, which broadcasts); so has each dim under '...'."""
    size = [1] * 52
    ell_size = [1] * ell_dims
    for k, (t, labels) in enumerate(zip(operands, op_labels)):
        seen: dict[int, int] = {}
        dim = 0
        for s in labels:
            if s == ELLIPSIS:
                covered = t.ndim - (len(labels) - 1)
                for j in range(ell_dims - covered, ell_dims):
                    n = t.shape[dim]
                    if n != 1:
                        if ell_size[j] not in (1, n):
                            raise RuntimeError(
                                f"einsum(): dimension {dim} covered by ellipsis in operand {k}"
                                f"has size {n} which does not broadcast with previously seen "
                                f"ellipsis with size {ell_size[j]} for the respective dimension")
                        ell_size[j] = n
                    dim += 1
                continue
            n = t.shape[dim]
            if s in seen:
                if n != t.shape[seen[s]]:
                    raise RuntimeError(f"einsum(): subscript {_letter(s)} is repeated for operand "
                                       f"{k} but the sizes don't match, {n} != "
                                       f"{t.shape[seen[s]]}")
            else:
                seen[s] = dim
                if n != 1:
                    if size[s] not in (1, n):
                        raise RuntimeError(
                            f"einsum(): subscript {_letter(s)} has size {n} for operand {k} which "
                            f"does not broadcast with previously seen size {size[s]}"
                            f"\n[glasstorch] every dim labelled {_letter(s)!r} must have one "
                            "size (or 1, which broadcasts).")
                    size[s] = n
            dim += 1


def svd_old(input) -> None:
    """torch.svd's own wording for a vector."""
    if input.ndim < 2:
        raise RuntimeError(f"linalg.svd: input should have at least 2 dimensions, but has "
                           f"{input.ndim} dimensions instead")


_qr_warned = [False]


def qr_deprecated() -> None:
    """PyTorch warns once per process that torch.qr is deprecated."""
    if _qr_warned[0]:
        return
    _qr_warned[0] = True

    warn(
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string "
        "parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = "
        "torch.linalg.qr(A, 'reduced' if some else 'complete')", UserWarning)
