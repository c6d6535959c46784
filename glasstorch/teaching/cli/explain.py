"""``glasstorch explain TERM``: a course term, the code that implements it, and a live demo.

The source code is read with :mod:`inspect` from the installed glasstorch files when the command
runs, so what you see is exactly what executes, with its file and line numbers.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import traceback

EXAMPLES = """\
examples:
  glasstorch explain backprop
  glasstorch explain learning rate        (several words are joined into one term)
  glasstorch explain nn.Linear --no-demo
  glasstorch explain relu --max-lines 20
  glasstorch glossary                     (the list of every term)
"""


def register(sub) -> None:
    p = sub.add_parser(
        "explain",
        help="explain a course term: definition, the code that implements it, a live demo",
        description="Explain one term of the course glossary: its definition in glasstorch's "
        "words, the source code of the glasstorch objects that implement it (read from the "
        "installed package at run time, with file and line numbers), and a small "
        "demonstration run on the spot with real numbers.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("term", nargs="+", metavar="TERM",
                   help="the term to explain. Case, spaces and punctuation do not matter and "
                   "common aliases work (relu, sgd, nn.Linear, backprop, mse, cross entropy); "
                   "several words are joined, so quotes are optional")
    p.add_argument("--no-source", action="store_true",
                   help="do not print the source code of the implementation")
    p.add_argument("--no-demo", action="store_true",
                   help="do not run the live demonstration")
    p.add_argument("--max-lines", type=int, default=0, metavar="N",
                   help="print at most N lines of each source object (default 0: all of it)")
    p.set_defaults(run=run)


def _heading(text: str, char: str = "-") -> list[str]:
    return [text, char * len(text)]


def run(args: argparse.Namespace) -> int:
    # the graph drawing uses box-drawing characters: never crash on a terminal without them
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    try:
        return _explain(args)
    except BrokenPipeError:  # `glasstorch explain x | head`: the reader left, that is fine
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _checks_called(dotted: str, lines: list[str]) -> str:
    """Where the ``_checks.NAME(...)`` functions called in ``lines`` are (file:line), or ''."""
    import inspect
    import re

    from glasstorch import glossary

    module = inspect.getmodule(glossary.resolve(dotted))
    found = []
    for name in dict.fromkeys(re.findall(r"\b_checks\.(\w+)\(", "".join(lines))):
        fn = getattr(getattr(module, "_checks", None), name, None)
        if fn is not None:
            found.append(f"_checks.{name} at {inspect.getsourcefile(fn)}:"
                         f"{inspect.getsourcelines(fn)[1]}")
    return "; ".join(found)


def _explain(args: argparse.Namespace) -> int:
    from glasstorch import glossary

    text = " ".join(args.term)
    term = glossary.lookup(text)
    if term is None:
        print(f"glasstorch explain: unknown term {text!r}.", file=sys.stderr)
        hints = glossary.close_matches(text)
        if hints:
            print("Did you mean: " + ", ".join(hints) + "?", file=sys.stderr)
        print("Run `glasstorch glossary` to see every term.", file=sys.stderr)
        return 2

    status = 0
    out: list[str] = []
    out += _heading(term.name, "=")
    out += textwrap.wrap(term.definition, 92, break_on_hyphens=False)
    out.append("")
    out += textwrap.wrap(term.explanation, 92, break_on_hyphens=False)
    out.append("")
    out += textwrap.wrap("Also found as: " + ", ".join(term.aliases), 92,
                         subsequent_indent="  ", break_on_hyphens=False)
    print("\n".join(out), flush=True)

    if not args.no_source:
        print()
        print("\n".join(_heading("Implemented by")))
        for dotted in term.implemented_by:
            print()
            try:
                path, start, lines = glossary.source_of(dotted)
            except Exception as e:  # a renamed object must not hide the rest of the answer
                print(f"{dotted}: could not read its source ({type(e).__name__}: {e})")
                status = 1
                continue
            end = start + len(lines) - 1
            print(f"{dotted}")
            print(f'  File "{path}", lines {start}-{end}')
            shown = lines if args.max_lines <= 0 else lines[: args.max_lines]
            width = len(str(end))
            for k, line in enumerate(shown):
                print(f"  {start + k:>{width}} | {line.rstrip()}")
            if len(shown) < len(lines):
                print(f"  ... {len(lines) - len(shown)} more lines (--max-lines 0 shows all)")
            checks = _checks_called(dotted, lines)
            if checks:
                print(f"  Argument checks: {checks}")

    if not args.no_demo:
        print()
        print("\n".join(_heading("Live demonstration")))
        try:
            term.demo(print)
        except Exception:
            print("the demonstration failed:", file=sys.stderr)
            traceback.print_exc()
            status = 1
    return status
