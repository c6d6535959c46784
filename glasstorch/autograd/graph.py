"""Graph inspection and hook points (PyTorch's ``torch.autograd.graph``).

Besides PyTorch's ``Node``, this module holds glasstorch's two observer lists, the hook points
through which tools outside the framework (anomaly mode, the coach) watch it work without the
framework knowing about them:

* forward observers are called as ``fn(node, inputs, outputs)`` after every recorded
  operation's forward (``outputs``: the result array, or a tuple of arrays);
* backward observers are called as ``fn(outputs, grad_outputs)`` when ``backward()`` starts.

With no observer registered, each costs one list test per operation.
"""

from __future__ import annotations

from collections.abc import Callable

from ._observers import _backward_observers, _forward_observers, _ObserverHandle
from .function import Node

__all__ = ["Node", "register_forward_observer", "register_backward_observer"]


def register_forward_observer(fn: Callable) -> _ObserverHandle:
    """Call ``fn(node, inputs, outputs)`` after every recorded operation (glasstorch only)."""
    _forward_observers.append(fn)
    return _ObserverHandle(_forward_observers, fn)


def register_backward_observer(fn: Callable) -> _ObserverHandle:
    """Call ``fn(outputs, grad_outputs)`` when ``backward()`` starts (glasstorch only)."""
    _backward_observers.append(fn)
    return _ObserverHandle(_backward_observers, fn)
