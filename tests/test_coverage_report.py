"""docs/coverage.md is what ``python tools/coverage_report.py`` makes of the installed PyTorch and
this glasstorch (regenerate it with that command after adding names)."""

from __future__ import annotations

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _tool():
    path = os.path.join(ROOT, "tools", "coverage_report.py")
    spec = importlib.util.spec_from_file_location("coverage_report", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_report_is_current():
    with open(os.path.join(ROOT, "docs", "coverage.md"), encoding="utf-8") as f:
        committed = f.read()
    assert committed == _tool().render(), (
        "docs/coverage.md is out of date: run `python tools/coverage_report.py`")


def test_counts_add_up():
    for title, _, have, missing in _tool().survey():
        assert not set(have) & set(missing), title
        assert have == sorted(have) and missing == sorted(missing), title
