"""The batch-norm node (ATen's Normalization.cpp)."""

from __future__ import annotations

from ...autograd.function import Node


class NativeBatchNormBackward0(Node):
    """y = (x - mu) / sqrt(var + eps) * gamma + beta per channel (dim 1)  |  training:
    dx = gamma/sigma (g - mean(g) - xhat mean(g xhat)); dgamma = sum g xhat; dbeta = sum g"""

    saved_inputs = (0, 1)

    def forward(self, x, weight, bias, mean, invstd, axes, training):
        shape = [1] * x.ndim
        shape[1] = x.shape[1]
        xhat = (x - mean.reshape(shape)) * invstd.reshape(shape)
        out = xhat if weight is None else xhat * weight.reshape(shape)
        if bias is not None:
            out = out + bias.reshape(shape)
        self.saved = (xhat, weight, invstd)
        self.axes, self.shape, self.training = axes, shape, training
        return out

    def backward(self, g):
        xhat, weight, invstd = self.saved
        axes, shape = self.axes, self.shape
        need = self._in_meta
        dw = (g * xhat).sum(axis=axes) if need[1] is not None else None
        db = g.sum(axis=axes) if need[2] is not None else None
        dx = None
        if need[0] is not None:
            scale = invstd.reshape(shape) if weight is None else (weight * invstd).reshape(shape)
            if self.training:
                m = g.size // xhat.shape[1] if xhat.shape[1] else 1
                gsum = g.sum(axis=axes, keepdims=True)
                gx = (g * xhat).sum(axis=axes, keepdims=True)
                dx = scale * (g - gsum / m - xhat * (gx / m))
            else:
                dx = g * scale
        return dx, dw, db
