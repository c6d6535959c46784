"""PyTorch's type promotion, exhaustively: every dtype pair, dimensioned and 0-d tensors, Python
scalars, in-place casting rules, and the dtype objects themselves."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from harness import check

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
PAIRS = list(itertools.product(DTYPES, DTYPES))


def _t(L, dtype, shape):
    return L.ones(shape, dtype=getattr(L, dtype))


@pytest.mark.parametrize("da,db", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_pair(da, db):
    """For each pair: dimensioned+dimensioned, dimensioned+0-d, 0-d+dimensioned, 0-d+0-d, for
    +, *, /, where, comparisons and cat; plus promote_types and result_type."""

    def f(L):
        out = []
        for sa, sb in [((2,), (2,)), ((2,), ()), ((), (2,)), ((), ())]:
            a, b = _t(L, da, sa), _t(L, db, sb)
            out += [(a * b).dtype, L.result_type(a, b), (a / b).dtype, (a == b).dtype,
                    L.where(a > 0, a, b).dtype, L.maximum(a, b).dtype]
            if "bool" not in (da, db):
                out.append((a + b).dtype)
        out.append(L.promote_types(getattr(L, da), getattr(L, db)))
        out.append(L.cat([_t(L, da, (1,)), _t(L, db, (2,))]).dtype)
        out.append(L.can_cast(getattr(L, da), getattr(L, db)))
        return out

    check(f)


SCALARS = [3, -2, 2.5, True, False, 0]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
def test_tensor_and_python_scalar(dtype, scalar):
    def f(L):
        out = []
        for shape in [(2,), ()]:
            x = _t(L, dtype, shape)
            out += [(x * scalar).dtype, (scalar * x).dtype, (x / scalar if scalar else x).dtype,
                    (x == scalar).dtype, L.result_type(x, scalar), (x > scalar)]
            if dtype != "bool" and not isinstance(scalar, bool):
                out += [(x + scalar).dtype, (x - scalar).dtype, (scalar + x)]
        return out

    check(f)


def test_must_cases():
    """The MUST cases of the reference, with values."""
    check(lambda L: (L.tensor([1, 2], dtype=L.int32) + 5, L.tensor([1.0]) + 1.0,
                     L.tensor([1]) + L.tensor([1.5]),
                     L.tensor([1.0]) + L.tensor([2.0], dtype=L.float64),
                     L.tensor([True]) + L.tensor([3], dtype=L.uint8),
                     L.tensor([1, 2]) / L.tensor([2, 2]), L.tensor([7]) // 2,
                     L.div(L.tensor([-7]), 2, rounding_mode="trunc"),
                     L.div(L.tensor([-7]), 2, rounding_mode="floor"),
                     L.tensor([1.0]) + L.tensor(2.0, dtype=L.float64),
                     L.tensor([1]) + L.tensor(2.5, dtype=L.float64),
                     L.tensor([1], dtype=L.int8) + L.tensor(1000)))


@pytest.mark.parametrize("dst", DTYPES)
@pytest.mark.parametrize("src", DTYPES)
def test_inplace_casting(dst, src):
    """x op= y keeps x's dtype when y's promoted type can be cast into it (float into int and
    anything but bool into bool refuse, with torch's message)."""

    def f(L, op):
        x = _t(L, dst, (2,))
        y = _t(L, src, (2,))
        if op == "add_" and "bool" in (dst, src) and dst != src:
            return x.mul_(y)
        return getattr(x, op)(y)

    for op in ["mul_", "add_", "copy_"]:
        check(f, op, message=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dtype_objects(dtype):
    check(lambda L: (getattr(L, dtype), repr(getattr(L, dtype)), str(getattr(L, dtype)),
                     getattr(L, dtype).is_floating_point, getattr(L, dtype).itemsize,
                     getattr(L, dtype).is_signed, _t(L, dtype, (1,)).type(),
                     _t(L, dtype, (1,)).element_size()))


def test_aliases_and_default_dtype():
    check(lambda L: (L.float, L.double, L.long, L.int, L.half, L.short, L.float is L.float32,
                     L.get_default_dtype(), L.tensor([1.5]).dtype, L.tensor(np.float64(1)).dtype))

    def f(L):
        L.set_default_dtype(L.float64)
        try:
            return (L.tensor([1.5]).dtype, L.zeros(1).dtype, L.arange(0.0, 1.0).dtype,
                    (L.ones(1, dtype=L.int64) / 2).dtype, (L.tensor([1]) * 1.5).dtype)
        finally:
            L.set_default_dtype(L.float32)

    check(f)
