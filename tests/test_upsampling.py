"""Differential tests of F.interpolate and nn.Upsample against torch: nearest, nearest-exact,
linear, bilinear (align_corners) and area; size or scale_factor (recompute_scale_factor);
values, dtypes, gradients, grad_fn names, errors (types and texts), reprs, gradcheck."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from harness import (
    SETTINGS,
    array,
    build,
    check,
    check_layer,
    checkpoints_cross,
    lay,
    make_layer,
    same_error,
)
from hypothesis import given
from hypothesis import strategies as st

import glasstorch


@st.composite
def resize_cases(draw):
    mode = draw(st.sampled_from(["nearest", "nearest-exact", "linear", "bilinear", "area"]))
    nd = 1 if mode == "linear" else (2 if mode == "bilinear" else draw(st.sampled_from([1, 2])))
    spatial = tuple(draw(st.integers(1, 6)) for _ in range(nd))
    batch = draw(st.sampled_from([0, 1, 2]))
    shape = (batch, draw(st.integers(1, 2))) + spatial
    if draw(st.booleans()):
        size = tuple(draw(st.integers(1, 9)) for _ in range(nd))
        size = size[0] if draw(st.booleans()) else size
        kwargs = {"size": size}
    else:
        factor = draw(st.sampled_from([0.5, 0.75, 1.0, 1.3, 1.5, 2.0, 2.5, 3.0, 1 / 3]))
        if draw(st.booleans()):
            factor = tuple(draw(st.sampled_from([0.7, 1.0, 2.0, 2.2, 3.0])) for _ in range(nd))
        kwargs = {"scale_factor": factor,
                  "recompute_scale_factor": draw(st.sampled_from([None, False, True]))}
    if mode in ("linear", "bilinear"):
        kwargs["align_corners"] = draw(st.sampled_from([None, False, True]))
    dtype = draw(st.sampled_from(["float32", "float64"]))
    layout = draw(st.sampled_from(["contiguous", "transposed", "strided"]))
    return shape, mode, kwargs, dtype, layout


@SETTINGS
@given(resize_cases(), st.integers(0, 2**16))
def test_interpolate_matches_torch(case, seed):
    shape, mode, kwargs, dtype, layout = case
    check(lambda lib, x: lib.nn.functional.interpolate(x, mode=mode, **kwargs),
          lay(array(shape, dtype, seed), layout), message=True, seed=seed)


@pytest.mark.parametrize("n, o", [(5, 7), (7, 5), (3, 10), (10, 3), (13, 29), (29, 13),
                                  (1, 4), (4, 1), (6, 12), (6, 6), (2, 4), (5, 5), (14, 46),
                                  (26, 22), (26, 44), (26, 46), (28, 46)])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize("dtype", ["uint8", "float32", "float64"])
def test_nearest_indices_exact(n, o, mode, dtype):
    """Copies of distinct values: the chosen source indices are PyTorch's, in 1-d and 2-d
    (which PyTorch computes differently), from a size or a scale factor."""
    x = np.arange(2 * n * (n + 1)).reshape(1, 2, n, n + 1).astype(dtype)
    for kwargs in ({"size": (o, o + 2)}, {"scale_factor": o / n},
                   {"scale_factor": (o / n, 1.1 * o / n)}, {"scale_factor": 2.2 * o / n}):
        check(lambda lib, x, kw=kwargs: lib.nn.functional.interpolate(x, mode=mode, **kw), x,
              requires_grad=False)
        one = dict(kwargs, size=kwargs["size"][0]) if "size" in kwargs else \
            {"scale_factor": np.atleast_1d(kwargs["scale_factor"])[0].item()}
        check(lambda lib, x, kw=one: lib.nn.functional.interpolate(x[0], mode=mode, **kw), x,
              requires_grad=False)


@pytest.mark.parametrize("dtype", ["float16", "uint8"])
def test_interpolate_other_dtypes(dtype):
    x = array((2, 3, 4, 5), dtype, 0, low=0, high=200)
    check(lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2.5), x,
          requires_grad=False)
    check(lambda lib, x: lib.nn.functional.interpolate(x[0], size=7), x, requires_grad=False)
    if dtype == "float16":
        check(lambda lib, x: lib.nn.functional.interpolate(x, size=(3, 8), mode="bilinear",
                                                           align_corners=True), x)


def test_grad_fn_names():
    def names(lib):
        F = lib.nn.functional
        x = lib.ones(2, 3, 4, 4, requires_grad=True)
        x1 = lib.ones(2, 3, 4, requires_grad=True)
        return [type(t.grad_fn).__name__ for t in (
            F.interpolate(x, scale_factor=2), F.interpolate(x1, scale_factor=2),
            F.interpolate(x, size=3, mode="nearest-exact"),
            F.interpolate(x1, size=3, mode="nearest-exact"),
            F.interpolate(x1, size=7, mode="linear"), F.interpolate(x, size=7, mode="bilinear"),
            F.interpolate(x, size=3, mode="area"), F.interpolate(x, size=1, mode="area"),
            F.interpolate(x1, scale_factor=0.5, mode="area"))]

    assert names(glasstorch) == names(torch)


# -- errors ---------------------------------------------------------------------------------

X = (2, 3, 5, 7)
ERRORS = {
    "neither": lambda L: L.nn.functional.interpolate(L.ones(*X)),
    "both": lambda L: L.nn.functional.interpolate(L.ones(*X), size=4, scale_factor=2),
    "size length": lambda L: L.nn.functional.interpolate(L.ones(*X), size=(4,)),
    "scale length": lambda L: L.nn.functional.interpolate(L.ones(*X), scale_factor=(2,)),
    "align_corners with nearest": lambda L: L.nn.functional.interpolate(
        L.ones(*X), scale_factor=2, align_corners=True),
    "recompute with size": lambda L: L.nn.functional.interpolate(
        L.ones(*X), size=3, recompute_scale_factor=True),
    "too small": lambda L: L.nn.functional.interpolate(L.ones(*X), scale_factor=0.1),
    "negative": lambda L: L.nn.functional.interpolate(L.ones(*X), scale_factor=-1),
    "zero size": lambda L: L.nn.functional.interpolate(L.ones(*X), size=0),
    "1-d too small": lambda L: L.nn.functional.interpolate(L.ones(2, 3, 5), scale_factor=0.1),
    "empty input": lambda L: L.nn.functional.interpolate(L.ones(2, 3, 0, 7), scale_factor=2),
    "empty channels": lambda L: L.nn.functional.interpolate(L.ones(2, 0, 5, 7), scale_factor=2),
    "empty channels 1-d": lambda L: L.nn.functional.interpolate(L.ones(2, 0, 5), size=3,
                                                                mode="linear"),
    "linear on 4-d": lambda L: L.nn.functional.interpolate(L.ones(*X), scale_factor=2,
                                                           mode="linear"),
    "bilinear on 3-d": lambda L: L.nn.functional.interpolate(L.ones(2, 3, 4), scale_factor=2,
                                                             mode="bilinear"),
    "unknown mode": lambda L: L.nn.functional.interpolate(L.ones(*X), scale_factor=2,
                                                          mode="foo"),
    "2-d input": lambda L: L.nn.functional.interpolate(L.ones(2, 3), scale_factor=2),
    "antialias nearest": lambda L: L.nn.functional.interpolate(L.ones(*X), scale_factor=2,
                                                               antialias=True),
    "long nearest": lambda L: L.nn.functional.interpolate(L.ones(*X, dtype=L.long),
                                                          scale_factor=2),
    "long nearest 1-d": lambda L: L.nn.functional.interpolate(L.ones(2, 3, 5, dtype=L.long),
                                                              scale_factor=2),
    "int nearest": lambda L: L.nn.functional.interpolate(L.ones(*X, dtype=L.int32), size=3),
    "long bilinear": lambda L: L.nn.functional.interpolate(L.ones(*X, dtype=L.long),
                                                           scale_factor=2, mode="bilinear"),
    "uint8 linear": lambda L: L.nn.functional.interpolate(L.ones(2, 3, 5, dtype=L.uint8),
                                                          scale_factor=2, mode="linear"),
    "bool nearest": lambda L: L.nn.functional.interpolate(L.ones(*X, dtype=L.bool), size=3),
    "module without size": lambda L: L.nn.Upsample()(L.ones(*X)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_interpolate_errors_match_torch(name):
    same_error(ERRORS[name])


def test_interpolate_type_errors():
    same_error(lambda L: L.nn.functional.interpolate(L.ones(*X), size=(4.0, 5)))
    same_error(lambda L: L.nn.functional.interpolate(L.ones(*X), size=(4, 5.5)))


def test_not_implemented_modes_say_so():
    for shape, kwargs in ((X, {"mode": "bicubic"}), (X + (2,), {"mode": "trilinear"}),
                          (X + (2,), {"mode": "nearest"}),
                          (X, {"mode": "bilinear", "antialias": True})):
        with pytest.raises(NotImplementedError, match=r"\[glasstorch\] interpolate with"):
            glasstorch.nn.functional.interpolate(glasstorch.ones(*shape), scale_factor=2,
                                                 **kwargs)
    with pytest.raises(NotImplementedError, match=r"\[glasstorch\] bilinear interpolation of"):
        glasstorch.nn.functional.interpolate(glasstorch.ones(*X, dtype=glasstorch.uint8),
                                             scale_factor=2, mode="bilinear")


# -- gradcheck ------------------------------------------------------------------------------

GRADCHECK = {
    "nearest": lambda F, x: F.interpolate(x, size=(7, 4)),
    "nearest 1-d": lambda F, x: F.interpolate(x[0], scale_factor=1.7),
    "nearest-exact": lambda F, x: F.interpolate(x, scale_factor=0.6, mode="nearest-exact"),
    "linear": lambda F, x: F.interpolate(x[0], size=9, mode="linear"),
    "bilinear": lambda F, x: F.interpolate(x, scale_factor=(1.5, 0.7), mode="bilinear"),
    "bilinear align_corners": lambda F, x: F.interpolate(x, size=(6, 2), mode="bilinear",
                                                         align_corners=True),
    "area": lambda F, x: F.interpolate(x, size=(2, 3), mode="area"),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck_float64(name):
    x = np.random.default_rng(0).standard_normal((2, 2, 4, 5))
    for lib in (glasstorch, torch):
        t = lib.tensor(x, requires_grad=True)
        assert lib.autograd.gradcheck(lambda t, lib=lib: GRADCHECK[name](lib.nn.functional, t),
                                      (t,)), lib.__name__


# -- modules --------------------------------------------------------------------------------

MODULES = [
    ("Upsample", (), {"scale_factor": 2}),
    ("Upsample", (), {"size": (3, 8), "mode": "bilinear"}),
    ("Upsample", (), {"scale_factor": (2, 1.5), "mode": "bilinear", "align_corners": True}),
    ("Upsample", (7,), {"mode": "nearest-exact"}),
    ("Upsample", (), {"scale_factor": 1.5, "mode": "bilinear", "recompute_scale_factor": True}),
    ("UpsamplingNearest2d", (), {"scale_factor": 3}),
    ("UpsamplingBilinear2d", ((4, 9),), {}),
]


@pytest.mark.parametrize("name, args, kwargs", MODULES)
def test_upsample_module_matches_torch(name, args, kwargs):
    gm, tm = build(make_layer(name, *args, **kwargs))
    assert (gm.size, gm.scale_factor, gm.mode, gm.align_corners, gm.recompute_scale_factor) == \
        (tm.size, tm.scale_factor, tm.mode, tm.align_corners, tm.recompute_scale_factor)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_layer(gm, tm, array((2, 3, 4, 5), "float32", 1))
    checkpoints_cross(gm, tm)


def test_upsample_reprs():
    def reprs(lib):
        nn = lib.nn
        return [repr(m) for m in (nn.Upsample(scale_factor=2), nn.Upsample(size=3, mode="linear"),
                                  nn.Upsample((2, 3)), nn.Upsample(scale_factor=(2, 3)),
                                  nn.Upsample(), nn.Upsample(scale_factor=0))]

    assert reprs(glasstorch) == reprs(torch)


def test_nearest_1d_gradient_follows_pytorchs_backward_rule():
    """PyTorch's 1-d nearest forward copies inputs [0, 0, 0, 1] for 2 -> 4 by scale 2.2, but
    its backward kernel sends the gradients to [0, 0, 1, 1] (the 2-d rule): the same here."""
    check(lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2.2),
          array((1, 1, 2), "float32", 5))


def test_non_finite_values_stay_where_pytorch_has_them():
    x = array((1, 2, 4, 5), "float32", 3)
    x[0, 0, 1, 2], x[0, 1, 3, 0] = np.inf, np.nan
    for kwargs in ({"scale_factor": 1.7, "mode": "bilinear"},
                   {"size": (3, 7), "mode": "bilinear", "align_corners": True},
                   {"size": (2, 3), "mode": "area"}, {"scale_factor": 2, "mode": "nearest"}):
        check(lambda lib, x, kw=kwargs: lib.nn.functional.interpolate(x, **kw), x,
              requires_grad=False)
    check(lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, (3, 2)), x,
          requires_grad=False)
