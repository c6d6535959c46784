"""histc and histogram against torch: exact counts (PyTorch's binning arithmetic, values on the
edges, out-of-range and nan values), edges, weights, density, dtypes, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from harness import SETTINGS, array, check, seeds
from hypothesis import given
from hypothesis import strategies as st

import glasstorch

shapes = st.lists(st.integers(0, 6), max_size=3).map(tuple)
FLOATS = st.sampled_from(["float32", "float64"])


def values(shape, dtype, seed) -> np.ndarray:
    """Normal values, some rounded to sit exactly on edges, some repeated."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 3
    x = np.where(rng.random(shape) < 0.3, np.round(x * 2) / 2, x)
    return np.asarray(x, dtype)


@SETTINGS
@given(shape=shapes, dtype=FLOATS, seed=seeds, bins=st.integers(1, 12),
       rng=st.sampled_from([(0, 0), (-2, 2), (-1.5, 3.25), (0.1, 0.7), (3, 3)]))
def test_histc(shape, dtype, seed, bins, rng):
    x = values(shape, dtype, seed)
    check(lambda L, t: (L.histc(t, bins, *rng), t.histc(bins=bins, min=rng[0], max=rng[1])), x,
          requires_grad=False)


def test_histc_exact_edges_and_special_values():
    x = np.array([0.0, 0.25, 0.5, 0.75, 1.0, 1.0, -0.1, 1.1, np.nan, 1 / 3, 2 / 3], np.float32)
    for bins in (1, 3, 4, 7, 100):
        check(lambda L, t, b=bins: L.histc(t, b, 0, 1), x, requires_grad=False)
    check(lambda L, t: L.histc(t, 5), np.array([2.0, 2.0]), requires_grad=False)
    check(lambda L, t: L.histc(t, 5), np.zeros(0, np.float32), requires_grad=False)
    check(lambda L, t: L.histc(t, 4), np.array([1.0, 2.0, 3.0], np.float16), requires_grad=False)
    # not differentiable: the result does not require grad
    check(lambda L, t: L.histc(t, 4), array((5,), "float32"))


@SETTINGS
@given(shape=shapes, dtype=FLOATS, seed=seeds, bins=st.integers(1, 12), density=st.booleans(),
       rng=st.sampled_from([None, (-2.0, 2.0), (0, 1), (1.0, 1.0)]), weighted=st.booleans())
def test_histogram(shape, dtype, seed, bins, density, rng, weighted):
    x = values(shape, dtype, seed)
    w = np.asarray(np.abs(values(shape, dtype, seed + 1)), dtype)
    check(lambda L, t, wt: L.histogram(t, bins, range=rng, weight=wt if weighted else None,
                                       density=density), x, w, requires_grad=False)


@SETTINGS
@given(shape=shapes, dtype=FLOATS, seed=seeds, n=st.integers(2, 6), density=st.booleans())
def test_histogram_with_edges(shape, dtype, seed, n, density):
    x = values(shape, dtype, seed)
    edges = np.sort(np.unique(np.round(values((n,), dtype, seed + 2), 1)))
    if edges.size < 2:
        edges = np.array([-1.0, 1.0], dtype)
    check(lambda L, t, e: (L.histogram(t, e, density=density), t.histogram(e)), x,
          edges.astype(dtype), requires_grad=False)


def test_histogram_is_not_differentiable_and_prints_as_torch():
    x = array((6,), "float32")
    check(lambda L, t: L.histogram(t, 3), x)  # grad_fn NotImplemented; backward raises
    g, t = (repr(lib.histogram(lib.tensor([1.0, 2, 1, 4]), 2)) for lib in (glasstorch, torch))
    assert g == t


ERRORS = [
    (lambda L, t: L.histc(t, 4), np.array([1, 2, 3])),
    (lambda L, t: L.histc(t, 4), np.array([True, False])),
    (lambda L, t: L.histc(t, 0), np.ones(3)),
    (lambda L, t: L.histc(t, -2), np.ones(3)),
    (lambda L, t: L.histc(t, 4, min=3, max=1), np.ones(3)),
    (lambda L, t: L.histc(t, 4, min=0, max=float("inf")), np.ones(3)),
    (lambda L, t: L.histogram(t, 4), np.array([1, 2])),
    (lambda L, t: L.histogram(t, 4), np.ones(3, np.float16)),
    (lambda L, t: L.histogram(t, 0), np.ones(3)),
    (lambda L, t: L.histogram(t, 4, range=(5.0, 1.0)), np.ones(3)),
    (lambda L, t: L.histogram(t, 4, range=(0.0, float("inf"))), np.ones(3)),
    (lambda L, t: L.histogram(t, 4, weight=L.ones(5, dtype=t.dtype)), np.ones(6)),
    (lambda L, t: L.histogram(t, 4, weight=L.ones(6, dtype=L.float32)), np.ones(6)),
    (lambda L, t: L.histogram(t), np.array([np.nan, 1.0])),
    (lambda L, t: L.histogram(t), np.array([np.inf, 1.0])),
    (lambda L, t: L.histogram(t, L.ones(2, 2, dtype=t.dtype)), np.ones(3)),
    (lambda L, t: L.histogram(t, L.ones(0, dtype=t.dtype)), np.ones(3)),
    (lambda L, t: L.histogram(t, L.ones(1, dtype=t.dtype)), np.ones(3)),
    (lambda L, t: L.histogram(t, L.ones(3, dtype=L.float32)), np.ones(3)),
    (lambda L, t: L.histogram(t, [0.0, 1.0]), np.ones(3)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    fn, x = ERRORS[i]
    check(fn, x, requires_grad=False, message=True)
