"""glasstorch/teaching/: the add-ons beside the framework.

Checked: the framework never imports the package except the one line at the end of
glasstorch/__init__.py; `import glasstorch` loads only the coach; every old import path
(glasstorch.coach, .glossary, .viz, .metrics, .labs[.X], .cli[.X]) gives the very module of the
new home, whatever is imported first; the command still starts from `python -m glasstorch`,
glasstorch.__main__.main and the console script's target; the hook points the coach uses
(autograd.graph's forward observers with nodes= and anomaly_mode_only=) behave as documented.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glasstorch
from glasstorch.teaching import OLD_NAMES
from glasstorch.teaching.cli import SUBCOMMANDS
from glasstorch.teaching.labs import LABS

ROOT = Path(glasstorch.__file__).resolve().parent.parent
PKG = ROOT / "glasstorch"
OLD_MODULES = [*OLD_NAMES, "labs._common", *(f"labs.{m}" for m in LABS.values()),
               *(f"cli.{name}" for name in SUBCOMMANDS)]


def _python(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


# -- the framework does not know the teaching package ------------------------------------------


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import statement in ``path``."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    package = parts[:-1]  # (for __init__.py too: its parts end with "__init__")
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1]) if node.level else ""
            module = ".".join(filter(None, [base, node.module or ""]))
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def test_the_framework_imports_the_teaching_package_once():
    """Only the last line of glasstorch/__init__.py (and glasstorch/__main__.py, which runs the
    command) reach into glasstorch.teaching, by the new name or an old one."""
    teaching = ("glasstorch.teaching", *(f"glasstorch.{name}" for name in OLD_NAMES))
    uses = []
    for path in sorted(PKG.rglob("*.py")):
        if PKG / "teaching" in path.parents:
            continue
        for line, module in _imports(path):
            if module in teaching or module.startswith(tuple(t + "." for t in teaching)):
                uses.append((path.relative_to(ROOT).as_posix(), line))
    init_lines = (PKG / "__init__.py").read_text(encoding="utf-8").splitlines()
    last = max(i for i, text in enumerate(init_lines, 1) if text.strip())
    assert {u[0] for u in uses} == {"glasstorch/__init__.py", "glasstorch/__main__.py"}, uses
    assert [u for u in uses if u[0] == "glasstorch/__init__.py"] == \
        [("glasstorch/__init__.py", last)] * 3  # one line: the package, coach, old_path


def test_import_glasstorch_loads_only_the_coach():
    out = _python("import sys, glasstorch\n"
                  "print(sorted(m for m in sys.modules if m.startswith('glasstorch.teaching')"
                  " or m.split('.')[0] in ('matplotlib', 'tqdm')))")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['glasstorch.teaching', 'glasstorch.teaching.coach']"


# -- old paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["old", "new"])
def test_old_paths_are_the_same_modules(first):
    """Imported by the old name or the new one, in either order: one module object each, and
    no file executed twice."""
    names = [f"glasstorch.{n}" for n in OLD_MODULES]
    new = [f"glasstorch.teaching.{n}" for n in OLD_MODULES]
    order = names + new if first == "old" else new + names
    code = ("import importlib, sys, glasstorch\n"
            f"for name in {order!r}:\n"
            "    importlib.import_module(name)\n"
            f"print([o for o, n in zip({names!r}, {new!r}) if sys.modules[o] is not"
            " sys.modules[n]])\n"
            "by_file = {}\n"
            "for key, module in list(sys.modules.items()):\n"
            "    if key.startswith('glasstorch') and getattr(module, '__file__', None):\n"
            "        by_file.setdefault(module.__file__, set()).add(id(module))\n"
            "print(sorted(f for f, ids in by_file.items() if len(ids) > 1))\n")
    out = _python(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["[]", "[]"], out.stdout


def test_old_paths_in_process():
    import glasstorch.cli.explain
    import glasstorch.labs.momentum
    import glasstorch.teaching as teaching
    from glasstorch import coach, glossary, labs, metrics, viz

    assert coach is teaching.coach and glossary is teaching.glossary
    assert viz is teaching.viz and metrics is teaching.metrics and labs is teaching.labs
    assert glasstorch.labs.momentum is teaching.labs.momentum is labs.get("momentum")
    assert glasstorch.cli.explain is teaching.cli.explain
    for name in OLD_NAMES:
        assert getattr(glasstorch, name) is getattr(teaching, name)
    assert glasstorch.coach.CoachWarning is teaching.coach.CoachWarning
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        glasstorch.nothing  # noqa: B018
    with pytest.raises(ModuleNotFoundError, match="glasstorch.labs.nothing"):
        import glasstorch.labs.nothing  # noqa: F401


def test_pickled_objects_load_from_the_old_path():
    import pickle

    from glasstorch.teaching.metrics import accuracy

    old = pickle.dumps(accuracy, protocol=0).replace(b"glasstorch.teaching.metrics",
                                                     b"glasstorch.metrics")
    assert pickle.loads(old) is accuracy


# -- the command ------------------------------------------------------------------------------


def test_the_command_starts_from_every_entry_point(capsys):
    import glasstorch.__main__ as dunder_main

    script = re.search(r'^glasstorch = "(.+)"$', (ROOT / "pyproject.toml").read_text(),
                       re.MULTILINE)
    module, _, func = script.group(1).partition(":")
    entry = getattr(__import__(module, fromlist=[func]), func)
    for main in (entry, dunder_main.main):
        assert main(["glossary"]) == 0
        assert "terms. `glasstorch explain TERM`" in capsys.readouterr().out
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-m", "glasstorch", "--version"], capture_output=True,
                         text=True, cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 0 and out.stdout.startswith("glasstorch "), out.stderr


# -- the hook points the coach uses -------------------------------------------------------------


def test_forward_observer_for_some_nodes():
    """nodes=: called after those operations (and their subclasses' ones), never after others;
    handle.remove() restores what the other operations pay (nothing)."""
    from glasstorch._ops.pointwise.nodes import ExpBackward0, MulBackward0
    from glasstorch.autograd.graph import register_forward_observer
    from glasstorch.nn._ops.loss import NllLoss2DBackward0, NllLossBackward0

    before = NllLoss2DBackward0._forward_observers  # (the coach's)
    seen = []
    x = glasstorch.ones(2, 3, requires_grad=True)
    with register_forward_observer(lambda node, inputs, out: seen.append(
            (type(node).__name__, len(inputs), type(out).__name__)),
            nodes=[MulBackward0, NllLossBackward0]):
        assert ExpBackward0._forward_observers == ()
        with glasstorch.no_grad():
            x * 2  # in grad mode or not
        y = (x * x).exp()
        glasstorch.nn.functional.nll_loss(y.log_softmax(1), glasstorch.tensor([0, 1]))
        glasstorch.nn.functional.nll_loss(glasstorch.ones(1, 3, 2, 2),
                                          glasstorch.zeros(1, 2, 2, dtype=glasstorch.long))
    (x * 2).sum()
    assert seen == [("MulBackward0", 2, "ndarray"), ("MulBackward0", 2, "ndarray"),
                    ("NllLossBackward0", 1, "ndarray"), ("NllLoss2DBackward0", 1, "ndarray")]
    assert MulBackward0._forward_observers == () and \
        NllLoss2DBackward0._forward_observers == before


def test_forward_observer_in_anomaly_mode_only():
    from glasstorch.autograd.graph import register_forward_observer

    seen = []
    a = glasstorch.tensor([1.0, 2.0])
    handle = register_forward_observer(lambda node, inputs, out: seen.append(out.copy()),
                                       anomaly_mode_only=True)
    try:
        a + 1
        with glasstorch.autograd.set_detect_anomaly(True):
            a + 2
            with glasstorch.autograd.set_detect_anomaly(False):
                a + 3
            a + 4
        a + 5
    finally:
        handle.remove()
    with glasstorch.autograd.set_detect_anomaly(True):
        a + 6
    assert [s.tolist() for s in seen] == [[3.0, 4.0], [5.0, 6.0]]


def test_every_op_observer_and_order():
    """Observers of every op and of some ops run in the order they were registered."""
    from glasstorch._ops.pointwise.nodes import MulBackward0
    from glasstorch.autograd.graph import register_forward_observer

    seen = []
    h1 = register_forward_observer(lambda n, i, o: seen.append(("all", type(n).__name__)))
    h2 = register_forward_observer(lambda n, i, o: seen.append(("mul", type(n).__name__)),
                                   nodes=(MulBackward0,))
    h3 = register_forward_observer(lambda n, i, o: seen.append(("all 2", type(n).__name__)))
    try:
        t = glasstorch.tensor([1.0])
        t * 2
        t + 2
    finally:
        for h in (h1, h2, h3):
            h.remove()
    t * 3
    assert seen == [("all", "MulBackward0"), ("mul", "MulBackward0"), ("all 2", "MulBackward0"),
                    ("all", "AddBackward0"), ("all 2", "AddBackward0")]
    assert np.array_equal((t * 2).numpy(), [2.0])
