"""Labs: small experiments that make one concept of the course visible.

Every lab is a module here with a docstring saying what it shows and a function
``run(out_dir, seed=0, quick=False) -> dict``. It trains or computes something small with
glasstorch itself (models, losses and optimizers used as in PyTorch), prints a short numeric
summary, writes PNG plots into ``out_dir`` and returns ``{"summary": {...}, "plots": [paths]}``.
Run them from the shell with ``glasstorch lab NAME`` (``glasstorch lab --list`` lists them), or
from Python::

    from glasstorch import labs
    result = labs.run("momentum", "runs/labs/momentum")
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

__all__ = ["LABS", "available", "describe", "get", "run"]

# Command-line name -> module name, in the order of the course.
LABS: dict[str, str] = {
    "activations": "activations",
    "learning-rate": "learning_rate",
    "momentum": "momentum",
    "overfitting": "overfitting",
    "hallucination": "hallucination",
    "dataloader": "dataloader",
    "loss-functions": "loss_functions",
    "backprop": "backprop",
}


def available() -> list[str]:
    """The lab names, in course order."""
    return list(LABS)


def _key(name: str) -> str:
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    aliases = {"lr": "learning-rate", "learning-rates": "learning-rate", "loss": "loss-functions",
               "losses": "loss-functions", "activation": "activations", "data": "dataloader",
               "backpropagation": "backprop", "calibration": "hallucination"}
    key = aliases.get(key, key)
    if key not in LABS:
        raise KeyError(f"unknown lab {name!r}; available: {', '.join(LABS)}")
    return key


def get(name: str) -> ModuleType:
    """The module of lab ``name`` (case, ``_``/``-`` and a few aliases such as ``lr`` forgiven)."""
    return importlib.import_module(f".{LABS[_key(name)]}", __name__)


def describe(name: str) -> str:
    """The first line of the lab's docstring: what it shows."""
    doc = get(name).__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def run(name: str, out_dir: str, seed: int = 0, quick: bool = False) -> dict[str, Any]:
    """Run lab ``name``, writing its plots into ``out_dir``; returns its summary and plot paths."""
    return get(name).run(out_dir, seed=seed, quick=quick)
