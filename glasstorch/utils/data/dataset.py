"""Datasets: where samples come from.

* A map-style :class:`Dataset` answers ``dataset[i]`` and ``len(dataset)``.
* An :class:`IterableDataset` is a stream: ``for sample in dataset``.

Composition: ``a + b`` concatenates (:class:`ConcatDataset`, or :class:`ChainDataset` for
streams), :class:`Subset` picks indices, :func:`random_split` shuffles and cuts a dataset
into train/validation/test Subsets.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

import numpy as np

import glasstorch

from ..._warnings import warn

__all__ = [
    "ChainDataset",
    "ConcatDataset",
    "Dataset",
    "IterableDataset",
    "StackDataset",
    "Subset",
    "TensorDataset",
    "random_split",
]

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")


class Dataset(Generic[T_co]):
    """A map-style dataset: subclasses define ``__getitem__(i)`` and usually ``__len__``.

    ``__len__`` has no default on purpose (as in PyTorch): a dataset that does not know its
    size should raise ``TypeError`` from ``len``, not return a wrong number.
    """

    def __getitem__(self, index) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset[T_co]) -> ConcatDataset[T_co]:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co], Iterable[T_co]):
    """A stream of samples: subclasses define ``__iter__``.

    With ``num_workers > 0`` every worker process iterates its own copy, so each sample would
    appear once per worker unless ``__iter__`` uses :func:`get_worker_info` to yield only
    this worker's share.
    """

    # __iter__ stays abstract (inherited from collections.abc.Iterable): a subclass that
    # forgets it cannot even be instantiated, exactly as in PyTorch.

    def __add__(self, other: Dataset[T_co]) -> ChainDataset:
        return ChainDataset([self, other])


class TensorDataset(Dataset[tuple]):
    """Sample ``i`` is ``(t[i] for t in tensors)``: e.g. ``TensorDataset(X, y)[i] == (X[i], y[i])``.

    Every tensor must have the same size along dimension 0 (one row per sample). Batched by
    a DataLoader with the default collation, it takes a fast path: one gather per tensor per
    batch (see ``_utils/fetch.py``).
    """

    tensors: tuple

    def __init__(self, *tensors) -> None:
        sizes = [t.size(0) for t in tensors]
        if any(size != sizes[0] for size in sizes):
            raise AssertionError(
                "Size mismatch between tensors\n"
                f"[glasstorch] the tensors have {', '.join(map(str, sizes))} rows "
                "(sizes along dimension 0); every tensor needs one row per sample, "
                "so these numbers must be equal"
            )
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)


class StackDataset(Dataset):
    """Zip datasets of equal length: positional -> tuple samples, keyword -> dict samples."""

    datasets: tuple | dict

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args and kwargs:
            raise ValueError(
                "Supported either ``tuple``- (via ``args``) or"
                "``dict``- (via ``kwargs``) like input/output, but both types are given."
            )
        parts = list(args) if args else list(kwargs.values())
        if not parts:
            raise ValueError("At least one dataset should be passed")
        self._length = len(parts[0])
        if any(len(d) != self._length for d in parts):
            raise ValueError("Size mismatch between datasets")
        self.datasets = args if args else kwargs

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {key: d[index] for key, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self) -> int:
        return self._length


class ConcatDataset(Dataset[T_co]):
    """Datasets one after another: indices ``0..len(a)-1`` are ``a``, the next are ``b``..."""

    datasets: list
    cumulative_sizes: list[int]

    @staticmethod
    def cumsum(sequence: Iterable) -> list[int]:
        """Running totals of the lengths: where each dataset ends."""
        return list(itertools.accumulate(len(d) for d in sequence))

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - start]


class ChainDataset(IterableDataset):
    """Streams one after another (the IterableDataset version of ConcatDataset)."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, renumbered ``0..len(indices)-1``."""

    dataset: Dataset
    indices: Sequence[int]

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        self._index_cache: tuple[Any, int, np.ndarray | None] | None = None
        if (
            type(self).__getitem__ is not Subset.__getitem__
            and type(self).__getitems__ is Subset.__getitems__
        ):
            raise NotImplementedError(
                f"{type(self).__name__} overrides __getitem__ but not __getitems__. "
                "When subclassing Subset and overriding __getitem__, you must also override "
                "__getitems__ to ensure DataLoader works correctly with your custom logic. "
                "A simple implementation:\n\n"
                "def __getitems__(self, indices):\n"
                "    return [self.__getitem__(idx) for idx in indices]"
            )

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list:
        inner = getattr(self.dataset, "__getitems__", None)
        if callable(inner):
            return inner([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)

    def _index_array(self) -> np.ndarray | None:
        """``indices`` as an int64 array for the DataLoader's fast path (None if they are not
        plain integers). Cached while ``indices`` is the same object with the same length."""
        cache = self._index_cache if hasattr(self, "_index_cache") else None
        if cache is not None and cache[0] is self.indices and cache[1] == len(self.indices):
            return cache[2]
        source = self.indices
        if isinstance(source, glasstorch.Tensor):
            arr = np.asarray(source._data)
        else:
            try:
                arr = np.asarray(source)
            except Exception:
                arr = None
        if arr is not None and (arr.ndim != 1 or arr.dtype.kind not in "iu"):
            arr = None
        if arr is not None and len(source) == 0:
            arr = None
        self._index_cache = (source, len(source), arr)
        return arr


def random_split(
    dataset: Dataset[T],
    lengths: Sequence[int | float],
    generator: Any = None,
) -> list[Subset[T]]:
    """Shuffle ``dataset``'s indices and cut them into Subsets of the given ``lengths``.

    ``lengths`` are either counts summing to ``len(dataset)``, or fractions summing to 1:
    each split then gets ``floor(len * fraction)`` items and the leftover items are dealt one
    at a time to the splits in order, starting with the first. The shuffle is
    ``randperm(len(dataset), generator=generator)`` (the global generator by default).
    """
    lengths = list(lengths)
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        n = len(dataset)
        counts = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            counts.append(math.floor(n * frac))
        for i in range(n - sum(counts)):  # deal the remainder round-robin
            counts[i % len(counts)] += 1
        lengths = counts
        for i, length in enumerate(lengths):
            if length == 0:
                warn(
                    f"Length of split at index {i} is 0. "
                    f"This might result in an empty dataset.",
                )
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")

    perm = glasstorch.randperm(sum(lengths), generator=generator).tolist()
    splits = []
    start = 0
    for length in lengths:
        splits.append(Subset(dataset, perm[start : start + length]))
        start += length
    return splits
