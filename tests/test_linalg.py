"""torch.linalg against torch: values, dtypes, grad_fn names, gradients, errors (types and texts)
for norms, inv, det, slogdet, solve, qr, svd, eigh, pinv and their older names; gradcheck in
float64 for each differentiable op.

Singular and eigenvectors are unique only up to sign (NumPy's LAPACK and PyTorch's MKL may
choose differently), so svd/eigh are compared through gauge-invariant quantities: U diag(S) Vh,
V diag(L) V^T, sign-aligned vectors, and losses of those for the gradients.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from harness import SETTINGS, array, assert_same, check, seeds
from hypothesis import given
from hypothesis import strategies as st

import glasstorch

FLOATS = st.sampled_from(["float32", "float64"])
batches = st.lists(st.integers(0, 3), max_size=2).map(tuple)
sides = st.integers(0, 4)


def well_conditioned(shape, dtype="float64", seed=0) -> np.ndarray:
    """Square matrices n*I + noise: far from singular."""
    n = shape[-1]
    return (array(shape, "float64", seed) + 2 * n * np.eye(n)).astype(dtype)


def symmetric(shape, dtype="float64", seed=0) -> np.ndarray:
    """Symmetric matrices with well-separated eigenvalues."""
    n = shape[-1]
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal(shape))
    w = np.arange(1, n + 1, dtype=np.float64) * 1.5 - n + rng.uniform(0, 0.3, shape[:-1])
    return ((q * w[..., None, :]) @ np.swapaxes(q, -1, -2)).astype(dtype)


def distinct_svals(shape, dtype="float64", seed=0) -> np.ndarray:
    """Matrices whose singular values are well separated and away from 0."""
    m, n = shape[-2:]
    k = min(m, n)
    rng = np.random.default_rng(seed)
    u, _ = np.linalg.qr(rng.standard_normal(shape[:-2] + (m, k)))
    v, _ = np.linalg.qr(rng.standard_normal(shape[:-2] + (n, k)))
    s = np.arange(k, 0, -1, dtype=np.float64) + 0.5
    return ((u * s[..., None, :]) @ np.swapaxes(v, -1, -2)).astype(dtype)


def run_both(fn, *arrays, requires_grad=False):
    out = []
    for lib in (glasstorch, torch):
        ts = [lib.tensor(a, requires_grad=requires_grad) for a in arrays]
        out.append((fn(lib, *ts), ts))
    return out


# ---------------------------------------------------------------------------------------------
# inverse, determinants, solve
# ---------------------------------------------------------------------------------------------


@SETTINGS
@given(batch=batches, n=sides, dtype=FLOATS, seed=seeds)
def test_inv_det_slogdet(batch, n, dtype, seed):
    """inv, inv_ex, det, slogdet and the old names on batches (also empty) of matrices."""
    a = well_conditioned(batch + (n, n), dtype, seed)
    check(lambda L, x: (L.linalg.inv(x), L.linalg.det(x), L.linalg.slogdet(x),
                        L.linalg.inv_ex(x), L.inverse(x), x.inverse(), L.det(x), x.det(),
                        L.slogdet(x), x.slogdet(), L.logdet(x), x.logdet()),
          a, seed=seed, rtol=1e-4, atol=1e-4)


@SETTINGS
@given(batch=batches, n=st.integers(1, 4), k=sides, dtype=FLOATS, seed=seeds,
       left=st.booleans(), vector=st.booleans(), b_batch=st.sampled_from(["same", "none", "1"]))
def test_solve(batch, n, k, dtype, seed, left, vector, b_batch):
    """solve and solve_ex: AX = B and XA = B, vector right-hand sides, broadcast batches."""
    a = well_conditioned(batch + (n, n), dtype, seed)
    bb = batch if b_batch == "same" else () if b_batch == "none" else (1,) * len(batch)
    if vector:
        b = array(((n,) if b_batch == "none" or not left else batch + (n,)), dtype, seed + 1)
        if not left:
            b = array(bb + (k, n), dtype, seed + 1)
    else:
        b = array(bb + ((n, k) if left else (k, n)), dtype, seed + 1)
    check(lambda L, x, y: (L.linalg.solve(x, y, left=left), L.linalg.solve_ex(x, y, left=left)),
          a, b, seed=seed, rtol=1e-4, atol=1e-4)


def test_return_types_print_as_torch():
    for name in ("inv_ex", "slogdet"):
        g, t = (repr(getattr(lib.linalg, name)(lib.eye(2))) for lib in (glasstorch, torch))
        assert g == t
    g, t = (repr(lib.linalg.solve_ex(lib.eye(2), lib.ones(2))) for lib in (glasstorch, torch))
    assert g == t
    g, t = (repr(lib.slogdet(lib.eye(2))) for lib in (glasstorch, torch))
    assert g == t


@pytest.mark.parametrize("matrix", [
    [[1.0, 2.0], [2.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]],
    [[[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 4.0]]],
    [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]],
])
@pytest.mark.parametrize("op", ["inv", "inv_ex", "solve", "solve_ex"])
def test_singular_raises_linalg_error(matrix, op):
    """A singular matrix: PyTorch's LinAlgError (a RuntimeError) with its text, and info."""
    msgs = []
    for lib in (glasstorch, torch):
        a = lib.tensor(matrix)
        b = lib.ones(a.shape[:-1])
        fn = getattr(lib.linalg, op)
        args = (a,) if op.startswith("inv") else (a, b)
        kwargs = {"check_errors": True} if op.endswith("_ex") else {}
        with pytest.raises(lib.linalg.LinAlgError) as e:
            fn(*args, **kwargs)
        assert isinstance(e.value, RuntimeError)
        msgs.append(str(e.value).split("\n[glasstorch]")[0])
        if op.endswith("_ex"):  # without check_errors: no error, info says which failed
            info = fn(*args).info
            msgs.append(info.tolist())
    half = len(msgs) // 2
    assert msgs[:half] == msgs[half:]
    assert type(glasstorch.linalg.LinAlgError).__name__ == "type"
    assert glasstorch.linalg.LinAlgError.__qualname__ == torch.linalg.LinAlgError.__qualname__


def test_det_of_singular_matrix_and_its_gradient():
    """det = 0 exactly; PyTorch's first-order gradient there is 0."""
    check(lambda L, x: L.linalg.det(x), np.array([[1.0, 2.0], [2.0, 4.0]]))
    check(lambda L, x: L.linalg.det(x), np.zeros((3, 3)))
    check(lambda L, x: L.logdet(x), np.array([[0.0, 1.0], [1.0, 0.0]]), requires_grad=False)
    check(lambda L, x: L.logdet(x), np.array([[1.0, 2.0], [2.0, 4.0]]), requires_grad=False)


# ---------------------------------------------------------------------------------------------
# factorizations
# ---------------------------------------------------------------------------------------------


@SETTINGS
@given(batch=batches, m=sides, n=sides, dtype=FLOATS, seed=seeds,
       mode=st.sampled_from(["reduced", "complete", "r"]))
def test_qr(batch, m, n, dtype, seed, mode):
    """Q and R agree (LAPACK's Householder signs are deterministic), and so do gradients; the
    non-differentiable modes raise PyTorch's error in backward."""
    a = distinct_svals(batch + (m, n), dtype, seed)
    check(lambda L, x: L.linalg.qr(x, mode), a, seed=seed, rtol=1e-4, atol=1e-4)


def test_qr_old_name_warns_once_and_uses_some():
    a = array((4, 3), "float64")
    check(lambda L, x: (L.qr(x), x.qr(some=False)[0]), a, requires_grad=False)


def _align(ref: np.ndarray, x: np.ndarray) -> np.ndarray:
    """x with each column's sign flipped to match ref's (the sign is free)."""
    s = np.sign((ref * x).sum(-2, keepdims=True))
    return x * np.where(s == 0, 1, s)


@SETTINGS
@given(batch=batches, m=sides, n=sides, dtype=FLOATS, seed=seeds, full=st.booleans())
def test_svd(batch, m, n, dtype, seed, full):
    """S agrees; U and Vh agree up to the sign of each singular pair; U diag(S) Vh is A."""
    a = distinct_svals(batch + (m, n), dtype, seed)
    (g, _), (t, _) = run_both(lambda L, x: L.linalg.svd(x, full_matrices=full), a)
    assert [type(x).__name__ for x in (g, t)] == ["linalg_svd", "linalg_svd"]
    assert g._fields == ("U", "S", "Vh")
    k = min(m, n)
    for i in range(3):
        assert tuple(g[i].shape) == tuple(t[i].shape) and str(g[i].dtype) == str(t[i].dtype)
    tol = 1e-4 if dtype == "float32" else 1e-10
    np.testing.assert_allclose(g.S.numpy(), t.S.numpy(), rtol=tol, atol=tol)
    gu, tu = g.U.numpy()[..., :k], t.U.numpy()[..., :k]
    np.testing.assert_allclose(_align(tu, gu), tu, atol=10 * tol)
    gv, tv = g.Vh.numpy()[..., :k, :], t.Vh.numpy()[..., :k, :]
    np.testing.assert_allclose(_align(np.swapaxes(tv, -1, -2), np.swapaxes(gv, -1, -2)),
                               np.swapaxes(tv, -1, -2), atol=10 * tol)
    # the reconstruction, and its gradient, through every output
    check(lambda L, x: (lambda u, s, vh: (u[..., :k] * s[..., None, :]) @ vh[..., :k, :])(
        *L.linalg.svd(x, full_matrices=full)), a, seed=seed, rtol=1e-4, atol=1e-4)


@SETTINGS
@given(batch=batches, m=sides, n=sides, dtype=FLOATS, seed=seeds)
def test_svdvals_and_old_svd(batch, m, n, dtype, seed):
    a = distinct_svals(batch + (m, n), dtype, seed)
    check(lambda L, x: (L.linalg.svdvals(x), L.svd(x)[1], L.svd(x, compute_uv=False),
                        x.svd(some=False)[1]), a, seed=seed, rtol=1e-4, atol=1e-4)
    k = min(m, n)
    # torch.svd returns V: U diag(S) V^T is A, and V's grad_fn is a transpose of Vh
    check(lambda L, x: (lambda u, s, v: (u[..., :k] * s[..., None, :]) @ v[..., :k].mT)(
        *L.svd(x)), a, seed=seed, rtol=1e-4, atol=1e-4)
    (g, _), (t, _) = run_both(lambda L, x: L.svd(x)[2], a, requires_grad=True)
    assert type(g.grad_fn).__name__ == type(t.grad_fn).__name__ == "TransposeBackward0"


@SETTINGS
@given(batch=batches, n=sides, dtype=FLOATS, seed=seeds, uplo=st.sampled_from(["L", "U"]))
def test_eigh(batch, n, dtype, seed, uplo):
    """Eigenvalues agree; eigenvectors up to sign; V diag(L) V^T and its gradient agree; only
    the UPLO triangle is read."""
    a = symmetric(batch + (n, n), dtype, seed)
    a_half = np.tril(a) if uplo == "L" else np.triu(a)  # the other triangle is ignored
    check(lambda L, x: (L.linalg.eigvalsh(x, uplo), L.linalg.eigh(x, UPLO=uplo)[0]), a_half,
          seed=seed, rtol=1e-4, atol=1e-4)
    (g, _), (t, _) = run_both(lambda L, x: L.linalg.eigh(x), a)
    assert g._fields == ("eigenvalues", "eigenvectors")
    tol = 1e-4 if dtype == "float32" else 1e-10
    tv = t.eigenvectors.numpy()
    np.testing.assert_allclose(_align(tv, g.eigenvectors.numpy()), tv, atol=10 * tol)
    check(lambda L, x: (lambda w, v: (v * w[..., None, :]) @ v.mT)(*L.linalg.eigh(x)), a,
          seed=seed, rtol=1e-4, atol=1e-4)


@SETTINGS
@given(batch=batches, m=sides, n=sides, dtype=FLOATS, seed=seeds)
def test_pinv(batch, m, n, dtype, seed):
    a = distinct_svals(batch + (m, n), dtype, seed)
    check(lambda L, x: (L.linalg.pinv(x), L.pinverse(x), x.pinverse(rcond=0.3),
                        L.linalg.pinv(x, atol=0.7), L.linalg.pinv(x, rtol=0.2)),
          a, seed=seed, rtol=1e-4, atol=1e-4)
    if m == n:
        s = symmetric(batch + (n, n), dtype, seed)
        check(lambda L, x: L.linalg.pinv(x, hermitian=True), s, seed=seed, rtol=1e-4,
              atol=1e-4)


# ---------------------------------------------------------------------------------------------
# norms
# ---------------------------------------------------------------------------------------------

ORDS = [2, 1, 0, 3, 0.5, -1, float("inf"), -float("inf")]


@SETTINGS
@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple), seed=seeds,
       ord=st.sampled_from(ORDS), keepdim=st.booleans(), dtype=FLOATS,
       dim=st.sampled_from([None, 0, -1, (0, -1)]))
def test_vector_norm(shape, seed, ord, keepdim, dtype, dim):  # noqa: A002
    x = array(shape, dtype, seed)
    if dim is not None and not shape:
        dim = None if isinstance(dim, tuple) else dim
    check(lambda L, t: L.linalg.vector_norm(t, ord, dim, keepdim), x, seed=seed, rtol=1e-4,
          atol=1e-5)


def test_vector_norm_zeros_and_dtype():
    """PyTorch's gradient choices where x or the norm is 0, and dtype= (computed in it)."""
    x = np.array([[0.0, 1.5, -2.0], [0.0, 0.0, 0.0]])
    for o in ORDS:
        check(lambda L, t, o=o: L.linalg.vector_norm(t, o, dim=1), x)
    check(lambda L, t: L.linalg.vector_norm(t, dtype=L.float64), array((3, 4), "float32"))
    check(lambda L, t: L.linalg.vector_norm(t, float("inf")), np.array([1.0, -2.0, 2.0]))


@SETTINGS
@given(batch=batches, m=st.integers(1, 4), n=st.integers(1, 4), seed=seeds, keepdim=st.booleans(),
       ord=st.sampled_from(["fro", "nuc", 2, -2, 1, -1, float("inf"), -float("inf")]),
       dims=st.sampled_from([(-2, -1), (-1, -2), (0, -1)]))
def test_matrix_norm(batch, m, n, seed, keepdim, ord, dims):  # noqa: A002
    """Built from svdvals/amax/amin/vector_norm as PyTorch builds them: the same grad_fn."""
    a = distinct_svals(batch + (m, n), "float64", seed)
    check(lambda L, x: L.linalg.matrix_norm(x, ord, dims, keepdim), a, seed=seed)


@pytest.mark.parametrize("shape,ord,dim", [
    ((4,), None, None), ((3, 4), None, None), ((3, 4), "fro", None), ((3, 4), "nuc", None),
    ((3, 4), 2, None), ((3, 4), -1, None), ((3, 4), float("inf"), None), ((2, 3, 4), None, None),
    ((2, 3, 4), 3, 1), ((2, 3, 4), 2, (1, 2)), ((2, 3, 4), "fro", (0, 2)), ((4,), 0.5, None),
])
def test_norm(shape, ord, dim):  # noqa: A002
    check(lambda L, x: L.linalg.norm(x, ord, dim), distinct_svals(shape) if len(shape) > 1
          else array(shape, "float64"))


# ---------------------------------------------------------------------------------------------
# errors: types and texts
# ---------------------------------------------------------------------------------------------

L_INT = np.ones((3, 3), np.int64)
CASES = [
    ("inv int", lambda L, x: L.linalg.inv(x), [L_INT]),
    ("inv 1d", lambda L, x: L.linalg.inv(x), [np.ones(3)]),
    ("inv 0d", lambda L, x: L.linalg.inv(x), [np.array(1.0)]),
    ("inv nonsquare", lambda L, x: L.linalg.inv(x), [np.ones((3, 4))]),
    ("inv half", lambda L, x: L.linalg.inv(x), [np.ones((3, 3), np.float16)]),
    ("inv bool", lambda L, x: L.linalg.inv(x), [np.ones((3, 3), bool)]),
    ("inv int nonsquare", lambda L, x: L.linalg.inv(x), [np.ones((3, 4), np.int64)]),
    ("det half", lambda L, x: L.linalg.det(x), [np.ones((3, 3), np.float16)]),
    ("det int", lambda L, x: L.linalg.det(x), [L_INT]),
    ("slogdet half", lambda L, x: L.linalg.slogdet(x), [np.ones((3, 3), np.float16)]),
    ("logdet int", lambda L, x: L.logdet(x), [L_INT]),
    ("logdet 1d", lambda L, x: L.logdet(x), [np.ones(3)]),
    ("qr half", lambda L, x: L.linalg.qr(x), [np.ones((3, 4), np.float16)]),
    ("qr int", lambda L, x: L.linalg.qr(x), [L_INT]),
    ("qr mode", lambda L, x: L.linalg.qr(x, "x"), [np.ones((3, 3))]),
    ("svd half", lambda L, x: L.linalg.svd(x), [np.ones((3, 3), np.float16)]),
    ("svd int", lambda L, x: L.linalg.svd(x), [L_INT]),
    ("svd driver", lambda L, x: L.linalg.svd(x, driver="gesvd"), [np.ones((3, 3))]),
    ("svdvals 1d", lambda L, x: L.linalg.svdvals(x), [np.ones(3)]),
    ("old svd 1d", lambda L, x: L.svd(x), [np.ones(3)]),
    ("eigh int", lambda L, x: L.linalg.eigh(x), [L_INT]),
    ("eigh half", lambda L, x: L.linalg.eigvalsh(x), [np.ones((3, 3), np.float16)]),
    ("eigh nonsquare", lambda L, x: L.linalg.eigh(x), [np.ones((3, 4))]),
    ("eigh uplo", lambda L, x: L.linalg.eigh(x, UPLO="x"), [np.ones((3, 3))]),
    ("pinv int", lambda L, x: L.linalg.pinv(x), [L_INT]),
    ("pinv 1d", lambda L, x: L.linalg.pinv(x), [np.ones(3)]),
    ("pinv hermitian nonsquare", lambda L, x: L.linalg.pinv(x, hermitian=True),
     [np.ones((3, 4))]),
    ("solve shapes", lambda L, a, b: L.linalg.solve(a, b), [np.eye(3), np.ones((4, 2))]),
    ("solve vector", lambda L, a, b: L.linalg.solve(a, b), [np.eye(3), np.ones(4)]),
    ("solve right", lambda L, a, b: L.linalg.solve(a, b, left=False),
     [np.eye(3), np.ones((2, 4))]),
    ("solve dtype", lambda L, a, b: L.linalg.solve(a, b),
     [np.eye(3, dtype=np.float32), np.ones((3, 2))]),
    ("solve int", lambda L, a, b: L.linalg.solve(a, b), [L_INT, np.ones((3, 2), np.int64)]),
    ("solve half", lambda L, a, b: L.linalg.solve(a, b),
     [np.eye(3, dtype=np.float16), np.ones(3, np.float16)]),
    ("solve 0d", lambda L, a, b: L.linalg.solve(a, b), [np.eye(3), np.array(1.0)]),
    ("solve batch", lambda L, a, b: L.linalg.solve(a, b),
     [np.ones((2, 3, 3)), np.ones((4, 3, 5))]),
    ("vector_norm int", lambda L, x: L.linalg.vector_norm(x), [L_INT]),
    ("vector_norm str", lambda L, x: L.linalg.vector_norm(x, "fro"), [np.ones(3)]),
    ("vector_norm dtype", lambda L, x: L.linalg.vector_norm(x, dtype=L.int64), [np.ones(3)]),
    ("vector_norm narrowing", lambda L, x: L.linalg.vector_norm(x, dtype=L.float32),
     [np.ones(3)]),
    ("vector_norm dup dims", lambda L, x: L.linalg.vector_norm(x, dim=(0, 0)),
     [np.ones((3, 3))]),
    ("vector_norm inf empty", lambda L, x: L.linalg.vector_norm(x, float("inf")),
     [np.ones((0, 3))]),
    ("vector_norm inf empty dim", lambda L, x: L.linalg.vector_norm(x, float("inf"), 0),
     [np.ones((0, 3))]),
    ("matrix_norm order", lambda L, x: L.linalg.matrix_norm(x, 3), [np.ones((3, 3))]),
    ("matrix_norm str", lambda L, x: L.linalg.matrix_norm(x, "abc"), [np.ones((3, 3))]),
    ("matrix_norm same dims", lambda L, x: L.linalg.matrix_norm(x, dim=(0, 0)),
     [np.ones((3, 3))]),
    ("matrix_norm 3 dims", lambda L, x: L.linalg.matrix_norm(x, dim=(0, 1, 2)),
     [np.ones((3, 3))]),
    ("matrix_norm 1d", lambda L, x: L.linalg.matrix_norm(x), [np.ones(3)]),
    ("matrix_norm half 2", lambda L, x: L.linalg.matrix_norm(x, 2),
     [np.ones((3, 3), np.float16)]),
    ("norm 3d", lambda L, x: L.linalg.norm(x, 2), [np.ones((2, 3, 3))]),
    ("norm dims", lambda L, x: L.linalg.norm(x, dim=(0, 1, 2)), [np.ones((2, 3, 3))]),
    ("norm vector nuc", lambda L, x: L.linalg.norm(x, "nuc"), [np.ones(3)]),
    ("norm str dim", lambda L, x: L.linalg.norm(x, "fro", dim=1), [np.ones((3, 3))]),
]


@pytest.mark.parametrize("name,fn,inputs", CASES, ids=[c[0] for c in CASES])
def test_errors(name, fn, inputs):
    check(fn, *inputs, message=True)


def test_backward_errors_of_qr():
    check(lambda L, x: L.linalg.qr(x, "r"), array((4, 3), "float64"), message=True)
    check(lambda L, x: L.linalg.qr(x, "complete"), array((4, 3), "float64"), message=True)


# ---------------------------------------------------------------------------------------------
# gradcheck in float64 (glasstorch's gradcheck and torch's), well-conditioned inputs
# ---------------------------------------------------------------------------------------------

GRADCHECK = {
    "inv": (lambda L, x: L.linalg.inv(x), [well_conditioned((2, 3, 3))]),
    "det": (lambda L, x: L.linalg.det(x), [well_conditioned((2, 3, 3))]),
    "slogdet": (lambda L, x: L.linalg.slogdet(x)[1], [well_conditioned((3, 3))]),
    "logdet": (lambda L, x: L.logdet(x), [well_conditioned((3, 3))]),
    "solve": (lambda L, a, b: L.linalg.solve(a, b), [well_conditioned((2, 3, 3)),
                                                     array((2, 3, 2), "float64")]),
    "solve right": (lambda L, a, b: L.linalg.solve(a, b, left=False),
                    [well_conditioned((3, 3)), array((2, 3), "float64")]),
    "solve vector": (lambda L, a, b: L.linalg.solve(a, b), [well_conditioned((3, 3)),
                                                            array((3,), "float64")]),
    "qr tall": (lambda L, x: L.linalg.qr(x), [distinct_svals((4, 3))]),
    "qr wide": (lambda L, x: L.linalg.qr(x), [distinct_svals((3, 5))]),
    "svdvals": (lambda L, x: L.linalg.svdvals(x), [distinct_svals((2, 4, 3))]),
    # gauge-invariant functions of U and V (PyTorch's documented way to differentiate them)
    "svd tall": (lambda L, x: (lambda u, s, vh: ((u * s[..., None, :]) @ vh, u @ u.mT))(
        *L.linalg.svd(x, full_matrices=False)), [distinct_svals((4, 3))]),
    "svd wide": (lambda L, x: (lambda u, s, vh: (u @ u.mT * s.sum(), vh.mT @ vh))(
        *L.linalg.svd(x, full_matrices=False)), [distinct_svals((3, 5))]),
    "svd full": (lambda L, x: (lambda u, s, vh: (u[:, :3] * s) @ vh[:3])(
        *L.linalg.svd(x)), [distinct_svals((5, 3))]),
    "eigvalsh": (lambda L, x: L.linalg.eigvalsh(x + x.mT), [symmetric((3, 3))]),
    "eigh": (lambda L, x: (lambda w, v: (v * w.exp()) @ v.mT + v[:, :1] @ v[:, :1].mT)(
        *L.linalg.eigh(x + x.mT)), [symmetric((4, 4))]),
    "pinv": (lambda L, x: L.linalg.pinv(x), [distinct_svals((4, 3))]),
    "pinv wide": (lambda L, x: L.linalg.pinv(x), [distinct_svals((2, 4))]),
    "vector_norm 3": (lambda L, x: L.linalg.vector_norm(x, 3, dim=1), [array((3, 4), "float64")]),
    "vector_norm 0.5": (lambda L, x: L.linalg.vector_norm(x, 0.5), [array((4,), "float64")]),
    "matrix_norm nuc": (lambda L, x: L.linalg.matrix_norm(x, "nuc"), [distinct_svals((3, 4))]),
    "matrix_norm 2": (lambda L, x: L.linalg.matrix_norm(x, 2), [distinct_svals((3, 4))]),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck(name):
    fn, inputs = GRADCHECK[name]
    for lib in (glasstorch, torch):
        ts = [lib.tensor(x, dtype=lib.float64, requires_grad=True) for x in inputs]
        assert lib.autograd.gradcheck(lambda *xs, lib=lib: fn(lib, *xs), ts), lib.__name__
    check(fn, *inputs)


def test_grad_fn_names():
    """The names PyTorch prints for each output."""
    a = well_conditioned((3, 3))
    for fn in (lambda L, x: L.linalg.inv_ex(x), lambda L, x: L.linalg.svd(x),
               lambda L, x: L.linalg.eigh(x), lambda L, x: L.linalg.qr(x),
               lambda L, x: L.linalg.slogdet(x), lambda L, x: L.linalg.solve_ex(x, x),
               lambda L, x: L.linalg.matrix_norm(x, "nuc"), lambda L, x: L.logdet(x)):
        (g, _), (t, _) = run_both(fn, a, requires_grad=True)
        gs, ts = (x if isinstance(x, tuple) else (x,) for x in (g, t))
        assert [type(x.grad_fn).__name__ for x in gs] == [type(x.grad_fn).__name__ for x in ts]


def test_out_and_module_names():
    for name in ("norm", "vector_norm", "matrix_norm", "inv", "inv_ex", "solve", "solve_ex",
                 "det", "slogdet", "qr", "svd", "svdvals", "eigh", "eigvalsh", "pinv",
                 "LinAlgError"):
        assert hasattr(glasstorch.linalg, name)
    out = glasstorch.empty(0)
    r = glasstorch.linalg.inv(glasstorch.eye(2) * 2, out=out)
    assert r is out
    assert_same(r, torch.linalg.inv(torch.eye(2) * 2))
