"""The observer lists behind autograd.graph.register_forward_observer / _backward_observer
(a module of their own, so that function.py and engine.py can read them without a cycle)."""

from __future__ import annotations

from collections.abc import Callable

_forward_observers: list[Callable] = []
_backward_observers: list[Callable] = []


class _ObserverHandle:
    """``handle.remove()`` unregisters the observer (also usable as a context manager)."""

    def __init__(self, observers: list, fn: Callable) -> None:
        self._observers, self._fn = observers, fn

    def remove(self) -> None:
        if self._fn in self._observers:
            self._observers.remove(self._fn)

    def __enter__(self) -> _ObserverHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
