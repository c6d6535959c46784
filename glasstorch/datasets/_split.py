"""``train_test_split``: a seeded, optionally stratified split into a training and a test part."""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import ModuleType
from typing import Any

__all__ = ["train_test_split"]


def _glasstorch() -> ModuleType:
    import glasstorch

    return glasstorch


def _num_test(test_size: float | int, n: int) -> int:
    """How many of ``n`` samples go to the test part (a fraction is rounded up)."""
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float)):
        raise TypeError(f"test_size must be an int or a float, got {type(test_size).__name__}")
    if isinstance(test_size, float):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"test_size={test_size} should be a float in (0, 1) or an int")
        # The rounding guards against 0.2 * 150 = 30.000000000000004 becoming 31.
        n_test = math.ceil(round(test_size * n, 9))
    else:
        n_test = test_size
    if not 0 < n_test < n:
        raise ValueError(
            f"test_size={test_size} leaves {n_test} test and {n - n_test} training samples "
            f"out of {n}; both parts must be non-empty"
        )
    return n_test


def _labels(dataset: Any, stratify: Any) -> list[int]:
    """The class label of every sample, as Python ints, for a stratified split."""
    if stratify is True:
        if hasattr(dataset, "targets"):
            labels = dataset.targets
        elif hasattr(dataset, "tensors"):
            labels = dataset.tensors[-1]  # TensorDataset(x, y): y is the last tensor
        else:
            labels = [dataset[i][-1] for i in range(len(dataset))]
    else:
        labels = stratify  # an explicit sequence or tensor of labels
    if hasattr(labels, "tolist"):
        labels = labels.tolist()
    labels = list(labels)
    if len(labels) != len(dataset):
        raise ValueError(f"stratify has {len(labels)} labels for {len(dataset)} samples")
    out = []
    for label in labels:
        # A (N, 1) label tensor lists as [[c], ...]; accept it, refuse anything else.
        if isinstance(label, list):
            if len(label) != 1:
                raise ValueError("stratify needs one class label per sample")
            label = label[0]
        if isinstance(label, float) and not label.is_integer():
            raise ValueError("stratify needs class labels; got a non-integer target")
        out.append(int(label))
    return out


def _stratified_quota(labels: list[int], n_test: int) -> dict[int, int]:
    """Test samples per class, proportional to class size, summing exactly to ``n_test``.

    Each class first gets the floor of its exact share; the samples still missing go to the
    classes with the largest remainders (ties: the larger class, then the smaller label).
    """
    n = len(labels)
    counts: dict[int, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    quota = {c: (n_test * k) // n for c, k in counts.items()}
    missing = n_test - sum(quota.values())
    by_remainder = sorted(counts, key=lambda c: (-((n_test * counts[c]) % n), -counts[c], c))
    for c in by_remainder[:missing]:
        quota[c] += 1
    return quota


def _take(lib: ModuleType, dataset: Any, indices: list[int]) -> Any:
    """The samples ``indices`` of ``dataset``, in that order."""
    if hasattr(dataset, "tensors"):
        # Index the tensors once, so the result is again a plain TensorDataset and the
        # DataLoader can batch it without per-sample Python work.
        index = lib.tensor(indices, dtype=lib.int64)
        tensors = [t[index] for t in dataset.tensors]
        if hasattr(dataset, "with_tensors"):  # a BundledDataset keeps its description
            images = getattr(dataset, "images", None)
            part = dataset.with_tensors(*tensors, images=None if images is None else images[index])
        else:
            part = lib.utils.data.TensorDataset(*tensors)
        part.indices = list(indices)
        return part
    return lib.utils.data.Subset(dataset, list(indices))


def _train_test_split(
    lib: ModuleType,
    dataset: Any,
    test_size: float | int = 0.2,
    seed: int = 0,
    stratify: bool | Sequence[int] | Any = False,
) -> tuple[Any, Any]:
    n = len(dataset)
    n_test = _num_test(test_size, n)
    # One permutation drives both kinds of split, so a seed means the same thing in each.
    g = lib.Generator().manual_seed(seed)
    perm = lib.randperm(n, generator=g).tolist()
    if stratify is False or stratify is None:
        test, train = perm[:n_test], perm[n_test:]
    else:
        labels = _labels(dataset, stratify)
        quota = _stratified_quota(labels, n_test)
        test, train = [], []
        # Walk the permutation; each class sends its first `quota` members to the test part.
        for i in perm:
            c = labels[i]
            if quota[c] > 0:
                quota[c] -= 1
                test.append(i)
            else:
                train.append(i)
    return _take(lib, dataset, train), _take(lib, dataset, test)


def train_test_split(
    dataset: Any,
    test_size: float | int = 0.2,
    seed: int = 0,
    stratify: bool | Sequence[int] | Any = False,
) -> tuple[Any, Any]:
    """Split ``dataset`` into ``(train, test)``, reproducibly from ``seed``.

    ``test_size`` is a fraction in (0, 1) (the test count is rounded up) or a number of samples.
    The order comes from ``glasstorch.randperm(n, generator=Generator().manual_seed(seed))``,
    the same permutation PyTorch draws for that seed: without stratification the first
    ``n_test`` indices of it are the test part and the rest the training part, both in
    permutation order. ``stratify=True`` keeps each class's share in both parts (labels from
    ``dataset.targets`` or the last tensor); a sequence or tensor of labels may be passed instead.

    A TensorDataset (including a :class:`BundledDataset`) is split into two new datasets of the
    same kind whose tensors are indexed copies; any other dataset is split into two
    :class:`~glasstorch.utils.data.Subset`. Either way ``part.indices`` lists the original
    positions.
    """
    return _train_test_split(_glasstorch(), dataset, test_size, seed, stratify)
