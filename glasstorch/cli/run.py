"""``glasstorch run script.py``: run an unchanged PyTorch script on glasstorch.

The script's ``import torch``, ``import torch.nn as nn`` and ``from torch.utils.data import
DataLoader`` all resolve to glasstorch, because ``torch`` and its submodules are registered in
``sys.modules`` as aliases of glasstorch's before the script starts.
"""

from __future__ import annotations

import importlib
import runpy
import sys

SUBMODULES = ("nn", "nn.functional", "nn.init", "nn.modules", "nn.parameter", "optim",
              "optim.lr_scheduler", "utils", "utils.data", "autograd", "cuda", "backends",
              "serialization")


def alias_torch() -> None:
    """Make ``import torch`` (and its submodules) give glasstorch in this process."""
    import glasstorch

    for name in SUBMODULES:
        importlib.import_module(f"glasstorch.{name}")
    for name, module in list(sys.modules.items()):
        if name == "glasstorch" or name.startswith("glasstorch."):
            sys.modules["torch" + name[len("glasstorch"):]] = module
    sys.modules["torch"] = glasstorch


def register(sub) -> None:
    p = sub.add_parser(
        "run",
        help="run an unchanged PyTorch script on glasstorch",
        description="Run a Python script written for PyTorch on glasstorch: `import torch` "
        "and `from torch... import ...` inside it resolve to glasstorch.",
    )
    p.add_argument("script", help="path of the Python script to run")
    p.add_argument("args", nargs="*", help="arguments passed to the script (after --)")
    p.set_defaults(run=run)


def run(args) -> int:
    if "torch" in sys.modules and sys.modules["torch"].__name__ != "glasstorch":
        print("the real torch is already imported in this process", file=sys.stderr)
        return 2
    alias_torch()
    sys.argv = [args.script, *args.args]
    runpy.run_path(args.script, run_name="__main__")
    return 0
