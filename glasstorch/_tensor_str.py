"""How a tensor prints: ``tensor([1.0000, 2.5000], requires_grad=True)``.

This reproduces PyTorch's ``repr(tensor)`` character for character, working on a NumPy array.
The recipe, in the order the code below follows it:

1. Decide whether to *summarise*: more elements than ``threshold`` means only the first and
   last ``edgeitems`` entries of each dimension are shown, with ``...`` in between.
2. Build one *formatter* for the whole tensor from the values that will actually be shown.
   All elements share one width, so columns line up. For floats it picks one of three styles:
   integer style (``1.``) when every finite non-zero value is a whole number, scientific
   (``1.0000e-05``) when the values span a big range or are very large or small, and fixed
   (``0.1000``) otherwise. Zeros, nan and inf never influence that choice.
3. Print nested brackets. A 1-d row is wrapped so lines stay within ``linewidth``; deeper
   dimensions are separated by one blank line per extra dimension, indented to the bracket.
4. Append the suffixes (``size=``, ``dtype=``, ``grad_fn=`` / ``requires_grad=``), moving a
   suffix onto its own line when it would make the last line too long.

Printing is controlled by module-level options, changed with :func:`set_printoptions`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

__all__ = [
    "set_printoptions", "get_printoptions", "printoptions", "format_tensor", "autograd_suffixes",
    "PRINT_OPTS",
]


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()

# The named profiles PyTorch offers; options given alongside a profile override it.
_PROFILES: dict[str, dict[str, Any]] = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Change how tensors print. Options left as None keep their value, except ``sci_mode``,
    which is always set (None means "choose automatically"), as in PyTorch."""
    if profile is not None and profile in _PROFILES:  # unknown profiles are ignored, like torch
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current options, as keyword arguments :func:`set_printoptions` accepts."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change print options inside a ``with`` block."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# ---------------------------------------------------------------------------------------------
# Step 1: which elements are shown


def _shown_indices(n: int, edgeitems: int) -> np.ndarray:
    """Indices along one axis that a summarised print shows."""
    if n > 2 * edgeitems:
        return np.r_[0:edgeitems, n - edgeitems:n]
    return np.arange(n)


def _shown_values(data: np.ndarray, summarize: bool) -> np.ndarray:
    """The elements the formatter has to fit (all of them unless summarising)."""
    if not summarize or data.ndim == 0:
        return data.reshape(-1)
    e = PRINT_OPTS.edgeitems
    if not e:
        return data.reshape(-1)[:0]  # nothing but "..." is printed
    picks = np.ix_(*(_shown_indices(n, e) for n in data.shape))
    return data[picks].reshape(-1)


# ---------------------------------------------------------------------------------------------
# Step 2: one formatter per tensor


class _Formatter:
    """Chooses a style and common width from the shown values, then formats single values."""

    def __init__(self, values: np.ndarray, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        p = PRINT_OPTS.precision

        if not floating:
            # Integers and bools print as Python does: 7, -3, True.
            for v in set(values.tolist()):
                self.width = max(self.width, len(str(v)))
            return

        # Only finite, non-zero values decide the style: zeros, nan and inf fit any style.
        shown = values[np.isfinite(values) & (values != 0)]
        if shown.size == 0:
            return
        mags = np.abs(shown).astype(np.float64)
        lo, hi = float(mags.min()), float(mags.max())
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = bool(PRINT_OPTS.sci_mode)

        # Width is measured over those same values only; a nan or -0. may stick out.
        uniq = set(shown.tolist())
        if self.sci_mode:
            lengths = (len(f"{v:.{p}e}") for v in uniq)
        elif self.int_mode:
            lengths = (len(f"{v:.0f}") + 1 for v in uniq)  # +1 for the trailing "."
        else:
            lengths = (len(f"{v:.{p}f}") for v in uniq)
        self.width = max(self.width, *lengths)

    def format(self, value: Any) -> str:
        """One element as text, right-aligned to the common width."""
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."  # the dot tells the reader this is a float tensor
        else:
            text = f"{value:.{PRINT_OPTS.precision}f}"
        return text.rjust(self.width)


# ---------------------------------------------------------------------------------------------
# Step 3: brackets, rows and line wrapping


def _row_str(row: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    """A 1-d row, wrapped so that each line holds as many elements as fit in the linewidth."""
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        items = ["..."]
    elif summarize and row.shape[0] > 2 * e:
        items = ([fmt.format(v) for v in row[:e].tolist()] + [" ..."]
                 + [fmt.format(v) for v in row[-e:].tolist()])
    else:
        items = [fmt.format(v) for v in row.tolist()]

    per_line = max(1, (PRINT_OPTS.linewidth - indent) // (fmt.width + 2))  # +2 for ", "
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _row_str(data, indent, summarize, fmt)
    n, e = data.shape[0], PRINT_OPTS.edgeitems
    if summarize and n > 2 * e:
        parts = ([_nested_str(data[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."]
                 + [_nested_str(data[i], indent + 1, summarize, fmt) for i in range(n - e, n)])
    else:
        parts = [_nested_str(sub, indent + 1, summarize, fmt) for sub in data]
    # One blank line per dimension below the row level separates the blocks.
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _body_str(data: np.ndarray, indent: int) -> str:
    """The bracketed values of a non-empty tensor."""
    summarize = data.size > PRINT_OPTS.threshold
    floating = data.dtype.kind == "f"
    fmt = _Formatter(_shown_values(data, summarize), floating)
    return _nested_str(data, indent, summarize, fmt)


# ---------------------------------------------------------------------------------------------
# Step 4: suffixes and the public entry point


def _with_suffixes(text: str, suffixes: Sequence[str], indent: int) -> str:
    out = [text]
    # PyTorch's measure of the last line counts two more characters than a plain length
    # when the text has no newline; kept so wrapping happens at exactly the same place.
    last_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            out.append(",\n" + " " * indent + suffix)
            last_len = indent + len(suffix)
        else:
            out.append(", " + suffix)
            last_len += len(suffix) + 2
    out.append(")")
    return "".join(out)


def autograd_suffixes(grad_fn_name: str | None, requires_grad: bool) -> list[str]:
    """The autograd suffix: ``grad_fn=<MulBackward0>`` for op results, else
    ``requires_grad=True`` for leaves that track gradients, else nothing."""
    if grad_fn_name is not None:
        return [f"grad_fn=<{grad_fn_name}>"]
    if requires_grad:
        return ["requires_grad=True"]
    return []


def format_tensor(
    data: np.ndarray,
    dtype_name: str | None = None,
    *,
    default_dtype: str = "float32",
    suffixes: Sequence[str] = (),
    prefix: str = "tensor(",
    header: str = "",
) -> str:
    """Exactly what ``repr`` of the PyTorch tensor holding ``data`` prints.

    ``dtype_name`` is the torch dtype name ("float32", "int64", "bool", ...), taken from
    ``data.dtype`` when omitted; ``default_dtype`` is the current default float dtype.
    ``suffixes`` come after the dtype, typically :func:`autograd_suffixes`. ``header`` goes
    before everything, e.g. ``"Parameter containing:\\n"``.
    """
    data = np.asarray(data)
    if dtype_name is None:
        dtype_name = data.dtype.name
    indent = len(prefix)
    extra: list[str] = []
    dtype_suffix = f"dtype=torch.{dtype_name}"

    if data.size == 0:
        # Nothing to look at, so the shape (unless plain 1-d) and any non-default dtype,
        # even int64 or bool, are spelled out.
        if data.ndim != 1:
            extra.append(f"size={tuple(data.shape)}")
        if dtype_name != default_dtype:
            extra.append(dtype_suffix)
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            extra.append(f"size={tuple(data.shape)}")
        if dtype_name not in (default_dtype, "int64", "bool"):
            extra.append(dtype_suffix)
        body = _body_str(data, indent)

    return header + _with_suffixes(prefix + body, [*extra, *suffixes], indent)
