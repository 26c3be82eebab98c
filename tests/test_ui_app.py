"""The app entry point: navigation with every page, and a friendly error without a store."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_ui_support import page, ui_store  # noqa: F401 - a fixture, used by name

APP = Path(__file__).resolve().parents[1] / "app.py"


@pytest.mark.usefixtures("ui_store")
def test_app_opens_on_the_chat_page() -> None:
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Ask Stackwise"]


def test_missing_store_is_a_friendly_error(store_env) -> None:
    at = page("catalogue").run()
    assert not at.exception
    assert any("stackwise ingest" in e.value for e in at.error)
    assert any("Ingest" in i.value for i in at.info)
