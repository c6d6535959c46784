"""Overfitting: an over-sized MLP memorises 60 noisy points, and three ways to fight it.

A 2 -> 100 -> 100 -> 2 ReLU network (over 10,000 weights) is trained with Adam on 60 points
of the noisy two-moons set and checked after every epoch on 300 fresh points from the same
distribution (the validation set). Without help the training loss goes to ~0 while the
validation loss, after a minimum early on, climbs again: the network learns the noise of its
60 points. The same run is repeated, from the same initial weights, with

* dropout (``nn.Dropout(0.5)`` after each hidden layer; off in ``model.eval()``),
* weight decay (``Adam(weight_decay=0.01)``: an L2 pull of every weight towards 0),
* early stopping (stop when the validation loss has not improved for 30 epochs and restore
  the weights of the best epoch with ``model.load_state_dict``).

The decision boundaries show what the numbers mean: a wiggly boundary around single points
versus a smooth one that follows the moons.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

import glasstorch as torch
from glasstorch import datasets, nn
from glasstorch.labs._common import pyplot, save, table

HIDDEN, LR, PATIENCE = 100, 0.01, 30
VARIANTS = {
    "plain": {"dropout": 0.0, "weight_decay": 0.0, "early_stopping": False},
    "dropout 0.5": {"dropout": 0.5, "weight_decay": 0.0, "early_stopping": False},
    "weight decay 0.01": {"dropout": 0.0, "weight_decay": 0.01, "early_stopping": False},
    "early stopping": {"dropout": 0.0, "weight_decay": 0.0, "early_stopping": True},
}


def make_model(dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Linear(2, HIDDEN), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers += [nn.Linear(HIDDEN, HIDDEN), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(HIDDEN, 2))
    return nn.Sequential(*layers)


def evaluate(model: nn.Module, x: Any, y: Any) -> tuple[float, float]:
    """Cross-entropy and accuracy in eval mode (dropout off), without recording gradients."""
    model.eval()
    with torch.no_grad():
        out = model(x)
        loss = nn.functional.cross_entropy(out, y).item()
        acc = (out.argmax(1) == y).float().mean().item()
    model.train()
    return loss, acc


def train_variant(cfg: dict, initial: dict, train: Any, val: Any, epochs: int,
                  seed: int) -> dict[str, Any]:
    torch.manual_seed(seed)  # the same dropout masks for a given seed
    model = make_model(cfg["dropout"])
    # Dropout has no parameters, so the linear layers' weights line up by position.
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for lin, (w, b) in zip(linears, initial):
        lin.load_state_dict({"weight": w, "bias": b})
    optimizer = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=cfg["weight_decay"])
    (xt, yt), (xv, yv) = train.tensors, val.tensors
    hist: dict[str, list[float]] = {"train_loss": [], "train_acc": [], "val_loss": [],
                                    "val_acc": []}
    best = (float("inf"), -1)
    best_state = None
    stopped_at = None
    for epoch in range(1, epochs + 1):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(xt), yt).backward()  # all 60 points: one batch
        optimizer.step()
        tl, ta = evaluate(model, xt, yt)
        vl, va = evaluate(model, xv, yv)
        for k, v in zip(hist, (tl, ta, vl, va)):
            hist[k].append(v)
        if vl < best[0]:
            best = (vl, epoch)
            if cfg["early_stopping"]:
                # A deep copy: state_dict() returns the live tensors, which training changes.
                best_state = copy.deepcopy(model.state_dict())
        elif cfg["early_stopping"] and epoch - best[1] >= PATIENCE:
            stopped_at = epoch
            break
    result: dict[str, Any] = {"history": hist, "best_val_loss": best[0], "best_epoch": best[1],
                              "stopped_at": stopped_at}
    if cfg["early_stopping"]:
        model.load_state_dict(best_state)
    # The numbers of the model we keep: the last epoch's, or the restored best one.
    result["train_loss"], result["train_acc"] = evaluate(model, xt, yt)
    result["val_loss"], result["val_acc"] = evaluate(model, xv, yv)
    result["model"] = model
    return result


def run(out_dir: str, seed: int = 0, quick: bool = False) -> dict[str, Any]:
    train = datasets.make_moons(n_samples=60, noise=0.3, seed=seed)
    val = datasets.make_moons(n_samples=300, noise=0.3, seed=seed + 1000)
    epochs = 200 if quick else 300
    torch.manual_seed(seed)
    ref = make_model(0.0)
    initial = [(m.weight.detach().clone(), m.bias.detach().clone())
               for m in ref if isinstance(m, nn.Linear)]
    results = {name: train_variant(cfg, initial, train, val, epochs, seed)
               for name, cfg in VARIANTS.items()}

    summary: dict[str, Any] = {"train_size": len(train), "val_size": len(val), "epochs": epochs,
                               "variants": {}}
    rows = []
    for name, r in results.items():
        entry = {
            "best_val_loss": r["best_val_loss"], "best_epoch": r["best_epoch"],
            "final_val_loss": r["val_loss"], "final_val_acc": r["val_acc"],
            "final_train_loss": r["train_loss"], "final_train_acc": r["train_acc"],
            "gap_loss": r["val_loss"] - r["train_loss"],
            "gap_acc": r["train_acc"] - r["val_acc"],
            "stopped_at_epoch": r["stopped_at"],
        }
        summary["variants"][name] = entry
        rows.append([name, entry["final_train_loss"], entry["final_val_loss"], entry["gap_loss"],
                     entry["final_train_acc"], entry["final_val_acc"], entry["best_val_loss"],
                     entry["best_epoch"]])
    print(f"2-{HIDDEN}-{HIDDEN}-2 MLP, Adam lr={LR}, {len(train)} training / {len(val)} "
          f"validation points of noisy moons, up to {epochs} epochs")
    print("'final' = the model kept at the end (for early stopping: the restored best epoch)")
    print(table(["variant", "train loss", "val loss", "gap", "train acc", "val acc",
                 "best val loss", "best epoch"], rows))
    es = summary["variants"]["early stopping"]
    print(f"\nearly stopping: stopped at epoch {es['stopped_at_epoch']}, restored epoch "
          f"{es['best_epoch']} via load_state_dict (val loss {es['final_val_loss']:.4f})")
    print("gap = validation loss - training loss: how much of what was learned does not carry "
          "over to new data")

    plt = pyplot()
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.2), sharey=True)
    top = max(max(r["history"]["val_loss"]) for r in results.values())
    for ax, (name, r) in zip(axes, results.items()):
        h = r["history"]
        ep = np.arange(1, len(h["train_loss"]) + 1)
        ax.plot(ep, h["train_loss"], label="train", color="tab:blue")
        ax.plot(ep, h["val_loss"], label="validation", color="tab:red")
        ax.axvline(r["best_epoch"], color="0.5", ls=":", label=f"best epoch {r['best_epoch']}")
        if r["stopped_at"]:
            ax.axvline(r["stopped_at"], color="black", ls="--",
                       label=f"stopped at {r['stopped_at']}")
        ax.set_xlim(0, epochs)
        ax.set_ylim(0, min(top * 1.05, 3))
        ax.set_title(f"{name}: gap {summary['variants'][name]['gap_loss']:.3f}")
        ax.set_xlabel("epoch")
        ax.legend(fontsize=8)
    axes[0].set_ylabel("cross-entropy")
    fig.suptitle("training vs validation loss")
    plots = [save(fig, out_dir, "overfitting_curves.png")]

    fig, axes = plt.subplots(1, 4, figsize=(17, 4.4), sharey=True)
    g0, g1 = np.meshgrid(np.linspace(-2, 3, 80), np.linspace(-1.5, 2, 80))
    grid = torch.tensor(np.stack([g0.ravel(), g1.ravel()], 1), dtype=torch.float32)
    xt, yt = (t.numpy() for t in train.tensors)
    for ax, (name, r) in zip(axes, results.items()):
        model = r["model"].eval()
        with torch.no_grad():
            p1 = torch.softmax(model(grid), 1)[:, 1].numpy().reshape(g0.shape)
        ax.contourf(g0, g1, p1, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
        ax.contour(g0, g1, p1, levels=[0.5], colors="black", linewidths=1.5)
        ax.scatter(xt[:, 0], xt[:, 1], c=yt, cmap="RdBu_r", edgecolors="black", s=25)
        ax.set_title(f"{name}: val acc {r['val_acc']:.3f}")
    fig.suptitle("decision boundaries (black) and P(class 1); dots: the 60 training points")
    plots.append(save(fig, out_dir, "overfitting_boundaries.png"))
    return {"summary": summary, "plots": plots}
