"""safetensors files for glasstorch tensors, the way ``safetensors.torch`` does it for PyTorch.

A ``.safetensors`` file is an 8-byte little-endian header length N, N bytes of JSON naming
each tensor's dtype, shape and byte range, then the raw bytes. It holds only tensors (and a
``str -> str`` metadata dict), so loading one can never run code. The reading and writing is
done by the ``safetensors`` package's NumPy API; glasstorch adds the checks and messages of
``safetensors.torch`` and converts between arrays and tensors.

Install the optional extra with ``pip install glasstorch[safetensors]``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .serialization import _root  # the memory a tensor views: shared storages must be refused

__all__ = ["save_file", "load_file", "save", "load"]


def _numpy_api():
    try:
        import safetensors.numpy as st_numpy
    except ImportError:
        raise ImportError(
            "reading and writing .safetensors files needs the 'safetensors' package, which is "
            "not installed: pip install safetensors (or pip install 'glasstorch[safetensors]')"
        ) from None
    return st_numpy


def _arrays(tensors: dict[str, Any]) -> dict[str, np.ndarray]:
    """Check tensors as safetensors.torch does and return their arrays."""
    from ._tensor import Tensor

    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    arrays: dict[str, np.ndarray] = {}
    owners: dict[int, set[str]] = {}
    for key, t in tensors.items():
        if not isinstance(t, Tensor):
            raise ValueError(f"Key `{key}` is invalid, expected torch.Tensor but received "
                             f"{type(t)}")
        arr = t._data
        if not arr.flags.c_contiguous:
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{key}` which is not allowed. "
                "It either means you are trying to save tensors which are reference of each "
                "other in which case it's recommended to save only the full tensors, and "
                "reslice at load time, or simply call `.contiguous()` on your tensor to pack "
                "it before saving."
            )
        if arr.size:
            owners.setdefault(id(_root(arr)), set()).add(key)
        arrays[key] = arr
    shared = [names for names in owners.values() if len(names) > 1]
    if shared:
        # the file format has no notion of sharing: tied weights would come back as copies
        raise RuntimeError(
            "Some tensors share memory, this will lead to duplicate memory on disk and "
            f"potential differences when loading them again: {shared}. Save only one of the "
            "tied tensors (and tie them again after loading), or .clone() the others."
        )
    return arrays


def _check_metadata(metadata) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise TypeError("metadata must be a dict of str to str, as the safetensors format "
                        f"requires; got {metadata!r:.80}")


def save_file(tensors: dict[str, Any], filename: str | os.PathLike,
              metadata: dict[str, str] | None = None) -> None:
    """Write a dict of tensors (contiguous, not sharing memory) to a ``.safetensors`` file."""
    st = _numpy_api()
    arrays = _arrays(tensors)
    _check_metadata(metadata)
    st.save_file(arrays, filename, metadata=metadata)


def save(tensors: dict[str, Any], metadata: dict[str, str] | None = None) -> bytes:
    """The bytes of a ``.safetensors`` file holding ``tensors``."""
    st = _numpy_api()
    arrays = _arrays(tensors)
    _check_metadata(metadata)
    return st.save(arrays, metadata=metadata)


def _tensors(arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    from ._dtype import from_numpy_dtype
    from ._tensor import Tensor

    out = {}
    for key, arr in arrays.items():
        from_numpy_dtype(arr.dtype)  # a dtype glasstorch lacks gets the usual TypeError
        # own, writable memory: the file's mapping may be read-only and must not be kept open
        out[key] = Tensor._from_array(np.array(arr, copy=True))
    return out


def load_file(filename: str | os.PathLike, device: str = "cpu") -> dict[str, Any]:
    """Read a ``.safetensors`` file into a dict of glasstorch tensors (in the file's order)."""
    from ._device import check_device

    check_device(device)
    st = _numpy_api()
    if not os.path.exists(filename):
        raise FileNotFoundError(2, "No such file or directory", os.fspath(filename))
    try:
        arrays = st.load_file(filename)
    except Exception as e:  # the package raises its own SafetensorError for damaged files
        raise RuntimeError(f"could not read safetensors file {os.fspath(filename)!r}: {e}. The "
                           "file is truncated, damaged, or holds a dtype NumPy lacks "
                           "(bfloat16).") from None
    return _tensors(arrays)


def load(data: bytes) -> dict[str, Any]:
    """Read the bytes of a ``.safetensors`` file into a dict of glasstorch tensors."""
    st = _numpy_api()
    try:
        arrays = st.load(data)
    except Exception as e:
        raise RuntimeError(f"could not read safetensors data: {e}") from None
    return _tensors(arrays)
