"""The course chapters run top to bottom on glasstorch and on PyTorch, print the same numbers,
and their exercise checks accept the reference solutions and reject the unfilled stubs.

Each (chapter, backend) pair runs once, in its own subprocess, started together at the
beginning of the module so that the torch imports overlap. The subprocess executes the chapter
as a script (``runpy.run_path`` with ``__name__ == "__main__"``, as ``python chapter.py`` would)
and afterwards calls the chapter's ``check_*`` functions on the solutions in
``course/solutions/`` and on the chapter's own unfilled stubs, writing the results as JSON.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
CHAPTERS = {
    1: COURSE / "01_tensors_linear_layers_activations.py",
    2: COURSE / "02_forward_loss_backprop_optimizers.py",
    3: COURSE / "03_relu_lr_momentum_data_training_loop.py",
    4: COURSE / "04_evaluation_overfitting_hallucination.py",
}
BACKENDS = ("glasstorch", "torch")
TIMEOUT = 240  # a generous ceiling against hangs, not a timing assertion

RUNNER = r"""
import importlib.util, json, os, runpy, sys
chapter, solutions, out, wrong_src = sys.argv[1:5]
sys.argv = [chapter]
sys.path[0] = os.path.dirname(chapter)
ns = runpy.run_path(chapter, run_name="__main__")
sys.stdout.flush()
spec = importlib.util.spec_from_file_location("course_solutions", solutions)
sol = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sol)
wrong = {"torch": ns["torch"], "nn": ns["torch"].nn}
exec(wrong_src, wrong)
report = {}
for name, check in ns["EXERCISES"].items():
    entry = {}
    try:
        check(getattr(sol, name))
        entry["solution"] = "pass"
    except Exception as e:
        entry["solution"] = f"{type(e).__name__}: {e}"
    try:
        check(ns[name])
        entry["stub"] = "pass"
    except Exception as e:
        entry["stub"] = type(e).__name__
    try:
        check(wrong[name])
        entry["wrong"] = "pass"
    except Exception as e:
        entry["wrong"] = type(e).__name__
    report[name] = entry
with open(out, "w") as f:
    json.dump({"backend": ns["torch"].__name__, "exercises": report}, f)
"""


# A plausible wrong answer to every exercise: each check must reject it with its own message.
WRONG = {
    1: """
def affine(x, weight, bias):
    return x @ weight.T                      # forgot the bias
def relu(z):
    return torch.abs(z)
def softmax(z):
    e = torch.exp(z)                         # overflows for large scores
    return e / e.sum(dim=-1, keepdim=True)
def count_parameters(model):
    return len(list(model.parameters()))     # counts tensors, not numbers
def make_mlp(n_in, n_hidden, n_out):
    return nn.Sequential(nn.Linear(n_in, n_hidden), nn.Sigmoid(), nn.Linear(n_hidden, n_out))
""",
    2: """
def mse(pred, target):
    return (pred - target).abs().mean()
def cross_entropy(logits, target):
    p = torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)
    return -torch.log(p[torch.arange(len(target)), target]).mean()
def line_gradients(x, y, w, b):
    r = w * x + b - y                        # forgot the factor 2
    return (r * x).mean(), r.mean()
def sgd_step(params, lr):
    with torch.no_grad():
        for p in params:
            p += lr * p.grad                 # uphill
""",
    3: """
def gradient_descent(grad, x0, lr, steps):
    x = x0
    for _ in range(steps):
        x = x + lr * grad(x)
    return x
def momentum_descent(grad, x0, lr, momentum, steps):
    x, v = x0, 0.0
    for _ in range(steps):
        v = momentum * v + (1 - momentum) * grad(x)   # dampened: not PyTorch's default
        x = x - lr * v
    return x
def make_loader(x, y, batch_size, seed):
    # ignores the seed: the global RNG moves on between builds, so the order changes
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y),
                                       batch_size=batch_size, shuffle=True)
def train_one_epoch(model, loader, loss_fn, optimizer):
    losses = []
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)         # ignores the smaller last batch
def evaluate(model, x, y, loss_fn):
    with torch.no_grad():                    # forgot model.eval()
        logits = model(x)
        return loss_fn(logits, y).item(), (logits.argmax(1) == y).float().mean().item()
""",
    4: """
def accuracy(logits, targets):
    return (logits.argmax(dim=1) == targets).sum().item() / 3
def confusion_matrix(preds, targets, num_classes):
    m = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    for t, p in zip(targets.tolist(), preds.tolist()):
        m[p, t] += 1                          # transposed
    return m
def expected_calibration_error(probs, targets, n_bins):
    conf, pred = probs.max(dim=1)
    return abs(conf.mean().item() - (pred == targets).float().mean().item())
def predict_or_abstain(logits, threshold):
    conf, pred = logits.max(dim=1)            # logits are not probabilities
    return torch.where(conf >= threshold, pred, torch.full_like(pred, -1))
def early_stopping(val_losses, patience):
    best = min(range(len(val_losses)), key=val_losses.__getitem__) + 1
    return len(val_losses), best
""",
}


class Run:
    def __init__(self, chapter: int, backend: str, tmp: Path) -> None:
        self.report_path = tmp / f"ch{chapter}-{backend}.json"
        env = dict(os.environ)
        env["COURSE_BACKEND"] = backend
        env.pop("COURSE_PLOTS", None)
        env.setdefault("OMP_NUM_THREADS", "1")  # 2 cores shared by many processes
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(CHAPTERS[chapter]),
             str(COURSE / "solutions" / f"ch{chapter}.py"), str(self.report_path),
             WRONG[chapter]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp,
        )
        self._done = False

    def wait(self) -> Run:
        if not self._done:
            try:
                self.stdout, self.stderr = self.proc.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.stdout, self.stderr = self.proc.communicate()
            self.returncode = self.proc.returncode
            self.report = (json.loads(self.report_path.read_text())
                           if self.report_path.exists() else None)
            self._done = True
        return self


@pytest.fixture(scope="module")
def runs():
    with tempfile.TemporaryDirectory() as tmp:
        started = {(c, b): Run(c, b, Path(tmp)) for c in CHAPTERS for b in BACKENDS}
        yield started
        for run in started.values():
            run.wait()


def _result(runs, chapter: int, backend: str) -> Run:
    run = runs[chapter, backend].wait()
    assert run.returncode == 0, f"chapter {chapter} on {backend} failed:\n{run.stderr[-3000:]}"
    return run


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_runs_top_to_bottom(runs, chapter, backend):
    run = _result(runs, chapter, backend)
    assert run.report is not None and run.report["backend"] == backend
    assert f"running on {backend}" in run.stdout
    assert "Traceback" not in run.stderr


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def _split(line: str) -> tuple[str, list[float]]:
    return NUMBER.sub("#", line), [float(n) for n in NUMBER.findall(line)]


def _close(a: float, b: float) -> bool:
    # Printed at 4 decimals; float32 kernels of two libraries may differ in the last digit.
    return abs(a - b) <= 2e-4 + 2e-4 * max(abs(a), abs(b))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_glasstorch_and_torch_print_the_same(runs, chapter):
    glass = _result(runs, chapter, "glasstorch").stdout.splitlines()
    torch_ = _result(runs, chapter, "torch").stdout.splitlines()
    assert len(glass) == len(torch_), "the two runs printed different numbers of lines"
    compared = 0
    for g, t in zip(glass, torch_):
        if g.startswith("running on"):
            continue
        g_text, g_nums = _split(g)
        t_text, t_nums = _split(t)
        assert g_text == t_text, f"glasstorch printed {g!r}\n torch printed {t!r}"
        assert all(_close(a, b) for a, b in zip(g_nums, t_nums)), f"{g!r} != {t!r}"
        compared += len(g_nums)
    assert compared > 20


@pytest.mark.parametrize("chapter", [2, 3, 4])
def test_seeded_losses_match_to_four_decimals(runs, chapter):
    def losses(out: str) -> list[list[float]]:
        return [_split(line)[1] for line in out.splitlines() if "loss" in line.lower()]

    glass = losses(_result(runs, chapter, "glasstorch").stdout)
    torch_ = losses(_result(runs, chapter, "torch").stdout)
    assert len(glass) >= 3 and len(glass) == len(torch_)
    for g, t in zip(glass, torch_):
        assert len(g) == len(t)
        assert all(_close(a, b) for a, b in zip(g, t)), f"{g} != {t}"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_reference_solutions_pass_every_check(runs, chapter, backend):
    report = _result(runs, chapter, backend).report["exercises"]
    assert 3 <= len(report) <= 5
    failed = {name: e["solution"] for name, e in report.items() if e["solution"] != "pass"}
    assert not failed


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_checks_reject_wrong_answers(runs, chapter, backend):
    report = _result(runs, chapter, backend).report["exercises"]
    assert set(report) <= set(re.findall(r"^def (\w+)", WRONG[chapter], re.M))
    accepted = {name: e["wrong"] for name, e in report.items() if e["wrong"] != "AssertionError"}
    assert not accepted


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_unfilled_stubs_fail_their_checks(runs, chapter, backend):
    run = _result(runs, chapter, backend)
    report = run.report["exercises"]
    assert all(e["stub"] == "NotImplementedError" for e in report.values()), report
    # and the chapter's own last cell tells the learner so
    for name in report:
        assert f"exercise {name}: not attempted yet" in run.stdout


def _code_lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_is_a_percent_script_with_objectives_and_exercises(chapter):
    path = CHAPTERS[chapter]
    text = path.read_text()
    ast.parse(text)
    assert "format_name: percent" in text
    assert text.count("\n# %% [markdown]") >= 5 and text.count("\n# %%\n") >= 5
    assert "**By the end of this chapter you can**" in text
    assert "## Exercises" in text
    solutions = ast.parse((COURSE / "solutions" / f"ch{chapter}.py").read_text())
    solved = {n.name for n in solutions.body if isinstance(n, ast.FunctionDef)}
    stubs = {n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)}
    checks = {n[len("check_"):] for n in stubs if n.startswith("check_")}
    assert checks and checks <= solved and checks <= stubs


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_only_the_import_line_names_the_backend(chapter):
    # After the switchable import, the chapter speaks only PyTorch's public API; glasstorch
    # appears only as the source of the bundled data.
    lines = _code_lines(CHAPTERS[chapter])
    pattern = re.compile(r"\s*(import|from)\s+(torch|glass)")
    imports = [line.strip() for line in lines if pattern.match(line)]
    assert imports[:2] == ["import torch", "import glasstorch as torch  # the only line to change "
                           "to run on PyTorch: `import torch`"]
    for line in imports[2:]:
        assert line.startswith("import glasstorch.datasets"), line
    for line in lines:
        for use in re.findall(r"glasstorch\.\w+", line.split("#")[0]):
            assert use == "glasstorch.datasets", line


# The terms of the course glossary (shared/seed/course-glossary.txt); each chapter defines
# the ones it teaches in its markdown, in bold where the definition is.
GLOSSARY = [
    "activation function", "backpropagation", "cross-entropy loss", "dataloader",
    "deep learning", "forward pass", "gradient", "hallucination", "learning rate",
    "linear layer", "loss function", "mean squared error", "momentum", "neural network",
    "neuron", "optimizer", "overfitting", "pytorch", "relu", "sigmoid", "softmax",
    "stochastic gradient descent (sgd)", "tensor", "tensordataset",
]


def test_every_glossary_term_is_defined_in_the_course():
    markdown = " ".join(
        line.lstrip("# ").lower()
        for path in CHAPTERS.values()
        for line in path.read_text().splitlines()
        if line.startswith("#")
    )
    missing = [term for term in GLOSSARY if f"**{term}**" not in markdown]
    assert not missing


def test_plots_only_when_asked(tmp_path):
    # COURSE_PLOTS=dir makes a chapter save its figures there; they decode and are not blank.
    image = pytest.importorskip("matplotlib.image")
    env = dict(os.environ, COURSE_PLOTS=str(tmp_path / "plots"), COURSE_BACKEND="glasstorch")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    out = subprocess.run([sys.executable, str(CHAPTERS[3])], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=TIMEOUT)
    assert out.returncode == 0, out.stderr[-3000:]
    pngs = sorted((tmp_path / "plots").glob("*.png"))
    assert [p.name for p in pngs] == ["ch3_learning_rates.png"]
    pixels = image.imread(pngs[0])
    assert pixels.ndim == 3 and pixels.std() > 0.05
    assert f"saved {pngs[0]}" in out.stdout


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_source_pointers_name_real_files(chapter):
    # "nn.Linear is glasstorch/nn/modules/linear.py": every file a chapter points at exists.
    text = CHAPTERS[chapter].read_text()
    paths = set(re.findall(r"glasstorch/[\w/]+(?:\.py)?", text))
    assert len(paths) >= 3
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert not missing
