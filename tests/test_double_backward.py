"""Gradients of gradients (``create_graph=True``), differential against PyTorch.

For every op that supports double backward: the first-order gradients computed with
``create_graph=True`` (values, dtypes, grad_fn names) and the gradients of a random-weighted sum
of them (second derivatives, also with respect to the incoming gradient), on glasstorch and
torch; then Hessian-vector products, ``backward(create_graph=True)``,
``torch.autograd.functional``, ``gradgradcheck`` and a few typical programs.
"""

from __future__ import annotations

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
