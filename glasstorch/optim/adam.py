"""Adam: per-coordinate step sizes from running averages of the gradient and its square."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _new_state_tensor, _step_counter, _step_without_grad

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2014), with optional AMSGrad, maximize and weight decay.

    For each parameter θ with gradient g, at step t = 1, 2, ...::

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

    @_step_without_grad
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one Adam step for every parameter with a gradient; return the closure's loss."""
        loss = self._evaluate_closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = (float(b) for b in group["betas"])
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            decoupled = group["decoupled_weight_decay"]
            amsgrad = group["amsgrad"]
            maximize = group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                theta = p._data
                g = p.grad._data
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["exp_avg"] = _new_state_tensor(theta)
                    state["exp_avg_sq"] = _new_state_tensor(theta)
                    if amsgrad:
                        state["max_exp_avg_sq"] = _new_state_tensor(theta)
                if maximize:
                    g = -g
                step_count = state["step"]._data
                step_count += 1
                t = float(step_count)

                if weight_decay != 0:
                    if decoupled:
                        theta *= 1 - lr * weight_decay
                        p._vc[0] += 1
                    else:
                        g = g + weight_decay * theta

                m = state["exp_avg"]._data
                v = state["exp_avg_sq"]._data
                # m ← β₁m + (1-β₁)g, written as m + (1-β₁)(g - m) like torch's lerp
                diff = g - m
                diff *= 1 - beta1
                m += diff
                # v ← β₂v + (1-β₂)g²
                v *= beta2
                g2 = g * (1 - beta2)
                g2 *= g
                v += g2

                if amsgrad:
                    v_max = state["max_exp_avg_sq"]._data
                    np.maximum(v_max, v, out=v_max)
                    v = v_max
                bias_correction1 = 1 - beta1**t
                bias_correction2 = 1 - beta2**t
                step_size = lr / bias_correction1
                # denom = √v / √(1-β₂ᵗ) + ε
                denom = np.sqrt(v)
                denom /= bias_correction2**0.5
                denom += eps
                # θ ← θ - step_size · m / denom
                update = m * -step_size
                update /= denom
                theta += update
                p._vc[0] += 1
        return loss
