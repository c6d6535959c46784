"""The ``reduction`` argument of the losses: 'mean', 'sum' or 'none' (PyTorch has this room too).

:func:`get` validates the string and turns the legacy ``size_average`` / ``reduce`` flags into
it (with PyTorch's deprecation warning); :func:`reduce` and :func:`unreduce` are the forward and
the backward of a reduction inside a loss node.
"""

from __future__ import annotations

import numpy as np

from .._warnings import warn

__all__ = ["get", "kl_div", "legacy_get_string", "reduce", "unreduce"]


def legacy_get_string(size_average: bool | None, reduce: bool | None,
                      stacklevel: int = 4) -> str:
    """The reduction the legacy flags ask for (both default to True), with PyTorch's warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = ("mean" if size_average else "sum") if reduce else "none"
    warn(f"size_average and reduce args will be deprecated, please use "
         f"reduction='{reduction}' instead.")
    return reduction


def get(reduction: str, size_average: bool | None = None, reduce: bool | None = None) -> str:
    """Validate ``reduction``; the legacy ``size_average`` / ``reduce`` flags override it."""
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce)
    if reduction == "elementwise_mean":
        warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
             "instead.")
        return "mean"
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def kl_div(reduction: str, size_average: bool | None = None,
           reduce: bool | None = None) -> str:
    """kl_div also takes 'batchmean'; its 'mean' warns that it divides by every element."""
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce, stacklevel=4)
    if reduction == "mean":
        warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
        )
    return reduction if reduction == "batchmean" else get(reduction)


def reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    """Apply ``reduction`` to elementwise losses (the mean of nothing is nan, as in PyTorch)."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype=loss.dtype)
    if loss.size == 0:
        return np.asarray(np.nan, dtype=loss.dtype)
    return np.asarray(loss.sum() / loss.dtype.type(loss.size), dtype=loss.dtype)


def unreduce(grad: np.ndarray, reduction: str, n: int) -> np.ndarray:
    """The gradient of the reduction: what each elementwise loss receives."""
    return grad / n if reduction == "mean" and n else grad
