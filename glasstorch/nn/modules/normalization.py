"""LayerNorm: normalise each sample over its last dimensions, then scale and shift.

y = (x - mean) / sqrt(var + eps) * weight + bias, where mean and (biased) var are taken over the
last len(normalized_shape) dimensions of each sample separately. Unlike BatchNorm it needs no
batch statistics, so it behaves the same in training and evaluation (and for a batch of one):
the usual normalisation in transformers and recurrent networks.
"""

from __future__ import annotations

import numbers

import glasstorch

from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["LayerNorm"]


class LayerNorm(Module):
    """Normalise over the trailing dims ``normalized_shape`` (an int is one dim)."""

    normalized_shape: tuple
    eps: float
    elementwise_affine: bool

    def __init__(self, normalized_shape: int | list[int] | tuple, eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        factory = {"dtype": dtype} if device is None else {"dtype": dtype, "device": device}
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if self.elementwise_affine:
            self.weight = Parameter(glasstorch.empty(self.normalized_shape, **factory))
            if bias:
                self.bias = Parameter(glasstorch.empty(self.normalized_shape, **factory))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight 1, bias 0: the layer starts as a pure normalisation."""
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")
