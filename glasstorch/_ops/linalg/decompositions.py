"""The nodes of ``torch.linalg``'s inverses, determinants, solves and factorizations: forward
(NumPy's LAPACK) and backward side by side, the math in the docstring (``forward | backward``).

Notation: ``A^-T`` is the inverse transposed, ``X^T`` swaps the last two dims (every formula
works on batches of matrices), ``g`` is the gradient of the output. The backward formulas are
the standard matrix-calculus results (Giles 2008, "An extended collection of matrix derivative
results"; Ionescu et al. 2015 and Seeger et al. 2017 for svd/eigh; Walter & Lehmann 2018 for
qr), written in the same form as PyTorch's so the numbers agree. Singular and eigenvectors are
unique only up to sign: NumPy's LAPACK and PyTorch's (MKL) may pick different signs; every
gauge-invariant quantity (U diag(S) Vh, |U|, losses of S alone) agrees.

The public functions that run these nodes are in ``glasstorch/linalg/__init__.py``.
"""

from __future__ import annotations

import numpy as np

from ...autograd.function import Node

_quiet = np.errstate


def _T(x: np.ndarray) -> np.ndarray:
    return x.swapaxes(-1, -2)


def _eye_like(a: np.ndarray) -> np.ndarray:
    return np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)


def zero_pivots(a: np.ndarray) -> np.ndarray:
    """For each matrix, the 1-based column of the first exact zero pivot of its LU
    factorization with partial pivoting (LAPACK's ``info``), 0 if there is none."""
    lu = np.array(a, dtype=np.float64 if a.dtype != np.float32 else np.float32)
    batch, n = lu.shape[:-2], lu.shape[-1]
    lu = lu.reshape((-1, n, n))
    info = np.zeros(lu.shape[0], np.int32)
    rows = np.arange(lu.shape[0])
    for j in range(n):
        p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)  # the first largest, as LAPACK's
        lu[rows, j], lu[rows, p] = lu[rows, p], lu[rows, j].copy()
        piv = lu[:, j, j]
        info[(piv == 0) & (info == 0)] = j + 1
        safe = np.where(piv == 0, 1, piv)
        factors = np.where(piv[:, None] == 0, 0, lu[:, j + 1:, j] / safe[:, None])
        lu[:, j + 1:, j + 1:] -= factors[:, :, None] * lu[:, j, None, j + 1:]
        lu[:, j + 1:, j] = factors
    return info.reshape(batch)


def _solve_or_nan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """solve(a, b), with nan for the singular matrices of a batch (PyTorch gives inf/nan)."""
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        bad = zero_pivots(a) != 0
        a = np.where(bad[..., None, None], _eye_like(a), a)
        x = np.linalg.solve(a, b)
        x[np.broadcast_to(bad[..., None, None], x.shape)] = np.nan
        return x


# ---------------------------------------------------------------------------------------------
# inverse, determinants, solve
# ---------------------------------------------------------------------------------------------


class LinalgInvExBackward0(Node):
    """(A^-1, info) = inv_ex(A)  |  dA = -A^-T g A^-T"""

    saves_output = True
    differentiable_outputs = (0,)

    def forward(self, a):
        try:
            inv = np.linalg.inv(a)
            info = np.zeros(a.shape[:-2], np.int32)
        except np.linalg.LinAlgError:  # PyTorch reports which matrices are singular
            info = zero_pivots(a)
            inv = np.full(a.shape, np.nan, a.dtype)
            ok = info == 0
            inv[ok] = np.linalg.inv(a[ok])
        self.saved = (inv,)
        return inv, info

    def backward(self, g, g_info=None):
        (inv,) = self.saved
        inv_t = _T(inv)
        return (-(inv_t @ g @ inv_t),)


class LinalgDetBackward0(Node):
    """out = det(A)  |  dA = g det(A) A^-T  (0 where det(A) = 0, as PyTorch's first order)"""

    saved_inputs = (0,)
    saves_output = True

    def forward(self, a):
        det = np.asarray(np.linalg.det(a), a.dtype)
        self.saved = (a, det)
        return det

    def backward(self, g):
        a, det = self.saved
        singular = (det == 0)[..., None, None]
        inv = np.linalg.inv(np.where(singular, _eye_like(a), a))
        return ((g * det)[..., None, None] * _T(inv),)


class LinalgSlogdetBackward0(Node):
    """(sign, log|det A|) = slogdet(A)  |  dA = g_logabsdet A^-T  (sign is constant)"""

    saved_inputs = (0,)

    def forward(self, a):
        sign, logabsdet = np.linalg.slogdet(a)
        self.saved = (a,)
        return np.asarray(sign, a.dtype), np.asarray(logabsdet, a.dtype)

    def backward(self, g_sign, g_logabsdet):
        (a,) = self.saved
        inv_t = _T(_solve_or_nan(a, _eye_like(a)))
        return (g_logabsdet[..., None, None] * inv_t,)


class LinalgSolveExBackward0(Node):
    """(X, info) = solve_ex(A, B): AX = B (or XA = B)  |  dB = A^-T g,  dA = -dB X^T
    (for XA = B: dB = g A^-T,  dA = -X^T dB)"""

    saved_inputs = (0,)
    saves_output = True
    differentiable_outputs = (0,)

    def forward(self, a, b, left=True, vector=False):
        self.left, self.vector = left, vector
        b2 = b[..., None] if vector else b
        if not left:  # XA = B  <=>  A^T X^T = B^T
            a, b2 = _T(a), _T(b2)
        try:
            x = np.linalg.solve(a, b2)
            info = np.zeros(np.broadcast_shapes(a.shape[:-2], b2.shape[:-2]), np.int32)
        except np.linalg.LinAlgError:
            info = np.broadcast_to(zero_pivots(a), np.broadcast_shapes(
                a.shape[:-2], b2.shape[:-2])).copy()
            x = _solve_or_nan(a, b2)
        if not left:
            x = _T(x)
        self.saved = (a, x)  # a is A^T when left=False
        return (x[..., 0] if vector else x), info

    def backward(self, g, g_info=None):
        a, x = self.saved
        if self.vector:
            g = g[..., None]
        if self.left:
            gb = _solve_or_nan(_T(a), g)
            ga = -(gb @ _T(x))
        else:  # a holds A^T: g A^-T = (A^-1 g^T)^T = solve(A, g^T)^T
            gb = _T(_solve_or_nan(_T(a), _T(g)))
            ga = -(_T(x) @ gb)
        if self.vector:
            gb = gb[..., 0]
        return ga, gb


# ---------------------------------------------------------------------------------------------
# factorizations
# ---------------------------------------------------------------------------------------------


def _copyltu(m: np.ndarray) -> np.ndarray:
    """The symmetric matrix whose lower triangle (with the diagonal) is m's."""
    low = np.tril(m, -1)
    return low + _T(low) + m * np.eye(m.shape[-1], dtype=m.dtype)


def _qr_backward_tall(gq, gr, q, r):
    """A = QR with A m x n, m >= n:  dA = (gQ + Q copyltu(R gR^T - gQ^T Q)) R^-T"""
    m = r @ _T(gr) - _T(gq) @ q
    y = gq + q @ _copyltu(m)
    return _T(_solve_or_nan(r, _T(y)))  # y R^-T


class LinalgQrBackward0(Node):
    """(Q, R) = qr(A), Q orthonormal, R upper triangular  |
    m >= n: dA = (gQ + Q copyltu(R gR^T - gQ^T Q)) R^-T;
    m < n: A = Q [X | Y], R = [U | V]: dX = the square case with gQ + Y gV^T, dY = Q gV"""

    saved_inputs = (0,)
    saves_output = True

    def forward(self, a, mode="reduced"):
        self.mode = mode
        if mode == "r":
            r = np.linalg.qr(a, mode="r")
            self.saved = ()
            return np.zeros((0,), a.dtype), r
        q, r = np.linalg.qr(a, mode=mode)
        self.saved = (a, q, r)
        return q, r

    def backward(self, gq, gr):
        if self.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                "through linalg.qr."
            )
        a, q, r = self.saved
        m, n = a.shape[-2], a.shape[-1]
        if self.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        if m >= n:
            return (_qr_backward_tall(gq, gr, q, r),)
        y, gv = a[..., m:], gr[..., m:]
        gx = _qr_backward_tall(gq + y @ _T(gv), gr[..., :m], q, r[..., :m])
        return (np.concatenate([gx, q @ gv], axis=-1),)


class LinalgSvdBackward0(Node):
    """(U, S, Vh) = svd(A) = U diag(S) Vh  |  dA = U [ (skew(U^T gU) S + S skew(Vh gVh^T)) / E
    + diag(gS) ] Vh + (I - U U^T) gU S^-1 Vh (m > n) or U S^-1 gVh (I - Vh^T Vh) (m < n),
    where E_ij = S_j^2 - S_i^2, skew(X) = X - X^T; only gS: dA = U diag(gS) Vh"""

    saves_output = True

    def forward(self, a, full_matrices=True, compute_uv=True, keep_uv=False):
        self.compute_uv = compute_uv
        if not compute_uv and not keep_uv:  # svdvals without gradient
            self.saved = ()
            return np.linalg.svd(a, compute_uv=False)
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        k = s.shape[-1]
        self.saved = (u[..., :k], s, vh[..., :k, :])  # full_matrices: the rest is not used
        return (u, s, vh) if compute_uv else s

    def backward(self, *grads):
        u, s, vh = self.saved
        k = s.shape[-1]
        if self.compute_uv:
            gu, gs, gvh = grads[0][..., :k], grads[1], grads[2][..., :k, :]
            gu = gu if gu.any() else None  # a gradient that never reached U (PyTorch: undefined)
            gvh = gvh if gvh.any() else None
        else:
            gu, gs, gvh = None, grads[0], None
        m, n = u.shape[-2], vh.shape[-1]
        if gu is None and gvh is None:
            return ((u * gs[..., None, :]) @ vh,)
        with _quiet(all="ignore"):  # repeated singular values: inf/nan, as in PyTorch
            e = s[..., None, :] ** 2 - s[..., :, None] ** 2
            e = e + np.eye(k, dtype=e.dtype)  # its diagonal (0) becomes 1
            core = np.zeros(e.shape, u.dtype)
            if gu is not None:
                uhgu = _T(u) @ gu
                core = core + (uhgu - _T(uhgu)) * s[..., None, :]
            if gvh is not None:
                vhgv = vh @ _T(gvh)
                core = core + s[..., :, None] * (vhgv - _T(vhgv))
            core = core / e + gs[..., None, :] * np.eye(k, dtype=u.dtype)
            if m > n and gu is not None:
                x = gu / s[..., None, :]
                ga = (u @ core + x - u @ (_T(u) @ x)) @ vh
            elif m < n and gvh is not None:
                x = gvh / s[..., :, None]
                ga = u @ (core @ vh + x - (x @ _T(vh)) @ vh)
            else:
                ga = u @ core @ vh
        return (ga,)


class LinalgEighBackward0(Node):
    """(L, V) = eigh(A), A = V diag(L) V^T  |  dA = V [ diag(gL) + skew(V^T gV) / (2E) ] V^T,
    E_ij = L_j - L_i (off the diagonal);  only gL: dA = V diag(gL) V^T"""

    saves_output = True

    def forward(self, a, UPLO="L", compute_v=True, keep_v=False):  # noqa: N803 - PyTorch's name
        self.compute_v = compute_v
        if not compute_v and not keep_v:
            self.saved = ()
            return np.linalg.eigvalsh(a, UPLO=UPLO)
        w, v = np.linalg.eigh(a, UPLO=UPLO)
        self.saved = (w, v)
        return (w, v) if compute_v else w

    def backward(self, gl, gv=None):
        w, v = self.saved
        if gv is None or not gv.any():
            return ((v * gl[..., None, :]) @ _T(v),)
        n = w.shape[-1]
        eye = np.eye(n, dtype=v.dtype)
        with _quiet(all="ignore"):  # repeated eigenvalues: inf/nan, as in PyTorch
            e = w[..., None, :] - w[..., :, None] + eye
            vhgv = _T(v) @ gv
            core = (vhgv - _T(vhgv)) / 2 / e
        core = core * (1 - eye) + gl[..., None, :] * eye
        return (v @ core @ _T(v),)


class LinalgPinvBackward0(Node):
    """P = pinv(A) (via the SVD, singular values below the tolerance dropped)  |
    dA = -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A)"""

    saved_inputs = (0,)
    saves_output = True

    def forward(self, a, atol=0.0, rtol=0.0, hermitian=False):
        if a.size == 0:
            p = np.zeros(a.shape[:-2] + (a.shape[-1], a.shape[-2]), a.dtype)
            self.saved = (a, p)
            return p
        atol = np.asarray(atol, a.dtype)[..., None]  # tolerances may be per matrix
        rtol = np.asarray(rtol, a.dtype)[..., None]
        if hermitian:
            w, v = np.linalg.eigh(a)
            size = np.abs(w)
            tol = np.maximum(atol, rtol * size.max(axis=-1, keepdims=True))
            with _quiet(all="ignore"):
                inv = np.where(size > tol, 1 / w, 0).astype(a.dtype)
            p = (v * inv[..., None, :]) @ _T(v)
        else:
            u, s, vh = np.linalg.svd(a, full_matrices=False)
            tol = np.maximum(atol, rtol * s[..., :1])
            with _quiet(all="ignore"):
                inv = np.where(s > tol, 1 / s, 0).astype(a.dtype)
            p = (_T(vh) * inv[..., None, :]) @ _T(u)
        self.saved = (a, p)
        return p

    def backward(self, g):
        a, p = self.saved
        pt, gt = _T(p), _T(g)
        i_ap = np.eye(a.shape[-2], dtype=a.dtype) - a @ p
        i_pa = np.eye(a.shape[-1], dtype=a.dtype) - p @ a
        return (-(pt @ g @ pt) + i_ap @ gt @ p @ pt + pt @ p @ gt @ i_pa,)
