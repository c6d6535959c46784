"""Real datasets that ship inside the package, returned as TensorDatasets.

Every loader reads one small ``.npz`` file from ``glasstorch/datasets/data/`` (nothing is ever
downloaded), converts the raw measurements to a float32 feature matrix and the labels to int64
class indices (float32 values for regression), and wraps both in a :class:`BundledDataset`,
which *is* a :class:`glasstorch.utils.data.TensorDataset`: ``dataset[i]`` is ``(x_i, y_i)`` and a
DataLoader batches it like any other TensorDataset.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np

from glasstorch.utils.data import TensorDataset

__all__ = [
    "BundledDataset",
    "load_digits",
    "load_iris",
    "load_wine",
    "load_breast_cancer",
    "load_diabetes",
]

TASKS = ("multiclass", "binary", "regression")


class BundledDataset(TensorDataset):
    """A TensorDataset of ``(features, targets)`` that also knows what its columns mean.

    ``features`` (alias ``data``) is a float32 tensor of shape (N, F). ``targets`` holds int64
    class indices of shape (N,) for classification, or float32 values of shape (N, 1) for
    regression: the extra column makes a batch of targets line up with the (B, 1) output of
    ``nn.Linear(F, 1)``, so ``MSELoss`` never silently broadcasts (B, 1) against (B,).
    """

    def __init__(
        self,
        features: Any,
        targets: Any,
        *,
        name: str,
        task: str,
        feature_names: list[str],
        class_names: list[str] | None = None,
        description: str = "",
        source: str = "",
        license: str = "",
        images: Any = None,
    ) -> None:
        super().__init__(features, targets)
        if task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {task!r}")
        self.name = name
        self.task = task
        self.feature_names = list(feature_names)
        self.class_names = None if class_names is None else list(class_names)
        self.description = description
        self.source = source
        self.license = license
        # Only the digits have a natural 2-D layout; it shares nothing with `features`
        # so that editing one view in place never surprises the other.
        self.images = images

    # The tensors live in TensorDataset.tensors; these names are views of them, kept as
    # properties so that they can never drift apart from what dataset[i] returns.
    @property
    def features(self) -> Any:
        return self.tensors[0]

    @property
    def data(self) -> Any:
        return self.tensors[0]

    @property
    def targets(self) -> Any:
        return self.tensors[1]

    @property
    def num_features(self) -> int:
        return int(self.tensors[0].shape[1])

    @property
    def num_classes(self) -> int | None:
        """Number of classes (2 for binary tasks), ``None`` for regression."""
        return None if self.class_names is None else len(self.class_names)

    def with_tensors(self, features: Any, targets: Any, images: Any = None) -> BundledDataset:
        """A copy of this dataset's description around new tensors (used by splits/transforms)."""
        return BundledDataset(
            features,
            targets,
            name=self.name,
            task=self.task,
            feature_names=self.feature_names,
            class_names=self.class_names,
            description=self.description,
            source=self.source,
            license=self.license,
            images=images,
        )

    def __repr__(self) -> str:
        lines = [
            f"Dataset {self.name}",
            f"    Number of datapoints: {len(self)}",
            f"    Number of features: {self.num_features}",
        ]
        if self.task == "regression":
            lines.append("    Task: regression")
        else:
            lines.append(f"    Task: {self.task} classification, {self.num_classes} classes")
        return "\n".join(lines)


def _read_npz(name: str) -> dict[str, np.ndarray]:
    """Read every array of ``data/<name>.npz`` (pickles refused: the files hold plain arrays)."""
    ref = resources.files("glasstorch.datasets").joinpath("data", f"{name}.npz")
    with ref.open("rb") as fh, np.load(fh, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


def _from_numpy(array: np.ndarray) -> Any:
    import glasstorch

    return glasstorch.from_numpy(np.ascontiguousarray(array))


def _load(name: str) -> BundledDataset:
    arrays = _read_npz(name)
    task = str(arrays["task"])
    x = arrays["data"].astype(np.float32)
    if task == "regression":
        y = arrays["target"].astype(np.float32).reshape(-1, 1)
        class_names = None
    else:
        y = arrays["target"].astype(np.int64)
        class_names = [str(c) for c in arrays["target_names"]]
    images = None
    if name == "digits":
        # A separate copy, not a view of `features` (see BundledDataset.__init__).
        images = _from_numpy(x.reshape(-1, 8, 8).copy())
    return BundledDataset(
        _from_numpy(x),
        _from_numpy(y),
        name=name,
        task=task,
        feature_names=[str(f) for f in arrays["feature_names"]],
        class_names=class_names,
        description=str(arrays["description"]),
        source=str(arrays["source"]),
        license=str(arrays["license"]),
        images=images,
    )


def load_digits() -> BundledDataset:
    """Handwritten digits: 1,797 grey 8x8 images (values 0..16), 10 classes.

    ``features`` is (1797, 64) with the pixels row by row; ``images`` is (1797, 8, 8).
    """
    return _load("digits")


def load_iris() -> BundledDataset:
    """Fisher's iris: 150 flowers, 4 measurements in cm, 3 species."""
    return _load("iris")


def load_wine() -> BundledDataset:
    """Wine: 178 wines, 13 chemical measurements on very different scales, 3 cultivars."""
    return _load("wine")


def load_breast_cancer() -> BundledDataset:
    """Breast Cancer Wisconsin (Diagnostic): 569 samples, 30 features; 0 malignant, 1 benign."""
    return _load("breast_cancer")


def load_diabetes() -> BundledDataset:
    """Diabetes: 442 patients, 10 raw baseline measurements, float target of shape (N, 1)."""
    return _load("diabetes")
