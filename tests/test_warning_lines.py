"""Every warning points at the learner's line: glasstorch warns through glasstorch/_warnings.warn,
which attributes the warning to the first frame outside the package, however deep inside an op,
a module or the coach it was raised. Repeated coach advice is shown once.
"""

from __future__ import annotations

import ast
import sys
import warnings
from pathlib import Path

import pytest
from harness import fresh_coach

import glasstorch as torch
from glasstorch import coach

PACKAGE = Path(torch.__file__).resolve().parent
nn, F = torch.nn, torch.nn.functional


def _next_line() -> int:
    """The line after the caller's: the one below the call makes the warning."""
    return sys._getframe(1).f_lineno + 1


# each case makes one warning on the line after its _next_line() and returns that line


def softmax_module():
    x = torch.randn(2, 3)
    line = _next_line()
    nn.Softmax()(x)  # module -> functional -> _checks: three glasstorch frames deep
    return line


def mse_broadcast():
    pred, target = torch.zeros(4, 1), torch.zeros(4)
    line = _next_line()
    nn.MSELoss()(pred, target)
    return line


def transpose_3d():
    x = torch.zeros(2, 3, 4)
    line = _next_line()
    _ = x.T
    return line


def grad_of_non_leaf():
    y = torch.ones(2, requires_grad=True) * 2
    line = _next_line()
    _ = y.grad
    return line


def init_empty():
    line = _next_line()
    nn.init.kaiming_uniform_(torch.empty(0, 3))
    return line


def tensor_of_tensor():
    t = torch.ones(2)
    line = _next_line()
    torch.tensor(t)
    return line


def var_one_element():
    line = _next_line()
    torch.ones(1).var()
    return line


def rnn_dropout_one_layer():
    line = _next_line()
    nn.RNN(2, 3, dropout=0.5)
    return line


def scheduler_before_step():
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, 1)
    line = _next_line()
    sched.step()
    return line


def random_split_empty_part():
    ds = torch.utils.data.TensorDataset(torch.arange(3.0))
    line = _next_line()
    torch.utils.data.random_split(ds, [0.0, 1.0])
    return line


def legacy_size_average():
    line = _next_line()
    nn.MSELoss(size_average=True)
    return line


def meshgrid_no_indexing():
    line = _next_line()
    torch.meshgrid(torch.arange(2), torch.arange(3))
    return line


def dropout2d_on_2d():
    line = _next_line()
    F.dropout2d(torch.ones(2, 3))
    return line


def scalar_of_tracked():
    t = torch.ones((), requires_grad=True)
    line = _next_line()
    float(t)
    return line


def coach_zero_grad():
    m = nn.Linear(2, 1)
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(2):
        m(torch.ones(3, 2)).sum().backward()
        line = _next_line()
        opt.step()  # the second step sees two batches' gradients added up
    return line


def coach_softmax_into_cross_entropy():
    logits = torch.randn(4, 3)
    line = _next_line()
    F.cross_entropy(torch.softmax(logits, 1), torch.tensor([0, 1, 2, 0]))
    return line


def coach_eval_mode():
    m = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    with torch.no_grad():
        line = _next_line()
        m(torch.ones(1, 2))
    return line


def softmax_in_sequential():
    model = nn.Sequential(nn.Linear(3, 3), nn.Softmax())
    line = _next_line()
    model(torch.randn(2, 3))  # a fixed stacklevel would name a line of Sequential.forward
    return line


def mse_in_sequential_loss():
    loss_fn = nn.Sequential(nn.Identity())  # any path: the learner's line is what counts
    line = _next_line()
    nn.MSELoss()(loss_fn(torch.zeros(4, 1)), torch.zeros(4))
    return line


def softmax_functional():
    line = _next_line()
    F.log_softmax(torch.randn(2, 3))
    return line


FRAMEWORK = [softmax_module, softmax_in_sequential, mse_in_sequential_loss, softmax_functional,
             mse_broadcast, transpose_3d,
             grad_of_non_leaf, init_empty, tensor_of_tensor, var_one_element,
             rnn_dropout_one_layer, scheduler_before_step, random_split_empty_part,
             legacy_size_average, meshgrid_no_indexing, dropout2d_on_2d, scalar_of_tracked]
COACH = [coach_zero_grad, coach_softmax_into_cross_entropy, coach_eval_mode]


def _caught(case):
    fresh_coach()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.manual_seed(0)
        line = case()
    return line, caught


@pytest.mark.parametrize("case", FRAMEWORK + COACH, ids=lambda f: f.__name__)
def test_the_warning_points_at_this_line(case):
    line, caught = _caught(case)
    assert caught, f"{case.__name__} did not warn"
    wanted = [w for w in caught if issubclass(w.category, coach.CoachWarning)] \
        if case in COACH else caught
    assert wanted, [str(w.message) for w in caught]
    for w in wanted:
        assert (w.filename, w.lineno) == (__file__, line), (str(w.message), w.filename, w.lineno)


def test_repeated_coach_advice_is_shown_once():
    """The coach remembers what it said: the same mistake in a loop (and from another line) is
    one warning, even with the "always" filter that defeats Python's own once-per-line."""
    fresh_coach()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = nn.Linear(2, 1)
        opt = torch.optim.SGD(m.parameters(), lr=0.1)
        for _ in range(5):
            m(torch.ones(3, 2)).sum().backward()
            opt.step()
        m(torch.ones(3, 2)).sum().backward()  # the same mistake again, on another line
        opt.step()
        for _ in range(3):  # another kind of advice is still shown, once
            F.cross_entropy(torch.softmax(torch.randn(4, 3), 1), torch.tensor([0, 1, 2, 0]))
    said = [str(w.message) for w in caught if issubclass(w.category, coach.CoachWarning)]
    assert len(said) == 2, said
    assert "zero_grad" in said[0] and "softmax" in said[1].lower()


def test_warn_helper_counts_frames_from_its_caller():
    from glasstorch import _warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = _next_line()
        _warnings.warn("from the test itself", DeprecationWarning)
    (w,) = caught
    assert (w.filename, w.lineno, w.category) == (__file__, line, DeprecationWarning)


def test_every_warning_site_uses_the_helper():
    """No ``warnings.warn`` in glasstorch/ outside glasstorch/_warnings.py."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "_warnings.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr == "warn"
                    and isinstance(node.value, ast.Name) and node.value.id == "warnings"):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not offenders, offenders
