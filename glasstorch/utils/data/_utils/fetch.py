"""Fetchers: given the index (or batch of indices) the sampler chose, produce collated data.

One fetcher lives in the main process (``num_workers=0``) or in each worker process.

The fast path: a :class:`TensorDataset` (or a subclass that does not redefine
``__getitem__``; possibly inside :class:`Subset` s, as ``random_split`` makes) batched
with ``default_collate`` is gathered with ONE ``np.take`` per tensor for the whole batch,
instead of building ``batch_size`` tuples of 0-d views and stacking them. The result is the
same list of tensors ``default_collate`` would build (same values, dtypes and shapes);
anything unusual (tensors that require grad, tensor subclasses, bad indices) quietly takes
the ordinary path so errors read like PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import glasstorch

from . import collate as _collate


class _BaseDatasetFetcher:
    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index):
        raise NotImplementedError


class _IterableDatasetFetcher(_BaseDatasetFetcher):
    """Pulls samples from ``iter(dataset)``; the 'indices' are only placeholders that say how
    many samples make a batch."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in possibly_batched_index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(possibly_batched_index)):
            raise StopIteration
        return self.collate_fn(data)


class _MapDatasetFetcher(_BaseDatasetFetcher):
    """``dataset[i]`` for each index (or ``dataset.__getitems__(indices)``), then collate."""

    def fetch(self, possibly_batched_index):
        if self.auto_collation:
            if self.collate_fn is _collate.default_collate:
                batch = tensor_dataset_batch(self.dataset, possibly_batched_index)
                if batch is not None:
                    return batch
            indices = possibly_batched_index
            if isinstance(indices, np.ndarray):
                indices = indices.tolist()  # datasets see Python ints, as in PyTorch
            getitems = getattr(self.dataset, "__getitems__", None)
            if getitems:
                data = getitems(indices)
            else:
                data = [self.dataset[i] for i in indices]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)


def tensor_dataset_batch(dataset: Any, indices: Any) -> Any:
    """``default_collate([dataset[i] for i in indices])`` for a TensorDataset (optionally
    wrapped in Subsets), a bare tensor or a NumPy array, computed with one ``np.take`` per
    tensor; None if not applicable."""
    from ..dataset import Subset, TensorDataset

    try:
        idx = np.asarray(indices)
    except Exception:
        return None
    if idx.ndim != 1 or idx.size == 0 or idx.dtype.kind not in "iu":
        return None
    ds = dataset
    try:
        # A bare tensor or array used as the dataset: the batch is a block of its rows.
        if type(ds) is glasstorch.Tensor:
            if ds.requires_grad or ds.dim() == 0:
                return None
            return glasstorch.Tensor._make(np.take(ds._data, idx, axis=0))
        if type(ds) is np.ndarray:
            if ds.ndim == 0 or _collate.np_str_obj_array_pattern.search(ds.dtype.str):
                return None
            return glasstorch.as_tensor(np.take(ds, idx, axis=0))
        # Map batch positions through each Subset layer, outermost first.
        while _plain_subclass(ds, Subset, ("__getitem__", "__getitems__")):
            mapping = ds._index_array()
            if mapping is None:
                return None
            idx = mapping[idx]
            ds = ds.dataset
        if not _plain_subclass(ds, TensorDataset, ("__getitem__", "__getitems__")):
            return None
        tensor_cls = glasstorch.Tensor
        arrays = []
        for t in ds.tensors:
            if type(t) is not tensor_cls or t.requires_grad:
                return None
            arrays.append(t._data)
        return [tensor_cls._make(np.take(a, idx, axis=0)) for a in arrays]
    except (IndexError, TypeError, ValueError):
        return None  # let the ordinary path raise PyTorch's error


def _plain_subclass(obj: Any, base: type, methods: tuple[str, ...]) -> bool:
    """``obj`` is a ``base`` whose class keeps ``base``'s own versions of ``methods``
    (e.g. a TensorDataset subclass that only adds attributes, like the bundled datasets)."""
    if not isinstance(obj, base):
        return False
    cls = type(obj)
    return all(getattr(cls, m, None) is getattr(base, m, None) for m in methods)
