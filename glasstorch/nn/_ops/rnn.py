"""Recurrent-network nodes (ATen's RNN.cpp and its oneDNN LSTM kernel).

PyTorch's CPU LSTM runs in float32 as one fused node per layer and direction,
``MkldnnRnnLayerBackward0``, whose forward loops over time and whose backward is
backpropagation through time: so does glasstorch's. Every other recurrent computation (RNN,
GRU, the cells, LSTM in float64 or with projections) is built from primitives in
``nn/modules/rnn.py``, as PyTorch builds it; the two small nodes here are the ones it records
that the core does not have (``unsafe_chunk`` and ``transpose_``).
"""

from __future__ import annotations

import numpy as np

from ..._ops.shape import SplitBackward0, TransposeBackward0
from ...autograd.function import Node


class UnsafeSplitBackward0(SplitBackward0):
    """outs = consecutive slices of x along dim (the gates of an RNN cell; unlike split, the
    pieces are not views PyTorch tracks)  |  dx = the slices' gradients joined"""


class TransposeBackward1(TransposeBackward0):
    """out = x with dims d0 and d1 swapped (PyTorch's RNN swaps batch and time back in place,
    with transpose_)  |  dx = g with them swapped back"""


# Measured on the project machine (2 shared cores, one BLAS thread; bench/bench_lstm.py, an
# Embedding(30, 32) -> LSTM(32, 64) -> Linear training step on batches of 32 x 32 tokens):
# with the LSTM built from primitives per time step (the cell of nn/modules/rnn.py, a dozen
# nodes a step) a step took 16 ms of CPU, with this fused node 6 ms (PyTorch with its oneDNN
# node: 3.8 ms). So a float32 LSTM runs fused, as PyTorch's does. (Issue 12, the one-product
# step below, quiet machine: 5.3 ms wall per step against PyTorch's 3.7; see BENCHMARKS.md.)
class MkldnnRnnLayerBackward0(Node):
    """One LSTM layer over the whole sequence, one direction. For each t (backwards in time if
    ``reverse``): a = x_t W_ih^T + b_ih + h W_hh^T + b_hh; i, f, g, o = sig(a_i), sig(a_f),
    tanh(a_g), sig(a_o); c = f c + i g; h = o tanh(c)  |  backpropagation through time, from
    the last step to the first: dh = dh + dout_t; dc = dc + dh o (1 - tanh(c)^2);
    da = (dc g, dc c_prev, dc i, dh tanh(c)) * (the gates' derivatives); dh = da W_hh;
    dc = dc f; then dW_ih = sum da^T x, dW_hh = sum da^T h_prev, db = sum da, dx = da W_ih"""

    saved_inputs = (0, 1, 2, 5)

    # How the loops are laid out for NumPy (the math is the docstring's): states are kept as
    # columns, h^T of shape (H, B), so the gate pre-activations come out as (4H, B) and each
    # gate is a contiguous block of rows; the rows are taken in the order i, f, o, g so that
    # the three sigmoids are one block, and sigmoid(a) = (1 + tanh(a / 2)) / 2 with the 1/2
    # folded into those rows of the weights: one tanh call activates all four gates.
    # Small NumPy calls cost about their overhead, so every step makes as few as it can.
    #
    # Each step is one matrix product, [W_hh W_ih b] @ [h; x_t; 1], on a buffer ``z`` that
    # holds every step's [h_prev; x_t; 1] as (T + 1, H + E + 1, B): the step writes its h
    # straight into the next step's block. This is faster than adding a precomputed input
    # projection every step (one call fewer per step, no (4H, T, B) temporary), and backward
    # reuses z: all three weight gradients are one product da @ z^T (measured on
    # bench/bench_lstm.py). Every per-step array is one contiguous block: strided (4H, B)
    # slices made each small call several times slower than the copies they save.

    def forward(self, x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse):
        T, B, E = x.shape
        H = h0.shape[-1]
        dt = x.dtype
        rows = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]  # i, f, o, g
        scale = np.concatenate([np.full(3 * H, 0.5, dt), np.ones(H, dt)])[:, None]
        parts = [w_hh, w_ih] + ([(b_ih + b_hh)[:, None]] if b_ih is not None else [])
        w = np.concatenate(parts, axis=1)[rows] * scale     # (4H, H + E [+ 1])
        x_run = x[::-1] if reverse else x  # the inputs in the order the steps read them
        z = np.empty((T + 1, w.shape[1], B), dt)            # step k reads z[k]
        z[0, :H] = h0.T
        z[:T, H:H + E] = x_run.transpose(0, 2, 1)
        z[:T, H + E:] = 1                                   # the bias column's input
        gates = np.empty((T, 4 * H, B), dt)       # i, f, o, g of step k, activated
        cs = np.empty((T + 1, H, B), dt)          # c before step k is cs[k], after it cs[k+1]
        cs[0] = c0.T
        tanh_c = np.empty((T, H, B), dt)
        ig = np.empty((H, B), dt)
        for k in range(T):
            a = gates[k]
            np.matmul(w, z[k], out=a)
            np.tanh(a, out=a)
            sig = a[:3 * H]
            sig *= dt.type(0.5)
            sig += dt.type(0.5)
            i, f, o, g = a[:H], a[H:2 * H], a[2 * H:3 * H], a[3 * H:]
            c = np.multiply(f, cs[k], out=cs[k + 1])
            c += np.multiply(i, g, out=ig)
            np.tanh(c, out=tanh_c[k])
            np.multiply(o, tanh_c[k], out=z[k + 1, :H])      # h, the next step's input
        self.saved = (x_run, w_ih, w_hh, z, gates, cs, tanh_c)
        self.reverse = reverse
        out = z[1:, :H].transpose(0, 2, 1)                  # (T, B, H)
        return (np.ascontiguousarray(out[::-1] if reverse else out), z[T, :H].T.copy(),
                cs[T].T.copy())

    def backward(self, g_out, g_h, g_c):
        x_run, w_ih, w_hh, z, gates, cs, tanh_c = self.saved
        T, H, B = tanh_c.shape
        E = x_run.shape[2]
        dt = tanh_c.dtype
        need = self._in_meta
        # every step's local derivatives at once: the gradient of each gate's pre-activation
        # (in PyTorch's order i, f, g, o) is its upstream gradient (dc for i, f, g; dh for o)
        # times coef
        i, f, o, g = (gates[:, n * H:(n + 1) * H] for n in range(4))
        coef = np.empty((T, 4, H, B), dt)
        np.multiply(g, i * (1 - i), out=coef[:, 0])         # c = f c + i g; i = sig(a_i)
        np.multiply(cs[:-1], f * (1 - f), out=coef[:, 1])   # f = sig(a_f)
        np.multiply(i, 1 - g * g, out=coef[:, 2])           # g = tanh(a_g)
        np.multiply(tanh_c, o * (1 - o), out=coef[:, 3])    # h = o tanh(c); o = sig(a_o)
        o_dtanh = o * (1 - tanh_c * tanh_c)                 # dh -> dc through tanh(c)
        g_run = np.ascontiguousarray((g_out[::-1] if self.reverse else g_out).transpose(0, 2, 1))
        da = np.empty((T, 4, H, B), dt)
        w_hh_t = np.ascontiguousarray(w_hh.T)
        dh, dc = np.array(g_h.T, order="C"), np.array(g_c.T, order="C")  # own buffers
        tmp = np.empty((H, B), dt)
        add, mul, matmul = np.add, np.multiply, np.matmul
        for k in range(T - 1, -1, -1):  # in place: at ~1 us a call, allocations count
            add(dh, g_run[k], out=dh)
            add(dc, mul(dh, o_dtanh[k], out=tmp), out=dc)
            d = da[k]
            mul(dc, coef[k, :3], out=d[:3])
            mul(dh, coef[k, 3], out=d[3])
            mul(dc, f[k], out=dc)
            matmul(w_hh_t, d.reshape(4 * H, B), out=dh)
        # one row per gate unit, one column per (step, sample), for the weights' products
        flat = np.ascontiguousarray(da.reshape(T, 4 * H, B).transpose(1, 0, 2)).reshape(
            4 * H, T * B)
        dx = dw_ih = dw_hh = db = None
        if any(need[n] is not None for n in (1, 2, 3, 4)):
            # what each step read, [h_prev; x; 1], is z: one product for all three
            read = z[:T].transpose(0, 2, 1).reshape(T * B, z.shape[1])
            dw = flat @ read                                 # (4H, H + E [+ 1])
            dw_hh, dw_ih = dw[:, :H], dw[:, H:H + E]
            db = dw[:, H + E] if z.shape[1] > H + E else None
        if need[0] is not None:
            dx = (flat.T @ w_ih).reshape(T, B, E)
            if self.reverse:
                dx = dx[::-1]
        return dx, dw_ih, dw_hh, db, db, dh.T, dc.T
