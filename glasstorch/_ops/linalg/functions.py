"""The matrix products and diagonals users call: matmul (``@``), mm, bmm, mv, dot, addmm, outer,
diagonal, trace. ``torch.mm(a, b)`` and ``a.mm(b)`` are the same function.

Each one is a call into ``_checks`` and a few lines of idea: mostly which node class (whose name
PyTorch's ``grad_fn`` would print) runs. The nodes, with their math, are in ``nodes.py``.
"""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor, _make, _wrap_dim, apply
from .. import _out, _view
from ..shape.functions import unsqueeze
from . import _checks
from .nodes import (
    AddmmBackward0,
    BmmBackward0,
    CloneBackward0,
    DiagEmbedBackward0,
    DiagonalBackward0,
    DiagonalBackward0_copy,
    DotBackward0,
    MmBackward0,
    MvBackward0,
    SqueezeBackward4,
    TraceBackward0,
    TransposeBackward0,
    UnsafeViewBackward0,
    _diagonal_view,
)

# ---------------------------------------------------------------------------------------------
# products
# ---------------------------------------------------------------------------------------------


def _matrix_at_batch(m: Tensor, b: Tensor) -> type:
    """PyTorch computes M @ B as (B^T @ M^T)^T and copies it only if that is not contiguous."""
    n, k = m.shape[0], b.shape[-1]
    copies = n > 1 and k > 1 and int(np.prod(b.shape[:-2])) > 0
    return CloneBackward0 if copies else TransposeBackward0


def matmul(input, other, *, out=None) -> Tensor:
    """Matrix product with NumPy's rules for 1-D operands and broadcast batch dims."""
    _checks.matmul(input, other)
    a, b = input.ndim, other.ndim
    # the grad_fn is the last op of PyTorch's recipe for these ranks
    cls = (DotBackward0 if a == 1 and b == 1 else MvBackward0 if a == 2 and b == 1
           else MmBackward0 if a == 2 and b == 2 else SqueezeBackward4 if a == 1 and b == 2
           else _matrix_at_batch(input, other) if a == 2 else UnsafeViewBackward0)
    try:
        r = apply(cls, input, other)
    except ValueError:  # batch dims that do not broadcast
        raise _checks.broadcast_error(np.empty(input.shape[:-2]), np.empty(other.shape[:-2]),
                                      "matmul") from None
    return _out(r, out)


def mm(input, mat2, *, out=None) -> Tensor:
    """Product of two matrices (2-D only)."""
    _checks.mm(input, mat2)
    return apply(MmBackward0, input, mat2)


def bmm(input, mat2) -> Tensor:
    """Batched product: (b, n, k) @ (b, k, m) -> (b, n, m)."""
    _checks.bmm(input, mat2)
    return apply(BmmBackward0, input, mat2)


def mv(input, vec) -> Tensor:
    """Matrix times vector."""
    _checks.mv(input, vec)
    return apply(MvBackward0, input, vec)


def dot(input, other) -> Tensor:
    """Sum of the products of two vectors' elements."""
    _checks.dot(input, other)
    return apply(DotBackward0, input, other)


def inner(input, other) -> Tensor:
    """Products summed over the last dim: out[i.., j..] = sum_k a[i.., k] b[j.., k]."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    _checks.inner(input, other)
    k = input.shape[-1]
    rows = [int(np.prod(t.shape[:-1])) for t in (input, other)]  # -1 is ambiguous when k = 0
    out = matmul(input.reshape(rows[0], k), other.reshape(rows[1], k).t())
    return out.reshape(input.shape[:-1] + other.shape[:-1])


def addmm(input, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2) in one node (what nn.Linear computes)."""
    _checks.addmm(input, mat1, mat2)
    return apply(AddmmBackward0, input, mat1, mat2, beta=beta, alpha=alpha)


def outer(input, vec2) -> Tensor:
    """out[i, j] = input[i] * vec2[j]."""
    _checks.outer(input, vec2)
    return unsqueeze(input, 1) * unsqueeze(vec2, 0)


ger = outer


# ---------------------------------------------------------------------------------------------
# diagonals
# ---------------------------------------------------------------------------------------------


def diagonal(input, offset=0, dim1=0, dim2=1) -> Tensor:
    """The diagonal of a matrix (or of dims dim1, dim2) as a view."""
    d1, d2 = _wrap_dim(dim1, input.ndim), _wrap_dim(dim2, input.ndim)
    out = apply(DiagonalBackward0, input, offset=offset, dim1=d1, dim2=d2)
    out._data = _diagonal_view(input._data, offset, d1, d2)
    return _view(out, input, lambda a: _diagonal_view(a, offset, d1, d2))


def diag(input, diagonal=0) -> Tensor:
    """A vector becomes a diagonal matrix; a matrix gives its diagonal (a copy)."""
    _checks.diag(input)
    if input.ndim == 1:
        return apply(DiagEmbedBackward0, input, offset=diagonal)
    return apply(DiagonalBackward0_copy, input, offset=diagonal)


def trace(input) -> Tensor:
    """Sum of the diagonal of a matrix."""
    _checks.trace(input)
    return apply(TraceBackward0, input)


# ---------------------------------------------------------------------------------------------
# the older names of torch.linalg's functions (torch.inverse, torch.svd ...), also methods
# ---------------------------------------------------------------------------------------------
# glasstorch.linalg imports this family, so these import it when called


def inverse(input, *, out=None) -> Tensor:
    """torch.linalg.inv."""
    from ... import linalg

    return linalg.inv(input, out=out)


def det(input) -> Tensor:
    """torch.linalg.det."""
    from ... import linalg

    return linalg.det(input)


def slogdet(input):
    """torch.linalg.slogdet, as ``torch.return_types.slogdet``."""
    from ... import linalg
    from ..reduction.functions import return_type

    return return_type("slogdet", *linalg.slogdet(input), fields=("sign", "logabsdet"))


def logdet(input) -> Tensor:
    """log det(A): nan for a negative determinant, -inf for a singular matrix."""
    from ... import linalg
    from ..pointwise.functions import where

    _checks.matrix(input, "logdet", square=True)
    sign, logabsdet = linalg.slogdet(input)
    return where(sign == -1, float("nan"), logabsdet)


def pinverse(input, rcond: float = 1e-15) -> Tensor:
    """torch.linalg.pinv with ``rtol=rcond``."""
    from ... import linalg

    return linalg.pinv(input, rtol=rcond)


def svd(input, some: bool = True, compute_uv: bool = True, *, out=None):
    """The older SVD: returns V (not Vh), reduced unless ``some=False``; without compute_uv,
    U and V are zeros of their full shapes."""
    from ... import linalg
    from ..reduction.functions import return_type

    _checks.svd_old(input)
    if compute_uv:
        u, s, vh = linalg.svd(input, full_matrices=not some)
        v = vh.transpose(-2, -1)
    else:
        s = linalg.svdvals(input)
        m, n = input.shape[-2:]
        u = _make(np.zeros(input.shape[:-2] + (m, m), input._data.dtype))
        v = _make(np.zeros(input.shape[:-2] + (n, n), input._data.dtype))
    return return_type("svd", u, s, v, fields=("U", "S", "V"))


def qr(input, some: bool = True, *, out=None):
    """torch.linalg.qr(A, 'reduced' if some else 'complete'), deprecated in PyTorch."""
    from ... import linalg
    from ..reduction.functions import return_type

    _checks.qr_deprecated()
    q, r = linalg.qr(input, "reduced" if some else "complete")
    return return_type("qr", q, r, fields=("Q", "R"))
