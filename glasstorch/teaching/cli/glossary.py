"""``glasstorch glossary``: every term of the course with a one-line definition."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser(
        "glossary",
        help="list every course term with a one-line definition",
        description="List every term of the course glossary with its one-line definition. "
        "Use `glasstorch explain TERM` for the code behind a term and a live demonstration.",
    )
    p.add_argument("--aliases", action="store_true",
                   help="also show the other names each term is found by "
                   "(what `glasstorch explain` accepts)")
    p.add_argument("--markdown", action="store_true",
                   help="print the full glossary as Markdown (the source of docs/glossary.md) "
                   "instead of the one-line list")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from glasstorch.glossary import TERMS, markdown

    if args.markdown:
        print(markdown(), end="")
        return 0
    width = max(len(t.name) for t in TERMS)
    for t in TERMS:
        print(f"{t.name:<{width}}  {t.definition}")
        if args.aliases:
            print(f"{'':<{width}}  also: {', '.join(t.aliases)}")
    print(f"\n{len(TERMS)} terms. `glasstorch explain TERM` shows the code behind one and "
          "runs a demo.")
    return 0
