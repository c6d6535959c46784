"""Anomaly detection: find the operation whose backward produced nan (PyTorch's API)."""

from __future__ import annotations

from .._warnings import warn


class _Anomaly:
    enabled = False
    check_nan = True


_anomaly = _Anomaly()


def _switch(enabled: bool, check_nan: bool) -> None:
    from ._observers import refresh

    _anomaly.enabled, _anomaly.check_nan = enabled, check_nan
    refresh()  # forward observers registered with anomaly_mode_only=True start or stop


def is_anomaly_enabled() -> bool:
    return _anomaly.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _anomaly.check_nan


class detect_anomaly:
    """Context manager: while on, backward checks every node's output for nan."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            UserWarning,
        )
        self.prev = (_anomaly.enabled, _anomaly.check_nan)
        _switch(True, self.check_nan)

    def __exit__(self, *exc) -> None:
        _switch(*self.prev)


class set_detect_anomaly:
    """Turn anomaly detection on or off (also usable as a context manager)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (_anomaly.enabled, _anomaly.check_nan)
        _switch(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _switch(*self.prev)


def forward_trace() -> list[str]:
    """Where the current forward operation was called from (user code, not glasstorch)."""
    import traceback

    frames = [f for f in traceback.extract_stack()[:-2] if "/glasstorch/" not in f.filename]
    return traceback.format_list(frames[-6:])


def check_backward_output(node, grads) -> None:
    """Raise, as PyTorch does, when a node's backward produced nan; warn with the forward
    call that created the node."""
    import numpy as np

    for i, g in enumerate(grads):
        g = getattr(g, "_data", g)  # (a tensor under create_graph)
        if g is not None and np.issubdtype(np.asarray(g).dtype, np.floating) and \
                np.isnan(g).any():
            trace = "".join(getattr(node, "_anomaly_trace", None) or ["  (not recorded)\n"])
            warn(
                f"Error detected in {type(node).__name__}. Traceback of forward call that caused "
                f"the error:\n{trace}",
                UserWarning,
            )
            raise RuntimeError(
                f"Function '{type(node).__name__}' returned nan values in its {i}th output.\n"
                f"[glasstorch] The forward operation that made this node is shown in the warning "
                "above; typical causes are log(0), sqrt of 0 or of a negative number, 0/0 and "
                "overflow from a too-large learning rate."
            )
