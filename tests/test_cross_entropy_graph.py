"""The graph of the classification losses is PyTorch's, node for node: cross_entropy is
log_softmax then nll_loss (NllLoss2DBackward0 for K-dimensional input), label smoothing and class
probabilities are the same small ops PyTorch composes, kl_div is xlogy / exp, sub and mul.
Each case compares the whole grad_fn graph (harness.assert_same_graph: names, edges, None
edges, slots, shared nodes), the values and the gradients with torch, then gradchecks
glasstorch in float64.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from harness import assert_same_graph

import glasstorch as gt
import glasstorch.nn.functional as GF

C = 4
# input shape -> class-index target shape
SHAPES = {"1d": ((C,), ()), "2d": ((3, C), (3,)), "3d": ((2, C, 3), (2, 3)),
          "4d": ((2, C, 2, 2), (2, 2, 2)), "5d": ((2, C, 2, 1, 2), (2, 2, 1, 2))}
REDUCTIONS = ["mean", "sum", "none"]


def make(shape, seed, lib, requires_grad=True, dtype=np.float64):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    t = lib.from_numpy(a)
    return t.requires_grad_() if requires_grad else t


def targets(tshape, seed, ignore: bool):
    t = np.random.default_rng(seed).integers(0, C, tshape)
    if ignore and t.size:
        t.flat[0] = 1  # class 1 is ignored below: some samples do not count
    return t


def probabilities(shape, seed):
    a = np.random.default_rng(seed).random(shape) + 0.1
    dim = 1 if len(shape) >= 2 else 0
    return a / a.sum(axis=dim, keepdims=True)


def compare(fn, arrays, grad):
    """fn(lib, F, *tensors) on both: same tree, value and gradients of ``grad`` inputs."""
    outs, ins = [], []
    for lib, F in ((gt, GF), (torch, TF)):
        ts = [None if a is None else lib.from_numpy(a.copy()) for a in arrays]
        for i in grad:
            ts[i].requires_grad_()
        out = fn(lib, F, *ts)
        outs.append(out)
        ins.append(ts)
    g, t = outs
    assert_same_graph(g, t)
    assert str(g.dtype) == str(t.dtype) and tuple(g.shape) == tuple(t.shape)
    np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=1e-10, atol=1e-12)
    up = np.random.default_rng(9).standard_normal(tuple(t.shape))
    g.backward(gt.from_numpy(up.copy()))
    t.backward(torch.from_numpy(up.copy()))
    for i in grad:
        np.testing.assert_allclose(ins[0][i].grad.numpy(), ins[1][i].grad.numpy(), rtol=1e-9,
                                   atol=1e-12)
    return ins[0]


def gradcheck(fn, arrays, grad):
    ts = [None if a is None else gt.from_numpy(a.copy()) for a in arrays]
    for i in grad:
        ts[i].requires_grad_()
    if np.isnan(fn(gt, GF, *ts).detach().numpy()).any():
        return  # nothing counted (every target ignored): no derivative to check
    assert gt.autograd.gradcheck(lambda *xs: fn(gt, GF, *xs), ts)


CLASS_INDEX_CASES = list(itertools.product(SHAPES, REDUCTIONS, [False, True], [False, True],
                                           [0.0, 0.2]))


@pytest.mark.parametrize("shape,reduction,weighted,ignore,smoothing", CLASS_INDEX_CASES)
def test_cross_entropy_class_indices(shape, reduction, weighted, ignore, smoothing):
    xshape, tshape = SHAPES[shape]
    x = np.random.default_rng(0).standard_normal(xshape)
    t = targets(tshape, 1, ignore)
    w = np.random.default_rng(2).random(C) + 0.5 if weighted else None

    def fn(lib, F, x, t, w):
        return F.cross_entropy(x, t, weight=w, reduction=reduction, label_smoothing=smoothing,
                               ignore_index=1 if ignore else -100)

    compare(fn, [x, t, w], grad=(0,))
    gradcheck(fn, [x, t, w], grad=(0,))


def test_cross_entropy_ignores_every_sample():
    """Nothing counts: the mean is nan and the gradient is zero, as in PyTorch."""
    x = np.random.default_rng(0).standard_normal((3, C))
    t = np.full(3, 2)
    for smoothing in (0.0, 0.3):
        def fn(lib, F, x, t, smoothing=smoothing):
            return F.cross_entropy(x, t, ignore_index=2, label_smoothing=smoothing)

        g = compare(fn, [x, t], grad=(0,))
        if smoothing == 0.0:
            assert not g[0].grad.numpy().any()


@pytest.mark.parametrize("xshape,tshape", [((0, C), (0,)), ((0, C, 3), (0, 3)),
                                           ((2, C, 0), (2, 0)), ((0, C, 2, 2), (0, 2, 2)),
                                           ((2, C, 0, 2, 1), (2, 0, 2, 1))])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_empty_class_indices(xshape, tshape, reduction):
    def fn(lib, F, x, t):
        return F.cross_entropy(x, t, reduction=reduction)

    compare(fn, [np.zeros(xshape), np.zeros(tshape, np.int64)], grad=(0,))


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_class_probabilities(shape, reduction, weighted, smoothing):
    xshape = SHAPES[shape][0]
    x = np.random.default_rng(0).standard_normal(xshape)
    y = probabilities(xshape, 1)
    w = np.random.default_rng(2).random(C) + 0.5 if weighted else None

    def fn(lib, F, x, y, w):
        return F.cross_entropy(x, y, weight=w, reduction=reduction, label_smoothing=smoothing)

    grad = (0, 1, 2) if weighted else (0, 1)  # the target and the weight get gradients too
    compare(fn, [x, y, w], grad=grad)
    gradcheck(fn, [x, y, w], grad=grad)


@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_empty_probabilities_mean_is_nan(weighted):
    x = np.zeros((0, C))
    w = np.random.default_rng(2).random(C) + 0.5 if weighted else None
    losses = []
    for lib, F in ((gt, GF), (torch, TF)):
        xt = lib.from_numpy(x.copy()).requires_grad_()
        loss = F.cross_entropy(xt, lib.from_numpy(x.copy()),
                               weight=None if w is None else lib.from_numpy(w.copy()))
        losses.append(loss)
        assert np.isnan(loss.item())
    assert_same_graph(*losses)


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_graph(shape, reduction, weighted):
    xshape, tshape = SHAPES[shape]
    x = np.random.default_rng(0).standard_normal(xshape)
    t = targets(tshape, 1, ignore=True)
    w = np.random.default_rng(2).random(C) + 0.5 if weighted else None

    def fn(lib, F, x, t, w):
        return F.nll_loss(x * 2, t, weight=w, reduction=reduction, ignore_index=1)

    compare(fn, [x, t, w], grad=(0,))
    gradcheck(fn, [x, t, w], grad=(0,))


def test_nll_loss_transposed_k_dim_input():
    """A non-contiguous K-dimensional input is copied before the view (CloneBackward0)."""
    x = np.random.default_rng(0).standard_normal((3, C, 2))
    t = targets((2, 3), 1, ignore=False)

    def fn(lib, F, x, t):
        return F.nll_loss(x.permute(2, 1, 0), t)

    compare(fn, [x, t], grad=(0,))


@pytest.mark.parametrize("reduction", ["none", "sum", "mean", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_graph(reduction, log_target):
    rng = np.random.default_rng(0)
    x = np.log(rng.random((3, C)) + 0.1)
    y = rng.random((3, C))
    y[0, 0] = 0.0  # xlogy(0, 0) is 0, its gradient with respect to x is 0
    if log_target:
        y = np.log(y + 0.1)

    def fn(lib, F, x, y):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 'mean' warns that it divides by every element
            return F.kl_div(x, y, reduction=reduction, log_target=log_target)

    compare(fn, [x, y], grad=(0,) if not log_target else (0, 1))
    if log_target:
        gradcheck(fn, [x, y], grad=(0, 1))
    else:
        y[0, 0] = 0.3  # finite differences cannot step across y = 0
        gradcheck(fn, [x, y], grad=(0, 1))


def test_no_borrowed_names_in_nn():
    """Every nn node prints its own class name: nothing in nn borrows one."""
    from glasstorch.autograd._names import BORROWED
    from glasstorch.nn._ops import activation, binary_ops, loss, normalization, padding

    for module in (activation, binary_ops, loss, normalization, padding):
        for name, obj in vars(module).items():
            if isinstance(obj, type) and name.endswith(("Backward0", "Backward1")):
                assert obj.__name__ == name and name not in BORROWED
