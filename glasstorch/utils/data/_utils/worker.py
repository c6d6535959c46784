"""What runs inside a DataLoader worker process, and what a dataset can ask about it.

Each worker is a child process (forked on Linux) with its own copy of the dataset. It:

1. seeds itself like a PyTorch worker: Python's ``random`` and glasstorch's global generator
   with ``base_seed + worker_id``, NumPy's global generator with 4 words hashed from
   ``[worker_id, base_seed]`` (NumPy's SeedSequence hash; PyTorch writes the same hash out
   by hand), so ``np.random`` differs between workers and between epochs;
2. publishes :class:`WorkerInfo` for :func:`get_worker_info` and calls ``worker_init_fn``;
3. loops: take ``(task_id, indices)`` from its index queue, fetch and collate the batch, put
   ``(task_id, batch)`` on the shared result queue. Errors travel as
   :class:`ExceptionWrapper`; an exhausted IterableDataset answers with
   :class:`_IterableDatasetStopIteration`; ``None`` means "exit now".

While waiting it checks that its parent is still alive, so a main process that was killed
leaves no orphaned workers behind.
"""

from __future__ import annotations

import os
import queue
import random
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler
from typing import Any

import numpy as np

import glasstorch

from . import WORKER_STATUS_CHECK_INTERVAL, ExceptionWrapper, signal_handling


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """Who am I? Returned by :func:`get_worker_info` inside a worker process.

    ``id``: this worker's number in ``0 .. num_workers-1``; ``seed``: the seed this worker's
    generators got (``base_seed + id``); ``dataset``: this process's copy of the dataset. An
    IterableDataset uses ``id`` and ``num_workers`` to yield only its share of the data.
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None
    worker_method: str | None = "multiprocessing"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The :class:`WorkerInfo` of the current DataLoader worker, or None in the main process."""
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """A worker's answer once its copy of an IterableDataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch: rebuild the fetcher."""

    seed: int | None = None


class ManagerWatchdog:
    """Tells a worker whether the process that started it is still alive. A dead parent
    means this process was re-parented, so ``getppid()`` changes."""

    def __init__(self, manager_pid: int | None = None) -> None:
        # The main process passes its pid: read here, getppid() would already name the new
        # parent if the main process died while this worker was starting (then it would wait
        # for tasks forever).
        self.manager_pid = os.getppid() if manager_pid is None else manager_pid
        self.manager_dead = False

    def is_alive(self) -> bool:
        if not self.manager_dead:
            self.manager_dead = os.getppid() != self.manager_pid
        return not self.manager_dead


_MASK32 = 0xFFFFFFFF


def _generate_state(base_seed: int, worker_id: int) -> list[int]:
    """The four 32-bit words PyTorch seeds a worker's NumPy generator with: NumPy's
    SeedSequence hash of ``[worker_id, low 32 bits, high 32 bits of base_seed, 0]``."""
    entropy = [worker_id, base_seed & _MASK32, base_seed >> 32, 0]
    return np.random.SeedSequence(entropy).generate_state(4).tolist()


def _rebuild_tensor(array: np.ndarray, requires_grad: bool):
    t = glasstorch.Tensor._make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _reduce_tensor(t):
    # A tensor crosses the process border as its NumPy array (pickled by value) and its
    # requires_grad flag; the autograd graph behind it stays in the worker, as in PyTorch.
    return _rebuild_tensor, (np.ascontiguousarray(t._data), bool(t.requires_grad))


_reducer_registered = False


def _register_tensor_reducer() -> None:
    """Teach multiprocessing queues to send glasstorch tensors as bare arrays."""
    global _reducer_registered
    if not _reducer_registered:
        ForkingPickler.register(glasstorch.Tensor, _reduce_tensor)
        _reducer_registered = True


def _seed_worker(base_seed: int, worker_id: int) -> int:
    seed = base_seed + worker_id
    random.seed(seed)
    glasstorch.manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))
    return seed


def _worker_loop(
    dataset_kind: int,
    dataset: Any,
    index_queue,
    data_queue,
    done_event,
    auto_collation: bool,
    collate_fn,
    drop_last: bool,
    base_seed: int,
    init_fn,
    worker_id: int,
    num_workers: int,
    persistent_workers: bool,
    manager_pid: int | None = None,
) -> None:
    """Body of a worker process (see the module docstring)."""
    from ..dataloader import _DatasetKind

    where = f"in DataLoader worker process {worker_id}"
    try:
        signal_handling._set_worker_signal_handlers()
        signal_handling._restore_default_sigint()
        _register_tensor_reducer()  # a spawned worker starts without it
        seed = _seed_worker(base_seed, worker_id)

        global _worker_info
        _worker_info = WorkerInfo(
            id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset
        )

        # An error in worker_init_fn or in iter(dataset) is reported with the first batch
        # this worker is asked for, so it surfaces in the main process like any other.
        init_error: ExceptionWrapper | None = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(
                dataset_kind, dataset, auto_collation, collate_fn, drop_last
            )
        except Exception:
            init_error = ExceptionWrapper(where=where)

        iteration_end = False
        watchdog = ManagerWatchdog(manager_pid)
        while watchdog.is_alive():
            try:
                task = index_queue.get(timeout=WORKER_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                # Shutdown normally arrives as None on the index queue, but if the main
                # process's queue objects were garbage collected first, that None is never
                # flushed: the done event is the signal that cannot get lost.
                if done_event.is_set():
                    break
                continue
            if isinstance(task, _ResumeIteration):
                data_queue.put((task, None))
                iteration_end = False
                fetcher = _DatasetKind.create_fetcher(
                    dataset_kind, dataset, auto_collation, collate_fn, drop_last
                )
                continue
            if task is None:
                break  # the main process is shutting us down
            if done_event.is_set() or iteration_end:
                continue  # drain: nothing more will be read
            task_id, index = task
            if init_error is not None:
                data: Any = init_error
                init_error = None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=where)
                except Exception:
                    data = ExceptionWrapper(where=where)
            data_queue.put((task_id, data))
            del data, task_id, index, task  # do not hold a batch while waiting
    except KeyboardInterrupt:
        pass  # the main process gets the KeyboardInterrupt and shuts us down
    if done_event.is_set():
        # Nobody will read what is still buffered: do not block exit on flushing it.
        data_queue.cancel_join_thread()
        data_queue.close()
