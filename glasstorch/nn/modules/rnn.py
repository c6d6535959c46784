"""Recurrent layers: RNN, LSTM, GRU over whole sequences, and their one-step cells.

A recurrent layer reads a sequence one step at a time and carries a hidden state h from step
to step; each step is a *cell*, the same small computation with the same weights:

    RNN   h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)            (or relu)
    LSTM  i, f, g, o = sig, sig, tanh, sig of (x W_ih^T + b_ih + h W_hh^T + b_hh), cut in 4
          c' = f * c + i * g        (forget some memory, write some new)
          h' = o * tanh(c')         (show some of it)
    GRU   r, z = sig of the first two thirds; n = tanh(x_n + r * h_n)
          h' = (1 - z) * n + z * h

The cells below read like these equations and are what ``nn.RNNCell`` / ``LSTMCell`` /
``GRUCell`` run. A layer (``nn.RNN`` ...) first multiplies the whole input sequence by W_ih
at once, then runs the cell over time; ``num_layers`` stacks layers (each one's outputs are
the next one's inputs, with dropout between them in training), ``bidirectional`` adds a
second layer reading the sequence backwards and joins the two outputs. This is PyTorch's own
composition (ATen's RNN.cpp), so the graph is PyTorch's: the outputs of a layer are stacked
(StackBackward0), two directions joined (CatBackward0), the final states stacked.

PyTorch runs a float32 LSTM differently: one fused oneDNN node per layer and direction
(MkldnnRnnLayerBackward0). glasstorch does the same (see ``nn/_ops/rnn.py``, where the node's
forward loops over time in NumPy and its backward is backpropagation through time): it is
several times faster than the same LSTM built from per-step operations.

Parameters (names and order are PyTorch's, so state_dicts load either way): for layer k and
direction (suffix "" or "_reverse"), weight_ih_l{k} (G*H, in), weight_hh_l{k} (G*H, H),
bias_ih_l{k} (G*H), bias_hh_l{k} (G*H), with G = 1, 4, 3 gates for RNN, LSTM, GRU (LSTM
gates in the order i, f, g, o; GRU r, z, n), and weight_hr_l{k} for an LSTM with proj_size.
All are initialised from U(-1/sqrt(H), 1/sqrt(H)), drawn in that order.
"""

from __future__ import annotations

import math
from functools import partial

import glasstorch

from ..._tensor import Tensor, apply
from .. import _checks, init
from .. import functional as F
from .._ops.rnn import MkldnnRnnLayerBackward0, TransposeBackward1, UnsafeSplitBackward0
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


# =============================================================================================
# one time step (PyTorch's torch.rnn_tanh_cell, lstm_cell, gru_cell)
# =============================================================================================
# Each step takes xw, the input's share of the gates (x W_ih^T + b_ih), so that a layer can
# compute it for the whole sequence at once and a cell for its one input.


def _gates(t: Tensor, n: int) -> tuple:
    """Cut the pre-activations (batch, n * H) into n gates of (batch, H) (unsafe_chunk)."""
    size = t.shape[1] // n
    return apply(UnsafeSplitBackward0, t, bounds=[size * k for k in range(1, n)], dim=1)


def _rnn_step(xw: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None, relu: bool) -> Tensor:
    a = F.linear(h, w_hh, b_hh) + xw
    return a.relu() if relu else a.tanh()


def _lstm_step(xw: Tensor, state: tuple, w_hh: Tensor, b_hh: Tensor | None,
               w_hr: Tensor | None = None) -> tuple:
    h, c = state
    i, f, g, o = _gates(F.linear(h, w_hh, b_hh) + xw, 4)
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    c = f * c + i * g
    h = o * c.tanh()
    if w_hr is not None:  # proj_size: the hidden state is projected down
        h = h.matmul(w_hr.t())
    return h, c


def _gru_step(xw: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    x_r, x_z, x_n = _gates(xw, 3)
    h_r, h_z, h_n = _gates(F.linear(h, w_hh, b_hh), 3)
    r = (h_r + x_r).sigmoid()
    z = (h_z + x_z).sigmoid()
    n = (x_n + h_n * r).tanh()
    return (h - n) * z + n  # = (1 - z) * n + z * h


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return _rnn_step(F.linear(input, w_ih, b_ih), hx, w_hh, b_hh, relu=False)


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return _rnn_step(F.linear(input, w_ih, b_ih), hx, w_hh, b_hh, relu=True)


def lstm_cell(input: Tensor, hx: tuple, w_ih: Tensor, w_hh: Tensor,
              b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> tuple:
    """(h', c') of one LSTM step from (h, c)."""
    return _lstm_step(F.linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
             b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """h' of one GRU step from h."""
    return _gru_step(F.linear(input, w_ih, b_ih), hx, w_hh, b_hh)


# =============================================================================================
# whole sequences: a layer runs a step over time; layers stack (PyTorch's _VF.rnn/lstm/gru)
# =============================================================================================


def _layer(step, input: Tensor, state, weights: list, reverse: bool):
    """One layer, one direction: input (T, B, in) -> (outputs (T, B, H), final state).
    ``weights`` are [w_ih, w_hh, b_ih, b_hh(, w_hr)] (biases None without bias)."""
    w_ih, w_hh, b_ih, b_hh, *extra = weights
    xws = F.linear(input, w_ih, b_ih).unbind(0)  # the input's share, all steps at once
    outputs = [None] * len(xws)
    for t in (reversed(range(len(xws))) if reverse else range(len(xws))):
        state = step(xws[t], state, w_hh, b_hh, *extra)
        outputs[t] = state[0] if isinstance(state, tuple) else state
    return glasstorch.stack(outputs, 0), state


def _fused_lstm_layer(input: Tensor, state: tuple, weights: list, reverse: bool):
    """The same for a float32 LSTM, as one MkldnnRnnLayerBackward0 node."""
    w_ih, w_hh, b_ih, b_hh = weights
    out, h, c = apply(MkldnnRnnLayerBackward0, input, w_ih, w_hh, b_ih, b_hh, *state,
                      reverse=reverse)
    return out, (h, c)


def _stack(layer, input: Tensor, states: list, weights: list, num_layers: int,
           dropout: float, train: bool, bidirectional: bool):
    """``num_layers`` layers (each of one or two directions), dropout between them; returns
    the last layer's outputs and every layer-direction's final state, in order."""
    directions = 2 if bidirectional else 1
    finals = []
    for k in range(num_layers):
        outs = []
        for d in range(directions):
            i = k * directions + d
            out, state = layer(input, states[i], weights[i], reverse=d == 1)
            outs.append(out)
            finals.append(state)
        input = outs[0] if directions == 1 else glasstorch.cat(outs, -1)
        if dropout and train and k < num_layers - 1:
            input = F.dropout(input, dropout, True)
    return input, finals


# =============================================================================================
# the layers
# =============================================================================================

_STEPS = {"RNN_TANH": partial(_rnn_step, relu=False), "RNN_RELU": partial(_rnn_step, relu=True),
          "LSTM": _lstm_step, "GRU": _gru_step}
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters per layer and direction, their names,
    initialisation, checks and repr."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        factory = {"dtype": dtype} if device is None else {"dtype": dtype, "device": device}
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        _checks.rnn_init(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         proj_size)
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gates = _GATES[mode] * hidden_size
        out_size = proj_size if proj_size > 0 else hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for k in range(num_layers):
            for d in range(directions):
                n_in = input_size if k == 0 else out_size * directions
                suffix = f"_l{k}" + ("_reverse" if d == 1 else "")
                shapes = {"weight_ih": (gates, n_in), "weight_hh": (gates, out_size)}
                if bias:
                    shapes.update(bias_ih=(gates,), bias_hh=(gates,))
                if proj_size > 0:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                names = []
                for name, shape in shapes.items():
                    setattr(self, name + suffix, Parameter(glasstorch.empty(shape, **factory)))
                    names.append(name + suffix)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op, as in PyTorch on the CPU (it packs weights for cuDNN)."""

    def reset_parameters(self) -> None:
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _layer_weights(self) -> list:
        """Per layer and direction: [w_ih, w_hh, b_ih, b_hh(, w_hr)], biases None if absent."""
        out = []
        for names in self._all_weights:
            ws = [getattr(self, n) for n in names]
            if not self.bias:
                ws = ws[:2] + [None, None] + ws[2:]
            out.append(ws)
        return out

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def _run(self, input: Tensor, hx, name: str):
        """The whole forward pass: batch the input, check it, run the layer stack, unbatch."""
        directions = 2 if self.bidirectional else 1
        is_lstm = self.mode == "LSTM"
        batched = _checks.rnn_input(name, input, hx, is_lstm)
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            input = input.unsqueeze(batch_dim)
        batch = input.shape[batch_dim]
        h_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            zeros = glasstorch.zeros(self.num_layers * directions, batch, h_size,
                                     dtype=input.dtype)
            hx = (zeros, glasstorch.zeros(self.num_layers * directions, batch,
                                          self.hidden_size, dtype=input.dtype)) \
                if is_lstm else zeros
        elif not batched:
            hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1)) if is_lstm else hx.unsqueeze(1)
        _checks.rnn_forward(self, input, hx)
        x = input.transpose(0, 1) if self.batch_first else input
        fused = is_lstm and _checks.lstm_fused(x, self.proj_size, hx)
        weights = self._layer_weights()
        if fused:  # PyTorch's oneDNN path: a node per layer and direction
            states = [(hx[0][i], hx[1][i]) for i in range(len(weights))]
            out, finals = _stack(_fused_lstm_layer, x.contiguous(), states, weights,
                                 self.num_layers, self.dropout, self.training,
                                 self.bidirectional)
            if self.batch_first:
                out = out.transpose(0, 1)
        else:
            _checks.rnn_sequence(x)
            if is_lstm:
                states = list(zip(hx[0].unbind(0), hx[1].unbind(0)))
            else:
                states = list(hx.unbind(0))
            step = _STEPS[self.mode]
            out, finals = _stack(lambda inp, s, w, reverse: _layer(step, inp, s, w, reverse),
                                 x, states, weights, self.num_layers, self.dropout,
                                 self.training, self.bidirectional)
            if self.batch_first:
                out = apply(TransposeBackward1, out, d0=0, d1=1)
        if is_lstm:
            hidden = (glasstorch.stack([h for h, _ in finals], 0),
                      glasstorch.stack([c for _, c in finals], 0))
        else:
            hidden = glasstorch.stack(finals, 0)
        if not batched:
            out = out.squeeze(batch_dim)
            hidden = (hidden[0].squeeze(1), hidden[1].squeeze(1)) if is_lstm \
                else hidden.squeeze(1)
        return out, hidden


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu), stacked
    ``num_layers`` deep. Input (L, N, in) (or (N, L, in) with batch_first, or (L, in)
    unbatched); returns (output (L, N, D*H), h_n (D*num_layers, N, H)), D = 2 if
    bidirectional."""

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__("RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU", *args,
                         **kwargs)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple:
        return self._run(input, hx, "RNN")


class LSTM(RNNBase):
    """Long short-term memory: each step updates a cell state c (f * c + i * g) and shows
    h = o * tanh(c). Input as for RNN; returns (output, (h_n, c_n)). ``proj_size`` projects h
    down to that size with weight_hr."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple:
        return self._run(input, hx, "LSTM")


class GRU(RNNBase):
    """Gated recurrent unit: gates r (reset) and z (update); h' = (1 - z) n + z h with
    n = tanh(x_n + r h_n). Input as for RNN; returns (output, h_n)."""

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple:
        return self._run(input, hx, "GRU")


# =============================================================================================
# the cells: one step, for loops written by hand
# =============================================================================================


class RNNCellBase(Module):
    """What the cells share: weight_ih (G*H, in), weight_hh (G*H, H), bias_ih, bias_hh."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        factory = {"dtype": dtype} if device is None else {"dtype": dtype, "device": device}
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(glasstorch.empty((num_chunks * hidden_size, input_size),
                                                    **factory))
        self.weight_hh = Parameter(glasstorch.empty((num_chunks * hidden_size, hidden_size),
                                                    **factory))
        if bias:
            self.bias_ih = Parameter(glasstorch.empty(num_chunks * hidden_size, **factory))
            self.bias_hh = Parameter(glasstorch.empty(num_chunks * hidden_size, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _batch(self, name: str, input: Tensor, hx, n_states: int):
        """Unbatched (1-D) input and states become a batch of one; missing states zeros."""
        batched = _checks.rnn_cell_input(name, input, hx)
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            zeros = glasstorch.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)
            hx = (zeros, zeros) if n_states == 2 else zeros
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0)) if n_states == 2 else hx.unsqueeze(0)
        _checks.rnn_cell_forward(self, input, hx, n_states)
        return input, hx, batched


class RNNCell(RNNCellBase):
    """One Elman step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, batched = self._batch("RNNCell", input, hx, 1)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        cell = rnn_tanh_cell if self.nonlinearity == "tanh" else rnn_relu_cell
        h = cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: (h', c') from x and (h, c) (zeros if not given)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple:
        input, hx, batched = self._batch("LSTMCell", input, hx, 2)
        h, c = lstm_cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: h' from x and h (zeros if not given)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, batched = self._batch("GRUCell", input, hx, 1)
        h = gru_cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h if batched else h.squeeze(0)

