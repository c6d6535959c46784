"""Attention against torch: F.scaled_dot_product_attention (fused 4-D path and the math
composition; bool / float / causal masks, fully masked rows, scale, dropout masks),
nn.MultiheadAttention (every option, masks, weights, init, checkpoints, graphs),
nn.TransformerEncoderLayer and nn.TransformerEncoder; errors, warnings, gradcheck."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from harness import (
    SETTINGS,
    array,
    build,
    check,
    check_layer,
    checkpoints_cross,
    same_error,
    same_warnings,
    seeds,
)
from hypothesis import given
from hypothesis import strategies as st

import glasstorch


def bool_mask(shape, seed, empty_row=True):
    m = np.random.default_rng(seed).random(shape) < 0.7
    if empty_row and m.ndim >= 2 and m.shape[-2] > 1:
        m[..., 1, :] = False  # a query that may attend to nothing: zeros, not nan
    return m


# -- F.scaled_dot_product_attention ------------------------------------------------------------


@SETTINGS
@given(lead=st.sampled_from([(), (2,), (2, 3), (1, 2)]), L=st.integers(1, 4),
       S=st.integers(1, 4), E=st.integers(1, 4), same_ev=st.booleans(),
       mask=st.sampled_from([None, "bool", "float", "bool_row", "float_bcast"]),
       causal=st.booleans(), scale=st.sampled_from([None, 0.3, -0.5]),
       dtype=st.sampled_from(["float32", "float64"]), seed=seeds)
def test_sdpa_matches_torch(lead, L, S, E, same_ev, mask, causal, scale, dtype, seed):
    Ev = E if same_ev else E + 1
    q, k, v = (array((*lead, n, e), dtype, seed + i) for i, (n, e) in
               enumerate(((L, E), (S, E), (S, Ev))))
    m = None
    if mask == "bool":
        m = bool_mask((L, S), seed)
    elif mask == "bool_row":
        m = bool_mask((*lead[:1], 1, L, S) if lead else (L, S), seed)
    elif mask == "float":
        m = array((L, S), dtype, seed + 5)
    elif mask == "float_bcast":
        m = array((1, S), dtype, seed + 5)
    if causal and m is not None and len(lead) < 2:
        causal = False  # the math path refuses a mask with is_causal (tested below)
    if causal and scale is not None and scale < 0:
        scale = 0.3  # PyTorch's fused CPU kernel gives nan for a causal negative scale
    F = "nn.functional.scaled_dot_product_attention"

    def fn(lib, q, k, v, *mask_arg):
        f = lib.nn.functional.scaled_dot_product_attention
        return f(q, k, v, *mask_arg, is_causal=causal, scale=scale)

    args = (q, k, v) if m is None else (q, k, v, m)
    assert F  # (the function under test)
    check(fn, *args, seed=seed)


def test_sdpa_fused_node_and_math_graph_names():
    def names(lib, shape, **kw):
        q = lib.tensor(array(shape, "float32", 0), requires_grad=True)
        out = lib.nn.functional.scaled_dot_product_attention(q, q * 1, q * 2, **kw)
        return type(out.grad_fn).__name__

    for shape, kw in (((2, 2, 3, 4), {}), ((2, 2, 3, 4), {"is_causal": True}),
                      ((2, 3, 4), {}), ((3, 4), {}), ((2, 2, 3, 4), {"dropout_p": 0.5})):
        glasstorch.manual_seed(0)
        torch.manual_seed(0)
        assert names(glasstorch, shape, **kw) == names(torch, shape, **kw), (shape, kw)


@pytest.mark.parametrize("shape", [(2, 2, 5, 4), (3, 5, 4)])
def test_sdpa_dropout_draws_torchs_masks(shape):
    q, k, v = (array(shape, "float32", i) for i in range(3))

    def fn(lib, q, k, v):
        lib.manual_seed(7)
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=0.4)

    check(fn, q, k, v)


@pytest.mark.parametrize("case", [
    lambda F, lib, q, k, v: F.scaled_dot_product_attention(q, k.double(), v),
    lambda F, lib, q, k, v: F.scaled_dot_product_attention(q[0, 0, 0], k[0, 0, 0], v[0, 0, 0]),
    lambda F, lib, q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=lib.ones(5, 7)),
    lambda F, lib, q, k, v: F.scaled_dot_product_attention(q[0], k[0], v[0],
                                                           attn_mask=lib.ones(5, 7)),
    lambda F, lib, q, k, v: F.scaled_dot_product_attention(
        q, k, v, attn_mask=lib.ones(5, 6, dtype=lib.long)),
    lambda F, lib, q, k, v: F.scaled_dot_product_attention(
        q, k, v, attn_mask=lib.ones(5, 6, dtype=lib.float64)),
    lambda F, lib, q, k, v: F.scaled_dot_product_attention(q, k[..., :3], v),
    lambda F, lib, q, k, v: F.scaled_dot_product_attention(q[0], k[0, :, :, :3], v[0]),
    lambda F, lib, q, k, v: F.scaled_dot_product_attention(q[0], k[0], v[0, :, :5]),
    lambda F, lib, q, k, v: F.scaled_dot_product_attention(q, k[:, :2], v[:, :2]),
    lambda F, lib, q, k, v: F.scaled_dot_product_attention(q, k, v, dropout_p=1.5),
    lambda F, lib, q, k, v: F.scaled_dot_product_attention(
        q[0], k[0], v[0], attn_mask=lib.ones(5, 6, dtype=lib.bool), is_causal=True),
])
def test_sdpa_errors(case):
    def fn(lib):
        q, k, v = (lib.tensor(array(s, "float32", i)) for i, s in
                   enumerate(((2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 4))))
        return case(lib.nn.functional, lib, q, k, v)

    same_error(fn)


def test_sdpa_causal_with_a_mask_on_the_fused_path_combines_them():
    m = bool_mask((3, 3), 0, empty_row=False)
    check(lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=m, is_causal=True), *(array((1, 2, 3, 4), "float32", i)
                                                  for i in range(3)), m)


@pytest.mark.parametrize("shape", [(2, 2, 3, 4), (2, 3, 4)])
@pytest.mark.parametrize("mask", [None, "bool", "float"])
def test_sdpa_gradcheck_float64(shape, mask):
    q, k, v = (glasstorch.tensor(array(shape, "float64", i), requires_grad=True)
               for i in range(3))
    m = None
    if mask == "bool":
        m = glasstorch.tensor(bool_mask(shape[-2:][:1] + (shape[-2],), 1))
    elif mask == "float":
        m = glasstorch.tensor(array((shape[-2], shape[-2]), "float64", 1))
    F = glasstorch.nn.functional
    assert glasstorch.autograd.gradcheck(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=m), (q, k, v))
    assert glasstorch.autograd.gradcheck(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.7),
        (q, k, v))


# -- nn.MultiheadAttention ---------------------------------------------------------------------


@SETTINGS
@given(heads=st.integers(1, 2), head_dim=st.integers(1, 3), bias=st.booleans(),
       bias_kv=st.booleans(), zero_attn=st.booleans(), kv_dims=st.booleans(),
       batch_first=st.booleans(), batched=st.booleans(), L=st.integers(1, 3),
       S=st.integers(1, 3), N=st.integers(1, 2),
       kpm=st.sampled_from([None, "bool", "float"]),
       am=st.sampled_from([None, "bool2", "float2", "bool3"]), need_weights=st.booleans(),
       average=st.booleans(), self_attn=st.booleans(),
       dtype=st.sampled_from(["float32", "float64"]), seed=seeds)
def test_multihead_attention_matches_torch(heads, head_dim, bias, bias_kv, zero_attn, kv_dims,
                                           batch_first, batched, L, S, N, kpm, am,
                                           need_weights, average, self_attn, dtype, seed):
    E = heads * head_dim
    kd, vd = (E + 1, E + 2) if kv_dims else (None, None)
    if self_attn:
        kd = vd = None
        S = L

    def make(lib):
        return lib.nn.MultiheadAttention(E, heads, bias=bias, add_bias_kv=bias_kv,
                                         add_zero_attn=zero_attn, kdim=kd, vdim=vd,
                                         batch_first=batch_first, dtype=getattr(lib, dtype))

    gm, tm = build(make, seed)

    def seq(n, e, s):
        shape = ((N, n) if batch_first else (n, N)) if batched else (n,)
        return array((*shape, e), dtype, s)

    inputs = [seq(L, E, seed)] if self_attn else [seq(L, E, seed), seq(S, kd or E, seed + 1),
                                                   seq(S, vd or E, seed + 2)]
    kwargs = {"need_weights": need_weights, "average_attn_weights": average}
    if kpm is not None:
        pad = bool_mask((N, S) if batched else (S,), seed + 3, empty_row=False)
        pad[..., 0] = False  # keep one key: a query attending to nothing gives nan in torch
        kwargs["key_padding_mask"] = pad if kpm == "bool" else np.where(
            pad, -np.inf, 0).astype(dtype)
    if am is not None:
        shape = (L, S) if am != "bool3" else (N * heads if batched else heads, L, S)
        allowed = bool_mask(shape, seed + 4, empty_row=False)
        allowed[..., 0] = True
        if am.startswith("bool"):
            kwargs["attn_mask"] = ~allowed
            if kpm == "float":
                kwargs["key_padding_mask"] = pad  # (mismatched mask types: tested below)
        else:
            kwargs["attn_mask"] = np.where(allowed, array(shape, dtype, seed + 5),
                                           -np.inf).astype(dtype)
            if kpm == "bool":
                kwargs["key_padding_mask"] = np.where(pad, -np.inf, 0).astype(dtype)

    def call(m, *args, **kw):
        if self_attn:
            return m(args[0], args[0], args[0], **kw)
        return m(*args, **kw)

    # glasstorch's batched matmul records one node where PyTorch records three (bias-free
    # projections, transposed batch_first input); elsewhere the whole graph is PyTorch's
    check_layer(gm, tm, *inputs, kwargs=kwargs, call=call, seed=seed,
                whole_graph=bias and not batch_first)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("batch_first", [True, False])
def test_multihead_attention_dropout_draws_torchs_masks(need_weights, batch_first):
    gm, tm = build(lambda lib: lib.nn.MultiheadAttention(6, 2, dropout=0.5,
                                                         batch_first=batch_first))
    x = array((3, 4, 6), "float32", 0)
    for lib in (glasstorch, torch):
        lib.manual_seed(11)
    check_layer(gm, tm, x, kwargs={"need_weights": need_weights},
                call=lambda m, x, **kw: m(x, x, x, **kw))
    gm.eval()
    tm.eval()
    check_layer(gm, tm, x, call=lambda m, x, **kw: m(x, x, x, **kw))


def test_multihead_attention_causal_and_inference():
    gm, tm = build(lambda lib: lib.nn.MultiheadAttention(4, 2, batch_first=True))
    x = array((2, 5, 4), "float32", 0)
    causal = np.triu(np.full((5, 5), -np.inf, np.float32), 1)
    for nw in (True, False):
        check_layer(gm, tm, x, kwargs={"attn_mask": causal, "is_causal": True,
                                       "need_weights": nw},
                    call=lambda m, x, **kw: m(x, x, x, **kw))
    gm.eval()
    tm.eval()
    with glasstorch.no_grad(), torch.no_grad():  # PyTorch's fused inference path
        check_layer(gm, tm, x, kwargs={"key_padding_mask": np.array([[False] * 4 + [True]] * 2)},
                    call=lambda m, x, **kw: m(x, x, x, **kw), grad=False)


@pytest.mark.parametrize("case", [
    lambda nn, lib: nn.MultiheadAttention(0, 2),
    lambda nn, lib: nn.MultiheadAttention(6, 4),
    lambda nn, lib: nn.MultiheadAttention(6, 2)(lib.ones(3, 2, 5), lib.ones(3, 2, 5),
                                                lib.ones(3, 2, 5)),
    lambda nn, lib: nn.MultiheadAttention(6, 2)(lib.ones(3, 2, 6), lib.ones(3, 6),
                                                lib.ones(3, 6)),
    lambda nn, lib: nn.MultiheadAttention(6, 2)(lib.ones(3, 6), lib.ones(3, 2, 6),
                                                lib.ones(3, 2, 6)),
    lambda nn, lib: nn.MultiheadAttention(6, 2)(lib.ones(1, 3, 2, 6), lib.ones(3, 2, 6),
                                                lib.ones(3, 2, 6)),
    lambda nn, lib: nn.MultiheadAttention(6, 2)(lib.ones(3, 2, 6), lib.ones(4, 2, 6),
                                                lib.ones(5, 2, 6)),
    lambda nn, lib: nn.MultiheadAttention(6, 2)(lib.ones(3, 2, 6), lib.ones(3, 2, 6),
                                                lib.ones(3, 2, 6), attn_mask=lib.ones(3, 4)),
    lambda nn, lib: nn.MultiheadAttention(6, 2)(lib.ones(3, 2, 6), lib.ones(3, 2, 6),
                                                lib.ones(3, 2, 6), attn_mask=lib.ones(2, 3, 3)),
    lambda nn, lib: nn.MultiheadAttention(6, 2)(lib.ones(3, 2, 6), lib.ones(3, 2, 6),
                                                lib.ones(3, 2, 6),
                                                attn_mask=lib.ones(1, 1, 3, 3)),
    lambda nn, lib: nn.MultiheadAttention(6, 2)(lib.ones(3, 2, 6), lib.ones(3, 2, 6),
                                                lib.ones(3, 2, 6),
                                                key_padding_mask=lib.ones(3, 3)),
    lambda nn, lib: nn.MultiheadAttention(6, 2)(lib.ones(3, 2, 6), lib.ones(3, 2, 6),
                                                lib.ones(3, 2, 6),
                                                key_padding_mask=lib.ones(2, 4)),
    lambda nn, lib: nn.MultiheadAttention(6, 2)(lib.ones(3, 2, 6), lib.ones(3, 2, 6),
                                                lib.ones(3, 2, 6),
                                                key_padding_mask=lib.ones(2, 3, dtype=lib.long)),
    lambda nn, lib: nn.MultiheadAttention(6, 2)(lib.ones(3, 2, 6), lib.ones(3, 2, 6),
                                                lib.ones(3, 2, 6), is_causal=True),
    lambda nn, lib: nn.MultiheadAttention(6, 2)(lib.ones(3, 6), lib.ones(3, 6), lib.ones(3, 6),
                                                attn_mask=lib.ones(3, 3, 3)),
    lambda nn, lib: nn.MultiheadAttention(6, 2)(lib.ones(3, 6), lib.ones(3, 6), lib.ones(3, 6),
                                                key_padding_mask=lib.ones(1, 3)),
])
def test_multihead_attention_errors(case):
    same_error(lambda lib: case(lib.nn, lib))


def test_mismatched_mask_types_warn():
    def fn(lib):
        m = lib.nn.MultiheadAttention(4, 2)
        x = lib.ones(3, 2, 4)
        m(x, x, x, key_padding_mask=lib.zeros(2, 3, dtype=lib.bool), attn_mask=lib.zeros(3, 3))

    same_warnings(fn)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.MultiheadAttention(8, 2),
    lambda lib: lib.nn.MultiheadAttention(8, 4, bias=False, add_bias_kv=True),
    lambda lib: lib.nn.MultiheadAttention(6, 3, kdim=4, vdim=5, add_zero_attn=True),
    lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16),
    lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, 0.2, "gelu", 1e-6, True, True, False),
    lambda lib: lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(8, 2, 16), 2,
                                          norm=lib.nn.LayerNorm(8), enable_nested_tensor=False),
])
def test_init_repr_names_checkpoints(make):
    gm, tm = build(make, 3)
    assert list(gm.state_dict()) == list(tm.state_dict())
    checkpoints_cross(gm, tm)


def test_attributes():
    def scenario(lib):
        m = lib.nn.MultiheadAttention(6, 3, dropout=0.1, kdim=4, batch_first=True)
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, activation="gelu")
        enc = lib.nn.TransformerEncoder(layer, 3, enable_nested_tensor=False)
        return (m.embed_dim, m.kdim, m.vdim, m._qkv_same_embed_dim, m.num_heads, m.dropout,
                m.batch_first, m.head_dim, m.in_proj_weight, m.bias_k, m.add_zero_attn,
                layer.norm_first, layer.activation_relu_or_gelu, layer.activation.__name__,
                enc.num_layers, enc.use_nested_tensor, enc.mask_check, len(enc.layers))

    assert scenario(glasstorch) == scenario(torch)


# -- nn.TransformerEncoderLayer and nn.TransformerEncoder --------------------------------------


@SETTINGS
@given(norm_first=st.booleans(), activation=st.sampled_from(["relu", "gelu", "module"]),
       batch_first=st.booleans(), bias=st.booleans(), batched=st.booleans(),
       mask=st.sampled_from([None, "causal", "padding", "both"]), dropout=st.booleans(),
       dtype=st.sampled_from(["float32", "float64"]), seed=seeds)
def test_encoder_layer_matches_torch(norm_first, activation, batch_first, bias, batched, mask,
                                     dropout, dtype, seed):
    def make(lib):
        act = lib.nn.GELU() if activation == "module" else activation
        return lib.nn.TransformerEncoderLayer(6, 2, 10, 0.3 if dropout else 0.0, act,
                                              batch_first=batch_first, norm_first=norm_first,
                                              bias=bias, dtype=getattr(lib, dtype))

    gm, tm = build(make, seed)
    S, N = 4, 3
    shape = ((N, S) if batch_first else (S, N)) if batched else (S,)
    kwargs = {}
    if mask in ("causal", "both"):
        kwargs["src_mask"] = np.triu(np.full((S, S), -np.inf), 1).astype(dtype)
        kwargs["is_causal"] = True
    if mask in ("padding", "both"):
        pad = np.zeros((N, S) if batched else (S,), bool)
        pad[..., -1] = True
        kwargs["src_key_padding_mask"] = np.where(pad, -np.inf, 0).astype(dtype) \
            if mask == "both" else pad
    for lib in (glasstorch, torch):
        lib.manual_seed(seed)  # the dropout masks
    check_layer(gm, tm, array((*shape, 6), dtype, seed), kwargs=kwargs, seed=seed,
                whole_graph=bias and not batch_first and not dropout)


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("padding", [None, "left_aligned", "holes"])
def test_encoder_stack_train_and_inference(batch_first, padding):
    def make(lib):
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, batch_first=batch_first)
        return lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(8))

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the nested-tensor warning, compared below)
        gm, tm = build(make, 1)
    x = array((2, 4, 8) if batch_first else (4, 2, 8), "float32", 0)
    kwargs = {}
    if padding:
        pad = np.array([[False] * 3 + [True], [False, False, True, True]])
        if padding == "holes":
            pad = pad[:, ::-1].copy()
        kwargs["src_key_padding_mask"] = pad
    for lib in (glasstorch, torch):
        lib.manual_seed(5)
    check_layer(gm, tm, x, kwargs=kwargs)
    gm.eval()
    tm.eval()
    check_layer(gm, tm, x, kwargs=kwargs)
    with glasstorch.no_grad(), torch.no_grad():  # PyTorch's nested-tensor path: zeros
        check_layer(gm, tm, x, kwargs=kwargs, grad=False)


def test_encoder_detects_a_causal_mask():
    def make(lib):
        return lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0),
                                         2, enable_nested_tensor=False)

    gm, tm = build(make, 2)
    mask = np.triu(np.full((3, 3), -np.inf, np.float32), 1)
    check_layer(gm, tm, array((3, 2, 4), "float32", 0), kwargs={"mask": mask}, whole_graph=True)


def test_warnings_and_errors():
    for kw in ({}, {"norm_first": True}, {"batch_first": True}, {"batch_first": True,
                                                                  "activation": "gelu"}):
        same_warnings(lambda lib, kw=kw: lib.nn.TransformerEncoder(
            lib.nn.TransformerEncoderLayer(4, 2, 8, **kw), 2))
    same_warnings(lambda lib: lib.nn.TransformerEncoder(
        lib.nn.TransformerEncoderLayer(6, 3, 8, batch_first=True), 2))
    same_error(lambda lib: lib.nn.TransformerEncoderLayer(4, 2, 8, activation="tanh"))
    same_error(lambda lib: lib.nn.TransformerEncoderLayer(4, 2, 8)(lib.ones(3, 2, 5)))


def test_encoder_gradcheck_float64():
    glasstorch.manual_seed(0)
    layer = glasstorch.nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0,
                                                  dtype=glasstorch.float64)
    x = glasstorch.tensor(array((3, 2, 4), "float64", 0), requires_grad=True)
    assert glasstorch.autograd.gradcheck(layer, (x,))
    mha = glasstorch.nn.MultiheadAttention(4, 2, dtype=glasstorch.float64)
    assert glasstorch.autograd.gradcheck(lambda x: mha(x, x, x)[0], (x,))


def test_baddbmm_node_and_weights_path_gradcheck_float64():
    from glasstorch._tensor import apply
    from glasstorch.nn._ops.attention import BaddbmmBackward0

    def t(*shape, seed=0):
        return glasstorch.tensor(array(shape, "float64", seed), requires_grad=True)

    mask, b1, b2 = t(1, 3, 4), t(2, 3, 5, seed=1), t(2, 5, 4, seed=2)
    assert glasstorch.autograd.gradcheck(lambda m, a, b: apply(BaddbmmBackward0, m, a, b),
                                         (mask, b1, b2))
    glasstorch.manual_seed(0)
    mha = glasstorch.nn.MultiheadAttention(4, 2, dtype=glasstorch.float64)
    x = t(3, 2, 4, seed=3)
    attn_mask = glasstorch.tensor(array((3, 3), "float64", 4))
    assert glasstorch.autograd.gradcheck(
        lambda x: mha(x, x, x, attn_mask=attn_mask, average_attn_weights=False), (x,))
