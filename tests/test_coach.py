"""The coach: each warning fires for its mistake, and never for the correct course loop.

PyTorch says nothing in all of these cases, which the tests check too, so the coach only adds
to PyTorch's behaviour. No false positives matters most: a correct training loop (zero_grad
each step, eval() for evaluation, logits into cross_entropy) must run without a single
CoachWarning.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from harness import fresh_coach

import glasstorch
from glasstorch import coach

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh():
    fresh_coach()
    yield
    coach.on()


def advice(fn, lib=glasstorch) -> list[str]:
    """Run ``fn(lib)`` and return the coach's messages (and check torch stays silent)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lib.manual_seed(0)
        fn(lib)
    return [str(w.message) for w in caught if issubclass(w.category, coach.CoachWarning)]


def torch_is_silent(fn) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.manual_seed(0)
        fn(torch)
    assert not [w for w in caught if not issubclass(w.category, DeprecationWarning)]


def mlp(lib, dropout=0.0, batchnorm=False):
    layers = [lib.nn.Linear(8, 16)]
    if batchnorm:
        layers.append(lib.nn.BatchNorm1d(16))
    layers.append(lib.nn.ReLU())
    if dropout:
        layers.append(lib.nn.Dropout(dropout))
    layers.append(lib.nn.Linear(16, 3))
    return lib.nn.Sequential(*layers)


def data(lib, n=32):
    g = np.random.default_rng(0)
    x = lib.tensor(g.standard_normal((n, 8)).astype(np.float32))
    y = lib.tensor(g.integers(0, 3, n))
    return x, y


# -- (a) zero_grad ------------------------------------------------------------------------------


def no_zero_grad(lib):
    model = mlp(lib)
    opt = lib.optim.SGD(model.parameters(), lr=0.05)
    x, y = data(lib)
    for _ in range(3):
        lib.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()


def test_forgetting_zero_grad_warns():
    torch_is_silent(no_zero_grad)
    msgs = advice(no_zero_grad)
    assert msgs and "zero_grad()" in msgs[0] and "SGD.step()" in msgs[0]
    assert "[16, 8]" in msgs[0]  # the first parameter's shape


@pytest.mark.parametrize("how", ["optimizer", "optimizer_zeros", "model", "after_step",
                                 "grad_none", "grad_zero_", "grad_data_zero_", "accumulate",
                                 "clip", "adam", "closure"])
def test_correct_zeroing_is_silent(how):
    def loop(lib):
        model = mlp(lib, dropout=0.1)
        opt = (lib.optim.Adam if how == "adam" else lib.optim.SGD)(
            model.parameters(), lr=0.01, **({} if how == "adam" else {"momentum": 0.9}))
        x, y = data(lib)
        F = lib.nn.functional
        for _ in range(4):
            if how in ("optimizer", "clip", "adam"):
                opt.zero_grad()
            elif how == "optimizer_zeros":
                opt.zero_grad(set_to_none=False)
            elif how == "model":
                model.zero_grad()
            elif how == "grad_none":
                for p in model.parameters():
                    p.grad = None
            elif how in ("grad_zero_", "grad_data_zero_"):
                for p in model.parameters():
                    if p.grad is not None:
                        (p.grad if how == "grad_zero_" else p.grad.data).zero_()
            if how == "accumulate":  # two micro-batches per step, zero_grad after the step
                for half in (slice(0, 16), slice(16, 32)):
                    F.cross_entropy(model(x[half]), y[half]).backward()
                opt.step()
                opt.zero_grad()
                continue
            if how == "closure":
                def closure():
                    opt.zero_grad()
                    loss = F.cross_entropy(model(x), y)
                    loss.backward()
                    return loss
                opt.step(closure)
                continue
            F.cross_entropy(model(x), y).backward()
            if how == "clip":
                lib.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            opt.step()
            if how == "after_step":
                opt.zero_grad()

    assert advice(loop) == []


def test_step_without_new_backward_is_silent():
    """zero_grad(set_to_none=False), then a step with no backward: zero gradients, no advice."""
    def loop(lib):
        model = mlp(lib)
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        x, y = data(lib)
        lib.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        opt.zero_grad(set_to_none=False)
        opt.step()

    assert advice(loop) == []


def replaced_head(lib):
    model = mlp(lib)
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    model[2] = lib.nn.Linear(16, 3)  # replaced after the optimizer was made
    x, y = data(lib)
    for _ in range(3):
        opt.zero_grad()
        lib.nn.functional.cross_entropy(model[2](model[1](x[:, :8] @ lib.ones(8, 16))),
                                        y).backward()
        opt.step()


def test_optimizer_without_gradients_warns():
    torch_is_silent(replaced_head)
    msgs = advice(replaced_head)
    assert len(msgs) == 1 and "4 parameters" in msgs[0] and "optimizer last" in msgs[0]


@pytest.mark.parametrize("how", ["one_early_step", "closure_after_zero_grad", "frozen"])
def test_optimizer_idle_once_or_by_design_is_silent(how):
    def fn(lib):
        model = mlp(lib)
        x, y = data(lib)
        F = lib.nn.functional
        if how == "frozen":  # an optimizer over frozen parameters does nothing, knowingly
            for p in model[0].parameters():
                p.requires_grad_(False)
            opt = lib.optim.SGD(model[0].parameters(), lr=0.1)
        else:
            opt = lib.optim.SGD(model.parameters(), lr=0.1)
        if how == "one_early_step":
            opt.step()  # a step before training starts (e.g. to please an LR scheduler)
        for _ in range(3):
            opt.zero_grad()
            if how == "closure_after_zero_grad":
                def closure():
                    loss = F.cross_entropy(model(x), y)
                    loss.backward()
                    return loss
                opt.step(closure)
            else:
                F.cross_entropy(model(x), y).backward()
                opt.step()

    assert advice(fn) == []


# -- (b) softmax into cross_entropy -----------------------------------------------------------


@pytest.mark.parametrize("how", ["module", "functional", "by_hand", "no_grad"])
def test_softmax_into_cross_entropy_warns(how):
    def fn(lib):
        model = mlp(lib)
        x, y = data(lib, 8)
        out = model(x)
        if how == "module":
            p = lib.nn.Softmax(dim=1)(out)
        elif how == "functional":
            p = lib.nn.functional.softmax(out, dim=1)
        elif how == "by_hand":
            e = out.exp()
            p = e / e.sum(dim=1, keepdim=True)
        else:
            with lib.no_grad():
                p = lib.softmax(out, 1)
        lib.nn.CrossEntropyLoss()(p, y)

    torch_is_silent(fn)
    msgs = advice(fn)
    assert len(msgs) == 1 and "[8, 3]" in msgs[0] and "logits" in msgs[0]


@pytest.mark.parametrize("how", ["logits", "log_softmax", "prob_target", "relu_logits",
                                 "one_class"])
def test_scores_into_cross_entropy_are_silent(how):
    def fn(lib):
        model = mlp(lib)
        x, y = data(lib, 8)
        out = model(x)
        F = lib.nn.functional
        if how == "logits":
            F.cross_entropy(out, y)
        elif how == "log_softmax":
            F.cross_entropy(F.log_softmax(out, 1), y)
        elif how == "prob_target":
            F.cross_entropy(out, F.softmax(out.detach(), 1))
        elif how == "relu_logits":
            F.cross_entropy(F.relu(out), y)
        else:
            F.cross_entropy(lib.ones(8, 1), lib.zeros(8, dtype=lib.int64))

    assert advice(fn) == []


# -- (c) evaluation in training mode -----------------------------------------------------------


@pytest.mark.parametrize("layer", ["dropout", "batchnorm"])
def test_evaluating_in_train_mode_warns(layer):
    def fn(lib):
        model = mlp(lib, dropout=0.5 if layer == "dropout" else 0.0,
                    batchnorm=layer == "batchnorm")
        x, _ = data(lib)
        with lib.no_grad():
            model(x)
            model(x)  # warned once per model, not once per call or per submodule

    torch_is_silent(fn)
    msgs = advice(fn)
    assert len(msgs) == 1
    assert ("Dropout" if layer == "dropout" else "BatchNorm1d") in msgs[0]
    assert "model.eval()" in msgs[0] and "Sequential" in msgs[0]


@pytest.mark.parametrize("how", ["eval", "inference_mode_eval", "no_dropout", "dropout_zero",
                                 "training_with_grad"])
def test_evaluating_correctly_is_silent(how):
    def fn(lib):
        model = mlp(lib, dropout={"no_dropout": 0.0, "dropout_zero": 0.0}.get(how, 0.5))
        x, _ = data(lib)
        if how == "training_with_grad":
            model(x).sum().backward()
            return
        if how in ("eval", "inference_mode_eval"):
            model.eval()
        ctx = lib.inference_mode() if how == "inference_mode_eval" else lib.no_grad()
        with ctx:
            model(x)

    assert advice(fn) == []


# -- (d) non-finite loss -----------------------------------------------------------------------


def log_zero(lib):
    p = lib.tensor([0.0, 0.5, 1.0], requires_grad=True)
    for _ in range(2):
        (-(lib.log(p * 1.0))).mean().backward()


def test_nonfinite_loss_warns_then_names_the_op():
    torch_is_silent(log_zero)
    first, second = advice(log_zero)
    assert "inf" in first and "set_detect_anomaly(True)" in first
    assert "was log (LogBackward0) at" in second and "1 zeros" in second and "clamp_min" in second


def test_detect_anomaly_names_the_op_at_once():
    def fn(lib):
        p = lib.tensor([0.0, 0.5, 1.0], requires_grad=True)
        with lib.autograd.set_detect_anomaly(True):
            loss = (-(lib.log(p * 2.0))).mean()
            try:
                loss.backward()
            except RuntimeError:
                pass  # anomaly mode raises in backward: inf * 0 makes nan

    msgs = advice(fn)
    assert len(msgs) == 1 and "was log (LogBackward0) at" in msgs[0] and "test_coach.py" in msgs[0]


def test_diverging_learning_rate_names_the_learning_rate():
    def fn(lib):
        model = lib.nn.Linear(3, 1)
        opt = lib.optim.SGD(model.parameters(), lr=10.0)
        x, y = lib.randn(32, 3) * 10, lib.randn(32, 1)
        for _ in range(60):
            opt.zero_grad()
            lib.nn.functional.mse_loss(model(x), y).backward()
            opt.step()

    torch_is_silent(fn)
    msgs = advice(fn)
    assert msgs and "lr=10.0" in msgs[0] and "too large" in msgs[0]


def test_finite_losses_are_silent_and_cost_no_watching():
    def fn(lib):
        w = lib.ones(3, requires_grad=True)
        for _ in range(3):
            (w * 2).sum().backward()

    assert advice(fn) == []
    assert not coach._state.watch


def test_watch_stops_after_a_finite_loss():
    p = glasstorch.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (-glasstorch.log(p)).sum().backward()
    assert coach._state.watch
    (p * 2).sum().backward()
    assert not coach._state.watch


# -- switches ----------------------------------------------------------------------------------


BAD = [no_zero_grad, log_zero,
       lambda lib: lib.nn.functional.cross_entropy(lib.softmax(lib.randn(4, 3), 1),
                                                   lib.tensor([0, 1, 2, 0]))]


@pytest.mark.parametrize("fn", BAD)
def test_off_silences(fn):
    coach.off()
    assert not coach.is_on()
    assert advice(fn) == []
    coach.on()
    assert coach.is_on()
    assert advice(fn) != []


@pytest.mark.parametrize("fn", BAD)
def test_silenced_block(fn):
    with coach.silenced():
        assert advice(fn) == []
    assert coach.is_on()


def test_silenced_restores_off():
    coach.off()
    with coach.silenced():
        pass
    assert not coach.is_on()


def test_warnings_are_user_warnings_with_the_learners_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        no_zero_grad(glasstorch)
    w = [w for w in caught if issubclass(w.category, coach.CoachWarning)][0]
    assert issubclass(w.category, UserWarning)
    assert w.filename == __file__  # the line of the loop, not a line of glasstorch


def test_default_filter_shows_each_advice_once_per_line():
    code = (
        "import warnings, glasstorch as torch\n"
        "m = torch.nn.Linear(2, 1)\n"
        "opt = torch.optim.SGD(m.parameters(), lr=0.1)\n"
        "for _ in range(5):\n"
        "    m(torch.ones(3, 2)).sum().backward()\n"
        "    opt.step()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.stderr.count("CoachWarning") == 1, out.stderr


@pytest.mark.parametrize("value", ["0", "off"])
def test_environment_variable_turns_it_off(value):
    code = ("import glasstorch as torch\n"
            "print(torch.coach.is_on())\n"
            "p = torch.tensor([0.0], requires_grad=True)\n"
            "torch.log(p).sum().backward()\n")
    env = dict(os.environ, GLASSTORCH_COACH=value)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=60)
    assert out.stdout.strip() == "False" and "CoachWarning" not in out.stderr, out.stderr
    env["GLASSTORCH_COACH"] = "1"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=60)
    assert out.stdout.strip() == "True" and "CoachWarning" in out.stderr


# -- where and how often advice is shown --------------------------------------------------------


def _next_line() -> int:
    """The line after the caller's: where the mistake below the call is made."""
    return sys._getframe(1).f_lineno + 1


def m_zero_grad():
    m = glasstorch.nn.Linear(2, 1)
    opt = glasstorch.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(2):
        m(glasstorch.ones(3, 2)).sum().backward()
        line = _next_line()
        opt.step()
    return line


def m_idle():
    model = mlp(glasstorch)
    opt = glasstorch.optim.SGD(model.parameters(), lr=0.1)
    model[2] = glasstorch.nn.Linear(16, 3)
    for _ in range(2):
        model[2](glasstorch.ones(1, 16)).sum().backward()
        line = _next_line()
        opt.step()
    return line


def m_softmax_module():
    p = glasstorch.softmax(glasstorch.randn(4, 3, requires_grad=True), 1)
    line = _next_line()
    glasstorch.nn.CrossEntropyLoss()(p, glasstorch.tensor([0, 1, 2, 0]))
    return line


def m_softmax_no_grad():
    with glasstorch.no_grad():
        p = glasstorch.softmax(glasstorch.randn(4, 3), 1)
    line = _next_line()
    glasstorch.nn.functional.cross_entropy(p, glasstorch.tensor([0, 1, 2, 0]))
    return line


def m_softmax_probability_target():
    x = glasstorch.randn(4, 3)
    line = _next_line()
    glasstorch.nn.functional.cross_entropy(x.softmax(1), (2 * x).softmax(1))
    return line


def m_softmax_nll():
    F = glasstorch.nn.functional
    p = F.softmax(glasstorch.randn(4, 3, requires_grad=True), 1)
    line = _next_line()
    F.nll_loss(F.log_softmax(p, 1), glasstorch.tensor([0, 1, 2, 0]))
    return line


def m_eval():
    model = mlp(glasstorch, dropout=0.5)
    with glasstorch.no_grad():
        line = _next_line()
        model(glasstorch.ones(2, 8))
    return line


def m_nan_loss():
    p = glasstorch.tensor([0.0, 1.0], requires_grad=True)
    loss = (-glasstorch.log(p)).sum()
    line = _next_line()
    loss.backward()
    return line


def m_nan_origin():
    p = glasstorch.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (-glasstorch.log(p)).sum().backward()  # the first: the coach starts watching
    loss = (-glasstorch.log(p)).sum()
    line = _next_line()
    loss.backward()
    return line


MISTAKES = [m_zero_grad, m_idle, m_softmax_module, m_softmax_no_grad,
            m_softmax_probability_target, m_softmax_nll, m_eval, m_nan_loss, m_nan_origin]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda f: f.__name__[2:])
def test_every_warning_points_at_the_learners_line(mistake):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        glasstorch.manual_seed(0)
        line = mistake()
    ws = [w for w in caught if issubclass(w.category, coach.CoachWarning)]
    assert len(ws) == 1, [str(w.message) for w in ws]
    assert (ws[0].filename, ws[0].lineno) == (__file__, line), str(ws[0].message)


def test_each_kind_of_advice_is_shown_once_per_run():
    """The same advice again -- another model, another line, every step -- is not repeated
    (even with the "always" filter); different advice is still shown."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        glasstorch.manual_seed(0)
        for mistake in MISTAKES[:-2] * 2:
            mistake()
        m_eval()
        m_softmax_module()
        no_zero_grad(glasstorch)
        for _ in range(2):
            log_zero(glasstorch)  # an inf loss, then its op named
    msgs = [str(w.message) for w in caught if issubclass(w.category, coach.CoachWarning)]
    kinds = ["the gradient of a parameter", "called twice in a row", "got probabilities",
             "still in training mode", "The coach now checks every operation",
             "The first operation that produced nan/inf"]
    assert [sum(k in m for m in msgs) for k in kinds] == [1] * len(kinds), msgs
    assert len(msgs) == len(kinds)


def test_shown_once_per_run_with_the_default_filter():
    code = ("import glasstorch as torch\n"
            "F = torch.nn.functional\n"
            "y = torch.tensor([0, 1])\n"
            "for _ in range(3):\n"
            "    F.cross_entropy(torch.randn(2, 3).softmax(1), y)\n"
            "F.cross_entropy(torch.randn(2, 3, requires_grad=True).softmax(1), y)\n"
            "for m in (torch.nn.Dropout(0.5), torch.nn.Sequential(torch.nn.Dropout(0.2))):\n"
            "    with torch.no_grad():\n"
            "        m(torch.ones(3))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stderr.count("CoachWarning") == 2, out.stderr
    assert '<string>:5: CoachWarning' in out.stderr and '<string>:9: CoachWarning' in out.stderr


# -- how the coach is hooked in ----------------------------------------------------------------


def _hooks() -> tuple:
    from glasstorch._ops.pointwise.nodes import MulBackward0
    from glasstorch._ops.reduction.nodes import LogSoftmaxBackward0
    from glasstorch.autograd._observers import _backward_observers
    from glasstorch.autograd.function import Node
    from glasstorch.nn._ops.loss import NllLossBackward0
    from glasstorch.nn.modules.module import _global_forward_pre_hooks
    from glasstorch.optim.optimizer import _global_step_pre_hooks

    return (len(_global_forward_pre_hooks), len(_global_step_pre_hooks),
            len(_backward_observers), len(LogSoftmaxBackward0._forward_observers),
            len(NllLossBackward0._forward_observers), len(MulBackward0._forward_observers),
            len(Node._forward_observers))


def test_the_coach_is_hooked_in_only_while_on():
    """Through public hook points, registered by on() and removed by off(): when off, the
    framework runs exactly as without the coach. When on, only log_softmax and nll_loss call it
    among the operations, and every operation only while it watches for nan/inf."""
    on = _hooks()
    assert on[3:] == (1, 1, 0, 0)
    coach.off()
    assert _hooks() == (on[0] - 1, on[1] - 1, on[2] - 1, 0, 0, 0, 0)
    coach.on()
    coach.on()
    assert _hooks() == on
    with coach.silenced():
        assert _hooks()[3] == 0
    assert _hooks() == on
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = glasstorch.tensor([0.0, 1.0], requires_grad=True)
        glasstorch.log(p).sum().backward()  # a nan/inf loss: now every op is watched
        assert _hooks()[-1] == 1 and coach._state.watch
        (p * 2).sum().backward()
        assert _hooks() == on


def test_softmax_check_waits_for_the_next_op_only():
    """A log_softmax of probabilities followed by another op than nll_loss or a product with
    it (e.g. a metric): no advice, and products are no longer observed."""
    def fn(lib):
        F = lib.nn.functional
        out = lib.randn(4, 3)
        log_p = F.log_softmax(F.softmax(out, 1), 1)
        log_p.argmax(1)
        assert _hooks()[5] == 1  # waiting for a product (cross_entropy with probabilities)
        (out * 2).sum()
        assert _hooks()[5] == 0
        F.nll_loss(log_p, lib.tensor([0, 1, 2, 0]))  # too late: not the op right after

    assert advice(fn) == []


# -- no false positives: complete correct programs --------------------------------------------


def test_correct_course_loop_has_no_advice():
    """The course's loop: train with Dropout and BatchNorm, evaluate each epoch with eval() and
    no_grad(), accuracy with argmax, momentum SGD, a DataLoader."""
    def loop(lib):
        F = lib.nn.functional
        model = lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Linear(8, 32), lib.nn.BatchNorm1d(32),
                                  lib.nn.ReLU(), lib.nn.Dropout(0.2), lib.nn.Linear(32, 3))
        x, y = data(lib, 96)
        train = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x[:64], y[:64]),
                                          batch_size=16, shuffle=True)
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        loss_fn = lib.nn.CrossEntropyLoss()
        for _ in range(3):
            model.train()
            for xb, yb in train:
                opt.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
            model.eval()
            with lib.no_grad():
                logits = model(x[64:])
                F.cross_entropy(logits, y[64:]).item()
                (logits.argmax(1) == y[64:]).float().mean().item()
                lib.softmax(logits, dim=1).max(1)  # probabilities, for display only

    assert advice(loop) == []


@pytest.mark.parametrize("script, solutions", [
    ("tests/scripts/course_mlp.py", None),
    ("course/03_relu_lr_momentum_data_training_loop.py", "course/solutions/ch3.py"),
])
def test_course_scripts_have_no_advice(script, solutions):
    """Whole course programs, run as learners run them, then the chapter's exercise checks on
    the reference solutions (the training loop and evaluation), with CoachWarning an error."""
    code = ("import importlib.util, sys, runpy, warnings\n"
            "import glasstorch.coach as c\n"
            "warnings.simplefilter('error', c.CoachWarning)\n"
            f"sys.argv = [{script!r}, 'glasstorch']\n"
            f"ns = runpy.run_path({script!r}, run_name='__main__')\n")
    if solutions:
        code += (f"spec = importlib.util.spec_from_file_location('sol', {solutions!r})\n"
                 "sol = importlib.util.module_from_spec(spec)\n"
                 "spec.loader.exec_module(sol)\n"
                 "for name, check in ns['EXERCISES'].items():\n"
                 "    check(getattr(sol, name))\n"
                 "print('checked', len(ns['EXERCISES']))\n")
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("GLASSTORCH_COACH", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 0 and "CoachWarning" not in out.stderr, out.stderr[-3000:]
    if solutions:
        assert "checked 5" in out.stdout
