"""One way to warn: at the learner's line.

A warning raised deep inside an operation or a module would, with a fixed ``stacklevel``,
point at some line of glasstorch (or at the wrong caller, depending on how the function was
reached). :func:`warn` instead walks up the stack to the first frame outside the glasstorch
package and attributes the warning there, so ``file:line`` is always the learner's own line.
"""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["warn", "stacklevel"]

_PKG_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep  # .../glasstorch/


def stacklevel(skip: int = 1) -> int:
    """The ``stacklevel`` that points a ``warnings.warn`` made ``skip`` frames above this call
    (1: by this function's caller) at the first frame outside the glasstorch package."""
    frame = sys._getframe(skip)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PKG_DIR):
        frame = frame.f_back
        level += 1
    # all of the stack inside glasstorch (an import-time warning): the innermost frame is best
    return level if frame is not None else 1


def warn(message: str | Warning, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn(message, category)`` attributed to the learner's line."""
    # +1: the frames counted start at our caller, but warnings.warn is called from here
    warnings.warn(message, category, stacklevel=stacklevel(2) + 1)
