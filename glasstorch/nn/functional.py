"""glasstorch.nn.functional: layers, activations and losses as plain functions.

Every function has PyTorch's signature, result, dtype, warnings and errors, and reads the same
way: a docstring, one call into ``nn/_checks.py`` (PyTorch's argument checks and texts, plus a
``[glasstorch]`` hint where the text alone leaves a learner guessing), then the idea in a few
lines. An operation with its own gradient runs a node from ``nn/_ops/`` (forward and backward
side by side, named like PyTorch's ``grad_fn``); the rest are compositions of tensor operations,
so the graph a learner sees is the graph that runs (``cross_entropy`` is ``log_softmax``
followed by ``nll_loss``, as in PyTorch). The ``reduction`` argument is handled in
``nn/_reduction.py``.

Layout: linear, activations, dropout / one_hot / batch_norm / normalize / cosine_similarity /
pad, then the losses: regression (mse, l1, smooth_l1, huber), classification (nll_loss,
cross_entropy, kl_div) and binary (binary_cross_entropy, ..._with_logits).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .. import _dtype as D
from .. import coach as _coach
from .._tensor import Tensor, _make, apply

# isort: split
from .._ops import binary, inplace  # after the Tensor: the op modules import it
from .._ops.linalg import AddmmBackward0
from .._ops.shape import cat as _cat
from ..autograd.function import Node, record
from . import _checks, _reduction
from ._ops.activation import (
    EluBackward0,
    GeluBackward0,
    HardswishBackward0,
    HardtanhBackward0,
    LeakyReluBackward0,
    LogSigmoidBackward0,
    MishBackward0,
    SiluBackward0,
    SoftplusBackward0,
    _erf,  # noqa: F401  (tests import it from here)
)
from ._ops.attention import (
    BaddbmmBackward0,
    SafeSoftmaxBackward0,
    ScaledDotProductFlashAttentionForCpuBackward0,
)
from ._ops.binary_ops import AddBackward1, DivBackward1, MulBackward1, XlogyBackward0
from ._ops.conv import ConvolutionBackward0
from ._ops.embedding import EmbeddingBackward0
from ._ops.loss import (
    BinaryCrossEntropyBackward0,
    BinaryCrossEntropyWithLogitsBackward0,
    HuberLossBackward0,
    MseLossBackward0,
    NllLoss2DBackward0,
    NllLossBackward0,
    SmoothL1LossBackward0,
)
from ._ops.normalization import NativeBatchNormBackward0, NativeLayerNormBackward0
from ._ops.padding import PAD_NODES, ConstantPadNdBackward0
from ._ops.pooling import (
    AdaptiveAvgPool2DBackward0,
    AvgPool2DBackward0,
    MaxPool2DWithIndicesBackward0,
)
from ._ops.upsampling import (
    UpsampleBilinear2DBackward0,
    UpsampleLinear1DBackward0,
    UpsampleNearest1DBackward0,
    UpsampleNearest2DBackward0,
    UpsampleNearestExact1DBackward0,
    UpsampleNearestExact2DBackward0,
)

__all__ = [
    "linear", "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "interpolate", "dropout1d", "dropout2d", "relu",
    "relu_", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax", "gelu", "elu", "silu",
    "softplus", "logsigmoid", "hardtanh", "relu6", "mish", "hardswish", "softsign", "softmin",
    "dropout", "one_hot", "batch_norm", "layer_norm", "normalize", "pad", "embedding",
    "cosine_similarity", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy",
    "nll_loss", "kl_div", "binary_cross_entropy", "binary_cross_entropy_with_logits",
]


def _run(node_cls: type[Node], inputs: tuple, arrays: tuple, **params) -> Tensor:
    """Run ``node_cls`` on ``arrays`` (the inputs' values, possibly converted to a common dtype)
    and record it with the tensors ``inputs`` (same order; None for an absent input)."""
    node = node_cls()
    return record(node, inputs, node.forward(*arrays, **params), _make)


def _with_number(node_cls: type[Node], t: Tensor, number: float) -> Tensor:
    """A Tensor-and-number op as PyTorch's C++ code calls it (MulBackward1, DivBackward1 ...)."""
    return apply(node_cls, t, other=number)


# =============================================================================================
# linear
# =============================================================================================


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input @ weight.T + bias over the last dimension of ``input`` (shape (*, in)).

    The graph is PyTorch's: weight.t() is a view (TBackward0); with a bias, 2-D input is one
    node, y = b + x @ W^T (AddmmBackward0), and other contiguous input is folded into rows for
    it and unfolded after (non-contiguous input: a matmul, then + b); without a bias it is a
    matmul (MmBackward0, or UnsafeViewBackward0 /
    SqueezeBackward4 for batched / 1-D input)."""
    _checks.linear(input, weight, bias)
    if weight.ndim == 1:
        return input.matmul(weight)
    if bias is None:
        return input.matmul(weight.t())
    if input.ndim == 2:
        return apply(AddmmBackward0, bias, input, weight.t())
    if not input.is_contiguous():  # PyTorch folds only contiguous input into addmm's rows
        return input.matmul(weight.t()) + bias
    out_f, in_f = weight.shape
    y = apply(AddmmBackward0, bias, input.reshape(math.prod(input.shape[:-1]), in_f), weight.t())
    return y.view(*input.shape[:-1], out_f)


# =============================================================================================
# convolution
# =============================================================================================


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-D convolution (cross-correlation) of ``input`` (N, C, L) or (C, L) with ``weight``
    (O, C/groups, k); the same node as conv2d, with one spatial dimension."""
    return _convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation) of ``input`` (N, C, H, W) or (C, H, W) with
    ``weight`` (O, C/groups, kH, kW), plus ``bias`` (O,): out[n, o] = sum over the input
    channels c of the group and kernel offsets (i, j) of
    weight[o, c, i, j] * x[n, c, y*stride + i*dilation, x*stride + j*dilation] (after zero
    padding). Computed as im2col + one matmul (nn/_ops/conv.py)."""
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def _convolution(fn: str, nd: int, input: Tensor, weight: Tensor, bias: Tensor | None, stride,
                 padding, dilation, groups: int) -> Tensor:
    stride, padding, dilation = _checks.conv(fn, nd, input, weight, bias, stride, padding,
                                             dilation, groups)
    batched = input.ndim == nd + 2
    x = input if batched else input.unsqueeze(0)  # one sample: a batch of one, as PyTorch
    if padding == "same":  # d*(k-1) zeros in all, half on each side, any odd one on the right
        total = [d * (k - 1) for d, k in zip(dilation, weight.shape[2:])]
        padding = tuple(t // 2 for t in total)
        if any(t % 2 for t in total):
            _checks.same_padding_warning()
            x = pad(x, [n for t in reversed(total) for n in (0, t % 2)])
    out = _run(ConvolutionBackward0, (x, weight, bias),
               (x._data, weight._data, None if bias is None else bias._data),
               stride=stride, padding=padding, dilation=dilation, groups=groups)
    return out if batched else out.squeeze(0)


# =============================================================================================
# pooling and resizing
# =============================================================================================


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """The largest value of each kernel_size window of the last two dims (windows step by
    ``stride``, default kernel_size; -inf padding); with ``return_indices`` also where each
    came from, as h * W + w in its input plane (int64), e.g. for nn.MaxUnpool2d."""
    kernel, stride, padding, dilation, out = _checks.max_pool2d(
        "max_pool2d_with_indices" if return_indices else "max_pool2d", input, kernel_size,
        stride, padding, dilation, ceil_mode)
    values, indices = apply(MaxPool2DWithIndicesBackward0, input, kernel=kernel, stride=stride,
                            padding=padding, dilation=dilation, out=out)
    return (values, indices) if return_indices else values


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """max_pool2d of the (N, C, 1, L) view of ``input`` (N, C, L) or (C, L), as in PyTorch."""
    if return_indices:
        k, s, p, d = _checks.pool1d("max_pool1d", input, kernel_size, stride, padding, dilation)
    else:
        k, s, p, d = _checks.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)
    values, indices = max_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d),
                                 ceil_mode, True)
    return (values.squeeze(-2), indices.squeeze(-2)) if return_indices else values.squeeze(-2)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each kernel_size window of the last two dims: the window's sum divided by
    its size (counting the zero padding if ``count_include_pad``), or by divisor_override."""
    kernel, stride, padding, out = _checks.avg_pool2d(input, kernel_size, stride, padding,
                                                      ceil_mode, divisor_override)
    return apply(AvgPool2DBackward0, input, kernel=kernel, stride=stride, padding=padding,
                 out=out, count_include_pad=count_include_pad,
                 divisor_override=divisor_override)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """avg_pool2d of the (N, C, 1, L) view of ``input`` (N, C, L) or (C, L), as in PyTorch."""
    k, s, p, _ = _checks.pool1d("avg_pool1d", input, kernel_size, stride, padding)
    return avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode,
                      count_include_pad).squeeze(-2)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average over windows chosen so the last two dims become ``output_size`` (None keeps a
    size): output i covers inputs floor(i n / o) to ceil((i + 1) n / o). A 1x1 output is the
    mean over the last two dims (MeanBackward1, as in PyTorch)."""
    out = _checks.adaptive_output_size(input, output_size, 2)
    _checks.adaptive_avg_pool2d(input, out)
    if out == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    return apply(AdaptiveAvgPool2DBackward0, input, out=out)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """adaptive_avg_pool2d of the (N, C, 1, L) view, as in PyTorch."""
    o = _checks.adaptive_avg_pool1d(input, output_size)
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, o)).squeeze(-2)


_RESIZE_NODES = {
    ("nearest", 1): UpsampleNearest1DBackward0, ("nearest", 2): UpsampleNearest2DBackward0,
    ("nearest-exact", 1): UpsampleNearestExact1DBackward0,
    ("nearest-exact", 2): UpsampleNearestExact2DBackward0,
    ("linear", 1): UpsampleLinear1DBackward0, ("bilinear", 2): UpsampleBilinear2DBackward0,
}


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of ``input`` (N, C, L) or (N, C, H, W) to ``size``, or by
    ``scale_factor`` (output size floor(n * scale_factor)). Modes: 'nearest' (copy the
    nearest input), 'nearest-exact', 'linear' / 'bilinear' (mix the two / four nearest
    inputs; ``align_corners`` maps the corner pixels onto each other) and 'area'
    (adaptive average pooling). See nn/_ops/upsampling.py."""
    out, scales, align_corners = _checks.interpolate(
        input, size, scale_factor, mode, align_corners, recompute_scale_factor, antialias)
    nd = input.ndim - 2
    if mode == "area":
        return (adaptive_avg_pool1d if nd == 1 else adaptive_avg_pool2d)(input, out)
    extra = {} if "nearest" in mode else {"align_corners": bool(align_corners)}
    return apply(_RESIZE_NODES[mode, nd], input, out=tuple(out), scales=scales, **extra)


# =============================================================================================
# activations
# =============================================================================================


def _inplace(input: Tensor, fn, *args) -> Tensor:
    return inplace(input, lambda t, *a: fn(t, *a), *args)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x) (the core's ``Tensor.relu``)."""
    return input.relu_() if inplace else input.relu()


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)) (the core's ``Tensor.sigmoid``)."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """tanh(x) (the core's ``Tensor.tanh``)."""
    return input.tanh()


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: D.dtype | None = None) -> Tensor:
    """exp(x_i - m) / sum_j exp(x_j - m) along ``dim``; ``dtype`` converts the input first."""
    if dim is None:
        dim = _checks.softmax_dim("softmax", input.ndim, _stacklevel)
    return (input if dtype is None else input.to(dtype)).softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: D.dtype | None = None) -> Tensor:
    """x_i - m - log sum_j exp(x_j - m) along ``dim``; ``dtype`` converts the input first."""
    if dim is None:
        dim = _checks.softmax_dim("log_softmax", input.ndim, _stacklevel)
    return (input if dtype is None else input.to(dtype)).log_softmax(dim)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: D.dtype | None = None) -> Tensor:
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _checks.softmax_dim("softmin", input.ndim, _stacklevel)
    return (-(input if dtype is None else input.to(dtype))).softmax(dim)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope * x otherwise."""
    _checks.require_float(input, "leaky_relu_cpu")
    if inplace:
        return _inplace(input, leaky_relu, negative_slope)
    return apply(LeakyReluBackward0, input, negative_slope=negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    _checks.require_float(input, "elu_cpu")
    if inplace:
        return _inplace(input, elu, alpha)
    return apply(EluBackward0, input, alpha=alpha)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    _checks.require_float(input, "silu_cpu")
    if inplace:
        return _inplace(input, silu)
    return apply(SiluBackward0, input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta; linear (x) where beta x > threshold, for stability."""
    _checks.require_float(input, "softplus_cpu")
    return apply(SoftplusBackward0, input, beta=beta, threshold=threshold)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), computed without overflow."""
    _checks.require_float(input, "log_sigmoid_forward")
    return apply(LogSigmoidBackward0, input)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val]."""
    if inplace:
        return _inplace(input, hardtanh, min_val, max_val)
    return apply(HardtanhBackward0, input, min_val=min_val, max_val=max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6) (hardtanh on [0, 6], as in PyTorch)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    _checks.require_float(input, "mish_cpu")
    if inplace:
        return _inplace(input, mish)
    return apply(MishBackward0, input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    _checks.require_float(input, "hardswish_cpu")
    if inplace:
        return _inplace(input, hardswish)
    return apply(HardswishBackward0, input)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|) (tensor operations, as in PyTorch)."""
    return input / (input.abs() + 1)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF (exact erf form, or the tanh approximation)."""
    _checks.gelu(input, approximate)
    return apply(GeluBackward0, input, approximate=approximate)


# =============================================================================================
# dropout, one_hot, batch_norm, normalize, cosine_similarity, pad
# =============================================================================================


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Training: zero each element with probability p and scale the rest by 1/(1-p) (the mask
    comes from glasstorch's generator, drawn as PyTorch draws it); otherwise the input itself."""
    if not _checks.dropout(input, p, training):
        return input
    from .._random import dropout_mask

    # PyTorch: noise = empty_like(x).bernoulli_(1 - p); noise.div_(1 - p); x * noise
    # (for p == 1 it multiplies by a zero scalar instead of drawing)
    dtype = input._data.dtype
    if p == 1:
        noise = np.zeros((), dtype)
    else:  # the mask has the input's memory layout (empty_like) and is drawn in memory order
        order = _memory_order(input._data)
        noise = dropout_mask(tuple(input.shape[d] for d in order), p, dtype)
        noise = noise.transpose(np.argsort(order))
    return input.mul_(_make(noise)) if inplace else input * _make(noise)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Channel dropout of ``input`` (N, C, L) or (C, L): each channel is zeroed whole with
    probability p (the survivors scaled by 1/(1-p))."""
    _checks.dropout1d(input, p)
    if input.ndim == 3:
        return _feature_dropout(input, p, training, inplace)
    if inplace:  # PyTorch unsqueezes in place, drops, and squeezes back: the same values
        _feature_dropout(input.unsqueeze(0), p, training, True)
        return input
    return _feature_dropout(input.unsqueeze(0), p, training, False).squeeze(0)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Channel dropout of ``input`` (N, C, H, W): each feature map input[n, c] is zeroed whole
    with probability p (the survivors scaled by 1/(1-p)). Neighbouring pixels are strongly
    correlated, so dropping single pixels hardly regularises a CNN; dropping maps does.
    (3-D input is read as (N, C, L), with a warning, as in PyTorch.)"""
    _checks.dropout2d(input, p)
    return _feature_dropout(input, p, training, inplace)


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool) -> Tensor:
    """x * mask, with one bernoulli(1 - p) draw per (n, c), divided by (1 - p), broadcast over
    the remaining dims (PyTorch draws it on an (N, C, 1, ...) tensor)."""
    if not _checks.dropout(input, p, training, feature=True):
        return input
    from .._random import dropout_mask

    dtype = input._data.dtype
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    noise = np.zeros((), dtype) if p == 1 else dropout_mask(shape, p, dtype)
    return input.mul_(_make(noise)) if inplace else input * _make(noise)


def _memory_order(a: np.ndarray) -> list[int]:
    """The dims of ``a`` from the largest stride to the smallest when its elements fill one
    block of memory (a transpose, say), as PyTorch's empty_like keeps that layout; otherwise
    (a strided slice) row-major order."""
    if a.flags.c_contiguous:
        return list(range(a.ndim))
    dims = sorted(range(a.ndim), key=lambda d: -a.strides[d])
    step = a.itemsize
    for d in reversed(dims):
        if a.shape[d] != 1 and a.strides[d] != step:
            return list(range(a.ndim))
        step *= a.shape[d]
    return dims


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape (*tensor.shape, num_classes) with a 1 at each class index."""
    num_classes = _checks.one_hot(tensor, num_classes)
    out = np.zeros(tensor._data.shape + (num_classes,), np.int64)
    np.put_along_axis(out, tensor._data[..., None], 1, axis=-1)
    return _make(out)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) by the batch statistics (training) or the running ones.

    In training the running statistics are updated in place:
    running = (1 - momentum) * running + momentum * batch, with the unbiased batch variance.
    """
    _checks.batch_norm(input, {"running_mean": running_mean, "running_var": running_var,
                               "weight": weight, "bias": bias}, training, eps)
    x = input._data
    axes = (0, *range(2, x.ndim))
    if training or running_mean is None or running_var is None:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        if training:
            n = x.size // x.shape[1]
            for stat, batch in ((running_mean, mean), (running_var, var * (n / max(n - 1, 1)))):
                if stat is not None:
                    stat._data *= stat._data.dtype.type(1 - momentum)
                    stat._data += (batch * momentum).astype(stat._data.dtype)
                    stat._vc[0] += 1
    else:
        mean, var = running_mean._data, running_var._data
    invstd = (1 / np.sqrt(var + eps)).astype(x.dtype)
    return _run(NativeBatchNormBackward0, (input, weight, bias),
                (x, None if weight is None else weight._data,
                 None if bias is None else bias._data),
                mean=mean.astype(x.dtype), invstd=invstd, axes=axes, training=bool(training),
                eps=eps)


def layer_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample over its last len(normalized_shape) dims to mean 0 and variance 1
    (the biased variance, plus eps), then scale by ``weight`` and shift by ``bias``."""
    normalized_shape = _checks.int_tuple("layer_norm", "normalized_shape", 2, normalized_shape)
    _checks.layer_norm(input, normalized_shape, weight, bias)
    return _run(NativeLayerNormBackward0, (input, weight, bias),
                (input._data, None if weight is None else weight._data,
                 None if bias is None else bias._data),
                ndim=len(normalized_shape), eps=eps)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1/|x1| * x2/|x2|) along ``dim`` (each norm at least eps), on the broadcast shape."""
    if x1.shape != x2.shape:
        shape = _checks.broadcast_shape(tuple(x1.shape), tuple(x2.shape))
        x1, x2 = x1.expand(*shape), x2.expand(*shape)
    n1 = x1.norm(2, dim, keepdim=True).clamp_min(eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad the last len(pad)//2 dimensions: pad = (left_last, right_last, left_prev, ...).
    Modes: constant (value, default 0; negative pads crop), reflect, replicate, circular."""
    _checks.pad(input, pad, mode)
    # one index map per dimension: which input position each output position reads (-1: value)
    index = [np.arange(n) for n in input.shape]
    for k in range(len(pad) // 2):
        d = input.ndim - 1 - k
        n = input.shape[d]
        pos = np.arange(-int(pad[2 * k]), n + int(pad[2 * k + 1]))
        if mode == "constant":
            index[d] = np.where((pos >= 0) & (pos < n), pos, -1)
        elif mode == "reflect":
            period = 2 * (n - 1) if n > 1 else 1
            m = np.mod(pos, period)
            index[d] = np.where(m < n, m, period - m)
        elif mode == "replicate":
            index[d] = np.clip(pos, 0, n - 1)
        else:
            index[d] = np.mod(pos, n)
    node = PAD_NODES.get((mode, len(pad) // 2), ConstantPadNdBackward0)
    fill = (0.0 if value is None else value) if mode == "constant" else None
    return apply(node, input, index=index, value=fill)


# =============================================================================================
# embedding
# =============================================================================================


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look rows of ``weight`` (num_embeddings, dim) up by the integer ids in ``input``: the
    result has shape (*input.shape, dim). The gradient adds into the rows that were used;
    ``padding_idx``'s row gets none. With ``max_norm``, each used row whose ``norm_type``-norm
    exceeds it is first scaled down to it, in place (as PyTorch does)."""
    padding_idx = _checks.padding_idx(padding_idx, weight)
    if max_norm is not None:
        _embedding_renorm_(weight, input.contiguous(), max_norm, norm_type)
    _checks.embedding(input, weight, padding_idx, sparse)
    return _run(EmbeddingBackward0, (weight,), (weight._data, input._data),
                padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)


def _embedding_renorm_(weight: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> None:
    """torch.embedding_renorm_ (under no_grad): every row looked up whose norm exceeds max_norm
    is multiplied by max_norm / (norm + 1e-7), in the weight's dtype."""
    _checks.embedding_renorm(weight, indices)
    w = weight._data
    rows = np.unique(indices._data) % w.shape[0]
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1).astype(np.float64)
    big = norms > max_norm
    scale = max_norm / (norms[big] + 1e-7)
    w[rows[big]] *= scale.astype(w.dtype)[:, None]
    weight._vc[0] += 1


# =============================================================================================
# attention
# =============================================================================================


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(q k^T * scale + mask) v over the last two dims: query (..., L, E), key
    (..., S, E), value (..., S, Ev) -> (..., L, Ev); scale defaults to 1/sqrt(E).

    ``attn_mask``: bool (True = may attend) or float (added to the scores), broadcast to
    (..., L, S); ``is_causal``: position i attends to keys 0..i; a query that may attend to
    nothing gets zeros. ``dropout_p`` drops attention weights (PyTorch's masks).

    As in PyTorch on the CPU: 4-D inputs without dropout run as one fused node
    (ScaledDotProductFlashAttentionForCpuBackward0); the rest is PyTorch's "math"
    composition below, whose graph is PyTorch's."""
    _checks.scaled_dot_product_attention(query, key, value, attn_mask, dropout_p)
    if enable_gqa and query.ndim >= 3 and key.size(-3) != query.size(-3):
        repeats = query.size(-3) // key.size(-3)
        key, value = key.repeat_interleave(repeats, -3), value.repeat_interleave(repeats, -3)
    L, S = query.size(-2), key.size(-2)
    scale = 1 / math.sqrt(query.size(-1)) if scale is None else scale
    if _checks.sdpa_fused(query, key, value, attn_mask, dropout_p):
        mask = _float_mask(attn_mask, query.dtype)
        if is_causal:
            causal = np.where(np.tril(np.ones((L, S), bool)), 0, -np.inf).astype(
                query._data.dtype)
            mask = causal if mask is None else np.where(causal == 0, mask, -np.inf)
        return _run(ScaledDotProductFlashAttentionForCpuBackward0, (query, key, value),
                    (query._data, key._data, value._data), mask=mask, scale=scale)
    if is_causal:
        _checks.sdpa_causal_mask(attn_mask)
        attn_mask = _make(np.tril(np.ones((L, S), bool)))
    if attn_mask is not None and attn_mask.dtype is D.bool:
        attn_mask = _make(_float_mask(attn_mask, query.dtype))
    # q and k are scaled by sqrt(scale) each (PyTorch's order, kind to float16)
    root = math.sqrt(abs(scale))
    q = _with_number(MulBackward1, query, -root if scale < 0 else root)
    scores = q.matmul(_with_number(MulBackward1, key.transpose(-2, -1), root))
    if attn_mask is not None:
        _checks.added_in_place(scores, attn_mask)  # (PyTorch adds the mask in place)
        scores = scores + attn_mask
    weights = apply(SafeSoftmaxBackward0, scores, dim=scores.ndim - 1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return weights.matmul(value)


def _float_mask(mask: Tensor | None, dtype: D.dtype) -> np.ndarray | None:
    """A bool mask (True = attend) as 0 / -inf scores of ``dtype``; a float mask as it is."""
    if mask is None:
        return None
    if mask.dtype is D.bool:
        return np.where(mask._data, 0, -np.inf).astype(dtype.np)
    return mask._data


def _canonical_mask(mask: Tensor | None, mask_name: str, other_type: D.dtype | None,
                    other_name: str, target_type: D.dtype, check_other: bool = True):
    """A bool or float mask as a float one (True -> -inf: masked out), as PyTorch's helper."""
    if mask is None:
        return None
    _checks.attention_mask_dtype(mask, mask_name, other_type, other_name, check_other)
    if mask.dtype.is_floating_point:
        return mask
    return _make(np.where(mask._data, -np.inf, 0).astype(target_type.np))


def _none_or_dtype(t: Tensor | None) -> D.dtype | None:
    if t is None:
        return None
    if isinstance(t, Tensor):
        return t.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _in_projection_packed(q: Tensor, k: Tensor, v: Tensor, w: Tensor,
                          b: Tensor | None = None) -> tuple:
    """q W_q^T + b_q, k W_k^T + b_k, v W_v^T + b_v with the three weights stacked in ``w``;
    self-attention (q is k is v) projects once and splits, as PyTorch does."""
    E = q.size(-1)
    if k is v:
        if q is k:
            proj = linear(q, w, b)
            proj = proj.unflatten(-1, (3, E)).unsqueeze(0).transpose(0, -2).squeeze(
                -2).contiguous()
            return proj[0], proj[1], proj[2]
        w_q, w_kv = w.split([E, E * 2])
        b_q, b_kv = (None, None) if b is None else b.split([E, E * 2])
        q_proj = linear(q, w_q, b_q)
        kv = linear(k, w_kv, b_kv)
        kv = kv.unflatten(-1, (2, E)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
        return q_proj, kv[0], kv[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple:
    """Multi-head attention (nn.MultiheadAttention's computation), time-major: query (L, N, E),
    key (S, N, Ek), value (S, N, Ev), or unbatched without N. Returns (output (L, N, E),
    weights (N, L, S) averaged over heads, per head (N, heads, L, S), or None).

    Project q, k, v; cut the embedding into ``num_heads`` heads of E / num_heads features;
    each head attends (softmax(q k^T / sqrt(d)) v, with the masks); join the heads and
    project the result. With ``need_weights`` the attention is written out (to return the
    weights); without it, it is scaled_dot_product_attention. PyTorch's order of operations
    throughout, so the graph is PyTorch's."""
    batched = _checks.mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    _checks.mha_causal(is_causal, attn_mask)
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # scaled_dot_product_attention makes the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False)
        if key_padding_mask is not None:
            is_causal = False
    head_dim = _checks.mha_dims(embed_dim, embed_dim_to_check, num_heads, key, value,
                                use_separate_proj_weight)
    if not use_separate_proj_weight:
        _checks.mha_weight("use_separate_proj_weight is False but in_proj_weight is None",
                           in_proj_weight)
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            _checks.mha_weight(f"use_separate_proj_weight is True but {name}_proj_weight is "
                               "None", w)
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = (linear(query, q_proj_weight, b_q), linear(key, k_proj_weight, b_k),
                   linear(value, v_proj_weight, b_v))
    if attn_mask is not None:
        _checks.mha_attn_mask(attn_mask, tgt_len, src_len, bsz * num_heads)
        if attn_mask.dim() == 2:
            attn_mask = attn_mask.unsqueeze(0)
    if bias_k is not None and bias_v is not None:
        _checks.mha_static(static_k, static_v)
        k = _cat([k, bias_k.repeat(1, bsz, 1)])
        v = _cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    else:
        _checks.mha_bias_kv(bias_k, bias_v)
    # (L, N, E) -> (N * heads, L, head_dim): each head a batch entry of its own
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    if static_k is None:
        k = k.view(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        _checks.mha_static_shape("k", static_k, bsz * num_heads, head_dim)
        k = static_k
    if static_v is None:
        v = v.view(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        _checks.mha_static_shape("v", static_v, bsz * num_heads, head_dim)
        v = static_v
    if add_zero_attn:
        zeros = _make(np.zeros((bsz * num_heads, 1, head_dim), k._data.dtype))
        k = _cat([k, zeros], dim=1)
        v = _cat([v, _make(np.zeros((bsz * num_heads, 1, head_dim),
                                              v._data.dtype))], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.size(1)
    if key_padding_mask is not None:
        _checks.mha_key_padding_mask(key_padding_mask, src_len, bsz)
        key_padding_mask = key_padding_mask.view(bsz, 1, 1, src_len).expand(
            -1, num_heads, -1, -1).reshape(bsz * num_heads, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0
    if need_weights:
        E = q.shape[2]
        q_scaled = q * math.sqrt(1.0 / float(E))
        if attn_mask is not None:
            scores = apply(BaddbmmBackward0, attn_mask, q_scaled, k.transpose(-2, -1))
        else:
            scores = q_scaled.bmm(k.transpose(-2, -1))
        weights = softmax(scores, dim=-1)
        if dropout_p > 0.0:
            weights = dropout(weights, p=dropout_p)
        out = weights.bmm(v)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias)
        out = out.view(tgt_len, bsz, out.size(1))
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.size(1))
    if not batched:
        out = out.squeeze(1)
    return out, None


# =============================================================================================
# regression losses
# =============================================================================================


def _weighted(elementwise: Tensor, weight: Tensor, input: Tensor, reduction: str,
              mean_by_weight: bool = True) -> Tensor:
    """An elementwise loss times ``weight``, reduced (the mean divides by the weights' sum)."""
    _checks.elementwise_weight(weight, input)
    loss = elementwise * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / weight.sum() if mean_by_weight else loss.mean()


def _as(dtype: D.dtype, *tensors: Tensor) -> tuple:
    return tuple(t._data.astype(dtype.np, copy=False) for t in tensors)


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """mean / sum / none of (input - target)^2 (a shape mismatch only warns, then broadcasts)."""
    _checks.size_warning(input, target)
    reduction = _reduction.get(reduction, size_average, reduce)
    if weight is not None:
        return _weighted((input - target) ** 2, weight, input, reduction)
    rt = _checks.regression(input, target, "mse_cpu")
    return _run(MseLossBackward0, (input, target), _as(rt, input, target), reduction=reduction)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """mean / sum / none of |input - target| (built from sub, abs and mean, as in PyTorch)."""
    _checks.size_warning(input, target)
    reduction = _reduction.get(reduction, size_average, reduce)
    _checks.broadcast_shape(tuple(input.shape), tuple(target.shape))
    err = (input - target).abs()
    if weight is not None:
        return _weighted(err, weight, input, reduction)
    if reduction == "none":
        return err
    return err.sum() if reduction == "sum" else err.mean()


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Quadratic for |x - y| < beta, linear beyond (beta = 0 is the L1 loss)."""
    _checks.size_warning(input, target)
    reduction = _reduction.get(reduction, size_average, reduce)
    _checks.smooth_l1(beta)
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    rt = _checks.regression(input, target, "smooth_l1_cpu")
    return _run(SmoothL1LossBackward0, (input, target), _as(rt, input, target),
                reduction=reduction, beta=beta)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """Quadratic for |x - y| <= delta, linear (slope delta) beyond."""
    _checks.size_warning(input, target)
    reduction = _reduction.get(reduction)
    _checks.huber(delta)
    if weight is not None:
        return _weighted(huber_loss(input, target, "none", delta), weight, input, reduction,
                         mean_by_weight=False)
    # PyTorch computes Huber in the input's dtype (the target is converted to it)
    rt = _checks.regression(input, target, "huber_cpu",
                            input.dtype if input.dtype.is_floating_point else None)
    return _run(HuberLossBackward0, (input, target), _as(rt, input, target),
                reduction=reduction, delta=delta)


# =============================================================================================
# classification losses: nll_loss, cross_entropy, kl_div
# =============================================================================================


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C, d1, ...) | (C,) at class
    indices ``target`` (N, d1, ...) | (); the mean is weighted by the targets' class weights."""
    reduction = _reduction.get(reduction, size_average, reduce)
    _checks.nll_loss(input, target, weight)
    return _nll_loss(input, target, weight, reduction, ignore_index)


def _nll_loss(input: Tensor, target: Tensor, weight: Tensor | None, reduction: str,
              ignore_index: int) -> Tensor:
    """PyTorch's kernels after the checks: (N, C) and (C,) input run NllLossBackward0,
    (N, C, H, W) NllLoss2DBackward0, and other K-dimensional input is viewed as (N, C, 1, rest)
    for it (the unreduced loss is viewed back to (N, d1, ...))."""
    t = target._data.astype(np.int64, copy=False)
    w = None if weight is None else weight._data
    if input.ndim <= 2:
        t = t.reshape(()) if input.ndim == 1 else t  # (C,) input: one (possibly [1]) target
        return _run(NllLossBackward0, (input,), (input._data, t, w),
                    reduction=reduction, ignore_index=ignore_index)
    n, c = input.shape[:2]
    x = input if input.ndim == 4 else input.contiguous().view(n, c, 1, math.prod(input.shape[2:]))
    loss = _run(NllLoss2DBackward0, (x,), (x._data, t.reshape(n, *x.shape[2:]), w),
                reduction=reduction, ignore_index=ignore_index)
    return loss.view(n, *input.shape[2:]) if reduction == "none" and input.ndim != 4 else loss


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of raw scores ``input`` (class dim 1, or 0 for 1-D input) against class
    indices (int64, the input's shape without the class dim) or class probabilities (float,
    the input's shape), with class ``weight``, ``ignore_index`` and ``label_smoothing``.

    As in PyTorch: nll_loss(log_softmax(input), target) for class indices; label smoothing
    mixes in the mean over classes of -log_softmax; probabilities give -sum(target * log_p)."""
    reduction = _reduction.get(reduction, size_average, reduce)
    probabilities = _checks.cross_entropy(input, target, weight, ignore_index, label_smoothing)
    if _coach._state.enabled:
        _coach.check_cross_entropy_input(input)  # probabilities instead of scores?
    dim = 1 if input.ndim >= 2 else 0
    eps = float(label_smoothing) if label_smoothing > 0.0 else 0.0
    if probabilities:
        return _cross_entropy_probabilities(input, target, weight, reduction, eps, dim)
    # two nodes, as PyTorch: measured against the old fused node (with its pass-through), a
    # digits training step costs the same (349 vs 354 us CPU), so nothing is fused
    log_p = input.log_softmax(dim)
    loss = _nll_loss(log_p, target, weight, reduction, ignore_index)
    if eps == 0.0:
        return loss
    return _label_smoothing(loss, log_p, target, weight, reduction, ignore_index, eps, dim)


def _label_smoothing(nll: Tensor, log_p: Tensor, target: Tensor, weight: Tensor | None,
                     reduction: str, ignore_index: int, eps: float, dim: int) -> Tensor:
    """(1 - eps) nll + eps/C sum_c -w_c log_p_c per counted sample, reduced like the NLL term
    (the mean divides by the counted samples' weight)."""
    ignored = target == ignore_index
    weighted = log_p if weight is None else log_p * _per_class(weight, log_p, dim)
    smooth = -weighted.sum(dim)
    smooth.masked_fill_(ignored, 0.0)
    if reduction == "mean":
        kept = ~ignored  # the mean divides by the counted samples' number, or their weight
        counted = kept if weight is None else weight.gather(0, target.masked_select(kept))
        smooth = smooth.sum() / counted.sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    return (_with_number(MulBackward1, nll, 1 - eps)
            + _with_number(MulBackward1, smooth, eps / log_p.shape[dim]))


def _per_class(weight: Tensor, input: Tensor, dim: int) -> Tensor:
    """``weight`` (C,) viewed as (1, C, 1, ...) to broadcast along ``input``'s class dim."""
    if input.ndim == 1:
        return weight
    shape = [1] * input.ndim
    shape[dim] = input.shape[dim]
    return weight.view(*shape)


def _cross_entropy_probabilities(input: Tensor, target: Tensor, weight: Tensor | None,
                                 reduction: str, eps: float, dim: int) -> Tensor:
    """-sum_c w_c y_c log_softmax(x)_c, y smoothed to y (1 - eps) + eps / C; the mean divides
    by the number of samples (an empty input's mean is nan)."""
    C = input.shape[dim]
    if eps > 0.0:
        target = _with_number(AddBackward1, _with_number(MulBackward1, target, 1 - eps), eps / C)
    prod = input.log_softmax(dim) * target
    if weight is not None:
        prod = prod * _per_class(weight, input, dim)
    if reduction == "none":
        return -prod.sum(dim)
    if reduction == "sum":
        return -prod.sum()
    if input.numel() == 0:
        return -prod.sum().fill_(math.nan)
    return _with_number(DivBackward1, -prod.sum(), input.numel() // C)


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(target || exp(input)) pointwise: target (log target - input), input = log-probs.
    reduction 'batchmean' divides the sum by the batch size (the mathematical KL divergence)."""
    reduction = _reduction.kl_div(reduction, size_average, reduce)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = binary(XlogyBackward0, target, target, out_dtype=D.float32) - target * input
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    total = loss.sum()
    return total / input.shape[0] if reduction == "batchmean" and input.ndim else total


# =============================================================================================
# binary losses
# =============================================================================================


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities ``input`` in [0, 1] (logs clamped at -100)."""
    reduction = _reduction.get(reduction, size_average, reduce)
    _checks.binary_cross_entropy(input, target, weight)
    x = input._data
    w = None if weight is None else np.broadcast_to(weight._data.astype(x.dtype, copy=False),
                                                     x.shape)
    return _run(BinaryCrossEntropyBackward0, (input, target, weight), (x, target._data, w),
                reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """sigmoid + binary cross-entropy in one numerically stable step, with per-element
    ``weight`` and per-class ``pos_weight`` (the weight of the positive term)."""
    reduction = _reduction.get(reduction, size_average, reduce)
    _checks.binary_cross_entropy_with_logits(input, target, weight, pos_weight)
    # PyTorch computes this loss in place on (1 - target), so the result has the target's dtype
    ops = (input, target, weight, pos_weight)
    rt = D.result_type(*[t for t in ops if t is not None])
    arrays = tuple(None if t is None else t._data.astype(rt.np, copy=False) for t in ops)
    return _run(BinaryCrossEntropyWithLogitsBackward0, ops, arrays, reduction=reduction,
                out_dtype=target._data.dtype)
