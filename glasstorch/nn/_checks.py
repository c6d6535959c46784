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

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from .._warnings import warn
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
    warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
         "include dim=X as an argument.")
    return 0 if ndim in (0, 1, 3) else 1


def dropout(input: Tensor, p: float, training: bool, feature: bool = False) -> bool:
    """Whether dropout has anything to do (p in [0, 1]); PyTorch multiplies by a zero for
    p == 1 and otherwise draws a mask of the input's dtype, so only floats may be dropped
    partly. Feature (channel) dropout needs a channel dimension."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input.numel() == 0:
        return False
    if p == 1:
        return True
    if feature and input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type "
            f"{input.dtype.scalar_name}\n[glasstorch] dropout needs a floating-point tensor."
        )
    return True


def dropout1d(input: Tensor, p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )


def dropout2d(input: Tensor, p: float) -> None:
    """PyTorch's range check and its two warnings about the input's dimensions."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (3, 4):
        warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).")
    if input.ndim == 3:
        warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.")


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
        warn("dropout option adds dropout after all but last recurrent layer, so "
             "non-zero dropout expects num_layers greater than 1, but got "
             f"dropout={dropout} and num_layers={num_layers}")
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
            warn("LSTM with projections is not supported with oneDNN. Using default "
                 "implementation.")
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
        warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same "
             "type for both instead.")


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
        warn(
            f"Using a target size ({size(target.shape)}) that is different to the input size "
            f"({size(input.shape)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size." + hint,
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


# ---------------------------------------------------------------------------------------------
# convolution
# ---------------------------------------------------------------------------------------------


def _type_name(value) -> str:
    """A value's type as PyTorch's argument parser prints it (numpy.ndarray, Parameter, int)."""
    kind = type(value)
    if isinstance(value, Tensor) or kind.__module__ == "builtins":
        return kind.__name__
    return f"{kind.__module__}.{kind.__qualname__}"


def _is_ints(value) -> bool:
    items = value if isinstance(value, (tuple, list)) else (value,)
    return all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items)


def _ints(value, n: int = 1) -> tuple:
    """A sequence as a tuple of ints; a single int repeated ``n`` times (PyTorch's argument
    parser turns stride=1 into [1, 1] for conv2d)."""
    if isinstance(value, (tuple, list)):
        return tuple(int(v) for v in value)
    return (int(value),) * n


def _expand(value: tuple, name: str, dim: int, same_mode: bool = False) -> tuple:
    """A single value stands for every spatial dimension; otherwise one per dimension."""
    if len(value) == 1:
        return value * dim
    if len(value) != dim:
        if same_mode:
            raise RuntimeError(f"{name} cannot broadcast to {dim} dimensions")
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {dim} values to match "
            f"the convolution dimensions, but got {name}={list(value)}"
        )
    return value


def conv(fn: str, nd: int, input: Tensor, weight: Tensor, bias: Tensor | None, stride,
         padding, dilation, groups: int) -> tuple:
    """F.conv1d / conv2d: PyTorch's checks in its order; returns (stride, padding, dilation)
    as tuples of ints per spatial dimension, padding 'same' or 'valid' still a string."""
    args = (input, weight, bias, stride, padding, dilation, groups)
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor)
            and (bias is None or isinstance(bias, Tensor)) and _is_ints(stride)
            and (isinstance(padding, str) or _is_ints(padding)) and _is_ints(dilation)
            and _is_ints(groups) and not isinstance(groups, (tuple, list))):
        raise TypeError(
            f"{fn}() received an invalid combination of arguments - got "
            f"({', '.join(_type_name(a) for a in args)}), but expected one of:\n"
            f" * (Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, "
            f"tuple of ints padding = 0, tuple of ints dilation = 1, int groups = 1)\n"
            f" * (Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, "
            f'str padding = "valid", tuple of ints dilation = 1, int groups = 1)\n'
            f"[glasstorch] input and weight must be tensors (convert data first, e.g. "
            f"torch.from_numpy(x).float()); stride, padding and dilation ints or tuples of "
            f"ints (padding may also be 'same' or 'valid'); groups an int."
        )
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = _ints(padding, nd)
    stride, dilation = _ints(stride, nd), _ints(dilation, nd)
    if bias is not None and bias.dtype is not input.dtype:
        raise RuntimeError(
            f"Input type ({_C_TYPE[input.dtype.scalar_name]}) and bias type "
            f"({_C_TYPE[bias.dtype.scalar_name]}) should be the same" + _dtype_hint(input, bias)
        )
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fn}, but got "
            f"input of size: {list(input.shape)}" + _conv_input_hint(nd, input)
        )
    if weight.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    dim = weight.ndim - 2
    if padding == "same":
        stride = _expand(stride, "stride", dim, same_mode=True)
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        dilation = _expand(dilation, "dilation", dim, same_mode=True)
    else:
        stride = _expand(stride, "stride", dim)
        padding = _expand((0,) if padding == "valid" else padding, "padding", dim)
        dilation = _expand(dilation, "dilation", dim)
    if padding != "same" and any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    _conv_shapes(input if input.ndim == nd + 2 else input.unsqueeze(0), weight, bias,
                 padding, dilation, groups)
    if input.numel() and weight.dtype is not input.dtype:
        hint = _dtype_hint(input, weight)
        if input.dtype in (D.float32, D.float16):
            raise RuntimeError(
                f"Input type (torch.{input.dtype.scalar_name}Tensor) and weight type "
                f"(torch.{weight.dtype.scalar_name}Tensor) should be the same or input should "
                "be a MKLDNN tensor and weight is a dense tensor" + hint)
        raise RuntimeError(f"expected scalar type {input.dtype.scalar_name} but found "
                           f"{weight.dtype.scalar_name}" + hint)
    if any(d != 1 for d in dilation) and input.dtype not in (D.float32, D.float64, D.float16,
                                                              D.int64):
        raise NotImplementedError(
            f"\"slow_conv_dilated<>\" not implemented for '{input.dtype.scalar_name}'")
    if input.dtype is D.bool:
        raise NotImplementedError("\"slow_conv2d_cpu\" not implemented for 'Bool'")
    return stride, padding, dilation


def _dtype_hint(input: Tensor, param: Tensor) -> str:
    return (f"\n[glasstorch] the input is {input.dtype} but the layer's parameters are "
            f"{param.dtype}" + ("; NumPy arrays are float64 by default while layers are "
                                "float32: convert the input with .float()."
                                if input.dtype is D.float64 and param.dtype is D.float32 else
                                f"; convert the input, e.g. input.to({param.dtype})."))


def _conv_input_hint(nd: int, input: Tensor) -> str:
    layout = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
    one = "(C, L)" if nd == 1 else "(C, H, W)"
    hint = (f"\n[glasstorch] conv{nd}d takes a batch shaped {layout} (or one sample {one}); "
            f"got {input.ndim} dimensions.")
    if input.ndim == nd:
        hint += " For a batch of single-channel inputs add the channel dimension: x.unsqueeze(1)."
    elif input.ndim == 2 and nd == 2:
        hint += (" If the rows are flattened images, reshape them first, e.g. "
                 "x.view(-1, 1, 28, 28) for 28x28 grey images.")
    return hint


def _conv_shapes(input: Tensor, weight: Tensor, bias: Tensor | None, padding, dilation,
                 groups: int) -> None:
    """Convolution.cpp's check_shape_forward (input already batched)."""
    ws, xs = list(weight.shape), list(input.shape)
    if weight.ndim != input.ndim:
        raise RuntimeError(
            f"Expected {weight.ndim}-dimensional input for {weight.ndim}-dimensional weight "
            f"{ws}, but got {input.ndim}-dimensional input of size {xs} instead")
    if ws[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {ws} instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{ws}] instead")
    if xs[1] != ws[1] * groups:
        hint = (f"\n[glasstorch] the layer expects {ws[1] * groups} input channels (dim 1) but "
                f"the input, of shape {xs}, has {xs[1]}.")
        if xs[-1] == ws[1] * groups:
            hint += (" The channels seem to be last (N, H, W, C): PyTorch wants them first, "
                     "x.permute(0, 3, 1, 2)." if input.ndim == 4 else
                     " The channels seem to be last: PyTorch wants them first, "
                     "x.transpose(1, 2).")
        else:
            hint += (f" Build the layer with in_channels={xs[1]}, or check the previous "
                     "layer's out_channels.")
        raise RuntimeError(f"Given groups={groups}, weight of size {ws}, expected input{xs} to "
                           f"have {ws[1] * groups} channels, but got {xs[1]} channels instead"
                           + hint)
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != ws[0]):
        raise RuntimeError(f"Given weight of size {ws}, expected bias to be 1-dimensional with "
                           f"{ws[0]} elements, but got bias of size {list(bias.shape)} instead")
    if padding == "same":
        return
    padded = [n + 2 * p for n, p in zip(xs[2:], padding)]
    reach = [d * (k - 1) + 1 for k, d in zip(ws[2:], dilation)]
    if any(n < r for n, r in zip(padded, reach)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, reach))}). Kernel size can't be greater than "
            f"actual input size\n[glasstorch] the input's spatial size {xs[2:]} (padding "
            f"{list(padding)} on each side) is smaller than the kernel's reach. The images "
            "shrank too much in the layers before: use padding, a smaller kernel or fewer "
            "pooling layers."
        )


_same_warned = False


def same_padding_warning() -> None:
    """PyTorch warns once per process when 'same' needs an uneven (extra right) zero pad."""
    global _same_warned
    if not _same_warned:
        _same_warned = True
        warn("Using padding='same' with even kernel lengths and odd dilation may "
             "require a zero-padded copy of the input be created")


def conv_module(in_channels: int, out_channels: int, stride: tuple, padding, groups: int,
                padding_mode: str) -> None:
    """nn.Conv1d / Conv2d's constructor arguments."""
    if groups <= 0:
        raise ValueError("groups must be a positive integer")
    if in_channels % groups != 0:
        raise ValueError("in_channels must be divisible by groups")
    if out_channels % groups != 0:
        raise ValueError("out_channels must be divisible by groups")
    valid_padding_strings = {"same", "valid"}
    if isinstance(padding, str):
        if padding not in valid_padding_strings:
            raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                             f"{valid_padding_strings}")
        if padding == "same" and any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
    valid_padding_modes = {"zeros", "reflect", "replicate", "circular"}
    if padding_mode not in valid_padding_modes:
        raise ValueError(f"padding_mode must be one of {valid_padding_modes}, but got "
                         f"padding_mode='{padding_mode}'")


# ---------------------------------------------------------------------------------------------
# pooling
# ---------------------------------------------------------------------------------------------


def _ctrunc(a: int, b: int) -> int:
    """C++ integer division (rounds towards zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _tensor_arg(fn: str, input) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{fn}(): argument 'input' (position 1) must be Tensor, not {_type_name(input)}\n"
            "[glasstorch] layers take tensors: convert the data first, e.g. "
            "torch.from_numpy(x).float()."
        )


def _pair_arg(fn: str, name: str, value, text: str) -> tuple:
    """kernel_size / stride / padding / dilation of a 2-d pooling: one int or two."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in items):
        raise TypeError(f"{fn}(): argument '{name}' must be tuple of ints, not "
                        f"{_type_name(value)}")
    if len(items) not in (1, 2):
        raise RuntimeError(f"{fn}: {name} {text}")
    return tuple(int(v) for v in items) * (3 - len(items))


def _pool_output_size(n: int, k: int, p: int, s: int, d: int, ceil_mode: bool) -> int:
    """Pool.h's pooling_output_shape with its three checks."""
    if s == 0:
        raise RuntimeError("stride should not be zero")
    if p < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
    if p > _ctrunc((k - 1) * d + 1, 2):
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                           f"pad={p}, kernel_size={k} and dilation={d}")
    out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1  # the last window must start inside the (left-padded) input
    return out


def _pool2d_shapes(input: Tensor, kernel, stride, padding, dilation, out) -> None:
    """Pool.h's pool2d_shape_check."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    if kh <= 0 or kw <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kh} kW: {kw}")
    if sh <= 0 or sw <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {sh} dW: {sw}")
    if dh <= 0 or dw <= 0:
        raise RuntimeError("dilation should be greater than zero, but got dilationH: "
                           f"{dh} dilationW: {dw}")
    s = input.shape
    if not ((input.ndim == 3 and 0 not in s) or (input.ndim == 4 and 0 not in s[1:])):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got:{list(s)}")
    if _ctrunc(kw, 2) < pw or _ctrunc(kh, 2) < ph:
        raise RuntimeError("pad should be smaller than or equal to half of kernel size, but got "
                           f"padW = {pw}, padH = {ph}, kW = {kw}, kH = {kh}")
    if out[0] < 1 or out[1] < 1:
        raise RuntimeError(
            f"Given input size: ({s[-3]}x{s[-2]}x{s[-1]}). Calculated output size: "
            f"({s[-3]}x{out[0]}x{out[1]}). Output size is too small\n[glasstorch] the "
            f"{s[-2]}x{s[-1]} feature maps are smaller than the pooling window: earlier "
            "layers shrank them too much (use padding in the convolutions, or pool less)."
        )


def max_pool2d(fn: str, input: Tensor, kernel_size, stride, padding, dilation,
               ceil_mode: bool) -> tuple:
    """F.max_pool2d: returns (kernel, stride, padding, dilation, output size), pairs of ints."""
    _tensor_arg(fn, input)
    kernel = _pair_arg("max_pool2d", "kernel_size", kernel_size,
                       "must either be a single int, or a tuple of two ints")
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and not stride) \
        else _pair_arg("max_pool2d", "stride", stride,
                       "must either be omitted, a single int, or a tuple of two ints")
    padding = _pair_arg("max_pool2d", "padding", padding,
                        "must either be a single int, or a tuple of two ints")
    dilation = _pair_arg("max_pool2d", "dilation", dilation,
                         "must be either a single int, or a tuple of two ints")
    if input.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input"
                           + _pool_input_hint(input))
    out = tuple(_pool_output_size(n, k, p, s, d, ceil_mode) for n, k, p, s, d in
                zip(input.shape[-2:], kernel, padding, stride, dilation))
    _pool2d_shapes(input, kernel, stride, padding, dilation, out)
    if input.dtype is D.bool:
        raise NotImplementedError("\"max_pool2d\" not implemented for 'Bool'")
    return kernel, stride, padding, dilation, out


def _pool_input_hint(input: Tensor) -> str:
    hint = (f"\n[glasstorch] 2-d pooling takes (N, C, H, W) or (C, H, W); got shape "
            f"{list(input.shape)}.")
    if input.ndim == 2:
        hint += (" Pool before flattening: put nn.Flatten() after the last pooling layer.")
    return hint


def avg_pool2d(input: Tensor, kernel_size, stride, padding, ceil_mode: bool,
               divisor_override) -> tuple:
    """F.avg_pool2d: returns (kernel, stride, padding, output size), pairs of ints."""
    _tensor_arg("avg_pool2d", input)
    kernel = _pair_arg("avg_pool2d", "kernel_size", kernel_size,
                       "must either be a single int, or a tuple of two ints")
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and not stride) \
        else _pair_arg("avg_pool2d", "stride", stride,
                       "must either be omitted, a single int, or a tuple of two ints")
    padding = _pair_arg("avg_pool2d", "padding", padding,
                        "must either be a single int, or a tuple of two ints")
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(divisor_override,
                                                                (int, np.integer)):
            raise TypeError("avg_pool2d(): argument 'divisor_override' must be int, not "
                            f"{_type_name(divisor_override)}")
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
    if input.ndim < 3:
        n = max(input.ndim, 1)
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         "but got -3)" + _pool_input_hint(input))
    out = tuple(_pool_output_size(n, k, p, s, 1, ceil_mode) for n, k, p, s in
                zip(input.shape[-2:], kernel, padding, stride))
    _pool2d_shapes(input, kernel, stride, padding, (1, 1), out)
    if input.dtype not in (D.float32, D.float64, D.float16, D.int64):
        raise NotImplementedError(f"\"avg_pool2d\" not implemented for "
                                  f"'{input.dtype.scalar_name}'")
    return kernel, stride, padding, out


def _one(fn: str, name: str, value) -> int:
    """An argument of a 1-d op that must hold one int (Pooling.cpp's check1d)."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in items):
        raise TypeError(f"{fn}(): argument '{name}' must be tuple of ints, not "
                        f"{_type_name(value)}")
    if len(items) != 1:
        raise RuntimeError(f"{fn}() argument '{name}' should contain one int (got {len(items)})")
    return int(items[0])


def _dims_2_to_3(fn: str, input: Tensor) -> None:
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor "
                           f"for argument #1 'self' (while checking arguments for {fn})")


def pool1d(fn: str, input: Tensor, kernel_size, stride, padding, dilation=1) -> tuple:
    """F.avg_pool1d and max_pool1d(return_indices=True): one int each; the 2-d op they run on
    an (N, C, 1, L) view checks the rest. Returns (kernel, stride, padding, dilation)."""
    _tensor_arg(fn if fn == "avg_pool1d" else "max_pool1d_with_indices", input)
    if stride is None or (isinstance(stride, (tuple, list)) and not stride):
        stride = kernel_size
    _dims_2_to_3(fn, input)
    return tuple(_one(fn, name, v) for name, v in (("kernel_size", kernel_size),
                                                     ("stride", stride), ("padding", padding),
                                                     ("dilation", dilation)))


def max_pool1d(input: Tensor, kernel_size, stride, padding, dilation, ceil_mode: bool) -> tuple:
    """F.max_pool1d without indices (MaxPooling.cpp's check_max_pool1d)."""
    _tensor_arg("max_pool1d", input)
    if input.ndim not in (2, 3) or 0 in input.shape[-2:]:
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{list(input.shape)}")
    args = {}
    for name, value, text in (
            ("kernel_size", kernel_size, "must be an int, list of ints or tuple of ints"),
            ("stride", stride, "must be None, an int, list of ints, or tuple of ints"),
            ("padding", padding, "must be an int, list of ints, or tuple of ints"),
            ("dilation", dilation, "must be an int, list of ints or tuple of ints")):
        items = tuple(value) if isinstance(value, (tuple, list)) else (
            () if value is None else (value,))
        if any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in items):
            raise TypeError(f"max_pool1d(): argument '{name}' must be tuple of ints, not "
                            f"{_type_name(value)}")
        if len(items) != 1 and not (name == "stride" and not items):
            raise RuntimeError(f"max_pool1d() {name} {text} of size 1 but got size {len(items)}")
        args[name] = int(items[0]) if items else None
    k, p, d = args["kernel_size"], args["padding"], args["dilation"]
    s = k if args["stride"] is None else args["stride"]
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError("max_pool1d() padding should be at most half of kernel size, but got "
                           f"padding={p} and kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    out = _pool_output_size(input.shape[-1], k, p, s, d, ceil_mode)
    if out <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    if not input.dtype.is_floating_point:  # only the gradient-free kernel is called for these
        raise NotImplementedError(
            f"\"max_pool1d_impl\" not implemented for '{input.dtype.scalar_name}'")
    return k, s, p, d


def adaptive_output_size(input: Tensor, output_size, nd: int) -> tuple:
    """F.adaptive_avg_pool2d's Python part: None keeps that input size."""
    _tensor_arg(f"adaptive_avg_pool{nd}d", input)
    if isinstance(output_size, (int, np.integer)) and not isinstance(output_size, bool):
        return (int(output_size),) * nd
    if not isinstance(output_size, (tuple, list)):
        raise TypeError(f"object of type '{type(output_size).__name__}' has no len()")
    if input.ndim <= len(output_size):
        raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
    sizes = input.shape[-len(output_size):]
    out = tuple(n if o is None else o for o, n in zip(output_size, sizes))
    for i, o in enumerate(out):
        if isinstance(o, bool) or not isinstance(o, (int, np.integer)):
            raise TypeError(f"adaptive_avg_pool2d(): argument 'output_size' (position 2) must be "
                            f"tuple of ints, but found element of type {type(o).__name__} at "
                            f"pos {i}")
    return tuple(int(o) for o in out)


def adaptive_avg_pool2d(input: Tensor, out: tuple) -> None:
    """AdaptiveAveragePooling.cpp's checks (the 1x1 case is a mean and checks nothing more)."""
    if len(out) != 2:
        raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
    if out[0] < 0 or out[1] < 0:
        raise RuntimeError("adaptive_avg_pool2d: elements of output_size must be greater than or "
                           f"equal to 0 but received {{{out[0]}, {out[1]}}}")
    if out == (1, 1):
        return
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{list(input.shape)}" + _pool_input_hint(input))
    for i in range(input.ndim - 2, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(
                "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {i} being "
                "empty")
    require_float(input, "adaptive_avg_pool2d")


def adaptive_avg_pool1d(input: Tensor, output_size) -> int:
    _tensor_arg("adaptive_avg_pool1d", input)
    if output_size is None or isinstance(output_size, float):
        raise TypeError("adaptive_avg_pool1d(): argument 'output_size' (position 2) must be "
                        f"tuple of ints, not {_type_name(output_size)}")
    _dims_2_to_3("adaptive_avg_pool1d", input)
    return _one("adaptive_avg_pool1d", "output_size", output_size)


# ---------------------------------------------------------------------------------------------
# interpolate
# ---------------------------------------------------------------------------------------------

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5}


def interpolate(input: Tensor, size, scale_factor, mode: str, align_corners,
                recompute_scale_factor, antialias: bool) -> tuple:
    """F.interpolate's argument handling (Python's, then the kernels' checks); returns
    (output size, scale factors to pass on (None each when the size alone decides),
    align_corners)."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    _tensor_arg("interpolate", input)
    dim = input.ndim - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                    "size in (o1, o2, ...,oK) format.")
            if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool)
                       for s in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    "Tuple[int, int, int], but got size with types "
                    f"{[type(s) for s in size]}")
            out = [int(s) for s in size]
        else:
            out = [size] * dim
    elif scale_factor is not None:
        out = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {spatial} and scale_factor of "
                    f"shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, "
                    "...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scales = list(scale_factor)
        else:
            scales = [scale_factor] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        out = [int(n * s) for n, s in zip(spatial, scales)]
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    supported = {("nearest", 3), ("nearest", 4), ("nearest-exact", 3), ("nearest-exact", 4),
                 ("area", 3), ("area", 4), ("linear", 3), ("bilinear", 4)}
    if (mode, input.ndim) not in supported:
        needs = _NEEDS.get(mode)
        if needs is not None and input.ndim in (3, 4, 5) and input.ndim != needs:
            raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                      f"{needs}D input")
        if input.ndim not in (3, 4, 5) or mode not in _MODES.split(" | "):
            raise NotImplementedError(
                f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) "
                f"for the modes: {_MODES} (got {mode})")
    if antialias or (mode, input.ndim) not in supported:
        what = f"mode='{mode}'" + (" with antialias=True" if antialias else "")
        raise NotImplementedError(
            f"[glasstorch] interpolate with {what} on {input.ndim}-D input is not implemented "
            "in glasstorch; it has 'nearest', 'nearest-exact' and 'area' for 3-D and 4-D "
            "input, 'linear' for 3-D and 'bilinear' for 4-D.")
    if mode == "area":
        return [int(o) for o in out], None, align_corners
    if scales is not None:
        scales = [float(s) for s in scales]
        out = [int(n * s) for n, s in zip(spatial, scales)]
    _upsample_sizes(input, out, mode)
    return out, scales or [None] * dim, align_corners


def _upsample_sizes(input: Tensor, out: list, mode: str) -> None:
    """UpSample.h's upsample_1d/2d_common_check and the kernels' dtypes."""
    names = ("W",) if len(out) == 1 else ("H", "W")
    sizes = input.shape[2:]
    if any(n <= 0 for n in sizes) or any(o <= 0 for o in out):
        given = ", ".join(f"{a}: {n}" for a, n in zip(names, sizes))
        wanted = ", ".join(f"{a}: {o}" for a, o in zip(names, out))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({given}){' and' if len(out) == 1 else ''} output ({wanted})")
    if input.numel() == 0 and math.prod(input.shape[1:]) == 0:
        raise RuntimeError(f"Non-empty {input.ndim}D data tensor expected but got a tensor with "
                           f"sizes {list(input.shape)}")
    if input.dtype.is_floating_point or (input.dtype is D.uint8 and "nearest" in mode):
        return
    if mode == "bilinear" and input.dtype is D.uint8:
        raise NotImplementedError(
            "[glasstorch] bilinear interpolation of uint8 images (PyTorch's fixed-point kernel) "
            "is not implemented in glasstorch: convert to float first, x.float().")
    if mode == "bilinear":
        raise NotImplementedError("\"upsample_bilinear2d_channels_last\" not implemented for "
                                  f"'{input.dtype.scalar_name}'")
    kernel = {("nearest", 3): "compute_indices_weights_nearest",
              ("nearest", 4): "upsample_nearest2d_channels_last",
              ("nearest-exact", 3): "compute_indices_weights_nearest",
              ("nearest-exact", 4): "upsample_nearest2d_channels_last",
              ("linear", 3): "compute_indices_weights_linear"}[mode, input.ndim]
    raise NotImplementedError(f"\"{kernel}\" not implemented for '{input.dtype.scalar_name}'")


def adaptive_avg_pool2d_backward(grad_shape: tuple) -> None:
    """PyTorch's backward refuses an empty output (output_size 0)."""
    for i in range(len(grad_shape) - 2, len(grad_shape)):
        if grad_shape[i] == 0:
            raise RuntimeError(
                "adaptive_avg_pool2d_backward(): Expected grad_output to have non-zero size for "
                f"non-batch dimensions, but grad_output has sizes {list(grad_shape)} with "
                f"dimension {i} being empty")
