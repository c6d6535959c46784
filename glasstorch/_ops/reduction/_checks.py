"""Argument checks of the reductions: PyTorch's exception types and texts (and, where they
help, a ``[glasstorch]`` line). Most also return the normalised arguments (wrapped dims, the
correction of var) that the functions in ``functions.py`` then use.
"""

from __future__ import annotations

import math

from ..._tensor import _wrap_dim
from ..._warnings import warn
from .._checks import axis, missing, no_kernel, numpy_names  # noqa: F401 - called as _checks.x


def dims(dim, ndim: int) -> tuple | None:
    """``dim`` (None, int, or a list/tuple of ints) as a sorted tuple of wrapped dims, or None
    for all of them."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
        ds = tuple(sorted(_wrap_dim(d, ndim) for d in dim))
        if len(set(ds)) != len(ds):
            raise RuntimeError("dim appears multiple times in the list of dims")
        return ds if ndim else ()
    d = _wrap_dim(dim, ndim)
    return (d,) if ndim else ()  # 0-d: dim 0 (or -1) is the tensor itself, no axis to reduce


def mean_dtype(input, dtype, op: str = "mean") -> None:
    """A mean of integers needs a float dtype to land in."""
    if dtype is None and input._data.dtype.kind != "f":
        raise RuntimeError(
            f"{op}(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input.dtype.scalar_name}\n[glasstorch] The tensor is "
            f"{input.dtype} (shape {list(input.shape)}); convert first: x.float().{op}() "
            "(integer tensors often hold labels or counts)."
        )


def mean(input, dim, dtype) -> tuple | None:
    """mean's dtype, then its dims (returned)."""
    mean_dtype(input, dtype)
    return dims(dim, input.ndim)


def nanmean(input) -> None:
    if input._data.dtype.kind != "f":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but "
                           f"got {input.dtype.scalar_name}")


def correction(unbiased, correction) -> int:
    """The number subtracted from N (``correction`` wins over the older ``unbiased``)."""
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def var_args(input, dim, unbiased, keepdim, correction_, op):
    """(dims, correction, keepdim) of var/std/var_mean/std_mean; floats only; PyTorch warns
    when nothing is left to divide by."""
    if isinstance(dim, bool):  # torch.var(x, False): the second positional is `unbiased`
        unbiased, dim = dim, None
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"{op}(): input dtype should be either floating point or complex dtypes. Got "
            f"{input.dtype.scalar_name} instead."
        )
    ds, corr = dims(dim, input.ndim), correction(unbiased, correction_)
    n = math.prod(input.shape[d] for d in ds) if ds is not None else input.numel()
    if n - corr <= 0:
        warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly less "
             "than the reduction factor (input numel divided by output numel).",
             UserWarning)
    return ds, corr, keepdim


def max_min(name: str, input, dim) -> int | None:
    """max/min of nothing has no value: PyTorch's errors. Returns the wrapped dim (or None)."""
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return None
    d = _wrap_dim(dim, input.ndim)
    if input.ndim and input.shape[d] == 0:
        raise IndexError(
            f"{name}(): Expected reduction dim {d} to have non-zero size."
        )
    return d


def nonempty(name: str, input, ds) -> None:
    """max-like reductions have no value over an empty dim: PyTorch's IndexError."""
    if input._data.size == 0:
        if ds is None:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        for d in ds or range(input.ndim):
            if input.shape[d] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def amax(name: str, input, dim) -> tuple | None:
    """amax/amin: dims (returned) that are not empty."""
    ds = dims(dim, input.ndim)
    if ds is None and input._data.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")
    nonempty(name, input, ds)
    return ds


def arg(name: str, input, dim) -> None:
    """argmax/argmin: no bools, nothing empty."""
    if input._data.dtype.kind == "b":
        raise RuntimeError(f"{name}(): does not support bool input")
    nonempty(name, input, None if dim is None else dims(dim, input.ndim))


def softmax(x, dim) -> int:
    """softmax and log_softmax: a float input; returns the wrapped dim (0-d: dim 0 or -1)."""
    d = _wrap_dim(dim, x.ndim)
    if x._data.dtype.kind != "f":
        raise no_kernel("softmax_lastdim_kernel_impl", x.dtype)
    return 0 if x.ndim == 0 else d


def norm(input) -> None:
    if not input.is_floating_point():
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {input.dtype.scalar_name}")


def topk(input, k, dim) -> int:
    """k within the size of the dim (returned wrapped); no bools."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if k > n or k < 0:
        raise RuntimeError("selected index k out of range")
    return d


def sum_to_size(input, size: tuple) -> tuple:
    """sum_to_size's size (ints, or one tuple of them): a shape ``input`` expands from."""
    if not size:
        raise TypeError('sum_to_size() missing 1 required positional arguments: "size"')
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(int(s) for s in size)
    shape = tuple(input.shape)
    ok = len(size) <= len(shape) and all(
        s == n or s == 1 for s, n in zip(size[::-1], shape[::-1]))
    if not ok:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    return size


def unique_dim(input, d: int) -> None:
    """unique along a dim: at most one empty dim, and that one the dim."""
    empty = [i for i, n in enumerate(input.shape) if n == 0]
    if len(empty) > 1:
        raise RuntimeError("Number of zero sized dimensions is more than one, so unique cannot "
                           "be applied ")
    if empty and empty[0] != d:
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique "
                           "cannot be applied")
