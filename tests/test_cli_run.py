"""`glasstorch run`: an unchanged PyTorch script (``import torch``, ``from torch... import``)
runs on glasstorch and prints what it prints under PyTorch."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), "scripts", "plain_torch.py")


def test_unchanged_script_runs_on_glasstorch_with_the_same_output():
    glass = subprocess.run([sys.executable, "-m", "glasstorch", "run", SCRIPT],
                           capture_output=True, text=True, timeout=120)
    assert glass.returncode == 0, glass.stderr
    assert "backend glasstorch" in glass.stdout
    real = subprocess.run([sys.executable, SCRIPT], capture_output=True, text=True,
                          timeout=120, check=True)
    strip = [line for line in real.stdout.splitlines() if not line.startswith("backend")]
    assert [line for line in glass.stdout.splitlines() if not line.startswith("backend")] \
        == strip
