"""Matrix products: matmul (``@``), mm, bmm, mv, dot, addmm, outer.

All of them are one NumPy ``matmul`` forward and two in backward:
for out = a @ b,  da = g @ b^T  and  db = a^T @ g  (batch dims broadcast and are summed back
by the engine). The node class only differs by name, so ``grad_fn`` prints as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, apply
from ..autograd.function import Node


class MmBackward0(Node):
    """out = a @ b  |  da = g @ b^T,  db = a^T @ g"""

    saved_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}

    def forward(self, a, b):
        self.saved = (a, b)
        return np.matmul(a, b)

    def backward(self, g):
        a, b = self.saved
        a2, b2, g2 = a, b, g
        if a.ndim == 1:  # (k) @ (..., k, m): treat a as a row
            a2, g2 = a[None, :], g[..., None, :]
        if b.ndim == 1:  # (..., n, k) @ (k): treat b as a column
            b2, g2 = b[:, None], g2[..., None]
        da = _grad_a(g2, b2, a2) if self.needs(0) else None
        db = _grad_b(a2, g2, b2) if self.needs(1) else None
        if a.ndim == 1 and da is not None:
            da = da[..., 0, :]
        if b.ndim == 1 and db is not None:
            db = db[..., 0]
        return da, db


class BmmBackward0(MmBackward0):
    """out[i] = a[i] @ b[i]  |  da = g @ b^T,  db = a^T @ g"""


class MvBackward0(MmBackward0):
    """out = A @ v  |  dA = outer(g, v),  dv = A^T @ g"""


class DotBackward0(MmBackward0):
    """out = a . b  |  da = g b,  db = g a"""

    def backward(self, g):
        a, b = self.saved
        return g * b, g * a


class UnsafeViewBackward0(MmBackward0):
    """out = a @ b with batch dims  |  da = g @ b^T,  db = a^T @ g (summed over broadcasting)"""


class CloneBackward0(MmBackward0):
    """out = M @ B for a matrix M and a batch B (PyTorch computes (B^T @ M^T)^T and copies it)
    |  dM = g @ B^T summed over the batch,  dB = M^T @ g"""


class TransposeBackward0(MmBackward0):
    """out = M @ B for a matrix M and a batch B, when (B^T @ M^T)^T is already contiguous
    |  as CloneBackward0"""


def _matrix_at_batch(m: Tensor, b: Tensor) -> type:
    """PyTorch computes M @ B as (B^T @ M^T)^T and copies it only if that is not contiguous."""
    n, k = m.shape[0], b.shape[-1]
    copies = n > 1 and k > 1 and int(np.prod(b.shape[:-2])) > 0
    return CloneBackward0 if copies else TransposeBackward0


class SqueezeBackward4(MmBackward0):
    """out = v @ B (a row vector times a matrix)  |  dv = g @ B^T,  dB = outer(v, g)"""


_NP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long",
             "int32": "int", "int16": "short", "int8": "signed char", "uint8": "unsigned char",
             "bool": "bool"}


def _check(a: Tensor, b: Tensor, op: str) -> None:
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


def matmul(input, other, *, out=None) -> Tensor:
    """Matrix product with NumPy's rules for 1-D operands and broadcast batch dims."""
    _check(input, other, "matmul")
    a, b = input.ndim, other.ndim
    if input.dtype.name == "bool":  # the kernel PyTorch would dispatch to has no bool version
        kernel = "dot" if a == b == 1 else "addmv_impl_cpu" if b == 1 and a >= 2 else \
            "addmm_impl_cpu_" if b == 2 else "bmm"
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    # the grad_fn is the last op of PyTorch's recipe for these ranks
    cls = (DotBackward0 if a == 1 and b == 1 else MvBackward0 if a == 2 and b == 1
           else MmBackward0 if a == 2 and b == 2 else SqueezeBackward4 if a == 1 and b == 2
           else _matrix_at_batch(input, other) if a == 2 else UnsafeViewBackward0)
    try:
        r = apply(cls, input, other)
    except ValueError:  # batch dims that do not broadcast
        from . import _broadcast_error

        raise _broadcast_error(np.empty(input.shape[:-2]), np.empty(other.shape[:-2]),
                               "matmul") from None
    if out is not None:
        from .pointwise import _out

        return _out(r, out)
    return r


def mm(input, mat2, *, out=None) -> Tensor:
    """Product of two matrices (2-D only)."""
    if input.ndim != 2 or mat2.ndim != 2:
        bad = input if input.ndim != 2 else mat2
        raise RuntimeError(f"{'self' if bad is input else 'mat2'} must be a matrix")
    _check(input, mat2, "mm")
    return apply(MmBackward0, input, mat2)


def bmm(input, mat2) -> Tensor:
    """Batched product: (b, n, k) @ (b, k, m) -> (b, n, m)."""
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    _check(input, mat2, "bmm")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}]."
        )
    return apply(BmmBackward0, input, mat2)


def mv(input, vec) -> Tensor:
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    _check(input, vec, "mv")
    return apply(MvBackward0, input, vec)


def dot(input, other) -> Tensor:
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors"
        )
    _check(input, other, "dot")
    return apply(DotBackward0, input, other)


def inner(input, other) -> Tensor:
    """Products summed over the last dim: out[i.., j..] = sum_k a[i.., k] b[j.., k]."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    k = input.shape[-1]
    if other.shape[-1] != k:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(input.shape)} and {list(other.shape)}.")
    rows = [int(np.prod(t.shape[:-1])) for t in (input, other)]  # -1 is ambiguous when k = 0
    out = matmul(input.reshape(rows[0], k), other.reshape(rows[1], k).t())
    return out.reshape(input.shape[:-1] + other.shape[:-1])


class AddmmBackward0(Node):
    """out = beta*c + alpha*(a @ b)  |  dc = beta*g,  da = alpha*g @ b^T,  db = alpha*a^T @ g"""

    saved_inputs = (1, 2)
    saved_for = {1: (2,), 2: (1,)}

    def forward(self, c, a, b, beta=1, alpha=1):
        self.saved = (a, b)
        self.beta, self.alpha = beta, alpha
        out = np.matmul(a, b)
        if alpha != 1:
            out *= alpha
        out += c if beta == 1 else beta * c
        return out

    def backward(self, g):
        a, b = self.saved
        gs = g if self.alpha == 1 else g * self.alpha
        return ((g if self.beta == 1 else g * self.beta) if self.needs(0) else None,
                _grad_a(gs, b, a) if self.needs(1) else None,
                _grad_b(a, gs, b) if self.needs(2) else None)


def _grad_a(g, b, a):
    """g @ b^T, laid out like ``a``: for a transposed ``a`` (such as W.t() inside nn.Linear)
    compute (b @ g^T)^T, so the gradient needs no transposing copy later (PyTorch does the
    same)."""
    if a.ndim == 2 and g.ndim == 2 and not a.flags.c_contiguous and a.flags.f_contiguous:
        return np.matmul(b, g.T).T
    return np.matmul(g, np.swapaxes(b, -1, -2))


def _grad_b(a, g, b):
    """a^T @ g, laid out like ``b`` (see _grad_a): (g^T @ a)^T for a transposed ``b``."""
    if b.ndim == 2 and g.ndim == 2 and not b.flags.c_contiguous and b.flags.f_contiguous:
        return np.matmul(g.T, a).T
    return np.matmul(np.swapaxes(a, -1, -2), g)


def addmm(input, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2) in one node (what nn.Linear computes)."""
    _check(mat1, mat2, "addmm")
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError("mat1 must be a matrix, got " f"{mat1.ndim}-D tensor")
    if input.dtype is not mat1.dtype:
        _check(input, mat1, "addmm")
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
    return apply(AddmmBackward0, input, mat1, mat2, beta=beta, alpha=alpha)


def outer(input, vec2) -> Tensor:
    from .shape import unsqueeze

    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return unsqueeze(input, 1) * unsqueeze(vec2, 0)


ger = outer


def __matmul__(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


def __rmatmul__(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


TENSOR_METHODS = ("matmul", "mm", "bmm", "mv", "dot", "inner", "addmm", "outer", "ger",
                  "__matmul__", "__rmatmul__")


# -- diagonals ------------------------------------------------------------------------------


class DiagonalBackward0(Node):
    """out = x's diagonal (offset k; a view)  |  dx = zeros with g on that diagonal"""

    def forward(self, x, offset=0, dim1=0, dim2=1):
        self.shape, self.args = x.shape, (offset, dim1, dim2)
        return np.diagonal(x, offset, dim1, dim2)

    def backward(self, g):
        dx = np.zeros(self.shape, g.dtype)
        _diagonal_view(dx, *self.args)[...] = g
        return (dx,)


def _diagonal_view(a, offset, dim1, dim2):
    """A writable view of a diagonal (np.diagonal's own result is read-only)."""
    a2 = np.moveaxis(a, (dim1, dim2), (-2, -1))
    n, m = a2.shape[-2:]
    length = max(0, min(n, m - offset) - max(0, -offset))
    corner = a2[..., max(0, -offset):, max(0, offset):]
    strides = a2.strides[:-2] + (a2.strides[-2] + a2.strides[-1],)
    return np.lib.stride_tricks.as_strided(corner, a2.shape[:-2] + (length,), strides,
                                           writeable=True)


class DiagonalBackward0_copy(DiagonalBackward0):  # noqa: N801 - PyTorch's name for diag(matrix)
    """out = the diagonal of a matrix (a copy)  |  dx = zeros with g on that diagonal"""

    def forward(self, x, offset=0, dim1=0, dim2=1):
        return DiagonalBackward0.forward(self, x, offset, dim1, dim2).copy()


class DiagEmbedBackward0(Node):
    """out = a square matrix with v on diagonal k  |  dv = g's diagonal k"""

    def forward(self, v, offset=0):
        self.offset = offset
        return np.diag(v, offset)

    def backward(self, g):
        return (np.diagonal(g, self.offset).copy(),)


def diagonal(input, offset=0, dim1=0, dim2=1) -> Tensor:
    """The diagonal of a matrix (or of dims dim1, dim2) as a view."""
    from .._tensor import _wrap_dim
    from .shape import _view

    d1, d2 = _wrap_dim(dim1, input.ndim), _wrap_dim(dim2, input.ndim)
    out = apply(DiagonalBackward0, input, offset=offset, dim1=d1, dim2=d2)
    out._data = _diagonal_view(input._data, offset, d1, d2)
    return _view(out, input, lambda a: _diagonal_view(a, offset, d1, d2))


def diag(input, diagonal=0) -> Tensor:
    """A vector becomes a diagonal matrix; a matrix gives its diagonal (a copy)."""
    if input.ndim == 1:
        return apply(DiagEmbedBackward0, input, offset=diagonal)
    if input.ndim == 2:
        return apply(DiagonalBackward0_copy, input, offset=diagonal)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


class TraceBackward0(Node):
    """out = sum of the diagonal  |  dx = g on the diagonal, 0 elsewhere"""

    def forward(self, x):
        self.shape = x.shape
        return np.asarray(np.trace(x), x.dtype if x.dtype.kind == "f" else np.int64)

    def backward(self, g):
        return (np.eye(*self.shape, dtype=g.dtype) * g,)


def trace(input) -> Tensor:
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return apply(TraceBackward0, input)


TENSOR_METHODS += ("diagonal", "diag", "trace")
