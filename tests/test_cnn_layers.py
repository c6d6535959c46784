"""BatchNorm2d, Dropout1d / Dropout2d (F.dropout1d / dropout2d) and whole small CNNs against
torch: reprs, same-seed weights and dropout masks bit for bit, outputs, gradients, running
statistics, warnings and errors, checkpoints both ways, and a few training steps."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from harness import (
    SETTINGS,
    array,
    assert_same,
    build,
    check,
    check_layer,
    checkpoints_cross,
    make_layer,
    np_of,
    same_error,
    same_warnings,
)
from hypothesis import given
from hypothesis import strategies as st

import glasstorch

# -- BatchNorm2d ----------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [{}, {"momentum": None}, {"affine": False},
                                    {"track_running_stats": False}, {"eps": 1e-3, "bias": False},
                                    {"dtype": "float64"}])
def test_batchnorm2d_matches_torch(kwargs):
    gm, tm = build(make_layer("BatchNorm2d", 3, **kwargs))
    dtype = kwargs.get("dtype", "float32")
    for step in range(3):  # training: batch statistics, running estimates move
        check_layer(gm, tm, array((4, 3, 5, 2), dtype, step) * 3 + 1, seed=step)
        for (name, g), (_, t) in zip(gm.named_buffers(), tm.named_buffers()):
            assert_same(g, t, name, rtol=1e-5, atol=1e-6)
    gm.eval()
    tm.eval()
    check_layer(gm, tm, array((2, 3, 4, 4), dtype, 9))
    checkpoints_cross(gm, tm)


def test_batchnorm2d_errors():
    same_error(lambda L: L.nn.BatchNorm2d(3)(L.ones(2, 3, 4)))
    same_error(lambda L: L.nn.BatchNorm2d(3)(L.ones(2, 4, 4, 4)))
    same_error(lambda L: L.nn.BatchNorm2d(3)(L.ones(1, 3, 1, 1)))


def test_batchnorm2d_gradcheck():
    x = np.random.default_rng(0).standard_normal((3, 2, 2, 3))
    for lib in (glasstorch, torch):
        bn = lib.nn.BatchNorm2d(2, dtype=lib.float64)
        t = lib.tensor(x, requires_grad=True)
        assert lib.autograd.gradcheck(lambda t, bn=bn: bn(t), (t,))


# -- Dropout1d / Dropout2d --------------------------------------------------------------------


@SETTINGS
@given(st.sampled_from([(4, 3, 5, 5), (2, 6, 3), (8, 4), (1, 1, 2, 2), (0, 3, 2, 2),
                        (3, 2, 2, 2, 2)]),
       st.sampled_from([0.0, 0.2, 0.5, 0.9, 1.0]), st.booleans(), st.booleans(),
       st.integers(0, 2**31 - 1))
def test_dropout2d_same_masks_as_torch(shape, p, training, inplace, seed):
    """Same seed, same channels dropped (one draw per (N, C)), same values and gradients;
    the same warnings for 3-d and other input."""
    x = array(shape, "float32", seed % 1000)

    def drop(lib, x):
        lib.manual_seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = x * 1.0 if inplace else x
            return lib.nn.functional.dropout2d(y, p, training, inplace)

    check(drop, x, seed=seed)
    if training:
        same_warnings(lambda lib: lib.nn.functional.dropout2d(lib.ones(*shape), p, False))


@pytest.mark.parametrize("shape", [(4, 3, 6), (3, 6), (0, 2, 3)])
@pytest.mark.parametrize("p", [0.3, 1.0])
@pytest.mark.parametrize("inplace", [False, True])
def test_dropout1d_same_masks_as_torch(shape, p, inplace):
    def drop(lib, x):
        lib.manual_seed(11)
        y = x * 1.0 if inplace else x
        return lib.nn.functional.dropout1d(y, p, True, inplace)

    # (in place on (C, L) input PyTorch squeezes in place, SqueezeBackward4; glasstorch has no
    # in-place unsqueeze_/squeeze_ and records the write through a view, CopySlices)
    check(drop, array(shape, "float32", 3), grad_fn=not (inplace and len(shape) == 2))


def test_dropout_modules():
    def run(lib):
        lib.manual_seed(5)
        m2, m1 = lib.nn.Dropout2d(0.4), lib.nn.Dropout1d(p=0.6, inplace=False)
        x = lib.tensor(array((3, 4, 2, 2), "float32", 1))
        out = [repr(m2), repr(m1), np_of(m2(x)), np_of(m1(x[:, :, 0]))]
        m2.eval()
        out.append(np_of(m2(x)))
        return out

    for g, t in zip(run(glasstorch), run(torch)):
        np.testing.assert_array_equal(g, t)


@pytest.mark.parametrize("scenario", [
    lambda L: L.nn.functional.dropout2d(L.ones(2, 3, 4, 4), 1.5),
    lambda L: L.nn.functional.dropout2d(L.ones(3), 0.5),
    lambda L: L.nn.functional.dropout2d(L.ones(2, 3, 4, 4, dtype=L.long), 0.5),
    lambda L: L.nn.functional.dropout1d(L.ones(2, 3, 4, 4), 0.5),
    lambda L: L.nn.functional.dropout1d(L.ones(3), 0.5),
    lambda L: L.nn.functional.dropout1d(L.ones(2, 3), -0.5),
    lambda L: L.nn.Dropout2d(2),
    lambda L: L.nn.functional.dropout(L.ones(2, 3, dtype=L.long), 0.5),
])
def test_dropout_errors(scenario):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(scenario)


def test_dropout_of_integers_with_p_one_is_zeros_like_torch():
    for fn in ("dropout", "dropout2d"):
        check(lambda lib, x, fn=fn: getattr(lib.nn.functional, fn)(x, 1.0),
              array((2, 3, 2, 2), "int64"), requires_grad=False)


# -- whole CNNs -------------------------------------------------------------------------------


def small_cnn(lib, dtype=None):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, dtype=dtype), nn.BatchNorm2d(8, dtype=dtype), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout2d(0.25),
        nn.Conv2d(8, 16, 3, padding="same", padding_mode="reflect", dtype=dtype), nn.ReLU(),
        nn.AvgPool2d(2), nn.Upsample(scale_factor=2, mode="bilinear"),
        nn.AdaptiveAvgPool2d((1, 2)), nn.Flatten(), nn.Linear(32, 10, dtype=dtype))


def test_cnn_same_seed_same_everything():
    """Built, run (dropout included) and trained from the same seed: the same weights, masks,
    outputs, gradients and updated weights as PyTorch."""
    gm, tm = build(small_cnn, seed=2024)
    x = array((6, 1, 8, 8), "float32", 0)
    y = np.arange(6) % 10
    opts = (glasstorch.optim.SGD(gm.parameters(), lr=0.1, momentum=0.9),
            torch.optim.SGD(tm.parameters(), lr=0.1, momentum=0.9))
    for step in range(3):
        losses = []
        for lib, model, opt in ((torch, tm, opts[1]), (glasstorch, gm, opts[0])):
            lib.manual_seed(step)  # the same dropout masks
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert abs(losses[0] - losses[1]) < 1e-5, losses
    for (name, g), (_, t) in zip(gm.state_dict().items(), tm.state_dict().items()):
        np.testing.assert_allclose(np_of(g), np_of(t), rtol=1e-4, atol=1e-5, err_msg=name)
    gm.eval()
    tm.eval()
    check_layer(gm, tm, x, rtol=1e-4, atol=1e-5)
    checkpoints_cross(gm, tm)


def test_cnn_float64_gradcheck():
    x = np.random.default_rng(1).standard_normal((2, 1, 6, 6))
    for lib in (glasstorch, torch):
        lib.manual_seed(0)
        model = small_cnn(lib, lib.float64)
        model[4].p = 0.0  # gradcheck needs a deterministic function
        t = lib.tensor(x, requires_grad=True)
        assert lib.autograd.gradcheck(lambda t, m=model: m(t), (t,)), lib.__name__


def test_state_dict_keys_and_shapes():
    gm, tm = build(small_cnn)
    assert [(k, tuple(v.shape), str(v.dtype)) for k, v in gm.state_dict().items()] == \
        [(k, tuple(v.shape), str(v.dtype)) for k, v in tm.state_dict().items()]


def test_dropout2d_gradcheck_and_checkpoints():
    x = np.random.default_rng(2).standard_normal((3, 4, 2, 2))
    for lib in (glasstorch, torch):
        def drop(t, lib=lib):
            lib.manual_seed(0)  # the same mask at every evaluation
            return lib.nn.functional.dropout2d(t, 0.5)

        assert lib.autograd.gradcheck(drop, (lib.tensor(x, requires_grad=True),))
    for make in (lambda lib: lib.nn.Dropout2d(0.3), lambda lib: lib.nn.Dropout1d(0.3)):
        checkpoints_cross(*build(make))
