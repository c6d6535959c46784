"""Test-session setup: one BLAS thread per process, and the same hypothesis examples every run.

The suite runs in two pytest workers on two cores (`pytest -n 2`); letting NumPy's and
PyTorch's BLAS start extra threads on top oversubscribes the cores, and spinning BLAS threads
can then make small matrix products dozens of times slower. Subprocesses started by tests
inherit the setting through the environment.

Every ``@settings(...)`` inherits the profile loaded here: derandomized, so a test draws the
same examples on every run and in every order (as harness.SETTINGS always did). A random search
is test_fuzz.py's long mode.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402
from hypothesis import settings  # noqa: E402

import glasstorch  # noqa: E402

settings.register_profile("glasstorch", derandomize=True)
settings.load_profile("glasstorch")

glasstorch.set_num_threads(1)
torch.set_num_threads(1)
