"""Same seed, same numbers: a course script prints the same output under glasstorch and torch."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), "scripts", "course_mlp.py")


def _run(backend: str) -> list[str]:
    out = subprocess.run([sys.executable, SCRIPT, backend], capture_output=True, text=True,
                         timeout=120, check=True)
    return out.stdout.splitlines()


def test_course_script_prints_the_same_under_both():
    glass, torch_ = _run("glasstorch"), _run("torch")
    # model repr, every epoch's loss and accuracy at 4 decimals, and printed parameters
    assert glass == torch_
