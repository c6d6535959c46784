"""RMSprop: divide each gradient coordinate by a running root-mean-square of its history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _new_state_tensor, _step_counter

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture notes), optionally centered and with momentum.

    For each parameter θ with gradient g (the first two lines are the shared
    ``Optimizer.step`` template, the rest is ``RMSprop._update``)::

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

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        alpha = group["alpha"]
        mu = group["momentum"]
        centered = group["centered"]
        if not state:
            state["step"] = _step_counter()
            state["square_avg"] = _new_state_tensor(theta)
            if mu > 0:
                state["momentum_buffer"] = _new_state_tensor(theta)
            if centered:
                state["grad_avg"] = _new_state_tensor(theta)
        state["step"]._data += 1

        # v ← α·v + (1-α)·g²
        v = state["square_avg"]._data
        v *= alpha
        g2 = g * (1 - alpha)
        g2 *= g
        v += g2
        if centered:
            # ḡ ← α·ḡ + (1-α)·g, as ḡ + (1-α)·(g - ḡ); then ṽ = v - ḡ²
            g_avg = state["grad_avg"]._data
            diff = g - g_avg
            diff *= 1 - alpha
            g_avg += diff
            avg = np.sqrt(v - g_avg * g_avg)
        else:
            avg = np.sqrt(v)
        avg += group["eps"]  # √ṽ + ε

        if mu > 0:  # b ← μ·b + g / (√ṽ + ε);   θ ← θ - lr·b
            b = state["momentum_buffer"]._data
            b *= mu
            b += g / avg
            np.subtract(theta, lr * b, out=theta)
        else:  # θ ← θ - lr · g / (√ṽ + ε)
            theta += (g * -lr) / avg
