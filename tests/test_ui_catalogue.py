"""Catalogue page: filters, record page with stacking neighbours, side-by-side comparison, text never rendered as HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ui_support import build_store, button, page, ui_store  # noqa: F401 - a fixture, used by name

from assistant.ui.services import RECORD_KEY

HOSTILE = """credentials:
  - id: hostile-course
    title: Hostile Course
    type: course
    provider: Evil Corp
    source: https://evil.example
    description: "<script>alert(1)</script><b>bold</b> [click](javascript:alert(1))"
"""


@pytest.mark.usefixtures("ui_store")
def test_filters_narrow_the_list() -> None:
    at = page("catalogue").run()
    all_titles = list(at.dataframe[0].value["Title"])
    at.selectbox(key="cat_country").set_value("CH").run()
    swiss = list(at.dataframe[0].value["Title"])
    assert swiss and len(swiss) < len(all_titles)
    assert set(at.dataframe[0].value["Country"]) == {"CH"}
    at.selectbox(key="cat_type").set_value("micro-credential").run()
    assert any("Nothing matches" in i.value for i in at.info)


@pytest.mark.usefixtures("ui_store")
def test_record_page_shows_stacking_neighbours_and_follows_them() -> None:
    at = page("catalogue").run()
    at.selectbox(key="cat_open").set_value("north-cas-data").run()
    button(at, "Open").click().run()
    assert [h.value for h in at.header] == ["CAS in Data Science"]
    neighbours = [b for b in at.button if b.key and b.key.startswith("nb-")]
    assert {b.key for b in neighbours} >= {"nb-stacks_into-north-mas-data", "nb-stacked_from-acme-data-basics"}
    next(b for b in neighbours if b.key == "nb-stacks_into-north-mas-data").click().run()
    assert [h.value for h in at.header] == ["MAS in Data Science"]
    button(at, "Back to the catalogue").click().run()
    assert RECORD_KEY not in at.session_state and [t.value for t in at.title] == ["Catalogue"]


@pytest.mark.usefixtures("ui_store")
def test_compare_two_credentials_side_by_side() -> None:
    at = page("catalogue").run()
    at.multiselect(key="cat_compare").set_value(["acme-data-basics", "north-cas-data"]).run()
    table = at.dataframe[1].value
    assert {"Acme Data Analytics Basics", "CAS in Data Science"} <= set(table.columns)
    assert "ECTS" in set(table[""])


def test_catalogue_text_is_escaped_not_rendered(store_env, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile" / "catalogue.yaml"
    hostile.parent.mkdir()
    hostile.write_text(HOSTILE, encoding="utf-8")
    build_store(store_env, hostile)
    at = page("catalogue")
    at.session_state[RECORD_KEY] = "hostile-course"
    at.run()
    description = next(m.value for m in at.markdown if "script" in m.value)
    assert "<script>" not in description and "<b>" not in description and "](javascript" not in description
    assert description.replace("\\", "") == "<script>alert(1)</script><b>bold</b> [click](javascript:alert(1))"
