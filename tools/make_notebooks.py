"""Write the course as Jupyter notebooks: course/*.py -> course/notebooks/*.ipynb.

The chapters are Python scripts in jupytext's "percent" format: ``# %%`` starts a code cell,
``# %% [markdown]`` a text cell whose lines are comments. This tool turns each one into a
notebook (nbformat 4.5, no outputs) with only the standard library, so the notebooks can be
rebuilt anywhere and always come out byte for byte the same.

    python tools/make_notebooks.py          # (re)write the notebooks
    python tools/make_notebooks.py --check  # exit 1 if a notebook is missing or out of date

The .py files are the source: edit them, then run this tool. tests/test_notebooks.py fails
when the two disagree.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
OUT = COURSE / "notebooks"
# which scripts become notebooks, and where (relative to course/notebooks/)
SOURCES = sorted(COURSE.glob("[0-9][0-9]_*.py")) + sorted((COURSE / "extras").glob("*.py"))

_MARKER = re.compile(r"^# %%(?P<title>[^\[]*?)\s*(?:\[(?P<kind>\w+)\])?\s*$")


def notebook_path(source: Path) -> Path:
    return OUT / source.relative_to(COURSE).with_suffix(".ipynb")


def _strip_header(lines: list[str]) -> list[str]:
    """Drop jupytext's YAML header (a ``# ---`` ... ``# ---`` comment block at the top)."""
    if lines and lines[0].strip() == "# ---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "# ---":
                return lines[i + 1:]
    return lines


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _uncomment(lines: list[str], where: str) -> list[str]:
    out = []
    for line in lines:
        if line.strip() and not line.startswith("#"):
            raise ValueError(f"{where}: a markdown cell has a line that is not a comment: "
                             f"{line!r}")
        out.append(line[2:] if line.startswith("# ") else line[1:])
    return out


def cells(text: str, where: str = "<source>") -> list[tuple[str, str]]:
    """The (cell type, source) pairs of a percent-format script, in order."""
    chunks: list[tuple[str, list[str]]] = []
    kind, body = "code", []
    for line in _strip_header(text.splitlines()):
        m = _MARKER.match(line)
        if m:
            chunks.append((kind, body))
            kind = "markdown" if m.group("kind") in ("markdown", "md") else "code"
            body = []
        else:
            body.append(line)
    chunks.append((kind, body))
    out = []
    for kind, body in chunks:
        body = _trim(body)
        if not body:
            continue
        if kind == "markdown":
            body = _trim(_uncomment(body, where))
        out.append((kind, "\n".join(body)))
    return out


def _lines(source: str) -> list[str]:
    """A cell's source as nbformat stores it: a list of lines, each with its newline but the
    last."""
    parts = source.split("\n")
    return [p + "\n" for p in parts[:-1]] + [parts[-1]]


def notebook(source: Path) -> dict:
    """The notebook for one course script, as a JSON-ready dict."""
    where = str(source.relative_to(ROOT))
    nb_cells = []
    for i, (kind, text) in enumerate(cells(source.read_text(encoding="utf-8"), where)):
        cell = {"cell_type": kind, "id": f"cell-{i:03d}", "metadata": {},
                "source": _lines(text)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        nb_cells.append(cell)
    return {
        "cells": nb_cells,
        "metadata": {
            "glasstorch": {"generated_from": source.relative_to(ROOT).as_posix(),
                           "by": "tools/make_notebooks.py"},
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                           "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def render(source: Path) -> str:
    # the layout Jupyter itself writes (indent 1, sorted keys), so saving is a small diff
    return json.dumps(notebook(source), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a notebook is missing or out of date")
    args = parser.parse_args(argv)
    expected = {notebook_path(s): render(s) for s in SOURCES}
    stale = [p for p, text in expected.items()
             if not p.is_file() or p.read_text(encoding="utf-8") != text]
    extra = [p for p in sorted(OUT.rglob("*.ipynb"))
             if p not in expected and ".ipynb_checkpoints" not in p.parts]
    if args.check:
        for p in stale:
            print(f"out of date: {p.relative_to(ROOT)}")
        for p in extra:
            print(f"no source for: {p.relative_to(ROOT)}")
        if stale or extra:
            print("run `python tools/make_notebooks.py` to rebuild the notebooks")
            return 1
        print(f"{len(expected)} notebooks up to date")
        return 0
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(expected[p], encoding="utf-8")
        print(f"wrote {p.relative_to(ROOT)}")
    for p in extra:
        print(f"note: {p.relative_to(ROOT)} has no source .py (left in place)")
    print(f"{len(expected)} notebooks, {len(stale)} rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
