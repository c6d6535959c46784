"""Shape methods only a Tensor has (there is no ``torch.view``): view, expand, repeat,
contiguous and their ``*_as`` forms. The functions in ``functions.py`` build on them.
"""

from __future__ import annotations

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor, _make, apply
from .. import _view
from ..pointwise.functions import clone
from . import _checks
from .nodes import ExpandBackward0, RepeatBackward0, ViewBackward0, _broadcast_view


def view(self, *shape) -> Tensor:
    """The same memory seen with another shape; needs a compatible (e.g. contiguous) layout."""
    if len(shape) == 1 and isinstance(shape[0], D.dtype):  # the same bytes read as another dtype
        return _make(self._data.view(shape[0].np))
    shape = _checks.view(self, shape)
    return _view(apply(ViewBackward0, self, shape=shape), self, lambda a: a.reshape(shape))


def view_as(self, other) -> Tensor:
    """view(other.shape)."""
    return view(self, other.shape)


def reshape_as(self, other) -> Tensor:
    """reshape(other.shape)."""
    return self.reshape(other.shape)


def expand(input, *sizes) -> Tensor:
    """Broadcast size-1 dims to ``sizes`` without copying (-1 keeps a dim)."""
    shape = _checks.expand(input, sizes)
    return _view(apply(ExpandBackward0, input, shape=shape), input,
                 lambda a: _broadcast_view(a, shape))


def expand_as(input, other) -> Tensor:
    """expand(other.shape)."""
    return expand(input, other.shape)


def repeat(self, *repeats) -> Tensor:
    """Tile the tensor: ``x.repeat(2, 3)`` (copies, unlike expand)."""
    repeats = _checks.repeat(self, repeats)
    return apply(RepeatBackward0, self, repeats=repeats)


def contiguous(input, memory_format=None) -> Tensor:
    """This tensor if it is laid out row by row, otherwise a row-by-row copy."""
    if input._data.flags.c_contiguous:
        return input
    r = clone(input)
    r._data = np.ascontiguousarray(r._data)
    return r
