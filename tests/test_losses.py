"""Differential tests for the losses (functional and modules): values, dtypes and gradients
against torch for every option, plus PyTorch's warnings and errors."""

from __future__ import annotations

from functools import partial

import harness
import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import glasstorch as gt
import glasstorch.nn as gnn
import glasstorch.nn.functional as GF
import glasstorch.nn.modules.loss as gloss

DTYPES = [np.float32, np.float64]
TOL = {"float32": (3e-5, 3e-6), "float64": (1e-10, 1e-12)}
REDUCTIONS = ["mean", "sum", "none"]


# -- helpers ----------------------------------------------------------------------------------
# check(fn, *arrays): fn(F, *tensors) with F = glasstorch's / torch's functional module
check = partial(harness.check, lead=lambda lib: (lib.nn.functional,), tol=TOL, grad_tol=TOL)
assert_same = partial(harness.assert_same, tol=TOL)
# same_error(fn), same_warnings(fn): fn(lib, F)
same_error = partial(harness.same_error, lead=lambda lib: (lib, lib.nn.functional))
same_warnings = partial(harness.same_warnings, lead=lambda lib: (lib, lib.nn.functional))


def rand(rng, shape, dtype, scale=1.0):
    return np.asarray(rng.standard_normal(shape) * scale, dtype)  # 0-d: an array, not a scalar


# -- regression losses ------------------------------------------------------------------------
REGRESSION = {
    "mse": lambda F, x, y, r: F.mse_loss(x, y, reduction=r),
    "l1": lambda F, x, y, r: F.l1_loss(x, y, reduction=r),
    "smooth_l1": lambda F, x, y, r: F.smooth_l1_loss(x, y, reduction=r),
    "smooth_l1_b0.5": lambda F, x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.5),
    "smooth_l1_b0": lambda F, x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.0),
    "huber": lambda F, x, y, r: F.huber_loss(x, y, reduction=r),
    "huber_d2": lambda F, x, y, r: F.huber_loss(x, y, reduction=r, delta=2.0),
}


@pytest.mark.parametrize("name", sorted(REGRESSION))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=6, deadline=None)
@given(shape=st.lists(st.integers(1, 6), min_size=0, max_size=3).map(tuple),
       seed=st.integers(0, 2**16))
def test_regression_losses(name, reduction, dtype, shape, seed):
    rng = np.random.default_rng(seed)
    x, y = rand(rng, shape, dtype, 2.0), rand(rng, shape, dtype, 2.0)
    check(lambda F, x, y: REGRESSION[name](F, x, y, reduction), x, y)


@pytest.mark.parametrize("name", ["mse", "l1", "huber"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_weight(name, reduction):
    rng = np.random.default_rng(3)
    x, y, w = rand(rng, (4, 3), np.float64), rand(rng, (4, 3), np.float64), rng.random((4, 3))
    fn = {"mse": TF.mse_loss, "l1": TF.l1_loss, "huber": TF.huber_loss}[name]
    name_g = fn.__name__
    check(lambda F, x, y, w: getattr(F, name_g)(x, y, reduction=reduction, weight=w),
             x, y, w, requires_grad=(0, 1), grad_fn=False)
    same_error(lambda lib, F: getattr(F, name_g)(lib.ones(3), lib.ones(3), weight=lib.ones(2)))


@pytest.mark.filterwarnings("ignore:Using a target size")
@pytest.mark.parametrize("name", ["mse", "l1", "smooth_l1", "huber"])
def test_regression_shape_mismatch_warns_and_broadcasts(name):
    x = np.random.default_rng(0).standard_normal((16, 1)).astype(np.float32)
    y = np.random.default_rng(1).standard_normal(16).astype(np.float32)
    fn = REGRESSION[name]
    (go, to), msgs = same_warnings(
        lambda lib, F: fn(F, lib.from_numpy(x.copy()), lib.from_numpy(y.copy()), "mean"))
    assert len(msgs) == 1 and msgs[0].startswith("Using a target size (torch.Size([16])) that is")
    with pytest.warns(UserWarning, match=r"broadcast to \[16, 16\]"):
        fn(GF, gt.from_numpy(x.copy()), gt.from_numpy(y.copy()), "mean")
    assert_same(go, to)
    same_error(lambda lib, F: fn(F, lib.ones(16, 3), lib.ones(16, 4), "mean"))


@pytest.mark.parametrize("name", ["mse", "l1", "smooth_l1", "huber"])
@pytest.mark.parametrize("dts", [(np.float32, np.float64), (np.float64, np.float32),
                                 (np.float32, np.int64)])
def test_regression_dtype_promotion(name, dts):
    rng = np.random.default_rng(2)
    x = rand(rng, (5,), dts[0])
    y = (rand(rng, (5,), np.float64) * 3).astype(dts[1])
    # (PyTorch's Huber backward refuses mixed dtypes, so only its forward is compared)
    check(lambda F, x, y: REGRESSION[name](F, x, y, "mean"), x, y,
             requires_grad=() if name == "huber" else (0,), rtol=3e-5, atol=3e-6)


def test_regression_errors():
    same_error(lambda lib, F: F.mse_loss(lib.ones(3), lib.ones(3), reduction="avg"))
    same_error(lambda lib, F: F.mse_loss(lib.tensor([1, 2]), lib.tensor([0, 1])))
    same_error(lambda lib, F: F.smooth_l1_loss(lib.ones(3), lib.ones(3), beta=-1.0))
    same_error(lambda lib, F: F.huber_loss(lib.ones(3), lib.ones(3), delta=0.0))
    (g, t), msgs = same_warnings(lambda lib, F: F.mse_loss(lib.ones(3), lib.zeros(3),
                                                           size_average=False))
    assert msgs and g.item() == t.item() == 3.0


# -- cross_entropy / nll_loss: class-index targets ---------------------------------------------
def ce_case(rng, n, c, extra, dtype, ignore_frac=0.0, ignore_index=-100):
    x = rand(rng, (n, c, *extra), dtype, 3.0)
    t = rng.integers(0, c, (n, *extra)).astype(np.int64)
    if ignore_frac:
        t[rng.random(t.shape) < ignore_frac] = ignore_index
    return x, t


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 1.0])
@settings(max_examples=5, deadline=None)
@given(n=st.integers(1, 6), c=st.integers(1, 5),
       extra=st.lists(st.integers(1, 3), max_size=3).map(tuple),
       seed=st.integers(0, 2**16), ignore=st.sampled_from([0.0, 0.4]),
       ignore_index=st.sampled_from([-100, 0, 1]))
def test_cross_entropy_class_indices(dtype, reduction, weighted, smoothing, n, c, extra, seed,
                                     ignore, ignore_index):
    rng = np.random.default_rng(seed)
    x, t = ce_case(rng, n, c, extra, dtype, ignore, ignore_index)
    w = rng.random(c).astype(dtype) + 0.1 if weighted else None

    def fn(F, x, t, w=None):
        return F.cross_entropy(x, t, weight=w, reduction=reduction, ignore_index=ignore_index,
                               label_smoothing=smoothing)

    if ignore and np.all(t == ignore_index) and reduction == "mean":
        check(fn, x, t, w, requires_grad=(0,), grad_fn=False)  # nan
    else:
        check(fn, x, t, w, requires_grad=(0,))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@settings(max_examples=5, deadline=None)
@given(n=st.integers(1, 6), c=st.integers(1, 5),
       extra=st.lists(st.integers(1, 3), max_size=3).map(tuple),
       seed=st.integers(0, 2**16), ignore=st.sampled_from([0.0, 0.4]))
def test_nll_loss(dtype, reduction, weighted, n, c, extra, seed, ignore):
    rng = np.random.default_rng(seed)
    x, t = ce_case(rng, n, c, extra, dtype, ignore, 1)
    w = rng.random(c).astype(dtype) + 0.1 if weighted else None
    check(lambda F, x, t, w=None: F.nll_loss(x, t, weight=w, reduction=reduction,
                                                ignore_index=1), x, t, w, requires_grad=(0,))


@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_all_targets_ignored(fn, reduction, smoothing):
    rng = np.random.default_rng(0)
    x = rand(rng, (4, 3), np.float32)
    t = np.full(4, -100, np.int64)
    kw = {"label_smoothing": smoothing} if fn == "cross_entropy" else {}
    to = check(lambda F, x, t: getattr(F, fn)(x, t, reduction=reduction, **kw), x, t,
                      requires_grad=(0,), grad_fn=False)
    if reduction == "mean":
        assert np.isnan(to.item())  # and so glasstorch's (check compares nan positions)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_unbatched(reduction, smoothing):
    rng = np.random.default_rng(5)
    x = rand(rng, (4,), np.float64)
    for t in (np.array(2), np.array([1])):
        if smoothing and t.ndim:
            same_error(lambda lib, F, t=t: F.cross_entropy(lib.from_numpy(x), lib.from_numpy(t),
                                                           label_smoothing=smoothing))
            continue
        # (PyTorch's backward fails for a (C,) input with a (1,) target: forward only there)
        check(lambda F, x, t: F.cross_entropy(x, t, reduction=reduction,
                                                 label_smoothing=smoothing), x, t,
                 requires_grad=() if t.ndim else (0,))

        def weighted(F, x, t):
            w = (gt if F is GF else torch).arange(1.0, 5.0).double()
            return F.cross_entropy(x, t, weight=w, reduction=reduction)

        check(weighted, x, t, requires_grad=() if t.ndim else (0,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_empty_batch(reduction):
    x = np.zeros((0, 3), np.float32)
    t = np.zeros(0, np.int64)
    check(lambda F, x, t: F.cross_entropy(x, t, reduction=reduction), x, t, requires_grad=(0,))
    check(lambda F, x, t: F.nll_loss(x, t, reduction=reduction), x, t, requires_grad=(0,))
    check(lambda F, x, y: F.cross_entropy(x, y, reduction=reduction), x, x.copy(),
             requires_grad=(0,))
    check(lambda F, x, y: F.mse_loss(x, y, reduction=reduction), x, x.copy())
    check(lambda F, x, y: F.binary_cross_entropy_with_logits(x, y, reduction=reduction),
             x, x.copy())


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_unbatched(reduction):
    x = np.log(np.random.default_rng(2).random(5))
    w = np.arange(1.0, 6.0)
    check(lambda F, x, t, w: F.nll_loss(x, t, weight=w, reduction=reduction), x,
             np.array(3), w, requires_grad=(0,))
    check(lambda F, x, t: F.nll_loss(x, t, ignore_index=3, reduction=reduction), x,
             np.array(3), requires_grad=(0,), grad_fn=reduction != "mean")


def test_cross_entropy_uint8_targets_and_extreme_logits():
    x = np.array([[1000.0, -1000.0, 0.0], [-50.0, 50.0, 30.0]], np.float32)
    t = np.array([1, 0], np.uint8)
    check(lambda F, x, t: F.cross_entropy(x, t, reduction="none"), x, t, requires_grad=(0,))


def test_cross_entropy_graph_is_log_softmax_then_nll():
    names = []
    for lib, F in ((gt, GF), (torch, TF)):
        x = lib.randn(4, 3, requires_grad=True)
        loss = F.cross_entropy(x * 1, lib.tensor([0, 1, 2, 1]))
        node, chain = loss.grad_fn, []
        while node is not None and type(node).__name__ != "AccumulateGrad":
            chain.append(type(node).__name__)
            node = node.next_functions[0][0]
        names.append(chain)
    assert names[0] == names[1] == ["NllLossBackward0", "LogSoftmaxBackward0", "MulBackward0"]
    # the nodes are the ones that run: the core's log_softmax and nn's nll_loss
    from glasstorch._ops.reduction import LogSoftmaxBackward0
    from glasstorch.nn._ops.loss import NllLossBackward0

    x = gt.randn(4, 3, requires_grad=True)
    loss = GF.cross_entropy(x, gt.tensor([0, 1, 2, 1]))
    assert type(loss.grad_fn) is NllLossBackward0
    assert type(loss.grad_fn.next_functions[0][0]) is LogSoftmaxBackward0


@pytest.mark.parametrize("case", ["ce", "ce_ls", "ce_prob_x", "ce_prob_y", "nll", "mse", "bce",
                                  "bce_logits"])
def test_inplace_change_after_forward(case):
    """Changing an input in place before backward: an error exactly where PyTorch has one."""
    outcome = []
    for lib, F in ((gt, GF), (torch, TF)):
        leaf = lib.full((4, 3), 0.25, requires_grad=True)
        x = leaf * 2
        y = lib.ones(4, 3) / 3 if case != "ce_prob_y" else (leaf * 0 + 1) / 3
        t = lib.tensor([0, 1, 2, 0])
        if case in ("ce", "ce_ls"):
            loss = F.cross_entropy(x, t, label_smoothing=0.1 if case == "ce_ls" else 0.0)
        elif case.startswith("ce_prob"):
            loss = F.cross_entropy(x, y)
        elif case == "nll":
            loss = F.nll_loss(x, t)
        elif case == "mse":
            loss = F.mse_loss(x, y)
        elif case == "bce":
            loss = F.binary_cross_entropy(x, y)
        else:
            loss = F.binary_cross_entropy_with_logits(x, y)
        (y if case == "ce_prob_y" else x).mul_(1.5)
        try:
            loss.backward()
            outcome.append(("ok", leaf.grad.numpy().copy()))
        except RuntimeError as e:
            outcome.append(("error", str(e).split(":")[0]))
    assert outcome[0][0] == outcome[1][0]
    if outcome[0][0] == "ok":
        np.testing.assert_allclose(outcome[0][1], outcome[1][1], rtol=1e-6, atol=1e-7)
    else:
        assert outcome[0][1] == outcome[1][1]


# -- cross_entropy: class-probability targets -------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@settings(max_examples=5, deadline=None)
@given(n=st.integers(1, 5), c=st.integers(1, 5),
       extra=st.lists(st.integers(1, 3), max_size=2).map(tuple), seed=st.integers(0, 2**16))
def test_cross_entropy_probabilities(dtype, reduction, weighted, smoothing, n, c, extra, seed):
    rng = np.random.default_rng(seed)
    x = rand(rng, (n, c, *extra), dtype, 2.0)
    y = rng.random((n, c, *extra)).astype(dtype)
    y /= y.sum(axis=1, keepdims=True)
    w = rng.random(c).astype(dtype) + 0.1 if weighted else None
    check(lambda F, x, y, w=None: F.cross_entropy(x, y, weight=w, reduction=reduction,
                                                     label_smoothing=smoothing), x, y, w,
             requires_grad=(0, 1))


def test_cross_entropy_probabilities_mixed_dtypes():
    rng = np.random.default_rng(8)
    x = rand(rng, (3, 4), np.float32)
    y = rng.random((3, 4))
    check(lambda F, x, y: F.cross_entropy(x, y), x, y, requires_grad=(0,), rtol=1e-6, atol=1e-7)
    x64 = rand(rng, (3,), np.float64)
    check(lambda F, x, y: F.cross_entropy(x, y, reduction="none"), x64, rng.random(3),
             requires_grad=(0,))


# -- cross_entropy / nll errors ---------------------------------------------------------------
def test_class_index_errors():
    x = lambda lib: lib.ones(4, 3)  # noqa: E731
    e = same_error(lambda lib, F: F.cross_entropy(x(lib), lib.tensor([0, 1])))
    assert "[4, 3]" in str(e)
    e = same_error(lambda lib, F: F.cross_entropy(x(lib), lib.zeros(4, 1, dtype=lib.int64)))
    assert "squeeze" in str(e)
    same_error(lambda lib, F: F.nll_loss(x(lib), lib.zeros(4, 2, dtype=lib.int64)))
    e = same_error(lambda lib, F: F.cross_entropy(x(lib), lib.tensor([0, 1, 10, 1])))
    assert "[0, 3)" in str(e)
    same_error(lambda lib, F: F.cross_entropy(x(lib), lib.tensor([0, 1, -1, 1])))
    same_error(lambda lib, F: F.cross_entropy(x(lib), lib.tensor([0, 1, 10, 1]),
                                              reduction="none"))
    same_error(lambda lib, F: F.cross_entropy(lib.ones(2, 3, 4),
                                              lib.tensor([[0, 1, 5, 1], [0, 0, 0, 0]])))
    same_error(lambda lib, F: F.cross_entropy(x(lib), lib.tensor([0.0, 1, 2, 1])))
    same_error(lambda lib, F: F.cross_entropy(x(lib), lib.tensor([0, 1, 2, 1],
                                                                 dtype=lib.int32)))
    same_error(lambda lib, F: F.cross_entropy(x(lib), lib.zeros(4, 3, dtype=lib.int64)))
    same_error(lambda lib, F: F.cross_entropy(x(lib), lib.ones(4, 3) / 3, ignore_index=1))
    same_error(lambda lib, F: F.cross_entropy(x(lib), lib.tensor([0, 1, 2, 1]),
                                              label_smoothing=1.5))
    same_error(lambda lib, F: F.cross_entropy(x(lib), lib.ones(4, 3) / 3, label_smoothing=1.5))
    same_error(lambda lib, F: F.cross_entropy(x(lib), lib.tensor([0, 1, 2, 1]),
                                              weight=lib.ones(2)))
    same_error(lambda lib, F: F.cross_entropy(x(lib), lib.ones(4, 3) / 3, weight=lib.ones(2)))
    same_error(lambda lib, F: F.nll_loss(x(lib), lib.tensor([0, 1, 2, 1]), weight=lib.ones(2)))
    same_error(lambda lib, F: F.cross_entropy(x(lib), lib.tensor([0, 1, 2, 1]),
                                              weight=lib.ones(3, dtype=lib.float64)))
    same_error(lambda lib, F: F.cross_entropy(lib.ones(2, 3, 4), lib.zeros(2, 5,
                                                                           dtype=lib.int64)))
    same_error(lambda lib, F: F.cross_entropy(lib.ones(2, 3, 4, 5),
                                              lib.zeros(2, 4, 6, dtype=lib.int64)))
    same_error(lambda lib, F: F.nll_loss(lib.ones(2, 3, 4, 5),
                                         lib.zeros(2, 4, 5, 5, dtype=lib.int64)))
    same_error(lambda lib, F: F.nll_loss(lib.ones(2, 3, 4, 5, 6),
                                         lib.zeros(2, 4, 5, dtype=lib.int64)))
    same_error(lambda lib, F: F.cross_entropy(lib.ones(2, 3, 4), lib.zeros(3, 4,
                                                                           dtype=lib.int64)))
    same_error(lambda lib, F: F.cross_entropy(lib.tensor(1.0), lib.tensor(1)))
    same_error(lambda lib, F: F.nll_loss(lib.tensor(1.0), lib.tensor(0)))
    same_error(lambda lib, F: F.cross_entropy(lib.ones(4, 3, dtype=lib.int64),
                                              lib.tensor([0, 1, 2, 1])))
    same_error(lambda lib, F: F.nll_loss(lib.ones(4, 3, dtype=lib.int64),
                                         lib.tensor([0, 1, 2, 1])))
    same_error(lambda lib, F: F.cross_entropy(x(lib), lib.tensor([0, 1, 2, 1]),
                                              reduction="avg"))


# -- kl_div -----------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_kl_div(reduction, log_target, dtype):
    rng = np.random.default_rng(13)
    x = np.log(rng.random((4, 5)) + 0.05).astype(dtype)
    y = rng.random((4, 5)).astype(dtype)
    y[0, 0] = 0  # 0 log 0 = 0
    if log_target:
        y = np.log(y + 0.1).astype(dtype)
    grad = (0, 1) if log_target else (0,)  # (PyTorch's target grad at y == 0 is nan)
    check(lambda F, x, y: F.kl_div(x, y, reduction=reduction, log_target=log_target), x, y,
             requires_grad=grad)


def test_kl_div_warning_and_errors():
    (g, t), msgs = same_warnings(lambda lib, F: F.kl_div(lib.zeros(2, 3), lib.ones(2, 3) / 3))
    assert len(msgs) == 1 and "batchmean" in msgs[0]
    same_error(lambda lib, F: F.kl_div(lib.zeros(3), lib.ones(3, 4), reduction="sum"))


# -- binary cross-entropy ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, "full", "row"])
@settings(max_examples=5, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple),
       seed=st.integers(0, 2**16))
def test_binary_cross_entropy(dtype, reduction, weight, shape, seed):
    rng = np.random.default_rng(seed)
    p = rng.random(shape).astype(dtype) * 0.98 + 0.01
    y = rng.random(shape).astype(dtype)
    w = None if weight is None else rng.random(shape if weight == "full"
                                               else shape[-1:]).astype(dtype)
    check(lambda F, p, y, w=None: F.binary_cross_entropy(p, y, weight=w, reduction=reduction),
             p, y, w, requires_grad=(0, 1))


def test_binary_cross_entropy_log_clamp():
    p = np.array([0.0, 1.0, 1e-45, 1 - 1e-7, 0.5], np.float32)
    y = np.array([1.0, 0.0, 1.0, 0.0, 1.0], np.float32)
    for r in REDUCTIONS:
        check(lambda F, p, y, r=r: F.binary_cross_entropy(p, y, reduction=r), p, y)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, "full", "row"])
@pytest.mark.parametrize("pos_weight", [False, True])
@settings(max_examples=4, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple),
       seed=st.integers(0, 2**16), scale=st.sampled_from([1.0, 50.0]))
def test_bce_with_logits(dtype, reduction, weight, pos_weight, shape, seed, scale):
    rng = np.random.default_rng(seed)
    x = rand(rng, shape, dtype, scale)
    y = rng.random(shape).astype(dtype)
    w = None if weight is None else rng.random(shape if weight == "full"
                                               else shape[-1:]).astype(dtype)
    pw = rng.random(shape[-1:]).astype(dtype) * 3 if pos_weight else None
    check(lambda F, x, y, w=None, pw=None: F.binary_cross_entropy_with_logits(
        x, y, weight=w, reduction=reduction, pos_weight=pw), x, y, w, pw, requires_grad=(0, 1))


def test_bce_with_logits_extreme_and_dtypes():
    x = np.array([-1e4, -100.0, -30.0, 0.0, 30.0, 100.0, 1e4], np.float32)
    y = np.array([1.0, 0.0, 1.0, 0.5, 0.0, 1.0, 0.0], np.float32)
    check(lambda F, x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none"), x, y)
    check(lambda F, x, y: F.binary_cross_entropy_with_logits(x, y), x.astype(np.float64), y,
             requires_grad=(0,), rtol=1e-6, atol=1e-7)
    check(lambda F, x, y: F.binary_cross_entropy_with_logits(x, y), x, y.astype(np.float64),
             requires_grad=(0,), rtol=1e-6, atol=1e-7)


def test_weights_that_require_grad():
    x = lambda lib: lib.ones(4, 3) / 2  # noqa: E731
    w = lambda lib: lib.ones(3, requires_grad=True)  # noqa: E731
    same_error(lambda lib, F: F.binary_cross_entropy(x(lib), x(lib), weight=w(lib)))
    same_error(lambda lib, F: F.binary_cross_entropy_with_logits(x(lib), x(lib), weight=w(lib)))
    same_error(lambda lib, F: F.binary_cross_entropy_with_logits(x(lib), x(lib),
                                                                 pos_weight=w(lib)))
    same_error(lambda lib, F: F.cross_entropy(x(lib), lib.tensor([0, 1, 2, 0]), weight=w(lib)))
    same_error(lambda lib, F: F.nll_loss(x(lib), lib.tensor([0, 1, 2, 0]), weight=w(lib)))
    same_error(lambda lib, F: F.cross_entropy(lib.ones(3), lib.tensor([0, 1])))
    # with class probabilities the weight is differentiable
    rng = np.random.default_rng(4)
    y = rng.random((4, 3))
    check(lambda F, x, y, w: F.cross_entropy(x, y, weight=w, label_smoothing=0.2),
             rand(rng, (4, 3), np.float64), y, rng.random(3))


def test_binary_errors():
    e = same_error(lambda lib, F: F.binary_cross_entropy(lib.ones(16, 1) / 2, lib.ones(16) / 2))
    assert "[glasstorch]" in str(e)
    same_error(lambda lib, F: F.binary_cross_entropy(lib.ones(4) * 2, lib.ones(4) / 2))
    same_error(lambda lib, F: F.binary_cross_entropy(lib.tensor([float("nan")]), lib.ones(1)))
    same_error(lambda lib, F: F.binary_cross_entropy(lib.ones(4) / 2, lib.ones(4) * 2))
    same_error(lambda lib, F: F.binary_cross_entropy(lib.ones(4) / 2, lib.ones(4,
                                                                               dtype=lib.int64)))
    same_error(lambda lib, F: F.binary_cross_entropy(lib.ones(4) / 2,
                                                     lib.ones(4, dtype=lib.float64)))
    same_error(lambda lib, F: F.binary_cross_entropy(lib.ones(16, 3) / 2, lib.ones(16, 3) / 2,
                                                     weight=lib.ones(4)))
    same_error(lambda lib, F: F.binary_cross_entropy_with_logits(lib.ones(16, 1), lib.ones(16)))
    same_error(lambda lib, F: F.binary_cross_entropy_with_logits(
        lib.ones(4), lib.ones(4, dtype=lib.int64)))
    same_error(lambda lib, F: F.binary_cross_entropy_with_logits(
        lib.ones(16, 3), lib.ones(16, 3), pos_weight=lib.ones(4)))
    same_error(lambda lib, F: F.binary_cross_entropy_with_logits(
        lib.ones(16, 3), lib.ones(16, 3), weight=lib.ones(4)))


# -- loss modules -----------------------------------------------------------------------------
MODULES = ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss",
           "BCELoss", "BCEWithLogitsLoss", "KLDivLoss"]


@pytest.mark.parametrize("name", MODULES)
def test_module_repr_and_state(name):
    if name != "KLDivLoss":  # (KLDivLoss is not required to be exported yet)
        assert getattr(gnn, name) is getattr(gloss, name)
    g, t = getattr(gloss, name)(), getattr(tnn, name)()
    assert repr(g) == repr(t)
    assert g.reduction == t.reduction == "mean"
    assert list(g.state_dict()) == list(t.state_dict())
    g2, t2 = getattr(gloss, name)(reduction="sum"), getattr(tnn, name)(reduction="sum")
    assert repr(g2) == repr(t2)


def test_weighted_module_buffers():
    for name, kw in [("CrossEntropyLoss", {"weight": 1}), ("NLLLoss", {"weight": 1}),
                     ("BCELoss", {"weight": 1}), ("BCEWithLogitsLoss", {"weight": 1,
                                                                        "pos_weight": 1})]:
        g = getattr(gnn, name)(**{k: gt.ones(3) for k in kw})
        t = getattr(tnn, name)(**{k: torch.ones(3) for k in kw})
        assert repr(g) == repr(t)
        assert list(g.state_dict()) == list(t.state_dict())


def test_modules_compute_the_functional_forms():
    rng = np.random.default_rng(11)
    x, y = rand(rng, (5, 4), np.float32), rand(rng, (5, 4), np.float32)
    t = rng.integers(0, 4, 5).astype(np.int64)
    p = rng.random((5, 4)).astype(np.float32)
    w = rng.random(4).astype(np.float32)
    cases = [
        ("MSELoss", {}, x, y), ("L1Loss", {"reduction": "sum"}, x, y),
        ("SmoothL1Loss", {"beta": 0.5}, x, y), ("HuberLoss", {"delta": 0.5}, x, y),
        ("CrossEntropyLoss", {"label_smoothing": 0.1, "ignore_index": 2, "weight": w}, x, t),
        ("NLLLoss", {"weight": w}, np.log(p), t), ("BCELoss", {"weight": w}, p, p[::-1].copy()),
        ("BCEWithLogitsLoss", {"pos_weight": w}, x, p),
        ("KLDivLoss", {"reduction": "batchmean"}, np.log(p), p[::-1].copy()),
    ]
    for name, kw, a, b in cases:
        def fn(F, a, b, name=name, kw=kw):
            lib, nn = (gt, gloss) if F is GF else (torch, tnn)
            args = {k: lib.from_numpy(v.copy()) if isinstance(v, np.ndarray) else v
                    for k, v in kw.items()}
            return getattr(nn, name)(**args)(a, b)
        check(fn, a, b, requires_grad=(0,))


def test_module_legacy_flags_warn():
    (g, t), msgs = same_warnings(lambda lib, F: (gnn if lib is gt else tnn).MSELoss(
        size_average=False).reduction)
    assert g == t == "sum" and len(msgs) == 1


# -- gradcheck (float64) ----------------------------------------------------------------------
def test_gradcheck_losses():
    gradcheck = gt.autograd.gradcheck
    rng = np.random.default_rng(12)

    def t(shape, positive=False):
        a = rng.random(shape) * 0.8 + 0.1 if positive else rng.standard_normal(shape)
        return gt.from_numpy(a).requires_grad_()

    idx = gt.tensor([0, 2, 1, 2])
    w = gt.from_numpy(rng.random(3) + 0.5)
    assert gradcheck(lambda x: GF.cross_entropy(x, idx, weight=w, label_smoothing=0.2),
                     (t((4, 3)),))
    assert gradcheck(lambda x: GF.cross_entropy(x, gt.tensor([[0, 2], [1, 1]]),
                                                reduction="none"), (t((2, 3, 2)),))
    assert gradcheck(lambda x, y: GF.cross_entropy(x, y, weight=w, label_smoothing=0.1),
                     (t((4, 3)), t((4, 3), True)))
    assert gradcheck(lambda x: GF.nll_loss(x, idx, weight=w), (t((4, 3)),))
    assert gradcheck(lambda x, y: GF.mse_loss(x, y), (t((3, 2)), t((3, 2))))
    assert gradcheck(lambda x, y: GF.smooth_l1_loss(x, y, beta=0.5), (t(5), t(5)))
    assert gradcheck(lambda x, y: GF.huber_loss(x, y, delta=0.5), (t(5), t(5)))
    assert gradcheck(lambda p, y: GF.binary_cross_entropy(p, y), (t(5, True), t(5, True)))
    pw = gt.from_numpy(rng.random(3) * 2)
    assert gradcheck(lambda x, y: GF.binary_cross_entropy_with_logits(x, y, pos_weight=pw),
                     (t((2, 3)), t((2, 3), True)))


# -- a course-style training loop -------------------------------------------------------------
@pytest.mark.parametrize("loss_name", ["CrossEntropyLoss", "label_smoothing", "BCEWithLogitsLoss",
                                       "MSELoss"])
def test_training_loop_matches_torch(loss_name):
    """Same initial weights and batches: the per-step losses agree with PyTorch's."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 8)).astype(np.float32)
    labels = rng.integers(0, 3, 64)
    w1, b1 = rand(rng, (16, 8), np.float32) * 0.3, rand(rng, 16, np.float32) * 0.1
    w2, b2 = rand(rng, (3, 16), np.float32) * 0.3, rand(rng, 3, np.float32) * 0.1
    if loss_name in ("CrossEntropyLoss", "label_smoothing"):
        Y = labels.astype(np.int64)
    else:
        Y = np.eye(3, dtype=np.float32)[labels]
    losses = []
    for lib, nn in ((gt, gnn), (torch, tnn)):
        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
        with lib.no_grad():
            for param, value in zip(model.parameters(), (w1, b1, w2, b2)):
                param.copy_(lib.from_numpy(value.copy()))
        cls, kw = {"CrossEntropyLoss": ("CrossEntropyLoss", {}),
                   "label_smoothing": ("CrossEntropyLoss", {"label_smoothing": 0.1}),
                   "BCEWithLogitsLoss": ("BCEWithLogitsLoss", {}),
                   "MSELoss": ("MSELoss", {})}[loss_name]
        loss_fn = getattr(nn, cls)(**kw)
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        run = []
        for _epoch in range(3):
            for i in range(0, 64, 16):
                xb, yb = lib.from_numpy(X[i:i + 16].copy()), lib.from_numpy(Y[i:i + 16].copy())
                loss = loss_fn(model(xb), yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
                run.append(loss.item())
        losses.append(run)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5, atol=1e-6)
