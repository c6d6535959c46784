"""The small pieces of PyTorch's surface beginner scripts use, against torch.

Constants (torch.pi ...), dtype limits (finfo, iinfo), Tensor properties (is_cpu, layout, H, mH,
is_signed ...), sum_to_size, unique, the splitting and grid helpers (tensor_split, hsplit,
meshgrid, cartesian_prod, diff ...), searchsorted, isin, tril_indices; and behaviours of
what already existed that scripts rely on: grad-mode decorators, manual_seed's Generator,
set_printoptions, numpy(force=True), tensors meeting NumPy arrays in operators.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings

import harness
import numpy as np
import pytest
import torch
from harness import SETTINGS, array, assert_same, check, seeds, shapes
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


same_error = getattr(harness, "same_error", _same_error)


def same(scenario):
    """``scenario(lib)`` gives equal plain values (numbers, strings, tuples) on both."""
    t, g = scenario(torch), scenario(glasstorch)
    assert type(g) is type(t) and (g == t or (g != g and t != t)), (g, t)


def same_warnings(scenario):
    caught = []
    for lib in (torch, glasstorch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            scenario(lib)
        caught.append([(x.category, str(x.message)) for x in w])
    assert caught[0] == caught[1], caught


# -- constants and dtype limits --------------------------------------------------------------


@pytest.mark.parametrize("name", ["pi", "e", "inf", "nan", "newaxis"])
def test_constants(name):
    same(lambda L: getattr(L, name))


DTYPES_F = ["float32", "float64", "float16"]
DTYPES_I = ["int64", "int32", "int16", "int8", "uint8"]


@pytest.mark.parametrize("name", DTYPES_F)
def test_finfo(name):
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        same(lambda L, a=attr: getattr(L.finfo(getattr(L, name)), a))
    same(lambda L: repr(L.finfo(getattr(L, name))))
    same(lambda L: L.finfo(getattr(L, name)) == L.finfo(L.float32))


@pytest.mark.parametrize("name", DTYPES_I)
def test_iinfo(name):
    for attr in ("bits", "max", "min", "dtype"):
        same(lambda L, a=attr: getattr(L.iinfo(getattr(L, name)), a))
    same(lambda L: repr(L.iinfo(getattr(L, name))))


def test_finfo_default_and_errors():
    same(lambda L: L.finfo().eps)
    L_default = glasstorch.get_default_dtype()
    try:
        for lib in (torch, glasstorch):
            lib.set_default_dtype(lib.float64)
        same(lambda L: L.finfo().eps)
    finally:
        torch.set_default_dtype(torch.float32)
        glasstorch.set_default_dtype(L_default)
    same_error(lambda L: L.finfo(L.int64))
    same_error(lambda L: L.iinfo(L.float32))
    same_error(lambda L: L.iinfo(L.bool))
    same_error(lambda L: L.finfo("float32"))


# -- tensor properties -----------------------------------------------------------------------


def test_properties():
    x = array((2, 3))
    check(lambda L, t: (t.is_cpu, repr(t.layout), repr(L.strided), t.layout == L.strided,
                        t.is_signed(), t.int().is_signed(), t.byte().is_signed(),
                        t.bool().is_signed(), t.is_same_size(t[0]), t.is_same_size(t * 2),
                        L.is_signed(t), L.is_same_size(t, t), L.is_complex(t),
                        L.typename(t), L.typename(t.long()), L.typename(3)), x)
    same(lambda L: L.typename(L.nn.Linear(1, 1)))


@pytest.mark.parametrize("value", [[0.0], [2.0], [[1]], [True]])
def test_is_nonzero(value):
    check(lambda L, t: (t.is_nonzero(), L.is_nonzero(t)), np.array(value))


@pytest.mark.parametrize("value", [[1.0, 2.0], []])
def test_is_nonzero_errors(value):
    same_error(lambda L: L.tensor(value).is_nonzero())


@pytest.mark.parametrize("shape", [(2, 3), (4, 2, 3), ()])
def test_conjugate_transposes(shape):
    x = array(shape)
    if len(shape) == 2:
        check(lambda L, t: (t.H, t.mH, t.mT), x)
    elif len(shape) == 3:
        check(lambda L, t: (t.mH, t.mT), x)
        same_error(lambda L: L.tensor(x).H)
    else:
        for name in ("H", "mH", "mT"):
            check(lambda L, t, n=name: getattr(t, n), x)
    same_error(lambda L: L.ones(3).H)
    same_error(lambda L: L.ones(3).mH)


# -- sum_to_size -----------------------------------------------------------------------------


@st.composite
def shape_and_target(draw):
    shape = draw(shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    lead = draw(st.integers(0, len(shape)))
    target = tuple(n if draw(st.booleans()) else 1 for n in shape[lead:])
    return shape, target


@SETTINGS
@given(st_=shape_and_target(), seed=seeds, form=st.sampled_from(["ints", "tuple", "list"]))
def test_sum_to_size(st_, seed, form):
    shape, target = st_
    arg = {"ints": target, "tuple": (target,), "list": (list(target),)}[form]
    check(lambda L, t: t.sum_to_size(*arg), array(shape, seed=seed), seed=seed)


@pytest.mark.parametrize("size", [(4, 3), (1, 1, 3), (2,), (3, 3)])
def test_sum_to_size_errors(size):
    same_error(lambda L: L.ones(2, 3).sum_to_size(*size))


# -- unique ----------------------------------------------------------------------------------

UNIQUE = {
    "plain": lambda L, t: L.unique(t),
    "method": lambda L, t: t.unique(),
    "unsorted": lambda L, t: L.unique(t, sorted=False),
    "inverse": lambda L, t: L.unique(t, return_inverse=True),
    "counts": lambda L, t: t.unique(return_counts=True),
    "both": lambda L, t: L.unique(t, return_inverse=True, return_counts=True),
    "dim0": lambda L, t: L.unique(t, dim=0, return_inverse=True, return_counts=True)
    if t.ndim else L.unique(t),
    "dim_last": lambda L, t: t.unique(dim=-1) if t.ndim else t.unique(),
}


@pytest.mark.parametrize("name", sorted(UNIQUE))
@pytest.mark.parametrize("dtype", ["int64", "float32", "bool", "uint8"])
@SETTINGS
@given(shape=shapes(max_dims=3, max_side=4), seed=seeds)
def test_unique(name, dtype, shape, seed):
    x = array(shape, dtype, seed=seed, low=0, high=3)
    check(lambda L, t: UNIQUE[name](L, t), x, requires_grad=False)


def test_unique_keeps_each_nan():
    check(lambda L, t: L.unique(t, return_counts=True), np.array([1.0, np.nan, np.nan, 1.0]),
          requires_grad=False)


# -- splitting, mirroring, grids -------------------------------------------------------------

SPLITS = {
    "sections": lambda L, t: L.tensor_split(t, 3),
    "sections_dim": lambda L, t: t.tensor_split(2, dim=-1),
    "indices": lambda L, t: L.tensor_split(t, [1, 3]),
    "indices_past_end": lambda L, t: t.tensor_split((1, 9)),
    "indices_tensor": lambda L, t: L.tensor_split(t, L.tensor([2])),
    "sections_tensor": lambda L, t: L.tensor_split(t, L.tensor(2)),
    "hsplit": lambda L, t: L.hsplit(t, [1]),
    "vsplit": lambda L, t: t.vsplit([1, 2]),
    "fliplr": lambda L, t: L.fliplr(t),
    "flipud": lambda L, t: t.flipud(),
    "diff": lambda L, t: L.diff(t),
    "diff_n2_dim0": lambda L, t: t.diff(n=2, dim=0),
    "diff_prepend": lambda L, t: L.diff(t, dim=0, prepend=t[:1] * 2, append=t[-1:]),
}


@pytest.mark.parametrize("name", sorted(SPLITS))
@SETTINGS
@given(shape=shapes(min_dims=2, max_dims=3, min_side=1, max_side=5), seed=seeds)
def test_splits_and_flips(name, shape, seed):
    check(lambda L, t: SPLITS[name](L, t), array(shape, seed=seed), seed=seed)


def test_even_splits():
    x = array((4, 6, 2))
    check(lambda L, t: (L.hsplit(t, 3), L.vsplit(t, 2), L.dsplit(t, 2), L.hsplit(t[0, :, 0], 2),
                        t.dsplit([1])), x)


SPLIT_ERRORS = {
    "zero_sections": lambda L: L.tensor_split(L.arange(7), 0),
    "hsplit_uneven": lambda L: L.hsplit(L.arange(6).view(2, 3), 2),
    "vsplit_1d": lambda L: L.vsplit(L.arange(6), 2),
    "dsplit_2d": lambda L: L.dsplit(L.arange(6).view(2, 3), 2),
    "fliplr_1d": lambda L: L.fliplr(L.ones(3)),
    "flipud_0d": lambda L: L.flipud(L.tensor(1.0)),
    "diff_0d": lambda L: L.diff(L.tensor(1.0)),
    "meshgrid_2d": lambda L: L.meshgrid(L.ones(2, 2), L.ones(2), indexing="ij"),
    "meshgrid_dtypes": lambda L: L.meshgrid(L.ones(2), L.ones(2, dtype=L.int64), indexing="ij"),
    "meshgrid_indexing": lambda L: L.meshgrid(L.ones(2), indexing="foo"),
    "meshgrid_empty": lambda L: L.meshgrid(indexing="ij"),
}


@pytest.mark.parametrize("name", sorted(SPLIT_ERRORS))
def test_split_errors(name):
    same_error(SPLIT_ERRORS[name], text=name != "meshgrid_2d")  # (torch prints the values)


@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("sizes", [(3,), (3, 2), (2, 3, 4), (0, 2), (1, 1)])
def test_meshgrid(indexing, sizes):
    xs = [array((n,), seed=i) for i, n in enumerate(sizes)]
    check(lambda L, *ts: L.meshgrid(*ts, indexing=indexing), *xs)
    check(lambda L, *ts: L.meshgrid(list(ts), indexing=indexing), *xs)
    check(lambda L, *ts: L.cartesian_prod(*ts), *xs)


def test_meshgrid_0d():
    check(lambda L, a, b: L.meshgrid(a, b, indexing="ij"), array(()), array((2,)))


def test_warnings_once_a_process():
    """PyTorch warns once per process that x.H, x.mT, x.mH of a 0-d tensor are deprecated and
    that meshgrid will need its indexing argument."""
    code = textwrap.dedent("""
        import warnings, torch, glasstorch
        out = []
        for lib in (torch, glasstorch):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                for _ in range(2):
                    for name in ("H", "mT", "mH"):
                        getattr(lib.tensor(1.0), name)
                    lib.meshgrid(lib.ones(2), lib.ones(3))
            out.append([(x.category.__name__, str(x.message)) for x in w])
        assert out[0] == out[1] and len(out[0]) == 4, out
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr


def test_diff_of_bools_and_ints():
    check(lambda L, t: (t.diff(), t.long().diff(n=2), t.float().diff(n=3)),
          np.array([True, False, False, True, True]))


# -- searching -------------------------------------------------------------------------------

SEARCH = {
    "left": lambda L, s, x: L.searchsorted(s, x),
    "right": lambda L, s, x: L.searchsorted(s, x, right=True),
    "side": lambda L, s, x: L.searchsorted(s, x, side="right", out_int32=True),
    "scalar": lambda L, s, x: L.searchsorted(s, 0.5),
    "sorter": lambda L, s, x: L.searchsorted(s.flip(0), x, sorter=L.arange(s.numel() - 1, -1,
                                                                            -1)),
}


@pytest.mark.parametrize("name", sorted(SEARCH))
def test_searchsorted(name):
    s = np.sort(array((6,), seed=1))
    check(lambda L, a, b: SEARCH[name](L, a, b), s, array((2, 3), seed=2), requires_grad=False)


def test_searchsorted_rows_and_errors():
    s = np.sort(array((2, 5), seed=1), axis=-1)
    check(lambda L, a, b: L.searchsorted(a, b), s, array((2, 3), seed=2), requires_grad=False)
    same_error(lambda L: L.searchsorted(L.arange(3), L.arange(2), right=True, side="left"))
    same_error(lambda L: L.searchsorted(L.arange(3), L.arange(2), side="middle"))


def test_isin():
    check(lambda L, a, b: (L.isin(a, b), L.isin(a, b, invert=True), L.isin(a, 2),
                           L.isin(2, b)), np.array([[1, 2], [3, 4]]), np.array([2, 3]))


@pytest.mark.parametrize("args", [(3, 3), (3, 4, 1), (4, 3, -1), (0, 0), (2, 5, 10)])
def test_tri_indices(args):
    check(lambda L: (L.tril_indices(*args), L.triu_indices(*args),
                     L.tril_indices(*args, dtype=L.int32)))


# -- what existing code does for scripts ------------------------------------------------------

DECORATED = {
    "no_grad()": lambda L: L.no_grad(),
    "no_grad": lambda L: L.no_grad,
    "enable_grad()": lambda L: L.enable_grad(),
    "inference_mode()": lambda L: L.inference_mode(),
    "set_grad_enabled(False)": lambda L: L.set_grad_enabled(False),
    "set_grad_enabled(True)": lambda L: L.set_grad_enabled(True),
}


@pytest.mark.parametrize("name", sorted(DECORATED))
@pytest.mark.parametrize("outside", [True, False])
def test_grad_mode_decorators(name, outside):
    """A grad-mode switch as a decorator acts inside the function only (set_grad_enabled
    changed the mode for good when it decorated)."""

    def scenario(L):
        with L.set_grad_enabled(outside):
            @DECORATED[name](L)
            def f(x):
                return (x * 2).requires_grad, L.is_grad_enabled()

            after = L.is_grad_enabled()
            return f(L.ones(2, requires_grad=True)), after, L.is_grad_enabled()

    same(scenario)


def test_manual_seed_gives_the_generator():
    same(lambda L: type(L.manual_seed(0)).__name__)
    same(lambda L: L.manual_seed(5).initial_seed())
    check(lambda L: L.rand(3, generator=L.manual_seed(3)))


PRINT = {
    "precision": dict(precision=2),
    "sci_mode_off": dict(sci_mode=False),
    "sci_mode_on": dict(sci_mode=True),
    "threshold": dict(threshold=5),
    "threshold_edgeitems": dict(threshold=5, edgeitems=1),
    "linewidth": dict(linewidth=20),
    "short": dict(profile="short"),
    "full": dict(profile="full"),
}


@pytest.mark.parametrize("name", sorted(PRINT))
def test_set_printoptions(name):
    def scenario(L):
        L.set_printoptions(**PRINT[name])
        try:
            return "\n".join(str(t) for t in (
                L.tensor([1.23456789, 2.5, 1e-8, 2.5e6]), L.arange(12.0) / 3,
                L.arange(2000.0).view(40, 50), L.tensor([1, 2, 3])))
        finally:
            L.set_printoptions(profile="default")

    same(scenario)


def test_numpy_force():
    x = array((2, 3))
    for force in (True, False):
        g, t = (lib.tensor(x, requires_grad=force).numpy(force=force) for lib in
                (glasstorch, torch))
        assert type(g) is type(t) and g.dtype == t.dtype
        np.testing.assert_array_equal(g, t)
    same_error(lambda L: L.ones(2, requires_grad=True).numpy())


NUMPY_OPERANDS = {
    "tensor + int array": lambda L, t: t.long() + np.array([1, 2, 3]),
    "float tensor * float64 array": lambda L, t: t * np.arange(3.0),
    "float64 array + int tensor": lambda L, t: np.arange(3.0) + t.long(),
    "tensor - np.float64": lambda L, t: t - np.float64(2.0),
    "np.int64 * tensor": lambda L, t: np.int64(3) * t,
    "tensor / float32 array": lambda L, t: t / np.ones(3, np.float32),
    "tensor == array": lambda L, t: t.long() == np.array([0, 1, 2]),
    "tensor @ array": lambda L, t: t @ np.ones(3, np.float32),
}


@pytest.mark.parametrize("name", sorted(NUMPY_OPERANDS))
def test_tensor_meets_numpy_arrays(name):
    with warnings.catch_warnings():  # torch's NumPy-2 deprecation note on __array_wrap__
        warnings.simplefilter("ignore", DeprecationWarning)
        check(lambda L, t: NUMPY_OPERANDS[name](L, t), array((2, 3)))


def test_delitem_refused():
    same_error(lambda L: L.ones(3).__delitem__(0))


def test_finfo_in_masking():
    """The idiom that needs finfo: masking scores with the dtype's lowest value."""
    x = array((2, 3))
    check(lambda L, t: t.masked_fill(t > 0, L.finfo(t.dtype).min).softmax(-1), x)
    assert_same(glasstorch.tensor([glasstorch.finfo(glasstorch.float16).max]),
                torch.tensor([torch.finfo(torch.float16).max]))
