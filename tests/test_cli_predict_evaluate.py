"""`glasstorch predict` and `glasstorch evaluate` on checkpoints of `glasstorch train` (issue
13), run in-process. The answers are checked against real PyTorch running the same weights,
loaded from the checkpoint with the safe loader."""

from __future__ import annotations

import re

import matplotlib.image
import numpy as np
import pytest
import torch

from glasstorch.teaching import metrics
from glasstorch.teaching.cli import main


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three small trained runs: iris (3 classes), breast cancer (yes/no), diabetes (numbers)."""
    root = tmp_path_factory.mktemp("runs")
    stdouts = {}
    for name, extra in (("iris", ["--epochs", "5"]), ("breast_cancer", ["--epochs", "2"]),
                        ("diabetes", ["--epochs", "5"])):
        try:
            assert main(["train", "--dataset", name, "--hidden", "16", "--no-progress",
                         "--out", str(root / name), *extra]) == 0
        except SystemExit as e:  # pragma: no cover - a failure message for the fixture
            raise AssertionError(f"training {name} failed with {e.code}") from e
        stdouts[name] = root / name
    return stdouts


def _torch_model(ckpt: dict) -> torch.nn.Module:
    """The MLP, rebuilt in real PyTorch from the checkpoint's settings."""
    cfg = ckpt["config"]
    layers, width = [], cfg["num_features"]
    for h in cfg["hidden"]:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    model = torch.nn.Sequential(*layers, torch.nn.Linear(width, cfg["n_out"]))
    model.load_state_dict(ckpt["model_state_dict"])
    return model.eval()


def _val_split(cfg: dict):
    from glasstorch import datasets

    data = datasets.load(cfg["dataset"])
    return datasets.train_test_split(data, test_size=cfg["val_fraction"], seed=cfg["seed"],
                                     stratify=data.task != "regression")[1]


def test_evaluate_reports_the_validation_split(runs, capsys):
    code, out, err = cli(capsys, "evaluate", str(runs["iris"]))
    assert code == 0, err
    ckpt = torch.load(runs["iris"] / "checkpoint.pt", weights_only=True)
    val = _val_split(ckpt["config"])
    x = torch.from_numpy(val.features.numpy().copy())
    y = val.targets.numpy()
    with torch.no_grad():
        pred = _torch_model(ckpt)((x - ckpt["feature_mean"]) / ckpt["feature_std"])
    acc = float((pred.argmax(1).numpy() == y).mean())
    assert f"accuracy {acc:.4f}" in out
    assert acc == pytest.approx(ckpt["history"]["val_acc"][-1])
    for name in ("setosa", "versicolor", "virginica", "macro avg", "precision", "recall"):
        assert name in out
    png = runs["iris"] / "confusion_matrix.png"
    assert f"confusion matrix plot: {png}" in out
    img = matplotlib.image.imread(png)
    assert img.ndim == 3 and img.std() > 0.01
    # the printed matrix: rows sum to each class's 10 validation examples
    rows = re.findall(r"^\s*(setosa|versicolor|virginica)((?:\s+\d+){3})$", out, re.M)
    assert [sum(map(int, r[1].split())) for r in rows] == [10, 10, 10]


def test_evaluate_binary_and_regression(runs, capsys):
    code, out, _ = cli(capsys, "evaluate", str(runs["breast_cancer"] / "checkpoint.pt"),
                       "--no-plot")
    assert code == 0 and "malignant" in out and "benign" in out
    assert not (runs["breast_cancer"] / "confusion_matrix.png").exists()
    code, out, _ = cli(capsys, "evaluate", str(runs["diabetes"]))
    ckpt = torch.load(runs["diabetes"] / "checkpoint.pt", weights_only=True)
    r2 = float(re.search(r"R\^2 (-?[\d.]+)", out).group(1))
    assert code == 0 and r2 == pytest.approx(ckpt["history"]["val_R2"][-1], abs=2e-4)
    assert "mean absolute error" in out


def test_predict_a_csv_matches_torch(runs, tmp_path, capsys):
    ckpt = torch.load(runs["iris"] / "checkpoint.pt", weights_only=True)
    names = ckpt["config"]["feature_names"]
    rows = np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 2.8, 4.3, 1.3]])
    # with a header the columns are picked by name: any order, extra columns ignored
    header = ["species", *reversed(names)]
    lines = [",".join(header)] + [",".join(["?", *map(str, r[::-1])]) for r in rows]
    (tmp_path / "named.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "plain.csv").write_text("\n".join(",".join(map(str, r)) for r in rows))
    x = torch.tensor(rows, dtype=torch.float32)
    with torch.no_grad():
        probs = _torch_model(ckpt)((x - ckpt["feature_mean"]) / ckpt["feature_std"]).softmax(1)
    classes = ckpt["config"]["class_names"]
    for name in ("named.csv", "plain.csv"):
        code, out, err = cli(capsys, "predict", str(runs["iris"]), str(tmp_path / name))
        assert code == 0, err
        lines = out.splitlines()
        assert len(lines) == 3
        for i, line in enumerate(lines):
            best = int(probs[i].argmax())
            assert line.startswith(f"row {i + 1}: {classes[best]} (p={probs[i, best]:.3f})")


def test_predict_regression_in_the_targets_units(runs, capsys):
    ckpt = torch.load(runs["diabetes"] / "checkpoint.pt", weights_only=True)
    code, out, _ = cli(capsys, "predict", str(runs["diabetes"]), "7")
    from glasstorch.datasets import load_diabetes

    d = load_diabetes()
    x = torch.from_numpy(d.features.numpy()[7:8].copy())
    with torch.no_grad():
        z = _torch_model(ckpt)((x - ckpt["feature_mean"]) / ckpt["feature_std"]).item()
    value = z * ckpt["target_std"] + ckpt["target_mean"]
    assert code == 0 and out.startswith(f"example 7: {value:.4g}")
    assert f"(true: {d.targets[7].item():.4g})" in out


def test_predict_samples_and_digits_index(tmp_path, runs, capsys):
    code, out, _ = cli(capsys, "predict", str(runs["breast_cancer"]), "--sample", "4")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 4 and all("(validation)" in s and "true:" in s
                                                 for s in lines)
    assert main(["train", "--epochs", "1", "--no-progress", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    code, out, _ = cli(capsys, "predict", str(tmp_path), "0")
    assert code == 0 and "example 0:" in out and "(true: 0)" in out
    assert len(out.splitlines()) == 9  # the 8x8 image in characters, then the answer


@pytest.mark.parametrize("argv,message", [
    (["predict", "nowhere.pt", "0"], "no such checkpoint: nowhere.pt"),
    (["evaluate", "nowhere"], "no such checkpoint"),
    (["predict", "RUN"], "give either INPUT"),
    (["predict", "RUN", "1000"], "example 1000 does not exist"),
    (["predict", "RUN", "missing.csv"], "no such file"),
    (["predict", "RUN", "BADCSV"], "lacks the feature column"),
    (["evaluate", "JUNK"], "cannot read"),
])
def test_errors_are_one_line(runs, tmp_path, capsys, argv, message):
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    (tmp_path / "junk.pt").write_text("not a checkpoint")
    swap = {"RUN": str(runs["iris"]), "BADCSV": str(tmp_path / "bad.csv"),
            "JUNK": str(tmp_path / "junk.pt")}
    code, out, err = cli(capsys, *[swap.get(a, a) for a in argv])
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    assert err.startswith(f"glasstorch {argv[0]}: error: ") and message in err


def test_classification_report_numbers():
    out = [0, 1, 2, 2, 1, 0, 0]
    target = [0, 1, 1, 2, 1, 2, 0]
    text = metrics.classification_report(out, target, ["a", "b", "c"])
    p, r, f = (t.tolist() for t in metrics.precision_recall_f1(out, target, 3))
    line_b = next(line for line in text.splitlines() if line.split()[:1] == ["b"])
    assert line_b.split() == ["b", f"{p[1]:.3f}", f"{r[1]:.3f}", f"{f[1]:.3f}", "3"]
    assert re.search(r"accuracy\s+0\.714\s+7", text)
    assert "macro avg" in text and "weighted avg" in text


def test_a_closed_pipe_ends_quietly(monkeypatch, capsys):
    """`glasstorch glossary | head -1`: the reader leaves, the command stops without a
    traceback."""
    import os

    read, write = os.pipe()
    os.close(read)  # the reader is gone: every write now fails with EPIPE
    stdout = os.fdopen(write, "w", buffering=1)
    monkeypatch.setattr("sys.stdout", stdout)
    try:
        assert main(["glossary"]) == 0
    finally:
        monkeypatch.undo()
        stdout.close()
    assert "Traceback" not in capsys.readouterr().err
