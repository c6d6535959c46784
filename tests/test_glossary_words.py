"""`glasstorch explain` knows the everyday words of the course (glossary.WORDS): each resolves by
its name and aliases, prints source that exists on disk, and runs a demo with sensible numbers;
the words the course code, the course glossary and the README use are all known.

The course glossary's own 24 terms are tested by tests/test_cli_explain.py (as subprocesses);
these run in-process through the command's ``main``, which is much faster for ~40 entries.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from glasstorch import glossary
from glasstorch.teaching import _words
from glasstorch.teaching.cli import main

ROOT = Path(__file__).resolve().parents[1]
WORDS = {t.name: t for t in glossary.WORDS}


def _explain(capsys, *argv: str) -> str:
    assert main(["explain", *argv]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def test_words_are_glossary_entries():
    assert set(WORDS) <= {t.name for t in glossary.TERMS}
    assert not set(WORDS) & set(glossary.COURSE_TERMS)
    for term in glossary.WORDS:
        assert len(term.definition.split()) >= 6 and "\n" not in term.definition, term.name
        assert term.explanation and term.implemented_by and term.aliases, term.name


@pytest.mark.parametrize("name", sorted(WORDS))
def test_each_word_resolves_by_name_and_aliases(name):
    term = WORDS[name]
    for text in (name, name.lower(), name.upper(), *term.aliases):
        assert glossary.lookup(text) is term, (text, glossary.lookup(text))


@pytest.mark.parametrize("name", sorted(WORDS))
def test_explain_prints_live_source(capsys, name):
    out = _explain(capsys, name)
    term = WORDS[name]
    assert out.startswith(f"{term.name}\n{'=' * len(term.name)}\n")
    for dotted in term.implemented_by:
        m = re.search(rf'^{re.escape(dotted)}\n  File "([^"]+)", lines (\d+)-(\d+)$', out, re.M)
        assert m, (dotted, out)
        path, start, end = Path(m.group(1)), int(m.group(2)), int(m.group(3))
        assert path.is_file() and path.suffix == ".py"
        assert ROOT / "glasstorch" in path.parents  # the package being tested, not a copy
        file_lines = path.read_text(encoding="utf-8").splitlines()
        assert end <= len(file_lines)
        width = len(str(end))
        for n in range(start, end + 1):  # each printed line is that line of the file now
            assert f"  {n:>{width}} | {file_lines[n - 1].rstrip()}\n" in out + "\n", (dotted, n)
    assert "Live demonstration\n------------------\n" in out


def _demo(name: str) -> tuple[dict[str, float], str]:
    lines: list[str] = []
    values = WORDS[name].demo(lines.append)
    return values, "\n".join(lines)


# what each demo must show: numbers that follow from its setup
CHECKS = {
    "Epoch": lambda v: v["examples_per_epoch"] == 10 and v["batches"] == 3,
    "Batch size": lambda v: v["batches_bs3"] == 4 and v["batches_bs10"] == 1,
    "Mini-batch": lambda v: v["rows"] == 4,
    "Iteration": lambda v: v["iterations"] == 9,
    "Logits": lambda v: v["loss"] == pytest.approx(-math.log(v["p0"]), rel=1e-5),
    "Dropout": lambda v: 0 < v["zeros"] < 10 and v["eval_sum"] == 10,
    "Weight decay": lambda v: v["norm_0"] == pytest.approx(math.sqrt(13), rel=1e-6)
    and v["norm_decay"] == pytest.approx(math.sqrt(13) * 0.99 ** 20, rel=1e-4),
    "Regularization": lambda v: v["size_decay"] < v["size_plain"],
    "Gradient descent": lambda v: v["w"] == pytest.approx(3 - 3 * 0.5 ** 4),
    "Parameters": lambda v: v["parameters"] == 3 * 4 + 4 + 4 * 2 + 2,
    "Weights": lambda v: 0 < v["max_abs"] <= v["bound"] == 0.25,
    "Bias": lambda v: v["no_bias_at_zero"] == 0,
    "Probabilities": lambda v: v["row_sum"] == pytest.approx(1) and v["uniform"] == pytest.approx(
        1 / 3),
    "One-hot encoding": lambda v: v["sum"] == 3,
    "Train/validation/test split": lambda v: v["train"] == 70 and v["overlap"] == 0,
    "Generalization": lambda v: v["train_acc"] > 0.9 and v["test_acc"] > 0.9,
    "Early stopping": lambda v: 1 < v["best_epoch"] < v["stopped"] < 200,
    "Checkpoint": lambda v: v["diff"] == 0 and v["epoch"] == 5,
    "state_dict": lambda v: v["entries"] == 7,
    "Inference": lambda v: v["requires_grad"] == 0 and v["same"] == 1,
    "Eval mode": lambda v: v["eval_equal"] == 1,
    "no_grad": lambda v: v["recorded"] == 1 and v["no_grad"] == 0,
    "Broadcasting": lambda v: v["grad"] == 4 and v["wrong_numel"] == 16,
    "dtype": lambda v: v["float_bits"] == 32,
    "Device": lambda v: v["cuda"] == 0,
    "Shape": lambda v: v["numel"] == 24,
    "Seed": lambda v: v["same"] == 1,
    "Normalization": lambda v: v["mean"] < 1e-6,
    "Vanishing gradients": lambda v: v["sigmoid_ratio"] < 1e-4 < v["relu_ratio"],
    "Accuracy": lambda v: v["accuracy"] == 0.75,
    "Hyperparameter": lambda v: v["lr"] == 0.05,
    "argmax": lambda v: v["first"] == 1,
    "requires_grad": lambda v: v["grad"] == 5,
    "zero_grad": lambda v: v["accumulated"] == 6,
    "Adam": lambda v: v["adam"] < 4,
    "Tanh": lambda v: v["grad0"] == 1,
    "Convolution": lambda v: v["top_left"] == 45,
    "Labels": lambda v: v["n"] == 150,
    "Learning-rate scheduler": lambda v: v["last_lr"] == pytest.approx(0.1 * 0.5 ** 2),
}


def test_every_word_has_a_check():
    assert set(CHECKS) == set(WORDS)


@pytest.mark.parametrize("name", sorted(WORDS))
def test_demo_numbers(name):
    values, text = _demo(name)
    assert text.strip()
    assert all(math.isfinite(v) for v in values.values()), values
    assert CHECKS[name](values), values


# the demos are PyTorch code: those that use only torch's API give torch's numbers
DIFFERENTIAL = ["Epoch", "Batch size", "Iteration", "Logits", "Weight decay", "Gradient descent",
                "Parameters", "Weights", "Bias", "Probabilities", "One-hot encoding", "Checkpoint",
                "state_dict", "Broadcasting", "dtype", "Shape", "Seed", "Normalization",
                "Vanishing gradients", "argmax", "requires_grad", "zero_grad", "Adam", "Tanh",
                "Convolution", "Regularization", "Early stopping", "Train/validation/test split",
                "Learning-rate scheduler"]


@pytest.mark.parametrize("name", DIFFERENTIAL)
def test_demos_give_torchs_numbers(monkeypatch, name):
    torch = pytest.importorskip("torch")
    ours, _ = _demo(name)
    monkeypatch.setattr(_words, "_torch", lambda: torch)
    theirs, _ = _demo(name)
    assert set(ours) == set(theirs)
    for key, value in ours.items():
        assert value == pytest.approx(theirs[key], rel=1e-4, abs=1e-6), key


# ---------------------------------------------------------------------------------------------
# the words of the course, the course glossary and the README are all known
# ---------------------------------------------------------------------------------------------

COURSE_FILES = sorted((ROOT / "course").glob("*.py"))


def _occurs(word: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?![\w-])", text, re.I) is not None


@pytest.mark.skipif(not COURSE_FILES, reason="course/ is not in this checkout")
def test_course_words_occur_in_the_course_and_are_known():
    text = "\n".join(p.read_text(encoding="utf-8") for p in COURSE_FILES)
    for word in _words.COURSE_WORDS:
        assert _occurs(word, text), f"{word!r} no longer occurs in course/*.py"
        assert glossary.lookup(word) is not None, f"explain does not know {word!r}"


README_WORDS = ("epoch", "batch-size", "validation", "checkpoint", "dropout", "weight decay",
                "seed", "learning-rate", "momentum", "accuracy", "convolution", "max pooling",
                "ReLU", "optimizer", "loss", "tensor", "DataLoader", "TensorDataset", "backward",
                "autograd", "gradients", "broadcasting", "random numbers", "schedulers",
                "weights_only", "samplers", "raw scores", "probabilities", "no_grad", "dtypes",
                "shuffling", "inference_mode", "float32", "softmax", "calibration")
GLOSSARY_WORDS = ("mini-batches", "hyperparameter", "parameters", "weights", "biases",
                  "probabilities", "vanishing gradients", "probability distribution", "layers",
                  "targets", "labels", "training data", "local minima", "gradients", "neurons")


def test_readme_words_are_known():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for word in README_WORDS:
        assert _occurs(word, text), f"{word!r} no longer occurs in README.md"
        assert glossary.lookup(word) is not None, word


def test_course_glossary_words_are_known():
    seed = Path("/work/shared/seed/course-glossary.txt")
    for word in GLOSSARY_WORDS:
        assert glossary.lookup(word) is not None, word
    if seed.exists():
        text = seed.read_text(encoding="utf-8")
        for word in GLOSSARY_WORDS:
            assert _occurs(word, text), f"{word!r} no longer occurs in the course glossary"


def test_docs_glossary_lists_the_words():
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    for name in WORDS:
        assert f"## {name}\n" in text
