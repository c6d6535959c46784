"""Loss nodes (ATen's Loss.cpp, LossNLL.cpp, LossNLL2d.cpp): each computes the elementwise loss
and its reduction in forward, and the gradient of both in backward. The cross-entropy has no
node of its own: ``F.cross_entropy`` is log_softmax followed by nll_loss, as in PyTorch."""

from __future__ import annotations

import numpy as np

from ..._numpy_protocol import placed
from ...autograd.function import Node
from .. import _checks
from .._reduction import reduce, unreduce
from .activation import _sigmoid

# ---------------------------------------------------------------------------------------------
# regression
# ---------------------------------------------------------------------------------------------


class MseLossBackward0(Node):
    """l = (x - y)^2, reduced  |  dx = 2 (x - y) g, dy = -dx"""

    saved_inputs = (0, 1)
    saved_as = (0, 1)

    def forward(self, x, y, reduction):
        diff = x - y
        self.saved = (x, y)
        self.reduction, self.n = reduction, diff.size
        return reduce(diff * diff, reduction)

    def backward(self, g):
        x, y = self.saved
        dx = 2 * (x - y) * unreduce(g, self.reduction, self.n)
        return dx, -dx


class SmoothL1LossBackward0(Node):
    """l = d^2 / (2 beta) if |d| < beta else |d| - beta/2, d = x - y  |  dx = clip(d/beta, -1, 1)"""

    saved_inputs = (0, 1)
    saved_as = (0, 1)

    def forward(self, x, y, reduction, beta):
        d = x - y
        self.saved = (x, y)
        self.reduction, self.beta, self.n = reduction, beta, d.size
        b = d.dtype.type(beta)
        ad = np.abs(d)
        return reduce(np.where(ad < b, d.dtype.type(0.5) * d * d / b, ad - d.dtype.type(0.5) * b),
                      reduction)

    def backward(self, g):
        x, y = self.saved
        d, b = x - y, float(self.beta)
        dx = np.where(d < -b, -1, np.where(d > b, 1, d / b)) * unreduce(g, self.reduction, self.n)
        return dx, -dx


class HuberLossBackward0(Node):
    """l = d^2/2 if |d| <= delta else delta (|d| - delta/2), d = x - y  |
    dx = clip(d, -delta, delta) g"""

    saved_inputs = (0, 1)
    saved_as = (0, 1)

    def forward(self, x, y, reduction, delta):
        d = x - y
        self.saved = (x, y)
        self.reduction, self.delta, self.n = reduction, delta, d.size
        dl = d.dtype.type(delta)
        ad = np.abs(d)
        half = d.dtype.type(0.5)
        return reduce(np.where(ad < dl, half * d * d, dl * (ad - half * dl)), reduction)

    def backward(self, g):
        x, y = self.saved
        dl = float(self.delta)
        dx = np.clip(x - y, -dl, dl) * unreduce(g, self.reduction, self.n)
        return dx, -dx


# ---------------------------------------------------------------------------------------------
# classification: negative log-likelihood of class indices
# ---------------------------------------------------------------------------------------------


class NllLossBackward0(Node):
    """l_n = -w_{y_n} x_{n, y_n} (0 where y_n == ignore_index); the mean divides by the sum of
    the counted samples' weights  |  dx_{n, y_n} = -w_{y_n} g_n (g / sum w for the mean)"""

    saved_inputs = (0,)  # as in PyTorch, whose backward takes the input: changing it is caught
    saved_as = (None, None)  # the picked positions and their weights

    def forward(self, x, t, w, reduction, ignore_index):
        # classes last: (N, C, d1, ...) -> (N, d1, ..., C); (N, C) and (C,) stay as they are
        xl = np.moveaxis(x, 1, -1) if x.ndim > 2 else x
        self.reduction, self.shape = reduction, xl.shape
        if _checks.class_indices(t, xl.shape[-1], ignore_index) and xl.ndim == 2:
            # the usual batch, every target a valid class: plain row indexing is fastest
            index = (np.arange(t.size), t)
            picked = xl[index]
            wt = None if w is None else w[t]
            total = t.size if w is None else wt.sum(dtype=x.dtype)
        else:
            valid = t != ignore_index
            ts = np.where(valid, t, 0)
            index = (*np.indices(t.shape, sparse=True), ts) if t.ndim else (ts,)
            picked = xl[index]
            wt = (np.ones(t.shape, x.dtype) if w is None else w[ts]) * valid
            total = wt.sum(dtype=x.dtype)
        self.saved, self.total = (index, wt), total
        loss = -picked if wt is None else -wt * picked
        if reduction == "none":
            return loss
        s = np.asarray(loss.sum(), dtype=x.dtype)
        if reduction == "sum":
            return s
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(s / x.dtype.type(total), dtype=x.dtype)

    def backward(self, g):
        index, wt = self.saved
        s = g
        if self.reduction == "mean":  # (nothing counted: a zero gradient, not a nan)
            s = g / float(self.total) if self.total != 0 else g * 0
        gl = placed(-s if wt is None else -wt * s, self.shape, index)
        return (np.moveaxis(gl, -1, 1) if gl.ndim > 2 else gl,)


class NllLoss2DBackward0(NllLossBackward0):
    """nll_loss of (N, C, H, W) scores at (N, H, W) class indices (PyTorch's spatial kernel;
    K-dimensional inputs are viewed as (N, C, 1, -1) to reach it)"""


# ---------------------------------------------------------------------------------------------
# binary
# ---------------------------------------------------------------------------------------------


class BinaryCrossEntropyBackward0(Node):
    """l = -w [y max(log x, -100) + (1-y) max(log(1-x), -100)]  |
    dx = w (x - y) / max(x (1-x), 1e-12) g,  dy = w (log(1-x) - log x) g (unclamped, as PyTorch)"""

    saved_inputs = (0, 1)
    saved_as = (0, 1, None)  # (the weight: PyTorch gives it no gradient)

    def forward(self, x, y, w, reduction):
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), x.dtype.type(-100))
            log_1mx = np.maximum(np.log1p(-x), x.dtype.type(-100))
        loss = (y - 1) * log_1mx - y * log_x
        if w is not None:
            loss = loss * w
        self.saved = (x, y, w)
        self.reduction, self.n = reduction, x.size
        return reduce(loss, reduction)

    def backward(self, g):
        x, y, w = self.saved
        s = unreduce(g, self.reduction, self.n)
        if w is not None:
            s = s * w
        need = self._in_meta
        dx = dy = None
        if need[0] is not None:
            dx = s * (x - y) / np.maximum((1 - x) * x, 1e-12)
        if need[1] is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                dy = s * (np.log1p(-x) - np.log(x))
        return dx, dy, None


class BinaryCrossEntropyWithLogitsBackward0(Node):
    """l = w [(1-y) x - (1 + (p-1) y) log sigmoid(x)],  log sigmoid(x) = min(x,0) - log(1+e^-|x|)
    |  dx = w [(1-y) - (1 + (p-1) y)(1 - sigmoid(x))] g,  dy = w [-x - (p-1) log sigmoid(x)] g"""

    saved_inputs = (0, 1)
    saved_as = (0, 1, None, None)  # (the weights: PyTorch gives them no gradient)

    def forward(self, x, y, w, pw, reduction, out_dtype):
        log_sig = _log_sigmoid(x)
        lw = 1 if pw is None else (pw - 1) * y + 1
        loss = (1 - y) * x - lw * log_sig
        self.saved = (x, y, w, pw)
        if w is not None:
            loss = loss * w
        self.reduction, self.n = reduction, loss.size
        return reduce(loss.astype(out_dtype, copy=False), reduction)

    def backward(self, g):
        x, y, w, pw = self.saved
        s = unreduce(g, self.reduction, self.n)
        ws = s if w is None else s * w
        need = self._in_meta
        dx = dy = None
        if need[0] is not None:
            lw = 1 if pw is None else (pw - 1) * y + 1
            dx = ws * ((1 - y) - lw * _sigmoid(-x))
        if need[1] is not None:
            dy = ws * (-x - (0 if pw is None else (pw - 1) * _log_sigmoid(x)))
        return dx, dy, None, None


def _log_sigmoid(x):
    """log sigmoid(x) = min(x, 0) - log(1 + e^-|x|), without overflow."""
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
