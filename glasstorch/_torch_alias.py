"""``import torch`` that gives glasstorch: for notebooks, scripts and ``glasstorch run``.

``import glasstorch as torch`` renames one module; a learner's next line, ``import torch.nn
as nn`` or ``from torch.utils.data import DataLoader``, still asks Python for a package called
``torch``. :func:`install_as_torch` answers that question for the rest of the process: a finder
at the front of ``sys.meta_path`` maps every ``torch.X.Y`` to ``glasstorch.X.Y`` (the very same
module object, imported on first use), so unchanged PyTorch code runs on glasstorch.

In Jupyter, ``%load_ext glasstorch`` does the same (``glasstorch.load_ipython_extension``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys

from ._mixing import (  # noqa: F401 (is_real_torch, mixing_hint: re-exported)
    _real_torch_loaded,
    install_hooks,
    is_real_torch,
    mixing_hint,
)

__all__ = ["install_as_torch", "is_installed_as_torch", "load_ipython_extension"]


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch`` and ``torch.*`` and loads them as the glasstorch modules of that name."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        real = "glasstorch" + fullname[len("torch"):]
        try:
            found = importlib.util.find_spec(real)
        except ModuleNotFoundError:
            found = None
        if found is None:
            return None  # no such glasstorch module: Python raises ModuleNotFoundError for torch.X
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        return importlib.import_module("glasstorch" + spec.name[len("torch"):])

    def exec_module(self, module) -> None:
        pass  # the glasstorch module is already executed


_finder = _Alias()


def is_installed_as_torch() -> bool:
    """Whether ``import torch`` gives glasstorch in this process."""
    return _finder in sys.meta_path


def install_as_torch() -> None:
    """Make ``import torch`` and every ``import torch.X`` give glasstorch in this process.

    Raises ImportError if the real PyTorch was imported already (objects of the two cannot be
    mixed, so the earlier imports would keep pointing at PyTorch): restart the kernel or
    interpreter and call this first."""
    if _real_torch_loaded():
        raise ImportError(
            "the real PyTorch is already imported in this process, so `import torch` cannot "
            "be made to give glasstorch now.\n[glasstorch] Restart the kernel (or Python) and "
            "run `%load_ext glasstorch` (or `glasstorch.install_as_torch()`) before any "
            "`import torch`."
        )
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    import glasstorch

    sys.modules["torch"] = glasstorch
    for name, module in list(sys.modules.items()):  # what glasstorch has imported so far
        if name.startswith("glasstorch."):
            sys.modules.setdefault("torch" + name[len("glasstorch"):], module)


def load_ipython_extension(ipython) -> None:
    """``%load_ext glasstorch``: unchanged ``import torch`` cells run on glasstorch."""
    install_as_torch()
    install_hooks()  # (again: the shell may not have existed when glasstorch was imported)
    ipython.push({"torch": sys.modules["torch"]}, interactive=False)
    print("glasstorch is now `torch` in this kernel: `import torch`, `import torch.nn as nn` "
          "and `from torch.utils.data import DataLoader` give glasstorch.")
