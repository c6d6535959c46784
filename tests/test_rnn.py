"""nn.RNN, nn.LSTM, nn.GRU and the cells against torch.

Built from one seed in both libraries (same weights bit for bit, same names and order), run on
the same inputs: outputs, final states, the gradients of inputs, initial states and every
parameter, and the grad_fn graph, whole (every node, edge and shared node) where glasstorch's
primitives record what PyTorch's do, else its outermost nodes. The float32 LSTM runs as one
fused node per layer and direction, as PyTorch's oneDNN kernel does; its backpropagation
through time is gradchecked in float64. Dropout between layers draws PyTorch's masks.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from harness import (
    SETTINGS,
    array,
    build,
    check_layer,
    checkpoints_cross,
    same_error,
    same_warnings,
    seeds,
)
from hypothesis import given
from hypothesis import strategies as st

import glasstorch
from glasstorch.nn._ops.rnn import MkldnnRnnLayerBackward0

KINDS = ["RNN", "RNN_relu", "LSTM", "GRU"]


def layer(lib, kind: str, *args, **kwargs):
    if kind == "RNN_relu":
        return lib.nn.RNN(*args, nonlinearity="relu", **kwargs)
    return getattr(lib.nn, kind)(*args, **kwargs)


def states(kind, shape, dtype, seed, proj=0):
    h_shape = shape[:-1] + (proj,) if proj else shape
    h = array(h_shape, dtype, seed)
    return (h, array(shape, dtype, seed + 1)) if kind == "LSTM" else h


@SETTINGS
@given(kind=st.sampled_from(KINDS), layers=st.integers(1, 2), bidirectional=st.booleans(),
       batch_first=st.booleans(), bias=st.booleans(), dtype=st.sampled_from(["float32",
                                                                              "float64"]),
       given_state=st.booleans(), batched=st.booleans(), seq=st.integers(1, 4),
       batch=st.integers(1, 3), sizes=st.tuples(st.integers(1, 4), st.integers(1, 4)),
       proj=st.integers(0, 2), seed=seeds)
def test_layers_match_torch(kind, layers, bidirectional, batch_first, bias, dtype, given_state,
                            batched, seq, batch, sizes, proj, seed):
    n_in, hidden = sizes
    proj = proj if kind == "LSTM" and proj < hidden else 0
    kwargs = dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first,
                  bias=bias)
    if proj:
        kwargs["proj_size"] = proj
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (proj_size's "not supported with oneDNN")
        gm, tm = build(lambda lib: layer(lib, kind, n_in, hidden, dtype=getattr(lib, dtype),
                                         **kwargs), seed)
        shape = ((batch, seq) if batch_first else (seq, batch)) if batched else (seq,)
        inputs = [array((*shape, n_in), dtype, seed)]
        if given_state:
            d = 2 if bidirectional else 1
            inputs.append(states(kind, (layers * d, *((batch,) if batched else ()), hidden),
                                 dtype, seed + 2, proj))
        # glasstorch's batched matmul records one node where PyTorch records three (a bias-free
        # projection of the sequence, a transposed batch_first input); elsewhere the whole
        # graph is PyTorch's
        whole = bias and not batch_first
        check_layer(gm, tm, *inputs, whole_graph=whole, seed=seed,
                    grad_fn=not transposes_in_place(kind, dtype, proj, batch_first, batched))


def transposes_in_place(kind, dtype, proj, batch_first, batched) -> bool:
    """The known difference pinned by test_lstm_batch_first_output_node: glasstorch's LSTM off
    the fused path (float64, or proj_size) ends a batched batch_first output with
    TransposeBackward1 (transpose_, as PyTorch's RNN and GRU do), PyTorch's LSTM with
    TransposeBackward0. (Values, gradients and the rest of the graph are compared.)"""
    return kind == "LSTM" and batch_first and batched and (dtype == "float64" or proj > 0)


@pytest.mark.xfail(strict=True, reason="glasstorch's LSTM off the fused path transposes a "
                   "batch_first output in place (TransposeBackward1); PyTorch's LSTM does not")
def test_lstm_batch_first_output_node():
    def names(lib):
        out = []
        for dtype, proj in (("float64", 0), ("float32", 2), ("float64", 2)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # (proj_size's "not supported with oneDNN")
                m = lib.nn.LSTM(3, 4, batch_first=True, proj_size=proj,
                                dtype=getattr(lib, dtype))
                y, _ = m(lib.ones(2, 5, 3, dtype=getattr(lib, dtype), requires_grad=True))
            out.append(type(y.grad_fn).__name__)
        return out

    assert names(glasstorch) == names(torch)


@pytest.mark.parametrize("kind", ["RNNCell", "RNNCell_relu", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("given_state", [True, False])
def test_cells_match_torch(kind, bias, dtype, batched, given_state):
    def make(lib):
        if kind == "RNNCell_relu":
            return lib.nn.RNNCell(3, 4, bias=bias, nonlinearity="relu", dtype=getattr(lib, dtype))
        return getattr(lib.nn, kind)(3, 4, bias=bias, dtype=getattr(lib, dtype))

    gm, tm = build(make, 5)
    lead = (2,) if batched else ()
    inputs = [array((*lead, 3), dtype, 1)]
    if given_state:
        inputs.append(states(kind[:4], (*lead, 4), dtype, 2))
    check_layer(gm, tm, *inputs, whole_graph=True)


def test_a_cell_unrolled_by_hand_matches_the_layer():
    """The course pattern: a loop over time with LSTMCell gives nn.LSTM's outputs."""
    def run(lib):
        lib.manual_seed(0)
        cell = lib.nn.LSTMCell(3, 5)
        lstm = lib.nn.LSTM(3, 5)
        lstm.load_state_dict({k + "_l0": v for k, v in cell.state_dict().items()})
        x = lib.tensor(array((6, 2, 3), "float32", 0))
        h = c = lib.zeros(2, 5)
        outs = []
        for t in range(6):
            h, c = cell(x[t], (h, c))
            outs.append(h)
        out, (hn, cn) = lstm(x)
        return lib.stack(outs).detach().numpy(), out.detach().numpy(), cn.detach().numpy()

    g, t = run(glasstorch), run(torch)
    np.testing.assert_allclose(g[0], g[1], rtol=1e-5, atol=1e-6)
    for a, b in zip(g, t):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dropout_between_layers_draws_torchs_masks(kind, dtype):
    gm, tm = build(lambda lib: layer(lib, kind, 3, 4, num_layers=3, dropout=0.5,
                                     bidirectional=True, dtype=getattr(lib, dtype)))
    x = array((5, 2, 3), dtype, 0)
    for lib in (glasstorch, torch):
        lib.manual_seed(123)
    check_layer(gm, tm, x)
    # and the generators moved alike: the next draw agrees
    assert glasstorch.rand(3).tolist() == torch.rand(3).tolist()
    gm.eval()
    tm.eval()
    check_layer(gm, tm, x)


def test_fused_lstm_equals_the_composite_one():
    """The float32 LSTM's fused node and the cell-by-cell composition agree."""
    glasstorch.manual_seed(0)
    m = glasstorch.nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    x = glasstorch.tensor(array((6, 2, 3), "float64", 0), requires_grad=True)
    out64, _ = m.double()(x)
    out64.sum().backward()
    g64 = x.grad.numpy().copy()
    m.float()
    x32 = x.detach().float().requires_grad_()
    out32, _ = m(x32)
    assert type(out32.grad_fn).__name__ == "CatBackward0"
    assert type(out32.grad_fn.next_functions[0][0]).__name__ == "MkldnnRnnLayerBackward0"
    out32.sum().backward()
    np.testing.assert_allclose(out32.detach().numpy(), out64.detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(x32.grad.numpy(), g64, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_fused_lstm_node_gradcheck_float64(reverse, bias):
    rng = np.random.default_rng(0)

    def t(*shape):
        return glasstorch.tensor(rng.standard_normal(shape), requires_grad=True)

    x, w_ih, w_hh = t(4, 2, 3), t(12, 3), t(12, 3)
    b_ih, b_hh = (t(12), t(12)) if bias else (None, None)
    h0, c0 = t(2, 3), t(2, 3)

    def f(x, w_ih, w_hh, h0, c0, *b):
        bb = b if b else (None, None)
        return glasstorch._tensor.apply(MkldnnRnnLayerBackward0, x, w_ih, w_hh, *bb, h0, c0,
                                        reverse=reverse)

    args = (x, w_ih, w_hh, h0, c0, *((b_ih, b_hh) if bias else ()))
    assert glasstorch.autograd.gradcheck(f, args)


@pytest.mark.parametrize("kind", KINDS)
def test_composite_layers_gradcheck_float64(kind):
    glasstorch.manual_seed(0)
    m = layer(glasstorch, kind, 2, 3, num_layers=2, bidirectional=True, dtype=glasstorch.float64)
    x = glasstorch.tensor(array((3, 2, 2), "float64", 0) + 0.5, requires_grad=True)
    assert glasstorch.autograd.gradcheck(lambda x: m(x)[0], (x,))


def test_cells_gradcheck_float64():
    glasstorch.manual_seed(0)
    x = glasstorch.tensor(array((2, 3), "float64", 0), requires_grad=True)
    h = glasstorch.tensor(array((2, 4), "float64", 1), requires_grad=True)
    c = glasstorch.tensor(array((2, 4), "float64", 2), requires_grad=True)
    nn, f64 = glasstorch.nn, glasstorch.float64
    lstm, gru, rnn = nn.LSTMCell(3, 4, dtype=f64), nn.GRUCell(3, 4, dtype=f64), \
        nn.RNNCell(3, 4, dtype=f64)
    assert glasstorch.autograd.gradcheck(lambda x, h, c: lstm(x, (h, c)), (x, h, c))
    assert glasstorch.autograd.gradcheck(lambda x, h: gru(x, h), (x, h))
    assert glasstorch.autograd.gradcheck(lambda x, h: rnn(x, h), (x, h))


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.RNN(3, 4), lambda lib: lib.nn.RNN(3, 4, 2, "relu", False, True, 0.5, True),
    lambda lib: lib.nn.LSTM(3, 4, num_layers=2, bias=False, batch_first=True),
    lambda lib: lib.nn.LSTM(3, 4, proj_size=2, bidirectional=True, num_layers=2),
    lambda lib: lib.nn.GRU(3, 4, 3, dropout=0.25), lambda lib: lib.nn.RNNCell(3, 4),
    lambda lib: lib.nn.RNNCell(3, 4, bias=False, nonlinearity="relu"),
    lambda lib: lib.nn.LSTMCell(3, 4), lambda lib: lib.nn.GRUCell(3, 4, bias=False),
])
def test_names_order_repr_and_checkpoints(make):
    gm, tm = build(make, 7)
    assert [(n, tuple(p.shape)) for n, p in gm.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    assert list(gm.state_dict()) == list(tm.state_dict())
    checkpoints_cross(gm, tm)
    if hasattr(tm, "all_weights"):
        assert [[tuple(p.shape) for p in ws] for ws in gm.all_weights] == \
            [[tuple(p.shape) for p in ws] for ws in tm.all_weights]
        assert gm._flat_weights_names == tm._flat_weights_names
        gm.flatten_parameters()


def test_attributes():
    def scenario(lib):
        m = lib.nn.LSTM(3, 4, 2, batch_first=True, dropout=0.5, proj_size=2)
        r = lib.nn.RNN(3, 4, nonlinearity="relu")
        c = lib.nn.GRUCell(3, 4, bias=False)
        return (m.mode, m.input_size, m.hidden_size, m.num_layers, m.bias, m.batch_first,
                m.dropout, m.bidirectional, m.proj_size, r.mode, r.nonlinearity, c.input_size,
                c.hidden_size, c.bias, c.bias_ih, lib.nn.RNNCell(3, 4).nonlinearity)

    assert scenario(glasstorch) == scenario(torch)


@pytest.mark.parametrize("case", [
    lambda nn, lib: nn.GRU(3, 4, proj_size=2),
    lambda nn, lib: nn.RNN(3, 4, proj_size=2),
    lambda nn, lib: nn.RNN(3, 4, nonlinearity="sigmoid"),
    lambda nn, lib: nn.LSTM(3, 4, dropout=1.5),
    lambda nn, lib: nn.LSTM(3, 4, dropout=True),
    lambda nn, lib: nn.LSTM(3, 4, bias=1),
    lambda nn, lib: nn.LSTM(3, 4, batch_first=1),
    lambda nn, lib: nn.LSTM(3.0, 4),
    lambda nn, lib: nn.LSTM(0, 4),
    lambda nn, lib: nn.LSTM(3, 4.0),
    lambda nn, lib: nn.LSTM(3, 0),
    lambda nn, lib: nn.LSTM(3, 4, num_layers=0),
    lambda nn, lib: nn.LSTM(3, 4, proj_size=-1),
    lambda nn, lib: nn.LSTM(3, 4, proj_size=4),
    lambda nn, lib: nn.LSTM(3, 4)(lib.randn(2, 3, 4, 5)),
    lambda nn, lib: nn.GRU(3, 4)(lib.randn(5)),
    lambda nn, lib: nn.RNN(3, 4)(lib.randn(2, 3, 4, 5)),
    lambda nn, lib: nn.LSTM(3, 4)(lib.randn(2, 3, 4)),
    lambda nn, lib: nn.GRU(3, 4, batch_first=True)(lib.randn(2, 3, 4)),
    lambda nn, lib: nn.LSTM(3, 4)(lib.randn(2, 3, 3).double()),
    lambda nn, lib: nn.RNN(3, 4)(lib.randint(0, 3, (2, 3, 3))),
    lambda nn, lib: nn.LSTM(3, 4)(lib.randn(2, 3, 3), (lib.randn(1, 3, 4),)),
    lambda nn, lib: nn.LSTM(3, 4)(lib.randn(2, 3, 3), lib.randn(1, 3, 4)),
    lambda nn, lib: nn.LSTM(3, 4)(lib.randn(2, 3, 3), (lib.randn(1, 2, 4), lib.randn(1, 3, 4))),
    lambda nn, lib: nn.LSTM(3, 4)(lib.randn(2, 3, 3), (lib.randn(1, 3, 4), lib.randn(1, 3, 5))),
    lambda nn, lib: nn.LSTM(3, 4)(lib.randn(2, 3, 3), (lib.randn(3, 4), lib.randn(1, 3, 4))),
    lambda nn, lib: nn.LSTM(3, 4)(lib.randn(2, 3), (lib.randn(1, 3, 4), lib.randn(1, 3, 4))),
    lambda nn, lib: nn.LSTM(3, 4)(lib.randn(2, 3, 3), (lib.randn(1, 3, 4).double(),
                                                      lib.randn(1, 3, 4))),
    lambda nn, lib: nn.LSTM(3, 4, dtype=lib.float64)(lib.randn(2, 3, 3).double(),
                                                    (lib.randn(1, 3, 4), lib.randn(1, 3, 4))),
    lambda nn, lib: nn.GRU(3, 4)(lib.randn(2, 3, 3), lib.randn(1, 3, 4).double()),
    lambda nn, lib: nn.GRU(3, 4)(lib.randn(2, 3, 3), lib.randn(3, 4)),
    lambda nn, lib: nn.GRU(3, 4)(lib.randn(2, 3), lib.randn(1, 3, 4)),
    lambda nn, lib: nn.GRU(3, 4)(lib.randn(2, 3, 3), lib.randn(2, 3, 4)),
    lambda nn, lib: nn.GRU(3, 4, 2, bidirectional=True)(lib.randn(2, 3, 3), lib.randn(2, 3, 4)),
    lambda nn, lib: nn.RNN(3, 4)(lib.randn(0, 3, 3)),
    lambda nn, lib: nn.LSTM(3, 4)(lib.randn(0, 3, 3)),
    lambda nn, lib: nn.RNNCell(3, 4)(lib.randn(2, 3, 3)),
    lambda nn, lib: nn.RNNCell(3, 4)(lib.randn(2, 3), lib.randn(2, 3, 4)),
    lambda nn, lib: nn.RNNCell(3, 4)(lib.randn(2, 4)),
    lambda nn, lib: nn.RNNCell(3, 4)(lib.randn(2, 3), lib.randn(3, 4)),
    lambda nn, lib: nn.RNNCell(3, 4)(lib.randn(2, 3), lib.randn(2, 5)),
    lambda nn, lib: nn.RNNCell(3, 4)(lib.randn(3), lib.randn(2, 4)),
    lambda nn, lib: nn.LSTMCell(3, 4)(lib.randn(2, 3), (lib.randn(2, 4),)),
    lambda nn, lib: nn.LSTMCell(3, 4)(lib.randn(3), (lib.randn(4),)),
    lambda nn, lib: nn.LSTMCell(3, 4)(lib.randn(2, 3), (lib.randn(2, 4), lib.randn(2, 4, 1))),
    lambda nn, lib: nn.LSTMCell(3, 4)(lib.randn(2, 3), (lib.randn(2, 4), lib.randn(2, 5))),
    lambda nn, lib: nn.LSTMCell(3, 4)(lib.randn(2, 3), (lib.randn(3, 4), lib.randn(2, 4))),
    lambda nn, lib: nn.GRUCell(3, 4)(lib.randn(2, 3).double()),
    lambda nn, lib: nn.GRUCell(3, 4)(lib.randn(2, 3), lib.randn(2, 4).double()),
    lambda nn, lib: nn.RNNCell(3, 4, nonlinearity="foo")(lib.randn(2, 3)),
])
def test_errors(case):
    same_error(lambda lib: case(lib.nn, lib))


def test_error_hints():
    e = same_error(lambda lib: lib.nn.LSTM(10, 4, batch_first=True)(lib.randn(8, 12, 3)))
    assert "read as (batch, seq, feature) (batch_first=True)" in str(e)
    e = same_error(lambda lib: lib.nn.GRU(3, 4, batch_first=True)(lib.randn(2, 5, 3),
                                                                 lib.randn(1, 5, 4)))
    assert "the batch is dim 0 of the input [2, 5, 3]" in str(e)


def test_warnings():
    same_warnings(lambda lib: lib.nn.LSTM(3, 4, dropout=0.2))
    same_warnings(lambda lib: lib.nn.GRU(3, 4, 1, True, False, 0.5))


def test_projection_warning_once_per_process():
    """PyTorch warns once a process that a float32 LSTM with proj_size is not fused."""
    code = (
        "import sys, warnings; warnings.simplefilter('always'); import {lib} as lib\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    for dt in (lib.float64, lib.float32, lib.float32):\n"
        "        lib.nn.LSTM(3, 4, proj_size=2, dtype=dt)(lib.randn(2, 1, 3, dtype=dt))\n"
        "print([str(m.message).split(' (Triggered')[0] for m in w])\n")
    out = [subprocess.run([sys.executable, "-c", code.format(lib=lib)], capture_output=True,
                          text=True, check=True).stdout for lib in ("torch", "glasstorch")]
    assert out[1] == out[0] and "LSTM with projections is not supported" in out[0]


@pytest.mark.parametrize("kind", KINDS)
def test_empty_batch_and_no_grad(kind):
    gm, tm = build(lambda lib: layer(lib, kind, 3, 4, num_layers=2))
    check_layer(gm, tm, np.zeros((5, 0, 3), np.float32))
    for lib, m in ((glasstorch, gm), (torch, tm)):
        with lib.no_grad():
            out, _ = m(lib.ones(2, 1, 3))
        assert out.grad_fn is None and not out.requires_grad


def test_train_a_few_steps_like_torch():
    """An LSTM regressor trained with Adam for a few steps ends where torch's does."""
    def run(lib):
        lib.manual_seed(0)
        lstm, head = lib.nn.LSTM(2, 8, batch_first=True), lib.nn.Linear(8, 1)
        params = list(lstm.parameters()) + list(head.parameters())
        opt = lib.optim.Adam(params, lr=0.01)
        x = lib.tensor(array((4, 6, 2), "float32", 0))
        y = lib.tensor(array((4, 1), "float32", 1))
        for _ in range(5):
            opt.zero_grad()
            out, _ = lstm(x)
            loss = lib.nn.functional.mse_loss(head(out[:, -1]), y)
            loss.backward()
            opt.step()
        return loss.item(), [p.detach().numpy().copy() for p in params]

    (gl, gp), (tl, tp) = run(glasstorch), run(torch)
    assert abs(gl - tl) < 1e-5
    for a, b in zip(gp, tp):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
