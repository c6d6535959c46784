"""Adagrad: step sizes shrink with the accumulated squared gradients of each coordinate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _new_state_tensor, _step_counter

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011).

    For each parameter θ with gradient g, at step t = 1, 2, ... (the first two lines are the
    shared ``Optimizer.step`` template, the rest is ``Adagrad._update``)::

        g ← -g                              if maximize
        g ← g + λ·θ                         if weight_decay λ ≠ 0
        lr_t ← lr / (1 + (t-1)·lr_decay)
        s ← s + g²                          (s starts at initial_accumulator_value)
        θ ← θ - lr_t · g / (√s + ε)

    Unlike the other optimizers, the state (``step`` and ``sum`` = s) is created for every
    parameter as soon as the optimizer is built.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(
            lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, foreach=foreach,
            maximize=maximize, differentiable=differentiable, fused=fused,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = self._new_state(p._data)

    def _new_state(self, theta: np.ndarray) -> dict[str, Tensor]:
        return {"step": _step_counter(),
                "sum": _new_state_tensor(theta, self.defaults["initial_accumulator_value"])}

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:  # a parameter added later with add_param_group
            state.update(self._new_state(theta))
        step_count = state["step"]._data
        step_count += 1
        t = float(step_count)
        lr_t = float(group["lr"]) / (1 + (t - 1) * group["lr_decay"])

        s = state["sum"]._data
        s += g * g  # s ← s + g²
        std = np.sqrt(s)
        std += group["eps"]
        theta += (g * -lr_t) / std  # θ ← θ - lr_t · g / (√s + ε)
