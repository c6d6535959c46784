"""einsum and cdist against torch: values, gradients, the whole recorded graph (einsum is built
from the same ops PyTorch runs, so every node's name matches), errors; gradcheck in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from harness import SETTINGS, array, check, seeds
from hypothesis import given
from hypothesis import strategies as st

import glasstorch


def graph(t) -> str:
    """The names of the nodes below t, as a nested string (leaves left out).

    One known difference is skipped: where reshape must copy, PyTorch records CloneBackward0
    under UnsafeViewBackward0 and glasstorch's reshape (the shape family) records only the
    UnsafeViewBackward0."""
    def walk(node):
        if node is None or type(node).__name__ == "AccumulateGrad" or \
                node.name() == "torch::autograd::AccumulateGrad":
            return ""
        kids = [n for n, _ in node.next_functions if n is not None]
        if type(node).__name__ == "UnsafeViewBackward0" and len(kids) == 1 and \
                type(kids[0]).__name__ == "CloneBackward0":
            kids = [n for n, _ in kids[0].next_functions if n is not None]
        inner = ", ".join(w for w in (walk(n) for n in kids) if w)
        return f"{type(node).__name__}({inner})"
    return walk(t.grad_fn)


def same_graph(fn, *arrays):
    """fn's result has the same graph in both libraries (and check() compares the rest)."""
    outs = []
    for lib in (glasstorch, torch):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        outs.append(graph(fn(lib, *ts)))
    assert outs[0] == outs[1], outs
    check(fn, *arrays, rtol=1e-4, atol=1e-5)


COMMON = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("i,i->", [(3,), (3,)]),
    ("i,i", [(3,), (3,)]), ("i,j->ij", [(3,), (4,)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
    ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]), ("ij->j", [(2, 3)]), ("ij->i", [(2, 3)]),
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]), ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("ij,ij->i", [(2, 3), (2, 3)]), ("ij,ij->", [(2, 3), (2, 3)]), ("ijk->kji", [(2, 3, 4)]),
    ("...ij->...ji", [(2, 3, 4)]), ("bij,bjk", [(5, 2, 3), (5, 3, 4)]),
    ("i,ij->j", [(3,), (3, 4)]), ("ij,j->i", [(2, 3), (3,)]),
    ("ijk,ikl->ijl", [(2, 3, 4), (2, 4, 5)]), ("i->", [(3,)]), ("i", [(3,)]),
    ("ij", [(2, 3)]), ("ii->", [(3, 3)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]), ("ij,kj->ik", [(2, 3), (4, 3)]),
    ("i,j,k->ijk", [(3,), (2,), (4,)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("...,...->...", [(3,), (3,)]), ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("b i d, b j d -> b i j", [(2, 3, 4), (2, 5, 4)]), ("...ij,...jk->...ik", [(2, 1, 3, 4),
                                                                             (5, 4, 2)]),
    ("iij->j", [(3, 3, 2)]), ("ij,ij,ij->", [(2, 3), (2, 3), (2, 3)]),
    ("ab,b->a", [(1, 3), (3,)]), ("ij,kl->ijkl", [(2, 1), (1, 3)]), ("Ab,bC->AC", [(2, 3),
                                                                               (3, 4)]),
]


@pytest.mark.parametrize("eq,shapes", COMMON, ids=[c[0] for c in COMMON])
def test_common_equations_record_torchs_graph(eq, shapes):
    arrays = [array(s, "float64", i) for i, s in enumerate(shapes)]
    same_graph(lambda L, *ts: L.einsum(eq, *ts), *arrays)


@st.composite
def equations(draw):
    """A random valid equation over 1-3 operands, with shapes (repeated labels, broadcasting
    size-1 dims, implicit and explicit outputs, empty dims)."""
    letters = "abcdeXY"
    sizes = {c: draw(st.integers(0, 3)) for c in letters}
    n_ops = draw(st.integers(1, 3))
    ops, shapes = [], []
    for _ in range(n_ops):
        labels = draw(st.lists(st.sampled_from(letters), min_size=0, max_size=3))
        ops.append("".join(labels))
        shapes.append(tuple(sizes[c] if draw(st.integers(0, 4)) else 1 for c in labels))
    used = sorted(set("".join(ops)))
    if draw(st.booleans()):
        out = draw(st.permutations(used))[:draw(st.integers(0, len(used)))]
        eq = ",".join(ops) + "->" + "".join(out)
    else:
        eq = ",".join(ops)
    # a label repeated within one operand must keep one size there
    fixed = []
    for op, shape in zip(ops, shapes):
        first: dict = {}
        s = list(shape)
        for i, c in enumerate(op):
            if c in first:
                s[i] = s[first[c]]
            else:
                first[c] = i
        fixed.append(tuple(s))
    return eq, fixed


@SETTINGS
@given(case=equations(), seed=seeds, dtype=st.sampled_from(["float32", "float64"]))
def test_random_equations(case, seed, dtype):
    eq, shapes = case
    arrays = [array(s, dtype, seed + i) for i, s in enumerate(shapes)]
    check(lambda L, *ts: L.einsum(eq, *ts), *arrays, seed=seed, rtol=1e-4, atol=1e-4)
    same_graph(lambda L, *ts: L.einsum(eq, *ts), *[a.astype("float64") for a in arrays])


def test_call_forms():
    """The operands as a list, and the sublist form."""
    a, b = array((2, 3), "float64"), array((3, 4), "float64", 1)
    check(lambda L, x, y: (L.einsum("ij,jk", [x, y]), L.einsum(x, [0, 1], y, [1, 2]),
                           L.einsum(x, [0, 1], y, [1, 2], [2, 0]),
                           L.einsum(x, [Ellipsis, 30], [30, Ellipsis])), a, b)


def test_integer_operands():
    check(lambda L, x, y: L.einsum("ij,jk->ik", x, y), array((2, 3), "int64"),
          array((3, 4), "int64", 1))


ERRORS = [
    ("ij,jk", [(2, 3)]), ("ij", [(2, 3), (3, 4)]), ("i.j", [(2, 3)]), ("...i...", [(2, 3)]),
    ("ij1", [(2, 3, 4)]), ("ijk", [(2, 3)]), ("...ijk", [(2, 3)]), ("ij->kk", [(2, 3)]),
    ("ij->k", [(2, 3)]), ("ij->ii", [(2, 3)]), ("ij->i.", [(2, 3)]), ("ij->...i...", [(2, 3)]),
    ("ij->i!", [(2, 3)]), ("ij,jk->ik", [(2, 3), (4, 5)]), ("ii->i", [(2, 3)]),
    ("...i,...i->...", [(2, 3), (4, 3)]),
]


@pytest.mark.parametrize("eq,shapes", ERRORS, ids=[c[0] for c in ERRORS])
def test_errors(eq, shapes):
    arrays = [array(s, "float64", i) for i, s in enumerate(shapes)]
    check(lambda L, *ts: L.einsum(eq, *ts), *arrays, message=True)


def test_argument_errors():
    for lib in (glasstorch, torch):
        with pytest.raises(ValueError, match="must specify the equation string"):
            lib.einsum("ij")
        with pytest.raises(ValueError, match="not within the valid range"):
            lib.einsum(lib.ones(2), [60])


# ---------------------------------------------------------------------------------------------
# cdist
# ---------------------------------------------------------------------------------------------

PS = [2.0, 1.0, 0.0, 0.5, 1.5, 3.0, float("inf")]


@SETTINGS
@given(p=st.sampled_from(PS), r1=st.integers(0, 5), r2=st.integers(0, 30), m=st.integers(0, 4),
       batch=st.sampled_from([((), ()), ((2,), ()), ((2, 1), (3,)), ((1,), (2,))]),
       dtype=st.sampled_from(["float32", "float64"]), seed=seeds,
       mode=st.sampled_from(["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                             "donot_use_mm_for_euclid_dist"]))
def test_cdist(p, r1, r2, m, batch, dtype, seed, mode):
    """All p, the matrix-product path (p = 2 and more than 25 rows, or asked for), batches that
    broadcast, empty inputs: values, grad_fn (CdistBackward0 / ViewBackward0), gradients."""
    x1 = array(batch[0] + (r1, m), dtype, seed)
    x2 = array(batch[1] + (r2, m), dtype, seed + 1)
    check(lambda L, a, b: L.cdist(a, b, p, compute_mode=mode), x1, x2, seed=seed, rtol=1e-3,
          atol=1e-4)


def test_cdist_ties_and_identical_points():
    """PyTorch's subgradients: 0 where two points coincide, every tied max for p = inf."""
    x1 = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, -3.0]])
    x2 = np.array([[0.0, 0.0], [2.0, 3.0]])
    for p in PS:
        check(lambda L, a, b, p=p: L.cdist(a, b, p), x1, x2)


CDIST_ERRORS = [
    (lambda L, a, b: L.cdist(a, b), [(4,), (4,)]),
    (lambda L, a, b: L.cdist(a, b), [(3, 4), (5, 3)]),
    (lambda L, a, b: L.cdist(a, b, -1.0), [(3, 4), (5, 4)]),
    (lambda L, a, b: L.cdist(a, b, compute_mode="x"), [(3, 4), (5, 4)]),
    (lambda L, a, b: L.cdist(a, b), [(2, 3, 4), (3, 5, 4)]),
    (lambda L, a, b: L.cdist(a.long(), b.long()), [(3, 4), (5, 4)]),
    (lambda L, a, b: L.cdist(a.half(), b.half()), [(3, 4), (5, 4)]),
    (lambda L, a, b: L.cdist(a.float(), b), [(3, 4), (5, 4)]),
]


@pytest.mark.parametrize("i", range(len(CDIST_ERRORS)))
def test_cdist_errors(i):
    fn, shapes = CDIST_ERRORS[i]
    check(fn, *[array(s, "float64", k) for k, s in enumerate(shapes)], message=True)


@pytest.mark.parametrize("name,fn,shapes", [
    ("einsum mm", lambda L, a, b: L.einsum("ij,jk->ik", a, b), [(2, 3), (3, 4)]),
    ("einsum batch", lambda L, a, b: L.einsum("bij,bkj->bik", a, b), [(2, 2, 3), (2, 4, 3)]),
    ("einsum trace", lambda L, a: L.einsum("ii", a), [(3, 3)]),
    ("einsum three", lambda L, a, b, c: L.einsum("i,ij,j->", a, b, c), [(2,), (2, 3), (3,)]),
    ("cdist 2", lambda L, a, b: L.cdist(a, b), [(3, 4), (5, 4)]),
    ("cdist 2 mm", lambda L, a, b: L.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
     [(3, 4), (5, 4)]),
    ("cdist 1.5", lambda L, a, b: L.cdist(a, b, 1.5), [(3, 4), (5, 4)]),
    ("cdist 3", lambda L, a, b: L.cdist(a, b, 3.0), [(2, 3, 4), (2, 5, 4)]),
])
def test_gradcheck(name, fn, shapes):
    inputs = [array(s, "float64", k) for k, s in enumerate(shapes)]
    for lib in (glasstorch, torch):
        ts = [lib.tensor(x, requires_grad=True) for x in inputs]
        assert lib.autograd.gradcheck(lambda *xs, lib=lib: fn(lib, *xs), ts), lib.__name__
