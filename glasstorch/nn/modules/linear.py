"""Linear (a fully connected layer, y = x W^T + b) and Identity."""

from __future__ import annotations

import math
from typing import Any

import glasstorch

from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Identity", "Linear"]  # (and NonDynamicallyQuantizableLinear, as in PyTorch)


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. to remove a layer); ignores arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """y = x W^T + b over the last dimension: (*, in_features) -> (*, out_features).

    ``weight`` has shape (out_features, in_features): row i holds the weights of output i.
    Initialised like PyTorch: W ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform_ with a=sqrt(5))
    and b ~ U(-1/sqrt(in), 1/sqrt(in)).
    """

    in_features: int
    out_features: int
    weight: Tensor

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        factory = {"dtype": dtype} if device is None else {"dtype": dtype, "device": device}
        self.weight = Parameter(glasstorch.empty((out_features, in_features), **factory))
        if bias:
            self.bias = Parameter(glasstorch.empty(out_features, **factory))
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

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under another name: MultiheadAttention's output projection (PyTorch names it
    so that its quantization tools leave it alone; it prints with this name)."""
