"""``Standardize``: per-feature (x - mean) / std, fitted on the training split only."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["Standardize"]


def _lib_of(tensor: Any) -> ModuleType:
    # The tensor's own library (glasstorch, or torch in the differential tests) makes the
    # mean/std tensors, so that the arithmetic in transform() stays within one library.
    return sys.modules[type(tensor).__module__.split(".")[0]]


def _is_subset(obj: Any) -> bool:
    return hasattr(obj, "dataset") and hasattr(obj, "indices")


def _tensors(obj: Any) -> tuple[list[Any], Any]:
    """All tensors of a TensorDataset, or the rows of them a (nested) Subset selects.

    Also returns the underlying TensorDataset, whose kind the transformed copy takes.
    """
    if hasattr(obj, "tensors"):
        return list(obj.tensors), obj
    if _is_subset(obj):
        tensors, base = _tensors(obj.dataset)
        lib = _lib_of(tensors[0])
        index = lib.tensor(list(obj.indices), dtype=lib.int64)
        return [t[index] for t in tensors], base
    raise TypeError(
        f"Standardize expects a tensor, a TensorDataset or a Subset of one, "
        f"got {type(obj).__name__}"
    )


def _features(obj: Any) -> Any:
    """The feature tensor of a tensor, a TensorDataset (first tensor) or a Subset of one."""
    if hasattr(obj, "shape") and hasattr(obj, "dtype"):
        return obj
    return _tensors(obj)[0][0]


class Standardize:
    """Rescale every feature to mean 0 and standard deviation 1.

    ``fit`` measures each column's mean and *population* standard deviation (divide by N, as
    ``x.std(0, correction=0)``; with a training split of hundreds of rows the choice hardly
    matters, and the transformed training features then have population std 1). Fit on the
    training split only, then apply the same numbers to validation and test data, so that
    nothing about the test set leaks into training.

    A feature that never varies (std 0) is only centred: its std is taken as 1, giving 0.

    Applied to a tensor of shape (N, F) or a single sample (F,), returns a tensor; applied to a
    dataset, returns a new dataset of the same kind with the features replaced and the targets
    shared. That makes an instance usable as a per-sample transform too.
    """

    def __init__(self) -> None:
        self.mean: Any = None
        self.std: Any = None

    def fit(self, data: Any) -> Standardize:
        """Measure per-feature mean and std of ``data`` (tensor (N, F) or dataset); return self."""
        x = _features(data)
        if len(x.shape) != 2:
            raise ValueError(f"Standardize.fit expects features of shape (N, F), got {x.shape}")
        if x.shape[0] == 0:
            raise ValueError("Standardize.fit needs at least one sample")
        # Accumulate in float64 so that large columns (e.g. wine's proline, ~1e3) keep their
        # precision, then store in the features' own dtype.
        values = x.detach().numpy().astype(np.float64)
        mean = values.mean(axis=0)
        std = values.std(axis=0)  # ddof=0: population std
        std[std == 0.0] = 1.0
        lib = _lib_of(x)
        dtype = x.dtype if x.dtype.is_floating_point else lib.float32
        self.mean = lib.from_numpy(mean).to(dtype)
        self.std = lib.from_numpy(std).to(dtype)
        return self

    def _check_fitted(self) -> None:
        if self.mean is None:
            raise RuntimeError("Standardize must be fitted (call .fit(train)) before use")

    def transform(self, data: Any) -> Any:
        """``(x - mean) / std`` for a tensor; a new dataset for a dataset."""
        self._check_fitted()
        if hasattr(data, "tensors") or _is_subset(data):
            return self._transform_dataset(data)
        return (data - self.mean) / self.std

    __call__ = transform

    def fit_transform(self, data: Any) -> Any:
        """``fit(data)`` then ``transform(data)``."""
        return self.fit(data).transform(data)

    def inverse_transform(self, data: Any) -> Any:
        """Undo :meth:`transform` on a tensor: ``x * std + mean``."""
        self._check_fitted()
        return data * self.std + self.mean

    def _transform_dataset(self, data: Any) -> Any:
        (x, *rest), base = _tensors(data)
        z = (x - self.mean) / self.std
        if hasattr(base, "with_tensors"):  # a BundledDataset keeps its description
            images = getattr(base, "images", None)
            if images is not None:
                # Keep the 2-D view in step with the standardized pixels.
                images = z.reshape((-1, *tuple(images.shape[1:])))
            out = base.with_tensors(z, *rest, images=images)
        else:
            out = _lib_of(z).utils.data.TensorDataset(z, *rest)
        if hasattr(data, "indices"):
            out.indices = list(data.indices)
        return out

    def state_dict(self) -> dict[str, Any]:
        """``{"mean": ..., "std": ...}``, to save next to a model's state_dict."""
        self._check_fitted()
        return {"mean": self.mean, "std": self.std}

    def load_state_dict(self, state: dict[str, Any]) -> Standardize:
        """Restore a fitted Standardize from :meth:`state_dict`; return self."""
        self.mean, self.std = state["mean"], state["std"]
        return self

    def __repr__(self) -> str:
        if self.mean is None:
            return "Standardize()"
        return f"Standardize(num_features={int(self.mean.shape[0])})"
