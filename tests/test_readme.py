"""README.md and docs/*.md: every relative link points at a file that exists, and the README's
Python code blocks run (on glasstorch, with the coach's warnings and all)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_CODE = re.compile(r"^```.*?^```", re.S | re.M)


def _links(page: Path) -> list[str]:
    text = _CODE.sub("", page.read_text(encoding="utf-8"))  # links in code are code
    text = re.sub(r"`[^`\n]*`", "", text)
    return [m.group(1) for m in _LINK.finditer(text)]


def _relative(target: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) and not target.startswith("#")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_exist(page):
    missing = []
    for target in filter(_relative, _links(page)):
        path = (page.parent / unquote(target.split("#", 1)[0])).resolve()
        if not path.exists():
            missing.append(target)
    assert not missing, f"{page.name}: {missing}"


def test_the_readme_links_the_pages_it_promises():
    links = set(_links(ROOT / "README.md"))
    for page in ("docs/mistakes.md", "docs/datasets.md", "docs/jupyter.md", "docs/cli.md",
                 "docs/autograd.md", "docs/checkpoints.md", "docs/coverage.md"):
        assert page in links, page


def _python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)


@pytest.mark.parametrize("index", range(len(_python_blocks())))
def test_readme_python_blocks_run(index, capsys):
    code = _python_blocks()[index]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a README example that warns is a bad example
        exec(compile(code, f"README.md block {index}", "exec"), {"__name__": "__readme__"})
    capsys.readouterr()


def test_the_two_commands_are_unchanged():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert '```bash\npython -m pip install ".[cli]" && glasstorch train\n```' in text
    assert '```bash\npython -m pip install -e ".[test]" && python -m pytest -n 2\n```' in text


def test_every_bundled_dataset_is_in_the_readme_table():
    from glasstorch import datasets

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in datasets.available():
        loader = "load_" + name if name in datasets.available("real") else "make_" + name
        assert f"`{loader}()`" in text, loader
    assert "`load_names()`" in text
