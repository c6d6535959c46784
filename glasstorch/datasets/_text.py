"""Bundled text for sequence models: names to learn to spell, one character at a time."""

from __future__ import annotations

from importlib import resources

__all__ = ["load_names"]


def load_names() -> list[str]:
    """29,910 first names, lower case a-z, most common first: every name given to at least 5
    babies born in the USA in 2017 (US Social Security Administration; see LICENSES.md).

    The data of a character-level language model (as in Karpathy's makemore): learn which
    letter follows which, then sample new names. ``"".join(names)`` has 27 distinct
    characters once a separator such as "." marks the ends.
    """
    ref = resources.files("glasstorch.datasets").joinpath("data", "names.txt")
    return ref.read_text(encoding="ascii").split()
