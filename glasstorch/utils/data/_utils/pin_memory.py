"""Pinned (page-locked) memory speeds up copies to a GPU. glasstorch computes on the CPU with
NumPy, so there is nothing to pin: ``pin_memory=True`` is accepted and does nothing, and the
DataLoader warns exactly as PyTorch does on a machine without an accelerator."""

from __future__ import annotations

from typing import Any


def pin_memory(data: Any, device: str | None = None) -> Any:
    """Return ``data`` unchanged (CPU only: there is no faster memory to copy it into)."""
    return data
