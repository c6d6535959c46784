"""Graph inspection helpers (PyTorch's ``torch.autograd.graph``)."""

from __future__ import annotations

from .function import Node

__all__ = ["Node"]
