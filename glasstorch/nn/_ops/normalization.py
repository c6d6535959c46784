"""The batch-norm node (ATen's Normalization.cpp)."""

from __future__ import annotations

import math

import numpy as np

from ...autograd.function import Node


class NativeBatchNormBackward0(Node):
    """y = (x - mu) / sqrt(var + eps) * gamma + beta per channel (dim 1)  |  training:
    dx = gamma/sigma (g - mean(g) - xhat mean(g xhat)); dgamma = sum g xhat; dbeta = sum g"""

    saved_inputs = (0, 1)
    saved_as = (None, 1, None, None)  # xhat and invstd: functions of x, see _saved_in_graph

    def forward(self, x, weight, bias, mean, invstd, axes, training, eps=1e-5):
        shape = [1] * x.ndim
        shape[1] = x.shape[1]
        xhat = (x - mean.reshape(shape)) * invstd.reshape(shape)
        out = xhat if weight is None else xhat * weight.reshape(shape)
        if bias is not None:
            out = out + bias.reshape(shape)
        self.saved = (xhat, weight, invstd, mean)
        self.axes, self.shape, self.training, self.eps = axes, shape, training, eps
        return out

    def backward(self, g):
        xhat, weight, invstd, _ = self.saved
        axes, shape = self.axes, self.shape
        need = self._in_meta
        total = np.add.reduce  # (np.sum without its Python-level wrapper; works on tensors)
        dw = total(g * xhat, axis=axes) if need[1] is not None else None
        db = total(g, axis=axes) if need[2] is not None else None
        dx = None
        if need[0] is not None:
            scale = invstd.reshape(shape) if weight is None else (weight * invstd).reshape(shape)
            if self.training:
                m = math.prod(xhat.shape) // xhat.shape[1] if xhat.shape[1] else 1
                gsum = total(g, axis=axes, keepdims=True)
                gx = total(g * xhat, axis=axes, keepdims=True)
                dx = scale * (g - gsum / m - xhat * (gx / m))
            else:
                dx = g * scale
        return dx, dw, db

    def _saved_in_graph(self) -> tuple:
        """create_graph: xhat is a function of x, and so are invstd and the mean in training
        (the batch's statistics): they are rebuilt from x's tensor (x itself, for a leaf; else
        xhat / invstd + mean on x's edge), so that their derivatives join the graph."""
        xhat, weight, invstd, mean = self.saved
        shape = self.shape
        x = self._in_graph(xhat / invstd.reshape(shape) + mean.reshape(shape), 0)
        if self.training:
            mean = np.mean(x, axis=self.axes)
            invstd = 1 / np.sqrt(np.var(x, axis=self.axes) + self.eps)
        xhat = (x - mean.reshape(shape)) * invstd.reshape(shape)
        return xhat, self._in_graph(weight, self.saved_as[1]), invstd, mean
