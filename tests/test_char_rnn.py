"""The character-level LSTM example (course/extras/char_rnn.py) runs, with short settings, on
glasstorch and on torch and prints the same (losses, validation loss, sampled names); the
bundled names it learns from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import glasstorch.datasets

SCRIPT = Path(__file__).resolve().parent.parent / "course" / "extras" / "char_rnn.py"


def _run(backend: str, cell: str) -> list[str]:
    env = dict(os.environ, COURSE_BACKEND=backend, CHAR_RNN_STEPS="30", CHAR_RNN_CELL=cell)
    out = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                         timeout=300, env=env, check=True)
    # everything but the backend's name and the timing line must agree
    return [line for line in out.stdout.splitlines()
            if not line.startswith("running on") and " steps in " not in line]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_char_rnn_example_prints_the_same_on_both(cell):
    glass, torch_ = _run("glasstorch", cell), _run("torch", cell)
    assert any(line.startswith("validation loss:") for line in glass)
    assert any(line.startswith("temperature 1.0:") for line in glass)
    assert glass == torch_


def test_bundled_names():
    names = glasstorch.datasets.load_names()
    assert len(names) == 29910 and names[:3] == ["emma", "liam", "olivia"]
    assert set("".join(names)) == set("abcdefghijklmnopqrstuvwxyz")
    assert len(set(names)) == len(names) and min(map(len, names)) >= 2
