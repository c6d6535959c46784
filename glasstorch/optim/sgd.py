"""Stochastic gradient descent, optionally with momentum (heavy-ball or Nesterov)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _step_without_grad

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional momentum, dampening and weight decay.

    For each parameter θ with gradient g, at step t::

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

    @_step_without_grad
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one SGD step for every parameter with a gradient; return the closure's loss."""
        loss = self._evaluate_closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            momentum = group["momentum"]
            dampening = group["dampening"]
            weight_decay = group["weight_decay"]
            nesterov = group["nesterov"]
            maximize = group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                theta = p._data
                g = p.grad._data
                if maximize:
                    g = -g
                if weight_decay != 0:
                    g = g + weight_decay * theta
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        # First step: the buffer starts as the gradient itself (no dampening).
                        b = np.array(g, copy=True)
                        state["momentum_buffer"] = Tensor._make(b)
                    else:
                        b = buf._data
                        b *= momentum
                        b += g if dampening == 0 else (1 - dampening) * g
                    g = g + momentum * b if nesterov else b
                np.subtract(theta, lr * g, out=theta)
                p._vc[0] += 1
        return loss
