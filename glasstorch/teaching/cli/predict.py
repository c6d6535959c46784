"""``glasstorch predict CHECKPOINT INPUT``: ask a trained model about new examples.

INPUT is a CSV file of feature rows (a header naming the features picks them by name, so the
file may also hold the target or other columns; without a header the columns must be the
features in training order), or a whole number: that example of the run's dataset, shown with
its true answer. ``--sample N`` takes N random examples of the run's validation split instead.
Classification prints the predicted class and the most likely classes with their
probabilities; a regression prints the predicted value in the target's own units.
"""

from __future__ import annotations

import csv
import os

import numpy as np

import glasstorch as torch
from glasstorch.datasets._csv import _number  # a cell as a float, or None
from glasstorch.teaching.cli._common import (
    class_names,
    fail,
    load_data,
    load_run,
    one_line_errors,
    outputs,
    split,
)


def register(sub) -> None:
    p = sub.add_parser(
        "predict",
        help="predict with a trained checkpoint: rows of a CSV file, or examples of its dataset",
        description="Run the model of a `glasstorch train` checkpoint on new examples: the "
        "rows of a CSV file of features, one example of the run's dataset by its number, or "
        "--sample N random validation examples. Prints the predicted class with the "
        "probabilities of the likeliest classes, or the predicted value for a regression.",
    )
    one_line_errors(p, "predict")
    p.add_argument("checkpoint", metavar="CHECKPOINT",
                   help="a checkpoint.pt (or checkpoint-interrupted.pt), or its run folder")
    p.add_argument("input", metavar="INPUT", nargs="?", default=None,
                   help="a CSV file of feature rows, or the number of an example of the run's "
                   "dataset (0 is the first)")
    p.add_argument("--sample", type=int, default=None, metavar="N",
                   help="predict N random examples of the run's validation split")
    p.add_argument("--seed", type=int, default=0, help="random seed for --sample (default 0)")
    p.add_argument("--top", type=int, default=3,
                   help="how many of the likeliest classes to show (default 3)")
    p.set_defaults(run=run)


def run(args) -> int:
    if (args.input is None) == (args.sample is None):
        fail("predict", "give either INPUT (a CSV file or an example number) or --sample N")
    if args.sample is not None and args.sample <= 0:
        fail("predict", f"argument --sample: must be at least 1, got {args.sample}")
    if args.top <= 0:
        fail("predict", f"argument --top: must be at least 1, got {args.top}")
    path, ckpt, model = load_run("predict", args.checkpoint)
    cfg = ckpt["config"]
    truth = None
    if args.sample is not None:
        _, val_set = split(cfg, load_data("predict", cfg))
        g = torch.Generator().manual_seed(args.seed)
        take = torch.randperm(len(val_set), generator=g)[:args.sample]
        x, truth = val_set.tensors[0][take], val_set.tensors[1][take]
        positions = getattr(val_set, "indices", None)
        labels = [f"example {positions[i] if positions else i} (validation)"
                  for i in take.tolist()]
    elif args.input.strip().lstrip("-").isdigit():
        data = load_data("predict", cfg)
        i = int(args.input)
        if not 0 <= i < len(data):
            fail("predict", f"argument INPUT: example {i} does not exist; the dataset has "
                 f"{len(data)} (0 to {len(data) - 1})")
        x, truth = data.tensors[0][i:i + 1], data.tensors[1][i:i + 1]
        labels = [f"example {i}"]
    else:
        x = torch.from_numpy(_read_features(args.input, cfg))
        labels = [f"row {i + 1}" for i in range(len(x))]
    pred = outputs(ckpt, model, x)
    show_image = cfg.get("image_shape") is not None and len(x) <= 3
    for k, label in enumerate(labels):
        if show_image:
            print(_ascii_image(x[k].numpy().reshape(cfg["image_shape"])))
        print(f"{label}: {_describe(pred[k], cfg, args.top)}"
              + ("" if truth is None else f"   (true: {_truth(truth[k], cfg)})"))
    return 0


def _describe(p, cfg: dict, top: int) -> str:
    if cfg["task"] == "regression":
        return f"{p.item():.4g}"
    names = class_names(cfg)
    probs = p.tolist()
    order = sorted(range(len(probs)), key=lambda c: -probs[c])
    best = order[0]
    shown = ", ".join(f"{names[c]} {probs[c]:.3f}" for c in order[:top])
    return f"{names[best]} (p={probs[best]:.3f})   [{shown}]"


def _truth(t, cfg: dict) -> str:
    if cfg["task"] == "regression":
        return f"{t.reshape(-1)[0].item():.4g}"
    return class_names(cfg)[int(t.item())]


def _read_features(path: str, cfg: dict) -> np.ndarray:
    """The feature rows of a CSV file, by name if the first row names the columns."""
    if not os.path.isfile(path):
        fail("predict", f"argument INPUT: no such file: {path} (give a CSV file of feature "
             "rows, or the number of an example)")
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [[c.strip() for c in row] for row in csv.reader(f) if any(c.strip() for c in row)]
    if not rows:
        fail("predict", f"{path}: the file is empty")
    wanted = cfg["feature_names"]
    first = rows[0]
    if any(_number(c) is None for c in first):  # a header
        missing = [n for n in wanted if n not in first]
        if missing:
            fail("predict", f"{path}: the header lacks the feature column(s) "
                 f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
        columns = [first.index(n) for n in wanted]
        rows, start = rows[1:], 2
    else:
        if len(first) != len(wanted):
            fail("predict", f"{path}: rows have {len(first)} values but the model takes "
                 f"{len(wanted)} features (add a header row to pick columns by name)")
        columns, start = list(range(len(wanted))), 1
    if not rows:
        fail("predict", f"{path}: a header but no rows to predict")
    out = np.empty((len(rows), len(columns)), dtype=np.float32)
    for r, row in enumerate(rows):
        for j, c in enumerate(columns):
            value = _number(row[c]) if c < len(row) else None
            if value is None:
                fail("predict", f"{path}, line {r + start}: feature {wanted[j]!r} is "
                     f"{row[c] if c < len(row) else 'missing'!r}, not a number")
            out[r, j] = value
    return out


def _ascii_image(img: np.ndarray) -> str:
    """A small grey-level picture in characters (dark to bright)."""
    shades = " .:-=+*#%@"
    lo, hi = float(img.min()), float(img.max())
    scale = (len(shades) - 1) / (hi - lo) if hi > lo else 0.0
    return "\n".join("".join(shades[int((v - lo) * scale)] * 2 for v in row) for row in img)
