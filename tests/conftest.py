"""Test-session setup: one BLAS thread per process.

The suite runs in two pytest workers on two cores (`pytest -n 2`); letting NumPy's and
PyTorch's BLAS start extra threads on top oversubscribes the cores, and spinning BLAS threads
can then make small matrix products dozens of times slower. Subprocesses started by tests
inherit the setting through the environment.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

import glasstorch  # noqa: E402

glasstorch.set_num_threads(1)
torch.set_num_threads(1)
