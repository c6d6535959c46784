"""Differential tests of F.conv1d / F.conv2d and nn.Conv1d / nn.Conv2d against torch: values,
dtypes, gradients, grad_fn names, errors (types and texts), reprs, same-seed initial weights,
checkpoints both ways, and float64 gradcheck."""

from __future__ import annotations

import warnings

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
    same_warnings,
)
from hypothesis import given
from hypothesis import strategies as st

import glasstorch
from glasstorch.nn import _checks


@st.composite
def conv_cases(draw):
    """A convolution with its arguments, small sizes; sometimes one torch refuses."""
    nd = draw(st.sampled_from([1, 2]))
    groups = draw(st.integers(1, 3))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    padding = draw(st.one_of(st.integers(0, 2), st.tuples(*[st.integers(0, 2)] * nd),
                             st.sampled_from(["same", "valid"])))
    stride = (1,) * nd if padding == "same" else tuple(draw(st.integers(1, 3))
                                                       for _ in range(nd))
    spatial = tuple(draw(st.integers(1, 7)) for _ in range(nd))
    batch = draw(st.sampled_from([None, 0, 1, 2, 3]))
    shape = ((cin,) if batch is None else (batch, cin)) + spatial
    bias = draw(st.booleans())
    dtype = draw(st.sampled_from(["float32", "float64"]))
    layout = draw(st.sampled_from(["contiguous", "transposed", "strided"]))
    return nd, shape, (cout, cin // groups, *kernel), bias, stride, padding, dilation, groups, \
        dtype, layout


@SETTINGS
@given(conv_cases(), st.integers(0, 2**16))
def test_conv_matches_torch(case, seed):
    nd, shape, wshape, bias, stride, padding, dilation, groups, dtype, layout = case
    x = array(shape, dtype, seed)
    w = array(wshape, dtype, seed + 1)
    b = array(wshape[:1], dtype, seed + 2) if bias else None
    fn = "conv1d" if nd == 1 else "conv2d"

    def conv(lib, x, w, *b):
        return getattr(lib.nn.functional, fn)(x, w, b[0] if b else None, stride, padding,
                                              dilation, groups)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'same' with an even kernel warns (once)
        check(conv, lay(x, layout), w, *([b] if bias else []), message=True, seed=seed)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float16"])
def test_conv_other_dtypes(dtype):
    x = array((2, 3, 6, 5), dtype, 0, low=0, high=4)
    w = array((4, 3, 3, 2), dtype, 1, low=0, high=3)
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, stride=(2, 1), padding=1), x, w,
          requires_grad=False)
    check(lambda lib, x, w: lib.nn.functional.conv1d(x, w, groups=3, dilation=2),
          array((2, 3, 9), dtype, 2, low=0, high=4), array((6, 1, 3), dtype, 3, low=0, high=3),
          requires_grad=False)


def test_grad_fn_names_and_graph():
    """Unbatched input is a batch of one (Unsqueeze, Convolution, Squeeze); 'same' with an even
    kernel zero-pads the extra element first (ConstantPadNd), as in PyTorch: whole graphs."""
    def outputs(lib):
        F, nn = lib.nn.functional, lib.nn
        x = lib.ones(2, 3, 6, 6, requires_grad=True)
        w = lib.ones(4, 3, 2, 2, requires_grad=True)
        one = lib.ones(3, 6, 6, requires_grad=True)
        line = lib.ones(3, 6, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            same_even = F.conv2d(x, w, padding="same")
        return [F.conv2d(x, w), F.conv2d(one, w), same_even, F.conv1d(line, lib.ones(4, 3, 2)),
                *[nn.Conv2d(3, 4, 3, padding=1, padding_mode=m)(x)
                  for m in ("reflect", "replicate")],
                nn.Conv1d(3, 4, 3, padding=2, padding_mode="reflect")(line)]

    for i, (g, t) in enumerate(zip(outputs(glasstorch), outputs(torch), strict=True)):
        assert_same_graph(g, t, f"output {i}")


def test_same_padding_warns_once_like_torch():
    # PyTorch warns once per process: make sure both have warned before comparing
    def scenario(lib):
        lib.nn.functional.conv2d(lib.ones(1, 1, 4, 4), lib.ones(1, 1, 2, 2), padding="same")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scenario(torch)
        scenario(glasstorch)
    assert same_warnings(scenario)[1] == []
    assert _checks._same_warned


# -- errors -------------------------------------------------------------------------------

X, W = (2, 3, 8, 8), (4, 3, 3, 3)
CONV_ERRORS = {
    "2-d input": lambda L: L.nn.functional.conv2d(L.ones(2, 3), L.ones(*W)),
    "5-d input": lambda L: L.nn.functional.conv2d(L.ones(1, 2, 3, 8, 8), L.ones(*W)),
    "1-d input to conv1d": lambda L: L.nn.functional.conv1d(L.ones(8), L.ones(4, 3, 3)),
    "channels": lambda L: L.nn.functional.conv2d(L.ones(2, 5, 8, 8), L.ones(*W)),
    "channels last": lambda L: L.nn.functional.conv2d(L.ones(2, 8, 8, 3), L.ones(*W)),
    "unbatched channels": lambda L: L.nn.functional.conv2d(L.ones(3, 8, 8), L.ones(4, 5, 3, 3)),
    "kernel too big": lambda L: L.nn.functional.conv2d(L.ones(2, 3, 2, 2), L.ones(*W)),
    "dilated kernel too big": lambda L: L.nn.functional.conv1d(L.ones(2, 3, 4),
                                                               L.ones(4, 3, 3), dilation=2),
    "negative padding": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W), padding=-1),
    "zero stride": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W), stride=0),
    "zero dilation": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W), dilation=0),
    "zero groups": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W), groups=0),
    "groups vs channels": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W), groups=2),
    "groups vs weight": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(4, 1, 3, 3),
                                                         groups=3),
    "weight smaller than groups": lambda L: L.nn.functional.conv2d(
        L.ones(*X), L.ones(2, 1, 3, 3), groups=3),
    "bias size": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W), L.ones(3)),
    "bias 2-d": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W), L.ones(4, 1)),
    "bias dtype": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W),
                                                  L.ones(4, dtype=L.float64)),
    "bias dtype before dims": lambda L: L.nn.functional.conv2d(L.ones(3), L.ones(*W),
                                                              L.ones(4, dtype=L.float64)),
    "float64 input": lambda L: L.nn.functional.conv2d(L.ones(*X, dtype=L.float64), L.ones(*W)),
    "float64 weight": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W, dtype=L.float64)),
    "long input": lambda L: L.nn.functional.conv2d(L.ones(*X, dtype=L.long), L.ones(*W)),
    "half input": lambda L: L.nn.functional.conv1d(L.ones(2, 3, 8, dtype=L.float16),
                                                  L.ones(4, 3, 3)),
    "bool": lambda L: L.nn.functional.conv2d(L.ones(*X, dtype=L.bool),
                                            L.ones(*W, dtype=L.bool)),
    "2-d weight": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(4, 3)),
    "3-d weight to conv2d": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(4, 3, 3)),
    "4-d weight to conv1d": lambda L: L.nn.functional.conv1d(L.ones(3, 8), L.ones(*W)),
    "stride length": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W), stride=(1, 1, 1)),
    "padding length": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W), padding=(1, 1, 1)),
    "dilation length": lambda L: L.nn.functional.conv1d(L.ones(2, 3, 8), L.ones(4, 3, 3),
                                                       dilation=(1, 2)),
    "empty stride": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W), stride=[]),
    "padding string": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W), padding="SAME"),
    "same and stride": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W), stride=2,
                                                       padding="same"),
    "same and stride length": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W),
                                                              stride=(1, 1, 1), padding="same"),
    "same and zero dilation": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W),
                                                              dilation=0, padding="same"),
    "empty weight": lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(0, 3, 3, 3)),
    "empty spatial": lambda L: L.nn.functional.conv2d(L.ones(2, 3, 0, 8), L.ones(*W)),
}


@pytest.mark.parametrize("name", list(CONV_ERRORS))
def test_conv_errors_match_torch(name):
    same_error(CONV_ERRORS[name])


def test_conv_type_errors():
    same_error(lambda L: L.nn.functional.conv2d(np.ones(X, np.float32), L.ones(*W)), text=False)
    same_error(lambda L: L.nn.functional.conv2d(L.ones(*X), L.ones(*W), padding=1.5),
               text=False)
    e = same_error(lambda L: L.nn.Conv2d(3, 4, 3)(np.ones(X, np.float32)), text=False)
    first = ("conv2d() received an invalid combination of arguments - got (numpy.ndarray, "
             "Parameter, Parameter, tuple, tuple, tuple, int), but expected one of:")
    assert str(e).startswith(first)


def test_error_hints():
    g = glasstorch
    with pytest.raises(RuntimeError, match=r"x\.permute\(0, 3, 1, 2\)"):
        g.nn.Conv2d(3, 8, 3)(g.ones(2, 8, 8, 3))
    with pytest.raises(RuntimeError, match=r"x\.unsqueeze\(1\)"):
        g.nn.Conv2d(1, 8, 3)(g.ones(8, 28))
    with pytest.raises(RuntimeError, match=r"\.float\(\)"):
        g.nn.Conv2d(1, 8, 3)(g.ones(2, 1, 8, 8, dtype=g.float64))
    with pytest.raises(RuntimeError, match=r"\[glasstorch\] the input's spatial size"):
        g.nn.Conv2d(1, 8, 5)(g.ones(2, 1, 3, 3))


def test_empty_batch_skips_the_dtype_check_like_torch():
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w.double()),
          array((0, 3, 5, 5), "float32"), array((2, 3, 3, 3), "float32"))


# -- gradcheck ------------------------------------------------------------------------------

GRADCHECK = {
    "conv2d": (lambda F, x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2),
                                           dilation=(1, 2)), (2, 2, 5, 6), (3, 2, 2, 3)),
    "conv2d groups": (lambda F, x, w, b: F.conv2d(x, w, b, padding=1, groups=2),
                      (1, 4, 4, 4), (2, 2, 3, 3)),
    "conv2d same": (lambda F, x, w, b: F.conv2d(x, w, b, padding="same", dilation=2),
                    (1, 2, 5, 5), (2, 2, 3, 2)),
    "conv1d": (lambda F, x, w, b: F.conv1d(x, w, b, stride=2, padding=1), (2, 2, 7), (3, 2, 3)),
    "conv1d unbatched": (lambda F, x, w, b: F.conv1d(x, w, b), (2, 6), (3, 2, 2)),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck_float64(name):
    fn, xs, ws = GRADCHECK[name]
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in (xs, ws, ws[:1])]
    for lib in (glasstorch, torch):
        inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert lib.autograd.gradcheck(lambda *t, lib=lib: fn(lib.nn.functional, *t),
                                          inputs), lib.__name__


# -- modules --------------------------------------------------------------------------------

MODULES = [
    ("Conv2d", (1, 16, 3), {"padding": 1}),
    ("Conv2d", (4, 6, (3, 2)), {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2),
                                "groups": 2, "bias": False}),
    ("Conv2d", (3, 4, 3), {"padding": "same", "padding_mode": "reflect"}),
    ("Conv2d", (3, 4, 4), {"padding": "same", "padding_mode": "replicate"}),
    ("Conv2d", (3, 4, 3), {"padding": 2, "padding_mode": "circular", "stride": 2}),
    ("Conv2d", (3, 4, 3), {"padding": "valid"}),
    ("Conv2d", (2, 4, 1), {"dtype": "float64"}),
    ("Conv1d", (3, 5, 3), {}),
    ("Conv1d", (4, 4, 5), {"groups": 4, "padding": 2, "padding_mode": "reflect"}),
    ("Conv1d", (2, 3, 2), {"padding": "same", "dilation": 3, "bias": False}),
]


@pytest.mark.parametrize("name, args, kwargs", MODULES)
def test_conv_module_matches_torch(name, args, kwargs):
    """repr, initial weights bit for bit from the same seed, outputs and gradients (batched
    and unbatched), checkpoints both ways."""
    gm, tm = build(make_layer(name, *args, **kwargs), seed=7)
    nd = 1 if name == "Conv1d" else 2
    dtype = kwargs.get("dtype", "float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_layer(gm, tm, array((2, args[0]) + (7, 6)[:nd], dtype, 1))
        check_layer(gm, tm, array((args[0],) + (5, 8)[:nd], dtype, 2))
    checkpoints_cross(gm, tm)


def test_conv_module_attributes():
    def attrs(lib):
        m = lib.nn.Conv2d(4, 6, (3, 2), padding="same", dilation=(1, 2), groups=2,
                          padding_mode="reflect")
        m1 = lib.nn.Conv1d(2, 2, 3, 2, 1)
        return [(k, getattr(m, k)) for k in (
            "in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
            "transposed", "output_padding", "groups", "padding_mode",
            "_reversed_padding_repeated_twice")] + [
            (k, getattr(m1, k)) for k in ("kernel_size", "stride", "padding",
                                          "_reversed_padding_repeated_twice")] + [
            tuple(m.weight.shape), tuple(m1.bias.shape)]

    assert attrs(glasstorch) == attrs(torch)


@pytest.mark.parametrize("kwargs", [
    {"groups": 0}, {"groups": 2, "in_channels": 3}, {"groups": 2, "out_channels": 3},
    {"padding": "full"}, {"padding": "same", "stride": 2}, {"padding_mode": "mirror"},
])
def test_conv_module_constructor_errors(kwargs):
    def scenario(lib):
        kw = {"in_channels": 4, "out_channels": 4, "kernel_size": 3, **kwargs}
        lib.nn.Conv2d(**kw)

    # PyTorch prints Python sets, whose order depends on the process's string hashing and on
    # how the set literal was compiled: compare the texts up to that order
    e = same_error(scenario, text=False)
    with pytest.raises(ValueError) as t:
        scenario(torch)
    assert sorted(str(e)) == sorted(str(t.value)) and str(e)[:20] == str(t.value)[:20]


def test_conv_default_init_dtype_and_seed_sequence():
    """Two layers in a row draw weight, bias, weight, bias from one stream, as in PyTorch."""
    def make(lib):
        return lib.nn.Sequential(lib.nn.Conv2d(1, 8, 3), lib.nn.Conv1d(8, 2, 5, bias=False),
                                 lib.nn.Conv2d(2, 3, (1, 4), groups=1, dtype=lib.float64))
    build(make, seed=123)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        glasstorch.nn.Conv2d(0, 3, 3)


def test_float16_gradients_are_summed_in_float32():
    check(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, padding=1),
          array((4, 3, 5, 5), "float16", 0), array((2, 3, 3, 3), "float16", 1),
          array((2,), "float16", 2))
