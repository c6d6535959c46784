"""Reductions: operations that combine many elements into fewer (sum, mean, max, softmax ...).

Three drawers: ``nodes.py`` (each op's forward and backward, the math in one docstring line),
``functions.py`` (``torch.sum(x)``, which is also ``x.sum()``) and ``_checks.py`` (PyTorch's
argument checks and error texts). This file gathers their names, so
``from glasstorch._ops.reduction import sum, SumBackward0`` works, and lists the methods Tensor
gets (:data:`TENSOR_METHODS`).
"""

from __future__ import annotations

# np ... _correction: importable from here before the split into drawers (kept for old code)
import numpy as np  # noqa: F401

from ... import _dtype as D  # noqa: F401
from ..._tensor import Tensor, _make, _wrap_dim, apply  # noqa: F401
from ...autograd.function import Node, record  # noqa: F401
from . import _checks
from ._checks import correction as _correction  # noqa: F401
from ._checks import dims as _dims  # noqa: F401
from ._checks import mean_dtype as _check_mean_dtype  # noqa: F401
from ._checks import nonempty as _nonempty  # noqa: F401
from ._checks import var_args as _var_args  # noqa: F401
from .functions import (  # noqa: F401
    _arg,
    _max_min,
    _reduce_dtype,
    _returns,
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    argsort,
    count_nonzero,
    cumsum,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    nanmean,
    norm,
    prod,
    return_type,
    softmax,
    sort,
    std,
    std_mean,
    sum,
    sum_to_size,
    topk,
    unique,
    var,
    var_mean,
)
from .nodes import (  # noqa: F401
    AmaxBackward0,
    AminBackward0,
    CumsumBackward0,
    LinalgVectorNormBackward0,
    LogSoftmaxBackward0,
    LogsumexpBackward0,
    MaxBackward0,
    MaxBackward1,
    MeanBackward0,
    MeanBackward1,
    MinBackward0,
    MinBackward1,
    ProdBackward0,
    ProdBackward1,
    SoftmaxBackward0,
    SortBackward0,
    SortBackward1,
    StdBackward0,
    StdMeanBackward0,
    SumBackward0,
    SumBackward1,
    TopkBackward0,
    VarBackward0,
    VarMeanBackward0,
    _centred,
    _expand_back,
    _quiet,
    _quiet_numpy,
)

TENSOR_METHODS = (
    "sum", "mean", "nanmean", "var", "std", "prod", "max", "min", "amax", "amin", "argmax",
    "argmin", "all", "any", "count_nonzero", "softmax", "log_softmax", "logsumexp", "cumsum",
    "norm", "sort", "argsort", "topk", "unique", "sum_to_size",
)


# private names from before the split into drawers, for code that imports them from here
def _axis(dims):
    return dims


def _amax_check(name: str, input, dims) -> None:
    _checks.amax(name, input, dims)


def _softmax_input(input, dim, dtype):
    x = input if dtype is None else input._cast(D.to_dtype(dtype))
    return x, _checks.softmax(x, dim)
