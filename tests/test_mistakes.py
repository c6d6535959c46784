"""The catalogue of beginner mistakes: one table, run on PyTorch and on glasstorch.

Each entry is a small function of the library module (written with the name ``torch``, so it
reads like course code) that makes one classic mistake. For every entry:

* ``error``: both libraries raise the same exception type; glasstorch's message contains
  PyTorch's (first line) and the entry's ``hints``: the actual shapes, dtypes or values, and the
  fix.
* ``warning``: both warn with the same category; glasstorch's warning contains PyTorch's text
  and the hints.
* ``coach``: PyTorch is silent; glasstorch's coach issues a ``CoachWarning`` with the hints.

``docs/mistakes.md`` is generated from this table (``python tests/test_mistakes.py --write``),
and a test checks that the page is up to date, so the two cannot drift apart.
"""

from __future__ import annotations

import inspect
import sys
import textwrap
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import torch
from harness import fresh_coach

import glasstorch

DOC = Path(__file__).resolve().parent.parent / "docs" / "mistakes.md"


@dataclass
class Mistake:
    id: str
    situation: str
    code: object
    hints: list[str]
    kind: str = "error"  # "error" | "warning" | "coach"
    fix: str = ""
    tags: list[str] = field(default_factory=list)


MISTAKES: list[Mistake] = []


def mistake(id: str, situation: str, *, hints: list[str], fix: str, kind: str = "error"):
    """Register the decorated function as a catalogue entry."""

    def register(fn):
        assert all(m.id != id for m in MISTAKES), id
        MISTAKES.append(Mistake(id, situation, fn, hints, kind, fix))
        return fn

    return register


# ---------------------------------------------------------------------------------------------
# Shapes between layers
# ---------------------------------------------------------------------------------------------


@mistake("linear-forgot-flatten",
         "Images of shape (N, 1, 28, 28) go straight into `nn.Linear(784, 10)`: the "
         "`nn.Flatten()` in front of it was forgotten.",
         hints=["[8, 1, 28, 28]", "in_features=784", "nn.Flatten()"],
         fix="Put `nn.Flatten()` before the first `nn.Linear`, or `x = x.flatten(1)`.")
def _(torch):
    model = torch.nn.Linear(784, 10)
    images = torch.randn(8, 1, 28, 28)
    model(images)


@mistake("linear-wrong-width",
         "A layer's `in_features` does not match the width of the previous layer's output.",
         hints=["[16, 20]", "in_features=30", "20"],
         fix="Make each `nn.Linear(in, out)` take as `in` the previous layer's `out`.")
def _(torch):
    model = torch.nn.Sequential(torch.nn.Linear(4, 20), torch.nn.ReLU(), torch.nn.Linear(30, 2))
    model(torch.randn(16, 4))


@mistake("float64-numpy-into-model",
         "A float64 NumPy array (NumPy's default) is turned into a tensor and fed to a float32 "
         "model.",
         hints=["float64", "float32", ".float()"],
         fix="Convert the data: `torch.from_numpy(x).float()` or `torch.tensor(x, "
             "dtype=torch.float32)`.")
def _(torch):
    x = np.random.default_rng(0).standard_normal((8, 3))  # float64
    model = torch.nn.Linear(3, 1)
    model(torch.from_numpy(x))


@mistake("integer-data-into-model",
         "Integer data (labels, pixel values read as int64) is fed to a `nn.Linear`.",
         hints=["int64", "float32", ".float()"],
         fix="Convert the input to float: `x.float()` (and scale pixels to [0, 1]).")
def _(torch):
    x = torch.tensor([[1, 2, 3], [4, 5, 6]])
    torch.nn.Linear(3, 2)(x)


@mistake("numpy-array-into-model",
         "A NumPy array is given to a layer directly, without making it a tensor.",
         hints=["numpy.ndarray", "torch.from_numpy(x).float()"],
         fix="Convert first: `torch.from_numpy(x).float()`.")
def _(torch):
    x = np.ones((4, 3), dtype=np.float32)
    torch.nn.Linear(3, 2)(x)


@mistake("broadcast-mismatch",
         "Two tensors whose shapes cannot broadcast are added.",
         hints=["[3]", "[4]", "broadcast"],
         fix="Check the shapes; sizes must be equal or 1, aligned from the right "
             "(use `unsqueeze`/`reshape` to line them up).")
def _(torch):
    a = torch.ones(3)
    b = torch.ones(4)
    a + b


@mistake("stack-different-sizes",
         "`torch.stack` of tensors of different sizes (e.g. sequences of different lengths).",
         hints=["[3]", "[2]", "pad", "torch.cat"],
         fix="Make them the same size first (pad or crop), or use `torch.cat` to join along "
             "an existing dimension.")
def _(torch):
    torch.stack([torch.ones(3), torch.ones(2)])


@mistake("cat-different-sizes",
         "`torch.cat` of tensors whose other dimensions differ.",
         hints=["[2, 3]", "[2, 4]", "dim=0"],
         fix="All sizes except the one you concatenate along must match.")
def _(torch):
    torch.cat([torch.ones(2, 3), torch.ones(2, 4)])


@mistake("view-non-contiguous",
         "`.view` on a transposed (non-contiguous) tensor.",
         hints=["[3, 2]", "contiguous", ".reshape("],
         fix="Use `.reshape(...)` (copies when it must), or `.contiguous().view(...)`.")
def _(torch):
    x = torch.arange(6.0).reshape(2, 3).t()
    x.view(6)


@mistake("view-wrong-size",
         "`.view`/`.reshape` to a shape with a different number of elements.",
         hints=["12", "[3, 5]", "-1"],
         fix="The new shape must have as many elements as the tensor; let one size be "
             "computed with -1: `x.view(3, -1)`.")
def _(torch):
    torch.zeros(3, 4).view(3, 5)


@mistake("index-out-of-range",
         "Indexing past the end of a dimension (off by one).",
         hints=["[3]", "0..n-1"],
         fix="Valid indices of a size-n dimension are 0 to n-1 (and -n to -1).")
def _(torch):
    x = torch.zeros(3)
    x[3]


@mistake("tensor-of-tensors",
         "`torch.tensor(list_of_tensors)` to join a list of multi-element tensors.",
         hints=["[2]", "torch.stack(list)"],
         fix="Use `torch.stack(list_of_tensors)`.")
def _(torch):
    torch.tensor([torch.ones(2), torch.ones(2)])


# ---------------------------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------------------------


@mistake("ce-float-class-indices",
         "`CrossEntropyLoss` given class indices stored as floats (e.g. labels read from a "
         "float array).",
         hints=["torch.float32", "torch.int64", ".long()"],
         fix="Class indices must be int64: `target.long()`.")
def _(torch):
    logits = torch.randn(4, 3)
    target = torch.tensor([0.0, 2.0, 1.0, 1.0])
    torch.nn.CrossEntropyLoss()(logits, target)


@mistake("ce-one-hot-wrong-shape",
         "One-hot targets with a different number of classes than the model's outputs.",
         hints=["[4, 3]", "[4, 5]", "argmax(1)"],
         fix="Give class indices of shape (N,) (`target.argmax(1)`), or probabilities of the "
             "input's shape (N, C).")
def _(torch):
    logits = torch.randn(4, 3)
    one_hot = torch.nn.functional.one_hot(torch.tensor([0, 1, 4, 2]), 5).float()
    torch.nn.CrossEntropyLoss()(logits, one_hot)


@mistake("ce-one-hot-long",
         "One-hot targets of the right shape but integer dtype (straight from `F.one_hot`).",
         hints=["[4, 3]", "argmax"],
         fix="Pass the class indices themselves (int64, shape (N,)), or `one_hot.float()`.")
def _(torch):
    logits = torch.randn(4, 3)
    one_hot = torch.nn.functional.one_hot(torch.tensor([0, 1, 2, 2]), 3)
    torch.nn.CrossEntropyLoss()(logits, one_hot)


@mistake("ce-target-n-by-1",
         "Class-index targets of shape (N, 1) instead of (N,).",
         hints=["[4, 1]", ".squeeze(1)"],
         fix="`target.squeeze(1)` (or `.view(-1)`).")
def _(torch):
    logits = torch.randn(4, 3)
    target = torch.tensor([[0], [2], [1], [1]])
    torch.nn.CrossEntropyLoss()(logits, target)


@mistake("ce-class-out-of-range",
         "A class index equal to the number of classes (labels 1..C instead of 0..C-1, or "
         "a final layer too narrow).",
         hints=["3 classes", "[0, 3)"],
         fix="Labels must be 0..C-1: subtract 1 from 1-based labels, or give the last "
             "layer C outputs.")
def _(torch):
    logits = torch.randn(4, 3)
    target = torch.tensor([0, 1, 2, 3])
    torch.nn.CrossEntropyLoss()(logits, target)


@mistake("ce-batch-mismatch",
         "Outputs and targets with different batch sizes (e.g. a flattened output, or the "
         "last, smaller batch mixed up).",
         hints=["[4, 3]", "[3]"],
         fix="Outputs (N, C) and targets (N,) must have the same N.")
def _(torch):
    torch.nn.functional.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 2]))


@mistake("ce-arguments-swapped",
         "`loss_fn(target, output)`: the arguments of the loss in the wrong order.",
         hints=["swapped", "torch.int64", "[4, 3]", "loss_fn(model(x), y)"],
         fix="The model's output comes first: `loss_fn(model(x), y)`.")
def _(torch):
    logits = torch.randn(4, 3)
    target = torch.tensor([0, 2, 1, 1])
    torch.nn.functional.cross_entropy(target, logits)


@mistake("loss-constructed-with-data",
         "`nn.CrossEntropyLoss(output, target)`: the data is passed to the constructor instead "
         "of to the loss object.",
         hints=["CrossEntropyLoss(...)", "loss_fn = nn.CrossEntropyLoss()"],
         fix="Make the loss once, then call it: `loss_fn = nn.CrossEntropyLoss()`, "
             "`loss = loss_fn(output, target)`.")
def _(torch):
    output = torch.randn(4, 3)
    target = torch.tensor([0, 1, 2, 0])
    torch.nn.CrossEntropyLoss(output, target)


@mistake("one-hot-float-indices",
         "`F.one_hot` of labels stored as floats.",
         hints=["torch.float32", ".long()"],
         fix="`F.one_hot(labels.long(), num_classes)`.")
def _(torch):
    torch.nn.functional.one_hot(torch.tensor([0.0, 2.0, 1.0]), 3)


@mistake("one-hot-out-of-range",
         "`F.one_hot` with a `num_classes` too small for the labels (1-based labels).",
         hints=["3", "num_classes=3"],
         fix="Labels must be 0..num_classes-1; subtract 1 from 1-based labels.")
def _(torch):
    torch.nn.functional.one_hot(torch.tensor([1, 2, 3]), num_classes=3)


@mistake("softmax-before-cross-entropy",
         "`nn.Softmax` at the end of the model, then `CrossEntropyLoss` (which applies "
         "log_softmax itself). PyTorch trains anyway, slowly.",
         hints=["[4, 3]", "SoftmaxBackward0", "logits"],
         fix="Remove the softmax; give raw scores (logits) to the loss.",
         kind="coach")
def _(torch):
    model = torch.nn.Sequential(torch.nn.Linear(5, 3), torch.nn.Softmax(dim=1))
    loss = torch.nn.CrossEntropyLoss()(model(torch.randn(4, 5)), torch.tensor([0, 1, 2, 0]))
    loss.backward()


@mistake("softmax-without-dim",
         "`nn.Softmax()` or `F.softmax(x)` without `dim`.",
         hints=["dim=X"],
         fix="Say which dimension sums to 1: `nn.Softmax(dim=1)` for (N, C) scores.",
         kind="warning")
def _(torch):
    torch.nn.Softmax()(torch.randn(4, 3))


@mistake("mse-n1-vs-n",
         "`MSELoss` with predictions of shape (N, 1) and targets of shape (N,): they broadcast "
         "to (N, N) and the loss is wrong.",
         hints=["[8, 1]", "[8]", ".squeeze(1)"],
         fix="Make the shapes equal: `pred.squeeze(1)` or `target.unsqueeze(1)`.",
         kind="warning")
def _(torch):
    pred = torch.randn(8, 1)
    target = torch.randn(8)
    torch.nn.MSELoss()(pred, target)


@mistake("bce-long-target",
         "`BCELoss` with integer 0/1 targets.",
         hints=["torch.int64", "torch.float32", ".float()"],
         fix="Targets must be float like the input: `target.float()`.")
def _(torch):
    p = torch.sigmoid(torch.randn(4))
    torch.nn.BCELoss()(p, torch.tensor([0, 1, 1, 0]))


@mistake("bce-without-sigmoid",
         "`BCELoss` given raw scores (no sigmoid), so inputs are outside [0, 1].",
         hints=["-1.5 to 2", "BCEWithLogitsLoss"],
         fix="Use `nn.BCEWithLogitsLoss()` on the raw scores (or apply `torch.sigmoid` first).")
def _(torch):
    scores = torch.tensor([-1.5, 0.3, 2.0])
    torch.nn.BCELoss()(scores, torch.tensor([0.0, 1.0, 1.0]))


@mistake("log-zero-in-loss",
         "A hand-written loss takes `log` of a probability that is exactly 0.",
         hints=["log", "1 zeros", "clamp_min"],
         fix="Clamp before the log (`p.clamp_min(1e-7).log()`), or use `F.cross_entropy` / "
             "`BCEWithLogitsLoss` on logits.",
         kind="coach")
def _(torch):
    p = torch.tensor([0.0, 0.5, 1.0], requires_grad=True)
    y = torch.tensor([1.0, 1.0, 1.0])
    for _ in range(2):  # the coach names the op from the second non-finite loss on
        loss = -(y * torch.log(p * 1.0)).mean()
        loss.backward()


# ---------------------------------------------------------------------------------------------
# Autograd
# ---------------------------------------------------------------------------------------------


@mistake("backward-twice",
         "`loss.backward()` a second time on the same graph (the forward was not redone).",
         hints=["forward", "each backward()"],
         fix="Recompute the loss inside the loop before every `backward()`.")
def _(torch):
    w = torch.ones(3, requires_grad=True)
    loss = (w.exp() * 2).sum()
    loss.backward()
    loss.backward()


@mistake("backward-non-scalar",
         "`backward()` on a tensor of per-example losses instead of one number.",
         hints=["[4]", ".mean()"],
         fix="Reduce first: `loss.mean().backward()` (or `.sum()`).")
def _(torch):
    w = torch.ones(4, requires_grad=True)
    (w * 2).backward()


@mistake("inplace-on-saved-tensor",
         "An in-place change of a tensor that a later gradient needs (`sigmoid` keeps its "
         "output).",
         hints=["[3]", "SigmoidBackward0", "x = x * 2"],
         fix="Write `y = y * 2` instead of `y *= 2`/`y.mul_(2)`, or `clone()` first.")
def _(torch):
    x = torch.randn(3, requires_grad=True)
    y = torch.sigmoid(x)
    y.mul_(2)
    y.sum().backward()


@mistake("inplace-on-leaf",
         "Updating a weight by hand (`w -= lr * w.grad`) outside `torch.no_grad()`.",
         hints=["[3]", "no_grad()"],
         fix="Wrap manual updates in `with torch.no_grad():` (or use an optimizer).")
def _(torch):
    w = torch.ones(3, requires_grad=True)
    (w * 2).sum().backward()
    w -= 0.1 * w.grad


@mistake("integer-requires-grad",
         "`requires_grad=True` on an integer tensor (`torch.tensor([1, 2, 3])` is int64).",
         hints=["torch.int64", "dtype=torch.float32"],
         fix="Use float values (`[1.0, 2.0]`) or `dtype=torch.float32`.")
def _(torch):
    torch.tensor([1, 2, 3], requires_grad=True)


@mistake("randint-requires-grad",
         "`requires_grad=True` on `torch.randint`'s integer result.",
         hints=["torch.int64", ".float()"],
         fix="Make a float tensor first: `torch.randint(...).float().requires_grad_()`.")
def _(torch):
    torch.randint(0, 10, (3,)).requires_grad_()


@mistake("requires-grad-on-non-leaf",
         "Setting `requires_grad` on the result of an operation.",
         hints=["[2]", "MulBackward0", ".detach()"],
         fix="Set it on the leaf you create, or use `y.detach()` to stop tracking.")
def _(torch):
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    y.requires_grad = False


@mistake("backward-under-no-grad",
         "The loss is computed under `torch.no_grad()` (e.g. copied from evaluation code) "
         "and then `backward()` is called.",
         hints=["shape []", "no_grad()"],
         fix="Compute the training loss outside `no_grad()`.")
def _(torch):
    model = torch.nn.Linear(3, 1)
    with torch.no_grad():
        loss = model(torch.randn(4, 3)).pow(2).mean()
    loss.backward()


@mistake("backward-of-item",
         "The loss is rebuilt from `loss.item()` (e.g. `torch.tensor(loss.item())`), which "
         "cuts the graph.",
         hints=["shape []", ".item()"],
         fix="Call `backward()` on the loss tensor itself; use `.item()` only for printing.")
def _(torch):
    w = torch.ones(3, requires_grad=True)
    loss = torch.tensor((w * 2).sum().item())
    loss.backward()


@mistake("numpy-on-requires-grad",
         "`.numpy()` on a model output or a parameter (it requires grad).",
         hints=["[2]", ".detach().numpy()"],
         fix="`t.detach().numpy()` (or `.item()` for one number).")
def _(torch):
    w = torch.ones(2, requires_grad=True)
    (w * 2).numpy()


@mistake("item-on-many-elements",
         "`.item()` on a tensor with more than one element (forgot `.mean()`, or a batch).",
         hints=["[3]", "3 elements", ".mean()"],
         fix="Reduce first (`.mean().item()`), or use `.tolist()` for all values.")
def _(torch):
    torch.tensor([0.5, 0.25, 0.125]).item()


@mistake("mean-of-integers",
         "`.mean()` of an integer tensor (e.g. correct predictions `pred == y` summed as "
         "int64, or labels).",
         hints=["torch.int64", "[4]", ".float().mean()"],
         fix="`x.float().mean()`.")
def _(torch):
    torch.tensor([1, 0, 1, 1]).mean()


@mistake("bool-of-many-values",
         "`if tensor:` / `while loss > 0.1:` with a tensor of several values.",
         hints=["3 elements", ".any()", ".all()"],
         fix="Say what you mean: `.any()`, `.all()`, or compare one number (`.item()`).")
def _(torch):
    x = torch.tensor([0.5, -1.0, 2.0])
    if x > 0:
        pass


# ---------------------------------------------------------------------------------------------
# Modules, optimizers, data
# ---------------------------------------------------------------------------------------------


@mistake("missing-super-init",
         "A custom `nn.Module` whose `__init__` forgets `super().__init__()`.",
         hints=["super().__init__()"],
         fix="Call `super().__init__()` first thing in `__init__`.")
def _(torch):
    class Net(torch.nn.Module):
        def __init__(self):
            self.fc = torch.nn.Linear(2, 1)

    Net()


@mistake("parameters-not-called",
         "`optim.SGD(model.parameters, lr=0.1)`: the method itself instead of its result.",
         hints=["model.parameters()"],
         fix="Call it: `model.parameters()`.")
def _(torch):
    model = torch.nn.Linear(2, 1)
    torch.optim.SGD(model.parameters, lr=0.1)


@mistake("optimizer-empty-params",
         "An optimizer over a model with no parameters (layers kept in a plain list, not "
         "`nn.ModuleList`).",
         hints=["nn.ModuleList"],
         fix="Keep layers in attributes, `nn.Sequential` or `nn.ModuleList` so that "
             "`parameters()` finds them.")
def _(torch):
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [torch.nn.Linear(2, 2), torch.nn.Linear(2, 1)]

    torch.optim.SGD(Net().parameters(), lr=0.1)


@mistake("dataset-different-lengths",
         "`TensorDataset(x, y)` over inputs and labels of different lengths.",
         hints=["10, 8"],
         fix="Every tensor needs the same first dimension: one label per example.")
def _(torch):
    torch.utils.data.TensorDataset(torch.randn(10, 3), torch.zeros(8))


@mistake("forgot-zero-grad",
         "The training loop never calls `optimizer.zero_grad()`, so gradients of all past "
         "batches add up. PyTorch trains anyway, badly.",
         hints=["zero_grad()", "SGD.step()", "[1, 3]"],
         fix="Call `optimizer.zero_grad()` once per iteration, before `loss.backward()`.",
         kind="coach")
def _(torch):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = torch.randn(16, 3), torch.randn(16, 1)
    for _ in range(3):
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()


@mistake("optimizer-before-replacing-layers",
         "The optimizer is created, then a layer is replaced (e.g. a new head for 3 classes): "
         "the optimizer still holds the old layer's tensors and the new one never learns. "
         "PyTorch is silent.",
         hints=["SGD.step()", "2 parameters", "create the optimizer last"],
         fix="Create the optimizer after the model is final (or `add_param_group` the new "
             "layer's parameters).",
         kind="coach")
def _(torch):
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    head = model[2]
    opt = torch.optim.SGD(head.parameters(), lr=0.1)  # e.g. fine-tuning only the head
    model[2] = torch.nn.Linear(8, 3)  # ... which is then replaced
    x, y = torch.randn(16, 4), torch.randint(0, 3, (16,))
    for _ in range(3):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()


@mistake("forgot-eval",
         "Evaluating under `no_grad()` without `model.eval()`: Dropout still drops. PyTorch "
         "is silent; the accuracy is wrong and varies.",
         hints=["Dropout", "model.eval()", "'1'"],
         fix="`model.eval()` before evaluating, `model.train()` before training again.",
         kind="coach")
def _(torch):
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Dropout(0.5),
                                torch.nn.Linear(8, 2))
    with torch.no_grad():
        model(torch.randn(5, 4)).argmax(1)


@mistake("learning-rate-too-large",
         "A learning rate so large that the loss grows and becomes inf/nan.",
         hints=["learning rate", "lr=", "smaller"],
         fix="Lower the learning rate (try 10 times smaller); normalize inputs.",
         kind="coach")
def _(torch):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=10.0)
    x, y = torch.randn(32, 3) * 10, torch.randn(32, 1)
    for _ in range(60):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()


# ---------------------------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------------------------


def run(lib, entry: Mistake):
    """Run an entry: (exception or None, list of (category, message) warnings)."""
    err = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lib.manual_seed(0)  # the same random values every run (the page quotes them)
        try:
            entry.code(lib)
        except Exception as e:  # noqa: BLE001 - recording what the entry raises is the point
            err = e
    ws = [(w.category, str(w.message)) for w in caught
          if not issubclass(w.category, DeprecationWarning)]
    return err, ws


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def message(err) -> str:
    # KeyError reprs its argument; every other exception's str is its message
    return err.args[0] if isinstance(err, KeyError) and err.args else str(err)


def outcome(entry: Mistake):
    """What each library does: (torch_text, glasstorch_text) after checking they agree."""
    t_err, t_ws = run(torch, entry)
    fresh_coach()
    g_err, g_ws = run(glasstorch, entry)
    coach_ws = [m for c, m in g_ws if issubclass(c, glasstorch.coach.CoachWarning)]
    if entry.kind == "error":
        assert t_err is not None, f"{entry.id}: torch did not raise"
        assert g_err is not None, f"{entry.id}: glasstorch did not raise"
        assert type(g_err) is type(t_err), (type(g_err), type(t_err), str(g_err))
        return (t_err, message(t_err)), (g_err, message(g_err))
    assert t_err is None and g_err is None, (t_err, g_err)
    if entry.kind == "warning":
        assert t_ws, f"{entry.id}: torch did not warn"
        cat, t_msg = t_ws[0]
        same = [m for c, m in g_ws if c is cat]
        assert same, f"{entry.id}: glasstorch gave no {cat.__name__}: {g_ws}"
        return (cat, t_msg), (cat, same[0])
    assert entry.kind == "coach"
    assert not t_ws, f"{entry.id}: torch warned {t_ws}"
    assert coach_ws, f"{entry.id}: the coach said nothing; warnings: {g_ws}"
    return (None, ""), (glasstorch.coach.CoachWarning, coach_ws[-1])


@pytest.mark.parametrize("entry", MISTAKES, ids=[m.id for m in MISTAKES])
def test_mistake(entry: Mistake):
    (_, t_msg), (_, g_msg) = outcome(entry)
    if t_msg:
        assert first_line(t_msg) in g_msg, f"torch's message missing:\n{t_msg}\n---\n{g_msg}"
    for hint in entry.hints:
        assert hint in g_msg, f"{entry.id}: {hint!r} missing from:\n{g_msg}"
    if entry.kind == "error":
        assert "[glasstorch]" in g_msg


def test_coach_silenced_for_entries():
    """off() silences every coach entry."""
    from glasstorch import coach

    coach.off()
    try:
        for entry in MISTAKES:
            if entry.kind == "coach":
                _, ws = run(glasstorch, entry)
                assert not [m for c, m in ws if issubclass(c, coach.CoachWarning)], entry.id
    finally:
        coach.on()


def test_catalogue_size():
    assert len(MISTAKES) >= 30


# ---------------------------------------------------------------------------------------------
# The docs page, generated from the table
# ---------------------------------------------------------------------------------------------


def snippet(entry: Mistake) -> str:
    src = textwrap.dedent(inspect.getsource(entry.code))
    lines = src.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("def _(torch):")) + 1
    body = textwrap.dedent("\n".join(lines[start:]))
    return "import torch  # or: import glasstorch as torch\n" + \
        ("import numpy as np\n" if "np." in body else "") + "\n" + body.rstrip() + "\n"


def render() -> str:
    out = [
        "# Beginner mistakes and what glasstorch says about them",
        "",
        "<!-- Generated by `python tests/test_mistakes.py --write` from the table in "
        "tests/test_mistakes.py; tests/test_mistakes.py checks that this page is current. -->",
        "",
        "Each entry below is run by `tests/test_mistakes.py` on PyTorch and on glasstorch. For "
        "an error, both raise the same exception type and glasstorch's message starts with "
        "PyTorch's, followed by a `[glasstorch]` line with the actual shapes, dtypes or values "
        "and the fix. Some mistakes only make PyTorch warn; for others PyTorch says nothing at "
        "all and glasstorch's **coach** (`glasstorch/teaching/coach.py`) warns, once per kind of "
        "advice, at your line (a `CoachWarning`; silence it with `glasstorch.coach.off()` or "
        "`GLASSTORCH_COACH=0`).",
        "",
        f"{len(MISTAKES)} entries:",
        "",
    ]
    for i, m in enumerate(MISTAKES, 1):
        out.append(f"{i}. [`{m.id}`](#{m.id})")
    out.append("")
    for m in MISTAKES:
        (t_kind, t_msg), (g_kind, g_msg) = outcome(m)
        g_msg = g_msg.replace(str(DOC.parent.parent) + "/", "")  # paths relative to the repo
        out += [f"## {m.id}", "", m.situation, "", "```python", snippet(m).rstrip(), "```", ""]
        if m.kind == "coach":
            out += ["**PyTorch:** nothing (no error, no warning).", ""]
            out += [f"**glasstorch** (`{g_kind.__name__}`):", "", "```text", g_msg.strip(),
                    "```", ""]
        else:
            t_name = t_kind.__name__ if isinstance(t_kind, type) else type(t_kind).__name__
            verb = "raises" if m.kind == "error" else "warns"
            out += [f"**PyTorch** {verb} `{t_name}`:", "", "```text", t_msg.strip(), "```", ""]
            extra = g_msg.replace(t_msg.strip(), "").strip() if t_msg.strip() in g_msg else \
                g_msg.strip()
            out += ["**glasstorch** adds:", "", "```text", extra or "(nothing)", "```", ""]
        out += [f"**Fix:** {m.fix}", ""]
    return "\n".join(out)


def test_doc_is_current():
    """docs/mistakes.md lists exactly the table's entries, with their current messages."""
    text = DOC.read_text()
    ids_in_doc = [line[3:].strip() for line in text.splitlines() if line.startswith("## ")]
    assert ids_in_doc == [m.id for m in MISTAKES]
    assert text == render(), "docs/mistakes.md is stale: run python tests/test_mistakes.py --write"


if __name__ == "__main__":
    if "--write" in sys.argv:
        DOC.write_text(render())
        print(f"wrote {DOC} ({len(MISTAKES)} entries)")
    else:
        for m in MISTAKES:
            try:
                (tk, tm), (gk, gm) = outcome(m)
                status = "ok" if (not tm or first_line(tm) in gm) and all(
                    h in gm for h in m.hints) else "MISSING " + str(
                    [h for h in m.hints if h not in gm] + (
                        ["<torch text>"] if tm and first_line(tm) not in gm else []))
            except AssertionError as e:
                status, tm, gm = f"FAIL {e}", "", ""
            print(f"=== {m.id}: {status}\n  torch: {tm!r}\n  glass: {gm!r}")
