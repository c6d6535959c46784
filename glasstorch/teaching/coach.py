"""The coach: warnings for training mistakes that PyTorch lets pass in silence.

PyTorch raises for code that cannot run; it says nothing about code that runs but learns
badly. The coach watches four such mistakes and warns (a :class:`CoachWarning`, pointing at the
line of your code that made the mistake, and each kind of advice shown once per run):

* gradients adding up across optimizer steps because ``zero_grad()`` is never called;
* probabilities (the output of softmax) given to ``cross_entropy``, which wants raw scores;
* a model evaluated under ``no_grad()`` while still in training mode, with Dropout or
  BatchNorm inside (``model.eval()`` was forgotten);
* ``backward()`` from a loss that is nan or inf, naming the operation that made it when it is
  known (with ``torch.autograd.set_detect_anomaly(True)``, or from the pass after the first
  non-finite loss on).

It is on by default. Silence it with ``glasstorch.coach.off()``, for a block with
``with glasstorch.coach.silenced():``, or for a whole run with the environment variable
``GLASSTORCH_COACH=0``.

How it is hooked in: through the framework's public hook points only, registered while it is
on (see :func:`_hook_in`), so that the framework knows nothing about it and pays nothing when
it is off. When on, an operation costs nothing extra unless it is a log_softmax or an
nll_loss, a module call one short hook call, an optimizer step a walk over its parameters.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import weakref
from collections.abc import Iterator

import numpy as np

from glasstorch._ops.pointwise.nodes import MulBackward0
from glasstorch._ops.reduction.nodes import LogSoftmaxBackward0
from glasstorch._warnings import warn
from glasstorch.autograd.anomaly_mode import is_anomaly_enabled
from glasstorch.autograd.grad_mode import _state as _grad_mode
from glasstorch.autograd.graph import register_backward_observer, register_forward_observer
from glasstorch.nn._ops.loss import NllLossBackward0
from glasstorch.nn.modules.module import register_module_forward_pre_hook
from glasstorch.optim.optimizer import register_optimizer_step_pre_hook

__all__ = ["CoachWarning", "on", "off", "is_on", "silenced"]


class CoachWarning(UserWarning):
    """Advice from glasstorch's coach: the code runs, but probably does not do what you want."""


class _State:
    def __init__(self) -> None:
        self.enabled = os.environ.get("GLASSTORCH_COACH", "1").strip().lower() not in (
            "0", "off", "false", "no")
        self.origin: tuple | None = None  # (op name, where in user code, what) of the first nan
        self.first_loss: float | None = None
        self.last_loss: float | None = None
        self.last_optimizer = None  # weakref to the optimizer that stepped last (for its lr)
        self.shown: set[str] = set()  # the kinds of advice shown in this run
        self.softmax_out = None  # (weakref to a log_softmax's output, its input's shape, why)
        self.products = None  # the handle of the observer of products, while waiting for one
        self._watching = None  # the handle of the observer of every op, while watching

    @property
    def watch(self) -> bool:
        """Whether every op's output is checked for nan/inf (after a non-finite loss)."""
        return self._watching is not None

    @watch.setter
    def watch(self, value: bool) -> None:
        if value and self._watching is None:
            self._watching = register_forward_observer(note_forward)
        elif not value and self._watching is not None:
            self._watching.remove()
            self._watching = None


_state = _State()
_hooks: list = []  # the handles of the hooks registered while the coach is on


def on() -> None:
    """Turn the coach on (it is on by default)."""
    _state.enabled = True
    _hook_in()


def off() -> None:
    """Turn the coach off: no CoachWarning is issued until :func:`on`."""
    _state.enabled = False
    _hook_out()


def is_on() -> bool:
    """Whether the coach is watching."""
    return _state.enabled


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """``with glasstorch.coach.silenced():`` -- no coach warnings inside the block."""
    prev = _state.enabled
    off()
    try:
        yield
    finally:
        if prev:
            on()


_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # glasstorch/


def _learners_frame():
    """The innermost frame outside glasstorch (the learner's line), and how many frames up
    from this function's caller's caller it is."""
    frame = sys._getframe(2)
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(_PKG_DIR):
        frame = frame.f_back
        level += 1
    return frame, level


def _warn(kind: str, message: str) -> None:
    """Warn at the learner's line, once per ``kind`` of advice in a run: the same advice
    again (each step, each batch, another model) would only hide the rest of the output."""
    if kind in _state.shown:
        return
    _state.shown.add(kind)
    warn(message, CoachWarning)


def _where() -> str:
    """'file:line (code)' of the learner's line."""
    import linecache

    frame, _ = _learners_frame()
    if frame is None:
        return "(unknown)"
    name, line = frame.f_code.co_filename, frame.f_lineno
    code = linecache.getline(name, line).strip()
    return f"{name}:{line} ({code})" if code else f"{name}:{line}"


# -- (a) gradients accumulating across steps ------------------------------------------------


def _before_step(optimizer, args: tuple, kwargs: dict) -> None:
    """The global optimizer step pre-hook (``args`` start with the optimizer, as in PyTorch)."""
    closure = args[1] if len(args) > 1 else kwargs.get("closure")
    check_step(optimizer, closure is not None)


def check_step(optimizer, closure: bool = False) -> None:
    """Before each ``optimizer.step()`` (``closure``: whether one was passed).

    We remember which gradient tensor the first parameter with a gradient had at the previous
    step, and that tensor's version. ``backward`` adds into an existing ``.grad`` in place
    (version + 1); ``zero_grad()`` either replaces it by None (a new tensor next time) or zeroes
    it in place (another + 1). So the same tensor exactly one version later, holding non-zero
    values, means one backward was added on top of the gradient already used by the previous
    step. (One parameter stands for all: zero_grad() zeroes them together; and so the check
    costs the same for any model.)

    Also: two steps in a row where no parameter has a gradient at all means backward never
    reaches the optimizer's tensors (typically layers replaced after the optimizer was made).
    """
    _state.last_optimizer = weakref.ref(optimizer)  # (CPython gives back the same ref object)
    memo = optimizer.__dict__
    g = None
    for group in optimizer.param_groups:
        for p in group["params"]:
            g = p._grad  # (not the .grad property, ~0.1 us: parameters are leaves)
            if g is not None:
                break
        if g is not None:
            break
    if g is None:
        memo["_coach_grad"] = None
        params = [p for group in optimizer.param_groups for p in group["params"]]
        if not closure and any(p._requires_grad for p in params):
            idle = memo["_coach_idle"] = memo.get("_coach_idle", 0) + 1
            if idle == 2:
                _warn_idle(optimizer, len(params))
        return
    memo["_coach_idle"] = 0
    # (the parameter, its gradient's version counter, the version): holding the counter (a
    # one-element list owned by the gradient tensor) keeps its identity unique, so "same
    # gradient tensor as last step" is an identity test that reused ids cannot fool
    vc = g._vc
    version = vc[0]
    prev = memo.get("_coach_grad")
    memo["_coach_grad"] = (p, vc, version)
    if prev is not None and prev[1] is vc and prev[0] is p and version == prev[2] + 1 \
            and g._data.any():
        _warn(
            "zero_grad",
            f"{type(optimizer).__name__}.step(): the gradient of a parameter of shape "
            f"{list(p.shape)} still contains the gradient used by the previous step, with this "
            "step's added on top: backward() adds into .grad, it does not replace it. Call "
            "optimizer.zero_grad() once per iteration, before loss.backward() (or after "
            "optimizer.step())."
        )


def _warn_idle(optimizer, n: int) -> None:
    name = type(optimizer).__name__
    _warn(
        "idle optimizer",
        f"{name}.step() was called twice in a row with no gradient in any of its {n} "
        "parameters, so it changes nothing: loss.backward() does not reach the tensors this "
        "optimizer holds. Usually the model's layers were created or replaced (or the model "
        "rebuilt) after the optimizer: create the optimizer last, from the final model's "
        "parameters(); also check that backward() is called before step()."
    )


# -- (b) probabilities into cross_entropy ---------------------------------------------------
# cross_entropy is log_softmax followed by nll_loss (class indices) or by a product with the
# target (probabilities): the coach looks at every log_softmax's input and, when it looks like
# probabilities, waits for the next nll_loss (or product) to consume that very output.


def _probabilities(x, dim: int) -> str | None:
    """Why tensor ``x`` looks like softmax output along ``dim`` (None if it does not)."""
    fn = x.grad_fn
    name = type(fn).__name__ if fn is not None else None
    if name == "SoftmaxBackward0":
        return "its grad_fn is SoftmaxBackward0"
    if name not in (None, "DivBackward0", "ExpBackward0") or x.ndim == 0 or x.shape[dim] < 2:
        return None
    # Without a telling grad_fn, look at the values: rows of non-negative numbers that sum
    # to 1 are probabilities, never the scores of a Linear layer.
    a = x._data
    if a.size == 0 or a.dtype.kind != "f" or a.flat[0] < 0 or a.min() < 0:
        return None  # (the first value alone rules out most scores, without a pass over all)
    with np.errstate(all="ignore"):  # inf - inf in the sum: not probabilities, and no warning
        sums = a.sum(axis=dim)
    if not np.allclose(sums, 1.0, atol=1e-3):
        return None
    return "its rows are non-negative and each sums to 1"


def _after_log_softmax_or_nll(node, inputs, out) -> None:
    """Forward observer of LogSoftmaxBackward0 and NllLossBackward0 (and of MulBackward0
    while a log_softmax of probabilities waits for its consumer)."""
    if type(node) is LogSoftmaxBackward0:
        why = _probabilities(inputs[0], node.dim)
        if why:
            _expect_consumer((weakref.ref(out), list(inputs[0].shape), why))
        elif _state.softmax_out is not None:
            _expect_consumer(None)
        return
    waiting = _state.softmax_out
    if waiting is None:
        return
    _expect_consumer(None)  # the op right after the log_softmax decides
    log_p = waiting[0]()
    for t in inputs if type(node) is MulBackward0 else inputs[:1]:
        a = getattr(t, "_data", None)
        if a is not None and log_p is not None and (a is log_p or a.base is log_p):
            _warn_softmax(waiting[1], waiting[2])
            return


def _expect_consumer(waiting: tuple | None) -> None:
    """Wait (or stop waiting) for the op that consumes a log_softmax of probabilities; the
    products are observed only while waiting (cross_entropy with probability targets)."""
    _state.softmax_out = waiting
    if waiting is not None and _state.products is None:
        _state.products = register_forward_observer(_after_log_softmax_or_nll,
                                                     nodes=(MulBackward0,))
    elif waiting is None and _state.products is not None:
        _state.products.remove()
        _state.products = None


def _warn_softmax(shape: list, why: str) -> None:
    _warn(
        "softmax into cross_entropy",
        "cross_entropy (or nll_loss after log_softmax) got probabilities, not raw scores: the "
        f"input of shape {shape} looks like softmax output ({why}). CrossEntropyLoss applies "
        "log_softmax itself, so softmax is applied twice and the model learns slowly. Remove "
        "the softmax (nn.Softmax) at the end of the model and give the raw scores (logits) to "
        "the loss; apply softmax only when you need probabilities for display."
    )


# -- (c) evaluation in training mode --------------------------------------------------------

_checked: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _before_forward(module, args: tuple) -> None:
    """The global module forward pre-hook: a module called with grad mode off is evaluated."""
    if not _grad_mode.enabled and module.training:
        check_eval_mode(module)


def check_eval_mode(module) -> None:
    """A module in training mode called under no_grad(): Dropout or BatchNorm inside?"""
    if module in _checked:
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
        "eval mode",
        f"{type(module).__name__} is called under no_grad() but is still in training mode, and "
        f"{inside} {what} in training mode, so the results are not the model's real "
        "predictions. Call model.eval() before evaluating (and model.train() before training "
        "again)."
    )


# -- (d) non-finite loss ----------------------------------------------------------------------


def _before_backward(outputs, grad_tensors) -> None:
    """The backward observer: a loss (a scalar backward starts from) that is nan or inf?"""
    if grad_tensors is None:
        check_loss(outputs)


def check_loss(tensors) -> None:
    """Look at the tensors ``backward()`` starts from."""
    for t in tensors:
        a = t._data
        if a.size != 1 or a.dtype.kind != "f":
            continue
        v = a.item()
        if math.isfinite(v):
            if _state.first_loss is None:
                _state.first_loss = v
            _state.last_loss = v
            _state.origin = None
            if _state._watching is not None:
                _state.watch = False  # all well again: stop checking every op
            continue
        _nonfinite_loss(t, v)


def _nonfinite_loss(t, v: float) -> None:
    lines = [f"backward() from a loss that is {v}: the gradients will be nan or inf, and one "
             "optimizer step turns the weights into nan."]
    origin = _state.origin
    bad_params = _nonfinite_leaves(t)
    if origin is not None:
        op, where, what = origin
        lines.append(f"The first operation that produced nan/inf in this forward pass was {op} "
                     f"at {where}: {what}. {_FIXES.get(op.split(' ')[0], _FIX_OTHER)}")
        _state.watch = False  # found: stop checking every op
        kind = "nan loss, op named"
    elif bad_params:
        kind = "nan loss, weights nan"
        lines.append(f"Already before this forward pass, {bad_params} contained nan/inf: an "
                     "earlier step diverged (look at the losses before this one).")
    else:
        kind = "nan loss"
        hint = "" if is_anomaly_enabled() else \
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
    _warn(kind, " ".join(lines))


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
            if type(nxt).__name__ == "AccumulateGrad":
                var = nxt.variable
                if var._data.dtype.kind == "f" and not np.isfinite(var._data).all():
                    bad.append(f"a parameter of shape {list(var.shape)}")
            else:
                stack.append(nxt)
    return ", ".join(bad[:3])


def note_forward(node, inputs, out) -> None:
    """Forward observer of every op while watching (after a non-finite loss) or under anomaly
    detection: remember the first op whose inputs are finite but whose output is not."""
    if _state.origin is not None:
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


# -- how the coach is hooked in: the framework's public hook points ----------------------------

_HOOKS = (
    (register_optimizer_step_pre_hook, (_before_step,), {}),
    (register_module_forward_pre_hook, (_before_forward,), {}),
    (register_forward_observer, (_after_log_softmax_or_nll,),
     {"nodes": (LogSoftmaxBackward0, NllLossBackward0)}),  # (NllLoss2DBackward0 is a subclass)
    (register_forward_observer, (note_forward,), {"anomaly_mode_only": True}),
    (register_backward_observer, (_before_backward,), {}),
)


def _hook_in() -> None:
    if not _hooks:
        _hooks.extend(register(*args, **kwargs) for register, args, kwargs in _HOOKS)


def _hook_out() -> None:
    _state.watch = False
    _expect_consumer(None)
    while _hooks:
        _hooks.pop().remove()


if _state.enabled:
    _hook_in()
