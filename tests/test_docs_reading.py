"""docs/reading.md points at code that exists: every `file`, `Name` pair it gives names a
class or function (or method, as Class.method) defined in that file."""

from __future__ import annotations

import ast
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAIR = re.compile(r"`((?:glasstorch/)?[\w/<>]+\.py)`,\s+`([\w.]+)`")


def _defined(path: str) -> set[str]:
    tree = ast.parse(open(path, encoding="utf-8").read())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
            if isinstance(node, ast.ClassDef):
                names |= {f"{node.name}.{m.name}" for m in node.body
                          if isinstance(m, ast.FunctionDef)}
    return names


def test_every_stop_of_the_reading_orders_exists():
    text = open(os.path.join(ROOT, "docs", "reading.md"), encoding="utf-8").read()
    pairs = PAIR.findall(text.replace("\n   ", " ").replace("\n  ", " "))
    assert len(pairs) >= 10
    for rel, name in pairs:
        rel = rel if rel.startswith("glasstorch/") else f"glasstorch/{rel}"
        path = os.path.join(ROOT, rel)
        assert os.path.isfile(path), rel
        assert name in _defined(path), f"{name} is not defined in {rel}"
