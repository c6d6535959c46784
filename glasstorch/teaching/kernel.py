"""The Jupyter kernel "Python 3 (glasstorch as torch)": unchanged PyTorch notebooks on glasstorch.

A Jupyter *kernel* is the process that runs a notebook's cells; a *kernelspec* is a directory
holding ``kernel.json``, which tells Jupyter the command that starts it. Ours starts

    python -m glasstorch.teaching.kernel -f {connection_file}

which makes ``import torch`` give glasstorch for the whole process (``install_as_torch``) and
then hands over to the ordinary IPython kernel (``ipykernel``). So in a notebook on this kernel
``import torch``, ``import torch.nn as nn`` and ``from torch.utils.data import DataLoader`` all
resolve to glasstorch from the first cell on.

``glasstorch kernel install`` writes the kernelspec (see ``glasstorch/teaching/cli/kernel.py``);
this module also holds the functions that find, write and remove it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

__all__ = ["KERNEL_NAME", "DISPLAY_NAME", "kernel_json", "kernels_dir", "install",
           "uninstall", "main"]

KERNEL_NAME = "glasstorch"
DISPLAY_NAME = "Python 3 (glasstorch as torch)"


def kernel_json(python: str | None = None, display_name: str = DISPLAY_NAME) -> dict:
    """The contents of ``kernel.json``: start this module with ``python`` (this interpreter)."""
    return {
        "argv": [python or sys.executable, "-m", "glasstorch.teaching.kernel",
                 "-f", "{connection_file}"],
        "display_name": display_name,
        "language": "python",
        "metadata": {"debugger": True},
    }


def _user_data_dir() -> Path:
    """Jupyter's per-user data directory (where ``jupyter --data-dir`` points)."""
    try:
        from jupyter_core.paths import jupyter_data_dir
    except ImportError:  # Jupyter not installed here: the same rules, written out
        if os.environ.get("JUPYTER_DATA_DIR"):
            return Path(os.environ["JUPYTER_DATA_DIR"])
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Jupyter"
        if os.name == "nt":
            return Path(os.environ.get("APPDATA", Path.home())) / "jupyter"
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(xdg) / "jupyter"
    return Path(jupyter_data_dir())


def kernels_dir(user: bool = False, prefix: str | os.PathLike | None = None) -> Path:
    """Where kernelspecs go: ``PREFIX/share/jupyter/kernels`` for a prefix (the default prefix
    is this Python environment, ``sys.prefix``), or the per-user directory."""
    if user:
        return _user_data_dir() / "kernels"
    return Path(prefix if prefix is not None else sys.prefix) / "share" / "jupyter" / "kernels"


def install(name: str = KERNEL_NAME, user: bool = False,
            prefix: str | os.PathLike | None = None,
            display_name: str = DISPLAY_NAME) -> Path:
    """Write the kernelspec ``<kernels dir>/<name>/kernel.json``; returns its directory.
    An existing spec of that name is replaced."""
    if not name or any(c in name for c in "/\\ ") or name in (".", ".."):
        raise ValueError(f"invalid kernel name {name!r}: use letters, digits, '-', '_' or '.'")
    target = kernels_dir(user, prefix) / name.lower()  # Jupyter lower-cases kernel names
    target.mkdir(parents=True, exist_ok=True)
    spec = json.dumps(kernel_json(display_name=display_name), indent=1) + "\n"
    (target / "kernel.json").write_text(spec, encoding="utf-8")
    return target


def uninstall(name: str = KERNEL_NAME, user: bool = False,
              prefix: str | os.PathLike | None = None) -> Path | None:
    """Remove the kernelspec directory written by :func:`install`; returns it, or None if there
    was none. Only a directory whose kernel.json starts this module is removed."""
    target = kernels_dir(user, prefix) / name.lower()
    spec = target / "kernel.json"
    if not spec.is_file():
        return None
    try:
        argv = json.loads(spec.read_text(encoding="utf-8")).get("argv", [])
    except (OSError, ValueError):
        argv = []
    if "glasstorch.teaching.kernel" not in argv:  # someone else's kernel of that name
        raise ValueError(f"{target} is not a glasstorch kernel (its kernel.json does not "
                         "start glasstorch.teaching.kernel); not removing it")
    shutil.rmtree(target)
    return target


def main(argv: list[str] | None = None) -> None:
    """Start the kernel: glasstorch becomes ``torch``, then the ordinary IPython kernel runs."""
    from glasstorch._torch_alias import install_as_torch

    install_as_torch()
    try:
        from ipykernel.kernelapp import IPKernelApp
    except ImportError:
        sys.exit("the glasstorch kernel needs ipykernel: pip install \"glasstorch[notebook]\"")
    IPKernelApp.launch_instance(argv=sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
