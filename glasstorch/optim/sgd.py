"""Stochastic gradient descent, optionally with momentum (heavy-ball or Nesterov)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional momentum, dampening and weight decay.

    For each parameter θ with gradient g, at step t (the first two lines are the shared
    ``Optimizer.step`` template, the rest is ``SGD._update``)::

        g ← -g                    if maximize
        g ← g + λ·θ               if weight_decay λ ≠ 0
        if momentum μ ≠ 0:
            b ← g  (a copy)       at the first step
            b ← μ·b + (1-τ)·g     afterwards (τ = dampening)
            g ← g + μ·b           if nesterov, else g ← b
        θ ← θ - lr·g

    The momentum buffer ``b`` is kept in ``state[θ]['momentum_buffer']``.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
            nesterov=nesterov, maximize=maximize, foreach=foreach,
            differentiable=differentiable, fused=fused,
        )
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        mu = group["momentum"]
        if mu != 0:
            tau = group["dampening"]
            buf = state.get("momentum_buffer")
            if buf is None:  # b ← g (a copy) at the first step
                b = np.array(g, copy=True)
                state["momentum_buffer"] = Tensor._make(b)
            else:  # b ← μ·b + (1-τ)·g
                b = buf._data
                b *= mu
                b += g if tau == 0 else (1 - tau) * g
            g = g + mu * b if group["nesterov"] else b
        np.subtract(theta, lr * g, out=theta)  # θ ← θ - lr·g
