"""Samplers: which indices, in which order.

A sampler yields dataset indices; a :class:`BatchSampler` groups them into lists. The
DataLoader builds ``BatchSampler(SequentialSampler)`` by default and
``BatchSampler(RandomSampler)`` with ``shuffle=True``.

Random order, exactly as PyTorch draws it: a RandomSampler without its own generator takes
one int64 from the GLOBAL generator at the start of each epoch, seeds a fresh Generator with
it and draws ``randperm(n)`` from that. So every epoch has a new order, and
``manual_seed(s)`` fixes the sequence of orders.

Speed: the DataLoader does not walk these samplers one index at a time. For the built-in
combinations (BatchSampler over a Sequential or RandomSampler) it asks
:meth:`BatchSampler._index_batches` for NumPy slices of the whole-epoch index array, making
the same random draws at the same moments as the one-index-at-a-time iteration.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from typing import Any, Generic, TypeVar

import numpy as np

import glasstorch

__all__ = [
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
]

T_co = TypeVar("T_co", covariant=True)

# RandomSampler(replacement=True) draws its indices in blocks of this many (PyTorch does the
# same; the block size changes the random stream, so it must match).
_REPLACEMENT_BLOCK = 32


def _draw_seed(generator: Any = None) -> int:
    """One int64 seed from ``generator`` (the global generator if None), the way PyTorch
    draws it: ``empty((), dtype=int64).random_(generator=...)``."""
    try:
        from glasstorch._random import draw_seed
    except ImportError:  # a core without the PyTorch-exact generator module
        return int(
            glasstorch.empty((), dtype=glasstorch.int64).random_(generator=generator).item()
        )
    return draw_seed(generator)


def _array(t: Any) -> np.ndarray:
    return t._data if isinstance(t, glasstorch.Tensor) else np.asarray(t)


class Sampler(Generic[T_co]):
    """Base class: subclasses define ``__iter__`` (indices, or lists of indices) and usually
    ``__len__``."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError


class SequentialSampler(Sampler[int]):
    """``0, 1, ..., len(data_source)-1``, every epoch."""

    data_source: Sized

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)

    def _segments(self) -> Iterator[tuple[int, Callable[[], np.ndarray]]]:
        n = len(self.data_source)
        yield n, lambda: np.arange(n, dtype=np.int64)


class RandomSampler(Sampler[int]):
    """Indices in random order: a permutation per epoch, or ``num_samples`` independent
    draws with ``replacement=True`` (then an index may repeat)."""

    data_source: Sized
    replacement: bool

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Any = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(
                "replacement should be a boolean value, but got "
                f"replacement={self.replacement}"
            )
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                "num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}"
            )

    @property
    def num_samples(self) -> int:
        """How many indices one epoch yields (``len(data_source)`` unless given)."""
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def _segments(self) -> Iterator[tuple[int, Callable[[], np.ndarray]]]:
        """The epoch as consecutive blocks ``(length, draw)``. ``draw()`` makes the random
        call for its block; callers invoke it exactly when PyTorch's sampler would (when the
        first index of the block is needed, or, for a final empty block, when the previous
        blocks are used up). The epoch's seed is drawn when this generator first runs."""
        n = len(self.data_source)
        total = self.num_samples
        if self.generator is None:
            gen = glasstorch.Generator()
            gen.manual_seed(_draw_seed(None))
        else:
            gen = self.generator

        if self.replacement:
            def block(size: int) -> Callable[[], np.ndarray]:
                return lambda: _array(
                    glasstorch.randint(0, n, (size,), dtype=glasstorch.int64, generator=gen)
                )

            for _ in range(total // _REPLACEMENT_BLOCK):
                yield _REPLACEMENT_BLOCK, block(_REPLACEMENT_BLOCK)
            yield total % _REPLACEMENT_BLOCK, block(total % _REPLACEMENT_BLOCK)
        else:
            def perm(keep: int) -> Callable[[], np.ndarray]:
                return lambda: _array(glasstorch.randperm(n, generator=gen))[:keep]

            for _ in range(total // n):
                yield n, perm(n)
            # PyTorch always draws one more permutation for the remainder, even when the
            # remainder is empty: that draw advances an explicit generator.
            yield total % n, perm(total % n)

    def __iter__(self) -> Iterator[int]:
        for _, draw in self._segments():
            yield from draw().tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given ``indices`` in a random order (a fresh permutation every epoch)."""

    indices: Sequence[int]

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in glasstorch.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices drawn with probability proportional to ``weights``
    (``multinomial``); with ``replacement=False`` an index is drawn at most once."""

    weights: Any
    num_samples: int
    replacement: bool

    def __init__(
        self,
        weights: Sequence[float],
        num_samples: int,
        replacement: bool = True,
        generator: Any = None,
    ) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(
                "num_samples should be a positive integer value, but got "
                f"num_samples={num_samples}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        weights_tensor = glasstorch.as_tensor(weights, dtype=glasstorch.double)
        if len(weights_tensor.shape) != 1:
            raise ValueError(
                "weights should be a 1d sequence but given "
                f"weights have shape {tuple(weights_tensor.shape)}"
            )
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        drawn = glasstorch.multinomial(
            self.weights, self.num_samples, self.replacement, generator=self.generator
        )
        yield from drawn.tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Group the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter,
    or dropped with ``drop_last=True``)."""

    def __init__(
        self, sampler: Sampler[int] | Iterable[int], batch_size: int, drop_last: bool
    ) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                "batch_size should be a positive integer value, but got "
                f"batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        if type(self.sampler) in (SequentialSampler, RandomSampler):
            for batch in self._index_batches():
                yield batch.tolist()
            return
        it = iter(self.sampler)
        while True:
            batch = list(itertools.islice(it, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size

    def _index_batches(self) -> Iterator[Any]:
        """Batches as NumPy int64 arrays, for the DataLoader's fast path. Falls back to the
        list batches of ``__iter__`` for samplers it does not know."""
        if type(self.sampler) not in (SequentialSampler, RandomSampler):
            yield from self
            return
        yield from _slice_segments(self.sampler._segments(), self.batch_size, self.drop_last)


def _slice_segments(segments: Iterator, batch_size: int, drop_last: bool) -> Iterator[np.ndarray]:
    """Cut a stream of lazily drawn blocks into batches, drawing each block at the moment an
    index-by-index consumer (``islice`` / ``zip`` over the sampler) would.

    Such a consumer, asked for a batch starting at position ``pos``, pulls positions
    ``pos .. pos+batch_size-1`` and stops early after one pull past the end. A block is drawn
    when its first position is pulled, so a block starting at ``s`` is drawn by the first
    request with ``s < pos + batch_size``; the final empty block (start == end) is drawn only
    by a request that pulls past the end.
    """
    buf = np.empty(0, dtype=np.int64)  # drawn, not yet handed out
    upcoming = next(segments, None)  # the sampler's first pull: its seed is drawn here
    while True:
        while upcoming is not None and len(buf) < batch_size:
            length, draw = upcoming
            block = draw()
            if length:
                buf = np.concatenate([buf, block]) if len(buf) else block
            upcoming = next(segments, None)
        if len(buf) < batch_size:  # the stream ran dry during this request
            if len(buf) and not drop_last:
                yield buf
            return
        batch, buf = buf[:batch_size], buf[batch_size:]
        yield batch
