"""Helpers shared by the CNN-layer tests (test_conv, test_pooling, test_upsampling,
test_cnn_layers): layers compared as a whole (same-seed initial weights, outputs and
gradients, checkpoints both ways)."""

from __future__ import annotations

import io

import numpy as np
import torch
from harness import assert_same

import glasstorch


def np_of(t) -> np.ndarray:
    return np.array(t.detach().numpy())


def build_both(make, seed: int = 0):
    """``make(lib)`` on both libraries after the same manual_seed: (glasstorch, torch)."""
    torch.manual_seed(seed)
    tm = make(torch)
    glasstorch.manual_seed(seed)
    gm = make(glasstorch)
    return gm, tm


def assert_same_init(gm, tm) -> None:
    """The same parameter and buffer names, shapes, dtypes and values, bit for bit."""
    gs, ts = gm.state_dict(), tm.state_dict()
    assert list(gs) == list(ts)
    for k in ts:
        g, t = np_of(gs[k]), np_of(ts[k])
        assert g.dtype == t.dtype and g.shape == t.shape, k
        np.testing.assert_array_equal(g, t, err_msg=k)


def run_both(gm, tm, x: np.ndarray, rtol=None, atol=None, seed: int = 0):
    """Forward ``x`` through both models, compare the outputs (values, dtype, grad_fn), then
    backward a random-weighted sum and compare the input's and every parameter's gradient."""
    gx = glasstorch.tensor(x, requires_grad=x.dtype.kind == "f")
    tx = torch.tensor(x, requires_grad=x.dtype.kind == "f")
    gy, ty = gm(gx), tm(tx)
    assert_same(gy, ty, "out", rtol=rtol, atol=atol)
    if not ty.requires_grad:
        return gy, ty
    w = np.random.default_rng(seed + 1).standard_normal(tuple(ty.shape)).astype(np_of(ty).dtype)
    (ty * torch.tensor(w)).sum().backward()
    (gy * glasstorch.tensor(w)).sum().backward()
    grad_rtol, grad_atol = (1e-4, 1e-5) if x.dtype == np.float32 else (1e-8, 1e-10)
    assert_same(gx.grad, tx.grad, "grad of input", rtol=rtol or grad_rtol,
                atol=atol or grad_atol)
    for (name, gp), (_, tp) in zip(gm.named_parameters(), tm.named_parameters()):
        assert_same(gp.grad, tp.grad, f"grad of {name}", rtol=rtol or grad_rtol,
                    atol=atol or grad_atol)
    return gy, ty


def checkpoints_cross(gm, tm) -> None:
    """glasstorch.save(state_dict) loads with torch.load(weights_only=True) into the torch
    layer, and torch.save(state_dict) loads with glasstorch.load into the glasstorch layer:
    same keys, shapes, dtypes and values both ways."""
    buf = io.BytesIO()
    glasstorch.save(gm.state_dict(), buf)
    buf.seek(0)
    loaded = torch.load(buf, weights_only=True)
    assert list(loaded) == list(tm.state_dict())
    tm.load_state_dict(loaded)
    for k, v in gm.state_dict().items():
        np.testing.assert_array_equal(np_of(tm.state_dict()[k]), np_of(v), err_msg=k)
    with torch.no_grad():  # change torch's copy, send it back
        for p in tm.parameters():
            p.mul_(-0.5).add_(0.25)
        for b in tm.buffers():
            if b.dtype.is_floating_point:
                b.add_(1.5)
            else:
                b.add_(7)
    buf = io.BytesIO()
    torch.save(tm.state_dict(), buf)
    buf.seek(0)
    back = glasstorch.load(buf)
    result = gm.load_state_dict(back)
    assert repr(result) == "<All keys matched successfully>"
    for k, v in tm.state_dict().items():
        g = np_of(gm.state_dict()[k])
        assert g.dtype == np_of(v).dtype and g.shape == tuple(v.shape), k
        np.testing.assert_array_equal(g, np_of(v), err_msg=k)
