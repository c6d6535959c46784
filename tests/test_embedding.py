"""nn.Embedding and F.embedding against torch: values, gradients (padding_idx, scale_grad_by_freq),
max_norm's in-place renormalisation, errors, reprs, same-seed init, from_pretrained,
checkpoints, gradcheck."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from harness import SETTINGS, build, check, check_layer, checkpoints_cross, same_error, seeds
from hypothesis import given
from hypothesis import strategies as st

import glasstorch


def ids(shape, rows, seed, dtype="int64"):
    return np.random.default_rng(seed).integers(0, rows, shape).astype(dtype)


def weights(rows, dim, seed, dtype="float32"):
    return np.random.default_rng(seed + 7).standard_normal((rows, dim)).astype(dtype)


@SETTINGS
@given(shape=st.lists(st.integers(0, 4), max_size=3), rows=st.integers(1, 6),
       dim=st.integers(1, 4), pad=st.sampled_from([None, 0, 1, -1, -2]),
       scale=st.booleans(), wdtype=st.sampled_from(["float32", "float64"]),
       idtype=st.sampled_from(["int64", "int32"]), seed=seeds)
def test_functional_values_and_gradients(shape, rows, dim, pad, scale, wdtype, idtype, seed):
    if pad is not None and not -rows <= pad < rows:
        pad = None
    x, w = ids(tuple(shape), rows, seed, idtype), weights(rows, dim, seed, wdtype)
    check(lambda lib, x, w: lib.nn.functional.embedding(x, w, padding_idx=pad,
                                                        scale_grad_by_freq=scale), x, w,
          seed=seed)


@SETTINGS
@given(rows=st.integers(1, 6), dim=st.integers(1, 4), n=st.integers(0, 8),
       max_norm=st.sampled_from([0.5, 1.0, 2.0, 1e-3, -1.0]),
       norm_type=st.sampled_from([1.0, 2.0, 3.0, float("inf"), 0.5]),
       wdtype=st.sampled_from(["float32", "float64"]), seed=seeds)
def test_max_norm_renormalises_rows_in_place(rows, dim, n, max_norm, norm_type, wdtype, seed):
    x, w = ids((n,), rows, seed), weights(rows, dim, seed, wdtype) * 2

    def fn(lib, x, w):
        with lib.no_grad():
            table = w.clone()
        out = lib.nn.functional.embedding(x, table, max_norm=max_norm, norm_type=norm_type)
        return out, table, table._version > 0

    check(fn, x, w, requires_grad=False)


def test_max_norm_on_a_parameter_and_later_backward():
    def scenario(lib):
        lib.manual_seed(0)
        emb = lib.nn.Embedding(6, 3, max_norm=1.0)
        x = lib.tensor([[1, 2, 2], [5, 1, 0]])
        out = emb(x)
        out.pow(2).sum().backward()
        return out.detach().numpy(), emb.weight.detach().numpy(), emb.weight.grad.numpy()

    g, t = scenario(glasstorch), scenario(torch)
    for a, b in zip(g, t):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case", [
    lambda lib, F: F.embedding(lib.tensor([1.0]), lib.randn(5, 3)),
    lambda lib, F: F.embedding(lib.tensor([1], dtype=lib.uint8), lib.randn(5, 3)),
    lambda lib, F: F.embedding(lib.tensor([1], dtype=lib.int16), lib.randn(5, 3)),
    lambda lib, F: F.embedding(lib.tensor([5]), lib.randn(5, 3)),
    lambda lib, F: F.embedding(lib.tensor([[-1, 2]]), lib.randn(5, 3)),
    lambda lib, F: F.embedding(lib.tensor([1]), lib.randn(5)),
    lambda lib, F: F.embedding(lib.tensor([1.0]), lib.randn(5)),
    lambda lib, F: F.embedding(lib.tensor([1]), lib.randn(5, 2, 2)),
    lambda lib, F: F.embedding(lib.tensor([2]), lib.randn(5, 3), padding_idx=5),
    lambda lib, F: F.embedding(lib.tensor([2]), lib.randn(5, 3), padding_idx=-6),
    lambda lib, F: F.embedding(lib.tensor([2]), lib.randn(5, 3), padding_idx=1.5),
    lambda lib, F: F.embedding([2], lib.randn(5, 3)),
    lambda lib, F: F.embedding(lib.tensor([1.0]), lib.randn(5, 3), max_norm=1.0),
    lambda lib, F: F.embedding(lib.tensor([7]), lib.randn(5, 3), max_norm=1.0),
    lambda lib, F: F.embedding(lib.tensor([1]), lib.randn(5), max_norm=1.0),
    lambda lib, F: F.embedding(lib.tensor([1]), lib.arange(15).view(5, 3), max_norm=1.0),
    lambda lib, F: lib.nn.Embedding(5, 3, padding_idx=5),
    lambda lib, F: lib.nn.Embedding(5, 3, padding_idx=-6),
    lambda lib, F: lib.nn.Embedding(5, 3)(lib.tensor([[0.0, 1.0]])),
    lambda lib, F: lib.nn.Embedding(5, 3)(lib.tensor([0, 5])),
    lambda lib, F: lib.nn.Embedding.from_pretrained(lib.randn(5)),
    lambda lib, F: lib.nn.Embedding(5, 3, _weight=lib.randn(4, 3)),
])
def test_errors(case):
    same_error(lambda lib: case(lib, lib.nn.functional))


def test_error_hints_name_the_sizes():
    e = same_error(lambda lib: lib.nn.Embedding(27, 4)(lib.tensor([[3, 27, 30]])))
    assert "[glasstorch] the indices range from 3 to 30, but the embedding has 27 rows" in str(e)
    e = same_error(lambda lib: lib.nn.Embedding(27, 4)(lib.tensor([[0.5, 2.0]])))
    assert "use x.long()" in str(e)


def test_sparse_gradients_are_refused_with_the_way_out():
    emb = glasstorch.nn.Embedding(5, 3, sparse=True)
    assert repr(emb) == repr(torch.nn.Embedding(5, 3, sparse=True))
    with pytest.raises(NotImplementedError, match=r"\[glasstorch\] sparse gradients"):
        emb(glasstorch.tensor([1, 2]))


@pytest.mark.parametrize("kwargs", [
    {}, {"padding_idx": 0}, {"padding_idx": -1}, {"max_norm": 1.0},
    {"max_norm": 2.0, "norm_type": 1.0}, {"scale_grad_by_freq": True},
    {"padding_idx": 2, "max_norm": 1.5, "norm_type": 3.0, "scale_grad_by_freq": True},
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_module_init_repr_outputs_gradients(kwargs, dtype):
    gm, tm = build(lambda lib: lib.nn.Embedding(7, 4, dtype=getattr(lib, dtype), **kwargs),
                   seed=3)
    x = ids((3, 5), 7, 1)
    x[0, :3] = [2, 2, 0]
    check_layer(gm, tm, x)
    np.testing.assert_allclose(gm.weight.detach().numpy(), tm.weight.detach().numpy(),
                               rtol=1e-6)


def test_module_attributes_and_from_pretrained():
    def scenario(lib):
        base = lib.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]])
        frozen = lib.nn.Embedding.from_pretrained(base)
        free = lib.nn.Embedding.from_pretrained(base, freeze=False, padding_idx=1)
        out = free(lib.tensor([1, 0]))
        out.sum().backward()
        with lib.no_grad():
            base[0, 0] = 9.0  # shared, not copied
        return (repr(frozen), frozen.weight.requires_grad, free.weight.requires_grad,
                float(frozen.weight[0, 0]), free.weight.grad.tolist(), repr(free),
                frozen.num_embeddings, frozen.embedding_dim, free.padding_idx,
                [n for n, _ in free.named_parameters()],
                lib.nn.Embedding(5, 3, padding_idx=-2).padding_idx)

    assert scenario(glasstorch) == scenario(torch)


def test_same_seed_gives_torchs_table_and_zero_padding_row():
    gm, tm = build(lambda lib: lib.nn.Embedding(100, 16, padding_idx=3), seed=11)
    assert not gm.weight.detach().numpy()[3].any()
    gm.reset_parameters()
    tm.reset_parameters()  # draws on from the same generator state
    np.testing.assert_array_equal(gm.weight.detach().numpy(), tm.weight.detach().numpy())


def test_checkpoints_cross():
    gm, tm = build(lambda lib: lib.nn.Sequential(lib.nn.Embedding(9, 4, padding_idx=0),
                                                 lib.nn.Flatten(), lib.nn.Linear(8, 2)))
    checkpoints_cross(gm, tm)
    check_layer(gm, tm, ids((3, 2), 9, 0))


def test_gradcheck_float64():
    # (padding_idx and scale_grad_by_freq change the gradient on purpose: they are not the
    # derivative, so finite differences disagree in both libraries; they are compared above)
    w = glasstorch.tensor(weights(6, 3, 0, "float64"), requires_grad=True)
    x = glasstorch.tensor([[1, 2, 2], [0, 5, 1]])
    assert glasstorch.autograd.gradcheck(lambda w: glasstorch.nn.functional.embedding(x, w), (w,))
