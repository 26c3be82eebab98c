"""Shared fixtures for the UI tests: a store built from the small fixture knowledge, and page runners."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def build_store(store: Path, *sources: Path) -> None:
    """Ingest ``sources`` (default: the small fixture knowledge) into ``store`` with the hashing embedder."""
    from assistant.embeddings import load_embedder
    from assistant.settings import EmbeddingSettings, StoreSettings
    from assistant.store import Store
    from ingest.pipeline import ingest_paths

    target = Store(StoreSettings(path=store), create=True)
    try:
        report = ingest_paths(list(sources) or [FIXTURES / "knowledge_small"], target, load_embedder(EmbeddingSettings(model="hashing:256")))
    finally:
        target.close()
    assert not report.rejected, report.rejected


@pytest.fixture
def ui_store(store_env: Path) -> Path:
    """A fresh store per test, named by STACKWISE_STORE (set by ``store_env``)."""
    build_store(store_env)
    return store_env


def page(name: str) -> AppTest:
    """An AppTest running one page of assistant/ui on its own (no navigation)."""
    return AppTest.from_string(f"from assistant.ui import pages_{name}\npages_{name}.render()\n", default_timeout=120)


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r} among {[b.label for b in at.button]}"
    return matches[0]


def texts(at: AppTest) -> str:
    """All Markdown, captions and alerts of a run, joined (to assert on what a user reads)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [a.value for kind in (at.success, at.error, at.warning, at.info) for a in kind]
    return "\n".join(str(p) for p in parts)
