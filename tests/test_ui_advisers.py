"""Advisers page: learners, notes, saved plans (edit, compare, export), export and delete a learner (AppTest)."""

from __future__ import annotations

import json

import pytest
from test_ui_support import button, page, ui_store  # noqa: F401 - a fixture, used by name

from assistant.models import LearnerProfile
from assistant.ui.services import get_services

PLAN = {
    "steps": [
        {
            "credential_id": "acme-data-basics",
            "title": "Acme Data Analytics Basics",
            "start_week": 0,
            "end_week": 8,
            "hours": 40,
            "cost": {"amount": 300, "currency": "EUR"},
            "skills": ["sql"],
        },
        {
            "credential_id": "acme-dashboards",
            "title": "Acme Dashboards and Visualisation",
            "start_week": 8,
            "end_week": 12,
            "hours": 20,
            "cost": {"amount": 136, "currency": "EUR"},
            "skills": [],
        },
    ],
    "total_cost": {"amount": 436, "currency": "EUR"},
    "total_weeks": 12,
    "coverage": 0.6,
    "covered_skills": ["sql"],
    "missing_skills": ["statistics"],
    "feasible": True,
}


@pytest.mark.usefixtures("ui_store")
def test_create_a_learner_and_save_notes() -> None:
    at = page("advisers").run()
    assert any("No learners yet" in i.value for i in at.info)
    at.sidebar.text_input[0].set_value("Ben")
    next(b for b in at.sidebar.button if b.label == "Create learner").click().run()
    assert not at.exception
    (learner,) = get_services().app_state.list_learners()
    assert learner["name"] == "Ben"
    at.text_area(key=f"notes-{learner['id']}").set_value("Prefers evening courses")
    button(at, "Save notes").click().run()
    assert get_services().app_state.get_notes(learner["id"]) == "Prefers evening courses"


@pytest.mark.usefixtures("ui_store")
def test_saved_plans_are_shown_compared_edited_and_exported() -> None:
    state = get_services().app_state
    learner = state.create_learner("Cleo", LearnerProfile(target="15-2051.01"))
    first = state.save_plan(learner, "Balanced", PLAN)
    state.save_plan(learner, "Cheapest", dict(PLAN, total_weeks=20))
    at = page("advisers").run()
    assert not at.exception, at.exception
    assert {"#### Balanced", "#### Cheapest"} <= {m.value for m in at.markdown}
    assert {f"export-{first}-md", f"export-{first}-json"} <= {d.key for d in at.get("download_button")}
    form_areas = [t for t in at.text_area if t.label.startswith("Steps")]
    form_areas[0].set_value("acme-data-basics")
    next(b for b in at.button if b.label == "Save changes").click().run()
    edited = next(p for p in state.list_plans(learner) if p["id"] == first)
    assert [s["credential_id"] for s in edited["plan"]["steps"]] == ["acme-data-basics"]


@pytest.mark.usefixtures("ui_store")
def test_export_and_delete_one_learner() -> None:
    state = get_services().app_state
    keep = state.create_learner("Dana")
    gone = state.create_learner("Eli")
    state.save_plan(gone, "Plan", PLAN)
    at = page("advisers").run()
    at.selectbox[0].set_value(gone).run()
    export = json.loads(state.export_learner(gone) and json.dumps(state.export_learner(gone)))
    assert export["learner"]["name"] == "Eli" and len(export["plans"]) == 1
    assert button(at, "Delete this learner").disabled
    at.checkbox[0].check().run()
    button(at, "Delete this learner").click().run()
    assert [learner["id"] for learner in state.list_learners()] == [keep]
