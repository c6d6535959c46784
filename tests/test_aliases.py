"""NumPy's names for PyTorch's arguments: ``axis`` for ``dim``, ``keepdims`` for ``keepdim``.

PyTorch's argument parser (the C++ one behind ``torch.sum``, ``Tensor.sum`` ...) also takes
NumPy's spellings of four parameter names: ``axis`` -> ``dim``, ``keepdims`` -> ``keepdim``,
``x``/``a``/``x1`` -> ``input`` and ``x2`` -> ``other``. Functions PyTorch writes in Python
(``torch.norm``, ``Tensor.split``, all of ``torch.nn.functional``) take none of them.
glasstorch takes ``axis`` and ``keepdims`` wherever PyTorch does (checked against the
signatures in torch's own type stubs) and, by design, not the ``input``/``other`` spellings
(they would cost every op, ``a + b`` included, a catch-all argument; no course code uses them):
``test_input_other_spellings`` pins that difference down.
"""

from __future__ import annotations

import ast
import inspect
import os
import types

import numpy as np
import pytest
import torch
from harness import SETTINGS, array, check, seeds, shapes
from hypothesis import given
from hypothesis import strategies as st

import glasstorch


def _same_error(scenario, text: bool = True):
    """Both libraries raise the same exception type (and, with ``text``, torch's message
    begins glasstorch's)."""
    raised = []
    for lib in (torch, glasstorch):
        try:
            scenario(lib)
        except Exception as e:  # noqa: BLE001 - compared below
            raised.append(e)
        else:
            raise AssertionError(f"{lib.__name__} did not raise")
    te, ge = raised
    assert type(ge) is type(te), (ge, te)
    if text:
        assert str(ge).split("\n[glasstorch]")[0] == str(te), (str(ge), str(te))


# -- where PyTorch takes the names: its type stubs list the C functions' parameters ----------


def _stub_params(filename: str, cls: str | None = None) -> dict[str, set[str]]:
    path = os.path.join(os.path.dirname(torch.__file__), "_C", filename)
    body = ast.parse(open(path).read()).body
    if cls is not None:
        body = next(n for n in body if isinstance(n, ast.ClassDef) and n.name == cls).body
    params: dict[str, set[str]] = {}
    for node in body:
        if isinstance(node, ast.FunctionDef):
            a = node.args
            params.setdefault(node.name, set()).update(
                p.arg for p in a.posonlyargs + a.args + a.kwonlyargs)
    return params


def _parsed_in_c() -> dict[tuple[str, str], set[str]]:
    """{(namespace, name): parameter names} of what PyTorch's argument parser handles: the
    builtin torch.* functions and the Tensor methods not redefined in Python."""
    out = {}
    for name, ps in _stub_params("_VariableFunctions.pyi").items():
        if isinstance(getattr(torch, name, None), types.BuiltinFunctionType):
            out[("torch", name)] = ps
    for name, ps in _stub_params("__init__.pyi", "TensorBase").items():
        if name.startswith("__") or not hasattr(torch.Tensor, name):
            continue
        if not isinstance(inspect.getattr_static(torch.Tensor, name),
                          (types.FunctionType, property, classmethod, staticmethod)):
            out[("Tensor", name)] = ps
    return out


C_PARSED = _parsed_in_c()
NAMESPACES = {"torch": glasstorch, "Tensor": glasstorch.Tensor}


def _ours(namespace: str, name: str):
    return getattr(NAMESPACES[namespace], name, None)


def _glass_params(fn) -> set[str]:
    try:
        return set(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return set()


def test_axis_and_keepdims_wherever_torch_takes_them():
    """Every glasstorch function or method whose PyTorch twin parses ``dim`` (``keepdim``)
    takes ``axis`` (``keepdims``) too."""
    lacking = []
    for (ns, name), params in sorted(C_PARSED.items()):
        fn = _ours(ns, name)
        if fn is None or not callable(fn):
            continue
        ours = _glass_params(fn)
        if not ours:
            continue
        for torch_name, numpy_name in (("dim", "axis"), ("keepdim", "keepdims")):
            if torch_name in params and torch_name in ours and numpy_name not in ours:
                lacking.append(f"{ns}.{name}: {numpy_name}")
    assert not lacking, ("these take dim/keepdim but not NumPy's name (add the keyword-only "
                         "parameter, resolved by _ops/_checks.axis or numpy_names): "
                         f"{lacking}")


# PyTorch functions written in Python: no NumPy names (TypeError there, so here too)
PYTHON_DEFINED = [
    ("torch", "norm"), ("torch", "split"), ("Tensor", "norm"), ("Tensor", "split"),
]


@pytest.mark.parametrize("ns,name", PYTHON_DEFINED)
def test_no_axis_where_torch_is_python(ns, name):
    assert isinstance(getattr(torch if ns == "torch" else torch.Tensor, name), types.FunctionType)
    assert "axis" not in _glass_params(_ours(ns, name))
    x = array((2, 3))
    call = {"norm": lambda L, t: (L.norm(t, axis=0) if ns == "torch" else t.norm(axis=0)),
            "split": lambda L, t: (L.split(t, 1, axis=0) if ns == "torch" else
                                   t.split(1, axis=0))}[name]
    _same_error(lambda L: call(L, L.tensor(x)), text=False)


def test_functional_takes_no_numpy_names():
    x = array((2, 3))
    _same_error(lambda L: L.nn.functional.softmax(L.tensor(x), axis=1))
    _same_error(lambda L: L.nn.functional.log_softmax(L.tensor(x), axis=1))


# -- the values: NumPy's names give what PyTorch's give ----------------------------------------

# (lib, x, d, k) -> result, every call spelled with axis (and keepdims where the op has it)
REDUCTIONS = {
    "sum": lambda L, x, d, k: L.sum(x, axis=d, keepdims=k),
    "sum_m": lambda L, x, d, k: x.sum(axis=d, keepdims=k),
    "sum_axis_only": lambda L, x, d, k: x.sum(axis=d),
    "sum_keepdims_only": lambda L, x, d, k: x.sum(d, keepdims=k),
    "mean": lambda L, x, d, k: L.mean(x, axis=d, keepdims=k),
    "mean_m": lambda L, x, d, k: x.mean(axis=d, keepdims=k, dtype=L.float64),
    "nanmean": lambda L, x, d, k: x.nanmean(axis=d, keepdims=k),
    "var": lambda L, x, d, k: L.var(x, axis=d, keepdims=k),
    "std": lambda L, x, d, k: x.std(axis=d, keepdims=k, unbiased=False),
    "var_mean": lambda L, x, d, k: L.var_mean(x, axis=d, keepdims=k),
    "std_mean": lambda L, x, d, k: L.std_mean(x, axis=d, correction=0),
    "prod": lambda L, x, d, k: x.prod(axis=d, keepdims=k),
    "max": lambda L, x, d, k: x.max(axis=d, keepdims=k),
    "min": lambda L, x, d, k: L.min(x, axis=d, keepdims=k),
    "amax": lambda L, x, d, k: x.amax(axis=d, keepdims=k),
    "amin": lambda L, x, d, k: L.amin(x, axis=(d,), keepdims=k),
    "argmax": lambda L, x, d, k: x.argmax(axis=d, keepdims=k),
    "argmin": lambda L, x, d, k: L.argmin(x, axis=d, keepdims=k),
    "all": lambda L, x, d, k: (x > 0).all(axis=d, keepdims=k),
    "any": lambda L, x, d, k: L.any(x > 0, axis=d, keepdims=k),
    "count_nonzero": lambda L, x, d, k: x.count_nonzero(axis=d),
    "logsumexp": lambda L, x, d, k: L.logsumexp(x, axis=d, keepdims=k),
    "softmax": lambda L, x, d, k: x.softmax(axis=d),
    "softmax_fn": lambda L, x, d, k: L.softmax(x, axis=d),
    "log_softmax": lambda L, x, d, k: L.log_softmax(x, axis=d, dtype=L.float64),
    "cumsum": lambda L, x, d, k: x.cumsum(axis=d),
    "sort": lambda L, x, d, k: L.sort(x, axis=d, descending=k, stable=True),
    "argsort": lambda L, x, d, k: x.argsort(axis=d, stable=True),
    "topk": lambda L, x, d, k: x.topk(1, axis=d, largest=k),
    "squeeze": lambda L, x, d, k: x[:1].squeeze(axis=0) if d in (0, -x.ndim) else
    x.squeeze(axis=d),
    "unsqueeze": lambda L, x, d, k: L.unsqueeze(x, axis=d),
    "unbind": lambda L, x, d, k: x.unbind(axis=d),
    "chunk": lambda L, x, d, k: L.chunk(x, 2, axis=d),
    "cat": lambda L, x, d, k: L.cat([x, x * 2], axis=d),
    "concat": lambda L, x, d, k: L.concat([x, x], axis=d),
    "stack": lambda L, x, d, k: L.stack([x, x], axis=d),
    "narrow": lambda L, x, d, k: x.narrow(axis=d, start=0, length=1),
    "select": lambda L, x, d, k: L.select(x, axis=d, index=-1),
    "repeat_interleave": lambda L, x, d, k: x.repeat_interleave(2, axis=d),
    "unflatten": lambda L, x, d, k: L.unflatten(x, axis=d, sizes=(1, -1)),
    "index_select": lambda L, x, d, k: x.index_select(axis=d, index=L.tensor([0, 0])),
    "gather": lambda L, x, d, k: L.gather(x, axis=d, index=L.zeros_like(x, dtype=L.int64)),
    "take_along_dim": lambda L, x, d, k: L.take_along_dim(x, L.zeros_like(x, dtype=L.int64),
                                                          axis=d),
    "scatter": lambda L, x, d, k: x.scatter(axis=d, index=L.zeros_like(x, dtype=L.int64),
                                            src=x * 3),
    "scatter_add": lambda L, x, d, k: L.scatter_add(x, axis=d,
                                                    index=L.zeros_like(x, dtype=L.int64), src=x),
    "index_add": lambda L, x, d, k: x.index_add(axis=d, index=L.tensor([0]),
                                                source=x.narrow(d, 0, 1)),
    "inplace": lambda L, x, d, k: (x * 1).scatter_(axis=d, index=L.zeros_like(
        x, dtype=L.int64), src=x).scatter_add_(axis=d, index=L.zeros_like(x, dtype=L.int64),
                                                src=x).index_add_(axis=d, index=L.tensor([0]),
                                                                  source=x.narrow(d, 0, 1)),
    "size": lambda L, x, d, k: (x.size(axis=d), x.stride(axis=d)),
    "tensor_split": lambda L, x, d, k: L.tensor_split(x, 2, axis=d),
    "diff": lambda L, x, d, k: x.diff(axis=d),
}


@st.composite
def shape_dim(draw):
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=1))
    return shape, draw(st.integers(-len(shape), len(shape) - 1)), draw(st.booleans())


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@SETTINGS
@given(sd=shape_dim(), seed=seeds)
def test_numpy_names_give_torch_results(name, sd, seed):
    shape, d, k = sd
    check(lambda L, x: REDUCTIONS[name](L, x, d, k), array(shape, seed=seed), seed=seed)


def test_axis_tuple_and_none():
    x = array((2, 3, 4))
    check(lambda L, t: (t.sum(axis=(0, 2)), L.mean(t, axis=[1, 2], keepdims=True),
                        L.amax(t, axis=(0, 1)), t.argmax(keepdims=True),
                        t.squeeze(axis=(0, 1)), t.std(axis=(0, 1), keepdims=True)), x)


# -- PyTorch's errors --------------------------------------------------------------------------

BOTH = {
    "sum_dim_kw": lambda L, x: L.sum(x, dim=1, axis=1),
    "sum_dim_pos": lambda L, x: L.sum(x, 1, axis=0),
    "sum_method": lambda L, x: x.sum(dim=1, axis=1),
    "sum_keepdim": lambda L, x: x.sum(1, True, keepdims=True),
    "sum_all_three": lambda L, x: x.sum(axis=1, keepdims=True, keepdim=True),
    "cat": lambda L, x: L.cat([x, x], 1, axis=1),
    "stack": lambda L, x: L.stack([x], axis=1, dim=1),
    "softmax": lambda L, x: L.softmax(x, 1, axis=1),
    "softmax_m": lambda L, x: x.softmax(dim=1, axis=1),
    "argmax": lambda L, x: x.argmax(dim=1, axis=1),
    "argmax_keepdim": lambda L, x: L.argmax(x, keepdim=True, keepdims=True),
    "max_keepdim": lambda L, x: L.max(x, 1, True, keepdims=True),
    "unsqueeze": lambda L, x: x.unsqueeze(0, axis=0),
    "gather": lambda L, x: x.gather(1, L.zeros_like(x, dtype=L.int64), axis=1),
    "size": lambda L, x: x.size(1, axis=1),
}


@pytest.mark.parametrize("name", sorted(BOTH))
def test_both_names_refused(name):
    """``dim`` and ``axis`` (``keepdim`` and ``keepdims``) both given: PyTorch's TypeError,
    naming the NumPy spelling as unexpected."""
    _same_error(lambda L: BOTH[name](L, L.tensor(array((2, 3)))))


# where PyTorch has several overloads its message lists them: the same type only
BOTH_OVERLOADED = {
    "mean": lambda L, x: L.mean(x, dim=1, axis=1),
    "max": lambda L, x: L.max(x, dim=1, axis=1),
    "var": lambda L, x: L.var(x, 1, True, axis=1),
    "sort": lambda L, x: L.sort(x, 0, axis=1),
}


@pytest.mark.parametrize("name", sorted(BOTH_OVERLOADED))
def test_both_names_refused_overloaded(name):
    _same_error(lambda L: BOTH_OVERLOADED[name](L, L.tensor(array((2, 3)))), text=False)


MISSING = {
    "softmax": lambda L, x: L.softmax(x),
    "softmax_m": lambda L, x: x.softmax(),
    "log_softmax": lambda L, x: L.log_softmax(x),
    "cumsum": lambda L, x: L.cumsum(x),
    "unsqueeze": lambda L, x: x.unsqueeze(),
    "logsumexp": lambda L, x: L.logsumexp(x),
    "gather_index": lambda L, x: L.gather(x, 1),
    "gather_both": lambda L, x: L.gather(x),
    "gather_dim_by_name": lambda L, x: x.gather(index=L.zeros_like(x, dtype=L.int64)),
    "index_select": lambda L, x: L.index_select(x, axis=1),
    "select": lambda L, x: L.select(x, 1),
    "unflatten": lambda L, x: L.unflatten(x, 1),
    "scatter_add": lambda L, x: L.scatter_add(x, 0, L.zeros_like(x, dtype=L.int64)),
    "index_add": lambda L, x: L.index_add(x, 0, L.tensor([0])),
}


@pytest.mark.parametrize("name", sorted(MISSING))
def test_missing_dim(name):
    """Ops that need a dim still need one (given as dim or axis): PyTorch's TypeError."""
    _same_error(lambda L: MISSING[name](L, L.tensor(array((2, 3)))))


def test_narrow_missing():
    _same_error(lambda L: L.narrow(L.tensor(array((2, 3))), axis=1, start=0), text=False)


def test_input_other_spellings():
    """PyTorch's parser also maps x/a/x1 to ``input`` and x2 to ``other``; glasstorch does not
    (a deliberate difference, see the module docstring): Python's TypeError names the
    argument."""
    x = array((2, 3))
    for call in (lambda L, t: L.sum(x=t), lambda L, t: L.sum(a=t), lambda L, t: L.exp(x1=t),
                 lambda L, t: L.add(t, x2=t), lambda L, t: t.add(x2=t),
                 lambda L, t: L.max(t, x2=t)):
        r = call(torch, torch.tensor(x))
        assert isinstance(r, torch.Tensor)
        with pytest.raises(TypeError):
            call(glasstorch, glasstorch.tensor(x))
    # ... and neither takes them where PyTorch has no such parameter
    _same_error(lambda L: L.tensor(x).exp(x=L.tensor(x)), text=False)


@pytest.mark.parametrize("axis", [np.int64(1), 1])
def test_numpy_integer_axis(axis):
    check(lambda L, t: (t.sum(axis=axis), L.cat([t, t], axis=axis)), array((2, 3)))
