"""Matrix products (matmul, mm, bmm, mv, dot, addmm, outer), diagonals, distances (cdist) and
the nodes of ``torch.linalg`` (``decompositions.py``: inv, det, solve, qr, svd, eigh, pinv).

Four drawers: ``nodes.py`` (each op's forward and backward, the math in one docstring line),
``functions.py`` (``torch.mm(a, b)``, which is also ``a.mm(b)``), ``methods.py`` (the ``@``
operator) and ``_checks.py`` (PyTorch's argument checks and error texts). This file gathers
their names, so ``from glasstorch._ops.linalg import addmm, AddmmBackward0`` works, and lists
the methods Tensor gets (:data:`TENSOR_METHODS`).
"""

from __future__ import annotations

# np ... _check: importable from here before the split into drawers (kept for old code)
import numpy as np  # noqa: F401

from ..._tensor import Tensor, apply  # noqa: F401
from ...autograd.function import Node  # noqa: F401
from ._checks import _NP_NAMES  # noqa: F401
from ._checks import operands as _check  # noqa: F401
from .functions import (  # noqa: F401
    _matrix_at_batch,
    addmm,
    bmm,
    det,
    diag,
    diagonal,
    dot,
    ger,
    inner,
    inverse,
    logdet,
    matmul,
    mm,
    mv,
    outer,
    pinverse,
    qr,
    slogdet,
    svd,
    trace,
)
from .methods import (  # noqa: F401
    __matmul__,
    __rmatmul__,
)
from .nodes import (  # noqa: F401
    AddmmBackward0,
    BmmBackward0,
    CloneBackward0,
    DiagEmbedBackward0,
    DiagonalBackward0,
    DiagonalBackward0_copy,
    DotBackward0,
    MmBackward0,
    MvBackward0,
    SqueezeBackward4,
    TraceBackward0,
    TransposeBackward0,
    UnsafeViewBackward0,
    _diagonal_view,
    _grad_a,
    _grad_b,
)

TENSOR_METHODS = ("matmul", "mm", "bmm", "mv", "dot", "inner", "addmm", "outer", "ger",
                  "__matmul__", "__rmatmul__", "diagonal", "diag", "trace",
                  "inverse", "det", "logdet", "slogdet", "pinverse", "svd", "qr")
