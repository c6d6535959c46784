"""Gradients of gradients (``create_graph=True``), differential against PyTorch.

For every op that supports double backward: the first-order gradients computed with
``create_graph=True`` (values, dtypes, grad_fn names) and the gradients of a random-weighted sum
of them (second derivatives, also with respect to the incoming gradient), on glasstorch and
torch; then Hessian-vector products, ``backward(create_graph=True)``,
``torch.autograd.functional``, ``gradgradcheck`` and a few typical programs.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import glasstorch

LIBS = (glasstorch, torch)


def F(lib):
    return lib.nn.functional


def probs(*shape, seed=0):
    return 1 / (1 + np.exp(-rand(*shape, seed=seed)))


W4 = np.array([1.0, 2.0, 0.5, 1.5])
IDX42 = np.array([[0, 0], [1, 2], [2, 2], [0, 1]])


def _written(t, key, value):
    t[key] = value
    return t


def _mul_row(t, row):
    t[1].mul_(row)  # an in-place op on a view: the base records CopySlices
    return t


def _view_then_mul(t, other):
    view = t[1:]
    t.mul_(other)  # the base changes after the view was taken: the view's history follows
    return view


def rand(*shape, seed=0, positive=False, dtype="float64"):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    return np.asarray(np.abs(x) + 0.5 if positive else x, dtype)


def _name(t) -> str | None:
    return None if t is None or t.grad_fn is None else type(t.grad_fn).__name__


def _values(ts):
    # (force: torch returns its ZeroTensor for some gradients known to be 0)
    return [None if t is None else t.detach().numpy(force=True).copy() for t in ts]


def derivatives(lib, fn, arrays, seed=0, ones=False, order=2):
    """The first-order gradients of ``fn``'s outputs (weighted by a random ``v`` that requires
    grad, or by ones), made with create_graph; then, ``order - 1`` times, the gradient of a
    random-weighted sum of the previous ones with respect to the inputs (and ``v``)."""
    xs = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    out = fn(lib, *xs)
    outs = tuple(o for o in (out if isinstance(out, (tuple, list)) else (out,))
                 if o.requires_grad)
    diff = [x for x in xs if x.requires_grad]
    rng = np.random.default_rng(seed + 7)
    if ones:
        vs = [lib.ones_like(o) for o in outs]
    else:
        vs = [lib.tensor(rng.standard_normal(tuple(o.shape)).astype(str(o.dtype)[6:]),
                         requires_grad=True) for o in outs]
    gs = lib.autograd.grad(outs, diff, grad_outputs=vs, create_graph=True, allow_unused=True)
    first = {
        "names": [_name(g) for g in gs],
        "dtypes": [None if g is None else str(g.dtype) for g in gs],
        "requires_grad": [None if g is None else g.requires_grad for g in gs],
        "levels": [_values(gs)],
    }
    wrt = diff + ([] if ones else vs)
    for k in range(order - 1):
        ws = [None if g is None else lib.tensor(rng.standard_normal(tuple(g.shape)))
              .to(g.dtype) for g in gs]
        terms = [(g * w).sum() for g, w in zip(gs, ws) if g is not None and g.requires_grad]
        if not terms:
            first["levels"].append(None)
            break
        gs = lib.autograd.grad(sum(terms), wrt, allow_unused=True, create_graph=k < order - 2)
        first["levels"].append(_values(gs))
    return first


def _close(a, b, where, rtol, atol):
    assert (a is None) == (b is None), f"{where}: glasstorch {a is None}, torch {b is None}"
    if a is not None:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)


def compare(fn, *arrays, names=True, requires_grad=True, rtol=1e-7, atol=1e-9, seed=0,
            ones=False, order=2):
    """Run :func:`derivatives` on both libraries and compare every level."""
    g = derivatives(glasstorch, fn, arrays, seed, ones, order)
    t = derivatives(torch, fn, arrays, seed, ones, order)
    assert g["dtypes"] == t["dtypes"]
    if requires_grad:
        assert g["requires_grad"] == t["requires_grad"], (g["requires_grad"],
                                                          t["requires_grad"])
    if names:
        assert g["names"] == t["names"], (g["names"], t["names"])
    assert len(g["levels"]) == len(t["levels"])
    for n, (gl, tl) in enumerate(zip(g["levels"], t["levels"]), 1):
        assert (gl is None) == (tl is None), f"order {n}: glasstorch {gl}, torch {tl}"
        for k, (a, b) in enumerate(zip(gl or (), tl or ())):
            _close(a, b, f"order {n}, gradient {k}", rtol, atol)


# name -> (fn(lib, *tensors), input arrays). Every differentiable op that supports double
# backward appears here, most in several forms; the tests below run each on both libraries.
CASES = {
    "add": (lambda L, a, b: a + b, [rand(3, 4), rand(4, seed=1)]),
    "add_alpha": (lambda L, a, b: L.add(a, b, alpha=2.5), [rand(3, 4), rand(4, seed=1)]),
    "sub": (lambda L, a, b: a - b, [rand(3, 4), rand(3, 1, seed=1)]),
    "rsub": (lambda L, a: 2 - a, [rand(3)]),
    "mul": (lambda L, a, b: a * b, [rand(3, 4), rand(4, seed=1)]),
    "mul_self": (lambda L, a: a * a * a, [rand(5)]),
    "div": (lambda L, a, b: a / b, [rand(3, 4), rand(4, seed=1, positive=True)]),
    "rdiv": (lambda L, a: 3 / a, [rand(4, positive=True)]),
    "div_floor": (lambda L, a, b: L.div(a, b, rounding_mode="floor"),
     [rand(3), rand(3, seed=1, positive=True)]),
    "remainder": (lambda L, a, b: L.remainder(a, b), [rand(3), rand(3, seed=1, positive=True)]),
    "fmod": (lambda L, a, b: L.fmod(a, b), [rand(3), rand(3, seed=1, positive=True)]),
    "pow_scalar": (lambda L, a: a ** 3, [rand(4)]),
    "pow_half": (lambda L, a: a ** 0.5, [rand(4, positive=True)]),
    "pow_neg": (lambda L, a: a ** -1.5, [rand(4, positive=True)]),
    "pow_zero": (lambda L, a: a ** 0, [rand(4)]),
    "pow_tt": (lambda L, a, b: a ** b, [rand(4, positive=True), rand(4, seed=1)]),
    "rpow": (lambda L, a: 2.5 ** a, [rand(4)]),
    "rpow0": (lambda L, a: 0 ** a, [rand(4, positive=True)]),
    "square": (lambda L, a: L.square(a), [rand(4)]),
    "neg": (lambda L, a: -a, [rand(4)]),
    "exp": (lambda L, a: L.exp(a), [rand(4)]),
    "exp2": (lambda L, a: L.exp2(a), [rand(4)]),
    "expm1": (lambda L, a: L.expm1(a), [rand(4)]),
    "log": (lambda L, a: L.log(a), [rand(4, positive=True)]),
    "log2": (lambda L, a: L.log2(a), [rand(4, positive=True)]),
    "log10": (lambda L, a: L.log10(a), [rand(4, positive=True)]),
    "log1p": (lambda L, a: L.log1p(a), [rand(4, positive=True)]),
    "sqrt": (lambda L, a: L.sqrt(a), [rand(4, positive=True)]),
    "rsqrt": (lambda L, a: L.rsqrt(a), [rand(4, positive=True)]),
    "reciprocal": (lambda L, a: L.reciprocal(a), [rand(4, positive=True)]),
    "abs": (lambda L, a: L.abs(a), [rand(4)]),
    "sin": (lambda L, a: L.sin(a), [rand(4)]),
    "cos": (lambda L, a: L.cos(a), [rand(4)]),
    "tan": (lambda L, a: L.tan(a), [rand(4)]),
    "tanh": (lambda L, a: L.tanh(a), [rand(4)]),
    "sigmoid": (lambda L, a: L.sigmoid(a), [rand(4)]),
    "relu": (lambda L, a: L.relu(a), [rand(4)]),
    "sign": (lambda L, a: L.sign(a), [rand(4)]),
    "floor": (lambda L, a: L.floor(a), [rand(4)]),
    "clamp": (lambda L, a: L.clamp(a, -0.5, 0.5), [rand(6)]),
    "clamp_min": (lambda L, a: L.clamp(a, min=-0.5), [rand(6)]),
    "clamp_t": (lambda L, a, lo, hi: L.clamp(a, lo, hi),
     [rand(6), rand(6, seed=1) - 1, rand(6, seed=2) + 1]),
    "maximum": (lambda L, a, b: L.maximum(a, b), [rand(6), rand(6, seed=1)]),
    "minimum": (lambda L, a, b: L.minimum(a, b), [rand(6), rand(6, seed=1)]),
    "where": (lambda L, a, b: L.where(a > 0, a, b), [rand(6), rand(6, seed=1)]),
    "lerp": (lambda L, a, b: L.lerp(a, b, 0.3), [rand(6), rand(6, seed=1)]),
    "lerp_t": (lambda L, a, b, w: L.lerp(a, b, w), [rand(6), rand(6, seed=1), rand(6, seed=2)]),
    "nan_to_num": (lambda L, a: L.nan_to_num(a), [rand(6)]),
    "to": (lambda L, a: a.to(L.float32) * a.to(L.float32), [rand(6)]),
    "clone": (lambda L, a: a.clone() * a, [rand(6)]),
    "sum": (lambda L, a: a.sum() * a.sum(), [rand(3, 4)]),
    "sum_dim": (lambda L, a: (a.sum(1) ** 2), [rand(3, 4)]),
    "sum_dims_keep": (lambda L, a: (a.sum((0, 2), keepdim=True) ** 2), [rand(3, 4, 2)]),
    "mean": (lambda L, a: a.mean() ** 2, [rand(3, 4)]),
    "mean_dim": (lambda L, a: a.mean(-1) ** 2, [rand(3, 4)]),
    "var": (lambda L, a: a.var(), [rand(3, 4)]),
    "var_dim": (lambda L, a: a.var(1, keepdim=True), [rand(3, 4)]),
    "var_c0": (lambda L, a: a.var(0, correction=0), [rand(3, 4)]),
    "std": (lambda L, a: a.std(), [rand(3, 4)]),
    "std_dim": (lambda L, a: a.std(0), [rand(3, 4)]),
    "var_mean": (lambda L, a: L.var_mean(a, 1), [rand(3, 4)]),
    "std_mean": (lambda L, a: L.std_mean(a, 1), [rand(3, 4)]),
    "max": (lambda L, a: a.max() * a, [rand(3, 4)]),
    "min": (lambda L, a: a.min() * a, [rand(3, 4)]),
    "max_dim": (lambda L, a: a.max(1)[0] ** 2, [rand(3, 4)]),
    "max_dim_keep": (lambda L, a: a.min(0, keepdim=True)[0] ** 2, [rand(3, 4)]),
    "amax": (lambda L, a: a.amax(1) ** 2, [rand(3, 4)]),
    "amin": (lambda L, a: a.amin((0, 1)) ** 2, [rand(3, 4)]),
    "logsumexp": (lambda L, a: L.logsumexp(a, 1), [rand(3, 4)]),
    "logsumexp_keep": (lambda L, a: L.logsumexp(a, (0, 1), keepdim=True), [rand(3, 4)]),
    "softmax": (lambda L, a: L.softmax(a, 1), [rand(3, 4)]),
    "softmax0": (lambda L, a: L.softmax(a, 0), [rand(3, 4)]),
    "log_softmax": (lambda L, a: L.log_softmax(a, 1), [rand(3, 4)]),
    "cumsum": (lambda L, a: L.cumsum(a, 1) ** 2, [rand(3, 4)]),
    "norm": (lambda L, a: a.norm(), [rand(3, 4)]),
    "norm_dim": (lambda L, a: a.norm(dim=1), [rand(3, 4)]),
    "norm1": (lambda L, a: a.norm(p=1), [rand(3, 4)]),
    "norm3": (lambda L, a: L.norm(a, p=3, dim=0), [rand(3, 4)]),
    "norm15": (lambda L, a: L.norm(a, p=1.5, dim=1), [rand(3, 4)]),
    "norm05": (lambda L, a: L.norm(a, p=0.5), [rand(3, 4)]),
    "norm_inf": (lambda L, a: L.norm(a, p=float("inf")), [rand(3, 4)]),
    "sort": (lambda L, a: L.sort(a, 1)[0] ** 2, [rand(3, 4)]),
    "topk": (lambda L, a: L.topk(a, 2)[0] ** 2, [rand(3, 4)]),
    "prod": (lambda L, a: a.prod(), [rand(3, 4)]),
    "view": (lambda L, a: a.view(4, 3) ** 2, [rand(3, 4)]),
    "reshape_t": (lambda L, a: a.t().reshape(-1) ** 2, [rand(3, 4)]),
    "permute": (lambda L, a: a.permute(2, 0, 1) ** 2, [rand(2, 3, 4)]),
    "transpose": (lambda L, a: a.transpose(0, 1) ** 2, [rand(2, 3, 4)]),
    "T": (lambda L, a: a.T ** 2, [rand(3, 4)]),
    "expand": (lambda L, a: a.expand(3, 4) ** 2, [rand(1, 4)]),
    "squeeze": (lambda L, a: a.squeeze() ** 2, [rand(1, 4, 1)]),
    "squeeze_dim": (lambda L, a: a.squeeze(0) ** 2, [rand(1, 4, 1)]),
    "unsqueeze": (lambda L, a: a.unsqueeze(1) ** 2, [rand(3, 4)]),
    "cat": (lambda L, a, b: L.cat([a, b, a], 1) ** 2, [rand(3, 4), rand(3, 2, seed=1)]),
    "stack": (lambda L, a, b: L.stack([a, b], 1) ** 2, [rand(3, 4), rand(3, 4, seed=1)]),
    "split": (lambda L, a: [t ** 2 for t in a.split(2, 1)], [rand(3, 5)]),
    "split_one": (lambda L, a: a.split(2, 1)[1] ** 2, [rand(3, 5)]),
    "chunk": (lambda L, a: [t ** 2 for t in a.chunk(2, 0)], [rand(4, 3)]),
    "unbind": (lambda L, a: [t ** 3 for t in a.unbind(1)], [rand(4, 3)]),
    "flip": (lambda L, a: a.flip(0) ** 2, [rand(4, 3)]),
    "roll": (lambda L, a: L.roll(a, 1, 0) ** 2, [rand(4, 3)]),
    "repeat": (lambda L, a: a.repeat(2, 3) ** 2, [rand(2, 3)]),
    "narrow": (lambda L, a: a.narrow(1, 1, 2) ** 2, [rand(4, 3)]),
    "select": (lambda L, a: a.select(1, 1) ** 2, [rand(4, 3)]),
    "getitem_int": (lambda L, a: a[1] ** 2, [rand(4, 3)]),
    "getitem_slice": (lambda L, a: a[1:3, ::2] ** 2, [rand(4, 3)]),
    "getitem_none": (lambda L, a: a[None, :, 1] ** 2, [rand(4, 3)]),
    "getitem_index": (lambda L, a: a[[0, 2, 2]] ** 2, [rand(4, 3)]),
    "getitem_mask": (lambda L, a: a[a > 0] ** 2, [rand(4, 3)]),
    "index_select": (lambda L, a: L.index_select(a, 1, L.tensor([2, 0, 2])) ** 2, [rand(4, 3)]),
    "gather": (lambda L, a: L.gather(a, 1, L.tensor([[0, 0], [1, 2], [2, 1], [0, 1]])) ** 2,
     [rand(4, 3)]),
    "take_along_dim": (lambda L, a: L.take_along_dim(a, L.tensor([[0], [1], [2], [0]]), 1) ** 2,
     [rand(4, 3)]),
    "masked_fill": (lambda L, a: a.masked_fill(a > 0, 1.5) ** 2, [rand(4, 3)]),
    "scatter": (lambda L, a, b: L.scatter(a, 1, L.tensor([[0], [1], [2], [0]]), b) ** 2,
     [rand(4, 3), rand(4, 1, seed=1)]),
    "scatter_add": (lambda L, a, b: L.scatter_add(a, 1, L.tensor(IDX42), b) ** 2,
     [rand(4, 3), rand(4, 2, seed=1)]),
    "index_add": (lambda L, a, b: L.index_add(a, 0, L.tensor([0, 2]), b) ** 2,
     [rand(4, 3), rand(2, 3, seed=1)]),
    "take": (lambda L, a: L.take(a, L.tensor([0, 5, 5])) ** 2, [rand(4, 3)]),
    "setitem": (lambda L, a, b: _written(a * 1, (slice(None), 1), b * 2) ** 2,
     [rand(4, 3), rand(4, seed=1)]),
    "index_put": (lambda L, a, b: L.index_put(a, (L.tensor([0, 2]),), b) ** 2,
     [rand(4, 3), rand(2, 3, seed=1)]),
    "mm": (lambda L, a, b: a @ b, [rand(3, 4), rand(4, 2, seed=1)]),
    "matmul_batch": (lambda L, a, b: a @ b, [rand(2, 3, 4), rand(4, 2, seed=1)]),
    "matmul_batch2": (lambda L, a, b: a @ b, [rand(3, 4), rand(2, 4, 2, seed=1)]),
    "bmm": (lambda L, a, b: L.bmm(a, b), [rand(2, 3, 4), rand(2, 4, 2, seed=1)]),
    "mv": (lambda L, a, b: L.mv(a, b), [rand(3, 4), rand(4, seed=1)]),
    "vm": (lambda L, a, b: a @ b, [rand(4), rand(4, 3, seed=1)]),
    "dot": (lambda L, a, b: L.dot(a, b), [rand(4), rand(4, seed=1)]),
    "outer": (lambda L, a, b: L.outer(a, b), [rand(4), rand(3, seed=1)]),
    "addmm": (lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=2.0),
     [rand(3, 2), rand(3, 4, seed=2), rand(4, 2, seed=1)]),
    "linear": (lambda L, x, w, b: L.nn.functional.linear(x, w, b),
     [rand(3, 4), rand(2, 4, seed=2), rand(2, seed=1)]),
    "linear3d": (lambda L, x, w, b: L.nn.functional.linear(x, w, b),
     [rand(5, 3, 4), rand(2, 4, seed=2), rand(2, seed=1)]),
    "linear_nobias": (lambda L, x, w: L.nn.functional.linear(x, w),
     [rand(3, 4), rand(2, 4, seed=2)]),
    "trace": (lambda L, a: L.trace(a) * a, [rand(3, 3)]),
    "diagonal": (lambda L, a: L.diagonal(a, 1) ** 2, [rand(3, 4)]),
    "diagonal3": (lambda L, a: L.diagonal(a, 0, 0, 2) ** 2, [rand(3, 4, 3)]),
    "diag": (lambda L, a: L.diag(a) ** 2, [rand(3)]),
    "tril": (lambda L, a: L.tril(a) ** 2, [rand(3, 3)]),
    "leaky_relu": (lambda L, a: F(L).leaky_relu(a, 0.2), [rand(6)]),
    "elu": (lambda L, a: F(L).elu(a, 1.3), [rand(6)]),
    "silu": (lambda L, a: F(L).silu(a), [rand(6)]),
    "gelu": (lambda L, a: F(L).gelu(a), [rand(6)]),
    "gelu_tanh": (lambda L, a: F(L).gelu(a, approximate="tanh"), [rand(6)]),
    "softplus": (lambda L, a: F(L).softplus(a, beta=2.0, threshold=1.0), [rand(6)]),
    "mish": (lambda L, a: F(L).mish(a), [rand(6)]),
    "hardtanh": (lambda L, a: F(L).hardtanh(a, -0.5, 0.5), [rand(6)]),
    "relu6": (lambda L, a: F(L).relu6(a * 4), [rand(6)]),
    "logsigmoid": (lambda L, a: F(L).logsigmoid(a), [rand(6)]),
    "hardswish": (lambda L, a: F(L).hardswish(a * 3), [rand(6)]),
    "softsign": (lambda L, a: F(L).softsign(a), [rand(6)]),
    "softmin": (lambda L, a: F(L).softmin(a, 1), [rand(3, 4)]),
    "mse": (lambda L, a, b: F(L).mse_loss(a, b), [rand(3, 4), rand(3, 4, seed=1)]),
    "mse_sum": (lambda L, a, b: F(L).mse_loss(a, b, reduction="sum"),
     [rand(3, 4), rand(3, 4, seed=1)]),
    "mse_none": (lambda L, a, b: F(L).mse_loss(a, b, reduction="none"),
     [rand(3, 4), rand(3, 4, seed=1)]),
    "l1": (lambda L, a, b: F(L).l1_loss(a, b), [rand(3, 4), rand(3, 4, seed=1)]),
    "smooth_l1": (lambda L, a, b: F(L).smooth_l1_loss(a, b, beta=0.5),
     [rand(3, 4), rand(3, 4, seed=1)]),
    "huber": (lambda L, a, b: F(L).huber_loss(a, b, delta=0.7), [rand(3, 4), rand(3, 4, seed=1)]),
    "nll": (lambda L, a: F(L).nll_loss(L.log_softmax(a, 1), L.tensor([0, 2, 1])), [rand(3, 4)]),
    "nll_direct": (lambda L, a: F(L).nll_loss(a * a, L.tensor([0, 2, 1])), [rand(3, 4)]),
    "nll_w": (lambda L, a: F(L).nll_loss(a * a, L.tensor([0, 2, -100]), weight=L.tensor(W4)),
            [rand(3, 4)]),
    "nll_sum": (lambda L, a: F(L).nll_loss(a * a, L.tensor([0, 2, 1]), reduction="sum"),
     [rand(3, 4)]),
    "nll_2d": (lambda L, a: F(L).nll_loss(a * a, L.tensor([[0, 2], [1, 1]])), [rand(2, 3, 2)]),
    "ce": (lambda L, a: F(L).cross_entropy(a, L.tensor([0, 2, 1])), [rand(3, 4)]),
    "ce_ls": (lambda L, a: F(L).cross_entropy(a, L.tensor([0, 2, 1]), label_smoothing=0.1),
     [rand(3, 4)]),
    "ce_probs": (lambda L, a, p: F(L).cross_entropy(a, L.softmax(p, 1)),
     [rand(3, 4), rand(3, 4, seed=4)]),
    "bce": (lambda L, a, b: F(L).binary_cross_entropy(a, b), [probs(3, 4), probs(3, 4, seed=1)]),
    "bce_w": (lambda L, a, b: F(L).binary_cross_entropy(a, b, weight=L.tensor(W4)),
     [probs(3, 4), probs(3, 4, seed=1)]),
    "bce_logits": (lambda L, a, b: F(L).binary_cross_entropy_with_logits(a, b),
     [rand(3, 4), probs(3, 4, seed=1)]),
    "bce_logits_pw": (lambda L, a, b: F(L).binary_cross_entropy_with_logits(
        a, b, pos_weight=L.tensor(W4)),
     [rand(3, 4), probs(3, 4, seed=1)]),
    "bn_train": (lambda L, x, w, b: F(L).batch_norm(x, None, None, w, b, training=True),
     [rand(5, 3), rand(3, seed=1), rand(3, seed=2)]),
    "bn_train4d": (lambda L, x, w, b: F(L).batch_norm(x, None, None, w, b, training=True),
     [rand(2, 3, 2, 2), rand(3, seed=1), rand(3, seed=2)]),
    "bn_eval": (lambda L, x, w, b: F(L).batch_norm(x, L.tensor(W4[:3]), L.tensor(W4[1:]), w, b,
                                                   training=False),
     [rand(5, 3), rand(3, seed=1), rand(3, seed=2)]),
    "bn_noaffine": (lambda L, x: F(L).batch_norm(x, None, None, training=True), [rand(5, 3)]),
    "pad": (lambda L, x: F(L).pad(x, (1, 2)) ** 2, [rand(3, 4)]),
    "pad_reflect": (lambda L, x: F(L).pad(x, (2, 1), mode="reflect") ** 2, [rand(2, 3, 4)]),
    "pad_replicate": (lambda L, x: F(L).pad(x, (2, 1, 1, 1), mode="replicate") ** 2,
     [rand(1, 2, 3, 4)]),
    "normalize": (lambda L, x: F(L).normalize(x, dim=1), [rand(3, 4)]),
    "cos_sim": (lambda L, a, b: F(L).cosine_similarity(a, b), [rand(3, 4), rand(3, 4, seed=1)]),
    "kl_div": (lambda L, a, b: F(L).kl_div(L.log_softmax(a, 1), L.softmax(b, 1),
                                           reduction="batchmean"),
     [rand(3, 4), rand(3, 4, seed=1)]),
    "round": (lambda L, a: L.round(a) * a, [rand(3, 4)]),
    "rsub_t": (lambda L, a, b: L.rsub(a, b, alpha=2) ** 2, [rand(3, 4), rand(4, seed=1)]),
    "squeeze_dims": (lambda L, a: a.squeeze((0, 2)) ** 2, [rand(1, 4, 1)]),
    "diag_matrix": (lambda L, a: L.diag(a, 1) ** 2, [rand(3, 4)]),
    "masked_fill_t": (lambda L, a, b: a.masked_fill(a > 0, b) ** 2, [rand(3, 4), rand(seed=1)]),
    "masked_select": (lambda L, a: L.masked_select(a, a > 0) ** 2, [rand(3, 4)]),
    "index_put_acc": (lambda L, a, b: L.index_put(a, (L.tensor([0, 0, 2]),), b,
                                                  accumulate=True) ** 2,
                      [rand(3, 4), rand(3, 4, seed=1)]),
    "scatter_value": (lambda L, a: L.scatter(a, 1, L.tensor([[0], [2], [1]]), 2.0) ** 2,
                      [rand(3, 4)]),
    "fill": (lambda L, a, b: (a * 1).fill_(b) * a, [rand(3, 4), rand(seed=1)]),
    "zero": (lambda L, a: (a * 1).zero_() + a ** 2, [rand(3, 4)]),
    "copy": (lambda L, a, b: (a * 1).copy_(b) * a, [rand(3, 4), rand(4, seed=1)]),
    "inplace_on_view": (lambda L, a, b: _mul_row(a * 1, b) ** 2, [rand(3, 4), rand(4, seed=1)]),
    "view_of_changed_base": (lambda L, a, b: _view_then_mul(a * 1, b) ** 2,
                             [rand(3, 4), rand(3, 4, seed=1)]),
    "prod_all": (lambda L, a: a.prod(), [rand(3, 4)]),
    "prod_dim": (lambda L, a: a.prod(1), [rand(3, 4)]),
    "prod_keep": (lambda L, a: a.prod(0, keepdim=True), [rand(3, 4)]),
    "prod_zero": (lambda L, a: (a * L.tensor([1.0, 0.0, 1.0, 1.0], dtype=L.float64)).prod(1),
     [rand(3, 4)]),
    "prod_two_zeros": (lambda L, a: (a * L.tensor([1.0, 0.0, 1.0, 0.0], dtype=L.float64)).prod(),
     [rand(3, 4)]),
    "prod_0d": (lambda L, a: a.prod() * a, [rand()]),
}

# First-order gradients whose grad_fn differs from PyTorch's (the values agree). Mostly
# PyTorch records one fused node for the whole backward formula (TanhBackwardBackward0,
# MseLossBackwardBackward0, SoftmaxBackwardDataBackward0 ...) or a Tensor-and-number overload
# of its C++ code (MulBackward1, DivBackward1), where glasstorch records the formula's own ops
# (MulBackward0, WhereBackward0 ...).
NAMES_DIFFER = {
    "exp2", "lerp", "tanh", "sigmoid", "maximum", "minimum", "mean", "mean_dim", "softmax",
    "softmax0", "log_softmax", "squeeze", "squeeze_dim", "stack", "repeat", "getitem_none",
    "index_select", "masked_fill", "scatter", "scatter_add", "index_add", "take", "matmul_batch",
    "matmul_batch2", "bmm", "mv", "vm", "outer", "addmm", "tril", "elu", "softplus",
    "gelu_tanh", "logsigmoid", "mse", "mse_sum", "mse_none", "smooth_l1", "huber", "nll", "ce",
    "ce_ls", "ce_probs", "bce", "bce_w", "bce_logits", "bce_logits_pw", "bn_train",
    "bn_train4d", "bn_eval", "bn_noaffine", "pad", "pad_reflect", "pad_replicate", "kl_div",
    "rsub_t", "squeeze_dims", "masked_fill_t", "masked_select", "scatter_value",
}
# With a constant incoming gradient, PyTorch's fused batch-norm backward keeps the bias's
# gradient (a sum of that constant) in the graph; glasstorch's is a constant.
CONSTANT_SEED_DIFFER = {"bn_train", "bn_train4d", "bn_eval"}


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivatives(name):
    fn, arrays = CASES[name]
    compare(fn, *arrays, names=name not in NAMES_DIFFER)


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivatives_of_a_loss(name):
    """The incoming gradient a constant (ones, as for a loss): which first-order gradients
    require grad, and the second derivatives (zeros where PyTorch's are, e.g. relu's)."""
    fn, arrays = CASES[name]
    compare(fn, *arrays, names=name not in NAMES_DIFFER, ones=True,
            requires_grad=name not in CONSTANT_SEED_DIFFER)


# PyTorch's third derivatives of batch norm in training are wrong (its own gradgradcheck of
# the first-order gradient fails); glasstorch's are checked against finite differences instead
TORCH_THIRD_ORDER_WRONG = {"bn_train", "bn_train4d", "bn_noaffine"}


@pytest.mark.parametrize("name", list(CASES))
def test_third_derivatives(name):
    """The graph recorded by a create_graph backward is itself differentiable twice more."""
    fn, arrays = CASES[name]
    if name not in TORCH_THIRD_ORDER_WRONG:
        compare(fn, *arrays, names=False, order=3)
        return
    for lib in LIBS:  # gradgradcheck of the first-order gradient checks third derivatives
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        v = lib.tensor(rand(*fn(lib, *xs).shape, seed=9), requires_grad=True)

        def first(*t, lib=lib):
            return lib.autograd.grad(fn(lib, *t[:-1]), t[:-1], t[-1], create_graph=True)

        ok = lib.autograd.gradgradcheck(first, [*xs, v], raise_exception=False)
        assert ok is (lib is glasstorch)


# gradgradcheck fails in PyTorch too: 0 ** x gives nan second derivatives (0 * log 0 inside,
# masked afterwards), and a float32 intermediate is too coarse for finite differences
GRADGRADCHECK_FAILS = {"rpow0", "to"}


@pytest.mark.parametrize("name", list(CASES))
def test_gradgradcheck(name):
    """Second derivatives against finite differences of the first (float64), with respect to
    the inputs and to the incoming gradient: glasstorch's gradgradcheck agrees with PyTorch's."""
    fn, arrays = CASES[name]
    results = []
    for lib in LIBS:
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        results.append(lib.autograd.gradgradcheck(lambda *t, lib=lib: fn(lib, *t), xs,
                                                  raise_exception=False))
    assert results == [name not in GRADGRADCHECK_FAILS] * 2


# -- the tests above catch a wrong saved_as -------------------------------------------------


def _node_classes(fn, arrays) -> set:
    """The node classes in the graphs ``fn`` and its first-order gradients record."""
    xs = [glasstorch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(glasstorch, *xs)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    vs = [glasstorch.ones_like(o, requires_grad=True) for o in outs]
    grads = glasstorch.autograd.grad(outs, xs, vs, create_graph=True, allow_unused=True)
    todo = [t.grad_fn for t in outs + list(grads) if t is not None]
    seen = set()
    while todo:
        node = todo.pop()
        if node is not None and node not in seen:
            seen.add(node)
            todo.extend(n for n, _ in node.next_functions)
    return {type(n) for n in seen}


_GRAPHS = {name: _node_classes(*case) for name, case in CASES.items()}
# every saved value an op declares as part of the graph (an input or its output)
MUTATIONS = sorted({(cls.__name__, cls, k) for classes in _GRAPHS.values() for cls in classes
                    for k, origin in enumerate(cls.saved_as or ()) if origin is not None},
                   key=lambda m: (m[0], m[2]))
# relu's gradient keeps x only to stay connected, as its subclasses' (leaky_relu's, hardtanh's)
# must; for relu itself no derivative up to the third shows whether it does
HARMLESS = {("ThresholdBackwardBackward0", 0)}


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: f"{m[0]}-{m[2]}")
def test_a_wrong_saved_as_is_caught(mutation, monkeypatch):
    """Declaring a saved value a constant (None) when it depends on the inputs gives wrong
    second derivatives silently; the differential tests above must notice, for every value."""
    name, cls, k = mutation
    if (name, k) in HARMLESS:
        pytest.skip("makes no difference up to third derivatives")
    wrong = list(cls.saved_as)
    wrong[k] = None
    monkeypatch.setattr(cls, "saved_as", tuple(wrong))
    for name, classes in _GRAPHS.items():
        if cls not in classes:
            continue
        fn, arrays = CASES[name]
        for ones in (False, True):
            try:
                compare(fn, *arrays, names=False, ones=ones, order=3,
                        requires_grad=name not in CONSTANT_SEED_DIFFER)
            except AssertionError:
                return
    pytest.fail(f"no case notices {cls.__name__}.saved_as[{k}] = None")


# -- dtypes ---------------------------------------------------------------------------------

FLOAT32 = ["mul", "div", "pow_scalar", "pow_tt", "exp", "log", "sqrt", "tanh", "sigmoid", "relu",
           "softmax", "log_softmax", "logsumexp", "var", "std", "norm", "mm", "linear", "mse",
           "ce", "bce_logits", "gelu", "silu", "bn_train", "to"]


@pytest.mark.parametrize("name", FLOAT32)
def test_float32(name):
    fn, arrays = CASES[name]
    compare(fn, *[a.astype(np.float32) for a in arrays], names=name not in NAMES_DIFFER,
            rtol=2e-4, atol=2e-5)


# -- whole programs, on both libraries --------------------------------------------------------


def same(program, rtol=1e-6, atol=1e-8):
    """Run ``program(lib)`` on both libraries: the same numbers (nested lists / tuples / dicts
    of tensors, arrays and floats), or the same exception type and first line."""
    results = []
    for lib in LIBS:
        try:
            results.append(("ok", program(lib)))
        except Exception as e:  # noqa: BLE001 - compared below
            results.append(("err", e))
    (gk, g), (tk, t) = results
    if tk == "err" or gk == "err":
        assert (gk, type(g)) == (tk, type(t)), (g, t)
        assert str(g).split("\n")[0] == str(t).split("\n")[0]
        return g
    _same_value(g, t, "result", rtol, atol)
    return g


def _same_value(g, t, where, rtol, atol):
    if isinstance(t, torch.Tensor):
        assert isinstance(g, glasstorch.Tensor), where
        assert str(g.dtype) == str(t.dtype) and tuple(g.shape) == tuple(t.shape), where
        assert g.requires_grad == t.requires_grad, f"{where}: requires_grad"
        np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(force=True), rtol=rtol,
                                   atol=atol, err_msg=where)
    elif isinstance(t, dict):
        assert g.keys() == t.keys(), where
        for k in t:
            _same_value(g[k], t[k], f"{where}[{k!r}]", rtol, atol)
    elif isinstance(t, (list, tuple)):
        assert type(g) is type(t) and len(g) == len(t), where
        for i, (a, b) in enumerate(zip(g, t)):
            _same_value(a, b, f"{where}[{i}]", rtol, atol)
    elif isinstance(t, (float, np.ndarray)):
        np.testing.assert_allclose(g, t, rtol=rtol, atol=atol, err_msg=where)
    else:
        assert g == t, f"{where}: {g!r} != {t!r}"


def _mlp(lib, sizes, act, seed=0):
    """Linear layers of ``sizes`` with ``act`` between them, weights drawn by NumPy."""
    rng = np.random.default_rng(seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        lin = lib.nn.Linear(n_in, n_out).double()
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)))
            lin.bias.copy_(lib.tensor(rng.standard_normal(n_out) * 0.1))
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(act(lib))
    return lib.nn.Sequential(*layers)


def _grads(model):
    return {n: p.grad for n, p in model.named_parameters()}


def test_hessian_vector_product_of_a_network_loss():
    """H v for the parameters of a small network: grad of <grad loss, v>."""
    def program(lib):
        model = _mlp(lib, [3, 8, 1], lambda L: L.nn.Tanh())
        x, y = lib.tensor(rand(5, 3)), lib.tensor(rand(5, 1, seed=1))
        params = list(model.parameters())
        loss = F(lib).mse_loss(model(x), y)
        gs = lib.autograd.grad(loss, params, create_graph=True)
        vs = [lib.tensor(rand(*p.shape, seed=10 + i)) for i, p in enumerate(params)]
        hv = lib.autograd.grad(sum((g * v).sum() for g, v in zip(gs, vs)), params)
        return [type(g.grad_fn).__name__ for g in gs], hv
    names, _ = same(program)
    assert names == ["TBackward0", "ViewBackward0", "TBackward0", "ViewBackward0"]


def test_hessian_of_a_network_loss_by_functional():
    def program(lib):
        x, y = lib.tensor(rand(4, 2)), lib.tensor(rand(4, 1, seed=1))

        def loss(w1, b1, w2):
            h = F(lib).silu(F(lib).linear(x, w1, b1))
            return F(lib).mse_loss(F(lib).linear(h, w2), y)

        params = (lib.tensor(rand(3, 2, seed=2)), lib.tensor(rand(3, seed=3)),
                  lib.tensor(rand(1, 3, seed=4)))
        v = tuple(lib.tensor(rand(*p.shape, seed=5 + i)) for i, p in enumerate(params))
        fun = lib.autograd.functional
        return fun.hessian(loss, params), fun.hvp(loss, params, v), fun.vhp(loss, params, v)
    same(program)


def test_backward_with_create_graph_warns_once():
    """PyTorch's warning about the reference cycle .grad makes: once per process."""
    program = """if True:
        import warnings, numpy as np, {lib} as torch
        warnings.simplefilter("always")
        x = torch.ones(3, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            (x ** 3).sum().backward(create_graph=True)
            (x ** 2).sum().backward(create_graph=True)
        print(len(caught), caught[0].category.__name__, caught[0].message)"""
    out = [subprocess.run([sys.executable, "-c", program.format(lib=lib.__name__)],
                          capture_output=True, text=True, check=True).stdout for lib in LIBS]
    assert out[0] == out[1]
    assert out[0].startswith("1 UserWarning Using backward() with create_graph=True")


def test_backward_with_create_graph():
    """.grad is in the graph (CopyBackwards, then an addition when it accumulates); a second
    loss made of .grad backpropagates."""
    def program(lib):
        x = lib.tensor(rand(4), requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (x ** 3).sum().backward(create_graph=True)
        first = (x.grad.detach().clone(), type(x.grad.grad_fn).__name__)
        g = x.grad
        x.grad = None
        (g ** 2).sum().backward()  # d/dx sum((3 x^2)^2) = 36 x^3
        second = x.grad
        x.grad = None
        (x.exp() * x).sum().backward(create_graph=True)
        (x.exp() * x).sum().backward(create_graph=True)  # accumulates: .grad = .grad + new
        acc = (x.grad, type(x.grad.grad_fn).__name__)
        return first, second, acc
    (_, name), _, (_, acc_name) = same(program)
    assert name == "CopyBackwards" and acc_name == "AddBackward0"


def test_backward_with_create_graph_on_a_module():
    def program(lib):
        model = _mlp(lib, [2, 4, 1], lambda L: L.nn.Sigmoid())
        x = lib.tensor(rand(3, 2))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model(x).pow(2).mean().backward(create_graph=True)
        penalty = sum((p.grad ** 2).sum() for p in model.parameters())
        grads = lib.autograd.grad(penalty, list(model.parameters()))
        return [type(p.grad.grad_fn).__name__ for p in model.parameters()], grads
    same(program)


def test_gradient_penalty_wgan_gp():
    """WGAN-GP: the critic's loss includes (|grad of the critic w.r.t. its input| - 1)^2 at
    points between real and fake samples; one optimizer step on it."""
    def program(lib):
        critic = _mlp(lib, [4, 16, 16, 1], lambda L: L.nn.LeakyReLU(0.2))
        opt = lib.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.9))
        real, fake = lib.tensor(rand(6, 4)), lib.tensor(rand(6, 4, seed=1))
        eps = lib.tensor(rand(6, 1, seed=2, positive=True) / 3)
        losses = []
        for _ in range(3):
            mix = (eps * real + (1 - eps) * fake).requires_grad_(True)
            out = critic(mix)
            (grad,) = lib.autograd.grad(out, mix, grad_outputs=lib.ones_like(out),
                                        create_graph=True)
            gp = ((grad.norm(2, dim=1) - 1) ** 2).mean()
            loss = critic(fake).mean() - critic(real).mean() + 10 * gp
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, _grads(critic), type(grad.grad_fn).__name__
    *_, name = same(program)
    assert name == "MmBackward0"


def test_physics_informed_network():
    """A PINN for u'' = -pi^2 sin(pi x) on [-1, 1], u(+-1) = 0: the second derivative of a
    tanh network with respect to its input is part of the loss."""
    def program(lib):
        net = _mlp(lib, [1, 12, 12, 1], lambda L: L.nn.Tanh())
        opt = lib.optim.Adam(net.parameters(), lr=1e-2)
        x = lib.linspace(-1, 1, 9, dtype=lib.float64).reshape(-1, 1).requires_grad_(True)
        ends = lib.tensor([[-1.0], [1.0]], dtype=lib.float64)
        history = []
        for _ in range(3):
            u = net(x)
            (u_x,) = lib.autograd.grad(u, x, lib.ones_like(u), create_graph=True)
            (u_xx,) = lib.autograd.grad(u_x, x, lib.ones_like(u_x), create_graph=True)
            residual = u_xx + np.pi ** 2 * lib.sin(np.pi * x)
            loss = (residual ** 2).mean() + (net(ends) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            history.append((loss.item(), u_xx.detach()))
        return history, _grads(net)
    same(program)


def test_maml_one_inner_step():
    """MAML: adapt the parameters with one gradient step made with create_graph, evaluate on
    the query set, and backpropagate into the original parameters through the step."""
    def program(lib):
        model = _mlp(lib, [1, 10, 1], lambda L: L.nn.ReLU())
        params = dict(model.named_parameters())
        xs, ys = lib.tensor(rand(5, 1)), lib.tensor(rand(5, 1, seed=1))
        xq, yq = lib.tensor(rand(5, 1, seed=2)), lib.tensor(rand(5, 1, seed=3))

        def forward(p, x):
            h = F(lib).relu(F(lib).linear(x, p["0.weight"], p["0.bias"]))
            return F(lib).linear(h, p["2.weight"], p["2.bias"])

        inner = F(lib).mse_loss(forward(params, xs), ys)
        grads = lib.autograd.grad(inner, list(params.values()), create_graph=True)
        fast = {n: p - 0.1 * g for (n, p), g in zip(params.items(), grads)}
        outer = F(lib).mse_loss(forward(fast, xq), yq)
        outer.backward()
        return outer, _grads(model)
    same(program)


def test_newtons_method():
    """Newton's method on Rosenbrock's function: the gradient and the Hessian (rows of the
    gradient's gradient) at each step, the 2x2 system solved by hand."""
    def program(lib):
        x = lib.tensor([-1.2, 1.0], dtype=lib.float64, requires_grad=True)
        path = []
        for _ in range(6):
            f = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
            (g,) = lib.autograd.grad(f, x, create_graph=True)
            h = lib.stack([lib.autograd.grad(g[i], x, retain_graph=True)[0] for i in range(2)])
            det = h[0, 0] * h[1, 1] - h[0, 1] * h[1, 0]
            step = lib.stack([h[1, 1] * g[0] - h[0, 1] * g[1],
                              h[0, 0] * g[1] - h[1, 0] * g[0]]) / det
            x = (x - step).detach().requires_grad_(True)
            path.append(x.detach())
        return path
    path = same(program)
    assert np.allclose(path[-1].numpy(), [1.0, 1.0])


def test_custom_function_with_a_differentiable_backward():
    """An autograd.Function whose backward is made of tensor operations differentiates
    again (its backward runs recorded under create_graph)."""
    def program(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * g * x * x

        x = lib.tensor(rand(3), requires_grad=True)
        (g,) = lib.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        return g, lib.autograd.grad(g.sum(), x)
    same(program)


def test_once_differentiable_backward_is_not_differentiated():
    def program(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            @lib.autograd.function.once_differentiable
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * g * x * x

        x = lib.tensor(rand(3), requires_grad=True)
        (g,) = lib.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        return g, lib.autograd.grad(g.sum(), x)
    same(program)


# -- autograd.functional --------------------------------------------------------------------


def _f_one(lib, x):
    return (x.exp() * x.sin()).sum(1)


def _f_two(lib, x, y):
    return x * y.tanh(), (x ** 2).sum()


def _scalar(lib, x, y):
    return (x.sin() * y ** 3).sum() + (x * x).sum() * y.sum()


def test_jacobian():
    def program(lib):
        fun = lib.autograd.functional
        x, y = lib.tensor(rand(2, 3)), lib.tensor(rand(2, 3, seed=1))
        one = fun.jacobian(lambda x: _f_one(lib, x), x)
        two = fun.jacobian(lambda x, y: _f_two(lib, x, y), (x, y))
        graph = fun.jacobian(lambda x: _f_one(lib, x), x.clone().requires_grad_(),
                             create_graph=True)
        vec = fun.jacobian(lambda x: _f_one(lib, x), x, vectorize=True)
        return one, two, graph, vec
    same(program)


def test_hessian():
    def program(lib):
        fun = lib.autograd.functional
        x, y = lib.tensor(rand(3)), lib.tensor(rand(3, seed=1))
        one = fun.hessian(lambda x: _scalar(lib, x, y), x)
        two = fun.hessian(lambda x, y: _scalar(lib, x, y), (x, y))
        graph = fun.hessian(lambda x: _scalar(lib, x, y), x.clone().requires_grad_(),
                            create_graph=True)
        return one, two, graph
    same(program)


@pytest.mark.parametrize("which", ["vjp", "jvp"])
def test_vjp_and_jvp(which):
    def program(lib):
        fn = getattr(lib.autograd.functional, which)
        x, y = lib.tensor(rand(2, 3)), lib.tensor(rand(2, 3, seed=1))
        vx = lib.tensor(rand(2, seed=2) if which == "vjp" else rand(2, 3, seed=2))
        one = fn(lambda x: _f_one(lib, x), x, vx)
        v2 = ((lib.tensor(rand(2, 3, seed=3)), lib.tensor(rand(seed=4))) if which == "vjp"
              else (lib.tensor(rand(2, 3, seed=3)), lib.tensor(rand(2, 3, seed=4))))
        two = fn(lambda x, y: _f_two(lib, x, y), (x, y), v2)
        graph = fn(lambda x: _f_one(lib, x), x.clone().requires_grad_(), vx, create_graph=True)
        scalar = fn(lambda x: (x * x).sum() if which == "vjp" else x * x,
                    lib.tensor(rand(1, seed=5)))
        return one, two, graph, scalar
    same(program)


@pytest.mark.parametrize("which", ["hvp", "vhp"])
def test_hvp_and_vhp(which):
    def program(lib):
        fn = getattr(lib.autograd.functional, which)
        x, y = lib.tensor(rand(3)), lib.tensor(rand(3, seed=1))
        v = lib.tensor(rand(3, seed=2))
        one = fn(lambda x: _scalar(lib, x, y), x, v)
        two = fn(lambda x, y: _scalar(lib, x, y), (x, y), (v, v * 2))
        graph = fn(lambda x: _scalar(lib, x, y), x.clone().requires_grad_(), v,
                   create_graph=True)
        return one, two, graph
    same(program)


def test_functional_zeros_for_an_unused_input_and_strict_mode():
    def program(lib):
        fun = lib.autograd.functional
        x, y = lib.tensor(rand(3)), lib.tensor(rand(3, seed=1))
        return (fun.jacobian(lambda x, y: x * 2, (x, y)),
                fun.hessian(lambda x, y: (x ** 3).sum(), (x, y)),
                fun.vjp(lambda x, y: x.sum(), (x, y))[1])
    same(program)
    for strict_call in [
        lambda lib: lib.autograd.functional.jacobian(lambda x, y: x * 2, (lib.ones(2),
                                                     lib.ones(2)), strict=True),
        lambda lib: lib.autograd.functional.vjp(lambda x: x.sum(), lib.ones(2), strict=True,
                                                v=None) + (None,) and
        lib.autograd.functional.vjp(lambda x, y: x.sum(), (lib.ones(2), lib.ones(2)),
                                    strict=True),
        lambda lib: lib.autograd.functional.hessian(lambda x: x.sum() * 2, lib.ones(2),
                                                    strict=True),
        lambda lib: lib.autograd.functional.jvp(lambda x: x.detach(), lib.ones(2),
                                                lib.ones(2), strict=True),
    ]:
        same(strict_call)


def test_functional_argument_errors():
    fun = [lib.autograd.functional for lib in LIBS]  # noqa: F841 - both import
    for bad in [
        lambda lib: lib.autograd.functional.vjp(lambda x: x * 2, lib.ones(2)),  # v needed
        lambda lib: lib.autograd.functional.jvp(lambda x: x * 2, lib.ones(2)),
        lambda lib: lib.autograd.functional.hvp(lambda x: x.sum(), lib.ones(2)),
        lambda lib: lib.autograd.functional.vjp(lambda x: x * 2, lib.ones(2), lib.ones(3)),
        lambda lib: lib.autograd.functional.vjp(lambda x, y: (x, y), (lib.ones(2), lib.ones(2)),
                                                (lib.ones(2),)),
        lambda lib: lib.autograd.functional.jvp(lambda x, y: x, (lib.ones(2), lib.ones(2)),
                                                (lib.ones(2), lib.ones(3))),
        lambda lib: lib.autograd.functional.jacobian(lambda x: x, [lib.ones(2)]),
        lambda lib: lib.autograd.functional.jacobian(lambda x: x, (lib.ones(2), 3.0)),
        lambda lib: lib.autograd.functional.jacobian(lambda x: 2.0, lib.ones(2)),
        lambda lib: lib.autograd.functional.hessian(lambda x: x * 2, lib.ones(2)),
        lambda lib: lib.autograd.functional.hessian(lambda x: (x, x), lib.ones(2)),
        lambda lib: lib.autograd.functional.vhp(lambda x: x * 2, lib.ones(2), lib.ones(2)),
        lambda lib: lib.autograd.functional.jacobian(lambda x: x, lib.ones(2),
                                                     strategy="forward-mode"),
        lambda lib: lib.autograd.functional.jacobian(lambda x: x, lib.ones(2),
                                                     strategy="sideways"),
    ]:
        same(bad)


# -- refusing, loudly ---------------------------------------------------------------------------


def test_a_node_that_does_not_support_create_graph_refuses():
    from glasstorch._tensor import apply
    from glasstorch.autograd.function import Node

    class CubeBackward0(Node):
        """out = x^3  |  dx = 3 g x^2 (not opted in to create_graph)"""

        saved_inputs = (0,)

        def forward(self, x):
            self.saved = (x,)
            return x ** 3

        def backward(self, g):
            (x,) = self.saved
            return (3 * g * x * x,)

    x = glasstorch.tensor(rand(3), requires_grad=True)
    apply(CubeBackward0, x).sum().backward()  # first order: fine
    np.testing.assert_allclose(x.grad.numpy(), 3 * rand(3) ** 2)
    with pytest.raises(RuntimeError, match=r"derivative for CubeBackward0 is not implemented"
                                           r"\n\[glasstorch\] create_graph=True"):
        glasstorch.autograd.grad(apply(CubeBackward0, x).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="derivative for CubeBackward0"):
        apply(CubeBackward0, x).sum().backward(create_graph=True)


def test_a_formula_that_leaves_the_graph_is_an_error():
    from glasstorch._tensor import apply
    from glasstorch.autograd.function import Node

    class LeakyBackward0(Node):
        """a backward formula that (wrongly) converts to NumPy under create_graph"""

        saved_as = ()

        def forward(self, x):
            return x * 2

        def backward(self, g):
            return (np.full(tuple(g.shape), 2.0),)

    x = glasstorch.tensor(rand(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="gave a NumPy ndarray, not a tensor"):
        glasstorch.autograd.grad(apply(LeakyBackward0, x).sum(), x, create_graph=True)


# nodes that refuse create_graph for now (added in parallel; PyTorch differentiates layer norm
# twice, cdist not)
NOT_YET = {"CdistBackward0", "EuclideanDistBackward0", "NativeLayerNormBackward0"}


def test_no_core_node_refuses():
    """Every node of the core ops and of nn.functional's families opts in (``saved_as``), but
    the few above; the user Function's node runs its own tensor code."""
    import importlib
    import inspect

    from glasstorch.autograd.function import Node

    modules = ["glasstorch._ops", "glasstorch._creation"] + [
        f"glasstorch._ops.{f}.nodes" for f in
        ("pointwise", "reduction", "shape", "indexing", "linalg")] + [
        f"glasstorch.nn._ops.{f}" for f in
        ("activation", "loss", "normalization", "padding", "binary_ops")]
    refusing = []
    for name in modules:
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if issubclass(cls, Node) and cls.__module__ == name and cls.saved_as is None:
                refusing.append(cls.__name__)
    assert set(refusing) <= NOT_YET, sorted(set(refusing) - NOT_YET)


def test_hooks_retain_grad_and_anomaly_mode_under_create_graph():
    def program(lib):
        x = lib.tensor(rand(3), requires_grad=True)
        h = x.sin()
        h.retain_grad()
        h.register_hook(lambda g: g * h)  # a hook's result stays in the graph
        with lib.autograd.detect_anomaly(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (g,) = lib.autograd.grad((h ** 2).sum(), x, create_graph=True)
            second = lib.autograd.grad(g.sum(), x)
        return g, second
    same(program)


def test_create_graph_without_retain_graph_frees_the_first_graph():
    """retain_graph=False: the gradient's graph refers to the first graph's nodes, now freed;
    differentiating it again is PyTorch's "backward through the graph a second time"."""
    def program(lib):
        x = lib.tensor(rand(3), requires_grad=True)
        (g,) = lib.autograd.grad(x.exp().sum(), x, create_graph=True, retain_graph=False)
        return lib.autograd.grad(g.sum(), x)
    same(program)
