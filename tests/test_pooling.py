"""Differential tests of max / average / adaptive average pooling (F and nn, 1-d and 2-d)
against torch: values, indices, dtypes, gradients, grad_fn names, errors (types and texts),
reprs, checkpoints, and float64 gradcheck."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from harness import (
    SETTINGS,
    array,
    assert_same_graph,
    build,
    check,
    check_layer,
    checkpoints_cross,
    lay,
    make_layer,
    same_error,
)
from hypothesis import assume, given
from hypothesis import strategies as st

import glasstorch


def _distinct(shape, dtype, seed):
    """Values without ties (max pooling's gradient is ambiguous at a tie)."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) / max(n, 1) - 0.5).astype(dtype)


@st.composite
def pool2d_cases(draw, max_pool: bool):
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(2))
    stride = draw(st.one_of(st.none(), st.just(()), st.integers(1, 3),
                            st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = draw(st.one_of(st.integers(0, 1), st.tuples(st.integers(0, 1), st.integers(0, 1))))
    dilation = draw(st.one_of(st.integers(1, 2), st.tuples(st.integers(1, 2),
                                                            st.integers(1, 2)))) \
        if max_pool else 1
    ceil_mode = draw(st.booleans())
    spatial = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    lead = draw(st.sampled_from([(), (0,), (1,), (2,)]))
    shape = lead + (draw(st.integers(1, 3)),) + spatial
    dtype = draw(st.sampled_from(["float32", "float64"]))
    layout = draw(st.sampled_from(["contiguous", "transposed", "strided"]))
    return shape, kernel, stride, padding, dilation, ceil_mode, dtype, layout


def _taps_inside(n, k, s, p, d, ceil_mode) -> bool:
    """Whether every window has a tap inside the input: PyTorch's max-pool backward writes
    outside the tensor otherwise (and may crash), so such cases are not compared."""
    out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return all(any(0 <= i * s - p + j * d < n for j in range(k)) for i in range(max(out, 0)))


def _pairs(v):
    return tuple(v) * (3 - len(v)) if isinstance(v, tuple) else (v, v)


@SETTINGS
@given(pool2d_cases(max_pool=True), st.booleans(), st.integers(0, 2**16))
def test_max_pool2d_matches_torch(case, return_indices, seed):
    shape, kernel, stride, padding, dilation, ceil_mode, dtype, layout = case
    strides = kernel if stride in (None, ()) else _pairs(stride)
    assume(all(_taps_inside(n, k, s, p, d, ceil_mode) for n, k, s, p, d in zip(
        shape[-2:], kernel, strides, _pairs(padding), _pairs(dilation))))

    def pool(lib, x):
        return lib.nn.functional.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode,
                                            return_indices)

    check(pool, lay(_distinct(shape, dtype, seed), layout), message=True, seed=seed)


@SETTINGS
@given(pool2d_cases(max_pool=False), st.booleans(), st.sampled_from([None, 1, 3, -2]),
       st.integers(0, 2**16))
def test_avg_pool2d_matches_torch(case, count_include_pad, divisor, seed):
    shape, kernel, stride, padding, _, ceil_mode, dtype, layout = case

    def pool(lib, x):
        return lib.nn.functional.avg_pool2d(x, kernel, stride, padding, ceil_mode,
                                            count_include_pad, divisor)

    check(pool, lay(array(shape, dtype, seed), layout), message=True, seed=seed)


@SETTINGS
@given(st.integers(1, 3), st.sampled_from([None, 1, 2]), st.integers(0, 1), st.integers(1, 2),
       st.booleans(), st.integers(1, 9), st.sampled_from([(), (0,), (2,)]), st.booleans(),
       st.booleans(), st.integers(0, 2**16))
def test_pool1d_matches_torch(k, s, p, d, ceil_mode, length, lead, return_indices, average,
                              seed):
    shape = lead + (2, length)
    assume(average or _taps_inside(length, k, s or k, p, d, ceil_mode))

    def pool(lib, x):
        F = lib.nn.functional
        if average:
            return F.avg_pool1d(x, k, s, p, ceil_mode, count_include_pad=bool(d - 1))
        return F.max_pool1d(x, k, s, p, d, ceil_mode, return_indices)

    check(pool, _distinct(shape, "float32", seed), message=True, seed=seed)


@SETTINGS
@given(st.sampled_from([(2, 3, 7, 5), (3, 4, 4), (1, 2, 1, 6), (0, 2, 5, 5)]),
       st.one_of(st.integers(0, 8), st.tuples(st.one_of(st.none(), st.integers(0, 9)),
                                               st.one_of(st.none(), st.integers(0, 9)))),
       st.sampled_from(["float32", "float64"]), st.integers(0, 2**16))
def test_adaptive_avg_pool2d_matches_torch(shape, out, dtype, seed):
    check(lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, out),
          lay(array(shape, dtype, seed), "transposed"), message=True, seed=seed)


@pytest.mark.parametrize("shape, out", [((2, 3, 7), 3), ((3, 5), 1), ((2, 3, 4), 9),
                                        ((0, 2, 5), 2), ((2, 3, 6), (4,))])
def test_adaptive_avg_pool1d_matches_torch(shape, out):
    check(lambda lib, x: lib.nn.functional.adaptive_avg_pool1d(x, out), array(shape))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float16"])
def test_pooling_other_dtypes(dtype):
    x = array((2, 3, 7, 6), dtype, 0, low=-9 if dtype != "uint8" else 0, high=9)
    for fn in (lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True,
                                                           return_indices=True),
               lambda lib, x: lib.nn.functional.avg_pool2d(x, 3, 2, 1, ceil_mode=True),
               lambda lib, x: lib.nn.functional.avg_pool2d(x, 2, count_include_pad=False,
                                                           padding=1),
               lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, (3, 2)),
               lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, 1),
               lambda lib, x: lib.nn.functional.max_pool1d(x[0], 2),
               lambda lib, x: lib.nn.functional.avg_pool1d(x[0], 2)):
        check(fn, x, requires_grad=False, message=True)


def test_grad_fn_names():
    def outputs(lib):
        F = lib.nn.functional
        x = lib.ones(2, 3, 6, 6, requires_grad=True)
        x1 = lib.ones(2, 3, 6, requires_grad=True)
        return [F.max_pool2d(x, 2), F.max_pool2d(x, 2, return_indices=True)[0],
                F.max_pool1d(x1, 2), F.max_pool1d(x1, 2, return_indices=True)[0],
                F.avg_pool2d(x, 2), F.avg_pool1d(x1, 2), F.adaptive_avg_pool2d(x, 1),
                F.adaptive_avg_pool2d(x, (2, 3)), F.adaptive_avg_pool1d(x1, 1),
                F.adaptive_avg_pool1d(x1, 4)]

    for i, (g, t) in enumerate(zip(outputs(glasstorch), outputs(torch), strict=True)):
        assert_same_graph(g, t, f"output {i}")


def test_indices_point_at_the_maxima():
    x = _distinct((2, 3, 7, 5), "float32", 3)
    g = glasstorch.tensor(x)
    out, idx = glasstorch.nn.functional.max_pool2d(g, 3, 2, 1, dilation=1, return_indices=True)
    flat = x.reshape(2, 3, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, idx.numpy().reshape(2, 3, -1), 2),
                                  out.numpy().reshape(2, 3, -1))
    assert idx.dtype == glasstorch.int64 and not idx.requires_grad


TIES = {  # each 2x2 window of the first plane: a tie, all -inf, a NaN, a plain maximum
    "ties and -inf": [[1.0, 1.0, -np.inf, -np.inf], [1.0, 0.0, -np.inf, -np.inf],
                      [0.0, 2.0, 3.0, 3.0], [2.0, 2.0, 3.0, 3.0]],
    "nan": [[np.nan, 1.0, 0.5, 0.25], [1.0, np.nan, 0.0, 2.0],
            [-1.0, -2.0, 4.0, 4.0], [-3.0, -1.0, 1.0, 4.0]],
}


@pytest.mark.parametrize("name", TIES)
@pytest.mark.parametrize("kernel, stride, padding", [(2, 2, 0), (2, 1, 0), (2, 2, 1), (3, 3, 0)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_max_pool2d_ties_inf_nan(name, kernel, stride, padding, dtype):
    # the first maximum of a window takes the gradient, an all -inf window its first tap,
    # a NaN wins; disjoint windows (stride >= kernel) take the scatter-by-assignment path
    x = np.stack([np.array(TIES[name]), -np.array(TIES[name])])[None].astype(dtype)

    def pool(lib, t):
        return lib.nn.functional.max_pool2d(t, kernel, stride, padding, return_indices=True)

    check(pool, x)


# -- errors ---------------------------------------------------------------------------------

X = (2, 3, 8, 8)
POOL_ERRORS = {
    "max 2-d input": lambda L: L.nn.functional.max_pool2d(L.ones(8, 8), 2),
    "max 5-d input": lambda L: L.nn.functional.max_pool2d(L.ones(1, 2, 3, 8, 8), 2),
    "max zero kernel": lambda L: L.nn.functional.max_pool2d(L.ones(*X), 0),
    "max zero kernel, stride 1": lambda L: L.nn.functional.max_pool2d(L.ones(*X), 0, 1),
    "max negative kernel": lambda L: L.nn.functional.max_pool2d(L.ones(*X), -1),
    "max zero stride": lambda L: L.nn.functional.max_pool2d(L.ones(*X), 2, stride=0),
    "max negative stride": lambda L: L.nn.functional.max_pool2d(L.ones(*X), 2, stride=-1),
    "max zero dilation": lambda L: L.nn.functional.max_pool2d(L.ones(*X), 2, dilation=0),
    "max big padding": lambda L: L.nn.functional.max_pool2d(L.ones(*X), 2, padding=2),
    "max big padding, dilated": lambda L: L.nn.functional.max_pool2d(L.ones(*X), 3, padding=2,
                                                                     dilation=2),
    "max negative padding": lambda L: L.nn.functional.max_pool2d(L.ones(*X), 2, padding=-1),
    "max too small": lambda L: L.nn.functional.max_pool2d(L.ones(2, 3, 1, 1), 2),
    "max too small width": lambda L: L.nn.functional.max_pool2d(L.ones(2, 3, 8, 1), 2),
    "max kernel length": lambda L: L.nn.functional.max_pool2d(L.ones(*X), (2, 2, 2)),
    "max stride length": lambda L: L.nn.functional.max_pool2d(L.ones(*X), 2, (2, 2, 2)),
    "max padding length": lambda L: L.nn.functional.max_pool2d(L.ones(*X), 2, padding=(1, 1, 1)),
    "max dilation length": lambda L: L.nn.functional.max_pool2d(L.ones(*X), 2,
                                                                dilation=(1, 1, 1)),
    "max empty channels": lambda L: L.nn.functional.max_pool2d(L.ones(2, 0, 8, 8), 2),
    "max bool": lambda L: L.nn.functional.max_pool2d(L.ones(*X, dtype=L.bool), 2),
    "avg 2-d input": lambda L: L.nn.functional.avg_pool2d(L.ones(8, 8), 2),
    "avg 5-d input": lambda L: L.nn.functional.avg_pool2d(L.ones(1, 2, 3, 8, 8), 2),
    "avg zero kernel": lambda L: L.nn.functional.avg_pool2d(L.ones(*X), 0),
    "avg zero kernel, stride 1": lambda L: L.nn.functional.avg_pool2d(L.ones(*X), 0, 1),
    "avg negative stride": lambda L: L.nn.functional.avg_pool2d(L.ones(*X), 2, -1),
    "avg big padding": lambda L: L.nn.functional.avg_pool2d(L.ones(*X), 2, padding=2),
    "avg uneven padding": lambda L: L.nn.functional.avg_pool2d(L.ones(*X), (3, 1),
                                                               padding=(1, 1)),
    "avg too small": lambda L: L.nn.functional.avg_pool2d(L.ones(2, 3, 1, 1), 2),
    "avg zero divisor": lambda L: L.nn.functional.avg_pool2d(L.ones(*X), 2, divisor_override=0),
    "avg zero divisor first": lambda L: L.nn.functional.avg_pool2d(L.ones(8, 8), 2, stride=0,
                                                                   divisor_override=0),
    "avg kernel length": lambda L: L.nn.functional.avg_pool2d(L.ones(*X), (2, 2, 2)),
    "avg empty channels": lambda L: L.nn.functional.avg_pool2d(L.ones(2, 0, 8, 8), 2),
    "avg bool": lambda L: L.nn.functional.avg_pool2d(L.ones(*X, dtype=L.bool), 2),
    "max1d 1-d input": lambda L: L.nn.functional.max_pool1d(L.ones(8), 2),
    "max1d 4-d input": lambda L: L.nn.functional.max_pool1d(L.ones(*X), 2),
    "max1d empty length": lambda L: L.nn.functional.max_pool1d(L.ones(2, 3, 0), 2),
    "max1d zero kernel": lambda L: L.nn.functional.max_pool1d(L.ones(2, 3, 8), 0),
    "max1d zero stride": lambda L: L.nn.functional.max_pool1d(L.ones(2, 3, 8), 2, 0),
    "max1d big padding": lambda L: L.nn.functional.max_pool1d(L.ones(2, 3, 8), 2, padding=2),
    "max1d negative padding": lambda L: L.nn.functional.max_pool1d(L.ones(2, 3, 8), 2,
                                                                   padding=-1),
    "max1d zero dilation": lambda L: L.nn.functional.max_pool1d(L.ones(2, 3, 8), 2, dilation=0),
    "max1d too small": lambda L: L.nn.functional.max_pool1d(L.ones(2, 3, 1), 2),
    "max1d kernel length": lambda L: L.nn.functional.max_pool1d(L.ones(2, 3, 8), (2, 2)),
    "max1d stride length": lambda L: L.nn.functional.max_pool1d(L.ones(2, 3, 8), 2, (1, 2)),
    "max1d padding length": lambda L: L.nn.functional.max_pool1d(L.ones(2, 3, 8), 2,
                                                                 padding=(1, 2)),
    "max1d dilation length": lambda L: L.nn.functional.max_pool1d(L.ones(2, 3, 8), 2,
                                                                  dilation=(1, 2)),
    "max1d long": lambda L: L.nn.functional.max_pool1d(L.ones(2, 3, 8, dtype=L.long), 2),
    "max1d indices 1-d input": lambda L: L.nn.functional.max_pool1d(L.ones(8), 2,
                                                                    return_indices=True),
    "max1d indices kernel length": lambda L: L.nn.functional.max_pool1d(
        L.ones(2, 3, 8), (2, 2), return_indices=True),
    "max1d indices too small": lambda L: L.nn.functional.max_pool1d(
        L.ones(2, 3, 1), 2, return_indices=True),
    "max1d indices empty channels": lambda L: L.nn.functional.max_pool1d(
        L.ones(2, 0, 8), 2, return_indices=True),
    "avg1d 1-d input": lambda L: L.nn.functional.avg_pool1d(L.ones(8), 2),
    "avg1d 4-d input": lambda L: L.nn.functional.avg_pool1d(L.ones(*X), 2),
    "avg1d kernel length": lambda L: L.nn.functional.avg_pool1d(L.ones(2, 3, 8), (2, 2)),
    "avg1d empty kernel": lambda L: L.nn.functional.avg_pool1d(L.ones(2, 3, 8), []),
    "avg1d stride length": lambda L: L.nn.functional.avg_pool1d(L.ones(2, 3, 8), 2, (1, 2)),
    "avg1d too small": lambda L: L.nn.functional.avg_pool1d(L.ones(2, 3, 1), 2),
    "avg1d zero stride": lambda L: L.nn.functional.avg_pool1d(L.ones(2, 3, 8), 2, 0),
    "adaptive 2-d input": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(8, 8), 2),
    "adaptive 5-d input": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(1, 2, 3, 8, 8),
                                                                        2),
    "adaptive output length": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(*X),
                                                                            (2, 2, 2)),
    "adaptive output list of one": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(*X),
                                                                                 [2]),
    "adaptive negative": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(*X), (2, -1)),
    "adaptive empty spatial": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(2, 3, 0, 8),
                                                                            2),
    "adaptive long": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(*X, dtype=L.long), 2),
    "adaptive long 1x1": lambda L: L.nn.functional.adaptive_avg_pool2d(
        L.ones(*X, dtype=L.long), 1),
    "adaptive None on 2-d": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(8, 8),
                                                                          (2, None)),
    "adaptive1d 1-d input": lambda L: L.nn.functional.adaptive_avg_pool1d(L.ones(8), 1),
    "adaptive1d 4-d input": lambda L: L.nn.functional.adaptive_avg_pool1d(L.ones(*X), 2),
    "adaptive1d output length": lambda L: L.nn.functional.adaptive_avg_pool1d(
        L.ones(2, 3, 8), (2, 2)),
    "adaptive1d negative": lambda L: L.nn.functional.adaptive_avg_pool1d(L.ones(2, 3, 8), -1),
    "adaptive1d long": lambda L: L.nn.functional.adaptive_avg_pool1d(
        L.ones(2, 3, 8, dtype=L.long), 3),
}


@pytest.mark.parametrize("name", list(POOL_ERRORS))
def test_pool_errors_match_torch(name):
    same_error(POOL_ERRORS[name])


@pytest.mark.parametrize("scenario", [
    lambda L: L.nn.functional.max_pool2d(np.ones(X), 2),
    lambda L: L.nn.functional.max_pool2d(np.ones(X), 2, return_indices=True),
    lambda L: L.nn.functional.max_pool1d(np.ones((2, 3, 8)), 2),
    lambda L: L.nn.functional.max_pool1d(np.ones((2, 3, 8)), 2, return_indices=True),
    lambda L: L.nn.functional.avg_pool2d(np.ones(X), 2),
    lambda L: L.nn.functional.avg_pool1d(np.ones((2, 3, 8)), 2),
    lambda L: L.nn.functional.max_pool2d(L.ones(*X), 2.0),
    lambda L: L.nn.functional.avg_pool2d(L.ones(*X), 2, divisor_override=1.5),
    lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(*X), 2.5),
    lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(*X), (1.5, 2)),
    lambda L: L.nn.functional.adaptive_avg_pool1d(L.ones(2, 3, 8), None),
])
def test_pool_type_errors(scenario):
    same_error(scenario, text=False)


def test_pool_hint_for_flattened_input():
    with pytest.raises(RuntimeError, match=r"\[glasstorch\].*nn\.Flatten\(\)"):
        glasstorch.nn.MaxPool2d(2)(glasstorch.ones(4, 64))
    with pytest.raises(RuntimeError, match=r"\[glasstorch\] the 1x1 feature maps"):
        glasstorch.nn.MaxPool2d(2)(glasstorch.ones(4, 3, 1, 1))


# -- gradcheck ------------------------------------------------------------------------------

GRADCHECK = {
    "max_pool2d": lambda F, x: F.max_pool2d(x, (3, 2), (2, 1), (1, 1), (1, 2), True),
    "max_pool2d overlapping": lambda F, x: F.max_pool2d(x, 3, 1, 1),
    "max_pool1d": lambda F, x: F.max_pool1d(x[0], 3, 2, 1, ceil_mode=True),
    "avg_pool2d": lambda F, x: F.avg_pool2d(x, 3, 2, 1, True, False),
    "avg_pool2d divisor": lambda F, x: F.avg_pool2d(x, 2, 1, 1, divisor_override=3),
    "avg_pool1d": lambda F, x: F.avg_pool1d(x[0], 2, 1, 1),
    "adaptive_avg_pool2d": lambda F, x: F.adaptive_avg_pool2d(x, (3, 4)),
    "adaptive_avg_pool2d 1x1": lambda F, x: F.adaptive_avg_pool2d(x, 1),
    "adaptive_avg_pool1d": lambda F, x: F.adaptive_avg_pool1d(x[0], 4),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck_float64(name):
    x = _distinct((2, 2, 5, 6), "float64", 0) * 10
    for lib in (glasstorch, torch):
        t = lib.tensor(x, requires_grad=True)
        assert lib.autograd.gradcheck(lambda t, lib=lib: GRADCHECK[name](lib.nn.functional, t),
                                      (t,)), lib.__name__


# -- modules --------------------------------------------------------------------------------

MODULES = [
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", ((3, 2),), {"stride": (2, 1), "padding": 1, "dilation": (1, 2),
                              "ceil_mode": True}),
    ("MaxPool2d", (3,), {"stride": 2, "return_indices": True}),
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}),
    ("MaxPool1d", (2,), {"return_indices": True}),
    ("AvgPool2d", (2,), {}),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True,
                         "count_include_pad": False, "divisor_override": 2}),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1}),
    ("AdaptiveAvgPool2d", ((2, None),), {}),
    ("AdaptiveAvgPool2d", (1,), {}),
    ("AdaptiveAvgPool1d", (3,), {}),
]


@pytest.mark.parametrize("name, args, kwargs", MODULES)
def test_pool_module_matches_torch(name, args, kwargs):
    gm, tm = build(make_layer(name, *args, **kwargs))
    assert gm.state_dict() == {} and tm.state_dict() == {}
    shape = (2, 3, 7) if name.endswith("1d") else (2, 3, 7, 6)
    x = _distinct(shape, "float32", 1)
    if kwargs.get("return_indices"):
        check(lambda lib, x: getattr(lib.nn, name)(*args, **kwargs)(x), x)
    else:
        check_layer(gm, tm, x)
        check_layer(gm, tm, x[0])
    checkpoints_cross(gm, tm)


def test_pool_module_attributes():
    def attrs(lib):
        nn = lib.nn
        mods = [nn.MaxPool2d(2), nn.MaxPool2d((2, 3), (1, 2), 1, 2, True, True), nn.MaxPool1d(2),
                nn.AvgPool2d(3, None, 1), nn.AvgPool1d(2), nn.AvgPool1d(3, 1, 1, True, False),
                nn.AdaptiveAvgPool2d((None, 2)), nn.AdaptiveAvgPool1d(4)]
        return [sorted((k, v) for k, v in vars(m).items() if not k.startswith("_") and
                       k != "training") for m in mods]

    assert attrs(glasstorch) == attrs(torch)
