"""What a glossary entry is (:class:`Term`) and the small helpers its demo functions share.

Kept apart from :mod:`glasstorch.teaching.glossary` so that the course terms there and the
everyday words in :mod:`glasstorch.teaching._words` can both build entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Out", "Term"]

Out = Callable[[str], None]


@dataclass(frozen=True)
class Term:
    """One glossary entry."""

    name: str                      # canonical name, as in the course glossary
    definition: str                # one line, in glasstorch's own words
    explanation: str               # a few sentences: how it works and where it lives in the code
    implemented_by: tuple[str, ...]  # dotted names of the objects that implement it
    demo: Callable[[Out], dict[str, float]]
    aliases: tuple[str, ...] = field(default=())


def _torch():
    import glasstorch

    return glasstorch


def _f(x: float) -> str:
    return f"{float(x):.6g}"


def _arr(a, digits: int = 4) -> str:
    a = np.asarray(a, dtype=np.float64)
    return np.array2string(a, precision=digits, suppress_small=True, separator=", ",
                           max_line_width=88)
