"""Attention nodes (ATen's attention.cpp and its CPU flash-attention kernel).

PyTorch's CPU scaled_dot_product_attention runs 4-D inputs (batch, heads, sequence, features)
without dropout as one fused node, ``ScaledDotProductFlashAttentionForCpuBackward0``; so does
glasstorch's (its forward is the formula, its backward the formula's gradient, both in NumPy).
Other inputs take PyTorch's "math" composition in ``nn/functional.py``, which records
``_safe_softmax`` (a softmax that gives 0, not nan, to a row masked out entirely). The
multi-head attention's ``need_weights`` path records ``baddbmm``, which the core does not have
yet.
"""

from __future__ import annotations

import numpy as np

from ...autograd.engine import sum_to
from ...autograd.function import Node


def safe_softmax(s: np.ndarray) -> np.ndarray:
    """softmax over the last dim; a row that is -inf everywhere (fully masked) gives zeros."""
    m = s.max(axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)  # all -inf: exp(-inf - 0) = 0 below, no nan
    e = np.exp(s - m)
    total = e.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, e / total, 0).astype(s.dtype, copy=False)


def _softmax_backward(p: np.ndarray, g: np.ndarray) -> np.ndarray:
    """d softmax: p (g - sum(g p)) along the last dim."""
    return p * (g - (g * p).sum(axis=-1, keepdims=True))


class SafeSoftmaxBackward0(Node):
    """y = softmax(x) along the last dim (0 where a row is -inf everywhere)  |
    dx = y (g - sum(g y))"""

    saves_output = True

    def forward(self, x, dim):
        moved = np.moveaxis(x, dim, -1)
        y = np.moveaxis(safe_softmax(moved), -1, dim)
        self.saved = (y,)
        self.dim = dim
        return y

    def backward(self, g):
        (y,) = self.saved
        d = self.dim
        return (np.moveaxis(_softmax_backward(np.moveaxis(y, d, -1), np.moveaxis(g, d, -1)),
                            -1, d),)


class ScaledDotProductFlashAttentionForCpuBackward0(Node):
    """out = P v, P = softmax(scale q k^T + mask) over the keys (a row masked everywhere: 0)  |
    dv = P^T g; dP = g v^T; dS = P (dP - sum(dP P)); dq = scale dS k; dk = scale dS^T q"""

    saved_inputs = (0, 1, 2)

    def forward(self, q, k, v, mask, scale):
        dtype = q.dtype
        if dtype == np.float16:  # PyTorch's kernel computes half precision in float32
            q, k, v = (a.astype(np.float32) for a in (q, k, v))
        s = (q @ np.swapaxes(k, -1, -2)) * q.dtype.type(scale)
        if mask is not None:
            s = s + mask.astype(s.dtype, copy=False)
        p = safe_softmax(s)
        self.saved = (q, k, v, p)
        self.scale = scale
        out = np.empty_like(q, dtype=dtype)  # laid out like the query, as PyTorch's kernel
        out[...] = p @ v
        return out

    def backward(self, g):
        q, k, v, p = self.saved
        need = self._in_meta
        g = g.astype(q.dtype, copy=False)
        dv = np.swapaxes(p, -1, -2) @ g if need[2] is not None else None
        ds = _softmax_backward(p, g @ np.swapaxes(v, -1, -2)) * q.dtype.type(self.scale)
        dq = ds @ k if need[0] is not None else None
        dk = np.swapaxes(ds, -1, -2) @ q if need[1] is not None else None
        return dq, dk, dv


class BaddbmmBackward0(Node):
    """out = input + b1 @ b2 (batched matrix products, input broadcast)  |
    d input = g summed to its shape; d b1 = g b2^T; d b2 = b1^T g"""

    saved_inputs = (1, 2)

    def forward(self, input, b1, b2):
        self.saved = (b1, b2)
        self.shape = input.shape
        return input + b1 @ b2

    def backward(self, g):
        b1, b2 = self.saved
        need = self._in_meta
        di = sum_to(g, self.shape) if need[0] is not None else None
        db1 = g @ np.swapaxes(b2, -1, -2) if need[1] is not None else None
        db2 = np.swapaxes(b1, -1, -2) @ g if need[2] is not None else None
        return di, db1, db2
