"""``torch.version``: the PyTorch release whose API glasstorch follows, and glasstorch's own."""

from __future__ import annotations

from .torch_version import TorchVersion

__all__ = ["__version__", "glasstorch", "cuda", "hip", "git_version", "debug"]

glasstorch = "0.1.0"  # glasstorch's own release (pyproject.toml)
__version__ = TorchVersion("2.13.0+glasstorch")  # PyTorch 2.13's API, on glasstorch
cuda: str | None = None  # CPU only: no CUDA, no ROCm
hip: str | None = None
git_version = "unknown"
debug = False
