"""Reductions against torch: sum, mean, var, max (values, indices), softmax, sort ...

Shapes (0-d, empty dims), dims, keepdim, dtypes and layouts are drawn by hypothesis.
"""

from __future__ import annotations

import numpy as np
import pytest
from harness import ALL_DTYPES, FLOATS, SETTINGS, array, check, lay, layouts, seeds, shapes
from hypothesis import given
from hypothesis import strategies as st

# ops taking (lib, x, dim, keepdim); dim may be None (all dims)
REDUCE = {
    "sum": lambda L, x, d, k: x.sum() if d is None else x.sum(d, keepdim=k),
    "sum_fn": lambda L, x, d, k: L.sum(x) if d is None else L.sum(x, dim=d, keepdim=k),
    "sum_dtype": lambda L, x, d, k: x.sum(dtype=L.float64) if d is None else x.sum(d, k),
    "mean": lambda L, x, d, k: x.mean() if d is None else x.mean(d, keepdim=k),
    "var": lambda L, x, d, k: x.var() if d is None else x.var(d, keepdim=k),
    "var_biased": lambda L, x, d, k: x.var(d, unbiased=False, keepdim=k),
    "var_correction": lambda L, x, d, k: L.var(x, dim=d, correction=0, keepdim=k),
    "std": lambda L, x, d, k: x.std() if d is None else x.std(d, keepdim=k),
    "std_mean": lambda L, x, d, k: L.std_mean(x, dim=d, keepdim=k),
    "var_mean": lambda L, x, d, k: L.var_mean(x, dim=d, keepdim=k),
    "prod": lambda L, x, d, k: x.prod() if d is None else x.prod(d, keepdim=k),
    "max": lambda L, x, d, k: x.max() if d is None else x.max(d, keepdim=k),
    "min": lambda L, x, d, k: x.min() if d is None else L.min(x, dim=d, keepdim=k),
    "amax": lambda L, x, d, k: x.amax() if d is None else x.amax(d, keepdim=k),
    "amin": lambda L, x, d, k: L.amin(x) if d is None else L.amin(x, d, keepdim=k),
    "argmax": lambda L, x, d, k: x.argmax() if d is None else x.argmax(d, keepdim=k),
    "argmin": lambda L, x, d, k: L.argmin(x) if d is None else x.argmin(dim=d, keepdim=k),
    "all": lambda L, x, d, k: x.all() if d is None else x.all(d, keepdim=k),
    "any": lambda L, x, d, k: x.any() if d is None else L.any(x, d, keepdim=k),
    "count_nonzero": lambda L, x, d, k: x.count_nonzero() if d is None else x.count_nonzero(d),
    "logsumexp": lambda L, x, d, k: x.logsumexp(0 if d is None else d, keepdim=k),
    "softmax": lambda L, x, d, k: x.softmax(0 if d is None else d),
    "log_softmax": lambda L, x, d, k: L.log_softmax(x, 0 if d is None else d),
    "softmax_dtype": lambda L, x, d, k: x.softmax(-1, dtype=L.float64),
    "cumsum": lambda L, x, d, k: x.cumsum(0 if d is None else d),
    "norm": lambda L, x, d, k: x.norm() if d is None else x.norm(dim=d, keepdim=k),
    "norm_p1": lambda L, x, d, k: x.norm(p=1, dim=d, keepdim=k),
    "nanmean": lambda L, x, d, k: L.nanmean(x) if d is None else x.nanmean(d, keepdim=k),
    "sort": lambda L, x, d, k: x.sort(dim=-1 if d is None else d, descending=k, stable=True),
    "argsort": lambda L, x, d, k: x.argsort(dim=-1 if d is None else d, descending=k,
                                            stable=True),
    "topk": lambda L, x, d, k: x.topk(min(2, x.shape[d] if x.ndim else 1), 0 if d is None else d,
                                      largest=k),
}


@st.composite
def shape_dim(draw, min_dims=0, max_dims=4):
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims))
    nd = len(shape)
    dims = [None] + list(range(-max(nd, 1), max(nd, 1)))
    return shape, draw(st.sampled_from(dims)), draw(st.booleans())


@pytest.mark.parametrize("name", sorted(REDUCE))
@SETTINGS
@given(sdk=shape_dim(), dtype=st.sampled_from(ALL_DTYPES), layout=layouts, seed=seeds,
       ties=st.booleans())
def test_reduce(name, sdk, dtype, layout, seed, ties):
    """Values, index tensors, named tuples, dtypes and gradients; ``ties`` draws small integer
    values so max/min/sort/topk meet equal elements (torch picks the first index)."""
    shape, dim, keepdim = sdk
    x = array(shape, dtype, seed, low=-2, high=3)
    if ties and dtype in FLOATS:
        x = (x * 2).round().astype(dtype)
    if name == "topk" and dtype != "bool":  # torch leaves the order of tied elements open
        x = np.random.default_rng(seed).permutation(x.size).reshape(shape).astype(dtype)
    if name == "topk" and dim is not None and len(shape) and shape[dim] == 0:
        return
    if "softmax" in name and 0 in shape and dtype not in FLOATS:
        return  # torch skips its dtype check when there is nothing to compute
    check(lambda L, x: REDUCE[name](L, x, dim, keepdim), lay(x, layout), seed=seed,
          atol=1e-5 if name in ("prod", "var_mean", "std_mean") and dtype != "float16" else None)


@pytest.mark.parametrize("dims", [(0, 1), (-1, 0), [1, 2]])
@pytest.mark.parametrize("op", ["sum", "mean", "amax", "var", "std", "logsumexp"])
def test_reduce_several_dims(op, dims):
    check(lambda L, x: getattr(x, op)(dims, keepdim=True), array((2, 3, 4)))
    check(lambda L, x: getattr(x, op)(dims), array((2, 3, 4)))


def test_reduce_errors():
    check(lambda L, x: x.mean(), array((3,), "int64"), message=True)
    check(lambda L, x: x.sum(3), array((2, 3)), message=True)
    check(lambda L, x: x.max(), array((0,)))
    check(lambda L, x: x.max(0), array((0, 2)))
    check(lambda L, x: x.argmax(), array((0,)))
    check(lambda L, x: x.softmax(2), array((2, 3)))
    check(lambda L, x: x.topk(4), array((3,)))
    check(lambda L, x: x.var(), array((3,), "int64"))
    check(lambda L, x: x.sum((0, 0)), array((2, 3)))


def test_max_named_tuple_and_other():
    def f(L, x, y):
        r = x.max(1)
        return r.values, r.indices, r[0], L.max(x, y), x.min(dim=0, keepdim=True).indices

    check(f, array((3, 4)), array((3, 4), seed=1))


def test_full_max_ties_share_gradient():
    """max() without dim splits the gradient evenly among equal maxima; max(dim) gives it to
    the first."""
    x = array((2, 3), low=0, high=2).astype("float32")
    check(lambda L, x: (x.max(), x.max(1).values, x.amax(1), x.min()), x)
