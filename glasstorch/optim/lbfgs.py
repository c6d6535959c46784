"""L-BFGS: quasi-Newton steps built from a short history of how the gradient changed.

Unlike the other optimizers, L-BFGS re-evaluates the loss itself (several times per ``step``),
so ``step`` needs a closure that recomputes the loss and its gradients. It treats all parameters
as one flat vector x, and suits small, deterministic (full-batch) problems.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from .optimizer import Optimizer, _step_without_grad

__all__ = ["LBFGS"]


class LBFGS(Optimizer):
    r"""L-BFGS (Nocedal & Wright, *Numerical Optimization*, 2nd ed., algorithms 7.4 and 7.5),
    with an optional strong Wolfe line search (their algorithms 3.5 and 3.6).

    ``step(closure)`` runs up to ``max_iter`` iterations on the flat parameter vector x with
    gradient g. Each iteration::

        remember the last step s = t·d and the gradient change y = g - g_prev,
            if yᵀs > 1e-10 (at most history_size pairs; ρ = 1 / yᵀs, γ = yᵀs / yᵀy)
        d ← -g                                               at the very first iteration
        d ← -H·g  by the two-loop recursion, otherwise:
            q ← -g
            for each pair, newest first:   α ← ρ·sᵀq;   q ← q - α·y
            r ← γ·q
            for each pair, oldest first:   β ← ρ·yᵀr;   r ← r + (α - β)·s
            d ← r
        t ← min(1, 1/‖g‖₁)·lr   at the very first iteration, else t ← lr
        t ← a step meeting the strong Wolfe conditions        if line_search_fn="strong_wolfe"
        x ← x + t·d

    It stops early when the gradient is small (max|g| ≤ tolerance_grad), d is no longer a
    descent direction (gᵀd > -tolerance_change), the step or the change of the loss is below
    tolerance_change, or the loss was evaluated max_eval times. ``step`` returns the loss of
    the closure's first evaluation.

    As in PyTorch, the whole state lives in ``state[<first parameter>]``: ``func_evals`` and
    ``n_iter`` (counted over all steps), the last direction ``d`` and step length ``t``, the
    pairs ``old_dirs`` (the y's) and ``old_stps`` (the s's), ``ro`` (the ρ's), ``H_diag`` (γ),
    ``prev_flat_grad``, ``prev_loss`` and ``al`` (the α's of the last recursion).
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float | Tensor = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(
            lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change, history_size=history_size,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    @property
    def _params(self) -> list[Tensor]:
        return self.param_groups[0]["params"]

    # -- the flat vector x and its gradient --------------------------------------------------
    def _flat_grad(self) -> np.ndarray:
        """g: every parameter's gradient flattened and joined (zeros where there is none)."""
        return np.concatenate([
            p.grad._data.reshape(-1) if p.grad is not None else np.zeros(p._data.size,
                                                                        p._data.dtype)
            for p in self._params
        ])

    def _move(self, t: Any, d: np.ndarray) -> None:
        """x ← x + t·d, in place on each parameter."""
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += t * d[offset:offset + n].reshape(p._data.shape)
            p._vc[0] += 1
            offset += n

    def _restore(self, x: list[np.ndarray]) -> None:
        for p, saved in zip(self._params, x):
            p._data[...] = saved
            p._vc[0] += 1

    # -- the step ----------------------------------------------------------------------------
    @_step_without_grad
    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations; return the closure's first loss."""
        if len(self.param_groups) != 1:
            raise AssertionError(
                f"Expected exactly one param_group, but got {len(self.param_groups)}"
            )
        group = self.param_groups[0]
        lr = group["lr"]
        if isinstance(lr, Tensor):  # a tensor lr takes part as a 0-d value of its dtype
            lr = lr._data.reshape(())[()]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]
        line_search_fn = group["line_search_fn"]

        def evaluate() -> tuple[Any, np.ndarray]:
            """The closure's loss (computed with recording on) and the new flat gradient."""
            with enable_grad():
                loss = closure()
            return loss, self._flat_grad()

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        first_loss, g = evaluate()
        loss = _number(first_loss)
        evals = 1
        state["func_evals"] += 1
        if np.abs(g).max() <= tolerance_grad:
            return first_loss  # already at a stationary point

        # The previous step's memory, as NumPy arrays and scalars.
        d = _from_state(state.get("d"))
        t = _from_state(state.get("t"))
        y_hist = _from_state(state.get("old_dirs"))
        s_hist = _from_state(state.get("old_stps"))
        rho = _from_state(state.get("ro"))
        gamma = _from_state(state.get("H_diag"))
        g_prev = _from_state(state.get("prev_flat_grad"))
        loss_prev = state.get("prev_loss")
        alpha = _from_state(state.get("al"))

        converged = False
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            first_iteration = state["n_iter"] == 1

            # -- the direction d --
            if first_iteration:
                d = -g
                y_hist, s_hist, rho = [], [], []
                gamma = 1
            else:
                y = g - g_prev
                s = d * t
                ys = y @ s
                if ys > 1e-10:  # keep the pair only if the curvature is positive
                    if len(y_hist) == history_size:
                        del y_hist[0], s_hist[0], rho[0]
                    y_hist.append(y)
                    s_hist.append(s)
                    rho.append(1.0 / ys)
                    gamma = ys / (y @ y)
                if alpha is None:
                    alpha = [None] * history_size
                    state["al"] = alpha  # created here, so it sits where PyTorch puts it
                d = _two_loop(g, s_hist, y_hist, rho, gamma, alpha)
            g_prev, loss_prev = g, loss

            # -- the step length t, and the move --
            t = min(1.0, 1.0 / np.abs(g).sum()) * lr if first_iteration else lr
            gtd = g @ d  # the slope of the loss along d
            if gtd > -tolerance_change:
                break
            ls_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x0 = [p._data.copy() for p in self._params]

                def along_d(t: Any, x0: list[np.ndarray] = x0, d: np.ndarray = d
                            ) -> tuple[float, np.ndarray]:
                    """The loss and gradient at x0 + t·d (the parameters are put back)."""
                    self._move(t, d)
                    f, g_t = evaluate()
                    self._restore(x0)
                    return _number(f), g_t

                loss, g, t, ls_evals = _strong_wolfe(along_d, t, d, loss, g, gtd,
                                                     max_ls=max_eval - evals)
                self._move(t, d)
                converged = np.abs(g).max() <= tolerance_grad
            else:
                self._move(t, d)
                if n_iter != max_iter:  # the last iteration's loss is not needed
                    loss, g = evaluate()
                    loss = _number(loss)
                    converged = np.abs(g).max() <= tolerance_grad
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals

            # -- stop? --
            if n_iter == max_iter or evals >= max_eval or converged:
                break
            if np.abs(d * t).max() <= tolerance_change:  # the step hardly moves x
                break
            if abs(loss - loss_prev) < tolerance_change:  # the loss hardly changes
                break

        state["d"] = _to_state(d)
        state["t"] = _to_state(t)
        state["old_dirs"] = _to_state(y_hist)
        state["old_stps"] = _to_state(s_hist)
        state["ro"] = _to_state(rho)
        state["H_diag"] = _to_state(gamma)
        state["prev_flat_grad"] = _to_state(g_prev)
        state["prev_loss"] = loss_prev
        if alpha is not None:
            state["al"] = _to_state(alpha)
        return first_loss


def _two_loop(g: np.ndarray, s_hist: list[np.ndarray], y_hist: list[np.ndarray],
              rho: list[Any], gamma: Any, alpha: list[Any]) -> np.ndarray:
    """d = -H·g, with H the L-BFGS inverse-Hessian estimate from the pairs (s, y), never formed
    (Nocedal & Wright, algorithm 7.4). The α's are written into ``alpha``."""
    q = -g
    for i in reversed(range(len(s_hist))):  # newest pair first
        alpha[i] = (s_hist[i] @ q) * rho[i]
        q -= alpha[i] * y_hist[i]
    r = q * gamma
    for i in range(len(s_hist)):  # oldest pair first
        beta = (y_hist[i] @ r) * rho[i]
        r += (alpha[i] - beta) * s_hist[i]
    return r


# -- strong Wolfe line search -----------------------------------------------------------------
class _Trial(NamedTuple):
    """A step length t tried along d: the loss f and gradient g at x + t·d, and the slope gᵀd."""

    t: Any
    f: float
    g: np.ndarray
    gtd: Any


def _cubic_minimizer(a: _Trial, b: _Trial, bounds: tuple[Any, Any] | None = None) -> Any:
    """Where the cubic through two trials (their losses and slopes) has its minimum, clipped
    to ``bounds`` (default: between the two); the middle of the bounds if the cubic has no
    minimum (Nocedal & Wright, eq. 3.59)."""
    if bounds is None:
        bounds = (a.t, b.t) if a.t <= b.t else (b.t, a.t)
    low, high = bounds
    d1 = a.gtd + b.gtd - 3 * (a.f - b.f) / (a.t - b.t)
    d2_square = d1**2 - a.gtd * b.gtd
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        left, right = (a, b) if a.t <= b.t else (b, a)
        t = right.t - (right.t - left.t) * (
            (right.gtd + d2 - d1) / (right.gtd - left.gtd + 2 * d2))
        return min(max(t, low), high)
    return (low + high) / 2.0


def _strong_wolfe(
    along_d: Callable[[Any], tuple[float, np.ndarray]],
    t: Any,
    d: np.ndarray,
    f0: float,
    g0: np.ndarray,
    gtd0: Any,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, np.ndarray, Any, int]:
    """A step length t along the descent direction d that meets the strong Wolfe conditions

        sufficient decrease:  f(t) ≤ f(0) + c₁·t·f'(0)
        curvature:            |f'(t)| ≤ c₂·|f'(0)|        (f'(t): the slope along d)

    found by first bracketing such a step and then zooming in on it (algorithms 3.5 and 3.6
    of Nocedal & Wright). ``along_d(t)`` returns f and the gradient at x + t·d. Returns the
    loss, gradient and t of the best trial, and the number of evaluations made.
    """

    def trial(t: Any) -> _Trial:
        f, g = along_d(t)
        return _Trial(t, f, g, g @ d)

    def too_high(p: _Trial) -> bool:  # no sufficient decrease
        return p.f > f0 + c1 * p.t * gtd0

    def flat_enough(p: _Trial) -> bool:  # the curvature condition holds
        return abs(p.gtd) <= -c2 * gtd0

    d_norm = np.abs(d).max()
    start = _Trial(0, f0, g0, gtd0)

    # 1. Bracketing: lengthen the step until [previous, current] must hold an acceptable one.
    prev, cur = start, trial(t)
    evals, tries = 1, 0
    bracket: list[_Trial] | None = None
    done = False
    while tries < max_ls:
        if too_high(cur) or (tries > 1 and cur.f >= prev.f):
            bracket = [prev, cur]
            break
        if flat_enough(cur):  # cur already meets both conditions
            bracket, done = [cur], True
            break
        if cur.gtd >= 0:  # the loss goes up again past cur
            bracket = [prev, cur]
            break
        # still going down: extrapolate, to between a little beyond cur and 10 times as far
        t = _cubic_minimizer(prev, cur, bounds=(cur.t + 0.01 * (cur.t - prev.t), cur.t * 10))
        prev, cur = cur, trial(t)
        evals += 1
        tries += 1
    if bracket is None:  # out of evaluations
        bracket = [start, cur]

    # 2. Zoom: shrink the bracket around an acceptable step; lo is the end with the lower loss.
    lo, hi = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    stalled = False
    while not done and tries < max_ls:
        a, b = bracket
        if abs(b.t - a.t) * d_norm < tolerance_change:
            break
        t = _cubic_minimizer(a, b)
        # Keep away from the ends: a trial within 10% of the bracket's length from an end
        # moves to that 10% mark if it is outside, or if the previous trial was close too.
        left, right = min(a.t, b.t), max(a.t, b.t)
        margin = 0.1 * (right - left)
        if min(right - t, t - left) < margin:
            if stalled or t >= right or t <= left:
                t = right - margin if abs(t - right) < abs(t - left) else left + margin
                stalled = False
            else:
                stalled = True
        else:
            stalled = False
        new = trial(t)
        evals += 1
        tries += 1
        if too_high(new) or new.f >= bracket[lo].f:
            bracket[hi] = new  # new is the bracket's new high end
            lo, hi = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if flat_enough(new):
                done = True
            elif new.gtd * (bracket[hi].t - bracket[lo].t) >= 0:
                bracket[hi] = bracket[lo]  # keep the minimum between new and the old low end
            bracket[lo] = new
    best = bracket[lo]
    return best.f, best.g, best.t, evals


# -- state: NumPy while stepping, tensors in state_dict (as PyTorch keeps them) ---------------
def _to_state(value: Any) -> Any:
    """Arrays and NumPy scalars become tensors; Python numbers and None stay as they are."""
    if isinstance(value, list):
        return [_to_state(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic)):
        return Tensor._make(np.asarray(value))
    return value


def _from_state(value: Any) -> Any:
    """Tensors become arrays (0-d ones NumPy scalars); lists are copied, other values kept."""
    if isinstance(value, list):
        return [_from_state(v) for v in value]
    if isinstance(value, Tensor):
        return value._data[()] if value._data.ndim == 0 else value._data
    return value


def _number(loss) -> float:
    """The closure's loss as a Python float (read without float(), whose warning about a
    tensor that requires grad is meant for the learner's own code, not for the optimizer)."""
    return loss.item() if isinstance(loss, Tensor) else float(loss)
