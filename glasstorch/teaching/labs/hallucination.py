"""Hallucination: a classifier answers confidently even when it cannot know.

An MLP learns the handwritten digits 0-8; the 9s are held back and never seen. Softmax always
spreads exactly 1 over the classes it knows, so the model has no way to say "none of these":

* pure noise images get labels, many with high confidence;
* most unseen 9s are confidently called some other digit (a 3, an 8...);
* on the digits it does know, its confidence is higher than its accuracy (a reliability
  diagram shows by how much, the expected calibration error (ECE) sums it up);
* temperature scaling (logits / T, with T fitted on a validation split by minimising the
  negative log-likelihood) fixes the over-confidence on average without changing a single
  prediction, but does not make the noise or the 9s recognisable;
* abstaining below a confidence threshold trades coverage (share of inputs answered) for
  accuracy, and catches some of the 9s.

It uses glasstorch.metrics (expected_calibration_error, reliability_diagram,
fit_temperature, selective_accuracy).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import glasstorch as torch
from glasstorch import datasets, metrics, nn
from glasstorch.labs._common import pyplot, save, table

UNSEEN = 9
N_BINS = 10
EPOCHS, QUICK_EPOCHS, LR = 40, 25, 1e-2


def _subset(data: Any, keep: Any) -> tuple[Any, Any]:
    x, y = data.tensors
    idx = torch.nonzero(keep).reshape(-1)
    return x[idx], y[idx]


def run(out_dir: str, seed: int = 0, quick: bool = False) -> dict[str, Any]:
    torch.manual_seed(seed)
    digits = datasets.load_digits()
    x_all, y_all = digits.tensors
    unseen_x, _ = _subset(digits, y_all == UNSEEN)
    known = torch.utils.data.TensorDataset(*_subset(digits, y_all != UNSEEN))
    rest, test = datasets.train_test_split(known, test_size=0.3, seed=seed, stratify=True)
    train, val = datasets.train_test_split(rest, test_size=0.25, seed=seed + 1, stratify=True)
    scaler = datasets.Standardize().fit(train)
    train, val, test = scaler.transform(train), scaler.transform(val), scaler.transform(test)
    raw_unseen, raw_noise = unseen_x, torch.rand(500, 64) * 16
    unseen_x = scaler.transform(raw_unseen)
    # Noise: every pixel uniform over the digits' range 0..16, then the same standardisation.
    noise_x = scaler.transform(raw_noise)

    n_classes = 9
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                          nn.Linear(64, n_classes))
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loader = torch.utils.data.DataLoader(train, batch_size=64, shuffle=True,
                                         generator=torch.Generator().manual_seed(seed))
    # Long training without regularisation: the training loss goes to ~0 and the logits grow,
    # which is what makes a network over-confident.
    epochs = QUICK_EPOCHS if quick else EPOCHS
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        val_logits, test_logits = model(val.tensors[0]), model(test.tensors[0])
        unseen_logits, noise_logits = model(unseen_x), model(noise_x)
    y_val, y_test = val.tensors[1], test.tensors[1]

    conf_noise, pred_noise = metrics.softmax_confidence(noise_logits)
    conf_unseen, pred_unseen = metrics.softmax_confidence(unseen_logits)
    conf_test, _ = metrics.softmax_confidence(test_logits)
    temperature = metrics.fit_temperature(val_logits, y_val)
    test_scaled = metrics.apply_temperature(test_logits, temperature)
    before = metrics.reliability_diagram(test_logits, y_test, N_BINS, from_logits=True)
    after = metrics.reliability_diagram(test_scaled, y_test, N_BINS, from_logits=True)
    conf_noise_t, _ = metrics.softmax_confidence(noise_logits / temperature)
    conf_unseen_t, _ = metrics.softmax_confidence(unseen_logits / temperature)

    # Abstaining on the world as it comes: the known test digits plus the 9s (always wrong).
    world_logits = torch.cat([test_scaled, unseen_logits / temperature])
    world_y = torch.cat([y_test, torch.full((len(unseen_logits),), -1, dtype=torch.int64)])
    world_conf, world_pred = metrics.softmax_confidence(world_logits)
    order = torch.argsort(world_conf, descending=True)
    correct_sorted = (world_pred == world_y)[order].float().numpy()
    n = len(correct_sorted)
    coverage = np.arange(1, n + 1) / n
    acc_at = np.cumsum(correct_sorted) / np.arange(1, n + 1)
    k80 = int(np.ceil(0.8 * n)) - 1
    threshold80 = float(world_conf[order[k80]])
    is_nine = (world_y == -1).numpy()
    nines_rejected = float((world_conf.numpy()[is_nine] < threshold80).mean())

    test_acc = metrics.accuracy(test_logits, y_test)
    pred_counts = np.bincount(pred_unseen.numpy(), minlength=n_classes)
    summary = {
        "test_accuracy_known_digits": test_acc,
        "mean_confidence_test": float(conf_test.mean()),
        "mean_confidence_noise": float(conf_noise.mean()),
        "share_noise_confidence_above_0.9": float((conf_noise > 0.9).float().mean()),
        "mean_confidence_unseen_9s": float(conf_unseen.mean()),
        "share_unseen_confidence_above_0.9": float((conf_unseen > 0.9).float().mean()),
        "unseen_9s_called": {str(c): int(k) for c, k in enumerate(pred_counts) if k},
        "noise_called": {str(c): int(k) for c, k in
                         enumerate(np.bincount(pred_noise.numpy(), minlength=n_classes)) if k},
        "temperature": temperature,
        "ece_before": before.ece,
        "ece_after": after.ece,
        "nll_before": metrics.nll(test_logits, y_test),
        "nll_after": metrics.nll(test_logits, y_test, temperature),
        "mean_confidence_noise_after_T": float(conf_noise_t.mean()),
        "mean_confidence_unseen_after_T": float(conf_unseen_t.mean()),
        "accuracy_full_coverage_with_9s": float(acc_at[-1]),
        "accuracy_at_80pct_coverage_with_9s": float(acc_at[k80]),
        "threshold_for_80pct_coverage": threshold80,
        "share_of_9s_abstained_at_80pct": nines_rejected,
    }

    print(f"MLP 64-64-64-9 trained {epochs} epochs on digits 0-8 ({len(train)} images); "
          f"the {len(unseen_x)} nines were never shown")
    print(f"accuracy on held-out digits 0-8: {test_acc:.4f}")
    print(table(["inputs", "mean confidence", "share > 0.9", "after T"], [
        ["held-out digits 0-8", summary["mean_confidence_test"],
         float((conf_test > 0.9).float().mean()), float(metrics.softmax_confidence(
             test_scaled)[0].mean())],
        ["pure noise", summary["mean_confidence_noise"],
         summary["share_noise_confidence_above_0.9"], summary["mean_confidence_noise_after_T"]],
        ["unseen 9s", summary["mean_confidence_unseen_9s"],
         summary["share_unseen_confidence_above_0.9"], summary["mean_confidence_unseen_after_T"]],
    ]))
    called = ", ".join(f"{c}: {k}" for c, k in sorted(summary["unseen_9s_called"].items(),
                                                      key=lambda kv: -kv[1]))
    print(f"the 9s were called -> {called}")
    print(f"\ntemperature T = {temperature:.3f} (fitted on {len(val)} validation images)")
    print(f"ECE ({N_BINS} bins) before {before.ece:.4f} -> after {after.ece:.4f};  NLL "
          f"{summary['nll_before']:.4f} -> {summary['nll_after']:.4f}")
    print(f"abstaining (known test digits + all 9s): accuracy {acc_at[-1]:.4f} answering "
          f"everything, {acc_at[k80]:.4f} answering the 80% most confident (threshold "
          f"{threshold80:.3f}); {nines_rejected * 100:.1f}% of the 9s are then refused")

    plt = pyplot()
    fig, axes = plt.subplots(2, 8, figsize=(13, 4.2))
    images_9 = raw_unseen.numpy()[:8]  # the pixels as they are, before standardisation
    images_noise = raw_noise.numpy()[:8]
    for i in range(8):
        for row, imgs, conf, pred in ((0, images_9, conf_unseen, pred_unseen),
                                      (1, images_noise, conf_noise, pred_noise)):
            ax = axes[row, i]
            ax.imshow(imgs[i].reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
            ax.set_title(f"'{int(pred[i])}' {float(conf[i]) * 100:.0f}%", fontsize=10)
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].set_ylabel("unseen 9s")
    axes[1, 0].set_ylabel("noise")
    fig.suptitle("what the model says (label, confidence) about inputs it cannot know")
    plots = [save(fig, out_dir, "hallucination_examples.png")]

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
    bins = np.linspace(0, 1, 21)
    axes[0].hist(conf_test.numpy(), bins=bins, alpha=0.6, label="held-out digits 0-8",
                 density=True)
    axes[0].hist(conf_unseen.numpy(), bins=bins, alpha=0.6, label="unseen 9s", density=True)
    axes[0].hist(conf_noise.numpy(), bins=bins, alpha=0.6, label="noise", density=True)
    axes[0].set_xlabel("max softmax probability (confidence)")
    axes[0].set_ylabel("density")
    axes[0].set_title("confidence is high on everything")
    axes[0].legend()
    width = 1 / N_BINS
    centers = np.linspace(width / 2, 1 - width / 2, N_BINS)
    for offset, diag, label, color in ((-width / 4, before, f"T=1: ECE {before.ece:.3f}",
                                        "tab:red"),
                                       (width / 4, after, f"T={temperature:.2f}: ECE "
                                        f"{after.ece:.3f}", "tab:blue")):
        acc = diag.accuracy.numpy()
        has = diag.counts.numpy() > 0
        axes[1].bar(centers[has] + offset, acc[has], width=width / 2, color=color, alpha=0.7,
                    edgecolor="black", label=label)
    axes[1].plot([0, 1], [0, 1], "k--", label="perfect calibration")
    axes[1].set_xlabel("confidence bin")
    axes[1].set_ylabel("accuracy in the bin")
    axes[1].set_title("reliability diagram (held-out digits 0-8)")
    axes[1].legend(loc="upper left")
    axes[2].plot(coverage, acc_at, color="tab:green")
    axes[2].axvline(0.8, color="0.5", ls=":")
    axes[2].scatter([coverage[k80]], [acc_at[k80]], color="black", zorder=3,
                    label=f"80% coverage: acc {acc_at[k80]:.3f} (t = {threshold80:.2f})")
    axes[2].set_xlabel("coverage (share answered, most confident first)")
    axes[2].set_ylabel("accuracy on the answered ones")
    axes[2].set_title("abstaining: digits 0-8 and the 9s")
    axes[2].legend(loc="lower left")
    plots.append(save(fig, out_dir, "calibration.png"))
    return {"summary": summary, "plots": plots}
