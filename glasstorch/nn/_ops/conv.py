"""The convolution node (ATen's Convolution.cpp), written as the idea: im2col, then one matmul.

A convolution slides a kernel over the input and, at every position, takes the dot product of
the kernel with the patch under it. Lay every patch out as one column of a matrix ``cols``
("image to columns": one row per (input channel, kernel offset), one column per output
position) and the whole convolution is a single matrix product, ``out = W @ cols``, with each
output channel's kernel flattened into a row of ``W``. The backward pass is that product's two
gradients, ``dW = g @ cols^T`` and ``d cols = W^T @ g``, then ``col2im``: every column of
``d cols`` is the gradient of one patch, added back where the patch was cut from (patches
overlap, so their gradients add up).

Shapes, for N images of C channels in G groups (the C/G input channels of a group feed only
its O/G output channels), K kernel offsets and L output positions:
x (N, C, *spatial), W (O, C/G, *kernel) seen as (G, O/G, C/G*K), cols (N, G, C/G*K, L),
out (N, G, O/G, L) = (N, O, *out_spatial).

``windows`` and ``add_windows`` (im2col / col2im over any number of spatial dimensions) are
shared with the pooling nodes, which slide a window the same way.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ...autograd.function import Node


def pad_zeros(x: np.ndarray, padding: tuple, value=0) -> np.ndarray:
    """``x`` with ``padding[i]`` elements of ``value`` before and after its i-th spatial dim
    (the trailing len(padding) dims); a pair (before, after) pads unevenly."""
    pairs = [p if isinstance(p, tuple) else (p, p) for p in padding]
    if not any(a or b for a, b in pairs):
        return x
    nd = len(pairs)
    shape = x.shape[:-nd] + tuple(n + a + b for n, (a, b) in zip(x.shape[-nd:], pairs))
    out = np.full(shape, value, x.dtype)
    out[(..., *[slice(a, a + n) for n, (a, _) in zip(x.shape[-nd:], pairs)])] = x
    return out


def windows(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Every window of the trailing len(kernel) dims of ``x``, as a view (no copy):
    shape (..., *out, *kernel), where window (i, j) starts at (i*stride, j*stride) and reads
    every dilation-th element."""
    nd = len(kernel)
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    every = sliding_window_view(x, span, axis=tuple(range(x.ndim - nd, x.ndim)))
    return every[(..., *[slice(None, None, s) for s in stride],
                  *[slice(None, None, d) for d in dilation])]


def add_windows(dx: np.ndarray, patches: np.ndarray, stride: tuple, dilation: tuple) -> None:
    """col2im, the reverse of ``windows``: add each window's values (``patches``, shaped
    (..., *out, *kernel)) back into ``dx`` at the places that window read, in place."""
    nd = len(stride)
    out, kernel = patches.shape[-2 * nd:-nd], patches.shape[-nd:]
    for offset in np.ndindex(*kernel):  # one kernel offset at a time: a strided slice of dx
        region = tuple(slice(k * d, k * d + s * (n - 1) + 1, s)
                       for k, d, s, n in zip(offset, dilation, stride, out))
        dx[(..., *region)] += patches[(..., *[slice(None)] * nd, *offset)]


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    # float16 products are summed in float32 and rounded once at the end, as PyTorch's CPU
    # kernels do (NumPy's float16 matmul would round after every addition)
    return np.dtype(np.float32) if dtype == np.float16 else dtype


class ConvolutionBackward0(Node):
    """out = W @ im2col(x) + b  |  dW = g @ cols^T,  dx = col2im(W^T @ g),  db = sum g"""

    saved_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}

    def forward(self, x, weight, bias, stride, padding, dilation, groups):
        n, o, kernel = x.shape[0], weight.shape[0], weight.shape[2:]
        nd, work = len(kernel), _compute_dtype(x.dtype)
        patches = windows(pad_zeros(x, padding), kernel, stride, dilation)  # (N, C, *out, *k)
        out_shape = patches.shape[2:2 + nd]
        # im2col, the one copy of the input: (N, C, *out, *kernel) -> (N, G, C/G * K, L)
        to_cols = (0, 1, *range(2 + nd, 2 + 2 * nd), *range(2, 2 + nd))
        cols = patches.transpose(to_cols).reshape(n, groups, x.shape[1] // groups
                                                  * math.prod(kernel), math.prod(out_shape))
        cols = cols.astype(work, copy=False)
        w = weight.reshape(groups, o // groups, -1).astype(work, copy=False)
        out = (w @ cols).reshape(n, o, *out_shape)  # (N, G, O/G, L): the convolution
        if bias is not None:
            out += bias.reshape(o, *[1] * nd)
        self.saved = (cols, w)
        self.x_shape, self.w_shape, self.out_shape = x.shape, weight.shape, out_shape
        self.stride, self.padding, self.dilation = stride, padding, dilation
        return out.astype(x.dtype, copy=False)

    def backward(self, g):
        cols, w = self.saved
        (n, c, *spatial), (o, _, *kernel), nd = self.x_shape, self.w_shape, len(self.w_shape) - 2
        groups, dtype = w.shape[0], g.dtype
        g = g.reshape(n, groups, o // groups, cols.shape[-1]).astype(w.dtype, copy=False)
        dx = dw = db = None
        if self.needs(0):
            d_cols = np.swapaxes(w, 1, 2) @ g  # (N, G, C/G * K, L)
            # col2im: (N, C, *kernel, *out) -> (N, C, *out, *kernel), each patch added back
            patches = d_cols.reshape(n, c, *kernel, *self.out_shape)
            patches = patches.transpose(0, 1, *range(2 + nd, 2 + 2 * nd), *range(2, 2 + nd))
            padded = [s + 2 * p for s, p in zip(spatial, self.padding)]
            dxp = np.zeros((n, c, *padded), w.dtype)
            add_windows(dxp, patches, self.stride, self.dilation)
            dx = dxp[(..., *[slice(p, p + s) for p, s in zip(self.padding, spatial)])]
            dx = dx.astype(dtype)
        if self.needs(1):
            dw = (g @ np.swapaxes(cols, 2, 3)).sum(0).reshape(self.w_shape).astype(dtype)
        if self.needs(2):
            db = g.sum(axis=(0, 3)).reshape(o).astype(dtype)
        return dx, dw, db
