"""Benchmarks for glasstorch (not part of the test suite): ``python -m bench`` runs them all.

Nothing here is imported by glasstorch, and importing this package imports neither torch nor
glasstorch, so the memory and import-time children measure only the library they load.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child_env() -> dict[str, str]:
    """The environment for a child interpreter: this one's, with the repository importable.

    Everything else (OPENBLAS_CORETYPE, thread settings ...) is passed through untouched, except
    PYTHONDONTWRITEBYTECODE: an installed package has its bytecode compiled (pip does it), so
    imports are timed with the .pyc cache in use rather than recompiling every module.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    extra = env.get("PYTHONPATH")
    # An explicit PYTHONPATH keeps priority, as it has in this process.
    env["PYTHONPATH"] = (extra + os.pathsep if extra else "") + str(ROOT)
    return env
