"""RMSprop: divide each gradient coordinate by a running root-mean-square of its history."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _new_state_tensor, _step_counter, _step_without_grad

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture notes), optionally centered and with momentum.

    For each parameter θ with gradient g::

        g ← -g                              if maximize
        g ← g + λ·θ                         if weight_decay λ ≠ 0
        v ← α·v + (1-α)·g²                  running mean of squared gradients
        ṽ ← v - ḡ²,  with ḡ ← α·ḡ + (1-α)·g  if centered, else ṽ ← v
        if momentum μ > 0:
            b ← μ·b + g / (√ṽ + ε);   θ ← θ - lr·b
        else:
            θ ← θ - lr · g / (√ṽ + ε)

    ``state[θ]`` holds ``step``, ``square_avg`` (v) and, when used, ``momentum_buffer`` (b)
    and ``grad_avg`` (ḡ).
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(
            lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
            weight_decay=weight_decay, capturable=capturable, foreach=foreach,
            maximize=maximize, differentiable=differentiable,
        )
        super().__init__(params, defaults)

    @_step_without_grad
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one RMSprop step for every parameter with a gradient; return the closure's loss."""
        loss = self._evaluate_closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            alpha = group["alpha"]
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            momentum = group["momentum"]
            centered = group["centered"]
            maximize = group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                theta = p._data
                g = p.grad._data
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["square_avg"] = _new_state_tensor(theta)
                    if momentum > 0:
                        state["momentum_buffer"] = _new_state_tensor(theta)
                    if centered:
                        state["grad_avg"] = _new_state_tensor(theta)
                if maximize:
                    g = -g
                state["step"]._data += 1
                if weight_decay != 0:
                    g = g + weight_decay * theta

                # v ← αv + (1-α)g²
                v = state["square_avg"]._data
                v *= alpha
                g2 = g * (1 - alpha)
                g2 *= g
                v += g2
                if centered:
                    # ḡ ← αḡ + (1-α)g, as ḡ + (1-α)(g - ḡ); then ṽ = v - ḡ²
                    g_avg = state["grad_avg"]._data
                    diff = g - g_avg
                    diff *= 1 - alpha
                    g_avg += diff
                    avg = np.sqrt(v - g_avg * g_avg)
                else:
                    avg = np.sqrt(v)
                avg += eps

                if momentum > 0:
                    b = state["momentum_buffer"]._data
                    b *= momentum
                    b += g / avg
                    np.subtract(theta, lr * b, out=theta)
                else:
                    # θ ← θ - lr·g/(√ṽ + ε)
                    theta += (g * -lr) / avg
                p._vc[0] += 1
        return loss
