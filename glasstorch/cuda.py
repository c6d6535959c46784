"""``torch.cuda`` as seen from a machine without a GPU: every query says there is none."""

from __future__ import annotations


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """No GPU generators exist; accepted so seeding code runs unchanged."""


manual_seed_all = manual_seed


def synchronize(device=None) -> None:
    pass


def empty_cache() -> None:
    pass


def current_device() -> int:
    raise RuntimeError("Found no NVIDIA driver on your system. glasstorch runs on the CPU only.")


def get_device_name(device=None) -> str:
    return current_device()
