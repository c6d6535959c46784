"""``x[key]`` and ``x[key] = v`` with every kind of key course code writes, against torch.

Keys mix ints, slices, None, ``...``, True/False, lists, ranges, NumPy arrays (int, bool, uint8,
float), tensors (long, int32, bool, 0-d) and nested lists; hypothesis draws them. Compared:
values, shapes, dtypes, grad_fn names and gradients (``check``), and for bad keys PyTorch's
exception type and text (no NumPy wording), and PyTorch's warnings.
"""

from __future__ import annotations

import warnings

import harness
import numpy as np
import pytest
import torch
from harness import SETTINGS, array, check, seeds
from hypothesis import given
from hypothesis import strategies as st

import glasstorch


def _same_error(scenario, text: bool = True):
    """Both libraries raise the same exception type and (with ``text``) PyTorch's text."""
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
    return ge


same_error = getattr(harness, "same_error", _same_error)

# the deprecation warnings are compared where they are the point (assert_same_warnings)
pytestmark = pytest.mark.filterwarnings("ignore:indexing with dtype torch.uint8",
                                        "ignore:Using a non-tuple sequence")

# -- keys as specs: each library builds its own tensors ----------------------------------------


def build(L, spec):
    """A key element from its spec: ("int", 1), ("slice", (0, 2, None)), ("none",), ...; a
    tuple of specs is a tuple key."""
    if isinstance(spec, tuple) and spec and isinstance(spec[0], tuple):
        return tuple(build(L, s) for s in spec)
    kind, *arg = spec
    arg = arg[0] if arg else None
    return {
        "int": lambda: arg,
        "npint": lambda: np.int64(arg),
        "slice": lambda: slice(*arg),
        "none": lambda: None,
        "ellipsis": lambda: Ellipsis,
        "bool": lambda: arg,
        "list": lambda: list(arg),
        "range": lambda: range(*arg),
        "np": lambda: np.asarray(arg[0], dtype=arg[1]),
        "long": lambda: L.tensor(arg, dtype=L.int64),
        "int32": lambda: L.tensor(arg, dtype=L.int32),
        "mask": lambda: L.tensor(np.asarray(arg, dtype=bool)),
        "byte": lambda: L.tensor(np.asarray(arg, dtype=np.uint8)),
        "float_t": lambda: L.tensor(arg, dtype=L.float32),
        "tensor_list": lambda: [L.tensor(a) for a in arg],
    }[kind]()


@st.composite
def keys(draw, shape):
    """A tuple of index specs for a tensor of ``shape``: mostly valid (within bounds, masks of
    the dims they cover), now and then not (out of bounds, too many, shapes that do not
    broadcast)."""
    n = draw(st.integers(0, len(shape) + 1))
    specs, d = [], 0
    ellipsis = False
    rng_vals = st.integers(-6, 6)
    for _ in range(n):
        size = shape[d] if d < len(shape) else 1
        kind = draw(st.sampled_from(
            ["int", "npint", "slice", "none", "ellipsis", "bool", "list", "range", "np_int",
             "np_bool", "long", "int32", "mask", "long0", "nested"]))
        valid = draw(st.integers(0, 9)) > 0  # mostly in bounds
        idx = st.integers(-size, size - 1) if valid and size else rng_vals
        if kind in ("int", "npint"):
            specs.append((kind, draw(idx)))
            d += 1
        elif kind == "slice":
            a, b = draw(st.one_of(st.none(), rng_vals)), draw(st.one_of(st.none(), rng_vals))
            specs.append(("slice", (a, b, draw(st.sampled_from([None, 1, 2, 3])))))
            d += 1
        elif kind == "none":
            specs.append(("none",))
        elif kind == "ellipsis":
            if ellipsis:
                continue
            ellipsis = True
            specs.append(("ellipsis",))
            d = max(d, len(shape) - (n - len(specs)))
        elif kind == "bool":
            specs.append(("bool", draw(st.booleans())))
        elif kind in ("list", "long", "int32"):
            m = draw(st.integers(0, 3))
            specs.append((kind, [draw(idx) for _ in range(m)]))
            d += 1
        elif kind == "range":
            specs.append(("range", (0, draw(st.integers(0, size + (0 if valid else 2))))))
            d += 1
        elif kind == "np_int":
            m = draw(st.integers(1, 2))
            vals = [[draw(idx) for _ in range(m)] for _ in range(2)]
            specs.append(("np", (vals, draw(st.sampled_from(["int64", "int32", "float64"])))))
            d += 1
        elif kind in ("np_bool", "mask"):
            # (PyTorch counts a 2-d NumPy mask as one dim: what follows may index past the end,
            # where it reads sizes it does not have)
            k = draw(st.integers(1, 2 if kind == "mask" else 1))
            dims = list(shape[d:d + k]) or [1]
            if not valid:
                dims = [x + 1 for x in dims]
            vals = np.asarray(draw(st.lists(st.booleans(), min_size=int(np.prod(dims)),
                                            max_size=int(np.prod(dims))))).reshape(dims)
            specs.append(("np", (vals.tolist(), "bool")) if kind == "np_bool" else
                         ("mask", vals.tolist()))
            d += len(dims)
        elif kind == "long0":
            specs.append(("long", draw(idx)))
            d += 1
        else:  # nested lists: an index tensor of 2 dims
            specs.append(("list", [[draw(idx), draw(idx)], [draw(idx), draw(idx)]]))
            d += 1
    return tuple(specs)


@st.composite
def shape_key(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    return shape, draw(keys(shape))


@SETTINGS
@given(sk=shape_key(), seed=seeds)
def test_getitem_any_key(sk, seed):
    """x[key]: values, shape, grad_fn, gradient (scattered back, repeats adding up), or
    PyTorch's error and its text."""
    shape, spec = sk
    check(lambda L, x: x[build(L, spec)], array(shape, seed=seed), seed=seed, message=True)


@SETTINGS
@given(sk=shape_key(), seed=seeds, value=st.sampled_from(["scalar", "0d", "region", "row"]))
def test_setitem_any_key(sk, seed, value):
    """x[key] = v: values, the tensor's grad_fn (CopySlices, IndexPutBackward0, FillBackward3
    ...), gradients to x and v; or PyTorch's error."""
    shape, spec = sk

    def f(L, a, v):
        x = a * 1  # a non-leaf: the assignment is recorded
        key = build(L, spec)
        if value == "scalar":
            x[key] = 2.5
        elif value == "0d":
            x[key] = v.sum()
        else:
            region = tuple(x[key].shape)
            val = (v.flatten()[:int(np.prod(region))] * 3).reshape(region)
            x[key] = val if value == "region" or not region else val[..., -1:]
        return x

    check(f, array(shape, seed=seed), array((64,), seed=seed + 1), seed=seed, message=True)


@SETTINGS
@given(sk=shape_key(), seed=seeds)
def test_setitem_without_grad(sk, seed):
    """The same writes outside autograd (straight into the arrays), and the version counter."""
    shape, spec = sk

    def f(L, a):
        x = a.clone()
        x[build(L, spec)] = -1.0
        return x, x._version

    check(f, array(shape, seed=seed), requires_grad=False, message=True)


# -- the keys course code writes ---------------------------------------------------------------

X = (3, 4, 5)
READS = {
    "range": (("range", (2,)),),
    "range_step": (("range", (0, 3, 2)),),
    "slice_range": (("slice", (None,)), ("range", (1, 3))),
    "range_range": (("range", (2,)), ("range", (2,))),
    "np_int": (("np", ([0, 2], "int64")),),
    "np_int32": (("np", ([0, 2], "int32")),),
    "np_float": (("np", ([0.5, 1.7], "float64")),),
    "np_bool": (("np", ([True, False, True], "bool")),),
    "np_bool_2d": (("np", (np.ones((3, 4), bool).tolist(), "bool")),),
    "np_0d_int": (("np", (1, "int64")),),
    "np_0d_bool": (("np", (True, "bool")),),
    "np_uint8": (("np", ([1, 0, 1], "uint8")),),
    "np_int_2d_and_int": (("np", ([[0, 1], [2, 0]], "int64")), ("int", 1)),
    "list_float": (("list", [0.0, 1.9]),),
    "list_bool": (("list", [True, False, True]),),
    "list_bool_int": (("list", [True, 1]),),
    "tensor_list": (("tensor_list", [0, 2]),),
    "long0_slice": (("long", 1), ("slice", (None,))),
    "int32": (("int32", [1, 2]),),
    "byte_mask": (("byte", [1, 0, 1]),),
    "mask_then_slice": (("mask", np.ones((3, 4), bool).tolist()), ("slice", (1, 3))),
    "mask_then_int": (("mask", np.ones((3, 4), bool).tolist()), ("int", 1)),
    "mask_none_int": (("mask", np.ones((3, 4), bool).tolist()), ("none",), ("int", 1)),
    "separated": (("list", [0, 1]), ("slice", (None,)), ("list", [1, 2])),
    "int_between": (("list", [0, 1]), ("int", 1), ("list", [1, 2])),
    "int_first": (("int", 1), ("list", [0, 1]), ("int", 1)),
    "none_between": (("list", [0, 1]), ("none",), ("list", [0, 1])),
    "none_first": (("none",), ("list", [0, 1]), ("list", [1, 2])),
    "none_after": (("slice", (None,)), ("none",), ("list", [0, 1])),
    "ellipsis_adv": (("list", [0, 2]), ("ellipsis",), ("list", [0, 1])),
    "ellipsis_list_none": (("ellipsis",), ("list", [0, 1]), ("none",)),
    "true_then_list": (("bool", True), ("list", [0, 1])),
    "list_then_true": (("list", [0, 1]), ("bool", True)),
    "false": (("bool", False),),
    "ellipsis_false": (("ellipsis",), ("bool", False)),
    "two_ellipses": (("ellipsis",), ("ellipsis",)),
    "ellipsis_int_ellipsis": (("ellipsis",), ("int", 0), ("ellipsis",)),
    "npint": (("npint", 2),),
    "broadcast_2d": (("long", [[1, 2]]), ("slice", (None,)), ("long", [[0], [1]])),
}


@pytest.mark.parametrize("name", sorted(READS))
def test_reads(name):
    check(lambda L, x: x[build(L, READS[name])], array(X), message=True)


@pytest.mark.parametrize("name", sorted(READS))
def test_writes(name):
    def f(L, a, v):
        x = a * 1
        key = build(L, READS[name])
        x[key] = v.sum() * 2
        return x

    check(f, array(X), array((2,)), message=True)


def test_reads_of_nested_lists_and_lists_of_slices():
    """A short list holding lists, tensors, slices, None or ... is read as a tuple of indices,
    with PyTorch's deprecation warning."""
    for key in ([[0, 1], [1, 2]], [0, None], [0, slice(None)], [slice(None), 1],
                [[[0, 1]]], [[]]):
        check(lambda L, x, k=key: x[k], array(X))
        assert_same_warnings(lambda L, k=key: L.tensor(array(X))[k])
    check(lambda L, x: x[[L.tensor(1), L.tensor(2)]], array(X))
    check(lambda L, x: x[[L.tensor(1), 2]], array(X))


def assert_same_warnings(scenario):
    caught = []
    for lib in (torch, glasstorch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            scenario(lib)
        caught.append([(x.category, str(x.message)) for x in w])
    assert caught[0] == caught[1], caught


def test_uint8_mask_warns():
    assert_same_warnings(lambda L: L.tensor(array(X))[L.tensor([1, 0, 1], dtype=L.uint8)])
    assert_same_warnings(lambda L: L.tensor(array(X))[np.array([1, 0, 1], np.uint8)])


def test_long_lists_are_one_index():
    # 32 or more elements: one index tensor, whatever they hold (no deprecation warning)
    key = [0, 1] * 16
    check(lambda L, x: x[key], array((3, 4)))
    assert_same_warnings(lambda L: L.tensor(array((3, 4)))[key])


# -- PyTorch's errors --------------------------------------------------------------------------

ERRORS = {
    "zero_dim": lambda L: L.tensor(1.0)[0],
    "zero_dim_np": lambda L: L.tensor(1.0)[np.int64(0)],
    "zero_dim_1": lambda L: L.tensor(1.0)[1],
    "zero_dim_slice": lambda L: L.tensor(1.0)[:],
    "zero_dim_tuple": lambda L: L.tensor(1.0)[0, 0],
    "zero_dim_list": lambda L: L.tensor(1.0)[[0]],
    "zero_dim_tensor": lambda L: L.tensor(1.0)[L.tensor(0)],
    "oob_int": lambda L: L.tensor(array(X))[3],
    "oob_neg": lambda L: L.tensor(array(X))[-4],
    "oob_second": lambda L: L.tensor(array(X))[0, 5],
    "oob_after_none": lambda L: L.tensor(array(X))[None, 5],
    "oob_after_ellipsis": lambda L: L.tensor(array(X))[..., 7],
    "oob_list": lambda L: L.tensor(array(X))[[0, 5]],
    "oob_list_neg": lambda L: L.tensor(array(X))[[-4]],
    "oob_second_list": lambda L: L.tensor(array(X))[:, [0, 7]],
    "oob_third_list": lambda L: L.tensor(array(X))[[0, 1], :, [0, 7]],
    "oob_first_of_two": lambda L: L.tensor(array(X))[[0, 4], :, [0, 7]],
    "oob_2d": lambda L: L.tensor(array(X))[:, [[0, 7], [9, 1]]],
    "oob_tensor": lambda L: L.tensor(array(X))[L.tensor([5])],
    "oob_range": lambda L: L.tensor(array(X))[range(4)],
    "too_many": lambda L: L.tensor(array(X))[0, 0, 0, 0],
    "too_many_none": lambda L: L.tensor(array(X))[0, 0, 0, None, 0],
    "too_many_lists": lambda L: L.tensor(array(X))[[0], [0], [0], [0]],
    "too_many_mask": lambda L: L.tensor(array(X))[:, :, L.ones(5, 2, dtype=L.bool)],
    "broadcast": lambda L: L.tensor(array(X))[[0, 1], [0, 1, 2]],
    "broadcast_three": lambda L: L.tensor(array(X))[L.tensor([0, 1]), L.tensor([[0], [1], [2]]),
                                                    L.tensor([0, 1, 2, 3])],
    "broadcast_mask": lambda L: L.tensor(array(X))[np.ones((3, 4), bool), [0, 1, 2]],
    "mask_shape": lambda L: L.tensor(array(X))[L.ones(2, dtype=L.bool)],
    "mask_shape_np": lambda L: L.tensor(array(X))[np.array([True, False])],
    "mask_shape_second": lambda L: L.tensor(array(X))[:, L.ones(3, dtype=L.bool)],
    "mask_shape_2d": lambda L: L.tensor(array(X))[L.ones(3, 5, dtype=L.bool)],
    "float_tensor": lambda L: L.tensor(array(X))[L.tensor([1.0])],
    "float_tensor_0d": lambda L: L.tensor(array(X))[L.tensor(1.0)],
    "int8_tensor": lambda L: L.tensor(array(X))[L.tensor([1], dtype=L.int8)],
    "int16_tensor": lambda L: L.tensor(array(X))[L.tensor([1], dtype=L.int16)],
    "float": lambda L: L.tensor(array(X))[1.5],
    "np_float": lambda L: L.tensor(array(X))[np.float32(1)],
    "np_float64": lambda L: L.tensor(array(X))[np.float64(1)],
    "np_bool_scalar": lambda L: L.tensor(array(X))[np.bool_(True)],
    "str": lambda L: L.tensor(array(X))["a"],
    "set": lambda L: L.tensor(array(X))[{1}],
    "dict": lambda L: L.tensor(array(X))[{1: 2}],
    "slice_float": lambda L: L.tensor(array(X))[0:2.0],
    "slice_step_0": lambda L: L.tensor(array(X))[::0],
    "slice_step_neg": lambda L: L.tensor(array(X))[::-1],
    "ellipses_past_the_end": lambda L: L.tensor(array(X))[..., ..., 0],
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_index_errors(name):
    same_error(ERRORS[name])


def _put(key, value):
    def scenario(L):
        x = L.tensor(array(X))
        x[key(L)] = value(L)

    return scenario


SET_ERRORS = {
    "oob": _put(lambda L: 5, lambda L: 0.0),
    "oob_list": _put(lambda L: ([0, 1], [0, 5]), lambda L: 0.0),
    "broadcast": _put(lambda L: ([0, 1], [0, 1, 2]), lambda L: 0.0),
    "too_many": _put(lambda L: (0, 0, 0, 0), lambda L: 0.0),
    "float_key": _put(lambda L: 1.0, lambda L: 0.0),
    "numpy_value": _put(lambda L: 0, lambda L: np.ones(5)),
    "list_value": _put(lambda L: 0, lambda L: [1.0, 2.0, 3.0, 4.0, 5.0]),
    "str_value": _put(lambda L: 0, lambda L: "a"),
    "none_value": _put(lambda L: 0, lambda L: None),
    "np_float32_value": _put(lambda L: [0, 1], lambda L: np.float32(1)),
    "np_bool_value": _put(lambda L: 0, lambda L: np.bool_(True)),
    "complex_value": _put(lambda L: 0, lambda L: 1 + 2j),
    "complex_value_double": lambda L: L.zeros(3, dtype=L.float64).__setitem__(0, 1 + 2j),
    "complex_value_long": lambda L: L.zeros(3, dtype=L.int64).__setitem__(0, 1 + 2j),
    "complex_value_half": lambda L: L.zeros(3, dtype=L.float16).__setitem__(0, 1 + 2j),
    "expand_more_dims": _put(lambda L: 0, lambda L: L.ones(2, 4, 5)),
    "expand_size": _put(lambda L: 0, lambda L: L.ones(3)),
    "expand_0d_target": _put(lambda L: (0, 0, 0), lambda L: L.tensor([1.0, 2.0])),
    "put_dtype": _put(lambda L: [0, 1], lambda L: L.ones(5, dtype=L.float64)),
    "put_dtype_0d": _put(lambda L: [0, 1], lambda L: L.tensor(2.0, dtype=L.float64)),
    "put_dtype_long": _put(lambda L: [0], lambda L: L.ones(4, 5, dtype=L.int64)),
    "put_shape": _put(lambda L: [0, 1], lambda L: L.ones(3)),
    "put_shape_lead": _put(lambda L: [0, 1], lambda L: L.ones(2, 1, 4, 5)),
    "put_shape_before_bounds": _put(lambda L: (Ellipsis, [0, 9]), lambda L: L.ones(3, 4, 2, 1)),
    "put_shape_before_dtype": _put(lambda L: [0, 1], lambda L: L.ones(3, dtype=L.float64)),
    "byte_mask_one_value": _put(lambda L: L.tensor([1, 0, 1], dtype=L.uint8), lambda L: 0.0),
    "mask_shape": _put(lambda L: L.ones(2, dtype=L.bool), lambda L: 0.0),
    "uint8_overflow": lambda L: L.zeros(3, dtype=L.uint8).__setitem__(0, 300),
    "int32_overflow": lambda L: L.zeros(3, dtype=L.int32).__setitem__(0, 2**40),
    "delete": lambda L: L.tensor(array(X)).__delitem__(0),
    "leaf_view": lambda L: L.tensor(array(X), requires_grad=True).__setitem__(0, 1.0),
    "leaf_index": lambda L: L.tensor(array(X), requires_grad=True).__setitem__([0], 1.0),
    "leaf_all": lambda L: L.tensor(array(X), requires_grad=True).__setitem__(Ellipsis, 1.0),
}


@pytest.mark.parametrize("name", sorted(SET_ERRORS))
def test_setitem_errors(name):
    same_error(SET_ERRORS[name])


# -- what writes do: node names, dtype conversions, value shapes -------------------------------

WRITES = {
    "ellipsis": lambda L, x, v: x.__setitem__(Ellipsis, 7.0),
    "empty_tuple": lambda L, x, v: x.__setitem__((), v.sum()),
    "all_slice": lambda L, x, v: x.__setitem__(slice(None), v[:5]),
    "all_slices": lambda L, x, v: x.__setitem__((slice(None), slice(None)), 7.0),
    "none": lambda L, x, v: x.__setitem__(None, 7.0),
    "true": lambda L, x, v: x.__setitem__(True, v.sum()),
    "false": lambda L, x, v: x.__setitem__(False, v.sum()),
    "int": lambda L, x, v: x.__setitem__(0, v[:5]),
    "int_leading_ones": lambda L, x, v: x.__setitem__(0, v[:5].reshape(1, 1, 1, 5)),
    "int_long_value": lambda L, x, v: x.__setitem__(0, (v[:5] * 10).long()),
    "int_double_value": lambda L, x, v: x.__setitem__(0, v[:5].double()),
    "list_leading_ones": lambda L, x, v: x.__setitem__([0, 1], v[:20].reshape(1, 1, 4, 5)),
    "list_row": lambda L, x, v: x.__setitem__([0, 1], v[:5].reshape(1, 5)),
    "mask_one_value": lambda L, x, v: x.__setitem__(x > 0, v[0]),
    "mask_one_value_1d": lambda L, x, v: x.__setitem__(x > 0, v[:1]),
    "mask_one_value_double": lambda L, x, v: x.__setitem__(x > 0, v[0].double()),
    "mask_rows": lambda L, x, v: x.__setitem__(L.tensor([True, False, True]), v[:5]),
    "mask_dim1_one_value": lambda L, x, v: x.__setitem__((slice(None), L.ones(4, dtype=L.bool)),
                                                          v[0]),
    "int_then_mask": lambda L, x, v: x.__setitem__((0, L.ones(4, dtype=L.bool)), 0.0),
    "range": lambda L, x, v: x.__setitem__(range(2), 1.0),
    "np_array": lambda L, x, v: x.__setitem__(np.array([0, 1]), 1.0),
    "np_int_value": lambda L, x, v: x.__setitem__(0, np.int64(3)),
    "np_float64_value": lambda L, x, v: x.__setitem__(0, np.float64(3.5)),
    "bool_value": lambda L, x, v: x.__setitem__(0, True),
    "complex_real_value": lambda L, x, v: x.__setitem__(0, 2 + 0j),
}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_write_kinds(name):
    def f(L, a, v):
        x = a * 1
        WRITES[name](L, x, v)
        return x

    check(f, array((3, 4, 5)), array((30,), seed=1))


@pytest.mark.parametrize("dtype", ["uint8", "int32", "bool", "float16", "int64"])
def test_scalar_writes_into_other_dtypes(dtype):
    def f(L, a):
        x = a.clone()
        x[0] = 7.9
        x[1] = -1 if dtype != "bool" else 0.5
        x[[2]] = 2
        x[x == 0] = 1
        return x

    check(f, array((3, 2), dtype), requires_grad=False)


def test_float16_overflow_is_inf():
    check(lambda L, a: a.clone().__setitem__(0, 1e10) or a, array((2,), "float16"),
          requires_grad=False)


# -- index_put -----------------------------------------------------------------------------

PUTS = {
    "one": lambda L, x, v: L.index_put(x, (L.tensor([0, 1]),), v[0]),
    "list_of_indices": lambda L, x, v: x.index_put([L.tensor([0, 2]), L.tensor([1, 1])], v[:5]),
    "accumulate": lambda L, x, v: L.index_put(x, (L.tensor([0, 0]),), v[0], accumulate=True),
    "mask": lambda L, x, v: x.index_put((x > 0,), v[0]),
    "mask_values": lambda L, x, v: x.index_put((L.ones(3, 4, dtype=L.bool),), v[:5]),
    "inplace": lambda L, x, v: (x * 1).index_put_((L.tensor([1]),), v[:5]),
}


@pytest.mark.parametrize("name", sorted(PUTS))
def test_index_put(name):
    check(lambda L, x, v: PUTS[name](L, x, v), array(X), array((30,), seed=1),
          grad_fn=name != "accumulate")  # (glasstorch names that node AddBackward0)


PUT_ERRORS = {
    "values_not_tensor": lambda L: L.index_put(L.zeros(3), (L.tensor([0]),), 1.0),
    "none_index": lambda L: L.index_put(L.zeros(3, 2), (None, L.tensor([0])), L.tensor(1.0)),
    "list_index": lambda L: L.index_put(L.zeros(3), ([0, 1],), L.tensor(1.0)),
    "oob": lambda L: L.index_put(L.zeros(3), (L.tensor([0, 5]),), L.tensor(1.0)),
    "too_many": lambda L: L.index_put(L.zeros(3, 4, 5), (L.tensor([0, 1]),) * 4, L.tensor(1.0)),
    "dtype": lambda L: L.index_put(L.zeros(3, 4), (L.ones(3, dtype=L.bool),),
                                   L.ones(4, dtype=L.float64)),
    "broadcast": lambda L: L.index_put(L.zeros(3, 4), (L.tensor([0, 1]), L.tensor([0, 1, 2])),
                                       L.tensor(1.0)),
    "float_index": lambda L: L.index_put(L.zeros(3), (L.tensor([0.0]),), L.tensor(1.0)),
    "leaf": lambda L: L.zeros(3, requires_grad=True).index_put_((L.tensor([0]),), L.tensor(1.0)),
}


@pytest.mark.parametrize("name", sorted(PUT_ERRORS))
def test_index_put_errors(name):
    same_error(PUT_ERRORS[name])


INDEX_SELECT_ERRORS = {
    "oob": lambda L: L.index_select(L.zeros(3, 2), 0, L.tensor([5])),
    "negative": lambda L: L.index_select(L.zeros(3, 2), 0, L.tensor([-1])),
    "float": lambda L: L.index_select(L.zeros(3, 2), 0, L.tensor([0.0])),
}


@pytest.mark.parametrize("name", sorted(INDEX_SELECT_ERRORS))
def test_index_select_errors(name):
    same_error(INDEX_SELECT_ERRORS[name])


def test_index_select_int32():
    check(lambda L, x: x.index_select(0, L.tensor([2, 0], dtype=L.int32)), array((3, 2)))
