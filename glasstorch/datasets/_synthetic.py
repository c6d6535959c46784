"""Seeded toy datasets for teaching: moons, circles, spirals, blobs and a noisy 1-D curve.

Each generator draws its random numbers from ``glasstorch.Generator().manual_seed(seed)``
(the same stream PyTorch produces for that seed), in the order its docstring lists, then does
the geometry in NumPy float64 and returns float32 features. Points are shuffled with a final
``randperm`` so that classes are interleaved; ``noise=0`` gives the same points without jitter.

The geometry lives in private functions taking the tensor library as an argument, so the
tests can run the very same code with ``torch`` and compare the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["make_moons", "make_circles", "make_spirals", "make_blobs", "make_regression_1d"]

Arrays = tuple[np.ndarray, np.ndarray]


def _glasstorch() -> ModuleType:
    import glasstorch

    return glasstorch


def _check(n_samples: int, noise: float, min_samples: int) -> None:
    if isinstance(n_samples, bool) or not isinstance(n_samples, int):
        raise TypeError(f"n_samples must be an int, got {type(n_samples).__name__}")
    if n_samples < min_samples:
        raise ValueError(f"n_samples must be at least {min_samples}, got {n_samples}")
    if not noise >= 0:  # also refuses NaN
        raise ValueError(f"noise must be >= 0, got {noise}")


def _generator(lib: ModuleType, seed: int, generator: Any) -> Any:
    return generator if generator is not None else lib.Generator().manual_seed(seed)


def _rand(lib: ModuleType, g: Any, *shape: int) -> np.ndarray:
    return lib.rand(*shape, generator=g).numpy().astype(np.float64)


def _randn(lib: ModuleType, g: Any, *shape: int) -> np.ndarray:
    return lib.randn(*shape, generator=g).numpy().astype(np.float64)


def _balanced_labels(n: int, k: int) -> np.ndarray:
    """n labels over k classes, sorted; the first n % k classes get one extra sample."""
    counts = [n // k + (1 if c < n % k else 0) for c in range(k)]
    return np.repeat(np.arange(k, dtype=np.int64), counts)


def _finish(lib: ModuleType, g: Any, x: np.ndarray, y: np.ndarray, shuffle: bool) -> Arrays:
    if shuffle:
        perm = lib.randperm(len(x), generator=g).numpy()
        x, y = x[perm], y[perm]
    return np.ascontiguousarray(x, dtype=np.float32), np.ascontiguousarray(y)


def _moons(lib: ModuleType, n_samples: int, noise: float, seed: int, shuffle: bool,
           generator: Any = None) -> Arrays:
    _check(n_samples, noise, 2)
    g = _generator(lib, seed, generator)
    y = _balanced_labels(n_samples, 2)
    angle = math.pi * _rand(lib, g, n_samples)  # draw 1: position along the arc
    eps = _randn(lib, g, n_samples, 2)  # draw 2: jitter
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    lower = np.stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    x = np.where((y == 0)[:, None], upper, lower) + noise * eps
    return _finish(lib, g, x, y, shuffle)  # draw 3: shuffle


def _circles(lib: ModuleType, n_samples: int, noise: float, factor: float, seed: int,
             shuffle: bool, generator: Any = None) -> Arrays:
    _check(n_samples, noise, 2)
    if not 0.0 <= factor < 1.0:
        raise ValueError(f"factor must be in [0, 1), got {factor}")
    g = _generator(lib, seed, generator)
    y = _balanced_labels(n_samples, 2)
    angle = 2.0 * math.pi * _rand(lib, g, n_samples)
    eps = _randn(lib, g, n_samples, 2)
    radius = np.where(y == 0, 1.0, factor)  # class 0 outside, class 1 inside
    x = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1) + noise * eps
    return _finish(lib, g, x, y, shuffle)


def _spirals(lib: ModuleType, n_samples: int, n_classes: int, noise: float, turns: float,
             seed: int, shuffle: bool, generator: Any = None) -> Arrays:
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 1:
        raise ValueError(f"n_classes must be a positive int, got {n_classes}")
    _check(n_samples, noise, n_classes)
    g = _generator(lib, seed, generator)
    y = _balanced_labels(n_samples, n_classes)
    t = _rand(lib, g, n_samples)  # distance from the centre, 0..1
    eps = _randn(lib, g, n_samples, 2)
    # Arm k starts at angle 2*pi*k/K and winds `turns` times on its way out.
    angle = 2.0 * math.pi * (y / n_classes + turns * t)
    x = t[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1) + noise * eps
    return _finish(lib, g, x, y, shuffle)


def _blobs(lib: ModuleType, n_samples: int, centers: int | Sequence[Sequence[float]] | Any,
           n_features: int, noise: float, center_box: tuple[float, float], seed: int,
           shuffle: bool, generator: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    g = _generator(lib, seed, generator)
    if isinstance(centers, int) and not isinstance(centers, bool):
        if centers < 1:
            raise ValueError(f"centers must be a positive int or a list of points, got {centers}")
        low, high = center_box
        where = low + (high - low) * _rand(lib, g, centers, n_features)  # draw 1: centres
    else:
        given = centers.tolist() if hasattr(centers, "tolist") else centers
        where = np.asarray(given, dtype=np.float64)
        if where.ndim != 2 or where.shape[0] < 1:
            raise ValueError("centers must be a positive int or a (k, n_features) list of points")
    k, n_features = where.shape
    _check(n_samples, noise, k)
    y = _balanced_labels(n_samples, k)
    x = where[y] + noise * _randn(lib, g, n_samples, n_features)
    x, y = _finish(lib, g, x, y, shuffle)
    return x, y, where


def _regression_1d(lib: ModuleType, n_samples: int, noise: float, x_range: tuple[float, float],
                   fn: Callable[[np.ndarray], np.ndarray], seed: int,
                   generator: Any = None) -> Arrays:
    _check(n_samples, noise, 1)
    g = _generator(lib, seed, generator)
    low, high = x_range
    x = low + (high - low) * _rand(lib, g, n_samples, 1)  # draw 1: inputs
    y = fn(x) + noise * _randn(lib, g, n_samples, 1)  # draw 2: noise
    return np.ascontiguousarray(x, np.float32), np.ascontiguousarray(y, np.float32)


def _wrap(x: np.ndarray, y: np.ndarray, name: str, task: str, call: str, description: str,
          class_names: list[str] | None) -> Any:
    from glasstorch.datasets._bundled import BundledDataset

    return BundledDataset(
        _glasstorch().from_numpy(x),
        _glasstorch().from_numpy(y),
        name=name,
        task=task,
        feature_names=[f"x{i}" for i in range(x.shape[1])],
        class_names=class_names,
        description=description,
        source=f"generated by glasstorch.datasets.{call}",
        license="generated data, free to use",
    )


def make_moons(n_samples: int = 200, noise: float = 0.1, seed: int = 0, *, shuffle: bool = True,
               generator: Any = None) -> Any:
    """Two interleaving half circles: class 0 (upper) and class 1 (lower), not linearly separable.

    Random draws: ``rand(n)`` for the positions along the arcs, ``randn(n, 2)`` for the noise,
    ``randperm(n)`` for the shuffle. Pass ``generator`` to draw from your own Generator instead.
    """
    x, y = _moons(_glasstorch(), n_samples, noise, seed, shuffle, generator)
    return _wrap(x, y, "moons", "binary",
                 f"make_moons(n_samples={n_samples}, noise={noise}, seed={seed})",
                 "Two interleaving half circles; a straight line cannot separate them.",
                 ["upper", "lower"])


def make_circles(n_samples: int = 200, noise: float = 0.05, seed: int = 0, *,
                 factor: float = 0.5, shuffle: bool = True, generator: Any = None) -> Any:
    """A small circle (class 1, radius ``factor``) inside a large one (class 0, radius 1).

    Random draws: ``rand(n)`` for the angles, ``randn(n, 2)`` for the noise, ``randperm(n)``.
    """
    x, y = _circles(_glasstorch(), n_samples, noise, factor, seed, shuffle, generator)
    return _wrap(x, y, "circles", "binary",
                 f"make_circles(n_samples={n_samples}, noise={noise}, seed={seed}, "
                 f"factor={factor})",
                 "Two concentric circles; separable only by a curved boundary.",
                 ["outer", "inner"])


def make_spirals(n_samples: int = 300, noise: float = 0.02, seed: int = 0, *,
                 n_classes: int = 3, turns: float = 1.0, shuffle: bool = True,
                 generator: Any = None) -> Any:
    """``n_classes`` spiral arms winding out of the origin, one class per arm.

    Random draws: ``rand(n)`` for the distance along each arm, ``randn(n, 2)`` for the noise,
    ``randperm(n)``.
    """
    x, y = _spirals(_glasstorch(), n_samples, n_classes, noise, turns, seed, shuffle, generator)
    task = "binary" if n_classes == 2 else "multiclass"
    return _wrap(x, y, "spirals", task,
                 f"make_spirals(n_samples={n_samples}, noise={noise}, seed={seed}, "
                 f"n_classes={n_classes}, turns={turns})",
                 f"{n_classes} interleaved spiral arms; a classic test for a small MLP.",
                 [str(c) for c in range(n_classes)])


def make_blobs(n_samples: int = 300, noise: float = 1.0, seed: int = 0, *,
               centers: int | Sequence[Sequence[float]] | Any = 3, n_features: int = 2,
               center_box: tuple[float, float] = (-10.0, 10.0), shuffle: bool = True,
               generator: Any = None) -> Any:
    """Gaussian clusters, one class per cluster; ``noise`` is each cluster's standard deviation.

    ``centers`` is a number of clusters, placed uniformly in ``center_box`` (draw
    ``rand(centers, n_features)``), or an explicit list of points. Then ``randn(n, n_features)``
    and ``randperm(n)``. The centres used are kept in ``dataset.centers``.
    """
    x, y, where = _blobs(_glasstorch(), n_samples, centers, n_features, noise, center_box,
                         seed, shuffle, generator)
    k = where.shape[0]
    ds = _wrap(x, y, "blobs", "binary" if k == 2 else "multiclass",
               f"make_blobs(n_samples={n_samples}, noise={noise}, seed={seed}, centers={k})",
               f"{k} Gaussian clusters in {where.shape[1]}-D.",
               [str(c) for c in range(k)])
    ds.centers = _glasstorch().from_numpy(where.astype(np.float32))
    return ds


def make_regression_1d(n_samples: int = 100, noise: float = 0.1, seed: int = 0, *,
                       x_range: tuple[float, float] = (-3.0, 3.0),
                       fn: Callable[[np.ndarray], np.ndarray] = np.sin,
                       generator: Any = None) -> Any:
    """A noisy 1-D curve, ``y = fn(x) + noise * N(0, 1)`` with x uniform in ``x_range``.

    Both features and targets have shape (N, 1), ready for ``nn.Linear(1, ...)`` and
    ``MSELoss``. Random draws: ``rand(n, 1)`` for x, then ``randn(n, 1)`` for the noise.
    ``fn`` works on a NumPy float64 array (default ``np.sin``).
    """
    x, y = _regression_1d(_glasstorch(), n_samples, noise, x_range, fn, seed, generator)
    name = getattr(fn, "__name__", "fn")
    return _wrap(x, y, "regression_1d", "regression",
                 f"make_regression_1d(n_samples={n_samples}, noise={noise}, seed={seed})",
                 f"y = {name}(x) + noise on x in [{x_range[0]}, {x_range[1]}].",
                 None)
