"""Upsampling nodes (ATen's UpSampleNearest*.cpp, UpSampleLinear1d.cpp, UpSampleBilinear2d.cpp).

Resizing works one spatial dimension at a time. Along a dimension of n inputs and o outputs:

- nearest: output i copies input min(floor(i * scale), n - 1), scale = n / o (or 1 / the
  scale_factor the user gave), in PyTorch's float precision; nearest-exact copies
  min(floor((i + 0.5) * scale), n - 1), the input whose centre is nearest;
- linear: output i sits at source position x = scale * (i + 0.5) - 0.5 (clamped at 0), or
  x = i (n - 1) / (o - 1) with align_corners, and mixes its two neighbours:
  (1 - t) in[floor(x)] + t in[floor(x) + 1], t = x - floor(x).

Both are linear maps of the input, a matrix M (o, n) per dimension (one 1 per row for nearest,
two weights for linear): resizing a 2-d image is out = Mh @ x @ Mw^T. The forward pass reads
only the inputs each output uses (a copy for nearest, the two-neighbour mix for linear, so an
inf or a NaN stays where PyTorch has it); the gradient is the transposed map,
dx = Mh^T @ g @ Mw.
"""

from __future__ import annotations

import numpy as np

from ...autograd.function import Node
from .conv import _compute_dtype


def _scale(n: int, o: int, scale: float | None, align_corners: bool, dtype) -> np.floating:
    """Input steps per output step, in the kernel's float type (area_pixel_compute_scale)."""
    if align_corners:
        return dtype.type((n - 1) / (o - 1)) if o > 1 else dtype.type(0)
    if scale is not None and scale > 0:
        return dtype.type(1.0 / scale)
    return dtype.type(n) / dtype.type(o)


def nearest_index(n: int, o: int, scale: float | None, exact: bool, one_d: bool,
                  dtype: np.dtype) -> np.ndarray:
    """Which input each of the o outputs copies: floor(i * scale) for 'nearest' (PyTorch's
    legacy rule), floor((i + 0.5) * scale) for 'nearest-exact' (the nearest pixel centre).

    PyTorch's 2-d kernel computes in float32 and copies straight through when o is n or 2n;
    its 1-d kernel has no such shortcut and computes in the input's float type (float64 for
    float64 input), rounding the source position to float32 before the floor."""
    f32 = np.dtype(np.float32)
    if not one_d:
        step = _scale(n, o, scale, False, f32)
        if exact:
            x = ((np.arange(o) + 0.5) * np.float64(step)).astype(f32)
        elif o == n or o == 2 * n:
            return np.arange(o) // (o // n)
        else:
            x = np.arange(o, dtype=f32) * step
    else:
        work = np.dtype(np.float64) if dtype == np.float64 else f32
        step = _scale(n, o, scale, False, work)
        i = np.arange(o, dtype=work)
        if exact:
            x = (np.maximum(step * (i + work.type(0.5)) - work.type(0.5), 0) + 0.5).astype(f32)
        else:
            x = (step * i).astype(f32)
    return np.minimum(np.floor(x).astype(np.int64), n - 1)


def linear_neighbours(n: int, o: int, scale: float | None, align_corners: bool,
                      dtype: np.dtype) -> tuple:
    """For each of the o outputs its two inputs and the weight t of the right one:
    (left, right, t), output = (1 - t) in[left] + t in[right]."""
    if o == n:  # the same size: a copy
        i = np.arange(o)
        return i, i, np.zeros(o, dtype)
    step = _scale(n, o, scale, align_corners, dtype)
    i = np.arange(o, dtype=dtype)
    x = step * i if align_corners else np.maximum(step * (i + dtype.type(0.5)) - dtype.type(0.5),
                                                  dtype.type(0))
    left = np.minimum(np.floor(x).astype(np.int64), n - 1)
    t = np.clip(x - left.astype(dtype), 0, 1).astype(dtype)
    return left, left + (left < n - 1), t


def linear_weights(left: np.ndarray, right: np.ndarray, t: np.ndarray, n: int) -> np.ndarray:
    """The same map as a matrix (o, n): two weights per row, summing to 1."""
    m = np.zeros((len(t), n), t.dtype)
    rows = np.arange(len(t))
    np.add.at(m, (rows, left), 1 - t)
    np.add.at(m, (rows, right), t)
    return m


def _along(a: np.ndarray, m: np.ndarray, axis: int) -> np.ndarray:
    """Apply the matrix m (o, n) along ``axis`` of a (whose size there is n)."""
    return np.moveaxis(np.moveaxis(a, axis, -1) @ m.T, -1, axis)


class _Nearest(Node):
    """out = x copied at the nearest source index per dimension  |  dx = each input's sum of
    the gradients of the outputs that copied it"""

    exact = False

    def forward(self, x, out, scales):
        nd = len(out)
        index = [nearest_index(n, o, s, self.exact, nd == 1, x.dtype)
                 for n, o, s in zip(x.shape[-nd:], out, scales)]
        # PyTorch's backward kernel always follows the 2-d rule: for 1-d input it can send a
        # gradient to another input than the one copied (e.g. 2 -> 4 by scale 2.2), and so
        # does this
        self.index = index if nd == 2 else [nearest_index(n, o, s, self.exact, False, x.dtype)
                                            for n, o, s in zip(x.shape[-nd:], out, scales)]
        self.x_shape = x.shape
        return np.ascontiguousarray(x[(..., *np.ix_(*index))])

    def backward(self, g):
        nd = len(self.index)
        for axis, (idx, n) in enumerate(zip(self.index, self.x_shape[-nd:]), g.ndim - nd):
            pick = (idx[:, None] == np.arange(n)).astype(g.dtype)  # (o, n): 1 where copied
            g = _along(g, pick.T, axis)
        return (np.ascontiguousarray(g),)


class UpsampleNearest1DBackward0(_Nearest):
    """nearest resize of the last dimension"""


class UpsampleNearest2DBackward0(_Nearest):
    """nearest resize of the last two dimensions"""


class UpsampleNearestExact1DBackward0(_Nearest):
    """nearest-exact resize of the last dimension"""

    exact = True


class UpsampleNearestExact2DBackward0(_Nearest):
    """nearest-exact resize of the last two dimensions"""

    exact = True


class _Linear(Node):
    """out = (1 - t) x[left] + t x[right] per dimension  |  dx = g @ M per dimension, M the
    (o, n) matrix of those weights (the gradient of a linear map is its transpose)"""

    def forward(self, x, out, scales, align_corners):
        nd, work = len(out), _compute_dtype(x.dtype)
        y = x.astype(work, copy=False)
        self.saved = []
        for axis in reversed(range(nd)):  # the last dimension first, as PyTorch's kernel
            n, at = x.shape[x.ndim - nd + axis], x.ndim - nd + axis
            left, right, t = linear_neighbours(n, out[axis], scales[axis], align_corners, work)
            t = t.reshape(-1, *[1] * (x.ndim - 1 - at))  # along ``at``
            y = np.take(y, left, axis=at) * (1 - t) + np.take(y, right, axis=at) * t
            self.saved.insert(0, linear_weights(left, right, t.ravel(), n))
        return np.ascontiguousarray(y, dtype=x.dtype)

    def backward(self, g):
        nd, dtype = len(self.saved), g.dtype
        g = g.astype(self.saved[0].dtype, copy=False)
        for axis, m in enumerate(self.saved):
            g = _along(g, m.T, g.ndim - nd + axis)
        return (np.ascontiguousarray(g, dtype=dtype),)


class UpsampleLinear1DBackward0(_Linear):
    """linear resize of the last dimension"""


class UpsampleBilinear2DBackward0(_Linear):
    """bilinear resize of the last two dimensions"""
