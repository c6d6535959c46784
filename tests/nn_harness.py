"""Differential helpers for layers (modules with parameters), beside ``harness.py``.

A layer is built in both libraries from the same seed (so its initial weights must be torch's
bit for bit), run on the same inputs, and compared: outputs (values, dtypes, shapes, grad_fn
names or whole grad_fn trees), the gradients of its parameters and inputs after a backward of
a random-weighted sum of its outputs, and its errors (type and torch's text first).
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from harness import GRAD_TOL, TOL, assert_same

import glasstorch

LIBS = (glasstorch, torch)


def tree(fn, depth: int = 40):
    """(name, [children]) of a grad_fn and everything behind it; None for an empty edge.
    (Shared nodes are repeated: use :func:`graph` for recurrent graphs.)"""
    if fn is None:
        return None
    if depth == 0:
        return "..."
    return (_name(fn), [tree(f, depth - 1) for f, _ in fn.next_functions])


def _name(fn) -> str:
    return fn.name() if callable(getattr(fn, "name", None)) else type(fn).__name__


def graph(fn) -> list:
    """The grad_fn graph behind ``fn`` as a list of (name, [(child number, output slot)]),
    numbered in depth-first order, each node once: two graphs are the same (names, edges,
    their order, None edges, sharing) exactly when these lists are equal."""
    number: dict = {}
    out: list = []

    def visit(node) -> int:
        stack = [(node, iter(node.next_functions))]
        number[node] = len(out)
        out.append([_name(node), []])
        while stack:
            cur, it = stack[-1]
            for child, slot in it:
                if child is None:
                    out[number[cur]][1].append(None)
                    continue
                if child not in number:
                    number[child] = len(out)
                    out.append([_name(child), []])
                    out[number[cur]][1].append((number[child], slot))
                    stack.append((child, iter(child.next_functions)))
                    break
                out[number[cur]][1].append((number[child], slot))
            else:
                stack.pop()
        return number[node]

    if fn is not None:
        visit(fn)
    return [(n, tuple(c)) for n, c in out]


def first_graph_difference(a: list, b: list) -> str | None:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"node {i}: {x} != {y}"
    return None if len(a) == len(b) else f"{len(a)} nodes != {len(b)}"


def tensors(out, lib) -> list:
    if isinstance(out, lib.Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in tensors(o, lib)]
    return []


def build(factory, seed: int = 0):
    """``factory(lib)`` in both libraries after manual_seed(seed); the parameters (names,
    order, dtypes, values) must be identical bit for bit. Returns (glasstorch's, torch's)."""
    made = []
    for lib in LIBS:
        lib.manual_seed(seed)
        made.append(factory(lib))
    g, t = made
    gp, tp = list(g.named_parameters()), list(t.named_parameters())
    assert [n for n, _ in gp] == [n for n, _ in tp]
    for (n, a), (_, b) in zip(gp, tp):
        assert str(a.dtype) == str(b.dtype), n
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), err_msg=n)
    assert repr(g) == repr(t)
    return g, t


def as_lib(x, lib, requires_grad=False):
    """NumPy arrays (possibly nested in tuples) as tensors of ``lib``."""
    if isinstance(x, np.ndarray):
        t = lib.tensor(x)
        return t.requires_grad_() if requires_grad and x.dtype.kind == "f" else t
    if isinstance(x, tuple):
        return tuple(as_lib(v, lib, requires_grad) for v in x)
    return x


def compare(gm, tm, inputs: tuple, kwargs: dict | None = None, *, grad: bool = True,
            whole_graph: bool = False, rtol=None, atol=None, seed: int = 0,
            call=None):
    """Run both layers on ``inputs`` (NumPy arrays, nested in tuples as the layer takes
    them) and compare outputs, grad_fn names (whole trees with ``whole_graph``), and the
    gradients of the floating inputs and of every parameter. Returns torch's output."""
    kwargs = kwargs or {}
    call = call or (lambda m, *a, **k: m(*a, **k))
    results = []
    for lib, m in ((glasstorch, gm), (torch, tm)):
        args = [as_lib(x, lib, grad) for x in inputs]
        kw = {k: as_lib(v, lib) for k, v in kwargs.items()}
        out = call(m, *args, **kw)
        results.append((args, out))
    (gargs, gout), (targs, tout) = results
    assert_same(gout, tout, "out", rtol=rtol, atol=atol)
    if whole_graph:
        for i, (a, b) in enumerate(zip(tensors(gout, glasstorch), tensors(tout, torch))):
            ta, tb = graph(a.grad_fn), graph(b.grad_fn)
            assert ta == tb, f"grad_fn graph of output {i}: {first_graph_difference(ta, tb)}"
    if not grad:
        return tout
    touts = [o for o in tensors(tout, torch) if o.requires_grad]
    gouts = [o for o in tensors(gout, glasstorch) if o.requires_grad]
    assert len(touts) == len(gouts)
    if not touts:
        return tout
    rng = np.random.default_rng(seed + 1)
    ws = [rng.standard_normal(tuple(o.shape)).astype(str(o.dtype).split(".")[-1]) for o in touts]
    for lib, outs in ((torch, touts), (glasstorch, gouts)):
        sum((o * lib.tensor(w)).sum() for o, w in zip(outs, ws)).backward()
    dt = str(touts[0].dtype).split(".")[-1]
    r, a = GRAD_TOL[dt]
    for i, (x, y) in enumerate(zip(tensors(tuple(gargs), glasstorch),
                                   tensors(tuple(targs), torch))):
        if y.grad is None:
            assert x.grad is None, f"grad of input {i}: torch has None"
        else:
            assert x.grad is not None, f"grad of input {i} is None"
            assert_same(x.grad, y.grad, f"grad of input {i}", rtol=rtol or r, atol=atol or a)
    for (n, p), (_, q) in zip(gm.named_parameters(), tm.named_parameters()):
        if q.grad is None:
            assert p.grad is None, f"grad of {n}: torch has None"
        else:
            assert p.grad is not None, f"grad of {n} is None"
            assert_same(p.grad, q.grad, f"grad of {n}", rtol=rtol or r, atol=atol or a)
    return tout


def same_error(fn) -> BaseException:
    """``fn(lib)`` raises the same exception type in both, glasstorch's message starting
    with torch's (the ``[glasstorch]`` hint may follow)."""
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises(Exception) as ge:
        fn(glasstorch)
    assert type(ge.value) is type(te.value), (ge.value, te.value)
    assert str(ge.value).startswith(str(te.value)), (str(ge.value), str(te.value))
    return ge.value


def same_warnings(fn) -> None:
    """``fn(lib)`` warns the same (category and message) in both (a warning from PyTorch's
    C++ code ends with where it was triggered; that part is not compared)."""
    import warnings

    got = []
    for lib in (torch, glasstorch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fn(lib)
        got.append([(w.category, str(w.message).split(" (Triggered internally at")[0])
                    for w in caught if "TypedStorage" not in str(w.message)])
    assert got[1] == got[0]


def checkpoints_cross(gm, tm) -> None:
    """The layer's state_dict saved by glasstorch loads in torch (weights_only) and the
    reverse; after loading, both hold each other's values exactly."""
    buf = io.BytesIO()
    glasstorch.save(gm.state_dict(), buf)
    buf.seek(0)
    sd = torch.load(buf, weights_only=True)
    assert list(sd) == list(tm.state_dict())
    tm.load_state_dict(sd)
    for (k, a), b in zip(gm.state_dict().items(), tm.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    # and back: torch's values, perturbed so the load visibly changes glasstorch's layer
    with torch.no_grad():
        for p in tm.parameters():
            p.add_(0.5)
    buf = io.BytesIO()
    torch.save(tm.state_dict(), buf)
    buf.seek(0)
    gm.load_state_dict(glasstorch.load(buf, weights_only=True))
    for (k, a), b in zip(gm.state_dict().items(), tm.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)


def float_tol(dtype: str):
    return TOL[dtype]

