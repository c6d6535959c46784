"""Differential tests for glasstorch.nn.functional (everything but the losses): the same call on
glasstorch and on torch must give the same values, dtypes, gradients, grad_fn names, warnings
and errors."""

from __future__ import annotations

import math
import warnings
from functools import partial

import harness
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from harness import pair
from hypothesis import given, settings
from hypothesis import strategies as st

import glasstorch as gt
import glasstorch.nn.functional as GF
from glasstorch.nn.functional import _erf

DTYPES = [np.float32, np.float64]
TOL = {"float32": (2e-5, 2e-6), "float64": (1e-10, 1e-12)}


# -- helpers ----------------------------------------------------------------------------------
# check(fn, *arrays): fn(F, *tensors) with F = glasstorch's / torch's functional module
check = partial(harness.check, lead=lambda lib: (lib.nn.functional,), tol=TOL, grad_tol=TOL)
assert_same = partial(harness.assert_same, tol=TOL)
# same_error(fn): fn(lib, F) raises the same exception, with the same text, on both
same_error = partial(harness.same_error, lead=lambda lib: (lib, lib.nn.functional))


def rand(rng, shape, dtype, scale=1.0):
    return np.asarray(rng.standard_normal(shape) * scale, dtype)  # 0-d: an array, not a scalar


shapes = st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple)


# -- erf (the only numerical method here without a NumPy counterpart) -------------------------
def test_erf_matches_math_erf_to_a_few_ulps():
    xs = np.concatenate([np.linspace(-7, 7, 20001), np.geomspace(1e-300, 1.0, 400),
                         -np.geomspace(1e-300, 1.0, 400), [0.0, -0.0, 1.5, -1.5, 30.0, -30.0]])
    ref = np.array([math.erf(v) for v in xs])
    got = _erf(xs)
    ulps = np.abs(got - ref) / np.spacing(np.maximum(np.abs(ref), np.finfo(float).tiny))
    assert ulps.max() <= 8
    assert np.signbit(_erf(np.array([-0.0])))[0]
    assert _erf(np.array([np.inf, -np.inf])).tolist() == [1.0, -1.0]
    assert np.isnan(_erf(np.array([np.nan])))[0]


# -- linear -----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("lead", [(5,), (2, 3), (), (2, 1, 3)])
def test_linear(dtype, bias, lead):
    rng = np.random.default_rng(len(lead) + 10 * bias)
    x = rand(rng, (*lead, 4), dtype)
    w = rand(rng, (3, 4), dtype)
    b = rand(rng, (3,), dtype)
    if bias:
        check(lambda F, x, w, b: F.linear(x, w, b), x, w, b)
    else:
        check(lambda F, x, w: F.linear(x, w), x, w)


def test_linear_weight_only_needs_grad():
    # the first layer: the input does not require grad, only W and b get gradients
    rng = np.random.default_rng(0)
    x, w, b = rand(rng, (6, 4), np.float32), rand(rng, (3, 4), np.float32), rand(rng, 3, np.float32)
    check(lambda F, x, w, b: F.linear(x, w, b), x, w, b, requires_grad=(1, 2))


def test_linear_errors():
    def mm(lib, F):
        F.linear(lib.ones(64, 784), lib.ones(10, 28), lib.ones(10))
    e = same_error(mm)
    assert "nn.Flatten" not in str(e)  # 2-D input: no flatten hint
    same_error(lambda lib, F: F.linear(lib.ones(2, 64, 28, 28), lib.ones(10, 784)))
    same_error(lambda lib, F: F.linear(lib.ones(784), lib.ones(10, 28), lib.ones(10)))
    same_error(lambda lib, F: F.linear(lib.ones(4, 3, dtype=lib.float64), lib.ones(2, 3),
                                       lib.ones(2)))
    same_error(lambda lib, F: F.linear(lib.ones(4, 3), lib.ones(2, 3, dtype=lib.float64),
                                       lib.ones(2)))
    same_error(lambda lib, F: F.linear(lib.ones(4, 3, dtype=lib.float64), lib.ones(2, 3)))
    same_error(lambda lib, F: F.linear(lib.ones(4, 3), lib.ones(2, 3), lib.ones(5)))
    same_error(lambda lib, F: F.linear(lib.ones(()), lib.ones(2, 3)))
    same_error(lambda lib, F: F.linear(lib.ones(3, 4), lib.ones(2, 3, 4)))


# -- activations ------------------------------------------------------------------------------
ACTIVATIONS = {
    "relu": lambda F, x: F.relu(x),
    "leaky_relu": lambda F, x: F.leaky_relu(x),
    "leaky_relu_0.2": lambda F, x: F.leaky_relu(x, 0.2),
    "sigmoid": lambda F, x: F.sigmoid(x),
    "tanh": lambda F, x: F.tanh(x),
    "gelu": lambda F, x: F.gelu(x),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "elu": lambda F, x: F.elu(x),
    "elu_0.5": lambda F, x: F.elu(x, alpha=0.5),
    "silu": lambda F, x: F.silu(x),
    "softplus": lambda F, x: F.softplus(x),
    "softplus_beta": lambda F, x: F.softplus(x, beta=2.0, threshold=3.0),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "hardtanh": lambda F, x: F.hardtanh(x),
    "hardtanh_0_2": lambda F, x: F.hardtanh(x, 0.0, 2.0),
    "relu6": lambda F, x: F.relu6(x),
    "mish": lambda F, x: F.mish(x),
    "hardswish": lambda F, x: F.hardswish(x),
    "softsign": lambda F, x: F.softsign(x),
    "softmin0": lambda F, x: F.softmin(x, 0),
    "softmax0": lambda F, x: F.softmax(x, 0),
    "softmax-1": lambda F, x: F.softmax(x, dim=-1),
    "log_softmax0": lambda F, x: F.log_softmax(x, 0),
    "log_softmax-1": lambda F, x: F.log_softmax(x, dim=-1),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=8, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16), scale=st.sampled_from([0.5, 3.0, 30.0]))
def test_activation(name, dtype, shape, seed, scale):
    x = rand(np.random.default_rng(seed), shape, dtype, scale)
    check(ACTIVATIONS[name], x)


@pytest.mark.parametrize("dtype", DTYPES)
def test_activation_extremes(dtype):
    x = np.array([-1e4, -100.0, -20.0, -1e-8, 0.0, 1e-8, 20.0, 100.0, 1e4], dtype)
    for name in ACTIVATIONS:
        if "softmax" in name:
            continue
        check(ACTIVATIONS[name], x)


def test_softmax_dtype_and_implicit_dim():
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    for name in ("softmax", "log_softmax"):
        check(lambda F, x, n=name: getattr(F, n)(
            x, 1, dtype=gt.float64 if F is GF else torch.float64), x)
    for ndim in range(4):
        arr = np.random.default_rng(ndim).standard_normal((2, 3, 2)[:ndim]).astype(np.float32)
        outs, msgs = [], []
        for F in (GF, TF):
            g = pair(arr)[0 if F is GF else 1]
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                outs.append(F.softmax(g))
            msgs.append([str(m.message) for m in w])
        assert msgs[0] == msgs[1] and len(msgs[0]) == 1
        assert_same(*outs)


def test_activation_integer_inputs():
    for name in ("gelu", "elu", "silu", "softplus", "leaky_relu"):
        same_error(lambda lib, F, n=name: ACTIVATIONS[n](F, lib.tensor([-1, 2])))
    same_error(lambda lib, F: F.gelu(lib.ones(2), approximate="fast"))


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "silu", "relu", "hardtanh", "relu6",
                                  "mish", "hardswish"])
def test_inplace_activations(name):
    x = np.random.default_rng(3).standard_normal((4, 3)).astype(np.float32)
    g, t = pair(x)
    go = getattr(GF, name)(g, inplace=True)
    to = getattr(TF, name)(t, inplace=True)
    assert go is g and to is t
    assert_same(g, t)
    # inside a graph: the in-place result still backpropagates
    g, t = pair(x, True)
    go = getattr(GF, name)(g * 1, inplace=True)
    to = getattr(TF, name)(t * 1, inplace=True)
    go.sum().backward()
    to.sum().backward()
    assert_same(g.grad, t.grad)


# -- dropout ----------------------------------------------------------------------------------
def test_dropout_eval_and_trivial_cases_return_the_input():
    g = gt.ones(5, requires_grad=True)
    assert GF.dropout(g, 0.3, training=False) is g
    assert GF.dropout(g, 0.0) is g
    same_error(lambda lib, F: F.dropout(lib.ones(3), 1.5))
    same_error(lambda lib, F: F.dropout(lib.ones(3), -0.1))
    same_error(lambda lib, F: F.dropout(lib.tensor([1, 2]), 0.5))
    out = GF.dropout(g, 1.0)
    assert out.tolist() == [0.0] * 5
    assert type(out.grad_fn).__name__ == "MulBackward0"


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_training(p):
    gt.manual_seed(0)
    x = gt.full((200, 100), 3.0, requires_grad=True)
    y = GF.dropout(x, p)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    v = y.detach().numpy()
    kept = v != 0
    np.testing.assert_allclose(v[kept], np.float32(3.0) / np.float32(1 - p), rtol=1e-6)
    assert abs(kept.mean() - (1 - p)) < 0.02
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), v / 3.0, rtol=1e-6)
    gt.manual_seed(0)
    assert np.array_equal(GF.dropout(x, p).detach().numpy(), v)  # the seed fixes the mask


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
@pytest.mark.parametrize("dtype", DTYPES)
def test_dropout_mask_is_torchs(p, dtype):
    # glasstorch's generator reproduces PyTorch's stream, so the same seed drops the same units
    x = np.random.default_rng(0).standard_normal((300, 7)).astype(dtype)
    gt.manual_seed(5)
    torch.manual_seed(5)
    g, t = pair(x)
    assert np.array_equal(GF.dropout(g, p).numpy(), TF.dropout(t, p).numpy())


def test_dropout_inplace():
    gt.manual_seed(1)
    x = gt.ones(50, 4)
    y = GF.dropout(x, 0.5, inplace=True)
    assert y is x
    assert set(np.unique(x.numpy()).tolist()) <= {0.0, 2.0}


# -- one_hot ----------------------------------------------------------------------------------
@pytest.mark.parametrize("nc", [-1, 5])
def test_one_hot(nc):
    idx = np.array([[0, 2], [1, 4]], np.int64)
    g = GF.one_hot(gt.from_numpy(idx.copy()), nc)
    t = TF.one_hot(torch.from_numpy(idx.copy()), nc)
    assert_same(g, t)
    assert_same(GF.one_hot(gt.zeros(0, dtype=gt.int64), 3),
                TF.one_hot(torch.zeros(0, dtype=torch.int64), 3))


def test_one_hot_errors():
    same_error(lambda lib, F: F.one_hot(lib.tensor([0.0, 1.0])))
    same_error(lambda lib, F: F.one_hot(lib.tensor([0, 1], dtype=lib.int32)))
    same_error(lambda lib, F: F.one_hot(lib.tensor([0, -2])))
    same_error(lambda lib, F: F.one_hot(lib.tensor([0, 5]), 3))
    same_error(lambda lib, F: F.one_hot(lib.zeros(0, dtype=lib.int64)))
    same_error(lambda lib, F: F.one_hot(lib.tensor([0]), 0))


# -- batch_norm -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm(dtype, shape, affine, training):
    rng = np.random.default_rng(7)
    x = rand(rng, shape, dtype, 2.0) + 1
    C = shape[1]
    rm0, rv0 = rand(rng, C, dtype), np.abs(rand(rng, C, dtype)) + 0.5
    w, b = rand(rng, C, dtype), rand(rng, C, dtype)
    stats = {}

    def fn(F, x, *wb):
        lib = gt if F is GF else torch
        rm, rv = lib.from_numpy(rm0.copy()), lib.from_numpy(rv0.copy())
        stats[F] = (rm, rv)
        wt, bt = wb if wb else (None, None)
        return F.batch_norm(x, rm, rv, wt, bt, training=training, momentum=0.3, eps=1e-4)

    arrays = (x, w, b) if affine else (x,)
    check(fn, *arrays)
    for g, t in zip(stats[GF], stats[TF]):
        assert_same(g, t)


def test_batch_norm_errors():
    same_error(lambda lib, F: F.batch_norm(lib.ones(1, 3), lib.zeros(3), lib.ones(3),
                                           training=True))
    same_error(lambda lib, F: F.batch_norm(lib.ones(4, 3), lib.zeros(3), lib.ones(3),
                                           training=True, eps=0.0))


def test_batch_norm_without_running_stats():
    x = rand(np.random.default_rng(2), (6, 4), np.float64)
    check(lambda F, x: F.batch_norm(x, None, None, training=True), x)


# -- pad and normalize ------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pads", [(1, 2), (2, 0, 1, 1), (0, 1, 1, 0, 1, 1)])
def test_pad(mode, pads):
    x = rand(np.random.default_rng(4), (2, 3, 4, 5), np.float64)
    if mode != "constant" and len(pads) == 6:
        x = x[:, None]  # these modes need a batch and a channel dim before the padded ones
    if mode != "constant" and len(pads) == 2:
        x = x[0]
    kw = {"value": 1.5} if mode == "constant" else {}
    names = mode != "circular"
    check(lambda F, x: F.pad(x, pads, mode=mode, **kw), x, grad_fn=names)


def test_pad_errors():
    same_error(lambda lib, F: F.pad(lib.ones(2, 3, 4, 5), (1, 1), mode="reflect"))
    same_error(lambda lib, F: F.pad(lib.ones(2, 3), (1, 1, 1)))
    same_error(lambda lib, F: F.pad(lib.ones(2, 3), (3, 1), mode="reflect"))


def test_pad_negative_crops():
    x = rand(np.random.default_rng(5), (3, 6), np.float32)
    check(lambda F, x: F.pad(x, (-1, 2, 0, -1)), x)


@pytest.mark.parametrize("p", [1.0, 2.0])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_normalize(p, dim):
    x = rand(np.random.default_rng(6), (3, 4), np.float64)
    x[0] = 0  # a zero vector: the eps clamp
    check(lambda F, x: F.normalize(x, p=p, dim=dim), x, grad_fn=False)


@pytest.mark.parametrize("shapes", [((3, 4), (3, 4), 1), ((3, 4), (4,), -1), ((2, 1, 4), (3, 4), 0),
                                    ((5,), (5,), 0)])
def test_cosine_similarity(shapes):
    a, b, dim = shapes
    rng = np.random.default_rng(8)
    x1, x2 = rand(rng, a, np.float64), rand(rng, b, np.float64)
    check(lambda F, x1, x2: F.cosine_similarity(x1, x2, dim=dim), x1, x2)
    same_error(lambda lib, F: F.cosine_similarity(lib.ones(3, 4), lib.ones(3, 5)))


# -- gradcheck (float64, finite differences) --------------------------------------------------
def test_gradcheck_float64():
    gradcheck = gt.autograd.gradcheck
    rng = np.random.default_rng(9)

    def t(shape):
        return gt.from_numpy(rng.standard_normal(shape)).requires_grad_()

    assert gradcheck(lambda x, w, b: GF.linear(x, w, b), (t((3, 4)), t((2, 4)), t(2)))
    assert gradcheck(lambda x: GF.gelu(x), (t((5,)),))
    assert gradcheck(lambda x: GF.gelu(x, approximate="tanh"), (t((5,)),))
    assert gradcheck(lambda x: GF.elu(x, 0.7), (t((5,)),))
    assert gradcheck(lambda x: GF.silu(x), (t((5,)),))
    assert gradcheck(lambda x: GF.softplus(x, 2.0), (t((5,)),))
    assert gradcheck(lambda x: GF.leaky_relu(x, 0.1), (t((5,)),))
    assert gradcheck(lambda x, w, b: GF.batch_norm(x, None, None, w, b, training=True),
                     (t((5, 3)), t(3), t(3)))
    assert gradcheck(lambda x: GF.pad(x, (1, 2), mode="reflect"), (t((2, 4)),))
    assert gradcheck(lambda x: GF.mish(x), (t((5,)),))
    assert gradcheck(lambda x: GF.hardswish(x), (t((5,)),))
    assert gradcheck(lambda a, b: GF.cosine_similarity(a, b), (t((3, 4)), t((3, 4))))


@pytest.mark.parametrize("shape, dim", [((300, 7), -1), ((2, 150, 5), 2), ((130, 64), 1),
                                        ((130, 65), 1), ((300, 7), 0)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_many_short_rows(shape, dim, name, dtype):
    # many rows of a few classes take the moved-to-the-front path; rows with inf, -inf and
    # nan must come out as on the ordinary path (and as torch's)
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype) * 3
    if dim % len(shape) == len(shape) - 1:  # (dim 0: the teaching coach warns on inf input)
        x.reshape(-1, shape[-1])[:4, :2] = [[np.inf, 0.0], [-np.inf, -np.inf], [np.nan, 1.0],
                                            [-np.inf, 2.0]]
    harness.check(lambda lib, t: getattr(lib.nn.functional, name)(t, dim), x)
