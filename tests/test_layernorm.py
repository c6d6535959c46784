"""nn.LayerNorm and F.layer_norm against torch: values, dtypes (half input with float parameters),
gradients, grad_fn, errors, reprs, init, checkpoints, gradcheck."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from harness import SETTINGS, array, build, check, check_layer, checkpoints_cross, same_error, seeds
from hypothesis import given
from hypothesis import strategies as st

import glasstorch


@SETTINGS
@given(lead=st.lists(st.integers(0, 3), max_size=2), norm=st.lists(st.integers(1, 4),
                                                                    min_size=1, max_size=2),
       affine=st.sampled_from(["both", "weight", "bias", "none"]),
       eps=st.sampled_from([1e-5, 1e-3, 0.0, 0.5]), dtype=st.sampled_from(["float32", "float64"]),
       seed=seeds)
def test_functional_values_and_gradients(lead, norm, affine, eps, dtype, seed):
    if np.prod(norm) == 1:
        # one value per sample: x - mean is 0 up to rounding, and which rounding PyTorch's
        # kernel makes depends on its path (it is 0 or the error of mean * rstd), so the
        # gradient of the weight is rounding noise in both
        norm = [*norm, 2]
    # values spread out within each sample: nearly equal values make x - mean a cancellation
    # whose float32 rounding differs between PyTorch's Welford sums and NumPy's two passes
    spread = np.linspace(-2, 2, int(np.prod(norm))).reshape(norm)
    x = (array((*lead, *norm), dtype, seed) + spread).astype(dtype) * 3 + 1
    w = array(tuple(norm), dtype, seed + 1)
    b = array(tuple(norm), dtype, seed + 2)
    shape = tuple(norm)
    if affine == "both":
        check(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, shape, w, b, eps), x, w, b,
              seed=seed)
    elif affine == "weight":
        check(lambda lib, x, w: lib.nn.functional.layer_norm(x, shape, w, eps=eps), x, w,
              seed=seed)
    elif affine == "bias":
        check(lambda lib, x, b: lib.nn.functional.layer_norm(x, shape, None, b, eps), x, b,
              seed=seed)
    else:
        check(lambda lib, x: lib.nn.functional.layer_norm(x, list(shape), eps=eps), x, seed=seed)


@pytest.mark.parametrize("xd,wd,bd", [
    ("float16", "float16", "float16"), ("float16", "float32", "float32"),
    ("float16", "float32", None),
    # (float16 input, no weight, float32 bias: torch's forward works and its backward raises
    # "expected scalar type Half but found Float"; glasstorch differentiates it)
])
def test_half_input_and_mixed_parameters(xd, wd, bd):
    x = array((3, 4), xd, 0)
    arrays = [x] + [array((4,), d, i) for i, d in enumerate((wd, bd), 1) if d is not None]

    def fn(lib, x, *p):
        it = iter(p)
        w = next(it) if wd else None
        b = next(it) if bd else None
        return lib.nn.functional.layer_norm(x, (4,), w, b)

    check(fn, *arrays)


@pytest.mark.parametrize("case", [
    lambda lib, F, x: F.layer_norm(x, (3,)),
    lambda lib, F, x: F.layer_norm(x, (4, 3)),
    lambda lib, F, x: F.layer_norm(x, (2, 3, 4, 5)),
    lambda lib, F, x: F.layer_norm(x, ()),
    lambda lib, F, x: F.layer_norm(x, 4),
    lambda lib, F, x: F.layer_norm(x, [4], lib.ones(3)),
    lambda lib, F, x: F.layer_norm(x, [4], lib.ones(4), lib.ones(3)),
    lambda lib, F, x: F.layer_norm(x, [4], lib.ones(4, dtype=lib.float64)),
    lambda lib, F, x: F.layer_norm(x, [4], None, lib.ones(4, dtype=lib.float16)),
    lambda lib, F, x: F.layer_norm(x, [4], lib.ones(4), lib.ones(4, dtype=lib.float64)),
    lambda lib, F, x: F.layer_norm(x.double(), [4], lib.ones(4)),
    lambda lib, F, x: F.layer_norm(x.double(), [4], lib.ones(4), lib.ones(4).double()),
    lambda lib, F, x: F.layer_norm(x.half(), [4], lib.ones(4).half(), lib.ones(4)),
    lambda lib, F, x: F.layer_norm(x.half(), [4], lib.ones(4).double()),
    lambda lib, F, x: F.layer_norm(x.long(), [4]),
    lambda lib, F, x: lib.nn.LayerNorm(4)(x.double()),
    lambda lib, F, x: lib.nn.LayerNorm(3)(x),
    lambda lib, F, x: lib.nn.LayerNorm([3, 4, 5])(x),
])
def test_errors(case):
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    same_error(lambda lib: case(lib, lib.nn.functional, lib.tensor(x)))


def test_shape_error_hint():
    e = same_error(lambda lib: lib.nn.LayerNorm(16)(lib.ones(8, 10, 32)))
    assert "[glasstorch] LayerNorm normalises the last 1 dimension(s)" in str(e)
    assert "nn.LayerNorm(32)" in str(e)


@pytest.mark.parametrize("args,kwargs", [
    ((5,), {}), (([3, 4],), {}), ((torch.Size([3, 4]),), {}), ((4,), {"eps": 1e-3}),
    ((4,), {"elementwise_affine": False}), ((4,), {"bias": False}),
    (((2, 4),), {"elementwise_affine": False, "bias": False}),
])
def test_module_repr_init_outputs_gradients(args, kwargs):
    args = tuple(tuple(a) if isinstance(a, torch.Size) else a for a in args)
    gm, tm = build(lambda lib: lib.nn.LayerNorm(*args, **kwargs))
    shape = gm.normalized_shape
    assert shape == tm.normalized_shape and isinstance(shape, tuple)
    with torch.no_grad():  # train the affine part a little so it is not the identity
        for p in tm.parameters():
            p.add_(torch.randn(p.shape))
    if list(tm.parameters()):
        gm.load_state_dict({k: glasstorch.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    check_layer(gm, tm, array((2, 3, *shape), "float32", 5) * 2)
    checkpoints_cross(gm, tm)


def test_module_attributes_and_dtype():
    def scenario(lib):
        ln = lib.nn.LayerNorm(4, dtype=lib.float64, bias=False)
        off = lib.nn.LayerNorm(4, elementwise_affine=False)
        return (ln.normalized_shape, ln.eps, ln.elementwise_affine, str(ln.weight.dtype),
                ln.bias, off.weight, off.bias, [n for n, _ in ln.named_parameters()],
                [n for n, _ in lib.nn.LayerNorm([2, 3]).named_parameters()], ln.training)

    assert scenario(glasstorch) == scenario(torch)


def test_same_in_train_and_eval_and_empty():
    for shape in ((2, 0), (0, 4)):
        gm, tm = build(lambda lib, shape=shape: lib.nn.LayerNorm(shape[-1]))
        check_layer(gm, tm, np.zeros(shape, np.float32))
    gm, tm = build(lambda lib: lib.nn.LayerNorm(4))
    gm.eval()
    tm.eval()
    check_layer(gm, tm, array((1, 4), "float32", 1))


def test_gradcheck_float64():
    x = glasstorch.tensor(array((3, 2, 4), "float64", 0), requires_grad=True)
    w = glasstorch.tensor(array((2, 4), "float64", 1), requires_grad=True)
    b = glasstorch.tensor(array((2, 4), "float64", 2), requires_grad=True)
    F = glasstorch.nn.functional
    assert glasstorch.autograd.gradcheck(lambda x, w, b: F.layer_norm(x, (2, 4), w, b), (x, w, b))
    assert glasstorch.autograd.gradcheck(lambda x: F.layer_norm(x, (4,), eps=0.1), (x,))
