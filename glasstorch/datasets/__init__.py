"""Datasets for the course: real ones that ship inside the package, and seeded toy generators.

Real (read from ``glasstorch/datasets/data/``, never downloaded; sources and licences in
``LICENSES.md`` and in each dataset's ``source`` / ``license`` attributes)::

    load_digits()         1797 x 64   10 classes   8x8 handwritten digits (also .images)
    load_iris()            150 x 4     3 classes
    load_wine()            178 x 13    3 classes
    load_breast_cancer()   569 x 30    2 classes
    load_diabetes()        442 x 10    regression

Your own table: ``load_csv(path, target="column")`` (numeric features; labels may be words).

Text: ``load_names()``, 29,910 first names (a list of str) for character-level models.

Generated: ``make_moons``, ``make_circles``, ``make_spirals``, ``make_blobs``,
``make_regression_1d``. Helpers: ``train_test_split`` and ``Standardize``.

Every dataset returned is a :class:`glasstorch.utils.data.TensorDataset` of
``(features, targets)``, ready for a DataLoader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from glasstorch.datasets._bundled import (
    BundledDataset,
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
)
from glasstorch.datasets._csv import load_csv
from glasstorch.datasets._split import train_test_split
from glasstorch.datasets._standardize import Standardize
from glasstorch.datasets._synthetic import (
    make_blobs,
    make_circles,
    make_moons,
    make_regression_1d,
    make_spirals,
)
from glasstorch.datasets._text import load_names

__all__ = [
    "BundledDataset",
    "Standardize",
    "available",
    "load",
    "load_breast_cancer",
    "load_csv",
    "load_diabetes",
    "load_digits",
    "load_iris",
    "load_names",
    "load_wine",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_regression_1d",
    "make_spirals",
    "train_test_split",
]

_REAL: dict[str, Callable[[], BundledDataset]] = {
    "digits": load_digits,
    "iris": load_iris,
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
    "diabetes": load_diabetes,
}

_GENERATED: dict[str, Callable[..., BundledDataset]] = {
    "moons": make_moons,
    "circles": make_circles,
    "spirals": make_spirals,
    "blobs": make_blobs,
    "regression_1d": make_regression_1d,
}


def available(kind: str = "all") -> list[str]:
    """Names accepted by :func:`load`: ``kind`` is ``"all"``, ``"real"`` or ``"generated"``."""
    if kind == "real":
        return list(_REAL)
    if kind == "generated":
        return list(_GENERATED)
    if kind == "all":
        return [*_REAL, *_GENERATED]
    raise ValueError(f"kind must be 'all', 'real' or 'generated', got {kind!r}")


def load(name: str, **kwargs: Any) -> BundledDataset:
    """Load a dataset by name (see :func:`available`); ``-`` and ``_`` are interchangeable.

    Keyword arguments go to the generator (e.g. ``load("moons", noise=0.2, seed=1)``); the
    real datasets take none.
    """
    key = name.strip().lower().replace("-", "_")
    if key in _REAL:
        if kwargs:
            raise TypeError(f"load({name!r}) takes no keyword arguments, got {sorted(kwargs)}")
        return _REAL[key]()
    if key in _GENERATED:
        return _GENERATED[key](**kwargs)
    raise ValueError(f"unknown dataset {name!r}; available: {', '.join(available())}")
