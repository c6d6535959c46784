"""glasstorch/_malloc.py: glibc's malloc thresholds raised at import (no timing here)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from glasstorch import _malloc

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


def _child(code: str, **env: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env}, check=True)
    return done.stdout.strip()


@pytest.mark.skipif(not GLIBC, reason="mallopt is a glibc knob")
def test_applied_at_import_on_glibc():
    assert _child("import glasstorch, glasstorch._malloc as m; print(m.applied)") == "True"


def test_tune_is_idempotent_and_reports_the_state():
    assert _malloc.tune() is _malloc.applied
    assert _malloc.tune() is _malloc.applied


def test_environment_variable_turns_it_off():
    out = _child("import glasstorch, glasstorch._malloc as m; print(m.applied)",
                 GLASSTORCH_NO_MALLOPT="1")
    assert out == "False"


def test_large_temporaries_still_behave():
    # blocks between the old and the new threshold now come from the heap: reuse after free
    import numpy as np

    for size in (1 << 17, 1 << 20, 1 << 23, 1 << 26):
        a = np.ones(size // 4, np.float32)
        b = a * 2
        assert float(b.sum()) == size // 2
        del a, b
