"""Indexing and index assignment against torch: values, views, gradients and errors."""

from __future__ import annotations

import numpy as np
import pytest
from harness import ALL_DTYPES, SETTINGS, array, check, lay, layouts, seeds, shapes
from hypothesis import given
from hypothesis import strategies as st

# indices into a (4, 5, 3) tensor; lists and arrays become index tensors in each library
INDICES = {
    "int": (1,),
    "neg_int": (-1,),
    "two_ints": (1, -2),
    "slice": (slice(1, 3),),
    "step": (slice(None, None, 2),),
    "neg_step_start": (slice(-3, None),),
    "slice_past_end": (slice(2, 10),),
    "empty_slice": (slice(3, 1),),
    "ellipsis": (Ellipsis, 1),
    "ellipsis_mid": (0, Ellipsis, slice(0, 2)),
    "none": (None, 1),
    "none_mid": (slice(None), None, 2),
    "mixed": (1, slice(None), None, -1),
    "list": ([0, 2, 3],),
    "list_repeat": ([1, 1, 0],),
    "list_2d": ([[0, 1], [3, 2]],),
    "tensor": ("long", [3, 0]),
    "tensor_0d": ("long0", 2),
    "two_lists": ([0, 2], [1, 4]),
    "list_slice": ([0, 3], slice(1, 4)),
    "slice_list": (slice(None), [4, 0, 4]),
    "separated_lists": ([0, 1], slice(None), [2, 0]),
    "bool_mask_all": ("mask", (4, 5, 3)),
    "bool_mask_rows": ("mask", (4,)),
    "bool_mask_2d": ("mask", (4, 5)),
    "bool_list": ([True, False, True, True],),
    "true": (True,),
    "false": (False,),
    "empty_list": ([],),
}


def _index(lib, spec, seed=0):
    """Build the index in ``lib`` (tensors for "long", "long0", "mask")."""
    if spec and spec[0] == "long":
        return (lib.tensor(spec[1]),)
    if spec and spec[0] == "long0":
        return (lib.tensor(spec[1]),)
    if spec and spec[0] == "mask":
        return (lib.tensor(np.random.default_rng(seed).random(spec[1]) < 0.5),)
    return spec


@pytest.mark.parametrize("name", sorted(INDICES))
@SETTINGS
@given(dtype=st.sampled_from(ALL_DTYPES), layout=layouts, seed=seeds)
def test_getitem(name, dtype, layout, seed):
    """x[index]: values, dtype, shape, gradient (scatter back, repeats accumulate)."""
    check(lambda L, x: x[_index(L, INDICES[name], seed)], lay(array((4, 5, 3), dtype, seed),
                                                                  layout), seed=seed)


@pytest.mark.parametrize("name", sorted(INDICES))
@pytest.mark.parametrize("value", ["scalar", "tensor", "broadcast"])
def test_setitem(name, value):
    """x[index] = v: values, version, gradients to x (zeroed where written) and v."""
    def f(L, a, v):
        x = a * 1  # a non-leaf copy: assignment is an in-place op in the graph
        idx = _index(L, INDICES[name])
        if value == "scalar":
            x[idx] = 2.5
        elif value == "tensor":
            x[idx] = v.expand_as(x[idx]).clone() * 3
        else:
            x[idx] = v[..., :1] if x[idx].ndim else v[0, 0]
        return x

    v = array((4, 5, 3), seed=1)
    check(f, array((4, 5, 3)), v)


@pytest.mark.parametrize("name", ["slice", "int", "ellipsis", "none", "step", "two_ints"])
def test_basic_indexing_is_a_view(name):
    """Basic indices return views: writes show in the base and vice versa."""

    def f(L, a):
        x = a.clone()
        v = x[_index(L, INDICES[name])]
        v.add_(100)
        x.mul_(2)
        return x, v, v._version == x._version

    check(f, array((4, 5, 3)), requires_grad=False)


@pytest.mark.parametrize("name", ["list", "tensor", "bool_mask_rows", "two_lists"])
def test_advanced_indexing_copies(name):
    def f(L, a):
        x = a.clone()
        v = x[_index(L, INDICES[name])]
        v.add_(100)
        return x, v

    check(f, array((4, 5, 3)), requires_grad=False)


@pytest.mark.parametrize("key", [([0, 3], slice(1, 4)), (True,)], ids=["list_slice", "true"])
def test_setitem_grad_fn_after_slicing(key):
    """PyTorch applies the slices of a mixed key as a view and index_put_s into it: the
    tensor's grad_fn is CopySlices."""
    def f(L, a):
        x = a * 1
        x[key] = 2.5
        return x

    check(f, array((4, 5, 3)))


def test_index_errors():
    check(lambda L, x: x[4], array((4, 5)), message=True)
    check(lambda L, x: x[0, 5], array((4, 5)))
    check(lambda L, x: x[0, 0, 0], array((4, 5)))
    check(lambda L, x: x[L.tensor([0, 7])], array((4, 5)))
    check(lambda L, x: x[L.tensor([1.0])], array((4, 5)))
    check(lambda L, x: x[L.tensor([True, False])], array((4, 5)))
    check(lambda L, x: x["a"], array((4, 5)))
    check(lambda L, x: x[0], array(()))

    def set_bad(L, x):
        x[0] = L.ones(3)

    check(set_bad, array((4, 5)), requires_grad=False)


# -- gather, scatter, index_select, masked ops, nonzero ------------------------------------


@SETTINGS
@given(shape=shapes(min_dims=1, max_dims=3, min_side=1), seed=seeds, data=st.data())
def test_gather_scatter_index_select(shape, seed, data):
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, shape[d], shape).astype(np.int64)
    sel = rng.integers(0, shape[d], 3).astype(np.int64)

    def f(L, x, src, i, s):
        return (x.gather(d, i), L.gather(x, d, i), x.scatter(d, i, src), x.scatter(d, i, 1.5),
                x.scatter_add(d, i, src), x.index_select(d, s), L.take_along_dim(x, i, d),
                x.index_add(d, s, src.index_select(d, s[:0]).sum() + x.index_select(d, s)))

    check(f, array(shape, seed=seed), array(shape, seed=seed + 1), idx, sel, seed=seed)


@SETTINGS
@given(shape=shapes(max_dims=3), seed=seeds)
def test_masked_ops_and_nonzero(shape, seed):
    mask = np.asarray(np.random.default_rng(seed).random(shape) < 0.5)

    def f(L, x, m):
        return (x.masked_fill(m, -1.0), x.masked_fill(m, L.tensor(2.0)), x.masked_select(m),
                m.nonzero(), L.nonzero(m, as_tuple=True), L.where(m), L.argwhere(m), x.take(
                    L.tensor([0]) if x.numel() else L.tensor([], dtype=L.int64)))

    check(f, array(shape, seed=seed), mask, seed=seed)


def test_inplace_index_ops():
    def f(L, a, src):
        x = a * 1
        x.masked_fill_(x > 0, 0.5)
        x.scatter_(1, L.tensor([[0, 1, 2]]), src[:1])
        x.index_add_(0, L.tensor([0, 0]), src[:2])
        x.scatter_add_(0, L.tensor([[1, 1, 1]]), src[:1])
        return x

    check(f, array((3, 3)), array((3, 3), seed=1))


def test_one_hot():
    check(lambda L, y: (L.nn.functional.one_hot(y), L.nn.functional.one_hot(y, 7)),
          np.array([0, 3, 2, 3, 5]))
    check(lambda L, y: L.nn.functional.one_hot(y, 3), np.array([0, 3]))
    check(lambda L, y: L.nn.functional.one_hot(y.float()), np.array([0, 3]))
