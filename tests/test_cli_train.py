"""`glasstorch train`, the main job, run as a user runs it: a subprocess of the installed
package. Its checkpoint must load in real PyTorch, its PNG must be a real picture."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import matplotlib.image
import numpy as np
import pytest
import torch


def _train(tmp_path, *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "glasstorch", "train", "--out", str(tmp_path),
                          *args], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_default_run_on_digits(tmp_path):
    stdout = _train(tmp_path)
    epochs = re.findall(r"epoch +(\d+)  train loss ([\d.]+)  acc ([\d.]+)  \|  "
                        r"val loss ([\d.]+)  acc ([\d.]+)", stdout)
    assert len(epochs) == 20
    first, last = epochs[0], epochs[-1]
    assert float(last[1]) < float(first[1])           # the training loss went down
    assert float(last[4]) >= 0.95                      # validation accuracy (issue 5)
    # the checkpoint is PyTorch's format: real torch loads it with the safe loader
    ckpt = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    model.load_state_dict(ckpt["model_state_dict"])
    assert ckpt["config"]["dataset"] == "digits"
    history = json.loads((tmp_path / "history.json").read_text())
    assert history["val_acc"] == ckpt["history"]["val_acc"]
    img = matplotlib.image.imread(tmp_path / "learning_curves.png")
    assert img.ndim == 3 and img.shape[0] > 100 and img.std() > 0.01
    assert len(np.unique(img.reshape(-1, img.shape[-1]), axis=0)) > 10
    assert str(tmp_path / "checkpoint.pt") in stdout


@pytest.mark.parametrize("dataset,args,metric,floor", [
    ("iris", ["--epochs", "30"], "acc", 0.85),
    ("breast_cancer", ["--epochs", "15", "--optimizer", "adam"], "acc", 0.9),
    ("diabetes", ["--epochs", "30", "--lr", "0.01", "--hidden", "16"], "R2", 0.2),
    ("wine", ["--epochs", "15", "--dropout", "0.2", "--activation", "tanh",
              "--hidden", "32,16", "--weight-decay", "1e-4", "--batch-size", "16",
              "--workers", "2"], "acc", 0.85),
])
def test_other_datasets_pick_a_sensible_head(tmp_path, dataset, args, metric, floor):
    stdout = _train(tmp_path, "--dataset", dataset, *args)
    scores = re.findall(rf"val loss [\d.]+  {metric} (-?[\d.]+)", stdout)
    assert scores and float(scores[-1]) >= floor, stdout
    loss = {"iris": "CrossEntropyLoss", "wine": "CrossEntropyLoss",
            "breast_cancer": "BCEWithLogitsLoss", "diabetes": "MSELoss"}[dataset]
    assert f"loss {loss}" in stdout


def test_cnn_on_digits(tmp_path):
    """`glasstorch train --model cnn`: a small CNN on the 8x8 digit images reaches 0.98
    validation accuracy (issue 12), and its checkpoint is a PyTorch CNN's."""
    stdout = _train(tmp_path, "--model", "cnn")
    accs = re.findall(r"val loss [\d.]+  acc ([\d.]+)", stdout)
    assert len(accs) == 20 and float(accs[-1]) >= 0.98, stdout
    assert "Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))" in stdout
    ckpt = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    nn = torch.nn
    model = nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(128, 10))
    model.load_state_dict(ckpt["model_state_dict"])
    # one mean and std for all pixels; torch's copy of the model classifies the digits too
    mean, std = ckpt["feature_mean"], ckpt["feature_std"]
    assert mean.shape == (64,) and bool((mean == mean[0]).all() and (std == std[0]).all())
    from glasstorch.datasets import load_digits

    digits = load_digits()
    x = torch.from_numpy(digits.features.numpy().copy())
    y = torch.from_numpy(digits.targets.numpy().copy())
    with torch.no_grad():
        assert (model((x - mean) / std).argmax(1) == y).float().mean().item() >= 0.98


def test_cnn_needs_images(tmp_path):
    out = subprocess.run([sys.executable, "-m", "glasstorch", "train", "--model", "cnn",
                          "--dataset", "iris", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "--model cnn needs images" in out.stdout


def test_same_seed_same_run(tmp_path):
    a = _train(tmp_path / "a", "--dataset", "iris", "--epochs", "5", "--seed", "3")
    b = _train(tmp_path / "b", "--dataset", "iris", "--epochs", "5", "--seed", "3")
    strip = [line for line in a.splitlines() if line.startswith("epoch")]
    assert strip == [line for line in b.splitlines() if line.startswith("epoch")]


def test_help_explains_every_option():
    out = subprocess.run([sys.executable, "-m", "glasstorch", "train", "--help"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    for option in ("--dataset", "--model", "--hidden", "--channels", "--activation",
                   "--optimizer", "--lr", "--momentum", "--epochs", "--batch-size", "--dropout",
                   "--weight-decay", "--seed", "--workers", "--out"):
        assert option in out
