"""Loss functions: MSE vs cross-entropy on the same predictions, and the softmax mistake.

Part 1. One example of class 1 with two logits ``[0, z]``: the predicted probability of the
right class is p = softmax(logits)[1] = sigmoid(z). As z sweeps from -7 to 7 (p from ~0 to
~1) both losses are computed on the same logits, ``CrossEntropyLoss`` on the logits and
``MSELoss`` on the probabilities vs the one-hot target, and autograd gives d loss / d z.
Cross-entropy's gradient is p - 1: strongest (-1) when the model is confidently wrong. MSE's
is -2p(1 - p)^2: it vanishes as p -> 0, so a confidently wrong model barely learns.

Part 2. ``nn.CrossEntropyLoss`` applies log-softmax itself and wants raw logits. Feeding it
``softmax(logits)`` applies softmax twice: the loss can then never go below
log(1 + (K - 1)/e) (1.46 for 10 classes), its gradients are smaller, and learning is slower.
The same MLP, from the same initial weights on the same batches, is trained both ways on the
digits.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import glasstorch as torch
from glasstorch import coach, datasets, nn
from glasstorch.labs._common import pyplot, save, table


def losses_and_gradients(z_values: np.ndarray) -> dict[str, np.ndarray]:
    """Both losses and their autograd gradients wrt z, for logits [0, z] and target class 1."""
    out: dict[str, np.ndarray] = {}
    target = torch.ones(len(z_values), dtype=torch.int64)
    onehot = nn.functional.one_hot(target, 2).float()
    for name in ("cross-entropy", "MSE"):
        z = torch.tensor(z_values, dtype=torch.float32, requires_grad=True)
        logits = torch.stack([torch.zeros_like(z), z], dim=1)
        if name == "cross-entropy":
            per_example = nn.functional.cross_entropy(logits, target, reduction="none")
        else:
            probs = torch.softmax(logits, dim=1)
            per_example = nn.functional.mse_loss(probs, onehot, reduction="none").mean(1)
        # Examples are independent, so the gradient of the sum is each example's own gradient.
        per_example.sum().backward()
        out[name] = per_example.detach().numpy().astype(float)
        out[name + " grad"] = z.grad.numpy().astype(float)
        out["p"] = torch.sigmoid(z.detach()).numpy().astype(float)
    return out


def grad_norm(model: nn.Module) -> float:
    return math.sqrt(sum(float((p.grad**2).sum()) for p in model.parameters()))


def train_two_ways(seed: int, epochs: int) -> dict[str, dict[str, list[float]]]:
    digits = datasets.load_digits()
    train, val = datasets.train_test_split(digits, test_size=0.2, seed=seed, stratify=True)
    scaler = datasets.Standardize().fit(train)
    train, val = scaler.transform(train), scaler.transform(val)
    torch.manual_seed(seed)
    initial = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)).state_dict()
    loss_fn = nn.CrossEntropyLoss()
    runs = {}
    for way in ("logits", "softmax first (wrong)"):
        model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
        model.load_state_dict(initial)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        loader = torch.utils.data.DataLoader(train, batch_size=64, shuffle=True,
                                             generator=torch.Generator().manual_seed(seed))
        hist: dict[str, list[float]] = {"loss_optimised": [], "val_cross_entropy": [],
                                        "val_acc": [], "grad_norm": []}
        for _ in range(epochs):
            seen, norms = [], []
            for xb, yb in loader:
                optimizer.zero_grad()
                logits = model(xb)
                if way == "logits":
                    loss = loss_fn(logits, yb)
                else:
                    # The mistake, made on purpose: the coach would warn (CoachWarning) here.
                    with coach.silenced():
                        loss = loss_fn(torch.softmax(logits, dim=1), yb)
                loss.backward()
                norms.append(grad_norm(model))
                seen.append(loss.item())
                optimizer.step()
            with torch.no_grad():
                out = model(val.tensors[0])
                # The real cross-entropy of the model's probabilities, whichever way it trained.
                hist["val_cross_entropy"].append(loss_fn(out, val.tensors[1]).item())
                hist["val_acc"].append((out.argmax(1) == val.tensors[1]).float().mean().item())
            hist["loss_optimised"].append(float(np.mean(seen)))
            hist["grad_norm"].append(float(np.mean(norms)))
        runs[way] = hist
    return runs


def run(out_dir: str, seed: int = 0, quick: bool = False) -> dict[str, Any]:
    z = np.linspace(-7, 7, 141 if quick else 561)
    curves = losses_and_gradients(z)
    p = curves["p"]

    def at(prob: float) -> dict[str, float]:
        i = int(np.argmin(np.abs(p - prob)))
        return {"p": float(p[i]), "ce": float(curves["cross-entropy"][i]),
                "mse": float(curves["MSE"][i]), "ce_grad": float(curves["cross-entropy grad"][i]),
                "mse_grad": float(curves["MSE grad"][i])}

    points = {"0.01": at(0.01), "0.5": at(0.5), "0.99": at(0.99)}
    epochs = 6 if quick else 15
    runs = train_two_ways(seed, epochs)
    floor = math.log(1 + 9 / math.e)
    good, bad = runs["logits"], runs["softmax first (wrong)"]
    summary = {
        "single_example": points,
        "grad_ratio_ce_over_mse_at_p_0.01": points["0.01"]["ce_grad"] / points["0.01"]["mse_grad"],
        "training": {
            way: {"final_loss_optimised": h["loss_optimised"][-1],
                  "final_val_cross_entropy": h["val_cross_entropy"][-1],
                  "final_val_acc": h["val_acc"][-1],
                  "first_epoch_val_acc": h["val_acc"][0],
                  "mean_grad_norm": float(np.mean(h["grad_norm"]))}
            for way, h in runs.items()},
        "softmax_first_loss_floor": floor,
        "grad_norm_ratio_logits_over_softmax": float(np.mean(good["grad_norm"])
                                                     / np.mean(bad["grad_norm"])),
        "epochs": epochs,
    }

    print("one example of class 1, logits [0, z]; p = P(class 1); gradients wrt z by autograd")
    print(table(["p", "CE loss", "MSE loss", "dCE/dz", "dMSE/dz"],
                [[v["p"], v["ce"], v["mse"], v["ce_grad"], v["mse_grad"]]
                 for v in points.values()]))
    print(f"confidently wrong (p = 0.01): the cross-entropy gradient is "
          f"{summary['grad_ratio_ce_over_mse_at_p_0.01']:.0f}x the MSE one")
    print(f"\ndigits, MLP 64-64-10, SGD lr=0.05, {epochs} epochs, CrossEntropyLoss fed ...")
    print(table(["... with", "loss it optimises", "val cross-entropy", "val acc",
                 "val acc epoch 1", "mean grad norm"],
                [[way, s["final_loss_optimised"], s["final_val_cross_entropy"], s["final_val_acc"],
                  s["first_epoch_val_acc"], s["mean_grad_norm"]]
                 for way, s in summary["training"].items()]))
    print(f"softmax before CrossEntropyLoss: the loss cannot go below log(1 + 9/e) = {floor:.4f}"
          f"; gradients {summary['grad_norm_ratio_logits_over_softmax']:.1f}x smaller on average")
    print("(glasstorch's coach warns when cross_entropy gets probabilities; silenced here, "
          "where the mistake is made on purpose)")

    plt = pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.5))
    a.plot(p, curves["cross-entropy"], label="cross-entropy  -log p", lw=2)
    a.plot(p, curves["MSE"], label="MSE on probabilities  (1 - p)^2", lw=2)
    a.set_xlabel("predicted probability of the right class p")
    a.set_ylabel("loss")
    a.set_ylim(0, 5)
    a.set_title("the same predictions, two losses")
    a.legend()
    b.plot(p, curves["cross-entropy grad"], label="cross-entropy: p - 1", lw=2)
    b.plot(p, curves["MSE grad"], label="MSE: -2p(1 - p)^2", lw=2)
    b.axhline(0, color="0.7", lw=0.8)
    b.annotate("confidently wrong:\nMSE gives almost no signal", (0.02, -0.02),
               xytext=(0.15, -0.6), arrowprops=dict(arrowstyle="->"))
    b.set_xlabel("predicted probability of the right class p")
    b.set_ylabel("d loss / d logit z (autograd)")
    b.set_title("gradient that reaches the logit")
    b.legend(loc="lower right")
    plots = [save(fig, out_dir, "mse_vs_cross_entropy.png")]

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.3))
    ep = np.arange(1, epochs + 1)
    colors = {"logits": "tab:blue", "softmax first (wrong)": "tab:red"}
    for way, h in runs.items():
        c = colors[way]
        axes[0].plot(ep, h["val_cross_entropy"], marker="o", color=c,
                     label=f"{way}: real val CE")
        axes[0].plot(ep, h["loss_optimised"], ls="--", color=c,
                     label=f"{way}: loss it optimises")
        axes[1].plot(ep, h["val_acc"], marker="o", color=c, label=way)
        axes[2].plot(ep, h["grad_norm"], marker="o", color=c, label=way)
    axes[0].axhline(floor, color="0.5", ls=":", label=f"floor log(1 + 9/e) = {floor:.2f}")
    axes[0].set_title("loss")
    axes[0].legend(fontsize=8)
    axes[1].set_title("validation accuracy")
    axes[1].legend()
    axes[2].set_yscale("log")
    axes[2].set_title("mean gradient norm per epoch")
    axes[2].legend()
    for ax in axes:
        ax.set_xlabel("epoch")
    fig.suptitle("CrossEntropyLoss(logits) vs CrossEntropyLoss(softmax(logits))")
    plots.append(save(fig, out_dir, "softmax_before_cross_entropy.png"))
    return {"summary": summary, "plots": plots}
