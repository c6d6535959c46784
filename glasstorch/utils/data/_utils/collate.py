"""Turning a list of samples into a batch (``default_collate``) and samples into tensors
(``default_convert``), with PyTorch's rules per type.

Rules of ``default_collate``, decided by the type of the FIRST sample of the batch:

=====================  ==================================================================
Tensor                 ``stack`` along a new dimension 0
NumPy array            each converted with ``as_tensor``, then stacked (string/object
                       arrays raise TypeError)
NumPy scalar           ``as_tensor(batch)`` (the NumPy dtype is kept)
Python float           float64 tensor (not the default float32!)
Python int / bool      ``tensor(batch)``: int64, or bool when every sample is a bool
str / bytes            left as the list of strings
Mapping                the same mapping type, each key collated separately
namedtuple             the same namedtuple type, each field collated
tuple                  a LIST with one collated entry per field (kept for compatibility)
other sequence         the same sequence type, one collated entry per position; samples
                       of unequal length raise ``each element in list of batch should be
                       of equal size``
=====================  ==================================================================
"""

from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable
from typing import Any

import numpy as np

import glasstorch

# NumPy dtype strings of text and object arrays ("<U5", "|S3", "|O"): these cannot be tensors.
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, "
    "dicts or lists; found {}"
)

CollateFnMap = dict[type | tuple[type, ...], Callable]


def _is_numpy_non_string(obj: Any) -> bool:
    kind = type(obj)
    return kind.__module__ == "numpy" and kind.__name__ not in ("str_", "string_", "bytes_")


def default_convert(data: Any) -> Any:
    """Convert NumPy arrays and scalars inside ``data`` to tensors, keeping the structure.

    Used instead of ``default_collate`` when batching is off (``batch_size=None``). Tensors,
    Python numbers and strings are returned unchanged; tuples become lists, namedtuples,
    mappings and other sequences keep their type.
    """
    kind = type(data)
    if isinstance(data, glasstorch.Tensor):
        return data
    if _is_numpy_non_string(data):
        if kind.__name__ == "ndarray" and np_str_obj_array_pattern.search(data.dtype.str):
            return data
        return glasstorch.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        return _rebuild_mapping(data, converted)
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return kind(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _rebuild_mapping(template: collections.abc.Mapping, values: dict) -> Any:
    """A mapping of ``template``'s type holding ``values``; a plain dict if that is impossible."""
    try:
        if isinstance(template, collections.abc.MutableMapping):
            # copy() keeps any extra state of the mapping class (e.g. OrderedDict order,
            # defaultdict factory), which calling the type would lose.
            clone = copy.copy(template)
            clone.update(values)
            return clone
        return type(template)(values)
    except TypeError:
        return values


def _rebuild_sequence(template: collections.abc.Sequence, values: list) -> Any:
    """A sequence of ``template``'s type holding ``values``; a list if that is impossible."""
    try:
        if isinstance(template, collections.abc.MutableSequence):
            clone = copy.copy(template)
            for i, value in enumerate(values):
                clone[i] = value
            return clone
        return type(template)(values)
    except TypeError:  # e.g. range cannot be built from a list
        return values


def collate(batch: list, *, collate_fn_map: CollateFnMap | None = None) -> Any:
    """Collate ``batch`` using ``collate_fn_map`` (type -> function) for the leaf types and the
    built-in rules for containers. Exact type matches win over ``isinstance`` matches."""
    elem = batch[0]
    kind = type(elem)

    if collate_fn_map is not None:
        if kind in collate_fn_map:
            return collate_fn_map[kind](batch, collate_fn_map=collate_fn_map)
        for leaf_type, fn in collate_fn_map.items():
            if isinstance(elem, leaf_type):
                return fn(batch, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        values = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                  for key in elem}
        return _rebuild_mapping(elem, values)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return kind(*(collate(list(field), collate_fn_map=collate_fn_map)
                      for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            odd = next(i for i, sample in enumerate(batch) if len(sample) != size)
            raise RuntimeError(
                "each element in list of batch should be of equal size\n"
                f"[glasstorch] sample 0 of the batch has length {size} but sample {odd} has "
                f"length {len(batch[odd])}; pad the samples to one length or pass a "
                "collate_fn that handles varying lengths"
            )
        columns = [collate(list(col), collate_fn_map=collate_fn_map) for col in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # tuples collate to a list: PyTorch keeps this for compatibility
        return _rebuild_sequence(elem, columns)

    raise TypeError(default_collate_err_msg_format.format(kind))


def collate_tensor_fn(batch: list, *, collate_fn_map: CollateFnMap | None = None) -> Any:
    """Stack tensors along a new leading dimension."""
    tensor_cls = glasstorch.Tensor
    first = batch[0]
    shape, dtype = first._data.shape, first._data.dtype
    # Plain tensors outside autograd of one shape and dtype: one np.stack, no graph needed.
    # Anything else (grad-requiring, mixed shapes or dtypes) goes through glasstorch.stack,
    # which records the graph, promotes dtypes and raises PyTorch's shape error.
    plain = all(
        type(t) is tensor_cls and not t.requires_grad and t._data.shape == shape
        and t._data.dtype == dtype
        for t in batch
    )
    if plain:
        return tensor_cls._make(np.stack([t._data for t in batch]))
    return glasstorch.stack(batch, 0)


def collate_numpy_array_fn(batch: list, *, collate_fn_map: CollateFnMap | None = None) -> Any:
    """Convert each array with ``as_tensor`` and collate the tensors."""
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([glasstorch.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch: list, *, collate_fn_map: CollateFnMap | None = None) -> Any:
    """NumPy scalars keep their (promoted) NumPy dtype."""
    arr = np.asarray(batch)
    if arr.dtype == object:
        return glasstorch.as_tensor(batch)
    return glasstorch.as_tensor(arr)


def collate_float_fn(batch: list, *, collate_fn_map: CollateFnMap | None = None) -> Any:
    """Python floats become float64, unlike ``tensor([...])`` which gives float32."""
    return glasstorch.tensor(batch, dtype=glasstorch.float64)


def collate_int_fn(batch: list, *, collate_fn_map: CollateFnMap | None = None) -> Any:
    """Python ints become int64 (and all-bool batches bool), as ``tensor(batch)`` infers."""
    return glasstorch.tensor(batch)


def collate_str_fn(batch: list, *, collate_fn_map: CollateFnMap | None = None) -> Any:
    """Strings and bytes are not collated: the batch stays a list."""
    return batch


def _build_default_map() -> CollateFnMap:
    return {
        glasstorch.Tensor: collate_tensor_fn,
        np.ndarray: collate_numpy_array_fn,
        (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
        float: collate_float_fn,
        int: collate_int_fn,
        str: collate_str_fn,
        bytes: collate_str_fn,
    }


class _DefaultCollateFnMap(dict):
    """``default_collate_fn_map``, filled on first use: glasstorch.Tensor may not exist yet
    while ``glasstorch/__init__`` is still importing this module."""

    def _fill(self) -> None:
        if not dict.__len__(self):
            dict.update(self, _build_default_map())

    def __contains__(self, key: object) -> bool:
        self._fill()
        return dict.__contains__(self, key)

    def __getitem__(self, key):
        self._fill()
        return dict.__getitem__(self, key)

    def __iter__(self):
        self._fill()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._fill()
        return dict.__len__(self)

    def items(self):
        self._fill()
        return dict.items(self)

    def keys(self):
        self._fill()
        return dict.keys(self)

    def values(self):
        self._fill()
        return dict.values(self)

    def __setitem__(self, key, value) -> None:
        self._fill()
        dict.__setitem__(self, key, value)

    def __repr__(self) -> str:
        self._fill()
        return dict.__repr__(self)


default_collate_fn_map: CollateFnMap
if hasattr(glasstorch, "Tensor"):
    default_collate_fn_map = _build_default_map()
else:
    default_collate_fn_map = _DefaultCollateFnMap()


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch, following the table in this module's docstring.

    Example: a list of ``(image, label)`` tuples becomes ``[images, labels]`` where
    ``images`` has a new leading batch dimension and ``labels`` is an int64 tensor.
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
