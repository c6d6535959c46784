"""The ``glasstorch`` command: train, glossary, explain, lab.

Each subcommand lives in its own module with a ``register(subparsers)`` function that adds its
arguments and a ``run(args)`` function that does the work.
"""

from __future__ import annotations

import argparse
import importlib

SUBCOMMANDS = ("train", "glossary", "explain", "lab", "run")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glasstorch",
        description="glasstorch: PyTorch made of glass. Train a model, look up a term of the "
        "course with the code that implements it, or run a lab that shows a concept.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return int(args.run(args) or 0)
