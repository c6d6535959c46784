"""The coach: warnings for training mistakes that PyTorch lets pass in silence.

PyTorch raises for code that cannot run; it says nothing about code that runs but learns
badly. The coach watches four such mistakes and warns (a :class:`CoachWarning`, shown once per
line of your code by Python's default warning filter):

* gradients adding up across optimizer steps because ``zero_grad()`` is never called;
* probabilities (the output of softmax) given to ``cross_entropy``, which wants raw scores;
* a model evaluated under ``no_grad()`` while still in training mode, with Dropout or
  BatchNorm inside (``model.eval()`` was forgotten);
* ``backward()`` from a loss that is nan or inf, naming the operation that made it when it is
  known (with ``torch.autograd.set_detect_anomaly(True)``, or from the pass after the first
  non-finite loss on).

It is on by default. Silence it with ``glasstorch.coach.off()``, for a block with
``with glasstorch.coach.silenced():``, or for a whole run with the environment variable
``GLASSTORCH_COACH=0``. The hooks in the library cost one flag test when it is off and a few
attribute reads per step when it is on.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import traceback
import warnings
import weakref
from collections.abc import Iterator

import numpy as np

__all__ = ["CoachWarning", "on", "off", "is_on", "silenced"]


class CoachWarning(UserWarning):
    """Advice from glasstorch's coach: the code runs, but probably does not do what you want."""


class _State:
    # ``enabled`` is read by the hooks in optim, nn and autograd; ``watch`` by every recorded
    # op (the forward check for nan/inf), so both are plain attributes of one object.
    enabled = os.environ.get("GLASSTORCH_COACH", "1").strip().lower() not in ("0", "off", "false",
                                                                             "no")
    watch = False          # check each op's output for nan/inf (after a non-finite loss)
    origin: tuple | None = None  # (op name, where in user code, what) of the first nan/inf
    first_loss: float | None = None
    last_loss: float | None = None
    last_optimizer = None  # weakref to the optimizer that stepped last (for its lr)


_state = _State()


def on() -> None:
    """Turn the coach on (it is on by default)."""
    _state.enabled = True


def off() -> None:
    """Turn the coach off: no CoachWarning is issued until :func:`on`."""
    _state.enabled = False
    _state.watch = False


def is_on() -> bool:
    """Whether the coach is watching."""
    return _state.enabled


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """``with glasstorch.coach.silenced():`` -- no coach warnings inside the block."""
    prev = _state.enabled
    _state.enabled = False
    try:
        yield
    finally:
        _state.enabled = prev


_PKG_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _warn(message: str) -> None:
    """Warn at the first line outside glasstorch (the learner's line), so the default filter
    shows each advice once per line of their code."""
    frame = sys._getframe(1)
    level = 2  # stacklevel 2 is _warn's caller
    while frame is not None and frame.f_code.co_filename.startswith(_PKG_DIR):
        frame = frame.f_back
        level += 1
    warnings.warn(message, CoachWarning, stacklevel=level)


def _where() -> str:
    """'file:line' of the first frame outside glasstorch (the learner's line)."""
    for frame in reversed(traceback.extract_stack()):
        if _PKG_DIR not in frame.filename:
            return f"{frame.filename}:{frame.lineno} ({frame.line})" if frame.line else \
                f"{frame.filename}:{frame.lineno}"
    return "(unknown)"


# -- (a) gradients accumulating across steps ------------------------------------------------


def check_step(optimizer, closure: bool = False) -> None:
    """Called at the start of ``Optimizer.step`` (``closure``: whether one was passed).

    For each parameter we remember which gradient tensor it had at the previous step and that
    tensor's version. ``backward`` adds into an existing ``.grad`` in place (version + 1);
    ``zero_grad()`` either replaces it by None (a new tensor next time) or zeroes it in place
    (another + 1). So the same tensor exactly one version later, holding non-zero values, means
    one backward was added on top of the gradient already used by the previous step.

    Also: two steps in a row where no parameter has a gradient at all means backward never
    reaches the optimizer's tensors (typically layers replaced after the optimizer was made).
    """
    _state.last_optimizer = weakref.ref(optimizer)
    seen = optimizer.__dict__.get("_coach_grads")
    # One (version counter, version) pair per parameter, in order. Holding the counter (a
    # one-element list owned by the gradient tensor) keeps its identity unique, so "same
    # gradient tensor as last step" is an identity test that cannot be fooled by reused ids.
    now = []
    stale = None
    i = 0
    trainable = False
    for group in optimizer.param_groups:
        for p in group["params"]:
            g = p.grad
            if g is None:
                now.append(None)
                trainable = trainable or p._requires_grad
            else:
                vc = g._vc
                now.append((vc, vc[0]))
                if seen is not None and stale is None and i < len(seen):
                    prev = seen[i]
                    if prev is not None and prev[0] is vc and vc[0] == prev[1] + 1 \
                            and g._data.any():
                        stale = p
            i += 1
    optimizer.__dict__["_coach_grads"] = now
    if trainable and not closure and not any(now):
        idle = optimizer.__dict__["_coach_idle"] = optimizer.__dict__.get("_coach_idle", 0) + 1
        if idle == 2:
            _warn_idle(optimizer, i)
    elif optimizer.__dict__.get("_coach_idle"):
        optimizer.__dict__["_coach_idle"] = 0
    if stale is not None:
        name = type(optimizer).__name__
        _warn(
            f"{name}.step(): the gradient of a parameter of shape {list(stale.shape)} still "
            "contains the gradient used by the previous step, with this step's added on top: "
            "backward() adds into .grad, it does not replace it. Call optimizer.zero_grad() "
            "once per iteration, before loss.backward() (or after optimizer.step())."
        )


def _warn_idle(optimizer, n: int) -> None:
    name = type(optimizer).__name__
    _warn(
        f"{name}.step() was called twice in a row with no gradient in any of its {n} "
        "parameters, so it changes nothing: loss.backward() does not reach the tensors this "
        "optimizer holds. Usually the model's layers were created or replaced (or the model "
        "rebuilt) after the optimizer: create the optimizer last, from the final model's "
        "parameters(); also check that backward() is called before step()."
    )


# -- (b) probabilities into cross_entropy ---------------------------------------------------

_PROB_MAKERS = ("SoftmaxBackward0", "SigmoidBackward0")


def check_cross_entropy_input(input) -> None:
    """Called by ``cross_entropy`` with class-index or probability targets."""
    fn = input.grad_fn
    name = type(fn).__name__ if fn is not None else None
    if name == "SoftmaxBackward0":
        why = "its grad_fn is SoftmaxBackward0"
    elif (name is None or name in ("DivBackward0", "ExpBackward0")) and input.ndim >= 1 \
            and input.shape[-1 if input.ndim == 1 else 1] > 1:
        # Without a telling grad_fn, look at the values: rows of non-negative numbers that sum
        # to 1 are probabilities, never the scores of a Linear layer.
        x = input._data
        if x.size == 0 or x.dtype.kind != "f" or x.min() < 0:
            return
        sums = x.sum(axis=0 if x.ndim == 1 else 1)
        if not np.allclose(sums, 1.0, atol=1e-3):
            return
        why = "its rows are non-negative and each sums to 1"
    else:
        return
    _warn(
        f"cross_entropy got probabilities, not raw scores: the input of shape "
        f"{list(input.shape)} looks like softmax output ({why}). CrossEntropyLoss applies "
        "log_softmax itself, so softmax is applied twice and the model learns slowly. Remove "
        "the softmax (nn.Softmax) at the end of the model and give the raw scores (logits) to "
        "the loss; apply softmax only when you need probabilities for display."
    )


# -- (c) evaluation in training mode --------------------------------------------------------

_checked: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def check_eval_mode(module) -> None:
    """Called by ``Module.__call__`` when grad mode is off (a sign of evaluation)."""
    if not module.training or module in _checked:
        return
    culprit = None
    for name, m in module.named_modules():
        kind = type(m).__name__
        if m.training and (("Dropout" in kind and getattr(m, "p", 0) > 0)
                           or ("BatchNorm" in kind and getattr(m, "track_running_stats", False))):
            culprit = (name, kind)
            break
    # Submodules are covered by their parent's verdict: do not warn again from inside.
    for m in module.modules():
        _checked[m] = True
    if culprit is None:
        return
    name, kind = culprit
    what = "randomly zeroes activations" if "Dropout" in kind else \
        "normalizes with this batch's statistics and updates its running averages"
    inside = f"its submodule '{name}' ({kind})" if name else f"it ({kind})"
    _warn(
        f"{type(module).__name__} is called under no_grad() but is still in training mode, and "
        f"{inside} {what} in training mode, so the results are not the model's real "
        "predictions. Call model.eval() before evaluating (and model.train() before training "
        "again)."
    )


# -- (d) non-finite loss ----------------------------------------------------------------------


def check_loss(tensors) -> None:
    """Called by ``autograd.backward`` with the tensors backward starts from."""
    for t in tensors:
        a = t._data
        if a.size != 1 or a.dtype.kind != "f":
            continue
        v = float(a.reshape(()))
        if math.isfinite(v):
            if _state.first_loss is None:
                _state.first_loss = v
            _state.last_loss = v
            _state.origin = None
            _state.watch = False  # all well again: stop checking every op
            continue
        _nonfinite_loss(t, v)


def _nonfinite_loss(t, v: float) -> None:
    from .autograd.anomaly_mode import _anomaly

    lines = [f"backward() from a loss that is {v}: the gradients will be nan or inf, and one "
             "optimizer step turns the weights into nan."]
    origin = _state.origin
    bad_params = _nonfinite_leaves(t)
    if origin is not None:
        op, where, what = origin
        lines.append(f"The first operation that produced nan/inf in this forward pass was {op} "
                     f"at {where}: {what}. {_FIXES.get(op.split(' ')[0], _FIX_OTHER)}")
        _state.watch = False  # found: stop checking every op
    elif bad_params:
        lines.append(f"Already before this forward pass, {bad_params} contained nan/inf: an "
                     "earlier step diverged (look at the losses before this one).")
    else:
        hint = "" if _anomaly.enabled else \
            "; or run with torch.autograd.set_detect_anomaly(True) to find it at once"
        lines.append("The coach now checks every operation's output and will name the first one "
                     f"that makes nan/inf on the next pass{hint}.")
        _state.watch = True
    first, last = _state.first_loss, _state.last_loss
    if first is not None and last is not None and abs(last) > 100 * max(abs(first), 1e-12):
        opt = _state.last_optimizer() if _state.last_optimizer is not None else None
        lr = ""
        if opt is not None and opt.param_groups:
            lr = f" (lr={opt.param_groups[0].get('lr')})"
        lines.append(f"The loss grew from {first:.4g} to {last:.4g} before this: the learning "
                     f"rate{lr} is probably too large; try one 10 times smaller.")
    elif origin is None:
        lines.append("Common causes: log(0) or log of a negative number (clamp the input, or use "
                     "log_softmax / F.cross_entropy / BCEWithLogitsLoss instead of log by hand), "
                     "division by zero, sqrt of a negative number, or a learning rate so large "
                     "that the weights overflow.")
    _state.origin = None
    _warn(" ".join(lines))


_FIX_OTHER = ("Keep its inputs in range (clamp them, add a small epsilon) or lower the "
              "learning rate if values overflow.")
_FIXES = {
    "log": "Clamp its input away from 0 (x.clamp_min(1e-7).log()), or use log_softmax / "
           "F.cross_entropy / BCEWithLogitsLoss on logits instead of log by hand.",
    "div": "Avoid dividing by zero: add a small epsilon to the denominator.",
    "sqrt": "Clamp its input to be non-negative (x.clamp_min(0)), and add an epsilon if it is "
            "differentiated at 0.",
    "exp": "exp overflows above ~88 in float32: use log-sum-exp forms (log_softmax, logsumexp) "
           "or lower the learning rate.",
    "pow": "The values overflow: lower the learning rate or normalize the inputs.",
}


def _nonfinite_leaves(t) -> str:
    """Describe the leaves of ``t``'s graph (the parameters) that hold nan or inf."""
    from .autograd.function import AccumulateGrad

    fn = t.grad_fn
    if fn is None:
        return ""
    seen = {fn}
    stack = [fn]
    bad = []
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None or nxt in seen:
                continue
            seen.add(nxt)
            if type(nxt) is AccumulateGrad:
                var = nxt.variable
                if var._data.dtype.kind == "f" and not np.isfinite(var._data).all():
                    bad.append(f"a parameter of shape {list(var.shape)}")
            else:
                stack.append(nxt)
    return ", ".join(bad[:3])


def note_forward(node, inputs, out) -> None:
    """While watching (after a non-finite loss, or under anomaly detection): remember the first
    op whose inputs are finite but whose output is not."""
    if _state.origin is not None or not _state.enabled:
        return
    arrays = out if type(out) is tuple else (out,)
    for a in arrays:
        if isinstance(a, np.ndarray) and a.dtype.kind == "f" and not np.isfinite(a).all():
            break
    else:
        return
    for t in inputs:
        d = getattr(t, "_data", None)
        if d is not None and d.dtype.kind == "f" and not np.isfinite(d).all():
            return  # nan/inf came in from outside: not this op's doing
    op = name = type(node).__name__
    if op[-9:-1] == "Backward":
        op = f"{op[:-9].lower()} ({name})"
    a = next(x for x in arrays if isinstance(x, np.ndarray) and x.dtype.kind == "f"
             and not np.isfinite(x).all())
    n_nan, n_inf = int(np.isnan(a).sum()), int(np.isinf(a).sum())
    shapes = ", ".join(str(list(getattr(t, "shape", ()))) for t in inputs if t is not None)
    what = f"from finite inputs of shape {shapes} it gave {n_nan} nan and {n_inf} inf values"
    for t in inputs:
        d = getattr(t, "_data", None)
        if name == "LogBackward0" and d is not None and (d <= 0).any():
            what += f" (its input has {int((d == 0).sum())} zeros and {int((d < 0).sum())} " \
                    "negative values)"
            break
    _state.origin = (op, _where(), what)


# -- how the coach is hooked in: the framework's observer hook points ----------------------
def _observe_forward(node, inputs, out) -> None:
    if _state.watch or _anomaly.enabled:  # looking for the op that first makes nan/inf
        note_forward(node, inputs, out)


def _observe_backward(outputs, grad_tensors) -> None:
    if grad_tensors is None and _state.enabled:
        check_loss(outputs)  # a nan/inf loss?


from .autograd.anomaly_mode import _anomaly  # noqa: E402
from .autograd.graph import register_backward_observer, register_forward_observer  # noqa: E402

register_forward_observer(_observe_forward)
register_backward_observer(_observe_backward)
