"""gradcheck for every differentiable op in float64, with glasstorch's gradcheck and torch's.

Inputs sit away from kinks (relu at 0, abs at 0, clamp bounds, ties of max) where finite
differences are meaningless; both libraries' gradchecks must pass, and the gradients of a
random-weighted sum must agree (the harness).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from harness import check

import glasstorch


def _away(shape, seed, lo=0.3):
    """float64 values with |x| >= lo and no two equal (no kinks, no ties)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(lo, 2.0, shape) * rng.choice([-1, 1], shape)
    return x + np.arange(x.size).reshape(shape) * 1e-3


def _pos(shape, seed):
    return np.abs(_away(shape, seed))


A, B, V = (2, 3), (3, 4), (3,)
IDX = np.array([[0, 2, 1], [1, 1, 0]])

# name -> (function of (lib, *tensors), list of input arrays); every input requires grad
OPS = {
    "add": (lambda L, a, b: a + b * 2, [_away(A, 0), _away(V, 1)]),
    "sub_alpha": (lambda L, a, b: L.sub(a, b, alpha=3), [_away(A, 0), _away(V, 1)]),
    "rsub": (lambda L, a: 2 - a, [_away(A, 0)]),
    "mul": (lambda L, a, b: a * b, [_away(A, 0), _away(V, 1)]),
    "div": (lambda L, a, b: a / b, [_away(A, 0), _away(V, 1)]),
    "rdiv": (lambda L, a: 3 / a, [_away(A, 0)]),
    "pow_scalar": (lambda L, a: a**3, [_away(A, 0)]),
    "pow_frac": (lambda L, a: a**1.5, [_pos(A, 0)]),
    "pow_tensor": (lambda L, a, b: a**b, [_pos(A, 0), _away(V, 1)]),
    "rpow": (lambda L, a: 2.0**a, [_away(A, 0)]),
    "remainder": (lambda L, a, b: a % b, [_away(A, 0), _away(V, 1) * 5]),
    "fmod": (lambda L, a, b: L.fmod(a, b), [_away(A, 0), _away(V, 1) * 5]),
    "neg": (lambda L, a: -a, [_away(A, 0)]),
    "exp": (lambda L, a: a.exp(), [_away(A, 0)]),
    "exp2": (lambda L, a: L.exp2(a), [_away(A, 0)]),
    "expm1": (lambda L, a: a.expm1(), [_away(A, 0)]),
    "log": (lambda L, a: a.log(), [_pos(A, 0)]),
    "log2": (lambda L, a: a.log2(), [_pos(A, 0)]),
    "log10": (lambda L, a: a.log10(), [_pos(A, 0)]),
    "log1p": (lambda L, a: a.log1p(), [_pos(A, 0)]),
    "sqrt": (lambda L, a: a.sqrt(), [_pos(A, 0)]),
    "rsqrt": (lambda L, a: a.rsqrt(), [_pos(A, 0)]),
    "reciprocal": (lambda L, a: a.reciprocal(), [_away(A, 0)]),
    "square": (lambda L, a: a.square(), [_away(A, 0)]),
    "abs": (lambda L, a: a.abs(), [_away(A, 0)]),
    "sin": (lambda L, a: a.sin(), [_away(A, 0)]),
    "cos": (lambda L, a: a.cos(), [_away(A, 0)]),
    "tan": (lambda L, a: a.tan(), [_away(A, 0) * 0.5]),
    "sigmoid": (lambda L, a: a.sigmoid(), [_away(A, 0)]),
    "tanh": (lambda L, a: a.tanh(), [_away(A, 0)]),
    "relu": (lambda L, a: a.relu(), [_away(A, 0)]),
    "clamp": (lambda L, a: a.clamp(-1.0, 1.0), [_away(A, 0) * 1.1 + 0.05]),
    "clamp_min": (lambda L, a: a.clamp_min(0.1), [_away(A, 0)]),
    "clamp_tensor": (lambda L, a, lo: a.clamp(min=lo), [_away(A, 0), _away(V, 5)]),
    "maximum": (lambda L, a, b: L.maximum(a, b), [_away(A, 0), _away(A, 1)]),
    "minimum": (lambda L, a, b: L.minimum(a, b), [_away(A, 0), _away(A, 1)]),
    "where": (lambda L, a, b: L.where(a > 0, a, b), [_away(A, 0), _away(V, 1)]),
    "lerp": (lambda L, a, b: L.lerp(a, b, 0.3), [_away(A, 0), _away(A, 1)]),
    "lerp_tensor": (lambda L, a, b, w: L.lerp(a, b, w), [_away(A, 0), _away(A, 1), _away(A, 2)]),
    "nan_to_num": (lambda L, a: L.nan_to_num(a), [_away(A, 0)]),
    "clone": (lambda L, a: a.clone(), [_away(A, 0)]),
    "to_dtype": (lambda L, a: a.to(L.float64).double(), [_away(A, 0)]),
    "sum": (lambda L, a: (a.sum(), a.sum(1), a.sum((0, 1), keepdim=True)), [_away(A, 0)]),
    "mean": (lambda L, a: (a.mean(), a.mean(0)), [_away(A, 0)]),
    "var": (lambda L, a: (a.var(), a.var(1, keepdim=True), a.var(0, correction=0)),
            [_away(A, 0)]),
    "std": (lambda L, a: (a.std(), a.std(1)), [_away(A, 0)]),
    "var_mean": (lambda L, a: L.var_mean(a, 1), [_away(A, 0)]),
    "std_mean": (lambda L, a: L.std_mean(a, 0), [_away(A, 0)]),
    "prod": (lambda L, a: (a.prod(), a.prod(1)), [_away(A, 0)]),
    "max": (lambda L, a: (a.max(), a.max(1).values, a.amax(0)), [_away(A, 0)]),
    "min": (lambda L, a: (a.min(), a.min(0).values, a.amin(1)), [_away(A, 0)]),
    "softmax": (lambda L, a: (a.softmax(1), a.log_softmax(0)), [_away(A, 0)]),
    "logsumexp": (lambda L, a: a.logsumexp(1), [_away(A, 0)]),
    "cumsum": (lambda L, a: a.cumsum(1), [_away(A, 0)]),
    "norm": (lambda L, a: (a.norm(), a.norm(p=1, dim=1), a.norm(dim=0)), [_away(A, 0)]),
    "nanmean": (lambda L, a: L.nanmean(a, 1), [_away(A, 0)]),
    "sort": (lambda L, a: (a.sort(1).values, a.topk(2, 1).values), [_away(A, 0)]),
    "view_reshape": (lambda L, a: (a.view(3, 2), a.t().reshape(6), a.flatten()), [_away(A, 0)]),
    "permute_transpose": (lambda L, a: (a.permute(1, 0), a.t(), a.T, a.transpose(0, 1)),
                          [_away(A, 0)]),
    "squeeze_unsqueeze": (lambda L, a: (a.unsqueeze(1).squeeze(), a[None].squeeze(0)),
                          [_away(A, 0)]),
    "expand_repeat": (lambda L, a: (a[:, :1].expand(2, 4), a.repeat(2, 1), a.tile((1, 2))),
                      [_away(A, 0)]),
    "cat_stack": (lambda L, a, b: (L.cat([a, b[:1]]), L.stack([a, b])), [_away(A, 0),
                                                                        _away(A, 1)]),
    "split_chunk": (lambda L, a: (*a.split(2, 1), *a.chunk(2, 0), *a.unbind(1)), [_away(A, 0)]),
    "flip_roll": (lambda L, a: (a.flip(0), a.roll(1, 1), a.narrow(1, 1, 2)), [_away(A, 0)]),
    "repeat_interleave": (lambda L, a: a.repeat_interleave(2, 0), [_away(A, 0)]),
    "getitem": (lambda L, a: (a[0], a[:, 1:], a[..., None], a[L.tensor([1, 0, 1])],
                              a[a > 0], a[[0, 1], [2, 0]]), [_away(A, 0)]),
    "setitem": (lambda L, a, v: _setitem(L, a, v), [_away(A, 0), _away(V, 1)]),
    "gather_scatter": (lambda L, a, s: (a.gather(1, L.tensor(IDX)), a.scatter(
        1, L.tensor([[0, 2], [1, 0]]), s[:, :2]), a.scatter_add(1, L.tensor(IDX), s)),
        [_away(A, 0), _away(A, 1)]),
    "index_select": (lambda L, a, s: (a.index_select(1, L.tensor([2, 0])), a.index_add(
        0, L.tensor([1, 1]), s)), [_away(A, 0), _away(A, 1)]),
    "masked": (lambda L, a: (a.masked_fill(a > 0, 0.5), a.masked_select(a < 0)), [_away(A, 0)]),
    "take": (lambda L, a: a.take(L.tensor([[0, 5], [5, 2]])), [_away(A, 0)]),
    "tril": (lambda L, a: (L.tril(a), L.triu(a, 1)), [_away(A, 0)]),
    "matmul": (lambda L, a, b, v: (a @ b, a @ v, v @ b, v @ v), [_away(A, 0), _away(B, 1),
                                                               _away(V, 2)]),
    "batched_matmul": (lambda L, a, b: (a @ b, L.bmm(a, b)), [_away((2, 2, 3), 0),
                                                             _away((2, 3, 2), 1)]),
    "mm_addmm": (lambda L, c, a, b: (a.mm(b), L.addmm(c, a, b, beta=0.5, alpha=2)),
                 [_away((4,), 0), _away(A, 1), _away(B, 2)]),
    "mv_dot_outer": (lambda L, a, v, w: (a.mv(v), L.dot(v, v), L.outer(v, w)),
                     [_away(A, 0), _away(V, 1), _away((2,), 2)]),
    "inplace": (lambda L, a, b: _inplace(L, a, b), [_away(A, 0), _away(V, 1)]),
}


def _setitem(L, a, v):
    x = a * 1
    x[0] = v
    x[1, 1:] = v[:2] * 2
    x[x > 1.5] = 0.0
    return x


def _inplace(L, a, b):
    x = a * 1
    x.mul_(b).add_(1)
    x[0].mul_(3)
    return x.sigmoid_()


@pytest.mark.parametrize("name", sorted(OPS))
def test_gradcheck(name):
    fn, arrays = OPS[name]
    for lib in (glasstorch, torch):
        inputs = [lib.tensor(a.copy(), dtype=lib.float64, requires_grad=True) for a in arrays]
        assert lib.autograd.gradcheck(lambda *xs, lib=lib: fn(lib, *xs), inputs), lib.__name__
    check(fn, *arrays)


def test_inplace_on_saved_output_raises_like_torch():
    """tanh_ saves its output; changing the base afterwards makes backward raise."""
    def f(L, a):
        x = a * 1
        x[0].tanh_()
        x.mul_(2)
        x.sum().backward()
        return a.grad

    check(f, _away(A, 0), message=True)
