"""Adam: per-coordinate step sizes from running averages of the gradient and its square."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _new_state_tensor, _step_counter

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2014), with optional AMSGrad, maximize and weight decay.

    For each parameter θ with gradient g, at step t = 1, 2, ... (the first three lines are the
    shared ``Optimizer.step`` template, the rest is ``Adam._update``)::

        g ← -g                              if maximize
        θ ← θ·(1 - lr·λ)                    if decoupled weight decay (AdamW)
        g ← g + λ·θ                         otherwise, if weight_decay λ ≠ 0
        m ← β₁·m + (1-β₁)·g                 running mean of gradients
        v ← β₂·v + (1-β₂)·g²                running mean of squared gradients
        v̂ ← max(v̂, v)                       if amsgrad (used in place of v below)
        θ ← θ - (lr / (1-β₁ᵗ)) · m / (√v / √(1-β₂ᵗ) + ε)

    ``state[θ]`` holds ``step`` (a 0-d float32 tensor), ``exp_avg`` (m), ``exp_avg_sq`` (v)
    and, with amsgrad, ``max_exp_avg_sq`` (v̂).
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        both_floats = isinstance(betas[0], float) and isinstance(betas[1], float)
        both_tensors = isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor)
        if not (both_floats or both_tensors):
            raise ValueError("betas must be either both floats or both Tensors")
        # one-element tensor betas are kept as 0-d tensors (read with float() at each step)
        betas = tuple(b.squeeze() if isinstance(b, Tensor) and b.dim() != 0 else b for b in betas)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable, fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        beta1, beta2 = group["betas"]
        beta1, beta2 = float(beta1), float(beta2)
        amsgrad = group["amsgrad"]
        if not state:
            state["step"] = _step_counter()
            state["exp_avg"] = _new_state_tensor(theta)
            state["exp_avg_sq"] = _new_state_tensor(theta)
            if amsgrad:
                state["max_exp_avg_sq"] = _new_state_tensor(theta)
        step_count = state["step"]._data
        step_count += 1
        t = float(step_count)

        m = state["exp_avg"]._data
        v = state["exp_avg_sq"]._data
        # m ← β₁·m + (1-β₁)·g, written as m + (1-β₁)·(g - m) like torch's lerp
        diff = g - m
        diff *= 1 - beta1
        m += diff
        # v ← β₂·v + (1-β₂)·g²
        v *= beta2
        g2 = g * (1 - beta2)
        g2 *= g
        v += g2
        if amsgrad:  # v̂ ← max(v̂, v)
            v_max = state["max_exp_avg_sq"]._data
            np.maximum(v_max, v, out=v_max)
            v = v_max
        # θ ← θ - (lr / (1-β₁ᵗ)) · m / (√v / √(1-β₂ᵗ) + ε)
        step_size = lr / (1 - beta1**t)
        denom = np.sqrt(v)
        denom /= (1 - beta2**t) ** 0.5
        denom += group["eps"]
        update = m * -step_size
        update /= denom
        theta += update
