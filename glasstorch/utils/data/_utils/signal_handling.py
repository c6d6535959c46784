"""How the DataLoader notices dead workers.

PyTorch installs a SIGCHLD handler (in C++) that raises in the main process when a worker
dies, and SIGSEGV/SIGBUS handlers in the workers that print a message first. glasstorch stays
in Python and polls instead: the main process never waits on the result queue for longer
than ``MP_STATUS_CHECK_INTERVAL`` before checking ``Process.is_alive()`` of every worker, so
a worker killed by a signal (or the out-of-memory killer) turns into
``RuntimeError: DataLoader worker (pid(s) N) exited unexpectedly`` within a fraction of a
second. Workers, in turn, poll their parent's pid and exit when it has gone.
"""

from __future__ import annotations

import faulthandler
import signal
import sys


def _set_worker_signal_handlers() -> None:
    """In a worker: print a Python traceback on a fatal signal (segfault, bus error), so the
    crash the main process reports has an explanation on stderr."""
    try:
        faulthandler.enable(file=sys.stderr, all_threads=False)
    except (ValueError, OSError, AttributeError):  # stderr closed or replaced
        pass


def _restore_default_sigint() -> None:
    """In a worker: Ctrl-C reaches the whole process group; the worker exits quietly and lets
    the main process report the KeyboardInterrupt."""
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:  # not the main thread
        pass


def _set_SIGCHLD_handler() -> None:
    """Kept for layout parity with PyTorch; glasstorch polls worker liveness instead."""
