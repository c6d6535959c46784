"""The registry behind autograd.graph.register_forward_observer / _backward_observer (a module
of its own, so that function.py, engine.py and anomaly_mode.py can use it without a cycle).

``record`` calls ``node._forward_observers``: a tuple kept on the node classes by
:func:`refresh` -- on ``Node`` the observers of every operation, on a class that some observer
asked for (and so on its subclasses) those plus its own. An operation nobody observes pays one
attribute read.
"""

from __future__ import annotations

from collections.abc import Callable

# (fn, node classes or None for every operation, only while anomaly detection is on)
_forward: list[tuple[Callable, tuple[type, ...] | None, bool]] = []
_backward_observers: list[Callable] = []
_own: set[type] = set()  # the classes given a tuple of their own by the last refresh


def refresh() -> None:
    """Recompute the node classes' observer tuples (after a registration or removal, and when
    anomaly detection is switched)."""
    from .anomaly_mode import _anomaly
    from .function import Node

    active = [(fn, nodes) for fn, nodes, anomaly_only in _forward
              if not anomaly_only or _anomaly.enabled]
    for cls in _own:
        if "_forward_observers" in cls.__dict__ and cls is not Node:
            del cls._forward_observers
    Node._forward_observers = tuple(fn for fn, nodes in active if nodes is None)
    _own.clear()
    for cls in {c for _, nodes in active if nodes for c in nodes}:
        cls._forward_observers = tuple(fn for fn, nodes in active
                                       if nodes is None or issubclass(cls, nodes))
        _own.add(cls)


def add_forward(fn: Callable, nodes: tuple[type, ...] | None, anomaly_only: bool) -> _Handle:
    entry = (fn, nodes, anomaly_only)
    _forward.append(entry)
    refresh()
    return _Handle(_forward, entry, refresh)


class _Handle:
    """``handle.remove()`` unregisters the observer (also usable as a context manager)."""

    def __init__(self, registry: list, entry, on_change: Callable | None = None) -> None:
        self._registry, self._entry, self._on_change = registry, entry, on_change

    def remove(self) -> None:
        for i, e in enumerate(self._registry):
            if e is self._entry:
                del self._registry[i]
                if self._on_change is not None:
                    self._on_change()
                return

    def __enter__(self) -> _Handle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
