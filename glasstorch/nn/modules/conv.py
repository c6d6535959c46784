"""Conv1d and Conv2d: a learned kernel slid over the input (see F.conv2d, nn/_ops/conv.py).

Each of the ``out_channels`` kernels covers ``in_channels / groups`` channels and
``kernel_size`` positions; at every position of the (padded) input it gives one output value,
the dot product of the kernel with the patch under it, plus the bias. ``stride`` steps the
kernel, ``dilation`` spreads its taps apart, ``groups`` splits the channels into independent
convolutions side by side. The weight has shape (out_channels, in_channels / groups,
*kernel_size) and starts, as PyTorch's, from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
fan_in = in_channels / groups * prod(kernel_size) (kaiming_uniform_ with a = sqrt(5)); so does
the bias.

``padding_mode`` other than 'zeros' pads the input with F.pad first (reflect, replicate,
circular), then convolves without padding.
"""

from __future__ import annotations

import math

import glasstorch

from ..._tensor import Tensor
from .. import _checks, init
from .. import functional as F
from ..parameter import Parameter
from .module import Module
from .utils import _pair, _reverse_repeat_tuple, _single

__all__ = ["Conv1d", "Conv2d"]


class _ConvNd(Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: tuple, stride: tuple,
                 padding: str | tuple, dilation: tuple, transposed: bool,
                 output_padding: tuple, groups: int, bias: bool, padding_mode: str,
                 device=None, dtype=None) -> None:
        super().__init__()
        _checks.conv_module(in_channels, out_channels, stride, padding, groups, padding_mode)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        # what F.pad needs for a padding_mode other than zeros: (left, right) per dimension,
        # last dimension first; 'same' puts an odd extra element on the right
        if padding == "same":
            total = [d * (k - 1) for d, k in zip(dilation, kernel_size)]
            self._reversed_padding_repeated_twice = [
                n for t in reversed(total) for n in (t // 2, t - t // 2)]
        elif padding == "valid":
            self._reversed_padding_repeated_twice = [0, 0] * len(kernel_size)
        else:
            self._reversed_padding_repeated_twice = _reverse_repeat_tuple(padding, 2)
        factory = {"dtype": dtype} if device is None else {"dtype": dtype, "device": device}
        self.weight = Parameter(glasstorch.empty(
            (out_channels, in_channels // groups, *kernel_size), **factory))
        if bias:
            self.bias = Parameter(glasstorch.empty(out_channels, **factory))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh initial weights (weight first, then bias, as PyTorch does)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        conv = F.conv1d if len(self.kernel_size) == 1 else F.conv2d
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, weight, bias, self.stride, (0,) * len(self.kernel_size),
                        self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) or (C_in, L) input -> (N, C_out, L_out), with
    L_out = floor((L + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, _single(kernel_size), _single(stride),
                         padding if isinstance(padding, str) else _single(padding),
                         _single(dilation), False, _single(0), groups, bias, padding_mode,
                         device, dtype)


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) or (C_in, H, W) input -> (N, C_out, H_out, W_out),
    with H_out = floor((H + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1 (W alike).

    nn.Conv2d(1, 16, 3, padding=1) keeps 28x28 images 28x28 and gives 16 feature maps."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, _pair(kernel_size), _pair(stride),
                         padding if isinstance(padding, str) else _pair(padding),
                         _pair(dilation), False, _pair(0), groups, bias, padding_mode,
                         device, dtype)
