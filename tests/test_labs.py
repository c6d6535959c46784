"""``glasstorch lab``: every lab run as a subprocess, as a user would run it.

Each lab must exit 0, print its summary, write summary.json and PNG plots that decode and are
not blank, and its numbers must show the effect the lab is about (the diverging learning rate
diverges, momentum finds the global minimum, regularisation shrinks the overfitting gap, ...).
The labs run concurrently (one module-wide fixture) to keep the file fast.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from glasstorch import labs

LABS = labs.available()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    # The labs use small matrices; BLAS threads only fight each other when several labs (and
    # other test processes) run at once.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env


def _cli(*args: str, cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "glasstorch", "lab", *args], cwd=cwd,
                          env=_env(), capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict]:
    """Run every lab once (all at the same time) with its defaults; collect what it left."""
    root = tmp_path_factory.mktemp("labs")
    procs = {}
    for name in LABS:
        out = root / name
        procs[name] = (out, subprocess.Popen(
            [sys.executable, "-m", "glasstorch", "lab", name, "--out", str(out)],
            cwd=str(root), env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True))
    results = {}
    for name, (out, proc) in procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        summary = None
        if (out / "summary.json").exists():
            summary = json.loads((out / "summary.json").read_text())
        plots = re.findall(r"^plot: (.+)$", stdout, flags=re.M)
        results[name] = {"rc": proc.returncode, "stdout": stdout, "stderr": stderr,
                         "summary": summary, "plots": plots, "out": out}
    return results


def _check_png(path: str) -> None:
    import matplotlib.image as mpimg

    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[0] > 50 and img.shape[1] > 50, img.shape
    rgb = img[..., :3].reshape(-1, 3)
    assert float(rgb.std()) > 0.01, f"{path} looks blank"
    assert len(np.unique(np.round(rgb * 255).astype(np.int64), axis=0)) > 2, path


# ---------------------------------------------------------------------------------------------
# the command line
# ---------------------------------------------------------------------------------------------


def test_list(tmp_path):
    r = _cli("--list", cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    for name in LABS:
        assert re.search(rf"^\s+{re.escape(name)}\s+\S", r.stdout, flags=re.M), name
    assert set(LABS) == {"activations", "learning-rate", "momentum", "overfitting",
                         "hallucination", "dataloader", "loss-functions", "backprop"}


def test_help_explains_every_option(tmp_path):
    r = _cli("--help", cwd=str(tmp_path))
    assert r.returncode == 0
    for option in ("NAME", "--list", "--out", "--seed", "--quick"):
        assert option in r.stdout
    assert "runs/labs/NAME" in r.stdout


def test_unknown_lab_and_missing_name(tmp_path):
    r = _cli("no-such-lab", cwd=str(tmp_path))
    assert r.returncode == 2
    assert "unknown lab" in r.stdout and "momentum" in r.stdout
    r = _cli(cwd=str(tmp_path))
    assert r.returncode == 2 and "learning-rate" in r.stdout


def test_names_are_forgiving():
    assert labs.get("Learning_Rate") is labs.get("lr") is labs.get("learning-rate")
    assert labs.get("backpropagation").__name__ == "glasstorch.teaching.labs.backprop"
    for name in LABS:
        module = labs.get(name)
        assert module.__doc__ and labs.describe(name) == module.__doc__.strip().splitlines()[0]


def test_default_out_dir_and_quick(tmp_path):
    r = _cli("dataloader", "--quick", "--seed", "3", cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    out = tmp_path / "runs" / "labs" / "dataloader"
    assert (out / "summary.json").exists()
    assert (out / "dataloader_batches.png").exists()


@pytest.mark.parametrize("name", LABS)
def test_lab_runs_and_draws(runs, name):
    r = runs[name]
    assert r["rc"] == 0, r["stderr"]
    assert r["stdout"].startswith(f"lab {name}: ")
    assert r["summary"] is not None
    assert r["plots"], "no plot reported"
    for path in r["plots"]:
        assert path.endswith(".png") and os.path.exists(path)
        _check_png(path)


# ---------------------------------------------------------------------------------------------
# each lab shows its effect
# ---------------------------------------------------------------------------------------------


def test_activations(runs):
    s = runs["activations"]["summary"]
    assert 0.4 < s["relu_dead_fraction"] < 0.6
    assert s["zero_gradient_fraction_normal"]["LeakyReLU"] == 0
    assert abs(s["max_derivative"]["Sigmoid"] - 0.25) < 1e-3
    assert abs(s["max_derivative"]["Tanh"] - 1.0) < 1e-3
    assert s["max_derivative"]["GELU"] > 1.0 and s["max_derivative"]["SiLU"] > 1.0
    assert max(s["max_autograd_vs_hand_error"].values()) < 1e-5
    assert f"{s['relu_dead_fraction'] * 100:.4g}%" in runs["activations"]["stdout"]


def test_learning_rate(runs):
    s = runs["learning-rate"]["summary"]["runs"]
    diverging = s["diverging"]["diverged_at_step"]
    assert diverging is not None and diverging > 0
    assert f"overflowed at step {diverging}" in runs["learning-rate"]["stdout"]
    for label in ("too small", "good", "too large"):
        assert s[label]["diverged_at_step"] is None
        assert s[label]["final_loss"] < s[label]["initial_loss"]
    assert s["too small"]["final_loss"] > 2 * s["good"]["final_loss"]
    assert s["too large"]["largest_jump_up"] > 3 * s["good"]["largest_jump_up"]


def test_momentum(runs):
    s = runs["momentum"]["summary"]
    quartic = s["quartic"]["runs"]
    assert quartic["0.0"]["minimum"] == "local"
    assert abs(quartic["0.0"]["final_x"] - 1.25) < 1e-3
    assert s["quartic"]["momenta_reaching_global"]
    for m in s["quartic"]["momenta_reaching_global"]:
        assert abs(quartic[str(m)]["final_x"] + 2.0) < 1e-2
        assert quartic[str(m)]["final_f"] < quartic["0.0"]["final_f"]
    valley = s["valley"]["runs"]
    assert s["valley"]["fastest_momentum"] > 0
    assert valley[str(s["valley"]["fastest_momentum"])]["steps_to_loss_below_1e-4"] < \
        valley["0.0"]["steps_to_loss_below_1e-4"]


def test_overfitting(runs):
    v = runs["overfitting"]["summary"]["variants"]
    plain = v["plain"]
    assert plain["gap_loss"] > 0.1 and plain["final_train_acc"] > plain["final_val_acc"]
    assert plain["final_val_loss"] > plain["best_val_loss"]  # validation loss rose again
    for name in ("dropout 0.5", "weight decay 0.01", "early stopping"):
        assert v[name]["gap_loss"] < plain["gap_loss"], name
        assert v[name]["final_val_loss"] < plain["final_val_loss"], name
    es = v["early stopping"]
    assert es["stopped_at_epoch"] is not None and es["best_epoch"] < es["stopped_at_epoch"]
    # the restored weights are those of the best epoch
    assert es["final_val_loss"] == pytest.approx(es["best_val_loss"], rel=1e-6)


def test_hallucination(runs):
    s = runs["hallucination"]["summary"]
    assert s["test_accuracy_known_digits"] > 0.9
    assert s["mean_confidence_noise"] > 0.7
    assert s["mean_confidence_unseen_9s"] > 0.6
    assert s["ece_after"] <= s["ece_before"]
    assert s["nll_after"] <= s["nll_before"]
    assert s["temperature"] > 0
    assert s["accuracy_at_80pct_coverage_with_9s"] > s["accuracy_full_coverage_with_9s"]
    assert "9" not in s["unseen_9s_called"]  # it has no class 9 to give
    assert f"{s['ece_after']:.4f}" in runs["hallucination"]["stdout"]


def test_dataloader(runs):
    c = runs["dataloader"]["summary"]["configs"]
    plain, shuffled, dropped = (c["shuffle=False"], c["shuffle=True"],
                                c["shuffle=True, drop_last=True"])
    assert plain["batches_per_epoch"] == shuffled["batches_per_epoch"] == 3
    assert plain["last_batch_size"] == shuffled["last_batch_size"] == 2
    assert plain["every_epoch_a_permutation"] and shuffled["every_epoch_a_permutation"]
    assert not plain["orders_differ_between_epochs"]
    assert shuffled["orders_differ_between_epochs"]
    assert plain["batches"][0] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert dropped["batches_per_epoch"] == dropped["len_loader"] == 2
    assert dropped["last_batch_size"] == 4
    assert all(len(d) == 2 for d in dropped["dropped_per_epoch"])
    assert dropped["no_repeats_within_epoch"]


def test_loss_functions(runs):
    s = runs["loss-functions"]["summary"]
    wrong = s["single_example"]["0.01"]
    assert wrong["ce_grad"] == pytest.approx(wrong["p"] - 1, abs=1e-5)
    assert abs(wrong["mse_grad"]) < 0.05 and s["grad_ratio_ce_over_mse_at_p_0.01"] > 10
    t = s["training"]
    good, bad = t["logits"], t["softmax first (wrong)"]
    assert good["final_val_acc"] > bad["final_val_acc"] + 0.1
    assert good["final_val_acc"] > 0.9
    assert bad["final_loss_optimised"] > s["softmax_first_loss_floor"]
    assert s["grad_norm_ratio_logits_over_softmax"] > 1.5


def test_backprop(runs):
    s = runs["backprop"]["summary"]
    assert s["max_abs_diff"] < 1e-5
    for node in ("MseLossBackward0", "AddmmBackward0", "ReluBackward0", "AccumulateGrad"):
        assert node in s["graph_nodes"]
    assert s["graph_nodes"].count("AccumulateGrad") == 4
    for name in ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"):
        g = s["gradients"][name]
        assert g["grad_norm_autograd"] == pytest.approx(g["grad_norm_chain_rule"], rel=1e-4)
    svg = runs["backprop"]["out"] / "autograd_graph.svg"
    if svg.exists():  # written through glasstorch.viz
        text = svg.read_text()
        assert "<svg" in text and "AddmmBackward0" in text
