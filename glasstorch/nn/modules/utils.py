"""Small helpers the layers share: one value or a tuple of them for every spatial dimension."""

from __future__ import annotations

from collections.abc import Iterable


def _ntuple(n: int, name: str):
    def expand(x):
        """``x`` itself as a tuple if it is a sequence, else ``x`` repeated {n} times."""
        return tuple(x) if isinstance(x, Iterable) else (x,) * n

    expand.__name__ = name
    return expand


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")


def _reverse_repeat_tuple(t: tuple, n: int) -> tuple:
    """Each element ``n`` times, last dimension first: F.pad's order, (1, 2) -> (2, 2, 1, 1)."""
    return tuple(x for x in reversed(t) for _ in range(n))
