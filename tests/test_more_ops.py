"""Diagonals, histograms and index_put against torch (values and gradients)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import glasstorch

CASES = {
    "diag_matrix": lambda lib, x: lib.diag(x),
    "diag_matrix_offset": lambda lib, x: lib.diag(x, 1),
    "diag_vector": lambda lib, x: lib.diag(x[0], -1),
    "diagonal": lambda lib, x: x.diagonal(),
    "diagonal_offset": lambda lib, x: x.diagonal(-1),
    "trace": lambda lib, x: x.trace(),
    "index_put": lambda lib, x: x.index_put((lib.tensor([0, 2]), lib.tensor([1, 1])),
                                            lib.tensor(5.0, dtype=x.dtype)),
    "index_put_acc": lambda lib, x: x.index_put((lib.tensor([0, 0, 2]),), x[1] * 2,
                                                accumulate=True),
}


@pytest.mark.parametrize("name", CASES)
def test_values_and_gradients(name):
    a = np.random.default_rng(0).standard_normal((3, 4))
    res = []
    for lib in (glasstorch, torch):
        x = lib.tensor(a, requires_grad=True)
        y = CASES[name](lib, x * 1)
        w = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(y.shape))
        (y * w).sum().backward()
        res.append((y.detach().numpy(), x.grad.numpy(), type(y.grad_fn).__name__))
    np.testing.assert_allclose(res[0][0], res[1][0])
    np.testing.assert_allclose(res[0][1], res[1][1])


def test_diagonal_is_a_view():
    for lib in (glasstorch, torch):
        z = lib.zeros(3, 3)
        z.diagonal().add_(1)
        assert z.tolist() == np.eye(3).tolist()


@pytest.mark.parametrize("fn", [
    lambda lib: lib.bincount(lib.tensor([0, 1, 1, 3])),
    lambda lib: lib.bincount(lib.tensor([0, 1]), minlength=4),
    lambda lib: lib.bincount(lib.tensor([0, 1, 1]), weights=lib.tensor([0.5, 1.0, 2.0])),
    lambda lib: lib.histc(lib.tensor([1.0, 2, 1, 5]), bins=4, min=0, max=3),
    lambda lib: lib.histc(lib.tensor([1.0, 2, 1, 5]), bins=3),
    lambda lib: lib.bucketize(lib.tensor([1, 5, 9]), lib.tensor([1, 3, 5, 7, 9])),
    lambda lib: lib.bucketize(lib.tensor([1, 5, 9]), lib.tensor([1, 3, 5, 7, 9]), right=True),
])
def test_counting_ops(fn):
    g, t = fn(glasstorch), fn(torch)
    assert g.dtype.name == str(t.dtype).split(".")[1]
    np.testing.assert_array_equal(g.numpy(), t.numpy())


def test_index_put_dtype_mismatch_raises_like_torch():
    errors = []
    for lib in (glasstorch, torch):
        with pytest.raises(RuntimeError) as e:
            lib.zeros(3, dtype=lib.float64).index_put((lib.tensor([0]),), lib.tensor(1.0))
        errors.append(str(e.value).split("\n")[0])
    assert errors[0] == errors[1]


@pytest.mark.parametrize("dim,index", [(0, 1), (1, -1), (-1, 2), (0, 5)])
def test_select(dim, index):
    outs = []
    for lib in (glasstorch, torch):
        x = lib.arange(12.0).reshape(3, 4).requires_grad_()
        try:
            y = lib.select(x * 1, dim, index)
        except IndexError as e:
            outs.append(type(e))
            continue
        y.sum().backward()
        outs.append((y.tolist(), x.grad.tolist(), type(y.grad_fn).__name__))
    assert outs[0] == outs[1]
