"""The README stays a five-minute read, and every page of the documentation is reachable
from it by following links."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


def _reachable_from(start: Path) -> set[Path]:
    seen: set[Path] = set()
    todo = [start.resolve()]
    while todo:
        page = todo.pop()
        if page in seen or not page.exists():
            continue
        seen.add(page)
        todo += [(page.parent / target).resolve() for target in LINK.findall(page.read_text())]
    return seen


def test_the_readme_is_under_120_lines_and_names_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) < 120
    assert "make run" in readme and "make test" in readme


def test_every_documentation_page_is_reachable_from_the_readme():
    pages = {page.resolve() for page in (ROOT / "docs").rglob("*.md")}
    assert (
        sorted(str(p.relative_to(ROOT)) for p in pages - _reachable_from(ROOT / "README.md")) == []
    )
