"""Matrix products against torch: matmul's NumPy-style shape rules, mm/bmm/mv/dot/addmm, errors."""

from __future__ import annotations

import pytest
from harness import SETTINGS, array, check, lay, layouts, seeds
from hypothesis import given
from hypothesis import strategies as st

sides = st.integers(0, 4)


@st.composite
def matmul_shapes(draw):
    """Operand shapes matmul accepts: 1-d and 2-d in every combination, and batches that
    broadcast (leading dims may be 1 or missing)."""
    n, k, m = draw(sides), draw(sides), draw(sides)
    a_kind, b_kind = draw(st.sampled_from(["1d", "2d", "batch"])), \
        draw(st.sampled_from(["1d", "2d", "batch"]))
    batch = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    a = (k,) if a_kind == "1d" else (n, k) if a_kind == "2d" else \
        tuple(draw(st.sampled_from([b, 1])) for b in batch) + (n, k)
    b = (k,) if b_kind == "1d" else (k, m) if b_kind == "2d" else \
        tuple(draw(st.sampled_from([b, 1])) for b in batch)[draw(st.integers(0, 1)):] + (k, m)
    return a, b


@SETTINGS
@given(ab=matmul_shapes(), dtype=st.sampled_from(["float32", "float64", "int64"]),
       layout=layouts, seed=seeds)
def test_matmul(ab, dtype, layout, seed):
    """matmul, @ and the method agree with torch in values, shape, dtype, grad and grad_fn."""
    a, b = array(ab[0], dtype, seed), array(ab[1], dtype, seed + 1)
    check(lambda L, x, y: (x @ y, L.matmul(x, y), x.matmul(y)), lay(a, layout), b, seed=seed,
          atol=1e-4)


@SETTINGS
@given(n=sides, k=sides, m=sides, b=st.integers(1, 3), layout=layouts, seed=seeds,
       dtype=st.sampled_from(["float32", "float64"]))
def test_products(n, k, m, b, layout, seed, dtype):
    def f(L, x, y, v, w, bx, by, c):
        return (x.mm(y), L.mm(x, y), x.mv(v), L.dot(v, v), v.dot(v), L.outer(v, w), L.ger(v, w),
                L.bmm(bx, by), L.addmm(c, x, y), L.addmm(c, x, y, beta=0.5, alpha=2),
                L.inner(v, v))

    check(f, lay(array((n, k), dtype, seed), layout), array((k, m), dtype, seed + 1),
          array((k,), dtype, seed + 2), array((m,), dtype, seed + 3),
          array((b, n, k), dtype, seed + 4), array((b, k, m), dtype, seed + 5),
          array((m,), dtype, seed + 6), seed=seed, atol=1e-4)


@pytest.mark.parametrize("dtype", ["float16", "int32", "uint8", "bool"])
def test_matmul_other_dtypes(dtype):
    check(lambda L, x, y: x @ y, array((2, 3), dtype), array((3, 4), dtype, seed=1),
          rtol=1e-2, atol=1e-2)


def test_inner_nd():
    check(lambda L, x, y: (L.inner(x, y), L.inner(x, y[0, 0, 0])), array((2, 3)), array((4, 2, 3)),
          grad_fn=False)


def test_linalg_errors():
    check(lambda L, x, y: x @ y, array((2, 3)), array((4, 5)), message=True)
    check(lambda L, x, y: x.mm(y), array((2, 3)), array((4, 5)))
    check(lambda L, x, y: x.mm(y), array((2, 3)), array((3,)))
    check(lambda L, x, y: L.bmm(x, y), array((2, 3, 4)), array((3, 4, 5)))
    check(lambda L, x, y: L.bmm(x, y), array((3, 4)), array((4, 5)))
    check(lambda L, x, y: x.mv(y), array((2, 3)), array((4,)))
    check(lambda L, x, y: L.dot(x, y), array((3,)), array((4,)))
    check(lambda L, x, y: L.dot(x, y), array((3,)), array((3,), "float64"))
    check(lambda L, x, y: x @ y, array((2, 3)), array((3, 2), "float64"), message=True)
    check(lambda L, x, y: x @ y, array((2, 3)), array((3, 2), "int64"))
    check(lambda L, x, y: x @ y, array(()), array((3,)))
    check(lambda L, x, y: x @ y, array((2, 2, 3)), array((3, 3, 4)))


def test_grad_fn_names():
    check(lambda L, x, y, v, c: (x @ y, x.mm(y), x @ v, v @ v, L.addmm(c, x, y),
                                 x.unsqueeze(0) @ y, v @ y),
          array((2, 3)), array((3, 4), seed=1), array((3,), seed=2), array((4,), seed=3))
