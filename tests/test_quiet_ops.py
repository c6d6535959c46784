"""Ops on empty and non-finite inputs give PyTorch's values and no NumPy RuntimeWarning, in the
forward nor in the backward (PyTorch warns nothing there).

The harness already checks forwards for leaked warnings; these cases also run backward, with
RuntimeWarning turned into an error, and compare the gradients with torch's (nan where torch has
nan).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import glasstorch

# both libraries warn that an empty var/std has no degrees of freedom: expected here
pytestmark = pytest.mark.filterwarnings("ignore:.*degrees of freedom:UserWarning")

EMPTY = [(0,), (0, 3), (2, 0)]
NONFINITE = np.array([np.inf, -np.inf, np.nan, 0.0, 1.0, -1.0], np.float32)

OPS = {
    "var": lambda lib, x: lib.var(x),
    "std": lambda lib, x: lib.std(x),
    "var0": lambda lib, x: lib.var(x, 0),
    "std0": lambda lib, x: lib.std(x, 0),
    "var_mean": lambda lib, x: lib.var_mean(x)[0],
    "std_mean0": lambda lib, x: lib.std_mean(x, 0)[0],
    "mean0": lambda lib, x: lib.mean(x, 0),
    "max": lambda lib, x: x.max(),
    "amax0": lambda lib, x: lib.amax(x, 0),
    "logsumexp0": lambda lib, x: lib.logsumexp(x, 0),
    "prod": lambda lib, x: lib.prod(x),
    "cumsum0": lambda lib, x: lib.cumsum(x, 0),
    "nanmean": lambda lib, x: lib.nanmean(x),
    "norm_p-1": lambda lib, x: lib.norm(x, -1),
    "sin": lambda lib, x: lib.sin(x),
    "cos": lambda lib, x: lib.cos(x),
    "tan": lambda lib, x: lib.tan(x),
    "lerp": lambda lib, x: lib.lerp(x, x.flip(0), 0.5),
    "remainder": lambda lib, x: lib.remainder(x, lib.zeros_like(x)),
    # log(0), division by zero, roots of negatives: -inf / inf / nan, and their gradients
    "mean": lambda lib, x: lib.mean(x),
    "log": lambda lib, x: lib.log(x),
    "log2": lambda lib, x: lib.log2(x),
    "log1p": lambda lib, x: lib.log1p(x - 1),
    "div0": lambda lib, x: x / lib.zeros_like(x),
    "divx": lambda lib, x: lib.ones_like(x) / x,
    "reciprocal": lambda lib, x: lib.reciprocal(x),
    "pow-1": lambda lib, x: x ** -1,
    "pow0.5": lambda lib, x: x ** 0.5,
    "sqrt": lambda lib, x: lib.sqrt(x),
    "rsqrt": lambda lib, x: lib.rsqrt(x),
    "exp": lambda lib, x: lib.exp(x),
    "sigmoid": lambda lib, x: lib.sigmoid(x),
    "tanh": lambda lib, x: lib.tanh(x),
    "softmax0": lambda lib, x: lib.softmax(x, 0),
    "log_softmax0": lambda lib, x: lib.log_softmax(x, 0),
    "normalize0": lambda lib, x: lib.nn.functional.normalize(x, dim=0),
}


def _run(lib, fn, a: np.ndarray):
    x = lib.tensor(a, requires_grad=True)
    out = fn(lib, x)
    out.backward(lib.ones_like(out))
    return out, x.grad


def _inputs():
    for shape in EMPTY:
        yield f"empty{list(shape)}", np.zeros(shape, np.float32)
    yield "nonfinite", NONFINITE


# value differences found by these cases that have nothing to do with warnings (not fixed yet)
KNOWN = {
    ("norm_p-1", "empty[0]"): "torch refuses the -1 norm of an empty tensor",
    ("norm_p-1", "empty[0, 3]"): "torch refuses the -1 norm of an empty tensor",
    ("norm_p-1", "empty[2, 0]"): "torch refuses the -1 norm of an empty tensor",
    ("lerp", "nonfinite"): "torch computes b - (b - a) * (1 - w) for w >= 0.5",
    ("max", "nonfinite"): "torch sends the gradient of a nan maximum to the nan elements",
}
CASES = [pytest.param(name, case, marks=pytest.mark.xfail(reason=KNOWN[name, case], strict=True))
         if (name, case) in KNOWN else (name, case)
         for name in sorted(OPS)
         for case in ("empty[0]", "empty[0, 3]", "empty[2, 0]", "nonfinite")]


@pytest.mark.parametrize(("name", "case"), CASES)
def test_no_numpy_warning_forward_or_backward(name, case):
    a = dict(_inputs())[case]
    fn = OPS[name]
    try:
        t_out, t_grad = _run(torch, fn, a)
    except (RuntimeError, IndexError, ValueError) as e:  # not defined there: same error here
        with pytest.raises(type(e)):
            _run(glasstorch, fn, a)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        g_out, g_grad = _run(glasstorch, fn, a)
    np.testing.assert_allclose(g_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g_grad.numpy(), t_grad.numpy(), rtol=1e-5, atol=1e-6)


def test_learners_see_no_numpy_warnings_but_their_own_numpy_still_warns():
    """With Python's default warning filters (a learner's script), inf - inf and 0 * inf inside
    glasstorch's hot ops are silent as in PyTorch; the learner's own NumPy code still warns."""
    import subprocess
    import sys

    code = (
        "import glasstorch as g, numpy as np\n"
        "x = g.tensor([float('inf'), 1.0], requires_grad=True)\n"
        "y = ((x - x) * g.tensor([0.0, 1.0]) + x @ g.tensor([0.0, 1.0])).sum()\n"
        "y.backward()\n"
        "np.array([np.inf]) - np.array([np.inf])\n"
    )
    out = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True,
                         text=True, timeout=120, env={**__import__("os").environ,
                                                      "GLASSTORCH_COACH": "0"})
    assert out.returncode == 0, out.stderr
    warned = [line for line in out.stderr.splitlines() if "RuntimeWarning" in line]
    assert len(warned) == 1 and warned[0].startswith("<string>:5:"), out.stderr
