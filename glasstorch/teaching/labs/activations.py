"""Activation functions and their derivatives, the derivatives found by autograd.

Each activation is applied to a grid of inputs ``x`` with ``x.requires_grad = True``; since every
output depends on its own input only, ``y.sum().backward()`` leaves the derivative f'(x) of each
point in ``x.grad``. The lab plots f and f' side by side, checks autograd against the derivative
written out by hand, and measures the "dead region" of ReLU: the share of N(0, 1) inputs whose
gradient is exactly zero, so that no learning signal passes through them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import glasstorch as torch
from glasstorch import nn
from glasstorch.labs._common import fmt, pyplot, save, table

# The derivative of each activation written out by hand, to check what autograd computes.
_SQRT2 = math.sqrt(2.0)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _phi(x: np.ndarray) -> np.ndarray:  # standard normal density
    return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _big_phi(x: np.ndarray) -> np.ndarray:  # standard normal CDF
    return 0.5 * (1.0 + np.vectorize(math.erf)(x / _SQRT2))


HAND_DERIVATIVE = {
    "ReLU": lambda x: (x > 0).astype(float),
    "LeakyReLU": lambda x: np.where(x > 0, 1.0, 0.01),
    "Sigmoid": lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
    "Tanh": lambda x: 1 - np.tanh(x) ** 2,
    "GELU": lambda x: _big_phi(x) + x * _phi(x),
    "ELU": lambda x: np.where(x > 0, 1.0, np.exp(x)),
    "SiLU": lambda x: _sigmoid(x) * (1 + x * (1 - _sigmoid(x))),
    "Softplus": lambda x: _sigmoid(x),
}


def activations() -> dict[str, nn.Module]:
    """The activation modules the lab compares, with PyTorch's default settings."""
    return {"ReLU": nn.ReLU(), "LeakyReLU": nn.LeakyReLU(), "Sigmoid": nn.Sigmoid(),
            "Tanh": nn.Tanh(), "GELU": nn.GELU(), "ELU": nn.ELU(), "SiLU": nn.SiLU(),
            "Softplus": nn.Softplus()}


def value_and_derivative(module: nn.Module, x_values: Any) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and f'(x) on a grid, the derivative by autograd (``y.sum().backward()``)."""
    x = torch.tensor(x_values, dtype=torch.float32, requires_grad=True)
    y = module(x)
    # d(sum_j f(x_j)) / dx_i = f'(x_i): one backward pass gives the derivative everywhere.
    y.sum().backward()
    return y.detach().numpy().astype(float), x.grad.numpy().astype(float)


def run(out_dir: str, seed: int = 0, quick: bool = False) -> dict[str, Any]:
    torch.manual_seed(seed)
    grid = np.linspace(-4.0, 4.0, 201 if quick else 801)
    mods = activations()
    curves = {name: value_and_derivative(m, grid) for name, m in mods.items()}

    # The dead region: on typical pre-activations (N(0, 1)), how many get no gradient at all?
    z = torch.randn(2_000 if quick else 20_000)
    zero_grad = {}
    for name, m in mods.items():
        zz = z.clone().requires_grad_(True)
        m(zz).sum().backward()
        zero_grad[name] = (zz.grad == 0).float().mean().item()

    rows, summary = [], {"max_derivative": {}, "derivative_at_minus_4": {},
                         "derivative_at_plus_4": {}, "zero_gradient_fraction_normal": zero_grad,
                         "max_autograd_vs_hand_error": {}}
    for name, (_, d) in curves.items():
        err = float(np.max(np.abs(d - HAND_DERIVATIVE[name](grid))))
        summary["max_derivative"][name] = float(d.max())
        summary["derivative_at_minus_4"][name] = float(d[0])
        summary["derivative_at_plus_4"][name] = float(d[-1])
        summary["max_autograd_vs_hand_error"][name] = err
        rows.append([name, d.max(), d[0], d[-1], zero_grad[name], err])
    summary["relu_dead_fraction"] = zero_grad["ReLU"]

    print("derivatives by autograd on x in [-4, 4]; zero-grad share on N(0, 1) inputs")
    print(table(["activation", "max f'", "f'(-4)", "f'(4)", "zero-grad", "|autograd-hand|"],
                rows))
    print()
    print(f"ReLU passes no gradient for {fmt(zero_grad['ReLU'] * 100)}% of N(0,1) inputs "
          "(every negative one); LeakyReLU, ELU, GELU, SiLU keep a small slope there.")
    print(f"Sigmoid's derivative is at most {fmt(summary['max_derivative']['Sigmoid'])}: "
          "a gradient passing back through a sigmoid is multiplied by 0.25 or less, so it "
          "shrinks layer after layer (vanishing gradients).")

    plt = pyplot()
    fig, axes = plt.subplots(2, 4, figsize=(14, 6.5), sharex=True)
    for ax, (name, (y, d)) in zip(axes.flat, curves.items()):
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        ax.plot(grid, y, label="f(x)", color="tab:blue", lw=2)
        ax.plot(grid, d, label="f'(x) by autograd", color="tab:red", lw=2, ls="--")
        ax.set_title(f"{name}   max f' = {d.max():.3g}")
        ax.set_ylim(-1.5, 4.2)
        ax.set_xlabel("x")
    axes.flat[0].legend(loc="upper left", fontsize=8)
    fig.suptitle("activation functions (solid) and their derivatives from y.sum().backward() "
                 "(dashed)")
    plots = [save(fig, out_dir, "activations.png")]

    fig, ax = plt.subplots(figsize=(8, 4))
    names = list(zero_grad)
    ax.bar(names, [zero_grad[n] for n in names], color="tab:gray")
    ax.set_ylabel("share of inputs with gradient exactly 0")
    ax.set_ylim(0, 1)
    ax.set_title("dead region: inputs drawn from N(0, 1)")
    for i, n in enumerate(names):
        ax.text(i, zero_grad[n] + 0.02, f"{zero_grad[n]:.2f}", ha="center")
    plots.append(save(fig, out_dir, "dead_gradients.png"))
    return {"summary": summary, "plots": plots}
