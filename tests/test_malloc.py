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


_STEPS = """
import resource, numpy as np, glasstorch
sizes = [(3 << 20) // 4, (5 << 20) // 4, (7 << 20) // 4]  # 3, 5 and 7 MiB of float32
def step():  # a training step's temporaries: made, written, freed
    arrays = [np.ones(n, np.float32) for n in sizes]
    del arrays
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not GLIBC, reason="mallopt is a glibc knob")
def test_later_steps_reuse_the_heap_instead_of_faulting_in_fresh_pages():
    # 10 steps touch 150 MiB, 38,400 pages of 4 KiB: served from fresh mmaps, each page is a
    # page fault (glibc's defaults gave ~17,600 here); reused heap memory gives next to none
    assert int(_child(_STEPS)) < 1000
