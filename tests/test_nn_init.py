"""Differential tests of glasstorch.nn.init against torch.nn.init.

Deterministic rules (fans, gains, constant fills, errors and warnings) must agree exactly.
Random initialisers are checked statistically (bounds, mean and spread against torch's own
samples) and, once the random streams match, value for value with the same seed.
"""

from __future__ import annotations

import math
import warnings
from functools import partial

import harness
import numpy as np
import pytest
import torch
from harness import catch, np_of
from hypothesis import given, settings
from hypothesis import strategies as st

import glasstorch

LIBS = [torch, glasstorch]


# scenario results are plain values (reprs, names, lists of numbers, caught errors): exact
same = partial(harness.same, rtol=0, atol=0)


# -- fans, gains, modes ------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(0, 5), min_size=0, max_size=5))
def test_fan_in_and_fan_out(shape):
    same(lambda lib: catch(
        lambda: lib.nn.init._calculate_fan_in_and_fan_out(lib.empty(tuple(shape)))))


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "FAN_IN", "fan_avg", "in"])
def test_calculate_correct_fan_modes(mode):
    same(lambda lib: catch(
        lambda: lib.nn.init._calculate_correct_fan(lib.empty(3, 4, 5), mode)))


GAINS = [("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None),
         ("conv_transpose1d", None), ("conv_transpose2d", None), ("conv_transpose3d", None),
         ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
         ("leaky_relu", 0.2), ("leaky_relu", 3), ("leaky_relu", math.sqrt(5)),
         ("leaky_relu", True), ("leaky_relu", "0.1"), ("selu", None), ("softmax", None),
         ("gelu", None)]


@pytest.mark.parametrize("nonlinearity,param", GAINS)
def test_calculate_gain(nonlinearity, param):
    def scenario(lib):
        result = catch(lambda: lib.nn.init.calculate_gain(nonlinearity, param))
        return result, type(result).__name__

    same(scenario)


# -- deterministic fills ----------------------------------------------------------------------
def test_constant_ones_zeros_eye_dirac():
    def scenario(lib):
        init = lib.nn.init
        out = []
        for fill in (lambda t: init.constant_(t, 0.3), init.ones_, init.zeros_):
            t = lib.empty(2, 3)
            r = fill(t)
            out.append((r is t, np_of(t).tolist(), str(t.dtype)))
        for shape in [(3, 3), (2, 4), (4, 2), (3,), (2, 2, 2)]:
            t = lib.empty(*shape)
            out.append(catch(lambda t=t: np_of(init.eye_(t)).tolist()))
        for shape, groups in [((4, 2, 3), 1), ((4, 4, 3, 3), 2), ((2, 3, 1, 1, 3), 1),
                              ((3, 3), 1), ((3, 2, 3), 2)]:
            t = lib.empty(*shape)
            out.append(catch(lambda t=t, g=groups: np_of(init.dirac_(t, g)).tolist()))
        t64 = init.constant_(lib.empty(2, dtype=lib.float64), 1 / 3)
        out.append((np_of(t64).tolist(), str(t64.dtype)))
        ti = init.constant_(lib.empty(2, dtype=lib.int64), 7)
        out.append((np_of(ti).tolist(), str(ti.dtype)))
        return out

    same(scenario)


def test_init_on_parameter_stays_a_leaf_without_graph():
    def scenario(lib):
        init = lib.nn.init
        out = []
        for fn in (init.ones_, init.zeros_, lambda t: init.constant_(t, 2.0), init.eye_,
                   init.uniform_, init.normal_, init.xavier_uniform_, init.xavier_normal_,
                   init.kaiming_uniform_, init.kaiming_normal_, init.trunc_normal_,
                   init.orthogonal_):
            p = lib.nn.Parameter(lib.empty(3, 4))
            r = fn(p)
            out.append((r is p, p.requires_grad, p.is_leaf, p.grad_fn is None,
                        type(r).__name__))
        return out

    same(scenario)


def test_init_errors_and_warnings():
    def scenario(lib):
        init = lib.nn.init
        out = [catch(lambda: init.xavier_uniform_(lib.empty(3))),
               catch(lambda: init.xavier_normal_(lib.empty(()))),
               catch(lambda: init.kaiming_uniform_(lib.empty(5))),
               catch(lambda: init.kaiming_normal_(lib.empty(2, 2), mode="fan_avg")),
               catch(lambda: init.kaiming_uniform_(lib.empty(2, 2), nonlinearity="swish")),
               catch(lambda: init.orthogonal_(lib.empty(4))),
               catch(lambda: init.sparse_(lib.empty(4), 0.5))]
        for fn in (init.kaiming_uniform_, init.kaiming_normal_):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                t = lib.empty(0, 3)
                out.append((fn(t) is t, [str(m.message) for m in w]))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            init.trunc_normal_(lib.empty(10), mean=10.0, std=1.0, a=-2.0, b=2.0)
            out.append([str(m.message) for m in w])
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            init.uniform(lib.empty(2))
            out.append([(m.category.__name__, str(m.message)) for m in w])
        return out

    same(scenario)


# -- random initialisers: statistics -----------------------------------------------------------
SHAPE = (300, 200)  # 60000 draws: sample moments within ~1% of the true ones
# (name, kwargs, bounded): bounded distributions have hard limits that 60000 draws reach
RANDOM_INITS = [
    ("uniform_", {}, True), ("uniform_", {"a": -3.0, "b": 0.5}, True), ("normal_", {}, False),
    ("normal_", {"mean": 2.0, "std": 0.5}, False), ("xavier_uniform_", {}, True),
    ("xavier_uniform_", {"gain": 2.0}, True), ("xavier_normal_", {}, False),
    ("xavier_normal_", {"gain": 0.5}, False), ("kaiming_uniform_", {}, True),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, True),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}, True),
    ("kaiming_normal_", {}, False),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "tanh"}, False),
    ("trunc_normal_", {}, True),
    ("trunc_normal_", {"mean": 1.0, "std": 2.0, "a": 0.0, "b": 3.0}, True),
    ("trunc_normal_", {"std": 0.02}, False),
    ("trunc_normal_", {"mean": 0.0, "std": 1.0, "a": 1.5, "b": 4.0}, False),
    ("orthogonal_", {}, False), ("orthogonal_", {"gain": 2.0}, False),
]


def _sample(lib, name, kwargs, shape=SHAPE):
    t = lib.empty(*shape)
    getattr(lib.nn.init, name)(t, **kwargs)
    return np_of(t).astype(np.float64)


@pytest.mark.parametrize("name,kwargs,bounded", RANDOM_INITS)
def test_random_init_statistics_match_torch(name, kwargs, bounded):
    torch.manual_seed(1)
    glasstorch.manual_seed(1)
    shape = (120, 80) if name == "orthogonal_" else SHAPE  # a QR of 300x200 is slow
    t = _sample(torch, name, kwargs, shape)
    g = _sample(glasstorch, name, kwargs, shape)
    assert g.shape == t.shape and np.isfinite(g).all()
    spread = t.std()
    if bounded:  # the same hard limits (torch's samples come within 0.1% of them)
        width = t.max() - t.min()
        assert abs(g.min() - t.min()) < 0.002 * width and abs(g.max() - t.max()) < 0.002 * width
    if "a" in kwargs and name == "trunc_normal_":
        assert g.min() >= kwargs["a"] and g.max() <= kwargs["b"]
    assert abs(g.mean() - t.mean()) < 0.03 * spread
    assert abs(g.std() - spread) < 0.03 * spread
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):  # the same shape of distribution
        assert abs(np.quantile(g, q) - np.quantile(t, q)) < 0.04 * spread
    assert len(np.unique(g)) > 0.9 * g.size  # really random, not a constant or a pattern


def test_uniform_kaiming_xavier_respect_their_bounds():
    t = glasstorch.empty(64, 32)
    init = glasstorch.nn.init
    fan_in, fan_out = 32, 64
    for fn, bound in [
        (lambda: init.uniform_(t, -0.25, 0.75), (-0.25, 0.75)),
        (lambda: init.xavier_uniform_(t), (-math.sqrt(6 / (fan_in + fan_out)),) * 2),
        (lambda: init.kaiming_uniform_(t, a=math.sqrt(5)), (-1 / math.sqrt(fan_in),) * 2),
        (lambda: init.kaiming_uniform_(t, nonlinearity="relu"), (-math.sqrt(6 / fan_in),) * 2),
        (lambda: init.trunc_normal_(t, a=-0.5, b=0.5), (-0.5, 0.5)),
    ]:
        fn()
        lo, hi = bound[0], abs(bound[1])
        values = np_of(t)
        assert values.min() >= lo and values.max() <= hi


def test_orthogonal_is_orthogonal():
    for shape in [(5, 5), (3, 7), (7, 3), (4, 2, 3)]:
        values = np_of(glasstorch.nn.init.orthogonal_(glasstorch.empty(*shape), gain=1.5))
        flat = values.reshape(shape[0], -1)
        gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
        np.testing.assert_allclose(gram, 2.25 * np.eye(gram.shape[0]), atol=1e-5)


def test_sparse_zeroes_a_fraction_of_each_column():
    values = np_of(glasstorch.nn.init.sparse_(glasstorch.empty(10, 6), sparsity=0.3, std=0.5))
    assert ((values == 0).sum(axis=0) == 3).all()


def test_random_init_generator_argument_is_reproducible():
    init = glasstorch.nn.init
    draws = []
    for _ in range(2):
        g = glasstorch.Generator().manual_seed(7)
        draws.append([np_of(fn(glasstorch.empty(4, 5), generator=g)) for fn in
                      (init.uniform_, init.normal_, init.xavier_uniform_, init.kaiming_normal_,
                       init.trunc_normal_)])
    for a, b in zip(*draws):
        np.testing.assert_array_equal(a, b)


# -- random initialisers: the same numbers as torch with the same seed -------------------------
EXACT_SHAPES = [(3, 5), (17, 4), (40, 30)]  # small and vectorised (>= 16 values) paths


@pytest.mark.parametrize("shape", EXACT_SHAPES)
@pytest.mark.parametrize("name,kwargs", [r[:2] for r in RANDOM_INITS if r[0] != "orthogonal_"])
def test_random_init_same_seed_same_values(name, kwargs, shape):
    values = []
    for lib in LIBS:
        lib.manual_seed(123)
        values.append(_sample(lib, name, kwargs, shape).astype(np.float32))
    np.testing.assert_array_equal(values[1], values[0])


@pytest.mark.parametrize("shape", EXACT_SHAPES)
def test_orthogonal_same_seed_close_values(shape):
    values = []
    for lib in LIBS:
        gen = lib.Generator().manual_seed(5)
        values.append(np_of(lib.nn.init.orthogonal_(lib.empty(*shape), generator=gen)))
    np.testing.assert_allclose(values[1], values[0], rtol=1e-4, atol=1e-5)


def test_sparse_same_seed_same_values():
    values = []
    for lib in LIBS:
        lib.manual_seed(11)
        values.append(np_of(lib.nn.init.sparse_(lib.empty(10, 6), 0.3, std=0.5)))
    np.testing.assert_array_equal(values[1], values[0])


def test_explicit_generator_same_values():
    values = []
    for lib in LIBS:
        gen = lib.Generator().manual_seed(99)
        t = lib.empty(20, 10)
        lib.nn.init.kaiming_uniform_(t, a=math.sqrt(5), generator=gen)
        values.append(np_of(t))
    np.testing.assert_array_equal(values[1], values[0])
