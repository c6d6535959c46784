"""`glasstorch train`, the main job, run as a user runs it: a subprocess of the installed
package. Its checkpoint must load in real PyTorch, its PNG must be a real picture."""

from __future__ import annotations

import json
import os
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
    ("diabetes", [], r"R\^2", 0.45),  # DATASET_DEFAULTS: lr 0.001, weight decay 0.01
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
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("glasstorch train: error: argument --model: cnn needs images")
    assert len(out.stderr.splitlines()) == 1


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
                   "--weight-decay", "--seed", "--workers", "--out", "--overwrite", "--resume",
                   "--csv", "--target", "--task", "--quiet"):
        assert option in out


# ---------------------------------------------------------------------------------------------
# in-process: the safety of a run (issue 13). Small datasets and few epochs keep these fast.
# ---------------------------------------------------------------------------------------------

import glasstorch  # noqa: E402
from glasstorch.teaching.cli import main  # noqa: E402


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """``glasstorch ARGV`` in this process: (exit status, stdout, stderr)."""
    try:
        code = main(list(argv))
    except SystemExit as e:  # argparse and the option checks exit with status 2
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err


FAST = ("--dataset", "iris", "--hidden", "16", "--no-progress")


@pytest.mark.parametrize("args", [
    ["--lr", "-1"], ["--lr", "0"], ["--lr", "nan"], ["--lr", "abc"],
    ["--batch-size", "0"], ["--batch-size", "-3"], ["--epochs", "0"], ["--epochs", "-2"],
    ["--hidden", "12,x"], ["--hidden", "-4"], ["--hidden", "2.5"], ["--hidden", "16,,8"],
    ["--model", "cnn", "--channels", "0"], ["--model", "cnn", "--channels", "a,8"],
    ["--model", "cnn", "--channels", "8,8,8,8"],  # pools the 8x8 digits below one pixel
    ["--dropout", "1"], ["--dropout", "-0.1"], ["--momentum", "-0.5"],
    ["--weight-decay", "-1"], ["--val-fraction", "1"], ["--workers", "-1"],
    ["--model", "cnn", "--dataset", "iris"], ["--dataset", "nope"], ["--optimizer", "lbfgs"],
    ["--csv", "missing.csv", "--target", "y"], ["--target", "y"],
    ["--resume", "no-such-run"], ["--resume", "no-such-run", "--hidden", "8"],
])
def test_bad_arguments_fail_in_one_line_before_any_work(tmp_path, monkeypatch, capsys, args):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "train", *args)
    assert code == 2 and out == ""
    assert err.startswith("glasstorch train: error: ") and len(err.splitlines()) == 1, err
    assert list(tmp_path.iterdir()) == []  # no run folder was made


def test_unwritable_out_is_refused(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for out_dir in (blocker, blocker / "run"):
        code, out, err = cli(capsys, "train", *FAST, "--out", str(out_dir))
        assert code == 2 and out == "" and len(err.splitlines()) == 1
        assert "argument --out" in err


def test_every_run_gets_a_new_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for n in (1, 2):
        code, out, _ = cli(capsys, "train", *FAST, "--epochs", "1")
        folder = os.path.join("runs", "iris-mlp", f"run-00{n}")
        assert code == 0 and f"saved the run in {folder}" in out
        assert sorted(os.listdir(folder)) == ["checkpoint.pt", "history.json",
                                              "learning_curves.png"]


def test_out_with_a_checkpoint_needs_overwrite(tmp_path, capsys):
    assert cli(capsys, "train", *FAST, "--epochs", "1", "--out", str(tmp_path))[0] == 0
    before = (tmp_path / "checkpoint.pt").read_bytes()
    code, out, err = cli(capsys, "train", *FAST, "--epochs", "2", "--out", str(tmp_path))
    assert code == 2 and "--overwrite" in err and len(err.splitlines()) == 1
    assert (tmp_path / "checkpoint.pt").read_bytes() == before
    assert cli(capsys, "train", *FAST, "--epochs", "2", "--out", str(tmp_path),
               "--overwrite")[0] == 0
    assert torch.load(tmp_path / "checkpoint.pt", weights_only=True)["epoch"] == 2


def test_a_failed_save_leaves_the_old_checkpoint(tmp_path, monkeypatch, capsys):
    """Files are written to a temporary file and renamed: a save that dies half-way leaves
    the previous checkpoint whole and no temporary file behind."""
    assert cli(capsys, "train", *FAST, "--epochs", "1", "--out", str(tmp_path))[0] == 0
    before = (tmp_path / "checkpoint.pt").read_bytes()
    real_save = glasstorch.save

    def dying_save(obj, f, *a, **k):
        real_save(obj, f, *a, **k)
        with open(f, "r+b") as half:
            half.truncate(100)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(glasstorch, "save", dying_save)
    code, _, err = cli(capsys, "train", *FAST, "--epochs", "1", "--out", str(tmp_path),
                       "--overwrite")
    assert code == 1 and "No space left" in err
    assert (tmp_path / "checkpoint.pt").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "checkpoint.pt", "history.json", "learning_curves.png"]


def _interrupt_on_step(monkeypatch, n: int) -> None:
    """Ctrl-C during the ``n``-th optimizer step."""
    calls = {"n": 0}
    real_step = glasstorch.optim.SGD.step

    def step(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == n:
            raise KeyboardInterrupt
        return real_step(self, *a, **k)

    monkeypatch.setattr(glasstorch.optim.SGD, "step", step)


def _same_state(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k


def test_ctrl_c_saves_the_last_finished_epoch_and_resume_is_exact(tmp_path, monkeypatch,
                                                                   capsys):
    good = tmp_path / "run"
    assert cli(capsys, "train", *FAST, "--epochs", "1", "--out", str(good))[0] == 0
    before = (good / "checkpoint.pt").read_bytes()
    # iris: 120 training examples, 4 batches of 32 per epoch; stop in the 2nd epoch
    _interrupt_on_step(monkeypatch, 6)
    code, out, err = cli(capsys, "train", *FAST, "--epochs", "3", "--dropout", "0.2",
                         "--out", str(good), "--overwrite")
    monkeypatch.undo()
    interrupted = good / "checkpoint-interrupted.pt"
    assert code == 130
    assert f"saved the model after epoch 1 to {interrupted}" in err
    assert len(err.strip().splitlines()) == 1
    assert (good / "checkpoint.pt").read_bytes() == before  # the good one is untouched
    assert torch.load(interrupted, weights_only=True)["epoch"] == 1
    # resuming the run folder takes its newest checkpoint, the interrupted one, and
    # finishes its 3 epochs exactly as an uninterrupted run
    code, out, _ = cli(capsys, "train", "--resume", str(good), "--out", str(tmp_path / "b"),
                       "--no-progress")
    assert code == 0, out
    assert cli(capsys, "train", *FAST, "--epochs", "3", "--dropout", "0.2", "--out",
               str(tmp_path / "c"))[0] == 0
    resumed = torch.load(tmp_path / "b" / "checkpoint.pt", weights_only=True)
    straight = torch.load(tmp_path / "c" / "checkpoint.pt", weights_only=True)
    assert resumed["epoch"] == straight["epoch"] == 3
    _same_state(resumed["model_state_dict"], straight["model_state_dict"])


def test_resume_two_plus_two_equals_four(tmp_path, capsys):
    args = (*FAST, "--dropout", "0.3", "--seed", "5")
    assert cli(capsys, "train", *args, "--epochs", "4", "--out", str(tmp_path / "four"))[0] == 0
    assert cli(capsys, "train", *args, "--epochs", "2", "--out", str(tmp_path / "two"))[0] == 0
    code, out, _ = cli(capsys, "train", "--resume", str(tmp_path / "two" / "checkpoint.pt"),
                       "--epochs", "2", "--out", str(tmp_path / "more"), "--no-progress")
    assert code == 0 and "resuming from" in out and "after epoch 2" in out
    four = torch.load(tmp_path / "four" / "checkpoint.pt", weights_only=True)
    more = torch.load(tmp_path / "more" / "checkpoint.pt", weights_only=True)
    _same_state(four["model_state_dict"], more["model_state_dict"])
    for a, b in zip(four["optimizer_state_dict"]["state"].values(),
                    more["optimizer_state_dict"]["state"].values()):
        _same_state(a, b)
    assert torch.equal(four["rng_state"], more["rng_state"])
    assert four["history"] == more["history"] and more["epoch"] == 4
    # a finished run needs --epochs to go on; the model options are the checkpoint's
    code, _, err = cli(capsys, "train", "--resume", str(tmp_path / "four"))
    assert code == 2 and "--epochs N" in err
    code, _, err = cli(capsys, "train", "--resume", str(tmp_path / "four"), "--hidden", "8")
    assert code == 2 and "argument --hidden" in err


def test_checkpoint_carries_the_run_settings_for_real_torch(tmp_path, capsys):
    assert cli(capsys, "train", *FAST, "--epochs", "1", "--out", str(tmp_path))[0] == 0
    ckpt = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    cfg = ckpt["config"]
    assert cfg["dataset"] == "iris" and cfg["hidden"] == [16] and cfg["seed"] == 0
    assert cfg["class_names"] == ["setosa", "versicolor", "virginica"]
    assert cfg["num_features"] == 4 and cfg["n_out"] == 3 and cfg["task"] == "multiclass"
    assert ckpt["rng_state"].dtype == torch.uint8 and ckpt["feature_mean"].shape == (4,)


def test_progress_bar_shows_the_running_loss(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = cli(capsys, "train", "--dataset", "iris", "--hidden", "16", "--epochs",
                         "2", "--out", str(tmp_path))
    assert code == 0 and "epoch 2/2" in err and "loss=" in err
    assert "epoch   2  train loss" in out
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = cli(capsys, "train", "--dataset", "iris", "--epochs", "1", "--quiet",
                         "--out", str(tmp_path / "q"))
    assert code == 0 and err == "" and "Sequential" not in out


def test_diabetes_defaults_reach_r2(tmp_path, capsys):
    code, out, _ = cli(capsys, "train", "--dataset", "diabetes", "--no-progress", "--out",
                       str(tmp_path))
    r2 = [float(v) for v in re.findall(r"val loss [\d.]+  R\^2 (-?[\d.]+)", out)]
    assert code == 0 and len(r2) == 20 and r2[-1] >= 0.45, out


def _write_csv(path, header, rows) -> str:
    path.write_text("\n".join(",".join(map(str, r)) for r in [header, *rows]) + "\n")
    return str(path)


def test_train_on_a_csv_with_word_labels(tmp_path, capsys):
    from glasstorch.datasets import load_iris

    iris = load_iris()
    rows = [[*x, iris.class_names[y]] for x, y in
            zip(iris.features.tolist(), iris.targets.tolist())]
    csv = _write_csv(tmp_path / "flowers.csv", ["a", "b", "c", "d", "kind"], rows)
    code, out, _ = cli(capsys, "train", "--csv", csv, "--target", "kind", "--epochs", "10",
                       "--no-progress", "--out", str(tmp_path / "run"))
    accs = re.findall(r"val loss [\d.]+  acc ([\d.]+)", out)
    assert code == 0 and "dataset flowers" in out and float(accs[-1]) >= 0.85, out
    cfg = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)["config"]
    assert cfg["class_names"] == ["setosa", "versicolor", "virginica"]
    assert cfg["feature_names"] == ["a", "b", "c", "d"]


def test_csv_task_is_guessed_or_given(tmp_path):
    from glasstorch.datasets import load_csv

    rows = [[i, i % 3, i * 0.5] for i in range(30)]
    path = _write_csv(tmp_path / "t.csv", ["x", "k", "y"], rows)
    assert load_csv(path, "y").task == "regression"
    k = load_csv(path, "k")
    assert k.task == "multiclass" and k.class_names == ["0", "1", "2"]
    assert k.features.shape == (30, 2) and k.targets.dtype == glasstorch.int64
    assert load_csv(path, "k", task="regression").targets.shape == (30, 1)
    assert load_csv(path, "x", task="classification").num_classes == 30


@pytest.mark.parametrize("content,target,message", [
    ("x,y\n1,2\n", "z", "no column named 'z'; the columns are x, y"),
    ("x,y\n1,2\nabc,3\n", "y", "line 3: feature column 'x' is 'abc', not a number"),
    ("x,y\n1,2\n,3\n", "y", "line 3: feature column 'x' is empty"),
    ("x,y\n1,2\n3\n", "y", "line 3: 1 values but the header names 2 columns"),
    ("x,y\n1,a\n2,b\n", "y", None),  # fine: two word classes
])
def test_csv_errors_are_one_line(tmp_path, capsys, content, target, message):
    path = tmp_path / "d.csv"
    path.write_text(content)
    code, _, err = cli(capsys, "train", "--csv", str(path), "--target", target, "--epochs", "1",
                       "--no-progress", "--out", str(tmp_path / "run"), "--val-fraction", "0.5")
    if message is None:
        assert code == 0, err
        return
    assert code == 2 and len(err.splitlines()) == 1 and message in err, err
    assert not (tmp_path / "run").exists()
