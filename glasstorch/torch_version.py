"""``torch.__version__``: a string that compares as a version (PyTorch's TorchVersion).

Code written for PyTorch checks its version (``if torch.__version__ >= "2.0":``,
``torch.__version__ < (2, 1)``). glasstorch mirrors PyTorch 2.13's API, so it answers as
2.13.0, with the local label ``+glasstorch`` telling the two apart when printed. glasstorch's
own release is ``glasstorch.version.glasstorch`` (and ``glasstorch --version``).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["TorchVersion", "Version", "InvalidVersion"]

_PATTERN = re.compile(
    r"^\s*v?(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?P<pre>a|alpha|b|beta|rc|c|pre|preview)[-_.]?(?P<pre_n>\d*))?"
    r"(?:[-_.]?(?:post|rev|r)[-_.]?(?P<post>\d*))?"
    r"(?:[-_.]?dev[-_.]?(?P<dev>\d*))?"
    r"(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$",
    re.IGNORECASE,
)
_PRE = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "rc": 2, "c": 2, "pre": 2, "preview": 2}


class InvalidVersion(ValueError):
    """A string that is not a PEP 440 version."""


class Version:
    """A PEP 440 version reduced to what ordering needs: release, pre, post, dev, local."""

    def __init__(self, text: str) -> None:
        m = _PATTERN.match(str(text))
        if m is None:
            raise InvalidVersion(f"Invalid version: '{text}'")
        release = tuple(int(p) for p in m["release"].split("."))
        while len(release) > 1 and release[-1] == 0:  # 2.13 == 2.13.0
            release = release[:-1]
        inf = float("inf")
        pre = (_PRE[m["pre"].lower()], int(m["pre_n"] or 0)) if m["pre"] else None
        post = int(m["post"] or 0) if m["post"] is not None else None
        dev = int(m["dev"] or 0) if m["dev"] is not None else None
        # ordering: 1.0.dev0 < 1.0a1 < 1.0 < 1.0+local < 1.0.post1
        self._key = (
            release,
            (-inf,) if pre is None and post is None and dev is not None else (pre or (inf,)),
            (-inf,) if post is None else (post,),
            (inf,) if dev is None else (dev,),
            () if m["local"] is None else tuple(
                (int(p), "") if p.isdigit() else (-1, p.lower())
                for p in re.split(r"[-_.]", m["local"])),
        )
        self.text = str(text).strip()

    def __repr__(self) -> str:
        return f"<Version('{self.text}')>"


def _key(other: Any) -> tuple:
    if isinstance(other, Version):
        return other._key
    if isinstance(other, tuple):
        return Version(".".join(str(p) for p in other))._key
    if isinstance(other, str):
        return Version(other)._key
    raise TypeError(f"'{type(other).__name__}' cannot be compared with a version")


class TorchVersion(str):
    """A version string whose comparisons (with strings, tuples or Versions) are by version:
    ``"2.13.0" > "2.9"`` holds here although it fails for plain strings."""

    def _cmp(self, other: Any, op) -> bool:
        try:
            return op(_key(self), _key(other))
        except (TypeError, InvalidVersion):
            if isinstance(other, str):  # not a version at all: compare as strings
                return op(str(self), other)
            raise

    def __gt__(self, other: Any) -> bool:
        return self._cmp(other, lambda a, b: a > b)

    def __ge__(self, other: Any) -> bool:
        return self._cmp(other, lambda a, b: a >= b)

    def __lt__(self, other: Any) -> bool:
        return self._cmp(other, lambda a, b: a < b)

    def __le__(self, other: Any) -> bool:
        return self._cmp(other, lambda a, b: a <= b)

    def __eq__(self, other: Any) -> bool:
        return self._cmp(other, lambda a, b: a == b)

    def __ne__(self, other: Any) -> bool:
        return not self == other

    __hash__ = str.__hash__
