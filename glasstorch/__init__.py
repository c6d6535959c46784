"""glasstorch: PyTorch made of glass.

A deep learning framework in Python on NumPy with PyTorch's API, so ``import glasstorch as
torch`` runs course code unchanged, and every part of it can be read:

- ``_tensor.py``      the Tensor
- ``_ops/``           every operation: forward and backward side by side, checks beside
- ``linalg/``         torch.linalg: norms, inv, det, solve, qr, svd, eigh, pinv
- ``functional.py``   einsum, cdist
- ``autograd/``       the graph, the backward engine, no_grad, Function, gradcheck
- ``nn/``             modules, layers, losses, functional, init
- ``optim/``          optimizers and learning-rate schedulers
- ``utils/data/``     Dataset, DataLoader, samplers
- ``datasets/``       small real datasets shipped with the package

Beside the framework, ``teaching/`` holds what glasstorch adds for learners (the coach, the
glossary, graph drawings, metrics, labs and the ``glasstorch`` command); see its ``__init__``.
"""

from __future__ import annotations

import math as _math
import numbers as _numbers
import types as _types
import warnings as _pywarnings  # not _warnings: that is glasstorch._warnings, the warn helper

from ._malloc import tune as _tune_malloc

_tune_malloc()  # before any array is made: freed buffers stay in the heap (see _malloc.py)

from . import _dtype, autograd, backends, cuda, nn, optim, utils, version  # noqa: E402,I001
from ._creation import (
    arange,
    as_tensor,
    asarray,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    multinomial,
    normal,
    ones,
    ones_like,
    poisson,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    range,
    scalar_tensor,
    tensor,
    tril,
    tril_indices,
    triu,
    triu_indices,
    zeros,
    zeros_like,
)
from ._device import device, layout, strided
from ._dtype import (
    bool,
    double,
    dtype,
    finfo,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    iinfo,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    set_default_dtype,
    short,
    uint8,
)
from ._ops.indexing import (
    argwhere,
    bincount,
    bucketize,
    gather,
    histc,
    histogram,
    index_add,
    index_put,
    index_select,
    isin,
    masked_fill,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    searchsorted,
    select,
    take,
    take_along_dim,
)
from ._ops.linalg import (
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
from ._ops.pointwise import (
    abs,
    absolute,
    add,
    allclose,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    ceil,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    clone,
    cos,
    div,
    divide,
    eq,
    equal,
    exp,
    exp2,
    expm1,
    fix,
    float_power,
    floor,
    floor_divide,
    fmod,
    ge,
    greater,
    greater_equal,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    lerp,
    less,
    less_equal,
    log,
    log1p,
    log2,
    log10,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    maximum,
    minimum,
    mul,
    multiply,
    nan_to_num,
    ne,
    neg,
    negative,
    not_equal,
    pow,
    reciprocal,
    relu,
    remainder,
    round,
    rsqrt,
    rsub,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    sub,
    subtract,
    tan,
    tanh,
    true_divide,
    trunc,
    where,
)
from ._ops.reduction import (
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
    softmax,
    sort,
    std,
    std_mean,
    sum,
    topk,
    unique,
    var,
    var_mean,
)
from ._ops.shape import (
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
    vsplit,
    vstack,
)
from ._random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from ._size import Size
from ._tensor import Tensor
from ._tensor_str import get_printoptions, set_printoptions
from ._threads import get_num_threads, set_num_threads
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .version import __version__  # PyTorch 2.13 as a comparable version

pi, e, inf, nan = _math.pi, _math.e, _math.inf, _math.nan
newaxis = None  # x[:, torch.newaxis] is x[:, None]

# PyTorch computes inf - inf or 0 * inf silently (nan); NumPy warns, and attributes the
# RuntimeWarning to the glasstorch line that called it. Those warnings are ignored here, so a
# learner sees what PyTorch shows. (Tests turn warnings to "always" and still see any leak.)
_pywarnings.filterwarnings("ignore", category=RuntimeWarning, module=r"glasstorch(\.|$)")

# torch.linalg and torch.functional (einsum, cdist): they build on the ops imported above
from . import functional, linalg  # noqa: E402
from .functional import cdist, einsum  # noqa: E402


# Legacy typed constructors (torch.FloatTensor([1, 2]) and isinstance checks by type name)
def _legacy(dt):
    def make(*args):
        if len(args) == 1 and not isinstance(args[0], _numbers.Number):
            return tensor(args[0], dtype=dt)
        return zeros(*args, dtype=dt)

    return make


FloatTensor = _legacy(float32)
DoubleTensor = _legacy(float64)
LongTensor = _legacy(int64)
IntTensor = _legacy(int32)
BoolTensor = _legacy(bool)
ByteTensor = _legacy(uint8)
HalfTensor = _legacy(float16)


def is_tensor(obj) -> bool:  # noqa: A001
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def numel(input: Tensor) -> int:
    return input.numel()


def is_complex(input: Tensor) -> bool:
    return input.is_complex()


def is_nonzero(input: Tensor) -> bool:
    return input.is_nonzero()


def is_signed(input: Tensor) -> bool:
    return input.is_signed()


def is_same_size(input: Tensor, other: Tensor) -> bool:
    return input.is_same_size(other)


def typename(obj) -> str:
    """The type's name as PyTorch writes it: ``torch.FloatTensor`` for a float32 tensor."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = type(obj)
    module = cls.__module__.replace("glasstorch", "torch")
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def result_type(tensor1, tensor2) -> dtype:
    return _dtype.result_type(tensor1, tensor2)


def can_cast(from_: dtype, to: dtype) -> bool:
    return from_.category <= to.category


def get_default_device() -> device:
    return device("cpu")


def set_default_device(dev) -> None:
    from ._device import check_device

    check_device(dev)


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """glasstorch is always deterministic on the CPU."""


def compile(model=None, **kwargs):  # noqa: A001
    """``torch.compile`` is an identity here: glasstorch code is already plain Python."""
    return model if model is not None else (lambda m: m)


accelerator = _types.SimpleNamespace(is_available=lambda: False,
                                     current_accelerator=lambda: None)


_LAZY = ("datasets", "safetensors", "serialization")


def save(obj, f, *args, **kwargs) -> None:
    """Save ``obj`` (tensors, state_dicts, ...) to ``f`` in PyTorch's file format.

    A forwarder: the implementation, ``glasstorch/serialization.py``, is imported on first use
    so that ``import glasstorch`` stays fast."""
    from .serialization import save as _save

    _save(obj, f, *args, **kwargs)


def load(f, *args, **kwargs):
    """Load an object saved by ``save`` or by PyTorch (see ``glasstorch/serialization.py``)."""
    from .serialization import load as _load

    return _load(f, *args, **kwargs)


def __getattr__(name: str):
    if name in ("install_as_torch", "is_installed_as_torch", "load_ipython_extension"):
        from . import _torch_alias  # `import torch` giving glasstorch (%load_ext glasstorch)

        return getattr(_torch_alias, name)
    # modules that only some programs need load on first use: `import glasstorch` stays fast
    if name in _LAZY:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    return _teaching_old_path(name)  # glasstorch.viz ... or AttributeError


# Errors that come from mixing real PyTorch objects with glasstorch ones say so when printed
# (Python's excepthook and IPython's exception handler; see _mixing.py).
from ._mixing import install_hooks as _install_mixing_hooks  # noqa: E402

_install_mixing_hooks()


# Last, the teaching add-ons (glasstorch/teaching/): the framework above never imports them,
# except here. This loads the coach, which is on by default and hooks itself in through public
# hook points (autograd.graph's observers, the global optimizer-step and module forward
# pre-hooks), and the finder that keeps the old paths glasstorch.coach, .glossary, .viz, .metrics,
# .labs and .cli working (the same modules, loaded on first use).
from .teaching import coach, old_path as _teaching_old_path  # noqa: E402,I001
