"""The normalisation nodes: batch norm (ATen's Normalization.cpp) and layer norm
(layer_norm.cpp)."""

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


class NativeLayerNormBackward0(Node):
    """y = xhat * gamma + beta, xhat = (x - mean) * rstd over the last dims, rstd =
    1/sqrt(var + eps)  |  dx = rstd (h - mean(h) - xhat mean(h xhat)), h = g gamma;
    dgamma = sum g xhat; dbeta = sum g (sums over the leading dims)"""

    saved_inputs = (0, 1)

    def forward(self, x, weight, bias, ndim, eps):
        axes = tuple(range(x.ndim - ndim, x.ndim))
        dtype = x.dtype
        if dtype == np.float16:  # PyTorch computes half precision in float32
            x = x.astype(np.float32)
        if x.size:
            mean = x.mean(axis=axes, keepdims=True)
            var = np.square(x - mean).mean(axis=axes, keepdims=True)
        else:
            mean = var = np.zeros(x.shape[: x.ndim - ndim] + (1,) * ndim, x.dtype)
        rstd = 1 / np.sqrt(var + x.dtype.type(eps))
        # PyTorch's kernel computes x * rstd + (-mean * rstd), then the affine part
        xhat = x * rstd + (-mean * rstd)
        out = xhat
        if weight is not None:
            out = out * weight.astype(x.dtype, copy=False)
        if bias is not None:
            out = out + bias.astype(x.dtype, copy=False)
        self.saved = (xhat, weight, rstd)
        self.axes, self.lead = axes, tuple(range(x.ndim - ndim))
        return out.astype(dtype, copy=False)

    def backward(self, g):
        xhat, weight, rstd = self.saved
        need = self._in_meta
        gx = g.astype(xhat.dtype, copy=False)
        dw = (gx * xhat).sum(axis=self.lead) if need[1] is not None else None
        db = gx.sum(axis=self.lead) if need[2] is not None else None
        dx = None
        if need[0] is not None:
            h = gx if weight is None else gx * weight.astype(xhat.dtype, copy=False)
            if h.size:
                dx = rstd * (h - h.mean(axis=self.axes, keepdims=True)
                             - xhat * (h * xhat).mean(axis=self.axes, keepdims=True))
            else:
                dx = h
            dx = dx.astype(g.dtype, copy=False)
        return dx, dw, db
