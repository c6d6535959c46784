"""Grad mode: whether operations are recorded for backward (thread-local, on by default)."""

from __future__ import annotations

import functools
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode"]


class _State(threading.local):
    enabled = True


_state = _State()


def is_grad_enabled() -> bool:
    return _state.enabled


class _GradModeContext:
    """Base of the grad-mode switches: a context manager that also decorates functions."""

    _mode: bool

    def __enter__(self) -> None:
        self._prev = _state.enabled
        _state.enabled = self._mode

    def __exit__(self, *exc) -> None:
        _state.enabled = self._prev

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__._fresh(self):
                return func(*args, **kwargs)

        return wrapper

    @staticmethod
    def _fresh(ctx):
        return ctx.clone()

    def clone(self):
        return self.__class__()


class no_grad(_GradModeContext):
    """Stop recording operations: use for evaluation and for hand-written parameter updates."""

    _mode = False

    def __new__(cls, orig_func=None):
        # `@no_grad` without parentheses decorates directly, as in PyTorch 2.
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class enable_grad(_GradModeContext):
    """Record operations again inside a ``no_grad`` block."""

    _mode = True


class set_grad_enabled(_GradModeContext):
    """Turn recording on or off: a function call, a context manager or a decorator."""

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._prev = _state.enabled
        _state.enabled = self._mode  # takes effect at once when called as a plain function

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _state.enabled = self._prev

    def __call__(self, func):
        # `@set_grad_enabled(False)` set the mode while decorating: undo that, as PyTorch does
        _state.enabled = self._prev
        return super().__call__(func)

    def clone(self):
        c = object.__new__(set_grad_enabled)
        c._mode = self._mode
        return c

    @staticmethod
    def _fresh(ctx):
        c = ctx.clone()
        c._prev = _state.enabled
        _state.enabled = c._mode
        return c


class inference_mode(no_grad):
    """Like ``no_grad`` (glasstorch has no separate inference tensors)."""

    def __new__(cls, mode=True):
        if callable(mode):
            return cls()(mode)
        return object.__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self._mode = not mode

    def clone(self):
        return inference_mode(not self._mode)
