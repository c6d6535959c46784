"""The ``glasstorch`` command: train, predict, evaluate, glossary, explain, lab, run, kernel.

Each subcommand lives in its own module with a ``register(subparsers)`` function that adds its
arguments and a ``run(args)`` function that does the work.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

SUBCOMMANDS = ("train", "predict", "evaluate", "glossary", "explain", "lab", "run", "kernel")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glasstorch",
        description="glasstorch: PyTorch made of glass. Train a model, look up a term of the "
        "course with the code that implements it, or run a lab that shows a concept.",
    )
    from glasstorch.version import glasstorch as release

    parser.add_argument("--version", action="version",
                        version=f"glasstorch {release} (the API of PyTorch 2.13; CPU, NumPy)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for matrix products (NumPy's BLAS); one is fastest for "
                        "course-sized models, more can help for large layers")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f".{name}", __name__).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from glasstorch._threads import set_num_threads

    set_num_threads(args.threads)
    try:
        return int(args.run(args) or 0)
    except BrokenPipeError:
        # the reader went away (`glasstorch ... | head`): stop quietly. Point stdout at devnull
        # so that Python's final flush at exit does not raise the same error again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        # commands without their own Ctrl-C handling (train has one): no traceback
        print("\ninterrupted", file=sys.stderr)
        return 130
