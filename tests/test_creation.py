"""Tensor creation against torch: dtype inference, shapes, values, out=, requires_grad, sharing."""

from __future__ import annotations

import numpy as np
import pytest
from harness import ALL_DTYPES, SETTINGS, array, check, seeds, shapes
from hypothesis import given
from hypothesis import strategies as st

DATA = {
    "int": 3,
    "float": 2.5,
    "bool": True,
    "int_list": [1, 2, 3],
    "float_list": [1.0, 2.5],
    "mixed_list": [1, 2.5, True],
    "bool_list": [True, False],
    "int_bool_list": [1, True],
    "nested": [[1, 2], [3, 4]],
    "nested_float": [[1.5], [2.0]],
    "empty": [],
    "empty_nested": [[], []],
    "deep": [[[1.0, 2.0]], [[3.0, 4.0]]],
    "big_int": 2**40,
    "neg": [-1, -2],
    "tuple": (1.0, 2.0),
    "np_float64": np.array([1.0, 2.0]),
    "np_int32": np.array([1, 2], np.int32),
    "np_uint8": np.array([1, 2], np.uint8),
    "np_float16": np.array([1.5], np.float16),
    "np_bool": np.array([True]),
    "np_scalar": np.float64(2.5),
    "np_int_scalar": np.int64(7),
    "np_0d": np.array(3.5),
    "np_noncontig": np.arange(12.0).reshape(3, 4)[:, ::2],
}


@pytest.mark.parametrize("name", sorted(DATA))
@pytest.mark.parametrize("dtype", [None, "float64", "int64", "bool", "float16"])
def test_tensor_inference(name, dtype):
    data = DATA[name]
    check(lambda L: L.tensor(data, dtype=None if dtype is None else getattr(L, dtype)))
    check(lambda L: L.as_tensor(data, dtype=None if dtype is None else getattr(L, dtype)))


def test_tensor_from_tensors_and_errors():
    check(lambda L: L.tensor([L.tensor(1.0), L.tensor(2.0)]))
    check(lambda L: L.tensor([[1, 2], [3]]))
    check(lambda L: L.tensor("abc"))
    check(lambda L: L.tensor([1, 2], requires_grad=True))
    check(lambda L: L.from_numpy(np.array(["a"])))
    check(lambda L: L.tensor([1.0], dtype=L.int64, requires_grad=True))


@SETTINGS
@given(shape=shapes(max_dims=3), dtype=st.sampled_from([None, *ALL_DTYPES]),
       rg=st.booleans())
def test_factories(shape, dtype, rg):
    """zeros/ones/empty/full/rand/randn/... : shape, dtype, requires_grad (values where fixed)."""
    floating = dtype in (None, "float32", "float64", "float16")

    def f(L):
        dt = None if dtype is None else getattr(L, dtype)
        g = rg and floating
        out = [L.zeros(shape, dtype=dt, requires_grad=g), L.ones(*shape, dtype=dt),
               L.full(shape, 7, dtype=dt), L.zeros(shape, dtype=dt).shape,
               L.empty(shape, dtype=dt).shape, L.empty(shape, dtype=dt).dtype]
        if floating and dtype != "float16":  # glasstorch's RNG reproduces float32/64 streams only
            out += [L.rand(shape, dtype=dt).shape, L.randn(*shape, dtype=dt).dtype,
                    L.rand(shape, dtype=dt, requires_grad=rg).requires_grad]
        x = L.ones(shape, dtype=dt)
        out += [L.zeros_like(x), L.ones_like(x, dtype=L.float64), L.full_like(x, 3),
                L.empty_like(x).shape, x.new_zeros(2, 3), x.new_ones((1,)), x.new_full((2,), 4),
                x.new_tensor([1, 2]), x.new_empty(3).dtype, L.rand_like(x.double()).dtype]
        return out

    check(f)


@pytest.mark.parametrize("value", [1, 2.5, True, -3])
def test_full_infers_dtype(value):
    check(lambda L: (L.full((2,), value), L.full((), value), L.full_like(L.ones(2), value)))


ARANGE = [(5,), (0, 5), (1, 10, 3), (0.0, 1.0, 0.25), (5, 0, -1), (1, 2.5), (0, 1, 0.1),
          (-3, 3, 2), (0,), (3, 3), (0, 10, 3.0)]


@pytest.mark.parametrize("args", ARANGE, ids=str)
def test_arange(args):
    check(lambda L: (L.arange(*args), L.arange(*args, dtype=L.float64)))


def test_arange_errors():
    check(lambda L: L.arange(0, 5, 0))
    check(lambda L: L.arange(5, 0))


@pytest.mark.parametrize("args", [(0, 1, 5), (-2, 2, 1), (1, 10, 0), (0.5, 3, 4), (3, -1, 7)],
                         ids=str)
def test_linspace_logspace(args):
    check(lambda L: (L.linspace(*args), L.linspace(*args, dtype=L.float64),
                     L.logspace(*args)), rtol=1e-5)


@pytest.mark.parametrize("n,m", [(3, None), (2, 4), (0, None), (4, 1)])
def test_eye_tril_triu(n, m):
    check(lambda L: (L.eye(n) if m is None else L.eye(n, m), L.eye(n, dtype=L.int64)))
    check(lambda L, x: (L.tril(x), L.triu(x, 1), L.tril(x, -1), x.tril(), x.triu(-2)),
          array((3, 4)))


@pytest.mark.parametrize("op", ["zeros", "ones", "empty", "full", "arange", "linspace", "eye",
                                "rand", "randn", "randint", "randperm"])
@pytest.mark.parametrize("out_dtype", ["float32", "int64"])
def test_out_returns_that_object(op, out_dtype):
    def f(L):
        o = L.zeros(5, dtype=getattr(L, out_dtype))
        fn = {"zeros": lambda: L.zeros(2, 3, out=o), "ones": lambda: L.ones(4, out=o),
              "empty": lambda: L.empty(4, out=o), "full": lambda: L.full((2,), 3, out=o),
              "arange": lambda: L.arange(4, out=o), "eye": lambda: L.eye(2, out=o),
              "linspace": lambda: L.linspace(0, 1, 3, out=o),
              "rand": lambda: L.rand(3, out=o), "randn": lambda: L.randn(3, out=o),
              "randint": lambda: L.randint(0, 5, (3,), out=o),
              "randperm": lambda: L.randperm(3, out=o)}[op]
        r = fn()
        assert r is o
        return o.shape, o.dtype, (o if op not in ("rand", "randn", "randint", "randperm",
                                                  "empty") else None)

    check(f)


def test_requires_grad_in_no_grad():
    def f(L):
        with L.no_grad():
            a = L.zeros(2, requires_grad=True)
            b = L.tensor([1.0], requires_grad=True)
            c = L.ones(1) * 2
        return a.requires_grad, b.requires_grad, c.requires_grad, a.is_leaf

    check(f)


def test_from_numpy_shares_memory():
    def f(L):
        n = np.arange(6.0).reshape(2, 3)
        t = L.from_numpy(n)
        a = L.as_tensor(n)
        c = L.tensor(n)
        n[0, 0] = 50
        t[1, 2] = -1
        t.numpy()[0, 1] = 9
        return t, a, c, L.as_tensor(n, dtype=L.float32), np.shares_memory(t.numpy(), n)

    check(f)


def test_numpy_errors_and_conversions():
    check(lambda L, x: x.numpy(), array((2,)), message=True)
    check(lambda L, x: (x.detach().numpy().dtype.name, x.tolist(), x.item() if x.numel() == 1
                        else None, x[0].item(), int(x[0]), float(x[0]), bool(x[0])),
          array((3,)))
    check(lambda L, x: (x.tolist(), x.sum().item()), array((2, 2), "int64"))
    check(lambda L, x: (x.tolist(), x.item()), array((), "bool"))


@SETTINGS
@given(n=st.integers(0, 20), seed=seeds)
def test_random_shapes_and_dtypes(n, seed):
    def f(L):
        g = L.Generator().manual_seed(seed)
        p = L.randperm(n, generator=g)
        r = L.randint(0, 10, (n,), generator=g)
        return (p.dtype, p.shape, sorted(p.tolist()), r.dtype, r.shape,
                L.randint(3, (2,)).dtype, L.normal(0.0, 1.0, (n,)).shape,
                L.rand(n, generator=g, dtype=L.float64).dtype)

    check(f)
