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
        if idx.size:  # sum the rows of g by index: sort the indices, add each run of equals
            order = np.argsort(idx, kind="stable")  # (4x faster than np.add.at)
            ids = idx[order]
            starts = np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]]))
            dw[ids[starts]] = np.add.reduceat(g[order], starts, axis=0)
        if self.padding_idx >= 0:
            dw[self.padding_idx] = 0  # the padding row never learns
        return (dw,)
