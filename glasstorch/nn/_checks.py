"""PyTorch's argument checks for ``nn.functional``, with its exception types and texts.

Each public function in ``functional.py`` calls one function here (named after it or after the
family it shares with others: :func:`class_index_loss` for ``nll_loss`` and ``cross_entropy``)
before its few lines of idea. A check returns quickly when the arguments fit, and otherwise
raises what PyTorch raises, with PyTorch's text first and, where that alone leaves a learner
guessing, a second line starting with ``[glasstorch]`` naming the shapes or dtypes and the usual
fix. Checks that need the data (target classes out of range) are called by the nodes that read
it, so the data is scanned once.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.grad_mode import _state as _grad_state

# ---------------------------------------------------------------------------------------------
# shared
# ---------------------------------------------------------------------------------------------


def size(shape) -> str:
    """``torch.Size([16, 1])``, as PyTorch prints a shape inside messages."""
    return f"torch.Size({list(shape)})"


def not_implemented(kernel: str, t: Tensor) -> NotImplementedError:
    return NotImplementedError(
        f'"{kernel}" not implemented for \'{t.dtype.scalar_name}\'\n[glasstorch] this '
        f"operation needs a floating-point tensor, got {t.dtype}; convert with .float()."
    )


def require_float(t: Tensor, kernel: str) -> None:
    """PyTorch has no integer kernel named ``kernel``."""
    if not t.dtype.is_floating_point:
        raise not_implemented(kernel, t)


def broadcast_shape(a: tuple, b: tuple) -> tuple:
    """The broadcast shape of ``a`` and ``b``, or PyTorch's RuntimeError naming the dimension."""
    n = max(len(a), len(b))
    pa = (1,) * (n - len(a)) + tuple(a)
    pb = (1,) * (n - len(b)) + tuple(b)
    out = []
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {i}\n[glasstorch] shapes {list(a)} and {list(b)} do "
                "not broadcast: dimensions are compared from the right and must be equal or 1."
            )
        out.append(max(x, y) if min(x, y) != 0 else 0)
    return tuple(out)


def no_grad_for(fn: str, name: str, t: Tensor | None) -> None:
    """PyTorch refuses class / element weights that require grad in these kernels."""
    if t is not None and t.requires_grad and _grad_state.enabled:
        raise RuntimeError(
            f"The function '{fn}' is not differentiable with respect to argument '{name}'. "
            "This input cannot have requires_grad True."
        )


# ---------------------------------------------------------------------------------------------
# linear
# ---------------------------------------------------------------------------------------------

_C_TYPE = {"Float": "float", "Double": "double", "Half": "c10::Half", "Long": "long int",
           "Int": "int", "Short": "short int", "Char": "signed char", "Byte": "unsigned char",
           "Bool": "bool"}


def linear(input: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    """F.linear: a tensor input of shape (*, in), a weight (out, in) or (in,), a bias that
    broadcasts to (out,), all of one dtype."""
    if type(input) is Tensor and bias is not None:
        x, w, b = input._data, weight._data, bias._data
        if x.ndim == 2 and w.ndim == 2 and x.shape[1] == w.shape[1] and b.shape == w.shape[:1] \
                and x.dtype == w.dtype == b.dtype and x.dtype.kind == "f":
            return  # the usual batch through nn.Linear: everything fits
    if not isinstance(input, Tensor):
        kind = type(input)
        name = kind.__name__ if kind.__module__ == "builtins" else \
            f"{kind.__module__}.{kind.__qualname__}"
        raise TypeError(
            f"linear(): argument 'input' (position 1) must be Tensor, not {name}\n[glasstorch] "
            "layers take tensors: convert the data first, e.g. torch.from_numpy(x).float() or "
            "torch.tensor(x, dtype=torch.float32)."
        )
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are "
                           f"{input.ndim}D and {weight.ndim}D")
    if weight.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {weight.ndim}D")
    if weight.ndim == 1:
        if bias is not None:
            raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
        return  # a matmul with a vector: its own checks apply
    out_f, in_f = weight.shape
    if bias is not None and bias.dtype is not weight.dtype:
        raise RuntimeError(
            "self and mat2 must have the same dtype, but got "
            f"{bias.dtype.scalar_name} and {weight.dtype.scalar_name}"
            f"\n[glasstorch] the bias is {bias.dtype} but the weight is {weight.dtype}."
        )
    if input.dtype is not weight.dtype:
        hint = (f"\n[glasstorch] the input is {input.dtype} but the layer's weight is "
                f"{weight.dtype}; convert the data with .to({weight.dtype}) (NumPy arrays "
                "default to float64: use .float() or dtype=torch.float32).")
        if bias is not None:
            raise RuntimeError("mat1 and mat2 must have the same dtype, but got "
                               f"{input.dtype.scalar_name} and {weight.dtype.scalar_name}" + hint)
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{_C_TYPE[input.dtype.scalar_name]} != {_C_TYPE[weight.dtype.scalar_name]}" + hint
        )
    rows = math.prod(input.shape[:-1])
    if input.shape[-1] != in_f:
        hint = (f"\n[glasstorch] linear: the input's last dimension has {input.shape[-1]} "
                f"features (input shape {list(input.shape)}) but the weight expects "
                f"in_features={in_f}.")
        if input.ndim > 2:
            hint += " If these are images, flatten them first: add nn.Flatten() before the Linear."
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} "
                           f"and {in_f}x{out_f})" + hint)
    if bias is not None and bias.ndim >= 1 and bias.shape[-1] not in (1, out_f):
        raise RuntimeError(
            f"The expanded size of the tensor ({out_f}) must match the existing size "
            f"({bias.shape[-1]}) at non-singleton dimension {max(bias.ndim - 1, 1)}.  Target "
            f"sizes: [{rows}, {out_f}].  Tensor sizes: {list(bias.shape)}"
        )
    if bias is not None and input.dtype is D.bool:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


# ---------------------------------------------------------------------------------------------
# activations, dropout, one_hot, batch_norm, pad
# ---------------------------------------------------------------------------------------------


def gelu(input: Tensor, approximate: str) -> None:
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    require_float(input, "GeluKernelImpl")


def softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    """No ``dim`` given: PyTorch's deprecation warning and its guess (0 for 0/1/3-D, else 1)."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def dropout(input: Tensor, p: float, training: bool) -> bool:
    """Whether dropout has anything to do (p in [0, 1]; a float tensor when it does)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input.numel() == 0:
        return False
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type "
            f"{input.dtype.scalar_name}\n[glasstorch] dropout needs a floating-point tensor."
        )
    return True


def one_hot(tensor: Tensor, num_classes: int) -> int:
    """int64 class indices in [0, num_classes); returns num_classes (inferred when -1)."""
    if tensor.dtype is not D.int64:
        raise RuntimeError(
            "one_hot is only applicable to index tensor of type LongTensor.\n[glasstorch] got "
            f"{tensor.dtype}; convert the class indices with .long()."
        )
    idx = tensor._data
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size:
        if idx.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if idx.max() >= num_classes:
            raise RuntimeError(
                f"Class values must be smaller than num_classes.\n[glasstorch] the largest "
                f"class value is {int(idx.max())} and num_classes={num_classes}."
            )
    if num_classes < 0:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return num_classes


def batch_norm(input: Tensor, stats: dict, training: bool, eps: float) -> None:
    """More than one value per channel in training, a valid eps, one statistic per channel."""
    if training:
        shape = list(input.shape)
        if math.prod([shape[0], *shape[2:]]) == 1:
            raise ValueError("Expected more than 1 value per channel when training, got input "
                             f"size {size(shape)}")
        if eps <= 0.0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    channels = input.shape[1] if input.ndim > 1 else 1
    for name, stat in stats.items():
        if stat is not None and stat.numel() != channels:
            raise RuntimeError(
                f"{name} should contain {channels} elements not {stat.numel()}\n[glasstorch] "
                f"BatchNorm normalises dim 1 of its input, which has shape {list(input.shape)}:"
                f" build the layer with num_features={channels}."
            )


def pad(input: Tensor, pad: tuple, mode: str) -> None:
    """An even number of pads for at most ``input.ndim`` dimensions; PyTorch's mode rules."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension but got padding length "
                           f"{len(pad)} and input of dimension {input.ndim}")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode != "constant" and (len(pad) not in (2, 4, 6)
                               or input.ndim not in (len(pad) // 2 + 1, len(pad) // 2 + 2)):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    if mode == "reflect":
        for k in range(len(pad) // 2):
            d = input.ndim - 1 - k
            left, right = int(pad[2 * k]), int(pad[2 * k + 1])
            if left >= input.shape[d] or right >= input.shape[d]:
                raise RuntimeError(
                    f"Argument #4: Padding size should be less than the corresponding input "
                    f"dimension, but got: padding ({left}, {right}) at dimension {d} of input "
                    f"{list(input.shape)}")


# ---------------------------------------------------------------------------------------------
# embedding and layer_norm
# ---------------------------------------------------------------------------------------------


def _type_name(x) -> str:
    kind = type(x)
    if kind.__module__ == "builtins":
        return kind.__name__
    return f"{kind.__module__}.{kind.__qualname__}"


def argument(fn: str, name: str, position: int, x, want: str = "Tensor") -> None:
    """PyTorch's TypeError for a C++ function given a non-tensor where a tensor is expected."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be {want}, not "
                        f"{_type_name(x)}")


def int_tuple(fn: str, name: str, position: int, value) -> tuple:
    """A sequence of ints (a list, tuple or torch.Size) as a tuple, or PyTorch's TypeError."""
    if isinstance(value, (list, tuple)) and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        return tuple(int(v) for v in value)
    raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be tuple of ints, "
                    f"not {_type_name(value)}")


def padding_idx(padding_idx: int | None, weight: Tensor) -> int:
    """Embedding's padding_idx within [-rows, rows), made non-negative; -1 for none."""
    if padding_idx is None:
        return -1
    rows = weight.size(0)
    if padding_idx > 0 and padding_idx >= rows or padding_idx < 0 and padding_idx < -rows:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx + rows if padding_idx < 0 else padding_idx


def _index_dtype(indices: Tensor, number: int, op: str) -> None:
    if indices.dtype not in (D.int64, D.int32):
        raise RuntimeError(
            f"Expected tensor for argument #{number} 'indices' to have one of the following "
            f"scalar types: Long, Int; but got torch.{indices.dtype.scalar_name}Tensor instead "
            f"(while checking arguments for {op})\n[glasstorch] an embedding looks rows up by "
            f"index, so its input must hold integer ids (torch.long), got {indices.dtype} of "
            f"shape {list(indices.shape)}: use x.long() (or pass the token ids, not vectors)."
        )


def embedding_renorm(weight: Tensor, indices: Tensor) -> None:
    """F.embedding's max_norm: renormalising rows in place needs a float 2-D weight."""
    if weight.ndim != 2:
        raise RuntimeError(f"Expected 2-dimensional tensor, but got {weight.ndim}-dimensional "
                           "tensor for argument #1 'self' (while checking arguments for "
                           "embedding_renorm_)")
    _index_dtype(indices, 2, "embedding_renorm_")
    rows = weight.shape[0]
    idx = indices._data
    if idx.size and (idx.min() < -rows or idx.max() >= rows):
        bad = idx[(idx < -rows) | (idx >= rows)]
        raise IndexError(f"select(): index {int(bad.flat[0])} out of range for tensor of size "
                         f"{list(weight.shape)} at dimension 0")
    if not weight.dtype.is_floating_point:
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {weight.dtype.scalar_name} instead.")


def embedding(input: Tensor, weight: Tensor, padding_idx: int, sparse: bool) -> None:
    """torch.embedding: tensors, a 2-D weight, integer indices within its rows."""
    argument("embedding", "weight", 1, weight)
    argument("embedding", "indices", 2, input)
    if not isinstance(padding_idx, int) or isinstance(padding_idx, bool):
        raise TypeError("embedding(): argument 'padding_idx' (position 3) must be int, not "
                        f"{_type_name(padding_idx)}")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    _index_dtype(input, 1, "embedding")
    idx, rows = input._data, weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= rows):
        raise IndexError(
            f"index out of range in self\n[glasstorch] the indices range from {int(idx.min())} "
            f"to {int(idx.max())}, but the embedding has {rows} rows, so valid indices are 0 to "
            f"{rows - 1}: make num_embeddings larger than the largest index (e.g. the "
            "vocabulary size)."
        )
    if sparse:
        raise NotImplementedError(
            "[glasstorch] sparse gradients are not supported: glasstorch has dense tensors "
            "only. Use sparse=False (the default); the gradient is then a dense tensor with "
            "zeros in the rows that were not looked up, and every optimizer accepts it."
        )


def layer_norm(input: Tensor, normalized_shape: tuple, weight: Tensor | None,
               bias: Tensor | None) -> None:
    """F.layer_norm: the input ends with normalized_shape, the weight and bias have it, and
    the dtypes agree (PyTorch lets a float16 input take float32 parameters)."""
    shape = list(normalized_shape)
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and list(t.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {shape}"
            )
    ish = list(input.shape)
    if len(ish) < len(shape) or ish[len(ish) - len(shape):] != shape:
        star = ", ".join(["*", *map(str, shape)])
        raise RuntimeError(
            f"Given normalized_shape={shape}, expected input with shape [{star}], but got "
            f"input of size{ish}\n[glasstorch] LayerNorm normalises the last "
            f"{len(shape)} dimension(s) of its input, which must be {shape}; build the layer "
            f"with the size of the input's last dimension, e.g. "
            f"nn.LayerNorm({ish[-1] if ish else 1})."
        )
    params = [t for t in (weight, bias) if t is not None]
    if params and params[0].dtype is not input.dtype:  # PyTorch's "mixed dtype" kernel
        hint = (f"\n[glasstorch] the input is {input.dtype} but the weight/bias are "
                f"{', '.join(str(t.dtype) for t in params)}; convert one side (x.to(weight.dtype) "
                "or layer.to(x.dtype)). Only a float16 input may take float32 parameters.")
        if any(t.dtype is not D.float32 for t in params):
            raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float"
                               + hint)
        if input.dtype is not D.float16:
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype." + hint)
        return
    for t in params:
        if t.dtype is not input.dtype:
            raise RuntimeError(f"expected scalar type {input.dtype.scalar_name} but found "
                               f"{t.dtype.scalar_name}")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"LayerNormKernelImpl" not implemented for '
                                  f"'{input.dtype.scalar_name}'")


# ---------------------------------------------------------------------------------------------
# recurrent layers (the checks PyTorch makes in nn/modules/rnn.py and ATen's RNN.cpp)
# ---------------------------------------------------------------------------------------------


def rnn_init(mode: str, input_size, hidden_size, num_layers, bias, batch_first, dropout,
             proj_size) -> None:
    """RNNBase's constructor arguments, checked in PyTorch's order."""
    import numbers

    if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 \
            or isinstance(dropout, bool):
        raise ValueError("dropout should be a number in range [0, 1] representing the "
                         "probability of an element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                      "non-zero dropout expects num_layers greater than 1, but got "
                      f"dropout={dropout} and num_layers={num_layers}", stacklevel=4)
    for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} should be of type bool, got: {type(value).__name__}")
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(value, int):
            raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
        if value <= 0:
            raise ValueError(f"{name} must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


def rnn_input(name: str, input: Tensor, hx, is_lstm: bool) -> bool:
    """A 2-D (unbatched) or 3-D input and states of the matching rank; returns batched."""
    if input.dim() not in (2, 3):
        tensor = " tensor" if name == "RNN" else ""
        raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{tensor} "
                         "instead")
    batched = input.dim() == 3
    rank, kind = (3, "batched 3-D") if batched else (2, "unbatched 2-D")
    if hx is not None and is_lstm and (hx[0].dim() != rank or hx[1].dim() != rank):
        raise RuntimeError(f"For {kind} input, hx and cx should also be {rank}-D but got "
                           f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
    if hx is not None and not is_lstm and hx.dim() != rank:
        raise RuntimeError(f"For {kind} input, hx should also be {rank}-D but got "
                           f"{hx.dim()}-D tensor")
    return batched


def rnn_forward(module, input: Tensor, hx) -> None:
    """RNNBase.check_forward_args on the batched input and states: the weights' dtype, the
    feature size, and states of shape (num_layers * directions, batch, hidden)."""
    weight = module.weight_ih_l0
    layout = "(batch, seq, feature)" if module.batch_first else "(seq, batch, feature)"
    if input.dtype is not weight.dtype:
        raise ValueError(
            f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
            f"Convert input: input.to({weight.dtype}), or convert model: "
            f"model.to({input.dtype})"
        )
    if input.size(-1) != module.input_size:
        raise RuntimeError(
            f"input.size(-1) must be equal to input_size. Expected {module.input_size}, got "
            f"{input.size(-1)}\n[glasstorch] the input has shape {list(input.shape)}, read as "
            f"{layout} (batch_first={module.batch_first}), so each step has "
            f"{input.size(-1)} features; the layer was built for input_size="
            f"{module.input_size}."
        )
    directions = 2 if module.bidirectional else 1
    batch = input.size(0) if module.batch_first else input.size(1)
    out_size = module.proj_size if module.proj_size > 0 else module.hidden_size
    expected = (module.num_layers * directions, batch, out_size)
    hint = (f"\n[glasstorch] initial states have shape (num_layers * num_directions, batch, "
            f"hidden) = {expected}, whatever batch_first says; the batch is dim "
            f"{0 if module.batch_first else 1} of the input {list(input.shape)}.")
    if module.mode != "LSTM":
        if tuple(hx.shape) != expected:
            raise RuntimeError(f"Expected hidden size {expected}, got {list(hx.shape)}" + hint)
        return
    if tuple(hx[0].shape) != expected:
        raise RuntimeError(f"Expected hidden[0] size {expected}, got {list(hx[0].shape)}" + hint)
    cell = (expected[0], batch, module.hidden_size)
    if tuple(hx[1].shape) != cell:
        raise RuntimeError(f"Expected hidden[1] size {cell}, got {list(hx[1].shape)}" + hint)


_warned_once: dict[str, bool] = {}


def rnn_sequence(input: Tensor) -> None:
    """At least one time step (dim 0 of the time-major input)."""
    if input.shape[0] == 0:
        raise RuntimeError("Expected sequence length to be larger than 0 in RNN")


def lstm_fused(input: Tensor, proj_size: int, hx: tuple) -> bool:
    """Whether PyTorch runs this LSTM with its oneDNN kernel: float32, not empty, no
    projections (those warn and fall back to the composite)."""
    if input.dtype is not D.float32 or input.numel() == 0:
        return False
    if proj_size > 0:
        if not _warned_once.get("lstm_proj"):  # PyTorch's TORCH_WARN_ONCE: once a process
            _warned_once["lstm_proj"] = True
            warnings.warn("LSTM with projections is not supported with oneDNN. Using default "
                          "implementation.", stacklevel=5)
        return False
    for state in hx:
        if state.dtype is not D.float32:
            raise RuntimeError(
                "get_mkldnn_dtype: unsupported data type\n[glasstorch] the input is float32 "
                f"but an initial state is {state.dtype}: give h0 and c0 the input's dtype."
            )
    return True


def rnn_cell_input(name: str, input: Tensor, hx) -> bool:
    """A 1-D (unbatched) or 2-D input and states; returns batched."""
    if input.dim() not in (1, 2):
        raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
    if hx is not None:
        states = enumerate(hx) if name == "LSTMCell" else [(None, hx)]
        for i, h in states:
            if h.dim() not in (1, 2):
                what = "hidden" if i is None else f"hx[{i}]"
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {h.dim()}D "
                                 "instead")
    return input.dim() == 2


def rnn_cell_forward(module, input: Tensor, hx, n_states: int) -> None:
    """ATen's cell checks: two states for an LSTM cell, then the input's and each state's
    sizes against the cell's."""
    if n_states == 2 and len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    if input.size(1) != module.input_size:
        raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected "
                           f"{module.input_size}")
    for label, h in enumerate(hx if n_states == 2 else (hx,)):
        if input.size(0) != h.size(0):
            raise RuntimeError(
                f"Input batch size {input.size(0)} doesn't match hidden{label} batch size "
                f"{h.size(0)}"
            )
        if h.size(1) != module.hidden_size:
            raise RuntimeError(f"hidden{label} has inconsistent hidden_size: got {h.size(1)}, "
                               f"expected {module.hidden_size}")


# ---------------------------------------------------------------------------------------------
# attention: scaled_dot_product_attention and multi_head_attention_forward
# ---------------------------------------------------------------------------------------------


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None, dropout_p: float) -> None:
    """One dtype for q, k, v; at least 2-D; a bool mask or one of the query's dtype; sizes
    that fit (PyTorch's texts, from the matrix products that would fail)."""
    if not query.dtype is key.dtype is value.dtype:
        names = [_C_TYPE.get(t.dtype.scalar_name, t.dtype.scalar_name) for t in
                 (query, key, value)]
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{names[0]} key.dtype: {names[1]} and value.dtype: {names[2]} instead."
        )
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {query.ndim} key.dim: {key.ndim} and value.dim: {value.ndim} instead."
        )
    if attn_mask is not None and attn_mask.dtype is not D.bool \
            and attn_mask.dtype is not query.dtype:
        mask_name = _C_TYPE.get(attn_mask.dtype.scalar_name, attn_mask.dtype.scalar_name)
        q_name = _C_TYPE.get(query.dtype.scalar_name, query.dtype.scalar_name)
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {mask_name} and  query.dtype: {q_name} instead."
        )
    if query.ndim >= 3:  # the two batched matrix products' own checks
        batch = math.prod(query.shape[:-2])
        for want, got in ((query.size(-1), key.size(-1)), (key.size(-2), value.size(-2))):
            if want != got:
                raise RuntimeError(
                    "Expected size for first two dimensions of batch2 tensor to be: "
                    f"[{batch}, {want}] but got: [{batch}, {got}].\n[glasstorch] query "
                    f"{list(query.shape)}, key {list(key.shape)}, value {list(value.shape)}: "
                    "query and key need the same last size (features), key and value the "
                    "same next-to-last (sequence length)."
                )
    if attn_mask is not None:
        scores = (*broadcast_shape(tuple(query.shape[:-2]), tuple(key.shape[:-2])),
                  query.size(-2), key.size(-2))
        broadcast_shape(scores, tuple(attn_mask.shape))
    if dropout_p != 0.0 and not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")


def added_in_place(t: Tensor, other: Tensor) -> None:
    """``t += other`` keeps t's shape: other may not broadcast it to a larger one."""
    full = broadcast_shape(tuple(t.shape), tuple(other.shape))
    if full != tuple(t.shape):
        raise RuntimeError(f"output with shape {list(t.shape)} doesn't match the broadcast "
                           f"shape {list(full)}")


def sdpa_fused(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None,
               dropout_p: float) -> bool:
    """Whether PyTorch's CPU picks its fused (flash) kernel: 4-D q, k, v of one batch and
    head count and one feature size, unit last stride, nonempty sequences, no dropout, and no
    mask that needs a gradient."""
    return (query.ndim == key.ndim == value.ndim == 4 and dropout_p == 0.0
            and query.shape[:2] == key.shape[:2] == value.shape[:2]
            and query.size(-1) == key.size(-1) == value.size(-1)
            and key.size(-2) == value.size(-2)
            and query.size(-2) > 0 and key.size(-2) > 0
            and all(t.stride(-1) == 1 or t.size(-1) == 1 for t in (query, key, value))
            and query.dtype.is_floating_point
            and not (attn_mask is not None and attn_mask.requires_grad and _grad_state.enabled))


def sdpa_causal_mask(attn_mask: Tensor | None) -> None:
    if attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")


def attention_mask_dtype(mask: Tensor, name: str, other_type, other_name: str,
                         check_other: bool) -> None:
    """Masks are bool or float; a key padding mask of another type than the attention mask
    warns."""
    if mask.dtype is not D.bool and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if check_other and other_type is not None and mask.dtype is not other_type:
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same "
                      "type for both instead.", stacklevel=4)


def mha_shapes(query: Tensor, key: Tensor, value: Tensor, key_padding_mask, attn_mask,
               num_heads: int) -> bool:
    """Batched (3-D) or unbatched (2-D) query, key, value and masks that agree; returns
    batched."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D"
                                 f" but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 2-D but found {key_padding_mask.dim()}-D tensor "
                                 "instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, "
                                 f"2-D or 3-D but found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be "
                                 f"2-D but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to "
                                 f"be `None` or 1-D but found {key_padding_mask.dim()}-D tensor "
                                 "instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     f"`None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor "
                                     "instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                     f"{attn_mask.shape}")
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def mha_causal(is_causal: bool, attn_mask) -> None:
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")


def mha_dims(embed_dim: int, expected: int, num_heads: int, key: Tensor, value: Tensor,
             separate: bool) -> int:
    """The query's embedding size is the layer's and splits into heads; key and value agree.
    Returns the size of a head."""
    if embed_dim != expected:
        raise AssertionError(f"was expecting embedding dimension of {expected}, but got "
                             f"{embed_dim}\n[glasstorch] the query's last dimension (with "
                             "batch_first=False the layout is (seq, batch, embed)) must be the "
                             "layer's embed_dim.")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if separate:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    return head_dim


def mha_weight(message: str, weight) -> None:
    if weight is None:
        raise AssertionError(message)


def mha_attn_mask(attn_mask: Tensor, tgt_len: int, src_len: int, heads_batch: int) -> None:
    if attn_mask.dim() == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should "
                               f"be {(tgt_len, src_len)}.")
    elif attn_mask.dim() == 3:
        if tuple(attn_mask.shape) != (heads_batch, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should "
                               f"be {(heads_batch, tgt_len, src_len)}.")
    else:
        raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")


def mha_static(static_k, static_v) -> None:
    if static_k is not None:
        raise AssertionError("bias cannot be added to static key.")
    if static_v is not None:
        raise AssertionError("bias cannot be added to static value.")


def mha_bias_kv(bias_k, bias_v) -> None:
    if bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    if bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")


def mha_static_shape(name: str, static: Tensor, heads_batch: int, head_dim: int) -> None:
    if static.size(0) != heads_batch:
        raise AssertionError(f"expecting static_{name}.size(0) of {heads_batch}, but got "
                             f"{static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting static_{name}.size(2) of {head_dim}, but got "
                             f"{static.size(2)}")


def mha_key_padding_mask(mask: Tensor, src_len: int, bsz: int) -> None:
    if mask.shape[0] != bsz:
        raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                             f"{mask.shape[0]}")
    if mask.shape[1] != src_len:
        raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                             f"{mask.shape[1]}")


# ---------------------------------------------------------------------------------------------
# losses that compare input and target elementwise (and the loss modules' legacy flags)
# ---------------------------------------------------------------------------------------------


def loss_flags(loss: str, size_average, reduce) -> None:
    """A loss module's legacy flags are not tensors (``nn.MSELoss(output, target)``)."""
    for arg in (size_average, reduce):
        if isinstance(arg, Tensor) and arg.numel() > 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous\n"
                f"[glasstorch] {loss}(...) was given tensors: a loss is made first and called "
                f"after: loss_fn = nn.{loss}(); loss = loss_fn(output, target)."
            )


def size_warning(input: Tensor, target: Tensor) -> None:
    """PyTorch's warning for a target whose shape differs from the input's (it broadcasts)."""
    if target.shape != input.shape:
        hint = ""
        try:
            full = broadcast_shape(tuple(input.shape), tuple(target.shape))
        except RuntimeError:
            full = None
        if full is not None and full != tuple(input.shape):
            hint = (f"\n[glasstorch] input {list(input.shape)} and target "
                    f"{list(target.shape)} broadcast to {list(full)}, so every prediction is "
                    "compared with every target; make the shapes equal, e.g. "
                    "output.squeeze(1) or target.view(-1, 1).")
        warnings.warn(
            f"Using a target size ({size(target.shape)}) that is different to the input size "
            f"({size(input.shape)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size." + hint,
            stacklevel=3,
        )


def regression(input: Tensor, target: Tensor, kernel: str,
               dtype: D.dtype | None = None) -> D.dtype:
    """The floating dtype input and target are computed in; their shapes must broadcast."""
    rt = D.result_type(input, target) if dtype is None else dtype
    if not rt.is_floating_point:
        raise NotImplementedError(
            f'"{kernel}" not implemented for \'{rt.scalar_name}\'\n[glasstorch] losses need '
            "floating-point tensors; convert with .float()."
        )
    broadcast_shape(tuple(input.shape), tuple(target.shape))
    return rt


def elementwise_weight(weight: Tensor, input: Tensor) -> None:
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")


def smooth_l1(beta: float) -> None:
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")


def huber(delta: float) -> None:
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")


# ---------------------------------------------------------------------------------------------
# classification: nll_loss and cross_entropy
# ---------------------------------------------------------------------------------------------


def class_index_loss(input: Tensor, target: Tensor, weight: Tensor | None) -> None:
    """PyTorch's shape, dtype and weight checks for class-index targets (NLL and CE)."""
    ish, tsh = list(input.shape), list(target.shape)
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if input.ndim != 1 and (target.ndim == 0 or ish[0] != tsh[0]):
        tb = tsh[0] if target.ndim else 1
        raise ValueError(
            f"Expected input batch_size ({ish[0]}) to match target batch_size ({tb}).\n"
            f"[glasstorch] input shape {ish}, target shape {tsh}: both must hold the same "
            "number of samples (dimension 0)."
        )
    if input.ndim <= 2:
        if target.ndim > 1:
            raise RuntimeError(
                "0D or 1D target tensor expected, multi-target not supported\n[glasstorch] "
                f"target has shape {tsh}. Class indices must be int64 of shape "
                f"({ish[0] if input.ndim == 2 else ''}{',' if input.ndim == 2 else ''}): use "
                + ("target.squeeze(1) or target.view(-1)" if target.ndim != 2 or tsh[1] == 1
                   else f"target.argmax(1) if it is one-hot ({tsh[1]} columns, while the input "
                        f"has {ish[-1] if input.ndim else 1} classes)")
                + "; for class probabilities pass a float target of the input's shape "
                f"{ish}."
            )
        if input.ndim == 1 and target.ndim == 1 and tsh[0] != 1:
            raise ValueError("For 1D input, 1D target must have size 1, but got target size: "
                             f"{tsh[0]}")
    elif input.ndim == 4:
        if target.ndim != 3:
            raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                               f"targets of dimension: {target.ndim}")
        if tsh[1:] != ish[2:]:
            raise RuntimeError(f"size mismatch (got input: {ish} , target: {tsh}")
    elif tsh[1:] != ish[2:]:
        raise RuntimeError(f"Expected target size {[ish[0], *ish[2:]]}, got {tsh}")
    C = ish[1] if input.ndim >= 2 else ish[0]
    if weight is not None and (weight.ndim != 1 or weight.numel() != C):
        raise RuntimeError(
            f"weight tensor should be defined either for all {C} classes or no classes but got "
            f"weight tensor of shape: {list(weight.shape)}"
        )
    if target.dtype not in (D.int64, D.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {target.dtype.scalar_name}\n"
            f"[glasstorch] target is {target.dtype} (shape {tsh}) but class-index targets "
            f"must be integers (torch.int64): use target.long(). (For class probabilities, "
            f"the target must be float with the input's shape {ish}.)"
        )
    if weight is not None and weight.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype.scalar_name} but found "
                           f"{weight.dtype.scalar_name}")
    no_grad_for("nll_loss_forward", "weight", weight)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None) -> None:
    class_index_loss(input, target, weight)
    require_float(input, "nll_loss_out_frame")


def class_indices(t: np.ndarray, C: int, ignore_index: int) -> bool:
    """Called by the NLL node on the target's data: whether every target is a valid class (the
    fast case); raises PyTorch's IndexError for one out of range that is not ignored."""
    if t.size and not 0 <= ignore_index < C and t.min() >= 0 and t.max() < C:
        return True
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= C))
    if bad.any():
        first = int(t[bad].flat[0])
        raise IndexError(
            f"Target {first} is out of bounds.\n[glasstorch] the input has C={C} classes, so "
            f"class indices must be in [0, {C}) (or equal ignore_index={ignore_index}); "
            "check the number of outputs of the last layer."
        )
    return False


def label_smoothing(value: float) -> None:
    if value > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {value}")


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int,
                  label_smoothing_: float) -> bool:
    """PyTorch's checks for either kind of target; returns whether the target holds class
    probabilities (it has the input's shape) rather than class indices."""
    if input.ndim >= 1 and not input.dtype.is_floating_point:
        err = not_implemented("log_softmax_lastdim_kernel_impl", input)
        if target.dtype.is_floating_point and target.ndim == input.ndim + 1:
            err = NotImplementedError(
                str(err).split("\n")[0] + f"\n[glasstorch] the arguments look swapped: input is "
                f"{input.dtype} of shape {list(input.shape)} and target is {target.dtype} of "
                f"shape {list(target.shape)}. The order is cross_entropy(scores (N, C), "
                "class_indices (N,)), e.g. loss_fn(model(x), y)."
            )
        raise err
    if input.shape == target.shape:
        class_probabilities(input, target, weight, ignore_index, label_smoothing_)
        return True
    label_smoothing(label_smoothing_)
    class_index_loss(input, target, weight)
    if label_smoothing_ > 0.0 and input.ndim == 1 and target.ndim == 1:
        # (PyTorch's masked_fill_ of the 0-d smoothing term with a [1] mask)
        raise RuntimeError("output with shape [] doesn't match the broadcast shape [1]")
    return False


def class_probabilities(input: Tensor, target: Tensor, weight: Tensor | None,
                        ignore_index: int, label_smoothing_: float) -> None:
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{target.dtype.scalar_name}\n[glasstorch] target has the input's shape "
            f"{list(input.shape)}, so it is read as class probabilities. For class indices "
            "pass an int64 target without the class dimension (e.g. target.argmax(1))."
        )
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    label_smoothing(label_smoothing_)
    C = input.shape[1] if input.ndim >= 2 else input.shape[0]
    if weight is not None and (weight.ndim != 1 or weight.numel() != C):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {C} classes or no "
            f"classes but got weight tensor of shape: {list(weight.shape)}"
        )


# ---------------------------------------------------------------------------------------------
# binary losses
# ---------------------------------------------------------------------------------------------


def _expand_weight(weight: Tensor, shape: tuple) -> None:
    """PyTorch's broadcast check for BCE's weight (it must expand to the target's shape)."""
    ws = tuple(weight.shape)
    if len(ws) > len(shape):
        raise RuntimeError(f"weight has more dimensions ({len(ws)}) than the target {list(shape)}")
    for i in range(1, len(ws) + 1):
        if ws[-i] != 1 and ws[-i] != shape[-i]:
            raise RuntimeError(
                f"Attempting to broadcast a dimension of length {ws[-i]} at -{i}! Mismatching "
                f"argument at index 1 had {size(ws)}; but expected shape should be "
                f"broadcastable to {list(shape)}"
            )


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None) -> None:
    """Equal shapes and dtypes, probabilities in [0, 1], a weight that expands to them."""
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({size(target.shape)}) that is different to the input size "
            f"({size(input.shape)}) is deprecated. Please ensure they have the same size.\n"
            f"[glasstorch] reshape one of them, e.g. target.view({list(input.shape)}) or "
            "output.squeeze(1)."
        )
    if weight is not None:
        _expand_weight(weight, tuple(target.shape))
    require_float(input, "binary_cross_entropy")
    if target.dtype is not input.dtype:
        raise RuntimeError(
            f"Found dtype {target.dtype.scalar_name} but expected {input.dtype.scalar_name}\n"
            f"[glasstorch] the target is {target.dtype} but the input is {input.dtype}; they "
            f"must match: use target.{'float()' if input.dtype is D.float32 else 'to(input.dtype)'}"
            "."
        )
    x, y = input._data, target._data
    if not np.all((x >= 0) & (x <= 1)):
        finite = x[~np.isnan(x)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (np.nan, np.nan)
        raise RuntimeError(
            "all elements of input should be between 0 and 1\n[glasstorch] the input ranges "
            f"from {lo:g} to {hi:g}, but BCELoss expects "
            "probabilities; for raw scores (logits) use BCEWithLogitsLoss, or apply sigmoid first."
        )
    if not np.all((y >= 0) & (y <= 1)):
        raise RuntimeError("all elements of target should be between 0 and 1")
    no_grad_for("binary_cross_entropy", "weight", weight)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None,
                                     pos_weight: Tensor | None) -> None:
    """Equal shapes, a float target, weights that broadcast and do not require grad."""
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({size(target.shape)}) must be the same as input size "
            f"({size(input.shape)})\n[glasstorch] reshape one of them, e.g. "
            f"target.view({list(input.shape)}) or output.squeeze(1)."
        )
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type "
            f"{target.dtype.scalar_name}\n[glasstorch] the target must be float: use "
            "target.float()."
        )
    shape = tuple(input.shape)
    if pos_weight is not None:
        broadcast_shape(tuple(pos_weight.shape), shape)
    if weight is not None:
        broadcast_shape(shape, tuple(weight.shape))
    require_float(input, "binary_cross_entropy_with_logits")
    no_grad_for("binary_cross_entropy_with_logits", "weight", weight)
    no_grad_for("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
