"""Machinery behind the DataLoader: collation, fetching, worker processes.

Mirrors ``torch/utils/data/_utils``. Nothing here is public API; the public names are
re-exported from :mod:`glasstorch.utils.data`.
"""

from __future__ import annotations

import atexit
import sys
import traceback

IS_WINDOWS = sys.platform == "win32"

# How long (seconds) the main process waits on the result queue before it checks that every
# worker is still alive, and how long a worker waits on its index queue before it checks that
# its parent is still alive. PyTorch uses 5 s plus a SIGCHLD handler; glasstorch polls more
# often instead, so a killed worker is noticed within a fraction of a second without
# installing signal handlers.
MP_STATUS_CHECK_INTERVAL = 0.25
WORKER_STATUS_CHECK_INTERVAL = 0.2

# Set once the interpreter starts shutting down. Worker shutdown then only terminates the
# processes: queues, threads and modules may already be half torn down.
python_exit_status = False


def _set_python_exit_flag() -> None:
    global python_exit_status
    python_exit_status = True


atexit.register(_set_python_exit_flag)


class KeyErrorMessage(str):
    """A str whose repr is itself, so a re-raised KeyError prints its traceback readably."""

    __slots__ = ()

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """An exception plus its formatted traceback, picklable so it can cross process borders.

    Only the type and the traceback text travel (the traceback object itself cannot be
    pickled). ``reraise()`` raises a new exception of the same type whose message is
    ``Caught <Name> <where>.\\nOriginal Traceback (most recent call last): ...``.
    """

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the wrapped exception again in this process (PyTorch's rules)."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            # Some exception classes take their text only as a keyword.
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            # Constructors that need several arguments: fall back to a RuntimeError.
            raise RuntimeError(msg) from None
        raise exception


from . import collate, fetch, pin_memory, signal_handling, worker  # noqa: E402

__all__ = [
    "ExceptionWrapper",
    "MP_STATUS_CHECK_INTERVAL",
    "collate",
    "fetch",
    "pin_memory",
    "signal_handling",
    "worker",
]
