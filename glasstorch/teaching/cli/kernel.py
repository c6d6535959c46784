"""``glasstorch kernel install|uninstall``: the Jupyter kernel "Python 3 (glasstorch as torch)".

In a notebook on that kernel, unchanged PyTorch code (``import torch``, ``import torch.nn as
nn``, ``from torch.utils.data import DataLoader``) runs on glasstorch. The kernel itself is in
``glasstorch/teaching/kernel.py``.
"""

from __future__ import annotations

import argparse
import sys


def register(sub) -> None:
    p = sub.add_parser(
        "kernel",
        help="install the Jupyter kernel 'Python 3 (glasstorch as torch)'",
        description="Install or remove a Jupyter kernel in which `import torch` gives "
        "glasstorch, so unchanged PyTorch notebooks run on glasstorch. By default it goes into "
        "this Python environment (seen by a Jupyter installed in the same environment); "
        "--user puts it in your own Jupyter directory, seen by every Jupyter you start.",
    )
    p.add_argument("action", choices=("install", "uninstall"), help="what to do")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true",
                       help="your per-user Jupyter directory (e.g. ~/.local/share/jupyter)")
    where.add_argument("--prefix", metavar="P", default=None,
                       help="the directory P/share/jupyter/kernels (default: this Python's "
                       "sys.prefix)")
    p.add_argument("--name", metavar="N", default=None,
                   help="the kernel's name (default: glasstorch)")
    p.add_argument("--display-name", metavar="TEXT", default=None,
                   help="the name Jupyter shows in its kernel menu (default: 'Python 3 "
                   "(glasstorch as torch)')")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from glasstorch.teaching import kernel

    name = args.name or kernel.KERNEL_NAME
    if args.action == "install":
        try:
            path = kernel.install(name, user=args.user, prefix=args.prefix,
                                  display_name=args.display_name or kernel.DISPLAY_NAME)
        except (OSError, ValueError) as e:
            print(f"glasstorch kernel install: {e}", file=sys.stderr)
            return 1
        print(f"installed the Jupyter kernel '{args.display_name or kernel.DISPLAY_NAME}' "
              f"(name {name.lower()}) in {path}")
        try:
            import ipykernel  # noqa: F401
        except ImportError:
            print("note: the kernel needs ipykernel to start: pip install "
                  "\"glasstorch[notebook]\"", file=sys.stderr)
        return 0
    try:
        path = kernel.uninstall(name, user=args.user, prefix=args.prefix)
    except (OSError, ValueError) as e:
        print(f"glasstorch kernel uninstall: {e}", file=sys.stderr)
        return 1
    if path is None:
        where = kernel.kernels_dir(args.user, args.prefix) / name.lower()
        print(f"glasstorch kernel uninstall: no kernel named {name.lower()} in {where.parent}",
              file=sys.stderr)
        return 1
    print(f"removed the Jupyter kernel {name.lower()} from {path}")
    return 0
