"""Differential tests: glasstorch's tensor printing against ``repr`` of real torch tensors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glasstorch import _tensor_str as ts

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
FLOATS = ["float32", "float64", "float16"]

# Option sets applied identically to torch and glasstorch.
OPTION_SETS = [
    {},
    {"precision": 2},
    {"precision": 0},
    {"sci_mode": True},
    {"sci_mode": False},
    {"threshold": 20},
    {"threshold": 20, "edgeitems": 1},
    {"threshold": 20, "edgeitems": 0},
    {"edgeitems": 0},
    {"linewidth": 40},
    {"linewidth": 40, "threshold": 30, "precision": 6},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "short", "precision": 3, "sci_mode": True},
]

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


@pytest.fixture(autouse=True)
def _restore_options():
    yield
    torch.set_printoptions(profile="default")
    ts.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)


def _set_both(**opts) -> None:
    torch.set_printoptions(**opts)
    ts.set_printoptions(**opts)


# --------------------------------------------------------------------------------------------
# Array generation: hypothesis draws the shape, dtype, value regime and a seed; NumPy fills in
# the values (so 1000-element arrays stay fast to generate and shrink).

small_shapes = st.lists(st.integers(0, 5), min_size=0, max_size=4).map(tuple)
# Shapes near the 1000-element summarisation threshold, and wide rows that must wrap.
big_shapes = st.sampled_from([
    (1000,), (1001,), (999,), (7, 143), (10, 100), (2, 501), (3, 7, 48), (2, 2, 2, 126),
    (40, 25), (1, 1001), (1001, 1), (6, 7), (1, 60), (30, 1), (4, 0, 300),
])
shapes = st.one_of(small_shapes, small_shapes, big_shapes)

REGIMES = ["small_int", "unit", "wide", "tiny", "huge", "mixed", "int_valued_big"]


def _make_array(shape, dtype_name: str, regime: str, seed: int, specials: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = math.prod(shape)
    dt = np.dtype(dtype_name)
    if dt.kind == "b":
        return (rng.random(n) < 0.5).reshape(shape)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        if regime in ("small_int", "unit", "tiny"):
            lo, hi = max(info.min, -10), min(info.max, 10)
        else:
            lo, hi = info.min, info.max
        return rng.integers(lo, hi, size=n, endpoint=True, dtype=dt).reshape(shape)
    if regime == "small_int":
        x = rng.integers(-10, 10, size=n).astype(np.float64)
    elif regime == "unit":
        x = rng.uniform(-1, 1, size=n)
    elif regime == "wide":
        x = rng.choice([-1.0, 1.0], size=n) * 10.0 ** rng.uniform(-10, 10, size=n)
    elif regime == "tiny":
        x = rng.uniform(-1, 1, size=n) * 1e-6
    elif regime == "huge":
        x = rng.uniform(-1, 1, size=n) * 1e9
    elif regime == "int_valued_big":
        x = np.round(rng.uniform(-1, 1, size=n) * 10.0 ** rng.integers(0, 12, size=n))
    else:  # mixed: a little of everything
        parts = [rng.integers(-10, 10, size=n).astype(np.float64), rng.uniform(-1, 1, size=n),
                 10.0 ** rng.uniform(-10, 10, size=n)]
        x = np.choose(rng.integers(0, 3, size=n), parts)
    if specials and n:
        k = rng.integers(1, max(2, n // 4) + 1)
        where = rng.integers(0, n, size=k)
        x[where] = rng.choice([np.nan, np.inf, -np.inf, -0.0, 0.0], size=k)
    with np.errstate(over="ignore"):
        return x.astype(dt).reshape(shape)


@st.composite
def arrays(draw, dtypes=DTYPES):
    shape = draw(shapes)
    dtype_name = draw(st.sampled_from(dtypes))
    regime = draw(st.sampled_from(REGIMES))
    seed = draw(st.integers(0, 2**32 - 1))
    specials = draw(st.booleans())
    return _make_array(shape, dtype_name, regime, seed, specials)


def _torch_repr(arr: np.ndarray) -> str:
    return repr(torch.from_numpy(arr.copy()))


def _check(mine: str, ref: str) -> None:
    assert mine == ref, f"\nglasstorch:\n{mine}\ntorch:\n{ref}"


# --------------------------------------------------------------------------------------------
# Plain tensors


@SETTINGS
@given(arrays())
def test_repr_matches_torch(arr):
    _check(ts.format_tensor(arr), _torch_repr(arr))


@SETTINGS
@given(arrays(), st.sampled_from(OPTION_SETS))
def test_repr_with_printoptions(arr, opts):
    _set_both(**opts)
    _check(ts.format_tensor(arr), _torch_repr(arr))


@pytest.mark.parametrize("opts", OPTION_SETS, ids=str)
@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3, 0), (5,), (1001,), (3, 4, 90)], ids=str)
def test_repr_fixed_grid(opts, dtype_name, shape):
    _set_both(**opts)
    arr = _make_array(shape, dtype_name, "mixed", seed=len(shape) * 7 + len(opts), specials=True)
    _check(ts.format_tensor(arr), _torch_repr(arr))


@pytest.mark.parametrize(
    "values",
    [[1.0, 2.0], [1e-5, 1.0], [0.1, 0.25], [1e8, 1.0], [1e9], [123456789.0], [-0.0], [0.0, -0.0],
     [np.nan], [np.inf, -np.inf, np.nan], [np.nan, 1.0, -0.0, 100.0], [-0.0, 0.5], [1e-4],
     [9.99e-5, 1.0], [1000.0, 1.0], [1001.0, 1.0], [0.5, 1000.5], [3.0e38], [1e-45], [65504.0]],
    ids=str,
)
@pytest.mark.parametrize("dtype_name", FLOATS)
def test_repr_float_edge_values(values, dtype_name):
    with np.errstate(over="ignore"):
        arr = np.array(values, dtype=dtype_name)
    _check(ts.format_tensor(arr), _torch_repr(arr))
    _check(ts.format_tensor(arr[..., 0]), _torch_repr(arr[..., 0]))  # 0-d


# --------------------------------------------------------------------------------------------
# Autograd suffixes, Parameter, default dtype


@SETTINGS
@given(arrays(dtypes=FLOATS), st.sampled_from([{}, {"linewidth": 40}, {"threshold": 10}]))
def test_requires_grad_and_grad_fn_suffix(arr, opts):
    _set_both(**opts)
    leaf = torch.tensor(arr, requires_grad=True)
    _check(ts.format_tensor(arr, suffixes=ts.autograd_suffixes(None, True)), repr(leaf))
    out = leaf * 1
    assert type(out.grad_fn).__name__ == "MulBackward0"
    _check(ts.format_tensor(arr, suffixes=ts.autograd_suffixes("MulBackward0", True)),
           repr(out))


@SETTINGS
@given(arrays(dtypes=FLOATS), st.booleans())
def test_parameter_repr(arr, requires_grad):
    p = torch.nn.Parameter(torch.from_numpy(arr.copy()), requires_grad=requires_grad)
    mine = ts.format_tensor(arr, header="Parameter containing:\n",
                            suffixes=ts.autograd_suffixes(None, requires_grad))
    _check(mine, repr(p))


@SETTINGS
@given(arrays())
def test_default_dtype_float64(arr):
    torch.set_default_dtype(torch.float64)
    _check(ts.format_tensor(arr, default_dtype="float64"), _torch_repr(arr))


def test_long_suffix_wraps_onto_new_line():
    arr = np.linspace(-1, 1, 9, dtype=np.float64)
    for width in (40, 50, 60, 70, 80, 100):
        _set_both(linewidth=width)
        leaf = torch.tensor(arr, requires_grad=True)
        _check(ts.format_tensor(arr, suffixes=ts.autograd_suffixes(None, True)), repr(leaf))
        _check(ts.format_tensor(arr, suffixes=ts.autograd_suffixes("MulBackward0", True)),
               repr(leaf * 1))


def test_dtype_name_argument_and_str_equivalence():
    arr = np.arange(6, dtype=np.int32).reshape(2, 3)
    assert ts.format_tensor(arr, "int32") == ts.format_tensor(arr) == _torch_repr(arr)
    assert str(torch.from_numpy(arr)) == ts.format_tensor(arr)


# --------------------------------------------------------------------------------------------
# set_printoptions / get_printoptions state machine


CALLS = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "precision": st.integers(0, 8),
            "threshold": st.sampled_from([5, 100, 1000, math.inf]),
            "edgeitems": st.integers(0, 4),
            "linewidth": st.integers(20, 120),
            "profile": st.sampled_from(["default", "short", "full", "nonsense"]),
            "sci_mode": st.sampled_from([None, True, False]),
        },
    ),
    min_size=1, max_size=4,
)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(CALLS)
def test_printoptions_state_matches_torch(calls):
    try:
        for kwargs in calls:
            _set_both(**kwargs)
            assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
            arr = np.arange(-30, 30, dtype=np.float32).reshape(6, 10) / 7
            _check(ts.format_tensor(arr), _torch_repr(arr))
    finally:
        _set_both(profile="default")


def test_printoptions_context_manager_restores():
    before = ts.get_printoptions()
    with ts.printoptions(precision=1, sci_mode=True):
        assert ts.get_printoptions()["precision"] == 1
        assert ts.get_printoptions()["sci_mode"] is True
    assert ts.get_printoptions() == before
