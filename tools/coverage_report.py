"""Which of PyTorch's public names glasstorch has, namespace by namespace: docs/coverage.md.

    python tools/coverage_report.py            # rewrite docs/coverage.md
    python tools/coverage_report.py --check    # exit 1 if docs/coverage.md is out of date
    python tools/coverage_report.py --stdout   # print it instead

PyTorch (the installed oracle, 2.13) gives the list of names; a name counts as implemented
when the matching glasstorch namespace has an attribute of that name. The output depends only
on the two libraries, so the same code gives the same file (tests/test_coverage_report.py
checks the committed one is current).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import textwrap
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "docs", "coverage.md")

# (title, PyTorch module or class, glasstorch path, how PyTorch's public names are chosen)
NAMESPACES = [
    ("torch", "torch", "glasstorch", "`torch.__all__`, without the C++ binding classes of the "
     "JIT and the runtime (`torch.Graph`, `torch.Stream` ...)"),
    ("torch.Tensor", "torch.Tensor", "glasstorch.Tensor", "attributes of `torch.Tensor` not "
     "starting with `_` (methods and properties)"),
    ("torch.nn", "torch.nn", "glasstorch.nn", "the classes in `torch.nn` (modules, `Parameter`, "
     "`Buffer`)"),
    ("torch.nn.functional", "torch.nn.functional", "glasstorch.nn.functional", "the functions "
     "in `torch.nn.functional` (not its imports from `typing` or PyTorch's internals)"),
    ("torch.nn.init", "torch.nn.init", "glasstorch.nn.init", "`torch.nn.init.__all__`"),
    ("torch.linalg", "torch.linalg", "glasstorch.linalg", "the functions and classes in "
     "`torch.linalg`"),
    ("torch.optim", "torch.optim", "glasstorch.optim", "`torch.optim.__all__`, without "
     "submodules"),
    ("torch.optim.lr_scheduler", "torch.optim.lr_scheduler", "glasstorch.optim.lr_scheduler",
     "`torch.optim.lr_scheduler.__all__`"),
    ("torch.utils.data", "torch.utils.data", "glasstorch.utils.data",
     "`torch.utils.data.__all__`, without `_` names"),
    ("torch.autograd", "torch.autograd", "glasstorch.autograd", "`torch.autograd.__all__`"),
]

# PyTorch's helpers that nn.functional imports (its own namespace shows them, they are not API)
_NOT_API_MODULES = ("typing", "torch.overrides", "torch._jit_internal")


def _resolve(path: str):
    """The object at a dotted path (a module, or a class in one); None if glasstorch lacks it."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for p in parts[i:]:
            obj = getattr(obj, p, None)
            if obj is None:
                return None
        return obj
    return None


def torch_names(title: str, obj) -> list[str]:
    """PyTorch's public names in one namespace (the rule is in NAMESPACES' last column)."""
    names = getattr(obj, "__all__", None)
    if title == "torch":
        return sorted(n for n in names if type(getattr(obj, n, None)).__name__ != "pybind11_type")
    if title == "torch.Tensor":
        return sorted(n for n in dir(obj) if not n.startswith("_"))
    if names is not None:
        return sorted(n for n in names if not n.startswith("_")
                      and not isinstance(getattr(obj, n, None), types.ModuleType))
    public = [(n, getattr(obj, n)) for n in dir(obj) if not n.startswith("_")]
    if title == "torch.nn":
        return sorted(n for n, o in public if isinstance(o, type))
    if title == "torch.nn.functional":
        return sorted(n for n, o in public if callable(o) and not isinstance(o, type) and
                      not (getattr(o, "__module__", None) or "").startswith(_NOT_API_MODULES))
    return sorted(n for n, o in public if callable(o))


def survey() -> list[tuple[str, str, list[str], list[str]]]:
    """(title, rule, implemented names, missing names) per namespace."""
    rows = []
    for title, torch_path, glass_path, rule in NAMESPACES:
        ours = _resolve(glass_path)
        names = torch_names(title, _resolve(torch_path))
        have = [n for n in names if ours is not None and hasattr(ours, n)]
        rows.append((title, rule, have, [n for n in names if n not in set(have)]))
    return rows


def _names(names: list[str]) -> str:
    text = ", ".join(f"`{n}`" for n in names) or "(none)"
    return "\n".join(textwrap.wrap(text, 100, break_long_words=False, break_on_hyphens=False))


def render() -> str:
    """docs/coverage.md, from the installed PyTorch and this glasstorch."""
    import torch

    rows = survey()
    total = sum(len(h) + len(m) for _, _, h, m in rows)
    have = sum(len(h) for _, _, h, _ in rows)
    out = [
        "# PyTorch API coverage",
        "",
        f"Which of PyTorch {torch.__version__.split('+')[0]}'s public names glasstorch has, "
        "namespace by namespace. Generated by `python tools/coverage_report.py` from the "
        "installed PyTorch and this glasstorch: do not edit by hand (tests/test_coverage_report.py "
        "checks it is current). A name counts when glasstorch's namespace has it; what it does "
        "is checked by the differential tests, not here.",
        "",
        "| namespace | PyTorch names | in glasstorch | coverage |",
        "|---|---:|---:|---:|",
    ]
    for title, _, h, m in rows:
        n = len(h) + len(m)
        out.append(f"| `{title}` | {n} | {len(h)} | {100 * len(h) / max(n, 1):.1f}% |")
    out += [f"| **all** | {total} | {have} | {100 * have / max(total, 1):.1f}% |", ""]
    out += [
        "Arguments: NumPy's `axis` and `keepdims` are taken wherever PyTorch's argument parser "
        "takes `dim` and `keepdim`. Its other NumPy spellings (`x`, `a`, `x1` for `input`; `x2` "
        "for `other`, as in `torch.sum(a=t)`) are not: they would cost every op, `a + b` "
        "included, a catch-all argument.",
        "",
    ]
    for title, rule, h, m in rows:
        out += [f"## `{title}`", "", f"PyTorch's names: {rule}.", "",
                f"**In glasstorch ({len(h)}):**", "", _names(h), "",
                f"**Not in glasstorch ({len(m)}):**", "", _names(m), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if docs/coverage.md is stale")
    parser.add_argument("--stdout", action="store_true", help="print instead of writing")
    args = parser.parse_args(argv)
    sys.path.insert(0, ROOT)  # this checkout's glasstorch
    text = render()
    if args.stdout:
        print(text, end="")
        return 0
    if args.check:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{OUT} is out of date: run python tools/coverage_report.py")
                return 1
        return 0
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(OUT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
