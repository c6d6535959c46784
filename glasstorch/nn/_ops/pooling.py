"""Pooling nodes (ATen's DilatedMaxPool2d.cpp, AveragePool2d.cpp, AdaptiveAveragePooling.cpp).

Max and average pooling slide a window over the last two dimensions exactly as a convolution
slides its kernel, so they cut their windows with the convolution's ``windows`` (a view, no
copy) and hand gradients back with its ``add_windows`` (col2im). 1-d pooling is 2-d pooling of
an (N, C, 1, L) view, as in PyTorch.
"""

from __future__ import annotations

import math

import numpy as np

from ...autograd.function import Node
from .. import _checks
from .conv import _compute_dtype, add_windows, pad_zeros, windows


def _pads(sizes: tuple, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple,
          out: tuple) -> list:
    """(before, after) padding per dimension: ``padding`` before; after, at least enough for
    the last window (ceil_mode lets it run past the padded input)."""
    return [(p, max(p, (o - 1) * s + (k - 1) * d + 1 - n - p))
            for n, k, s, p, d, o in zip(sizes, kernel, stride, padding, dilation, out)]


def _taps(win: np.ndarray) -> np.ndarray:
    """Windows (..., OH, OW, kH, kW) as a stack of taps (kH * kW, ..., OH, OW): tap k of every
    window in one contiguous block, so reducing over the taps is fast."""
    taps = win.transpose(-2, -1, *range(win.ndim - 2))
    return taps.reshape(win.shape[-2] * win.shape[-1], *win.shape[:-2])


class MaxPool2DWithIndicesBackward0(Node):
    """out = max over each window, idx = where it is (h * W + w)  |  dx = g added at idx"""

    differentiable_outputs = (0,)

    def forward(self, x, kernel, stride, padding, dilation, out):
        lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        xp = pad_zeros(x, _pads(x.shape[-2:], kernel, stride, padding, dilation, out), lowest)
        taps = _taps(windows(xp, kernel, stride, dilation)[..., :out[0], :out[1], :, :])
        values = taps.max(axis=0)
        # which tap: the first that holds the maximum, as PyTorch keeps the first of equal
        # values (weigh tap t by K - t where it holds it, and take the largest weight)
        K = len(taps)
        held = taps == values
        if K < 256:  # the weights fit in a byte: weigh the bools in place, as bytes (2x faster)
            held = held.view(np.uint8)
            held *= np.arange(K, 0, -1, dtype=np.uint8).reshape(K, *[1] * values.ndim)
        else:
            held = held * np.arange(K, 0, -1, dtype=np.int32).reshape(K, *[1] * values.ndim)
        k = K - held.max(axis=0)
        if values.dtype.kind == "f" and np.isnan(values).any():  # PyTorch: the last NaN
            last_nan = K - 1 - np.isnan(taps[::-1]).argmax(axis=0)
            k = np.where(np.isnan(values), last_nan, k)
        # the winner's position in the unpadded input (h * W + w): window origin + tap offset
        width = x.shape[-1]
        h0 = np.arange(out[0])[:, None] * stride[0] - padding[0]
        w0 = np.arange(out[1])[None, :] * stride[1] - padding[1]
        offset = (np.arange(kernel[0])[:, None] * (dilation[0] * width)
                  + np.arange(kernel[1]) * dilation[1]).ravel()
        index = np.take(offset, k)  # (twice as fast as offset[k] on byte indices)
        index += h0 * width + w0
        # (without padding every window lies inside the input, and a window of lowest values
        # already took its first tap, as PyTorch does)
        if any(padding) and (values == lowest).any():
            # nothing above the lowest value (all -inf, or only padding): PyTorch keeps the
            # window's first tap at or after (0, 0)
            first = ((h0 - np.minimum(h0, 0) // dilation[0] * dilation[0]) * width
                     + w0 - np.minimum(w0, 0) // dilation[1] * dilation[1])
            index = np.where(values == lowest, first, index)
        self.saved = (index,)
        self.x_shape = x.shape
        # windows that cannot share an element (stride at least the window's span, no
        # padding) send each gradient to a different place: a plain assignment will do
        self.disjoint = not any(padding) and all(
            s >= (k - 1) * d + 1 for k, s, d in zip(kernel, stride, dilation))
        return values, index

    def backward(self, g, g_index=None):
        (index,) = self.saved
        plane, planes = self.x_shape[-2] * self.x_shape[-1], math.prod(self.x_shape[:-2])
        # each output's gradient goes to the input element it took; where windows overlap an
        # element may win several times, and np.add.at adds those up
        at = index.reshape(planes, index.shape[-2] * index.shape[-1])
        at = at + np.arange(planes)[:, None] * plane
        if self.disjoint:  # np.add.at is several times slower than an assignment
            dx = np.zeros(planes * plane, g.dtype)
            dx[at.ravel()] = g.ravel()
            return (dx.reshape(self.x_shape),)
        dx = np.zeros(planes * plane + 1, g.dtype)
        # (an all-padding window's index may point past its plane: PyTorch then adds into the
        # next plane's memory, and so does this; past the last plane it lands in a spare slot)
        np.add.at(dx, np.minimum(at, planes * plane).ravel(), g.ravel())
        return (dx[:-1].reshape(self.x_shape),)


def _divisors(sizes: tuple, kernel: tuple, stride: tuple, padding: tuple, out: tuple,
              count_include_pad: bool, divisor_override: int | None) -> np.ndarray:
    """What each window's sum is divided by, shape ``out``: the window's size, counting the
    zero padding or not, but never the part past the padding (ceil_mode); or the override."""
    if divisor_override:
        return np.full(out, divisor_override, np.int64)
    counts = []
    for n, k, s, p, o in zip(sizes, kernel, stride, padding, out):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            counts.append(end - start)
        else:
            counts.append(np.minimum(end, n) - np.maximum(start, 0))
    return np.maximum(counts[0][:, None] * counts[1][None, :], 1)


class AvgPool2DBackward0(Node):
    """out = sum over each window / divisor  |  dx = g / divisor added back over each window"""

    def forward(self, x, kernel, stride, padding, out, count_include_pad, divisor_override):
        work = _compute_dtype(x.dtype) if x.dtype.kind == "f" else np.dtype(np.int64)
        xp = pad_zeros(x, _pads(x.shape[-2:], kernel, stride, padding, (1, 1), out))
        total = _taps(windows(xp, kernel, stride, (1, 1))[..., :out[0], :out[1], :, :])
        total = total.sum(axis=0, dtype=work)
        divisor = _divisors(x.shape[-2:], kernel, stride, padding, out, count_include_pad,
                            divisor_override)
        if work.kind == "f":
            result = total / divisor.astype(work)
        else:  # integer division rounds towards zero, as in C++
            result = np.sign(total) * (np.abs(total) // divisor)
        self.divisor, self.xp_shape = divisor, xp.shape
        self.x_shape, self.pool = x.shape, (kernel, stride, padding)
        return result.astype(x.dtype, copy=False)

    def backward(self, g):
        kernel, stride, padding = self.pool
        share = g / self.divisor.astype(g.dtype)  # every element of a window gets an equal share
        dxp = np.zeros(self.xp_shape, g.dtype)
        add_windows(dxp, np.broadcast_to(share[..., None, None], share.shape + kernel), stride,
                    (1, 1))
        h, w = self.x_shape[-2:]
        return (np.ascontiguousarray(dxp[..., padding[0]:padding[0] + h,
                                         padding[1]:padding[1] + w]),)


def _adaptive_windows(n: int, o: int) -> np.ndarray:
    """0/1 matrix (o, n): output i averages inputs floor(i n / o) to ceil((i + 1) n / o)."""
    i = np.arange(o)
    start, end = (i * n) // o, -((-(i + 1) * n) // o)
    j = np.arange(n)
    return ((j >= start[:, None]) & (j < end[:, None])).astype(np.float64)


class AdaptiveAvgPool2DBackward0(Node):
    """out = (Sh @ x @ Sw^T) / counts, S the 0/1 window matrices  |  dx = Sh^T (g/counts) Sw"""

    def forward(self, x, out):
        work = _compute_dtype(x.dtype)
        sh, sw = (_adaptive_windows(n, o).astype(work) for n, o in zip(x.shape[-2:], out))
        counts = sh.sum(1)[:, None] * sw.sum(1)[None, :]  # the size of each window
        self.saved = (sh, sw, counts)
        dtype, x = x.dtype, x.astype(work, copy=False)
        if np.isfinite(x).all():
            total = sh @ x @ sw.T
        else:  # 0 * inf would spread nan to every window: sum each window by itself
            total = np.empty(x.shape[:-2] + tuple(out), work)
            for i, j in np.ndindex(*out):
                rows, cols = np.flatnonzero(sh[i]), np.flatnonzero(sw[j])
                total[..., i, j] = x[..., rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].sum(
                    axis=(-2, -1))
        return (total / counts).astype(dtype, copy=False)

    def backward(self, g):
        _checks.adaptive_avg_pool2d_backward(g.shape)
        sh, sw, counts = self.saved
        return ((sh.T @ (g.astype(sh.dtype, copy=False) / counts) @ sw).astype(g.dtype),)
