"""The nodes of the matrix products and diagonals: forward and backward side by side, the math
in the docstring (``forward | backward``).

All products are one NumPy ``matmul`` forward and two in backward: for out = a @ b,
da = g @ b^T and db = a^T @ g (batch dims broadcast and are summed back by the engine). Several
node classes differ only by name, so ``grad_fn`` prints as in PyTorch. The functions that run
them are in ``functions.py``.
"""

from __future__ import annotations

import numpy as np

from ..._numpy_protocol import placed
from ...autograd.function import Node
from ..indexing.nodes import DiagonalBackwardBackward0

_quiet = np.errstate

# ---------------------------------------------------------------------------------------------
# products
# ---------------------------------------------------------------------------------------------


class MmBackward0(Node):
    """out = a @ b  |  da = g @ b^T,  db = a^T @ g"""

    saved_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}
    saved_as = (0, 1)

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
    """out = M @ B (M a matrix, B a batch)  |  dM = g @ B^T summed over B,  dB = M^T @ g"""

    # PyTorch computes M @ B as (B^T @ M^T)^T, then copies it to make it contiguous


class TransposeBackward0(MmBackward0):
    """out = M @ B (M a matrix, B a batch)  |  dM = g @ B^T summed over B,  dB = M^T @ g"""

    # as CloneBackward0, when (B^T @ M^T)^T is contiguous already (nothing to copy)


class SqueezeBackward4(MmBackward0):
    """out = v @ B (a row vector times a matrix)  |  dv = g @ B^T,  dB = outer(v, g)"""


class AddmmBackward0(Node):
    """out = beta*c + alpha*(a @ b)  |  dc = beta*g,  da = alpha*g @ b^T,  db = alpha*a^T @ g"""

    saved_inputs = (1, 2)
    saved_for = {1: (2,), 2: (1,)}
    saved_as = (1, 2)

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
    if a.ndim == 2 and g.ndim == 2 and _transposed(a):
        return np.matmul(b, g.T).T
    return np.matmul(g, np.swapaxes(b, -1, -2))


def _grad_b(a, g, b):
    """a^T @ g, laid out like ``b`` (see _grad_a): (g^T @ a)^T for a transposed ``b``."""
    if b.ndim == 2 and g.ndim == 2 and _transposed(b):
        return np.matmul(g.T, a).T
    return np.matmul(np.swapaxes(a, -1, -2), g)


def _transposed(a) -> bool:
    """A transposed array (column-major); tensors (create_graph) take the plain product."""
    return type(a) is np.ndarray and not a.flags.c_contiguous and a.flags.f_contiguous


# ---------------------------------------------------------------------------------------------
# diagonals
# ---------------------------------------------------------------------------------------------


class DiagonalBackward0(Node):
    """out = x's diagonal (offset k; a view)  |  dx = zeros with g on that diagonal"""

    saved_as = ()

    def forward(self, x, offset=0, dim1=0, dim2=1):
        self.shape, self.args = x.shape, (offset, dim1, dim2)
        return np.diagonal(x, offset, dim1, dim2)

    def backward(self, g):
        offset, d1, d2 = self.args
        key = [slice(None)] * len(self.shape)
        key[d1] = np.arange(g.shape[-1]) + max(0, -offset)
        key[d2] = np.arange(g.shape[-1]) + max(0, offset)
        # NumPy puts the indexed diagonal where the two dims were if they are neighbours, else
        # first; np.diagonal put it last
        at = min(d1, d2) if abs(d1 - d2) == 1 else 0
        return (placed(np.moveaxis(g, -1, at), self.shape, tuple(key), DiagonalBackwardBackward0),)


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

    saved_as = ()

    def forward(self, v, offset=0):
        self.offset = offset
        return np.diag(v, offset)

    def backward(self, g):
        return (np.diagonal(g, self.offset),)


class TraceBackward0(Node):
    """out = sum of the diagonal  |  dx = g on the diagonal, 0 elsewhere"""

    saved_as = ()

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return np.asarray(np.trace(x), x.dtype if x.dtype.kind == "f" else np.int64)

    def backward(self, g):
        return (np.eye(*self.shape, dtype=self.dtype) * g,)




# ---------------------------------------------------------------------------------------------
# distances (torch.cdist)
# ---------------------------------------------------------------------------------------------


class CdistBackward0(Node):
    """out[i, j] = ||x1[i] - x2[j]||_p  |  dx1[i] = sum_j g[i, j] d||.||/d diff,
    dx2[j] = -sum_i (the same), with d||.||/d diff = sign(diff) |diff|^(p-1) / out^(p-1)
    (p = 1: sign(diff); p = inf: sign(diff) where |diff| = out; p = 0: 0; 0 where out = 0)"""

    saved_inputs = (0, 1)
    saves_output = True

    def forward(self, x1, x2, p=2.0):
        self.p = p
        batch = np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
        shape = batch + (x1.shape[-2], x2.shape[-2])
        diff = x1[..., :, None, :] - x2[..., None, :, :]
        self.saved = (diff, None)
        if diff.shape[-1] == 0 or diff.size == 0:
            out = np.zeros(shape, x1.dtype)
        elif p == 0:
            out = (diff != 0).sum(-1).astype(x1.dtype)
        elif p == 1:
            out = np.abs(diff).sum(-1)
        elif p == 2:
            out = np.sqrt((diff * diff).sum(-1))
        elif p == float("inf"):
            out = np.abs(diff).max(-1)
        else:
            with _quiet(all="ignore"):
                out = (np.abs(diff) ** p).sum(-1) ** (1 / p)
        out = np.broadcast_to(out, shape).astype(x1.dtype)
        self.saved = (diff, out)
        return out

    def backward(self, g):
        diff, out = self.saved
        p = self.p
        if p == 0 or diff.size == 0:
            d = np.zeros_like(diff)
        else:
            gd, od = g[..., None], out[..., None]
            with _quiet(all="ignore"):  # out = 0 (identical points): gradient 0, as PyTorch's
                if p == 1:
                    d = np.sign(diff) * gd
                elif p == float("inf"):
                    d = np.sign(diff) * (np.abs(diff) == od) * gd
                elif p < 2:
                    d = np.sign(diff) * np.abs(diff) ** (p - 1) * gd / od ** (p - 1)
                    if p < 1:
                        d = np.where(diff == 0, 0, d)
                elif p == 2:
                    d = diff * gd / od
                else:
                    d = diff * np.abs(diff) ** (p - 2) * gd / od ** (p - 1)
            if p != 1 and p != float("inf"):
                d = np.where(od == 0, 0, d)
        return d.sum(-2), -d.sum(-3)


class EuclideanDistBackward0(Node):
    """out = sqrt(max(|x1_i|^2 + |x2_j|^2 - 2 x1_i . x2_j, 0)) (one matrix product)  |
    r = g / out (0 where out = 0):  dx1 = x1 rowsum(r) - r @ x2,  dx2 = x2 colsum(r) - r^T @ x1"""

    saved_inputs = (0, 1)
    saves_output = True

    def forward(self, x1, x2):
        n1 = (x1 * x1).sum(-1)[..., :, None]
        n2 = (x2 * x2).sum(-1)[..., None, :]
        out = np.sqrt(np.maximum(np.matmul(x1 * -2, np.swapaxes(x2, -1, -2)) + n1 + n2, 0))
        self.saved = (x1, x2, out)
        return out

    def backward(self, g):
        x1, x2, out = self.saved
        with _quiet(all="ignore"):
            r = np.where(out == 0, 0, g / out)
        return (x1 * r.sum(-1)[..., None] - np.matmul(r, x2),
                x2 * r.sum(-2)[..., None] - np.matmul(np.swapaxes(r, -1, -2), x1))
