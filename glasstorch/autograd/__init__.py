"""Automatic differentiation: ``backward``, ``grad``, grad modes, ``Function``, ``gradcheck``.

How it works, in four files: ``function.py`` (the graph's nodes, recorded as ops run),
``engine.py`` (the walk from the loss back to the leaves), ``grad_mode.py`` (``no_grad`` and
friends) and ``gradcheck.py`` (finite differences against the analytical gradients).
"""

from __future__ import annotations

import numpy as np

from .._warnings import warn
from . import anomaly_mode, forward_ad, functional, graph  # noqa: F401
from ._observers import _backward_observers
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


def _grad_arrays(outputs, grad_outputs, create_graph: bool = False) -> list:
    """The gradients backward starts from: ``grad_outputs``, or ones for a scalar output.
    With ``create_graph`` they stay tensors (a given gradient may itself be in a graph)."""
    from .._tensor import Tensor, _make

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
            g = np.ones(t._data.shape, t._data.dtype)
        else:
            ga = g._data if isinstance(g, Tensor) else np.asarray(g, t._data.dtype)
            if ga.shape != t._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {Size(ga.shape)} and "
                    f"output[{i}] has a shape of {Size(t._data.shape)}."
                )
            if not (create_graph and isinstance(g, Tensor)):
                g = ga
        grads.append(_make(g) if create_graph and isinstance(g, np.ndarray) else g)
    return grads


_warned_once = {"create_graph": False}


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             inputs=None) -> None:
    """Add d(tensors)/d(leaf) into every leaf's ``.grad`` (see Tensor.backward). With
    ``create_graph`` the gradients are recorded too, so they can be differentiated again."""
    outputs = _seq(tensors)
    grads = _grad_arrays(outputs, _seq(grad_tensors), create_graph)
    for observe in _backward_observers:  # e.g. the coach's check for a nan/inf loss
        observe(outputs, grad_tensors)
    if create_graph and not _warned_once["create_graph"]:  # once per process, as PyTorch
        _warned_once["create_graph"] = True
        warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after use "
            "to break the cycle and avoid the leak. (Triggered internally at "
            "/__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)", UserWarning)
    retain = create_graph if retain_graph is None else retain_graph
    run_backward(outputs, grads, retain_graph=bool(retain), inputs=_seq(inputs),
                 create_graph=create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` w.r.t. ``inputs``, returned (``.grad`` is left alone).
    With ``create_graph`` they are part of the graph: ``grad`` of a ``grad`` gives second
    derivatives (Hessian-vector products, gradient penalties)."""
    from .._tensor import Tensor, _make

    outs = _seq(outputs)
    ins = _seq(inputs)
    grads = _grad_arrays(outs, _seq(grad_outputs), create_graph)
    retain = create_graph if retain_graph is None else retain_graph
    captured = run_backward(outs, grads, retain_graph=bool(retain), inputs=ins,
                            accumulate=False, create_graph=create_graph)
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
        elif isinstance(g, Tensor):
            result.append(g)  # create_graph: the gradient stays in the graph
        else:
            result.append(_make(np.array(g, t._data.dtype)))
    return tuple(result)


def Variable(data, requires_grad=False):  # noqa: N802 - PyTorch's old name
    """Old PyTorch (< 0.4) wrapper: today just a tensor."""
    return data.requires_grad_(requires_grad) if requires_grad else data


from .._size import Size  # noqa: E402
