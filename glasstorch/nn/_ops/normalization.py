"""The batch-norm node (ATen's Normalization.cpp)."""

from __future__ import annotations

import math

import numpy as np

from ...autograd.function import Node


class NativeBatchNormBackward0(Node):
    """y = (x - mu) / sqrt(var + eps) * gamma + beta per channel (dim 1)  |  training:
    dx = gamma/sigma (g - mean(g) - xhat mean(g xhat)); dgamma = sum g xhat; dbeta = sum g"""

    saved_inputs = (0, 1)
    saved_as = (0, 1, None, None)  # (in training mean and invstd are x's: see below)

    def forward(self, x, weight, bias, mean, invstd, axes, training, eps=1e-5):
        shape = [1] * x.ndim
        shape[1] = x.shape[1]
        xhat = (x - mean.reshape(shape)) * invstd.reshape(shape)
        out = xhat if weight is None else xhat * weight.reshape(shape)
        if bias is not None:
            out = out + bias.reshape(shape)
        self.saved = (x, weight, mean, invstd)  # (xhat is recomputed, as PyTorch does)
        self.axes, self.shape, self.training, self.eps = axes, shape, training, eps
        return out

    def backward(self, g):
        x, weight, mean, invstd = self.saved
        axes, shape = self.axes, self.shape
        xhat = (x - mean.reshape(shape)) * invstd.reshape(shape)
        need = self._in_meta
        dw = np.sum(g * xhat, axis=axes) if need[1] is not None else None
        db = np.sum(g, axis=axes) if need[2] is not None else None
        dx = None
        if need[0] is not None:
            scale = invstd.reshape(shape) if weight is None else (weight * invstd).reshape(shape)
            if self.training:
                m = math.prod(x.shape) // x.shape[1] if x.shape[1] else 1
                gsum = np.sum(g, axis=axes, keepdims=True)
                gx = np.sum(g * xhat, axis=axes, keepdims=True)
                dx = scale * (g - gsum / m - xhat * (gx / m))
            else:
                dx = g * scale
        return dx, dw, db

    def _saved_in_graph(self) -> tuple:
        """create_graph: in training, mean and invstd are the batch's statistics, functions of
        x, so they are recomputed from x's tensor and their derivatives join the graph."""
        x, weight, mean, invstd = super()._saved_in_graph()
        if self.training:
            mean = np.mean(x, axis=self.axes)
            invstd = 1 / np.sqrt(np.var(x, axis=self.axes) + self.eps)
        return x, weight, mean, invstd
