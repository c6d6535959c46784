"""`glasstorch glossary` and `glasstorch explain TERM`, run as subprocesses for every term.

Checked: exit codes; the definition is printed; the printed source of every implementing object
is the one `inspect` reads from the package now, with the same file and line numbers; the demo's
numbers are in sensible ranges; the glossary covers the course's terms; docs/glossary.md is up
to date. The subprocesses run in parallel so the file stays fast.
"""

from __future__ import annotations

import inspect
import math
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import glasstorch
from glasstorch import glossary

ROOT = Path(glasstorch.__file__).resolve().parents[1]
# the course glossary's terms; the everyday words (glossary.WORDS) are tested in-process by
# tests/test_glossary_words.py
COURSE = [t for t in glossary.TERMS if t.name in glossary.COURSE_TERMS]
SEED_CANDIDATES = [ROOT.parent / "shared" / "seed" / "course-glossary.txt",
                   Path("/work/shared/seed/course-glossary.txt")]

ALIASES = {
    "relu": "ReLU (Rectified Linear Unit)",
    "ReLU": "ReLU (Rectified Linear Unit)",
    "rectified linear unit": "ReLU (Rectified Linear Unit)",
    "F.relu": "ReLU (Rectified Linear Unit)",
    "sgd": "Stochastic Gradient Descent (SGD)",
    "torch.optim.SGD": "Stochastic Gradient Descent (SGD)",
    "nn.Linear": "Linear layer (nn.Linear)",
    "torch.nn.Linear": "Linear layer (nn.Linear)",
    "linear layer": "Linear layer (nn.Linear)",
    "backprop": "Backpropagation",
    "backpropagation": "Backpropagation",
    "Back-Propagation": "Backpropagation",
    "mse": "Mean squared error (MSE) loss",
    "MSE loss": "Mean squared error (MSE) loss",
    "nn.MSELoss": "Mean squared error (MSE) loss",
    "cross entropy": "Cross-entropy loss",
    "crossentropy": "Cross-entropy loss",
    "CrossEntropyLoss": "Cross-entropy loss",
    "tensordataset": "TensorDataset",
    "data loader": "DataLoader",
    "dataloader": "DataLoader",
    "  Learning   RATE ": "Learning rate",
    "lr": "Learning rate",
    "tensors": "Tensor",
    "torch": "PyTorch",
    "activation functions": "Activation function",
    "optimiser": "Optimizer",
    "over-fitting": "Overfitting",
    "forward": "Forward pass",
    "grad": "Gradient",
    "softmax": "Softmax",
    "sigmoid": "Sigmoid",
    "neurons": "Neuron",
    "neural net": "Neural network",
    "deep learning": "Deep learning",
    "momentum": "Momentum",
    "loss": "Loss function",
    "hallucinations": "Hallucination",
}
# aliases also run through the command line (the rest are checked in-process)
CLI_ALIASES = ["relu", "sgd", "nn.Linear", "backprop", "cross entropy", "data loader"]


def _run(args: tuple[str, ...]) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["COLUMNS"] = "100"
    return subprocess.run([sys.executable, "-m", "glasstorch", *args], capture_output=True,
                          text=True, env=env, cwd=str(ROOT.parent), timeout=300)


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, ...], subprocess.CompletedProcess]:
    cmds: list[tuple[str, ...]] = [("explain", t.name) for t in COURSE]
    cmds += [("explain", a, "--no-demo") for a in CLI_ALIASES]
    cmds += [("glossary",), ("glossary", "--aliases"), ("glossary", "--markdown"),
             ("--help",), ("explain", "--help"), ("glossary", "--help"),
             ("explain", "backprogation"), ("explain", "zebra", "crossing"),
             ("explain", "learning", "rate", "--no-source", "--no-demo"),
             ("explain", "relu", "--no-demo", "--max-lines", "3")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(cmds, pool.map(_run, cmds)))


def _flat(text: str) -> str:
    return " ".join(text.split())


def _num(pattern: str, text: str, group: int = 1) -> float:
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not found in:\n{text}"
    return float(m.group(group))


def _nums(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)]


# ---------------------------------------------------------------------------------------------
# what each demo must show (numbers derived from the setup, never copied from a run)
# ---------------------------------------------------------------------------------------------


def _check_activation(out):
    assert _num(r"no activation between them, max \|difference\| = (\S+)", out) < 1e-5
    assert _num(r"with a ReLU between them,\s+max \|difference\| = (\S+)", out) > 1e-3


def _check_backprop(out):
    assert _num(r"max \|difference\| over all parameters: (\S+)", out) < 1e-5
    for name in ("AddmmBackward0", "ReluBackward0", "AccumulateGrad", "0.weight", "2.bias"):
        assert name in out


def _check_cross_entropy(out):
    right = _num(r"confident and right .* loss = ([\d.]+)", out)
    undecided = _num(r"undecided .* loss = ([\d.]+)", out)
    wrong = _num(r"confident and wrong .* loss = ([\d.]+)", out)
    assert right < undecided < wrong
    assert undecided == pytest.approx(math.log(3), abs=1e-4)
    for line in out.splitlines():
        if "loss = " in line and "by hand" in line:
            assert _num(r"loss = ([\d.]+)", line) == pytest.approx(
                _num(r"by hand ([\d.]+)", line), abs=2e-4)


def _check_dataloader(out):
    batches = re.findall(r"epoch 0 batch \d+: x = \[([^\]]*)\]", out)
    assert len(batches) == math.ceil(10 / 4)
    seen = sorted(v for b in batches for v in _nums(b))
    assert seen == [float(i) for i in range(10)]  # every example once per epoch


def _check_deep(out):
    assert _num(r"linear \(no hidden layer\).*accuracy ([\d.]+)", out) <= 0.75
    assert _num(r"deep \(2 hidden layers\).*accuracy ([\d.]+)", out) == 1.0


def _check_forward(out):
    assert _num(r"max \|model\(x\) - layer by layer\| = (\S+)", out) < 1e-6
    assert "after [1] ReLU" in out


def _check_gradient(out):
    assert _num(r"max \|autograd - finite differences\| = ([\d.e+-]+)", out) < 1e-5
    auto = _nums(re.search(r"w\.grad = (\[[^\]]*\])", out).group(1))
    # f = sum((w x - y)^2) with w, x, y as printed in the demo: df/dw = 2 (w x - y) x
    w, x, y = np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 7.0])
    np.testing.assert_allclose(auto, 2 * (w * x - y) * x, atol=1e-4)


def _check_hallucination(out):
    assert _num(r"accuracy ([\d.]+)", out) > 0.9
    assert _num(r"mean confidence on noise ([\d.]+)", out) > 0.8


def _check_learning_rate(out):
    last = {}
    for lr in ("0.01", "0.3", "1.1"):
        line = re.search(rf"lr={re.escape(lr)}\s.*steps 1\.\.10: (.*)", out).group(1)
        values = _nums(line)
        assert len(values) == 10
        last[lr] = abs(values[-1])
        # every SGD step on x^2 multiplies x by 1 - 2 lr
        assert values[0] == pytest.approx(1 - 2 * float(lr), abs=1e-3)
    assert 0.5 < last["0.01"] < 1 and last["0.3"] < 1e-2 and last["1.1"] > 1


def _check_linear(out):
    assert _num(r"max \|difference\| = (\S+);", out) < 1e-6
    assert "AddmmBackward0" in out


def _check_loss(out):
    assert _num(r"close .*MSE ([\d.]+)", out) < _num(r"far .*MSE ([\d.]+)", out)


def _check_mse(out):
    ours = _num(r"nn\.MSELoss\(\) = ([\d.]+)", out)
    p, t = np.array([2.5, 0.0, 2.0, 8.0]), np.array([3.0, -0.5, 2.0, 7.0])
    assert ours == pytest.approx(np.mean((p - t) ** 2), abs=1e-6)
    assert _num(r"in NumPy = ([\d.]+)", out) == pytest.approx(ours, abs=1e-6)


def _check_momentum(out):
    plain = _nums(re.search(r"momentum=0\.0: f at steps 1,5,10,20,40 = (.*?)\s+end at",
                            out).group(1))
    heavy = _nums(re.search(r"momentum=0\.9: f at steps 1,5,10,20,40 = (.*?)\s+end at",
                            out).group(1))
    assert len(plain) == len(heavy) == 5
    assert plain[0] == pytest.approx(heavy[0])  # the first step has no history yet
    assert heavy[-1] < plain[-1] < plain[0]


def _check_network(out):
    assert _num(r"(\d+) parameters in all", out) == 4 * 8 + 8 + 8 * 3 + 3
    assert "output (5, 3)" in out


def _check_neuron(out):
    z = 0.5 * 1 - 1.0 * 2 + 2.0 * 3 + 0.1
    assert _num(r"neuron\(x\) = ([\d.]+)", out) == pytest.approx(z, abs=1e-4)
    assert _num(r"after the sigmoid activation: ([\d.]+)", out) == pytest.approx(
        1 / (1 + math.exp(-z)), abs=1e-4)


def _check_optimizer(out):
    w = 5.0
    for step in range(1, 6):
        line = re.search(rf"step {step}: .*", out).group(0)
        w = w - 0.1 * 2 * (w - 2)
        assert _num(r"-> ([\d.]+)", line) == pytest.approx(w, abs=1e-4)


def _check_overfitting(out):
    rows = re.findall(r"^\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", out, re.M)
    assert len(rows) >= 3
    last = [float(v) for v in rows[-1]]
    assert last[2] >= 0.95          # training accuracy: memorised
    assert last[4] <= 0.7           # validation accuracy: chance for coin-flip labels
    assert last[3] > last[1]        # validation loss above training loss


def _check_pytorch(out):
    assert _num(r"w\.grad = ([\d.]+)", out) == 6.0  # d(w^2)/dw at 3
    assert "import torch" in out


def _check_relu(out):
    assert _nums(re.search(r"dReLU/dx\s+= (\[[^\]]*\])", out).group(1)) == [0, 0, 0, 1, 1]
    assert "ReluBackward0" in out


def _check_sigmoid(out):
    s = _nums(re.search(r"sigmoid\(x\)\s+= (\[[^\]]*\])", out).group(1))
    assert all(0 < v < 1 for v in s) and s == sorted(s)
    auto = _nums(re.search(r"autograd grad = (\[[^\]]*\])", out).group(1))
    formula = _nums(re.search(r"s \(1 - s\)\s+= (\[[^\]]*\])", out).group(1))
    np.testing.assert_allclose(auto, formula, atol=1e-4)
    assert max(auto) == pytest.approx(0.25, abs=1e-4)


def _check_softmax(out):
    assert _num(r"sum = ([\d.]+)", out) == pytest.approx(1.0, abs=1e-6)
    ours = _nums(re.search(r"softmax\s+(\[[^\]]*\])", out).group(1))
    z = np.array([2.0, 1.0, 0.1])
    np.testing.assert_allclose(ours, np.exp(z) / np.exp(z).sum(), atol=1e-4)


def _check_sgd(out):
    line = re.search(r"epoch 30: .*", out).group(0)
    assert _num(r"w = ([-\d.]+)", line) == pytest.approx(3.0, abs=0.2)
    assert _num(r"b = ([-\d.]+)", line) == pytest.approx(2.0, abs=0.2)
    assert _num(r"w - lr \* grad = ([-\d.]+)", out) == pytest.approx(
        _num(r"SGD gave ([-\d.]+)", out), abs=1e-5)


def _check_tensor(out):
    assert "shape (2, 3)" in out and "torch.float32" in out and "torch.int64" in out
    assert _num(r"max \|difference\| = ([\d.e+-]+);", out) == 0.0
    assert "[111., 212., 313.]" in out


def _check_tensor_dataset(out):
    assert "TensorDataset of len 5" in out
    assert "ds[2] = ([4.0, 5.0], 0)" in out
    assert "refused" in out


CHECKS = {
    "Activation function": _check_activation,
    "Backpropagation": _check_backprop,
    "Cross-entropy loss": _check_cross_entropy,
    "DataLoader": _check_dataloader,
    "Deep learning": _check_deep,
    "Forward pass": _check_forward,
    "Gradient": _check_gradient,
    "Hallucination": _check_hallucination,
    "Learning rate": _check_learning_rate,
    "Linear layer (nn.Linear)": _check_linear,
    "Loss function": _check_loss,
    "Mean squared error (MSE) loss": _check_mse,
    "Momentum": _check_momentum,
    "Neural network": _check_network,
    "Neuron": _check_neuron,
    "Optimizer": _check_optimizer,
    "Overfitting": _check_overfitting,
    "PyTorch": _check_pytorch,
    "ReLU (Rectified Linear Unit)": _check_relu,
    "Sigmoid": _check_sigmoid,
    "Softmax": _check_softmax,
    "Stochastic Gradient Descent (SGD)": _check_sgd,
    "Tensor": _check_tensor,
    "TensorDataset": _check_tensor_dataset,
}


# ---------------------------------------------------------------------------------------------
# explain, term by term
# ---------------------------------------------------------------------------------------------


def _assert_source_printed(out: str, dotted: str) -> None:
    obj = glossary.resolve(dotted)
    lines, start = inspect.getsourcelines(obj)
    path = inspect.getsourcefile(inspect.unwrap(obj))
    end = start + len(lines) - 1
    assert f'{dotted}\n  File "{path}", lines {start}-{end}' in out
    width = len(str(end))
    for k, line in enumerate(lines):
        assert f"  {start + k:>{width}} | {line.rstrip()}\n" in out + "\n", (dotted, k, line)
    # and inspect.getsource (the plain text) is all there, line for line
    for line in inspect.getsource(obj).splitlines():
        assert line.rstrip() in out


@pytest.mark.parametrize("term", [t.name for t in COURSE])
def test_explain_every_term(runs, term):
    r = runs[("explain", term)]
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    out = r.stdout
    entry = glossary.lookup(term)
    assert out.startswith(f"{entry.name}\n{'=' * len(entry.name)}\n")
    assert _flat(entry.definition) in _flat(out)
    assert _flat(entry.explanation) in _flat(out)
    assert entry.implemented_by
    for dotted in entry.implemented_by:
        _assert_source_printed(out, dotted)
    demo = out.split("Live demonstration\n------------------\n", 1)
    assert len(demo) == 2 and demo[1].strip()
    CHECKS[entry.name](demo[1])


def test_the_shown_source_is_the_idea():
    """`explain` shows the idea (a node, a few-line function), not compatibility code: each
    implementing object fits on a screen and issues none of PyTorch's warnings."""
    for term in glossary.TERMS:
        for dotted in term.implemented_by:
            _, _, lines = glossary.source_of(dotted)
            assert len(lines) <= 50, f"{term.name}: {dotted} has {len(lines)} lines"
            assert "warnings.warn" not in "".join(lines), f"{term.name}: {dotted} warns"


def test_every_term_has_a_check():
    assert set(CHECKS) == {t.name for t in COURSE} == set(glossary.COURSE_TERMS)


@pytest.mark.parametrize("alias", CLI_ALIASES)
def test_explain_aliases_on_the_command_line(runs, alias):
    r = runs[("explain", alias, "--no-demo")]
    assert r.returncode == 0, r.stderr
    name = ALIASES[alias]
    assert r.stdout.startswith(name + "\n")
    assert "Live demonstration" not in r.stdout
    for dotted in glossary.lookup(name).implemented_by:
        _assert_source_printed(r.stdout, dotted)


def test_explain_names_the_argument_checks(runs):
    """A function that starts with a call into a checks module says where that check is."""
    for alias, check in (("nn.Linear", "linear"), ("cross entropy", "cross_entropy"),
                         ("relu", "relu")):
        out = runs[("explain", alias, "--no-demo")].stdout
        m = re.search(rf"Argument checks: _checks\.{check} at (\S+):(\d+)", out)
        assert m, out
        path, line = Path(m.group(1)), int(m.group(2))
        assert path.name == "_checks.py"
        assert path.read_text(encoding="utf-8").splitlines()[line - 1].startswith(
            f"def {check}(")


def test_explain_options(runs):
    r = runs[("explain", "learning", "rate", "--no-source", "--no-demo")]
    assert r.returncode == 0 and r.stdout.startswith("Learning rate\n")
    assert "Implemented by" not in r.stdout and "Live demonstration" not in r.stdout
    r = runs[("explain", "relu", "--no-demo", "--max-lines", "3")]
    assert r.returncode == 0
    for dotted in glossary.lookup("relu").implemented_by:
        lines, start = inspect.getsourcelines(glossary.resolve(dotted))
        assert f"{start + 2:>{len(str(start + len(lines)))}} | {lines[2].rstrip()}" in r.stdout
        assert f"... {len(lines) - 3} more lines" in r.stdout


def test_unknown_term_suggests_close_matches(runs):
    r = runs[("explain", "backprogation")]
    assert r.returncode == 2
    assert r.stdout == ""
    assert "unknown term 'backprogation'" in r.stderr
    assert "Did you mean: Backpropagation" in r.stderr
    r = runs[("explain", "zebra", "crossing")]
    assert r.returncode == 2
    assert "glasstorch glossary" in r.stderr


def test_help_explains_every_option(runs):
    r = runs[("--help",)]
    assert r.returncode == 0
    assert "glossary" in r.stdout and "explain" in r.stdout
    for cmd, options in (("explain", ["--no-source", "--no-demo", "--max-lines", "TERM"]),
                         ("glossary", ["--aliases", "--markdown"])):
        r = runs[(cmd, "--help")]
        assert r.returncode == 0
        text = r.stdout
        for opt in options:
            # the option is listed with an explanation of several words after it
            m = re.search(rf"^\s+{re.escape(opt)}(?: \w+)?\s+(.+)$", text, re.M)
            assert m and len(m.group(1).split()) >= 3, (cmd, opt, text)


# ---------------------------------------------------------------------------------------------
# glossary
# ---------------------------------------------------------------------------------------------


def test_glossary_lists_every_term_aligned(runs):
    r = runs[("glossary",)]
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    width = max(len(t.name) for t in glossary.TERMS)
    for term in glossary.TERMS:
        line = next(ln for ln in lines if ln.startswith(term.name + " "))
        assert line == f"{term.name:<{width}}  {term.definition}"
    assert f"{len(glossary.TERMS)} terms" in r.stdout
    r = runs[("glossary", "--aliases")]
    assert r.returncode == 0
    for term in glossary.TERMS:
        assert "also: " + ", ".join(term.aliases) in r.stdout


def test_docs_glossary_is_up_to_date(runs):
    r = runs[("glossary", "--markdown")]
    assert r.returncode == 0
    assert r.stdout == glossary.markdown()
    docs = Path(__file__).resolve().parents[1] / "docs" / "glossary.md"
    assert docs.exists(), "write it with: glasstorch glossary --markdown > docs/glossary.md"
    assert docs.read_text(encoding="utf-8") == glossary.markdown(), (
        "docs/glossary.md is stale: glasstorch glossary --markdown > docs/glossary.md")


# ---------------------------------------------------------------------------------------------
# the term data itself (in-process, fast)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_lookup_is_forgiving(alias):
    term = glossary.lookup(alias)
    assert term is not None, alias
    assert term.name == ALIASES[alias]


def test_aliases_are_unambiguous_and_terms_unique():
    owner: dict[str, str] = {}
    for term in glossary.TERMS:
        for text in (term.name, *term.aliases):
            key = glossary.normalize(text)
            assert owner.setdefault(key, term.name) == term.name, (text, owner[key], term.name)
    names = [t.name for t in glossary.TERMS]
    assert len(names) == len(set(names)) == len(glossary.COURSE_TERMS) + len(glossary.WORDS)


def test_course_terms_are_all_covered():
    for name in glossary.COURSE_TERMS:
        assert glossary.lookup(name) is not None, name
    assert {glossary.lookup(n).name for n in glossary.COURSE_TERMS} == {t.name for t in COURSE}


def _seed_terms(path: Path) -> dict[str, str]:
    terms = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([^#:][^:]{0,60}):\s+(.+)$", line.strip())
        if m:
            terms[m.group(1).strip()] = m.group(2)
    return terms


def test_against_the_course_glossary_when_present():
    seed = next((p for p in SEED_CANDIDATES if p.exists()), None)
    if seed is None:
        pytest.skip("the course glossary file is not available here")
    terms = _seed_terms(seed)
    assert set(terms) == set(glossary.COURSE_TERMS)
    for name in terms:
        assert glossary.lookup(name) is not None, name
    # our definitions are our own words: no run of 6 words copied from the course text
    def grams(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z0-9]+", text.lower())
        return {tuple(words[i:i + 6]) for i in range(len(words) - 5)}
    course = set().union(*(grams(d) for d in terms.values()))
    for term in glossary.TERMS:
        assert not grams(term.definition) & course, term.name
        assert not grams(term.explanation) & course, term.name


def test_close_matches():
    assert glossary.close_matches("sigmod")[0] == "Sigmoid"
    assert "Cross-entropy loss" in glossary.close_matches("entropy")
    assert glossary.close_matches("qqqqqq") == []
    assert glossary.lookup("qqqqqq") is None


DIFFERENTIAL_DEMOS = ["Activation function", "Cross-entropy loss", "Forward pass", "Gradient",
                      "Learning rate", "Linear layer (nn.Linear)", "Loss function",
                      "Mean squared error (MSE) loss", "Momentum", "Neural network", "Neuron",
                      "Optimizer", "ReLU (Rectified Linear Unit)", "Sigmoid", "Softmax",
                      "Tensor"]


@pytest.mark.parametrize("name", DIFFERENTIAL_DEMOS)
def test_demos_give_torchs_numbers(monkeypatch, name):
    """The demos are PyTorch code: run with real torch they return the same numbers."""
    torch = pytest.importorskip("torch")
    term = glossary.lookup(name)
    ours = term.demo(lambda s: None)
    monkeypatch.setattr(glossary, "_torch", lambda: torch)
    theirs = term.demo(lambda s: None)
    assert set(ours) == set(theirs)
    for key in ours:
        if key == "linear_acc":
            continue  # the linear model's scores end up tied on XOR: arg-max of rounding noise
        if key.endswith("diff") or (key.endswith("gap") and ours[key] < 1e-4):
            assert theirs[key] < 1e-4 and ours[key] < 1e-4, key  # rounding-level residues
        else:
            assert ours[key] == pytest.approx(theirs[key], rel=1e-4, abs=1e-5), key
