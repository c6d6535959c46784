"""``glasstorch evaluate CHECKPOINT``: how good is a trained model, class by class?

It rebuilds the run's validation split from the settings stored in the checkpoint (dataset,
seed, fraction), so the examples are exactly those the run held out, standardises them with
the run's own statistics, and reports accuracy, precision, recall and F1 per class and the
confusion matrix (also drawn as confusion_matrix.png next to the checkpoint); for a regression,
the error in the target's units and R^2.
"""

from __future__ import annotations

import os

from glasstorch.teaching.cli._common import (
    class_names,
    load_data,
    load_run,
    one_line_errors,
    outputs,
    run_name,
    save_figure,
    split,
)


def register(sub) -> None:
    p = sub.add_parser(
        "evaluate",
        help="score a trained checkpoint on its validation split (per-class table, "
        "confusion matrix)",
        description="Score the model of a `glasstorch train` checkpoint on the validation "
        "examples its run held out: accuracy, a per-class precision / recall / F1 table and "
        "the confusion matrix, drawn to confusion_matrix.png next to the checkpoint (for a "
        "regression: mean squared and absolute error, and R^2).",
    )
    one_line_errors(p, "evaluate")
    p.add_argument("checkpoint", metavar="CHECKPOINT",
                   help="a checkpoint.pt (or checkpoint-interrupted.pt), or its run folder")
    p.add_argument("--split", choices=("val", "train"), default="val",
                   help="which part of the run's data to score (default: val, the examples "
                   "the model never trained on)")
    p.add_argument("--no-plot", action="store_true", help="do not write confusion_matrix.png")
    p.set_defaults(run=run)


def run(args) -> int:
    from glasstorch.teaching import metrics

    path, ckpt, model = load_run("evaluate", args.checkpoint)
    cfg = ckpt["config"]
    train_set, val_set = split(cfg, load_data("evaluate", cfg))
    part = val_set if args.split == "val" else train_set
    x, y = part.tensors
    pred = outputs(ckpt, model, x)
    which = "validation" if args.split == "val" else "training"
    print(f"{path}: {run_name(cfg)}, {len(y)} {which} examples, after epoch {ckpt['epoch']}")
    if cfg["task"] == "regression":
        y = y.reshape(-1)
        err = pred - y
        r2 = 1 - (err ** 2).sum().item() / max(((y - y.mean()) ** 2).sum().item(), 1e-12)
        print(f"mean squared error {(err ** 2).mean().item():.4f}   mean absolute error "
              f"{err.abs().mean().item():.4f}   R^2 {r2:.4f}")
        return 0
    names = class_names(cfg)
    print(f"accuracy {metrics.accuracy(pred, y):.4f}")
    print()
    print(metrics.classification_report(pred, y, names))
    cm = metrics.confusion_matrix(pred, y, len(names))
    print()
    print("confusion matrix (rows: true class, columns: predicted)")
    width = max(5, *(len(n) for n in names))
    print(" " * width + "".join(f"{n:>{width + 1}}" for n in names))
    for name, counts in zip(names, cm.tolist()):
        print(f"{name:>{width}}" + "".join(f"{c:>{width + 1}d}" for c in counts))
    if not args.no_plot:
        png = os.path.join(os.path.dirname(os.path.abspath(path)), "confusion_matrix.png")
        _plot(cm.numpy(), names, png, f"{run_name(cfg)}: {which} examples")
        print(f"confusion matrix plot: {png}")
    return 0


def _plot(cm, names: list[str], path: str, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(names)
    fig, ax = plt.subplots(figsize=(1.2 + 0.55 * n, 1.0 + 0.5 * n))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(n), names, rotation=45 if max(map(len, names)) > 3 else 0)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    top = cm.max() if cm.size else 0
    for i in range(n):
        for j in range(n):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center",
                    color="white" if cm[i, j] > top / 2 else "black")
    fig.tight_layout()
    try:
        save_figure(fig, path)
    finally:
        plt.close(fig)
