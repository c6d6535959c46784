"""Shared helpers of the labs: lazy matplotlib (Agg backend), saving figures, printing numbers."""

from __future__ import annotations

import math
import os
from typing import Any


def pyplot() -> Any:
    """matplotlib.pyplot on the non-interactive Agg backend (imported only when a lab draws)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig: Any, out_dir: str, filename: str) -> str:
    """Write ``fig`` as ``out_dir/filename`` (a PNG), close it and return the path."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, filename)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    pyplot().close(fig)
    return path


def fmt(value: Any) -> str:
    """A number as a learner wants to read it: 4 significant digits, ints and None as they are."""
    if value is None or isinstance(value, (bool, int, str)):
        return str(value)
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return str(value)
    return f"{value:.4g}"


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A plain-text table with right-aligned columns (the first column left-aligned)."""
    cells = [header] + [[fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for r in cells:
        parts = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])]
        lines.append("  ".join(parts))
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
