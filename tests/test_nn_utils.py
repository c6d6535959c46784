"""nn.utils against torch: gradient clipping and parameter vectors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import glasstorch


def _grads(lib, scale):
    rng = np.random.default_rng(0)
    ps = []
    for shape in [(3, 4), (4,), (2, 2)]:
        p = lib.nn.Parameter(lib.tensor(rng.standard_normal(shape).astype(np.float32)))
        p.grad = lib.tensor((rng.standard_normal(shape) * scale).astype(np.float32))
        ps.append(p)
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3.0])
@pytest.mark.parametrize("scale,max_norm", [(10.0, 1.0), (0.01, 5.0)])
def test_clip_grad_norm_matches_torch(norm_type, scale, max_norm):
    out = []
    for lib in (glasstorch, torch):
        ps = _grads(lib, scale)
        total = lib.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
        out.append((float(total), [p.grad.numpy().copy() for p in ps]))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-5)
    for a, b in zip(out[0][1], out[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_clip_grad_value_and_vectors():
    out = []
    for lib in (glasstorch, torch):
        ps = _grads(lib, 3.0)
        lib.nn.utils.clip_grad_value_(ps, 0.5)
        vec = lib.nn.utils.parameters_to_vector(ps)
        lib.nn.utils.vector_to_parameters(vec * 2, ps)
        out.append(([p.grad.numpy().copy() for p in ps], vec.detach().numpy(),
                    [p.detach().numpy().copy() for p in ps]))
    for a, b in zip(out[0][0], out[1][0]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(out[0][1], out[1][1])
    for a, b in zip(out[0][2], out[1][2]):
        np.testing.assert_array_equal(a, b)
