"""Flatten parameters into one vector and back (used by some optimisers and tutorials)."""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor


def parameters_to_vector(parameters) -> Tensor:
    """All parameters, flattened and concatenated (part of the graph, like torch.cat)."""
    from ... import cat

    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Copy consecutive slices of ``vec`` into the parameters (replacing their data)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    start = 0
    for p in parameters:
        n = p.numel()
        p.data = Tensor._make(np.array(vec._data[start:start + n]).reshape(p.shape))
        start += n
