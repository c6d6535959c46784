"""Argument checks of the shape ops: PyTorch's exception types and texts (and, where they help,
a ``[glasstorch]`` line). Most return the normalised arguments (a shape with its -1 resolved,
wrapped dims) that the functions in ``functions.py`` and ``methods.py`` then use.
"""

from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor, _wrap_dim
from ..._warnings import warn
from .._checks import axis  # noqa: F401 - shared, called as _checks.axis


def shape_arg(shape) -> tuple:
    """``f(2, 3)`` and ``f((2, 3))`` both give (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def infer(shape: tuple, numel: int) -> tuple:
    """Resolve one -1 in ``shape`` (PyTorch's errors when impossible)."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(
                f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}"
                + _reshape_hint(shape, numel)
            )
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(
            f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}"
            + _reshape_hint(shape, numel)
        )
    return shape


def _reshape_hint(shape, numel) -> str:
    return (f"\n[glasstorch] The new shape must hold exactly {numel} elements (the product of "
            "the old shape); one dimension may be -1 to be inferred.")


def view(self, shape: tuple) -> tuple:
    """The new shape (its -1 resolved), which the tensor's layout must allow without a copy."""
    if not shape:
        raise TypeError("view() received an invalid combination of arguments - got (), but "
                        "expected one of:\n * (torch.dtype dtype)\n * (tuple of ints size)\n")
    shape = infer(shape_arg(shape), self._data.size)
    try:
        np.reshape(self._data, shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead.\n"
            f"[glasstorch] This tensor (shape {list(self.shape)}, strides {list(self.stride())})"
            " is not laid out row by row, typically after t(), transpose() or permute(); call "
            ".contiguous() first or use .reshape()."
        ) from None
    return shape


def reshape(input, shape: tuple) -> tuple:
    """The new shape, its -1 resolved."""
    if not shape:
        raise TypeError('reshape() missing 1 required positional arguments: "shape"')
    return infer(shape_arg(shape), input._data.size)


def flatten(input, start_dim, end_dim) -> tuple[int, int]:
    """The first and last dim to merge, wrapped, in order."""
    s, e = _wrap_dim(start_dim, input.ndim), _wrap_dim(end_dim, input.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    return s, e


def unflatten(input, dim, sizes) -> tuple[int, tuple]:
    """The dim (wrapped) and its new sizes (a -1 resolved), which must multiply up to it."""
    d = _wrap_dim(dim, input.ndim)
    sizes = tuple(sizes)
    if -1 in sizes:
        sizes = infer(sizes, input.shape[d])
    if math.prod(sizes) != input.shape[d]:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({input.shape[d]}) in the input tensor"
        )
    return d, sizes


def permute(input, dims) -> tuple:
    """A new order of all dims, each once (wrapped)."""
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = shape_arg(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {input.ndim} is "
            f"not equal to len(dims) = {len(dims)}"
        )
    dims = tuple(_wrap_dim(d, input.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return dims


def t(input) -> None:
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")


def expand(input, sizes) -> tuple:
    """The shape to broadcast to (-1 keeps a dim); only size-1 dims may grow."""
    if not sizes:
        raise TypeError('expand() missing 1 required positional arguments: "size"')
    sizes = shape_arg(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError(
            f"expand({input.type()}{{{list(input.shape)}}}, size=[{', '.join(map(str, sizes))}]): "
            "the number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor "
            f"({input.ndim})"
        )
    lead = len(sizes) - input.ndim
    shape = tuple(
        input.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes)
    )
    for i in range(input.ndim):
        have, want = input.shape[i], shape[i + lead]
        if have != want and have != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size ({have}) "
                f"at non-singleton dimension {i + lead}.  Target sizes: "
                f"[{', '.join(map(str, sizes))}].  Tensor sizes: "
                f"[{', '.join(map(str, input.shape))}]"
            )
    return shape


def repeat(self, repeats) -> tuple:
    """How often to tile each dim: at least one count per dim of the tensor."""
    repeats = shape_arg(repeats)
    if len(repeats) < self.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    return repeats


def tensor_list(tensors, op: str) -> list:
    """cat/stack take a non-empty sequence of tensors."""
    tensors = list(tensors)
    if not tensors:
        if op == "cat":
            raise ValueError("torch.cat(): expected a non-empty list of Tensors")
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return tensors


def cat(tensors, dim) -> tuple[list, int]:
    """(the tensors, the dim wrapped): no 0-d tensor, equal sizes except along dim (1-d empty
    tensors join anything, a legacy rule)."""
    every = tensor_list(tensors, "cat")
    for i, t in enumerate(every):  # checked before anything else, as in PyTorch
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    ts = [t for t in every if not (t.ndim == 1 and t.shape[0] == 0)] or every[:1]  # legacy []
    ref = ts[0]
    d = _wrap_dim(dim, ref.ndim)
    for i, t in enumerate(ts):
        if t.ndim != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {t.ndim}"
            )
        for k in range(ref.ndim):
            if k != d and t.shape[k] != ref.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref.shape[k]} but got size {t.shape[k]} for tensor number {i} in the list."
                    f"\n[glasstorch] tensor 0 has shape {list(ref.shape)} and tensor {i} has "
                    f"shape {list(t.shape)}; cat joins along dim={d}, so every other size must "
                    "be equal: crop or pad them, or join along the dimension where they differ."
                )
    return every, d


def stack(tensors, dim) -> tuple[list, int]:
    """(the tensors, the new dim wrapped): all of one shape."""
    ts = tensor_list(tensors, "stack")
    for i, t in enumerate(ts):
        if t.shape != ts[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(ts[0].shape)} at "
                f"entry 0 and {list(t.shape)} at entry {i}\n[glasstorch] stack adds a new "
                "dimension, so all tensors need one shape: pad or crop them to the same size "
                "first (e.g. sequences of different lengths), or use torch.cat to join them "
                "along an existing dimension."
            )
    return ts, _wrap_dim(dim, ts[0].ndim + 1)


def split(tensor, split_size_or_sections, dim) -> tuple[int, list]:
    """(the dim wrapped, the size of each piece): given sizes must add up to the dim's."""
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, tensor.ndim)
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, int):
        s = split_size_or_sections
        sizes = [s] * (n // s) + ([n % s] if n % s else []) if s > 0 else [n]
        return d, sizes
    sizes = list(split_size_or_sections)
    if sum(sizes) != n:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
            f"at dimension {d}), but got split_sizes={sizes}"
        )
    return d, sizes


def chunk(input, chunks, dim) -> int:
    """A positive number of chunks of a tensor with dims; returns the dim wrapped."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    return _wrap_dim(dim, input.ndim)


def unbind(input, dim) -> int:
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _wrap_dim(dim, input.ndim)


def narrow(input, dim, start, length) -> tuple[int, int]:
    """(the dim wrapped, start made non-negative): the slice must fit in the dim."""
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, input.ndim)
    if start < 0:
        start += input.shape[d]
    if start + length > input.shape[d]:
        raise RuntimeError(
            f"start ({start}) + length ({length}) exceeds dimension size ({input.shape[d]})."
        )
    return d, start


def tensor_split(indices_or_sections):
    """A number of parts (at least 1), or the cut indices (a list, tuple or 1-d tensor)."""
    if isinstance(indices_or_sections, Tensor):
        if indices_or_sections.ndim > 1 or indices_or_sections._data.dtype.kind not in "iu":
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {indices_or_sections.ndim} dims")
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        if indices_or_sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got "
                               f"{indices_or_sections}")
        return indices_or_sections
    return list(indices_or_sections)


def even_split(op: str, input, d: int, sections, min_dims: int) -> None:
    """hsplit/vsplit/dsplit: enough dims, and a number of parts that divides the dim."""
    if input.ndim < min_dims:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {min_dims} dimension, "
                           f"but got a tensor with {input.ndim} dimensions!")
    if isinstance(sections, int) and sections and input.shape[d] % sections:
        raise RuntimeError(f"torch.{op} attempted to split along dimension {d}, but the size of "
                           f"the dimension {input.shape[d]} is not divisible by the split_size "
                           f"{sections}!")


def at_least(input, ndim: int) -> None:
    if input.ndim < ndim:
        raise RuntimeError(f"Input must be >= {ndim}-d.")


_MESHGRID_WARNED: list = []


def meshgrid(tensors, indexing):
    """meshgrid's inputs: 0-d or 1-d tensors of one dtype; PyTorch warns (once a process)
    without indexing."""
    if indexing is None and not _MESHGRID_WARNED:
        _MESHGRID_WARNED.append(True)
        warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
             "indexing argument. (Triggered internally at "
             "/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4215.)",
             UserWarning)
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: [ {t.type()}{{{','.join(map(str, t.shape))}}} ]")
    if len({t.dtype for t in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    return indexing


def diff(input) -> None:
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
