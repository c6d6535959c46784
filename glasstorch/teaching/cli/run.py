"""``glasstorch run script.py``: run an unchanged PyTorch script on glasstorch.

The script's ``import torch``, ``import torch.nn as nn`` and ``from torch.utils.data import
DataLoader`` all resolve to glasstorch, because ``torch`` and its submodules are registered in
``sys.modules`` as aliases of glasstorch's before the script starts.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import traceback


def alias_torch() -> None:
    """Make ``import torch`` (and its submodules) give glasstorch in this process."""
    from glasstorch._torch_alias import install_as_torch

    install_as_torch()


def register(sub) -> None:
    p = sub.add_parser(
        "run",
        help="run an unchanged PyTorch script on glasstorch",
        description="Run a Python script written for PyTorch on glasstorch: `import torch` "
        "and `from torch... import ...` inside it resolve to glasstorch. Everything after the "
        "script's path is passed to the script, as `python script.py ARGS` would.",
    )
    p.add_argument("script", help="path of the Python script to run")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    p.set_defaults(run=run)


def run(args) -> int:
    if "torch" in sys.modules and sys.modules["torch"].__name__ != "glasstorch":
        print("the real torch is already imported in this process", file=sys.stderr)
        return 2
    if not os.path.isfile(args.script):
        print(f"glasstorch run: can't open file '{args.script}': no such file", file=sys.stderr)
        return 2
    alias_torch()
    script_args = args.args[1:] if args.args[:1] == ["--"] else args.args
    sys.argv = [args.script, *script_args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))  # as `python script.py`
    try:
        runpy.run_path(args.script, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 - shown as Python would, from the script on
        _print_from_script(e, args.script)
        return 1
    return 0


def _print_from_script(e: BaseException, script: str) -> None:
    """The traceback as `python script.py` prints it: starting at the learner's script, not
    in glasstorch's runner or runpy."""
    tb = e.__traceback__
    target = os.path.abspath(script)
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) != target:
        tb = tb.tb_next
    # no frame of the script (a SyntaxError while compiling it): like Python, show no frames;
    # a SyntaxError still names the script's file and line itself
    traceback.print_exception(type(e), e, tb)
