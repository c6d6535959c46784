"""Automatic differentiation: ``backward``, ``grad``, grad modes, ``Function``, ``gradcheck``.

How it works, in four files: ``function.py`` (the graph's nodes, recorded as ops run),
``engine.py`` (the walk from the loss back to the leaves), ``grad_mode.py`` (``no_grad`` and
friends) and ``gradcheck.py`` (finite differences against the analytical gradients).
"""

from __future__ import annotations

import numpy as np

from .. import coach as _coach
from . import anomaly_mode, forward_ad, graph  # noqa: F401
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .engine import run_backward
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck, gradgradcheck

__all__ = [
    "backward", "grad", "Function", "FunctionCtx", "once_differentiable", "gradcheck",
    "gradgradcheck", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "inference_mode", "detect_anomaly", "set_detect_anomaly", "Variable",
]


def _seq(x):
    from .._tensor import Tensor

    if x is None:
        return None
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _grad_arrays(outputs, grad_outputs):
    from .._tensor import Tensor

    grads = []
    for i, t in enumerate(outputs):
        g = None if grad_outputs is None else grad_outputs[i]
        if g is None:
            if t._data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs\n[glasstorch] The "
                    f"tensor has shape {list(t.shape)}; reduce it to one number first (a loss "
                    "is usually .mean() or .sum() of per-example values), or pass "
                    "gradient=torch.ones_like(t)."
                )
            if not t.is_floating_point():
                raise RuntimeError(
                    "grad can be implicitly created only for real scalar outputs but got "
                    f"{t.dtype}"
                )
            grads.append(np.ones(t._data.shape, t._data.dtype))
        else:
            ga = g._data if isinstance(g, Tensor) else np.asarray(g, t._data.dtype)
            if ga.shape != t._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {Size(ga.shape)} and "
                    f"output[{i}] has a shape of {Size(t._data.shape)}."
                )
            grads.append(ga)
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             inputs=None) -> None:
    """Add d(tensors)/d(leaf) into every leaf's ``.grad`` (see Tensor.backward)."""
    if create_graph:
        raise NotImplementedError(
            "create_graph=True (gradients of gradients) is not supported by glasstorch: its "
            "backward formulas run on NumPy arrays and are not recorded."
        )
    outputs = _seq(tensors)
    grads = _grad_arrays(outputs, _seq(grad_tensors))
    if grad_tensors is None and _coach._state.enabled:
        _coach.check_loss(outputs)  # a nan/inf loss?
    run_backward(outputs, grads, retain_graph=bool(retain_graph), inputs=_seq(inputs))


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` w.r.t. ``inputs``, returned (``.grad`` is left alone)."""
    from .._tensor import _make

    if create_graph:
        raise NotImplementedError(
            "create_graph=True (gradients of gradients) is not supported by glasstorch."
        )
    outs = _seq(outputs)
    ins = _seq(inputs)
    grads = _grad_arrays(outs, _seq(grad_outputs))
    captured = run_backward(outs, grads, retain_graph=bool(retain_graph), inputs=ins,
                            accumulate=False)
    result = []
    for i, (t, g) in enumerate(zip(ins, captured)):
        if g is None:
            if materialize_grads:
                result.append(_make(np.zeros(t._data.shape, t._data.dtype)))
                continue
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
        else:
            result.append(_make(np.array(g, t._data.dtype)))
    return tuple(result)


def Variable(data, requires_grad=False):  # noqa: N802 - PyTorch's old name
    """Old PyTorch (< 0.4) wrapper: today just a tensor."""
    return data.requires_grad_(requires_grad) if requires_grad else data


from .._size import Size  # noqa: E402
