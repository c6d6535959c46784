"""Shape operations: they move or repeat elements without changing their values.

Four drawers: ``nodes.py`` (each op's forward and backward, the math in one docstring line),
``functions.py`` (``torch.reshape(x, ...)``, which is also ``x.reshape(...)``), ``methods.py``
(Tensor-only methods: view, expand, repeat, contiguous) and ``_checks.py`` (PyTorch's argument
checks and error texts). This file gathers their names, so
``from glasstorch._ops.shape import view, ViewBackward0`` works, and lists the methods Tensor
gets (:data:`TENSOR_METHODS`).
"""

from __future__ import annotations

# np ... _same_dtype: importable from here before the split into drawers (kept for old code)
import numpy as np  # noqa: F401

from ... import _dtype as D  # noqa: F401
from ..._tensor import Tensor, _make, _wrap_dim, apply  # noqa: F401
from ...autograd.function import Node, record  # noqa: F401
from .. import _view  # noqa: F401
from . import _checks
from ._checks import _reshape_hint  # noqa: F401
from ._checks import infer as _infer  # noqa: F401
from ._checks import shape_arg as _shape_arg  # noqa: F401
from .functions import (  # noqa: F401
    _DimProxy,
    _promote,
    atleast_1d,
    atleast_2d,
    broadcast_tensors,
    broadcast_to,
    cartesian_prod,
    cat,
    chunk,
    concat,
    concatenate,
    diff,
    dsplit,
    flatten,
    flip,
    fliplr,
    flipud,
    hsplit,
    hstack,
    meshgrid,
    moveaxis,
    movedim,
    narrow,
    permute,
    ravel,
    repeat_interleave,
    reshape,
    roll,
    split,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    t,
    tensor_split,
    tile,
    transpose,
    unbind,
    unflatten,
    unsqueeze,
    view_of,
    vsplit,
    vstack,
)
from .methods import (  # noqa: F401
    contiguous,
    expand,
    expand_as,
    repeat,
    reshape_as,
    view,
    view_as,
)
from .nodes import (  # noqa: F401
    AliasBackward0,
    CatBackward0,
    ExpandBackward0,
    FlipBackward0,
    PermuteBackward0,
    RepeatBackward0,
    ReshapeAliasBackward0,
    RollBackward0,
    SliceBackward0,
    SplitBackward0,
    SplitWithSizesBackward0,
    SqueezeBackward0,
    SqueezeBackward1,
    SqueezeBackward2,
    StackBackward0,
    TBackward0,
    TransposeBackward0,
    UnbindBackward0,
    UnsafeViewBackward0,
    UnsqueezeBackward0,
    ViewBackward0,
    _broadcast_view,
)

TENSOR_METHODS = (
    "view", "view_as", "reshape", "reshape_as", "flatten", "unflatten", "ravel", "squeeze",
    "unsqueeze", "permute", "transpose", "swapaxes", "swapdims", "t", "movedim", "moveaxis",
    "expand", "expand_as", "broadcast_to", "contiguous", "repeat", "tile", "repeat_interleave",
    "split", "chunk", "unbind", "narrow", "flip", "roll", "tensor_split", "hsplit", "vsplit",
    "dsplit", "fliplr", "flipud", "diff",
)


# private names from before the split into drawers, for code that imports them from here
def _same_dtype(tensors, op: str):
    return _promote(_checks.tensor_list(tensors, op))
