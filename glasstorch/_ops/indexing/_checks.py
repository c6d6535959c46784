"""Argument checks of the indexing ops: PyTorch's exception types and texts (and, where they
help, a ``[glasstorch]`` line). Some return the normalised arguments (a NumPy key, a wrapped
dim) that ``functions.py`` and ``methods.py`` then use; ``index_error`` turns NumPy's
IndexError into PyTorch's.
"""

from __future__ import annotations

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor, _wrap_dim
from .._checks import axis, broadcast, scalar, writable  # noqa: F401 - shared, called as _checks.x


def index_key(key) -> tuple[tuple, bool]:
    """A user's index as a NumPy one, and whether it is basic (ints, slices, None, ``...``:
    the result is a view)."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    basic = True
    for k in key:
        if isinstance(k, Tensor):
            a = k._data
            if a.dtype == np.bool_ or a.ndim:
                basic = False
                out.append(a)
            elif a.dtype.kind in "iu":
                out.append(int(a))
            else:
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
        elif isinstance(k, (list, np.ndarray)):
            a = np.asarray(k)
            if a.dtype.kind not in "biu":
                if a.size == 0:
                    a = a.astype(np.int64)
                else:
                    raise IndexError(
                        "tensors used as indices must be long, int, byte or bool tensors"
                    )
            basic = False
            out.append(a)
        elif isinstance(k, slice):
            if k.step is not None and _int(k.step) <= 0:
                raise ValueError("step must be greater than zero")
            out.append(slice(_int(k.start), _int(k.stop), _int(k.step)))
        elif k is None or k is Ellipsis:
            out.append(k)
        elif isinstance(k, (bool, np.bool_)):
            basic = False
            out.append(k)
        elif isinstance(k, str):  # PyTorch tries to build an index tensor from it
            raise TypeError(f"new(): invalid data type '{type(k).__name__}'")
        else:
            try:
                out.append(int(k.__index__()))
            except (AttributeError, TypeError):
                raise IndexError(
                    "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                    "Variables are valid indices (got " + type(k).__name__ + ")"
                ) from None
    return tuple(out), basic


def _int(v):
    if v is None or isinstance(v, int):
        return v
    return int(v.__index__())


def index_error(e: IndexError, shape) -> IndexError:
    """NumPy's IndexError in PyTorch's words (returned, for the caller to raise)."""
    msg = str(e)
    if "out of bounds" in msg:
        msg = msg.replace("axis", "dimension")
        return IndexError(
            f"{msg}\n[glasstorch] Valid indices along a dimension of size n are 0..n-1 (or "
            f"-n..-1); the tensor has shape {list(shape)}."
        )
    if "too many indices" in msg:
        return IndexError(
            f"too many indices for tensor of dimension {len(shape)}"
        )
    return IndexError(msg)


def setitem(self, k: tuple, basic: bool, value) -> None:
    """``x[indices] = v`` (index_put_) does not convert v's dtype; ``x[1:] = v`` and a
    one-element v under a bool mask (masked_fill_) do."""
    masked_fill = len(k) == 1 and getattr(k[0], "dtype", None) == np.bool_ and \
        isinstance(value, Tensor) and value._data.size == 1
    if not basic and isinstance(value, Tensor) and value.dtype is not self.dtype and \
            not masked_fill and (any(isinstance(e, np.ndarray) for e in k) or (
                len(k) > 1 and any(isinstance(e, (bool, np.bool_)) for e in k))):
        index_put(self, value)


def setitem_shape_error(self, k: tuple, value) -> RuntimeError:
    """PyTorch's error for a value that does not fit the indexed region (returned)."""
    v_shape = list(np.shape(value._data if isinstance(value, Tensor) else value))
    return RuntimeError(
        f"shape mismatch: value tensor of shape {v_shape} cannot be broadcast to indexing "
        f"result of shape {list(np.shape(self._data[k]))}"
    )


def index_put(input, values) -> None:
    if isinstance(values, Tensor) and values.dtype is not input.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{input.dtype.scalar_name} for the destination and {values.dtype.scalar_name} for "
            "the source."
        )


def index_dtype(index, name: str) -> None:
    if index.dtype is not D.int64:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")


def gather(input, dim, index) -> int:
    """An int64 index with as many dims as the input; returns the dim wrapped."""
    index_dtype(index, "gather")
    d = _wrap_dim(dim, input.ndim)
    if index.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    return d


def scatter(input, dim, index, name: str) -> int:
    """An int64 index; returns the dim wrapped."""
    index_dtype(index, name)
    return _wrap_dim(dim, input.ndim)


def index_select(input, dim, index) -> int:
    """A vector of indices; returns the dim wrapped."""
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    return _wrap_dim(dim, input.ndim)


def masked_fill(input, mask) -> np.ndarray:
    """The mask as a bool array that broadcasts to the input."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    broadcast(input, m, "masked_fill")
    if m.dtype != np.bool_:
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{D.from_numpy_dtype(m.dtype)}"
        )
    return m


def take(input, index) -> np.ndarray:
    """The flat indices as an array, each within the number of elements."""
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    n = input.numel()
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return idx


def bincount(input) -> None:
    if input.ndim != 1 or input._data.dtype.kind not in "iub":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")


def select(input, dim, index) -> int:
    """An index within the dim's size; returns the dim wrapped."""
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 0
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
            f"dimension {d}"
        )
    return d
