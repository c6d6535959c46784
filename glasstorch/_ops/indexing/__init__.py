"""Indexing: ``x[key]``, ``x[key] = value``, gather/scatter, masks.

Four drawers: ``nodes.py`` (each op's forward and backward, the math in one docstring line),
``functions.py`` (``torch.gather(x, ...)``, which is also ``x.gather(...)``), ``methods.py``
(``x[key]``, ``x[key] = v`` and the in-place variants) and ``_checks.py`` (PyTorch's argument
checks and error texts). This file gathers their names, so
``from glasstorch._ops.indexing import gather, IndexBackward0`` works, and lists the methods
Tensor gets (:data:`TENSOR_METHODS`).
"""

from __future__ import annotations

# np ... _int: importable from here before the split into drawers (kept for old code)
import numpy as np  # noqa: F401

from ... import _dtype as D  # noqa: F401
from ..._tensor import Tensor, _make, _wrap_dim, apply  # noqa: F401
from ...autograd.function import Node  # noqa: F401
from ...autograd.grad_mode import _state  # noqa: F401
from .. import _view, broadcast_check, check_writable, checked_scalar, inplace  # noqa: F401
from ._checks import _int  # noqa: F401
from ._checks import index_dtype as _check_index  # noqa: F401
from ._checks import index_error as _index_error  # noqa: F401
from .functions import (  # noqa: F401
    _index_put,
    _scatter_value,
    argwhere,
    bincount,
    bucketize,
    gather,
    histc,
    histogram,
    index_add,
    index_put,
    index_select,
    masked_fill,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    select,
    take,
    take_along_dim,
)
from .methods import (  # noqa: F401
    __getitem__,
    __setitem__,
    _basic_node,
    _split_ints,
    index_add_,
    index_put_,
    masked_fill_,
    scatter_,
    scatter_add_,
)
from .nodes import (  # noqa: F401
    AliasBackward0,
    GatherBackward0,
    HistogramBackward,
    IndexAddBackward0,
    IndexBackward0,
    IndexPutAccumulate,
    IndexPutBackward0,
    IndexSelectBackward0,
    MaskedFillBackward0,
    MaskedFillBackward1,
    MaskedSelectBackward0,
    ScatterAddBackward0,
    ScatterBackward0,
    ScatterBackward1,
    SelectBackward0,
    SliceBackward0,
    TakeBackward0,
    UnsqueezeBackward0,
)

TENSOR_METHODS = (
    "__getitem__", "__setitem__", "gather", "take_along_dim", "scatter", "scatter_add",
    "scatter_", "scatter_add_", "index_select", "masked_fill", "masked_fill_", "masked_select",
    "nonzero", "argwhere", "take", "index_add", "index_add_", "index_put", "index_put_",
    "bincount", "histc", "histogram", "select",
)


# private names from before the split into drawers, for code that imports them from here
def _convert_key(key, shape):
    from ._checks import index_key

    return index_key(key)
