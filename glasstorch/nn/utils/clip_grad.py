"""Gradient clipping: keep one oversized gradient step from wrecking training."""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor, _make


def _grads(parameters) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    total = norm of the vector of every gradient element; if total > max_norm, each gradient
    is multiplied by max_norm / (total + 1e-6). Returns total (before clipping).
    """
    grads = _grads(parameters)
    if not grads:
        return _make(np.zeros((), np.float32))
    norm_type = float(norm_type)
    if norm_type == float("inf"):
        norms = [np.abs(g._data).max() for g in grads]
        total = np.max(norms)
    else:
        norms = [np.linalg.norm(g._data.ravel(), norm_type) for g in grads]
        total = np.linalg.norm(np.asarray(norms, grads[0]._data.dtype), norm_type)
    total = np.asarray(total, grads[0]._data.dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    coef = np.minimum(np.asarray(max_norm, total.dtype) / (total + total.dtype.type(1e-6)), 1)
    for g in grads:
        g._data *= coef.astype(g._data.dtype)
        g._vc[0] += 1
    return _make(total)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value]."""
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._vc[0] += 1
