"""Tensors meeting NumPy: conversions, NumPy functions on tensors, arrays as operands.

Differential: the same expression on glasstorch and on torch gives the same type, dtype and
values, or the same exception type and first line, and the same warnings (category and first
line). Also the NumPy-2 ``__array__(dtype, copy)`` keywords glasstorch honours.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import glasstorch
from tests.harness import LIBS, assert_same


def _outcome(fn, lib):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=DeprecationWarning)  # torch's NumPy-2 notes
        try:
            result = ("ok", fn(lib))
        except Exception as e:  # noqa: BLE001 - compared below
            result = ("err", e)
    return result, [(w.category, str(w.message).split("\n")[0]) for w in caught]


CASES = {
    "np.exp(float tensor)": lambda lib: np.exp(lib.tensor([1.0, 2.0])),
    "np.exp(int tensor)": lambda lib: np.exp(lib.tensor([1, 2])),
    "np.add(tensor, 1)": lambda lib: np.add(lib.tensor([1.0, 2.0]), 1),
    "np.greater(tensor, 1)": lambda lib: np.greater(lib.tensor([1.0, 2.0]), 1),
    "np.add.reduce(tensor)": lambda lib: np.add.reduce(lib.tensor([1.0, 2.0])),
    "np.maximum(tensor, 0)": lambda lib: np.maximum(lib.tensor([-1.0, 2.0]), 0),
    "np.where(t > 1, t, 0)": lambda lib: np.where(lib.tensor([1.0, 2.0]) > 1,
                                                   lib.tensor([1.0, 2.0]), 0),
    "tensor * float64 array": lambda lib: lib.tensor([1.0, 2.0]) * np.array([1.0, 2.0]),
    "tensor + float32 array": lambda lib: lib.tensor([1.0, 2.0]) + np.ones(2, np.float32),
    "tensor + 0-d array": lambda lib: lib.tensor([1.0, 2.0]) + np.array(2.0),
    "tensor + np.float64": lambda lib: lib.tensor([1.0, 2.0]) + np.float64(2.0),
    "np.float64 * tensor": lambda lib: np.float64(2.0) * lib.tensor([1.0, 2.0]),
    "np.float64 * grad tensor": lambda lib: np.float64(2.0) * lib.tensor([1.0, 2.0],
                                                                           requires_grad=True),
    "np.array(tensor)": lambda lib: np.array(lib.tensor([1.0, 2.0])),
    "np.array(tensor, float64)": lambda lib: np.array(lib.tensor([1.0, 2.0]), np.float64),
    "np.array(grad tensor)": lambda lib: np.array(lib.tensor([1.0], requires_grad=True)),
    "np.asarray(grad tensor)": lambda lib: np.asarray(lib.tensor([1.0], requires_grad=True)),
    "np.exp(grad tensor)": lambda lib: np.exp(lib.tensor([1.0], requires_grad=True)),
    "grad tensor * array": lambda lib: lib.tensor([1.0], requires_grad=True) * np.ones(1),
    "grad tensor .numpy()": lambda lib: lib.tensor([1.0], requires_grad=True).numpy(),
    "int(grad tensor)": lambda lib: int(lib.tensor(3.0, requires_grad=True)),
    "grad tensor .item()": lambda lib: lib.tensor(3.0, requires_grad=True).item(),
    "float(2-element tensor)": lambda lib: float(lib.tensor([1.0, 2.0])),
    "np.float32(tensor)": lambda lib: np.float32(lib.tensor(2.5)),
}


@pytest.mark.parametrize("name", CASES)
def test_numpy_meets_tensors_as_in_torch(name):
    fn = CASES[name]
    (gk, gout), gwarn = _outcome(fn, glasstorch)
    (tk, tout), twarn = _outcome(fn, torch)
    assert gk == tk, (gout, tout)
    if tk == "err":
        assert type(gout) is type(tout), (gout, tout)
        assert str(gout).split("\n")[0] == str(tout).split("\n")[0]
    elif isinstance(tout, torch.Tensor):
        assert_same(gout, tout)
    else:
        assert type(gout) is type(tout), (gout, tout)
        np.testing.assert_array_equal(np.asarray(gout), np.asarray(tout))
        assert np.asarray(gout).dtype == np.asarray(tout).dtype
    assert [c for c, _ in gwarn] == [c for c, _ in twarn], (gwarn, twarn)
    for (_, g), (_, t) in zip(gwarn, twarn):
        assert g == t or t.startswith(g) or g.startswith(t.split(" (Triggered")[0]), (g, t)


def test_array_takes_numpy2_dtype_and_copy_keywords():
    t = glasstorch.tensor([1.0, 2.0])
    assert np.shares_memory(np.asarray(t), t.numpy())
    assert np.shares_memory(np.array(t, copy=False), t.numpy())
    assert not np.shares_memory(np.array(t, copy=True), t.numpy())
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    with pytest.raises(ValueError):
        np.array(t, dtype=np.float64, copy=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DeprecationWarning about missing keywords
        t.__array__(np.float32, copy=None)


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_detach_then_numpy_is_the_way_out(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(np.asarray(x.detach()), [1.0, 2.0])


def test_float_of_a_tracked_tensor_warns_as_torch_does():
    """PyTorch warns once per process, so its text is read in a fresh interpreter."""
    import subprocess
    import sys

    code = ("import warnings, torch\nwith warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    float(torch.tensor(3.0, requires_grad=True))\n"
            "print(w[0].category.__name__); print(str(w[0].message).splitlines()[0])")
    torch_says = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                timeout=120, check=True).stdout.splitlines()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert float(glasstorch.tensor(3.0, requires_grad=True)) == 3.0
    assert [w.category.__name__ for w in caught] == [torch_says[0]]
    assert str(caught[0].message).splitlines()[0] == torch_says[1]
    assert caught[0].filename == __file__  # points at the learner's line
