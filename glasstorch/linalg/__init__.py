"""``torch.linalg``: norms, inverses, determinants, solves and factorizations of (batches of)
matrices. The last two dims are the matrix; any dims before them are a batch.

Each function is a call into ``_ops/linalg/_checks.py`` (PyTorch's argument checks and texts)
and a few lines of idea; the nodes, forward and backward with their math, are in
``_ops/linalg/decompositions.py``. The matrix norms are built from other ops (``svdvals``,
``amax``, ``vector_norm`` ...) exactly as PyTorch builds them, so their graphs read the same.

Singular and eigenvectors are unique only up to sign. glasstorch uses NumPy's LAPACK, PyTorch
uses MKL's: the two may choose different signs for a column of U (and the matching row of Vh)
or of the eigenvectors. Products like U diag(S) Vh, and losses that do not depend on the signs,
agree.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._ops.linalg import _checks
from .._ops.linalg._checks import _LinAlgError
from .._ops.linalg.decompositions import (
    LinalgDetBackward0,
    LinalgEighBackward0,
    LinalgInvExBackward0,
    LinalgPinvBackward0,
    LinalgQrBackward0,
    LinalgSlogdetBackward0,
    LinalgSolveExBackward0,
    LinalgSvdBackward0,
)
from .._ops.linalg.functions import diagonal as _diagonal
from .._ops.linalg.functions import matmul
from .._ops.reduction.functions import amax, amin, return_type
from .._ops.reduction.nodes import LinalgVectorNormBackward0
from .._tensor import Tensor, _wrap_dim, apply
from ..autograd.grad_mode import _state

__all__ = ["LinAlgError", "norm", "vector_norm", "matrix_norm", "inv", "inv_ex", "solve",
           "solve_ex", "det", "slogdet", "qr", "svd", "svdvals", "eigh", "eigvalsh", "pinv",
           "matmul", "diagonal"]

LinAlgError = _LinAlgError


def _wants_grad(A: Tensor) -> bool:
    return _state.enabled and A.requires_grad


# ---------------------------------------------------------------------------------------------
# norms
# ---------------------------------------------------------------------------------------------


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None,  # noqa: A002
                out=None) -> Tensor:
    """(sum |x|^ord)^(1/ord) over ``dim`` (all elements if None); ord = inf: max |x|."""
    dims = _vector_dims(dim, x.ndim)
    _checks.vector_norm(x, ord, dims, D.to_dtype(dtype) if dtype is not None else None)
    r = apply(LinalgVectorNormBackward0, x, p=float(ord), dims=dims, keepdim=keepdim,
              dtype=None if dtype is None else D.to_dtype(dtype).np)
    return _written(r, out)


def _vector_dims(dim, ndim: int) -> tuple | None:
    if dim is None:
        return None
    ds = [dim] if isinstance(dim, int) else list(dim)
    if not ds:
        return None
    wrapped = [_wrap_dim(d, ndim) for d in ds]
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(sorted(wrapped)) if ndim else ()


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *,  # noqa: A002
                dtype=None, out=None) -> Tensor:
    """'fro': sqrt(sum A^2); 'nuc': sum of singular values; 2/-2: largest/smallest singular
    value; 1/-1 (inf/-inf): largest/smallest sum of |A| over a column (row)."""
    d0, d1 = _checks.matrix_norm(A, ord, dim, D.to_dtype(dtype) if dtype is not None else None)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim, dtype=dtype, out=out)
    pick = amax if ord == "nuc" or ord > 0 else amin
    if ord == "nuc" or abs(ord) == 2:  # from the singular values, the two dims moved last
        if dtype is not None:
            A = A.to(dtype)
        order = [d for d in range(A.ndim) if d not in (d0, d1)] + [d0, d1]
        s = svdvals(A.permute(order))
        r = s.sum(-1, keepdim) if ord == "nuc" else pick(s, -1, keepdim)
        if keepdim:
            r = r.unsqueeze(-1).permute([order.index(i) for i in range(A.ndim)])
        return _written(r, out)
    if abs(ord) == float("inf"):  # the 1-norm of the transpose
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1  # the first reduction removed a dim before it
    return _written(pick(vector_norm(A, 1, d0, keepdim, dtype=dtype), d1, keepdim), out)


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, out=None,  # noqa: A002
         dtype=None) -> Tensor:
    """A vector norm, or a matrix norm when ``ord`` is given for a matrix (2 dims)."""
    _checks.norm(A, ord, dim)
    two = (dim is not None and not isinstance(dim, int) and len(dim) == 2) or \
        (dim is None and A.ndim == 2)
    if isinstance(ord, str) or (ord is not None and two):
        return matrix_norm(A, ord if ord is not None else "fro",
                           dim if dim is not None else (0, 1), keepdim, dtype=dtype, out=out)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


# ---------------------------------------------------------------------------------------------
# inverse, determinants, solve
# ---------------------------------------------------------------------------------------------


def inv_ex(A: Tensor, *, check_errors: bool = False, out=None):
    """(inverse, info): info > 0 marks a singular matrix (the first zero pivot of its LU)."""
    _checks.matrix(A, "linalg.inv", square=True)
    inverse, info = apply(LinalgInvExBackward0, A)
    if check_errors:
        _checks.singular(info._data, "linalg.inv_ex", "inv")
    return return_type("linalg_inv_ex", inverse, info, fields=("inverse", "info"))


def inv(A: Tensor, *, out=None) -> Tensor:
    """A^-1; a singular matrix raises LinAlgError."""
    _checks.matrix(A, "linalg.inv", square=True)
    inverse, info = apply(LinalgInvExBackward0, A)
    _checks.singular(info._data, "linalg.inv", "inv")
    return _written(inverse, out)


def det(A: Tensor, *, out=None) -> Tensor:
    """The determinant (from the LU factorization)."""
    _checks.matrix(A, "linalg.det", square=True)
    return _written(apply(LinalgDetBackward0, A), out)


def slogdet(A: Tensor, *, out=None):
    """(sign, log|det|): the determinant without overflow or underflow."""
    _checks.matrix(A, "linalg.slogdet", square=True)
    sign, logabsdet = apply(LinalgSlogdetBackward0, A)
    return return_type("linalg_slogdet", sign, logabsdet, fields=("sign", "logabsdet"))


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False, out=None):
    """(X, info) with AX = B (XA = B if not ``left``); info > 0 marks a singular A."""
    vector = _checks.solve(A, B, left)
    x, info = apply(LinalgSolveExBackward0, A, B, left=left, vector=vector)
    if check_errors:
        _checks.singular(info._data, "linalg.solve_ex", "solve")
    return return_type("linalg_solve_ex", x, info, fields=("result", "info"))


def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """X with AX = B (XA = B if not ``left``), without forming A^-1; B may be a vector."""
    vector = _checks.solve(A, B, left)
    x, info = apply(LinalgSolveExBackward0, A, B, left=left, vector=vector)
    _checks.singular(info._data, "linalg.solve", "solve")
    return _written(x, out)


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:
    """The pseudo-inverse: the SVD with singular values <= max(atol, rtol * largest) dropped."""
    _checks.pinv(A, hermitian)
    atol_v = _tolerance(atol)
    if rtol is None:  # PyTorch's default: eps * max(m, n), unless only atol > 0 is given
        eps = float(np.finfo(A._data.dtype).eps)
        rtol_v = 0.0 if atol is not None and _positive(atol) else eps * max(A.shape[-2:])
    else:
        rtol_v = _tolerance(rtol)
    return _written(apply(LinalgPinvBackward0, A, atol=atol_v, rtol=rtol_v,
                          hermitian=hermitian), out)


def _tolerance(t):
    if t is None:
        return 0.0
    return t._data if isinstance(t, Tensor) else float(t)


def _positive(t) -> bool:
    return bool((t._data > 0).any()) if isinstance(t, Tensor) else t > 0


# ---------------------------------------------------------------------------------------------
# factorizations
# ---------------------------------------------------------------------------------------------


def qr(A: Tensor, mode: str = "reduced", *, out=None):
    """(Q, R) with A = QR, Q's columns orthonormal, R upper triangular."""
    _checks.matrix(A, "linalg.qr")
    _checks.qr_mode(mode)
    q, r = apply(LinalgQrBackward0, A, mode=mode)
    return return_type("linalg_qr", q, r, fields=("Q", "R"))


def svd(A: Tensor, full_matrices: bool = True, *, driver=None, out=None):
    """(U, S, Vh) with A = U diag(S) Vh, S sorted descending."""
    _checks.matrix(A, "linalg.svd")
    _checks.driver(driver)
    u, s, vh = apply(LinalgSvdBackward0, A, full_matrices=full_matrices)
    return return_type("linalg_svd", u, s, vh, fields=("U", "S", "Vh"))


def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:
    """The singular values, descending."""
    _checks.matrix(A, "linalg.svd")
    _checks.driver(driver)
    return _written(apply(LinalgSvdBackward0, A, full_matrices=False, compute_uv=False,
                          keep_uv=_wants_grad(A)), out)


def eigh(A: Tensor, UPLO: str = "L", *, out=None):  # noqa: N803 - PyTorch's name
    """(eigenvalues ascending, eigenvectors as columns) of a symmetric matrix; only the lower
    (UPLO='L') or upper triangle is read."""
    _checks.eigh(A, UPLO)
    w, v = apply(LinalgEighBackward0, A, UPLO=UPLO.upper())
    return return_type("linalg_eigh", w, v, fields=("eigenvalues", "eigenvectors"))


def eigvalsh(A: Tensor, UPLO: str = "L", *, out=None) -> Tensor:  # noqa: N803
    """The eigenvalues of a symmetric matrix, ascending."""
    _checks.eigh(A, UPLO)
    return _written(apply(LinalgEighBackward0, A, UPLO=UPLO.upper(), compute_v=False,
                          keep_v=_wants_grad(A)), out)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """torch.diagonal with the last two dims as the default."""
    return _diagonal(A, offset, dim1, dim2)


def _written(r: Tensor, out) -> Tensor:
    from .._ops import _out

    return _out(r, out)
