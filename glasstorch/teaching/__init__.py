"""The teaching add-ons: what glasstorch adds for learners, beside the framework.

- ``coach.py``     warnings for training mistakes that PyTorch lets pass in silence
- ``glossary.py``  the course's terms, tied to the code that implements them
- ``viz.py``       drawings of the autograd graph behind a tensor
- ``metrics.py``   accuracy, confusion matrix, calibration, temperature scaling
- ``labs/``        small experiments that make one concept of the course visible
- ``live.py``      ``LivePlot``: learning curves that redraw in place in a notebook
- ``kernel.py``    the Jupyter kernel "Python 3 (glasstorch as torch)"
- ``cli/``         the ``glasstorch`` command: train, glossary, explain, lab, run, kernel

The framework (everything else in ``glasstorch/``) does not import this package; the one
exception is the last line of ``glasstorch/__init__.py``, which loads the coach (it is on by
default). The coach hooks itself in through public hook points only: the forward and backward
observers of ``glasstorch.autograd.graph``, ``torch.optim.optimizer``'s global
``register_optimizer_step_pre_hook`` and ``torch.nn.modules.module``'s global
``register_module_forward_pre_hook``. The rest loads on first use.

The old import paths (``glasstorch.coach``, ``glasstorch.viz``, ``import glasstorch.labs.momentum``
...) keep working: they give the very same module objects as ``glasstorch.teaching.*``.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

__all__ = ["OLD_NAMES", "old_path"]

# the add-ons that used to be modules of glasstorch itself: glasstorch.<name>[.<sub>]
OLD_NAMES = ("coach", "glossary", "viz", "metrics", "labs", "cli")


class _OldPaths:
    """An import finder: ``glasstorch.X`` and ``glasstorch.X.Y`` for X in OLD_NAMES are
    ``glasstorch.teaching.X(.Y)``, the same module object (never a second copy)."""

    def find_spec(self, fullname: str, path=None, target=None):
        if not fullname.startswith("glasstorch.") or \
                fullname.split(".", 2)[1] not in OLD_NAMES:
            return None
        from importlib.machinery import ModuleSpec
        from importlib.util import find_spec

        if find_spec(_real(fullname)) is None:
            return None  # Python then raises ModuleNotFoundError with the old name
        return ModuleSpec(fullname, self)

    def create_module(self, spec):
        return None  # a placeholder: exec_module swaps in the real module

    def exec_module(self, module: ModuleType) -> None:
        # The import system returns whatever sys.modules holds under the name once
        # exec_module is done, so the old name gets the real module itself.
        sys.modules[module.__name__] = importlib.import_module(_real(module.__name__))


def _real(old: str) -> str:
    return "glasstorch.teaching." + old[len("glasstorch."):]


def old_path(name: str) -> ModuleType:
    """``glasstorch.<name>`` for an add-on's old attribute path (``glasstorch.viz`` ...),
    imported on first use; glasstorch's ``__getattr__`` asks this for names it does not have."""
    if name in OLD_NAMES:
        return importlib.import_module(f"glasstorch.{name}")
    raise AttributeError(f"module 'glasstorch' has no attribute '{name}'")


# In front of Python's own finders: those would find glasstorch/teaching/labs/momentum.py again
# under the old name glasstorch.labs.momentum and load a second copy of it.
if not any(type(f).__name__ == "_OldPaths" for f in sys.meta_path):
    sys.meta_path.insert(0, _OldPaths())
