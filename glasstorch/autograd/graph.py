"""Graph inspection and hook points (PyTorch's ``torch.autograd.graph``).

Besides PyTorch's ``Node``, this module holds glasstorch's two observer hook points, through
which tools outside the framework (the coach in ``glasstorch/teaching/``) watch it work without
the framework knowing about them:

* forward observers are called as ``fn(node, inputs, outputs)`` after a recorded operation's
  forward (``outputs``: the result array, or a tuple of arrays), in grad mode or not; an
  observer can ask for some operations only (``nodes=``), or only while anomaly detection is on;
* backward observers are called as ``fn(outputs, grad_outputs)`` when ``backward()`` starts.

An operation that no observer asked for costs one attribute read; see ``_observers.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ._observers import _backward_observers, _Handle, add_forward
from .function import Node

__all__ = ["Node", "register_forward_observer", "register_backward_observer"]


def register_forward_observer(fn: Callable, *, nodes: Iterable[type[Node]] | None = None,
                              anomaly_mode_only: bool = False) -> _Handle:
    """Call ``fn(node, inputs, outputs)`` after every recorded operation (glasstorch only).

    ``nodes``: only after operations whose node is an instance of one of these classes (e.g.
    ``LogSoftmaxBackward0``); the others do not call ``fn`` at all. ``anomaly_mode_only``: only
    while anomaly detection is on (``torch.autograd.set_detect_anomaly(True)``).
    ``handle.remove()`` unregisters it."""
    return add_forward(fn, None if nodes is None else tuple(nodes), anomaly_mode_only)


def register_backward_observer(fn: Callable) -> _Handle:
    """Call ``fn(outputs, grad_outputs)`` when ``backward()`` starts (glasstorch only)."""
    _backward_observers.append(fn)
    return _Handle(_backward_observers, fn)
