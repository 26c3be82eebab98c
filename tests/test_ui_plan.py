"""Plan page: the profile form makes a plan; what-if sliders re-plan; alternatives; save; exports (AppTest)."""

from __future__ import annotations

import pytest
from test_ui_support import button, page, texts, ui_store  # noqa: F401 - a fixture, used by name

from assistant.ui.services import get_services

TARGET = "15-2051.01"  # Business Intelligence Analysts in the fixture knowledge


def _planned(hours: float = 8, budget: float = 1500):
    at = page("plan").run()
    assert "Make a plan" in texts(at)
    next(s for s in at.selectbox if s.label == "Target occupation").set_value(TARGET)
    next(n for n in at.number_input if n.label == "Hours per week").set_value(hours)
    next(n for n in at.number_input if n.label == "Budget").set_value(budget)
    next(b for b in at.button if b.label == "Make a plan").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.usefixtures("ui_store")
def test_form_makes_a_plan_with_charts_and_exports() -> None:
    at = _planned()
    assert int(_metric(at, "Steps")) >= 1
    assert _metric(at, "Total cost").endswith("EUR")
    charts = at.get("plotly_chart")
    assert len(charts) >= 2, "timeline and coverage (and a stack diagram when a step stacks)"
    assert {d.label for d in at.get("download_button")} >= {"Download Markdown", "Download JSON", "Download PDF"}
    step_titles = {row for row in at.dataframe[0].value["Credential"]}
    assert step_titles <= {c.title for c in get_services().catalogue.credentials.values()}


@pytest.mark.usefixtures("ui_store")
def test_what_if_slider_replans_live() -> None:
    at = _planned(hours=8)
    weeks_at_8 = int(_metric(at, "Total weeks"))
    at.slider(key="whatif_hours").set_value(1).run()
    assert not at.exception
    assert int(_metric(at, "Total weeks")) != weeks_at_8 or at.warning, "fewer hours either lengthen the plan or break a constraint"


@pytest.mark.usefixtures("ui_store")
def test_alternatives_are_side_by_side() -> None:
    at = _planned()
    headings = {m.value for m in at.markdown if m.value.startswith("#### ")}
    assert {"#### Cheapest", "#### Fastest", "#### Most stackable"} <= headings


@pytest.mark.usefixtures("ui_store")
def test_save_plan_for_a_new_learner() -> None:
    at = _planned()
    next(t for t in at.text_input if t.label == "New learner's name").set_value("Ana")
    button(at, "Save plan").click().run()
    assert not at.exception
    assert any("Saved" in s.value for s in at.success)
    state = get_services().app_state
    (learner,) = state.list_learners()
    assert learner["name"] == "Ana"
    (saved,) = state.list_plans(learner["id"])
    assert saved["plan"]["steps"] and state.get_profile(learner["id"]).target == TARGET
