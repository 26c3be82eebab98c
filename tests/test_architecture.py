"""Dependencies point one way (DESIGN.md): app.py -> assistant; ingest -> assistant; evals -> both."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _violations(package: str, forbidden: set[str]) -> list[str]:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        hit = _imports(path) & forbidden
        if hit:
            bad.append(f"{path.relative_to(ROOT)} imports {sorted(hit)}")
    return bad


def test_assistant_imports_neither_app_evals_nor_streamlit_core() -> None:
    # ingest is allowed only in the CLI's ingest command (the entry point that runs it)
    bad = [v for v in _violations("assistant", {"app", "evals", "ingest"}) if not v.startswith(("assistant/cli/", "assistant/ui/"))]
    assert bad == []


def test_ingest_depends_only_on_assistant() -> None:
    assert _violations("ingest", {"app", "evals"}) == []


def test_nothing_imports_app_or_evals() -> None:
    bad = _violations("assistant", {"app"}) + _violations("ingest", {"app"}) + _violations("evals", {"app"})
    assert bad == []


def test_streamlit_only_in_the_ui() -> None:
    bad = [v for v in _violations("assistant", {"streamlit"}) if not v.startswith("assistant/ui/")]
    assert bad + _violations("ingest", {"streamlit"}) == []
