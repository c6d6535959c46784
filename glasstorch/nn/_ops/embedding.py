"""The embedding node (ATen's Embedding.cpp): a table lookup and its scatter-add gradient."""

from __future__ import annotations

import numpy as np

from ...autograd.function import Node


class EmbeddingBackward0(Node):
    """out = W[idx] (one row per index)  |  dW[r] = sum of g where idx == r (nothing for
    padding_idx; each index's g times 1/count(r) with scale_grad_by_freq)"""

    def forward(self, weight, indices, padding_idx, scale_grad_by_freq):
        self.saved = (indices,)
        self.rows, self.padding_idx, self.scale = weight.shape[0], padding_idx, scale_grad_by_freq
        return weight[indices]

    def backward(self, g):
        (indices,) = self.saved
        idx = indices.reshape(-1)
        g = g.reshape(idx.size, g.shape[-1])
        if self.scale:  # PyTorch multiplies by 1/count, computed in the gradient's dtype
            counts = np.bincount(idx, minlength=self.rows)
            g = g * (1 / counts[idx]).astype(g.dtype)[:, None]
        dw = np.zeros((self.rows, g.shape[-1]), g.dtype)
        np.add.at(dw, idx, g)
        if self.padding_idx >= 0:
            dw[self.padding_idx] = 0  # the padding row never learns
        return (dw,)
