"""Parameter: a tensor that a Module registers as something to learn.

A Parameter is an ordinary tensor with two differences: assigning it as a Module attribute
registers it (so it shows up in ``parameters()`` and ``state_dict()``), and it requires grad
by default. It is always a leaf: wrapping a computed tensor cuts it from its graph.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A leaf tensor that the Module it is assigned to registers; requires grad by default."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            array = np.empty(0, dtype=np.float32)
        elif isinstance(data, Tensor):
            array = data._data  # shared, not copied: Parameter(t) aliases t's storage, as in torch
        else:  # PyTorch fails on data.detach(): the same error, and how to make a tensor first
            try:
                data.detach()
            except AttributeError as e:
                raise AttributeError(f"{e}\n[glasstorch] nn.Parameter wraps a tensor: "
                                     "nn.Parameter(torch.tensor(data)).") from None
            raise TypeError(f"nn.Parameter expects a tensor, got {type(data).__name__}")
        if requires_grad and not np.issubdtype(array.dtype, np.floating):
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients")
        return cls._from_array(array, requires_grad)

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        # Everything happened in __new__; accept the same arguments so construction succeeds.
        pass

    # repr: Tensor.__repr__ already starts a Parameter's with "Parameter containing:\n".

    def __deepcopy__(self, memo: dict) -> Parameter:
        # A fresh copy of the values with the same requires_grad; the gradient is not copied.
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)._from_array(self._data.copy(), self.requires_grad)
        memo[id(self)] = result
        return result


class _BufferMeta(type):
    # A Buffer is an ordinary tensor carrying a mark, so isinstance looks for the mark.
    def __instancecheck__(cls, instance) -> bool:
        if cls is Buffer:
            return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Mark a tensor as a buffer: ``self.stats = nn.Buffer(t)`` registers it like
    ``register_buffer`` (``persistent=False`` keeps it out of the state_dict)."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Tensor:
        if data is None:
            data = Tensor._make(np.empty(0, dtype=np.float32))
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t
