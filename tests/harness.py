"""The differential harness: run the same function on glasstorch and on torch, compare everything.

``check(fn, *inputs)`` turns each NumPy array in ``inputs`` into a tensor of each library (other
inputs pass through unchanged), calls ``fn(lib, *tensors)`` and compares what comes back:
values (exact for integers and bools), dtypes, shapes, ``requires_grad`` and grad_fn names; then,
when floating inputs require grad, the gradients after backward of a random-weighted sum of the
outputs. If torch raises, glasstorch must raise the same exception type (in the forward or in
backward), and glasstorch must not leak NumPy's RuntimeWarnings. Non-contiguous inputs come from
``lay(array, "transposed" | "strided")``: the gradient is read on the contiguous leaf behind it.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import torch
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glasstorch

LIBS = (glasstorch, torch)

# derandomized: the suite draws the same examples on every run, and stays fast; set
# GLASSTORCH_EXAMPLES=200 for a deeper (slower) search
SETTINGS = settings(max_examples=int(os.environ.get("GLASSTORCH_EXAMPLES", "12")),
                    deadline=None, derandomize=True, report_multiple_bugs=False,
                    suppress_health_check=list(HealthCheck))

FLOATS = ("float32", "float64", "float16")
INTS = ("int64", "int32", "uint8")
ALL_DTYPES = FLOATS + INTS + ("bool",)
# (rtol, atol) per dtype: NumPy and torch round transcendental functions differently by an ulp
TOL = {"float16": (2e-3, 2e-3), "float32": (2e-5, 1e-6), "float64": (1e-10, 1e-12)}
GRAD_TOL = {"float16": (1e-2, 1e-2), "float32": (1e-4, 1e-5), "float64": (1e-8, 1e-10)}


# -- inputs ----------------------------------------------------------------------------------


def array(shape, dtype="float32", seed=0, positive=False, low=-5, high=6) -> np.ndarray:
    """Random values of ``dtype``: normal floats (or |x| + 0.5 if positive), small integers."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    if np.dtype(dtype).kind in "iu":
        lo = max(low, 0) if np.dtype(dtype).kind == "u" or positive else low
        return np.asarray(rng.integers(max(lo, 1) if positive else lo, high, shape), dtype)
    x = rng.standard_normal(shape)
    return np.asarray(np.abs(x) + 0.5 if positive else x, dtype)


def shapes(min_dims=0, max_dims=4, min_side=0, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcast_shapes(n=2, min_dims=0, max_dims=4, min_side=0, max_side=4):
    """``n`` shapes that broadcast together (size-1 dims, missing leading dims, 0-d, empty)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=min_dims, max_dims=max_dims,
                                             min_side=min_side, max_side=max_side
                                             ).map(lambda r: r.input_shapes)


seeds = st.integers(0, 2**16)
# how input tensors are laid out: contiguous, a transpose of the last two dims, a step slice
layouts = st.sampled_from(["contiguous", "transposed", "strided"])


class Layout:
    """Marks an input array to be passed as a non-contiguous view (see ``layouts``)."""

    def __init__(self, a: np.ndarray, layout: str):
        self.a, self.layout = a, layout


def _tensor(lib, x, requires_grad: bool):
    """(leaf, what fn receives): the leaf is where gradients are read."""
    layout = "contiguous"
    if isinstance(x, Layout):
        x, layout = x.a, x.layout
    rg = requires_grad and x.dtype.kind == "f"
    if layout == "transposed" and x.ndim >= 2:
        leaf = lib.tensor(np.ascontiguousarray(np.swapaxes(x, -1, -2)), requires_grad=rg)
        return leaf, leaf.transpose(-1, -2)
    if layout == "strided" and x.ndim >= 1:
        wide = np.repeat(x, 2, axis=-1)
        leaf = lib.tensor(wide, requires_grad=rg)
        return leaf, leaf[..., ::2]
    leaf = lib.tensor(x, requires_grad=rg)
    return leaf, leaf


def lay(a: np.ndarray, layout: str) -> Layout:
    return Layout(a, layout)


# -- running and comparing -------------------------------------------------------------------


def _run(lib, fn, inputs, requires_grad):
    """Run ``fn`` on ``lib``; glasstorch must not leak NumPy's warnings (torch has none)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _run_quiet(lib, fn, inputs, requires_grad)
    leaked = [w for w in caught if lib is glasstorch and "numpy" in w.filename]
    assert not leaked, f"NumPy warning leaked: {leaked[0].message}"
    return result


def _run_quiet(lib, fn, inputs, requires_grad):
    leaves, args = [], []
    for x in inputs:
        if isinstance(x, (np.ndarray, Layout)):
            leaf, arg = _tensor(lib, x, requires_grad)
            leaves.append(leaf)
            args.append(arg)
        else:
            args.append(x)
    try:
        return leaves, "ok", fn(lib, *args)
    except Exception as e:  # noqa: BLE001 - compared with torch's below
        return leaves, "err", e


def _tensors(out, lib) -> list:
    """Every tensor in a (possibly nested) result, in order."""
    if isinstance(out, lib.Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _tensors(o, lib)]
    return []


def _name(dt) -> str:
    return str(dt).rsplit(".", 1)[-1]


def assert_same(g, t, where="out", rtol=None, atol=None, grad_fn=True):
    """Compare a glasstorch result ``g`` with torch's ``t`` (recursing into tuples)."""
    if isinstance(t, torch.Tensor):
        assert isinstance(g, glasstorch.Tensor), f"{where}: {type(g).__name__} is not a Tensor"
        assert _name(g.dtype) == _name(t.dtype), f"{where}: dtype {g.dtype} != {t.dtype}"
        assert tuple(g.shape) == tuple(t.shape), f"{where}: shape {g.shape} != {t.shape}"
        assert g.requires_grad == t.requires_grad, f"{where}: requires_grad differs"
        if grad_fn:
            gn = type(g.grad_fn).__name__ if g.grad_fn is not None else None
            tn = type(t.grad_fn).__name__ if t.grad_fn is not None else None
            assert gn == tn, f"{where}: grad_fn {gn} != {tn}"
        gv, tv = g.detach().numpy(), t.detach().numpy()
        if t.dtype.is_floating_point:
            r, a = TOL[_name(t.dtype)]
            np.testing.assert_allclose(gv, tv, rtol=rtol or r, atol=atol or a, equal_nan=True,
                                       err_msg=where)
        else:
            np.testing.assert_array_equal(gv, tv, err_msg=where)
    elif isinstance(t, (tuple, list)) and not isinstance(t, torch.Size):
        assert isinstance(g, (tuple, list)), f"{where}: {type(g).__name__} is not a sequence"
        assert len(g) == len(t), f"{where}: length {len(g)} != {len(t)}"
        if hasattr(t, "_fields"):  # named tuples (values, indices)
            assert getattr(g, "_fields", None) == t._fields, f"{where}: fields differ"
        for i, (a, b) in enumerate(zip(g, t)):
            assert_same(a, b, f"{where}[{i}]", rtol, atol, grad_fn)
    elif isinstance(t, torch.dtype):
        assert _name(g) == _name(t), f"{where}: {g} != {t}"
    elif isinstance(t, float):
        assert isinstance(g, float), f"{where}: {type(g).__name__} is not float"
        np.testing.assert_allclose(g, t, rtol=1e-6, equal_nan=True, err_msg=where)
    else:
        assert type(g) is type(t) or isinstance(t, torch.Size), \
            f"{where}: {type(g).__name__} != {type(t).__name__}"
        assert g == t, f"{where}: {g!r} != {t!r}"


def check(fn, *inputs, requires_grad: bool = True, rtol=None, atol=None, grad_fn: bool = True,
          message: bool = False, seed: int = 0):
    """Run ``fn(lib, *tensors)`` on glasstorch and torch and assert they agree.

    ``message=True`` also requires the first line of torch's error message to begin
    glasstorch's. Returns torch's result (or exception) for further checks.
    """
    gleaves, gk, gout = _run(glasstorch, fn, inputs, requires_grad)
    tleaves, tk, tout = _run(torch, fn, inputs, requires_grad)
    if tk == "err":
        if gk == "ok":
            raise AssertionError(f"torch raised {tout!r}, glasstorch returned {gout!r}")
        assert type(gout) is type(tout), f"glasstorch raised {gout!r}, torch raised {tout!r}"
        if message:
            first = str(tout).split("\n")[0]
            assert str(gout).startswith(first), (str(gout), first)
        return tout
    if gk == "err":
        raise gout
    assert_same(gout, tout, "out", rtol, atol, grad_fn)
    # backward of sum(w_i * out_i) with the same random weights w in both libraries
    touts = [o for o in _tensors(tout, torch) if o.requires_grad]
    gouts = [o for o in _tensors(gout, glasstorch) if o.requires_grad]
    if not touts:
        return tout
    rng = np.random.default_rng(seed + 1)
    ws = [rng.standard_normal(tuple(o.shape)).astype(_name(o.dtype)) for o in touts]
    errors = []
    for lib, outs in ((torch, touts), (glasstorch, gouts)):
        try:
            sum((o * lib.tensor(w)).sum() for o, w in zip(outs, ws)).backward()
            errors.append(None)
        except RuntimeError as e:  # ops without a derivative raise at backward
            errors.append(e)
    assert type(errors[0]) is type(errors[1]), f"backward: torch {errors[0]!r}, {errors[1]!r}"
    if errors[0] is not None:
        return tout
    # gradients mix precisions (a float32 op feeding a float64 leaf): use the coarsest tolerance
    floats = [_name(t.dtype) for t in tleaves if t.dtype.is_floating_point] or ["float32"]
    coarse = max(floats, key=lambda n: GRAD_TOL[n][0])
    r, a = GRAD_TOL[coarse]
    for i, (gl, tl) in enumerate(zip(gleaves, tleaves)):
        if tl.grad is None:
            assert gl.grad is None, f"grad of input {i}: torch has None"
            continue
        assert gl.grad is not None, f"grad of input {i} is None, torch has one"
        assert_same(gl.grad, tl.grad, f"grad of input {i}", rtol or r, atol or a)
    return tout
