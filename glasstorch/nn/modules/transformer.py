"""The transformer encoder: TransformerEncoderLayer and a stack of them, TransformerEncoder.

An encoder layer lets every position look at every other one, then thinks about each position
on its own:

    x = norm1(x + dropout1(self_attn(x, x, x)))               (post-norm, the default)
    x = norm2(x + dropout2(linear2(dropout(activation(linear1(x))))))

With ``norm_first`` the LayerNorms come first inside each residual branch instead
(x = x + self_attn(norm1(x)); x = x + ff(norm2(x))), which trains more stably in deep stacks.
The layer's parts are the modules PyTorch uses (MultiheadAttention, Linear, Dropout,
LayerNorm) with PyTorch's names, so a state_dict loads either way.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

import glasstorch

from ..._tensor import Tensor
from ..._warnings import warn
from .. import functional as F
from .activation import GELU, MultiheadAttention, ReLU
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = ["TransformerEncoderLayer", "TransformerEncoder"]


def _get_activation_fn(activation: str) -> Callable[[Tensor], Tensor]:
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _generate_square_subsequent_mask(sz: int, device=None, dtype=None) -> Tensor:
    """(sz, sz) float mask: 0 on and below the diagonal, -inf above (position i may attend
    to positions 0..i)."""
    return glasstorch.triu(glasstorch.full((sz, sz), float("-inf"), dtype=dtype), diagonal=1)


def _detect_is_causal_mask(mask: Tensor | None, is_causal: bool | None = None,
                           size: int | None = None) -> bool:
    """True if asked, or (is_causal None) if ``mask`` is exactly the causal mask."""
    make_causal = is_causal is True
    if is_causal is None and mask is not None:
        sz = size if size is not None else mask.size(-2)
        causal = _generate_square_subsequent_mask(sz, dtype=mask.dtype)
        make_causal = bool((mask == causal).all()) if mask.size() == causal.size() else False
    return make_causal


class TransformerEncoderLayer(Module):
    """Self-attention then a position-wise feed-forward network, each a residual branch with
    dropout and LayerNorm. Input (S, N, E) (or (N, S, E) with batch_first, or (S, E))."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable[[Tensor], Tensor] = F.relu,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=None) -> None:
        factory = {"dtype": dtype} if device is None else {"dtype": dtype, "device": device}
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, **factory)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        if activation is F.relu or isinstance(activation, ReLU):
            self.activation_relu_or_gelu = 1
        elif activation is F.gelu or isinstance(activation, GELU):
            self.activation_relu_or_gelu = 2
        else:
            self.activation_relu_or_gelu = 0
        self.activation = activation

    def forward(self, src: Tensor, src_mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
        src_key_padding_mask = F._canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                                 F._none_or_dtype(src_mask), "src_mask",
                                                 src.dtype)
        src_mask = F._canonical_mask(src_mask, "src_mask", None, "", src.dtype, False)
        # (PyTorch's inference fast path, a fused kernel computing the same, is not needed)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x: Tensor, attn_mask: Tensor | None, key_padding_mask: Tensor | None,
                  is_causal: bool = False) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` (deep copies: the same initial weights),
    applied in turn, then ``norm`` if given."""

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int,
                 norm: Module | None = None, enable_nested_tensor: bool = True,
                 mask_check: bool = True) -> None:
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why_not = self._why_not_nested(encoder_layer)
        if enable_nested_tensor and why_not:
            warn(f"enable_nested_tensor is True, but self.use_nested_tensor is False "
                 f"because {why_not}")
            self.use_nested_tensor = False

    @staticmethod
    def _why_not_nested(layer) -> str:
        """Why PyTorch would not use its padded-sequence fast path with this layer."""
        name = "encoder_layer"
        if not isinstance(layer, TransformerEncoderLayer):
            return f"{name} was not TransformerEncoderLayer"
        if layer.norm_first:
            return f"{name}.norm_first was True"
        if not layer.self_attn.batch_first:
            return (f"{name}.self_attn.batch_first was not True(use batch_first for better "
                    "inference performance)")
        if not layer.self_attn._qkv_same_embed_dim:
            return f"{name}.self_attn._qkv_same_embed_dim was not True"
        if layer.self_attn.in_proj_bias is None:
            return f"{name}.self_attn was passed bias=False"
        if not layer.activation_relu_or_gelu:
            return f"{name}.activation_relu_or_gelu was not True"
        if layer.norm1.eps != layer.norm2.eps:
            return f"{name}.norm1.eps was not equal to {name}.norm2.eps"
        if layer.self_attn.num_heads % 2 == 1:
            return f"{name}.self_attn.num_heads is odd"
        return ""

    def forward(self, src: Tensor, mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None,
                is_causal: bool | None = None) -> Tensor:
        src_key_padding_mask = F._canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                                 F._none_or_dtype(mask), "mask", src.dtype)
        mask = F._canonical_mask(mask, "mask", None, "", src.dtype, False)
        first = self.layers[0]
        batch_first = first.self_attn.batch_first
        seq_len = src.size(0) if src.dim() == 2 else src.size(1 if batch_first else 0)
        is_causal = _detect_is_causal_mask(mask, is_causal, seq_len)
        padded = self._padding_fast_path(src, mask, src_key_padding_mask)
        output = src
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=is_causal,
                         src_key_padding_mask=src_key_padding_mask)
        if padded is not None:
            # PyTorch's inference path packs the sequences without their padding and pads
            # the result with zeros: padded positions come out as 0
            output = output.masked_fill(_make_mask(padded), 0.0)
        if self.norm is not None:
            output = self.norm(output)
        return output

    def _padding_fast_path(self, src: Tensor, mask, key_padding) -> np.ndarray | None:
        """The padding (N, S, 1), True where padded, when PyTorch would take its nested-tensor
        path (inference, batched, a left-aligned padding mask, no gradient)."""
        if not getattr(self, "use_nested_tensor", False) or self.layers[0].training \
                or src.dim() != 3 or key_padding is None or mask is not None:
            return None
        pad = np.isneginf(key_padding._data)  # (N, S), True: padding
        if self.mask_check and (np.diff(pad.astype(np.int8), axis=1) < 0).any():
            return None  # not left-aligned: some padding before a real position
        first = self.layers[0]
        params = [src, *[p for p in (first.self_attn.in_proj_weight,
                                     first.self_attn.in_proj_bias,
                                     first.self_attn.out_proj.weight, first.self_attn.out_proj.bias,
                                     first.norm1.weight, first.norm1.bias, first.norm2.weight,
                                     first.norm2.bias, first.linear1.weight, first.linear1.bias,
                                     first.linear2.weight, first.linear2.bias)]]
        if glasstorch.is_grad_enabled() and any(p is not None and p.requires_grad
                                                for p in params):
            return None
        return pad[:, :, None]


def _make_mask(pad: np.ndarray) -> Tensor:
    return Tensor._make(pad)
