"""glasstorch.utils: helpers around the core, laid out like ``torch.utils``."""

from . import data

__all__ = ["data"]
