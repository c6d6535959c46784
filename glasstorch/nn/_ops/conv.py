"""The convolution node (ATen's Convolution.cpp), written as the idea: im2col, then one matmul.

A convolution slides a kernel over the input and, at every position, takes the dot product of
the kernel with the patch under it. Lay every patch out as one row of a matrix ``cols``
("image to columns": one row per output position of every image, one column per (kernel
offset, input channel)) and the whole convolution is a single matrix product,
``out = W @ cols^T``, with each output channel's kernel flattened into a row of ``W``. The
backward pass is that product's two gradients, ``dW = g @ cols`` and ``d cols = g^T @ W``,
then ``col2im``: every row of ``d cols`` is the gradient of one patch, added back where the
patch was cut from (patches overlap, so their gradients add up).

Inside the node the input is held channels last, ``xt[n, h, w, c]``, as in PyTorch's own CPU
kernels: a patch is then a few runs of whole channel vectors, so cutting patches and adding
them back move contiguous memory (with (N, C, H, W) both were several times slower on small
images, and much slower on 28x28 ones). Shapes, for N images of C channels in G groups (the
C/G input channels of a group feed only its O/G output channels), K kernel offsets and L
output positions: xt (N, *padded, C), cols (G, N * L, K * C/G), W seen as (G, O/G, K * C/G),
out (N, O, *out).

``windows`` and ``add_windows`` (im2col / col2im over any axes) are shared with the pooling
nodes, which slide a window the same way.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

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


def windows(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple,
            axes: tuple | None = None) -> np.ndarray:
    """Every window over ``axes`` of ``x`` (default: the last len(kernel) dims), as a view (no
    copy): shape (*x's shape with ``axes`` replaced by the output positions, *kernel), where
    window (i, j) starts at (i*stride, j*stride) and reads every dilation-th element.

    This is sliding_window_view(x, span, axes)[..., ::stride, ::dilation] built directly from
    strides: the next window starts ``stride`` elements further along an axis, the next tap of
    a window ``dilation`` elements further (sliding_window_view's argument handling took 11 us
    a call, this 3, measured on the digits CNN's layers)."""
    axes = tuple(range(x.ndim - len(kernel), x.ndim)) if axes is None else axes
    shape, strides = list(x.shape), list(x.strides)
    for a, k, s, d in zip(axes, kernel, stride, dilation):
        shape[a] = max((x.shape[a] - d * (k - 1) - 1) // s + 1, 0)  # window positions
        strides[a] = x.strides[a] * s
    shape += kernel
    strides += [x.strides[a] * d for a, d in zip(axes, dilation)]
    return as_strided(x, shape, strides, writeable=False)


def add_windows(dx: np.ndarray, patches: np.ndarray, stride: tuple, dilation: tuple,
                axes: tuple | None = None) -> None:
    """col2im, the reverse of ``windows``: add each window's values (``patches``, shaped as
    ``windows`` returns them) back into ``dx`` at the places that window read, in place."""
    nd = len(stride)
    axes = tuple(range(dx.ndim - nd, dx.ndim)) if axes is None else axes
    out, kernel = [patches.shape[a] for a in axes], patches.shape[-nd:]
    for offset in np.ndindex(*kernel):  # one kernel offset at a time: a strided slice of dx
        region = [slice(None)] * dx.ndim
        for a, k, d, s, n in zip(axes, offset, dilation, stride, out):
            region[a] = slice(k * d, k * d + s * (n - 1) + 1, s)
        dx[tuple(region)] += patches[(..., *offset)]


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    # float16 products are summed in float32 and rounded once at the end, as PyTorch's CPU
    # kernels do (NumPy's float16 matmul would round after every addition)
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def channels_last(x: np.ndarray, padding: tuple) -> np.ndarray:
    """(N, C, *spatial) -> (N, *padded spatial, C), zero-padded: one copy."""
    n, c, *spatial = x.shape
    xt = np.zeros((n, *[s + 2 * p for s, p in zip(spatial, padding)], c), x.dtype)
    xt[(slice(None), *[slice(p, p + s) for s, p in zip(spatial, padding)])] = np.moveaxis(x, 1, -1)
    return xt


class ConvolutionBackward0(Node):
    """out = W @ im2col(x)^T + b  |  dW = g @ cols,  dx = col2im(g^T @ W),  db = sum g"""

    saved_inputs = (0, 1)
    saved_for = {0: (1,), 1: (0,)}

    def forward(self, x, weight, bias, stride, padding, dilation, groups):
        n, (o, cg, *kernel), nd = x.shape[0], weight.shape, weight.ndim - 2
        k, work = math.prod(kernel), _compute_dtype(x.dtype)
        xt = channels_last(x.astype(work, copy=False), padding)  # (N, *padded, C)
        # im2col: every patch a row, (N, *out, C, *kernel) -> (N * L, K * C): the one copy
        patches = windows(xt, kernel, stride, dilation, axes=tuple(range(1, nd + 1)))
        out_shape = patches.shape[1:nd + 1]
        rows = n * math.prod(out_shape)
        cols = np.moveaxis(patches, nd + 1, -1).reshape(rows, k, groups, cg)
        # each group's columns side by side (no copy for groups=1): (G, N * L, K * C/G)
        cols = cols.transpose(2, 0, 1, 3).reshape(groups, rows, k * cg)
        # W (O, C/G, *kernel) -> (G, O/G, K * C/G), columns in cols' order (kernel offset, c)
        w = np.swapaxes(weight.reshape(groups, o // groups, cg, k), 2, 3)
        w = w.reshape(groups, o // groups, k * cg).astype(work, copy=False)
        out = w @ np.swapaxes(cols, 1, 2)  # (G, O/G, N * L): the convolution
        out = out.reshape(o, n, *out_shape)
        if bias is not None:
            out += bias.reshape(o, *[1] * (nd + 1))
        self.saved = (cols, w)
        self.xt_shape, self.x_shape, self.w_shape = xt.shape, x.shape, weight.shape
        self.stride, self.padding, self.dilation = stride, padding, dilation
        return np.ascontiguousarray(np.swapaxes(out, 0, 1), dtype=x.dtype)

    def backward(self, g):
        cols, w = self.saved
        (n, c, *spatial), (o, cg, *kernel), nd = self.x_shape, self.w_shape, len(self.w_shape) - 2
        groups, k, dtype, out_shape = w.shape[0], math.prod(kernel), g.dtype, g.shape[2:]
        # g (N, O, *out) -> (G, O/G, N * L), columns in cols' row order
        gt = g.astype(w.dtype, copy=False).reshape(n, o, math.prod(out_shape))
        gt = np.swapaxes(gt, 0, 1)
        gt = np.ascontiguousarray(gt).reshape(groups, o // groups, cols.shape[1])
        dx = dw = db = None
        if self.needs(0):
            # d cols = g^T @ W, the gradient of every patch, one block per kernel offset:
            # (G, 1, N * L, O/G) @ (G, K, O/G, C/G) -> (G, K, N * L, C/G)
            per_offset = np.swapaxes(w.reshape(groups, o // groups, k, cg), 1, 2)
            d_cols = np.swapaxes(gt, 1, 2)[:, None] @ per_offset
            # as windows() cut them, (N, *out, C, *kernel): col2im adds each back in place
            patches = d_cols.reshape(groups, *kernel, n, *out_shape, cg)
            patches = patches.transpose(nd + 1, *range(nd + 2, 2 * nd + 2), 0, 2 * nd + 2,
                                        *range(1, nd + 1))
            patches = patches.reshape(n, *out_shape, c, *kernel)
            dxt = np.zeros(self.xt_shape, w.dtype)
            add_windows(dxt, patches, self.stride, self.dilation, axes=tuple(range(1, nd + 1)))
            inside = dxt[(slice(None), *[slice(p, p + s) for p, s in zip(self.padding, spatial)])]
            dx = np.ascontiguousarray(np.moveaxis(inside, -1, 1), dtype=dtype)
        if self.needs(1):
            dw = gt @ cols  # (G, O/G, K * C/G)
            dw = np.swapaxes(dw.reshape(o, k, cg), 1, 2).reshape(self.w_shape).astype(dtype)
        if self.needs(2):
            db = gt.sum(axis=2).reshape(o).astype(dtype)
        return dx, dw, db
