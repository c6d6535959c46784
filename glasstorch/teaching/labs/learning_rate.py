"""The learning rate: too small, about right, too large and diverging, on the same model and data.

One small MLP (1 -> 32 -> 32 -> 1, Tanh) learns a noisy sine curve with mini-batch SGD, four
times from the same initial weights and the same batches; only ``lr`` changes. After every step
the loss on the whole training set is recorded. Too small: the loss creeps down. About right:
it falls steadily. Too large: it falls fast but jumps up again and again, because each step
overshoots the valley it aims at. Diverging: the overshoot grows every step until the numbers
overflow to inf/nan.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import glasstorch as torch
from glasstorch import datasets, nn
from glasstorch.labs._common import pyplot, save, table

LEARNING_RATES = {"too small": 0.003, "good": 0.05, "too large": 0.2, "diverging": 0.6}


def make_model() -> nn.Sequential:
    return nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(),
                         nn.Linear(32, 1))


def train(lr: float, data: Any, initial_state: dict, epochs: int, seed: int) -> dict[str, Any]:
    """Train a fresh copy of the model with ``lr``; the full-data loss after every step."""
    model = make_model()
    model.load_state_dict(initial_state)  # same starting point for every learning rate
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    # The same seed for the shuffling: every run sees the same batches in the same order.
    loader = torch.utils.data.DataLoader(data, batch_size=16, shuffle=True,
                                         generator=torch.Generator().manual_seed(seed))
    x_all, y_all = data.tensors
    loss_fn = nn.MSELoss()
    with torch.no_grad():
        losses = [loss_fn(model(x_all), y_all).item()]
    diverged_at = None
    # Overflow to inf and inf - inf = nan are the point of the diverging run: keep NumPy quiet.
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            for xb, yb in loader:
                optimizer.zero_grad()
                loss_fn(model(xb), yb).backward()
                optimizer.step()
                with torch.no_grad():
                    losses.append(loss_fn(model(x_all), y_all).item())
                if not math.isfinite(losses[-1]):
                    diverged_at = len(losses) - 1
                    break
            if diverged_at is not None:
                break
        grid = torch.linspace(-3, 3, 200).reshape(-1, 1)
        with torch.no_grad():
            fit = model(grid).reshape(-1).numpy()
    return {"losses": losses, "diverged_at": diverged_at, "fit": fit}


def run(out_dir: str, seed: int = 0, quick: bool = False) -> dict[str, Any]:
    data = datasets.make_regression_1d(n_samples=256, noise=0.1, seed=seed)
    epochs = 12 if quick else 30
    torch.manual_seed(seed)
    initial_state = {k: v.clone() for k, v in make_model().state_dict().items()}
    runs = {label: train(lr, data, initial_state, epochs, seed)
            for label, lr in LEARNING_RATES.items()}

    summary: dict[str, Any] = {"steps": epochs * math.ceil(len(data) / 16), "runs": {}}
    rows = []
    for label, r in runs.items():
        losses = np.array(r["losses"])
        finite = losses[np.isfinite(losses)]
        jumps = np.diff(finite)
        entry = {
            "lr": LEARNING_RATES[label],
            "initial_loss": float(losses[0]),
            "final_loss": float(losses[-1]),
            "min_loss": float(finite.min()),
            "largest_jump_up": float(max(jumps.max(), 0.0)) if len(jumps) else 0.0,
            "diverged_at_step": r["diverged_at"],
        }
        summary["runs"][label] = entry
        rows.append([f"{label} (lr={entry['lr']})", entry["final_loss"], entry["min_loss"],
                     entry["largest_jump_up"],
                     "-" if r["diverged_at"] is None else r["diverged_at"]])
    print(f"MLP 1-32-32-1 on a noisy sine (256 points), SGD, batch 16, {summary['steps']} steps;"
          " loss = MSE on all points")
    print(table(["learning rate", "final loss", "min loss", "largest jump up", "inf/nan at step"],
                rows))
    d = summary["runs"]["diverging"]["diverged_at_step"]
    if d is not None:
        print(f"\nwith lr={LEARNING_RATES['diverging']} the loss overflowed at step {d}; a "
              "training loop should stop there (glasstorch train does).")

    plt = pyplot()
    fig, (a, c, b) = plt.subplots(1, 3, figsize=(17, 4.8),
                                  gridspec_kw={"width_ratios": [1.3, 0.8, 1]})
    colors = {"too small": "tab:blue", "good": "tab:green", "too large": "tab:orange",
              "diverging": "tab:red"}
    finite_all = np.concatenate([np.array(r["losses"])[np.isfinite(r["losses"])]
                                 for r in runs.values()])
    top = 20 * max(r["losses"][0] for r in runs.values())
    for label, r in runs.items():
        losses = np.array(r["losses"])
        steps = np.arange(len(losses))
        ok = np.isfinite(losses)
        a.plot(steps[ok], losses[ok], color=colors[label], lw=1.3,
               label=f"{label}: lr={LEARNING_RATES[label]}")
        if r["diverged_at"] is not None:
            a.annotate(f"{label}: leaves the plot, inf/nan at step {r['diverged_at']}",
                       (r["diverged_at"], top), textcoords="offset points", xytext=(10, -14),
                       color=colors[label])
            c.plot(steps[ok], losses[ok], color=colors[label], marker="o", ms=3)
            c.axvline(r["diverged_at"], color=colors[label], ls=":")
            c.text(r["diverged_at"], losses[ok].max() ** 0.5, "  inf/nan", color=colors[label])
    a.set_yscale("log")
    a.set_ylim(0.5 * finite_all.min(), top)
    a.set_xlabel("step (one mini-batch update)")
    a.set_ylabel("MSE on the training set (log scale)")
    a.set_title("loss curves: same model, same data, same batches")
    a.legend(loc="lower left")
    c.set_yscale("log")
    c.set_xlabel("step")
    c.set_title(f"the diverging run (lr={LEARNING_RATES['diverging']}) in full")
    x, y = data.tensors
    b.scatter(x.numpy().ravel(), y.numpy().ravel(), s=6, color="0.6", label="data")
    grid = np.linspace(-3, 3, 200)
    for label, r in runs.items():
        if r["diverged_at"] is None:
            b.plot(grid, r["fit"], color=colors[label], lw=2, label=label)
    b.set_ylim(-1.6, 1.6)
    b.set_title("what each run learned (the diverging one: nothing)")
    b.legend()
    plots = [save(fig, out_dir, "learning_rate.png")]
    return {"summary": summary, "plots": plots}
