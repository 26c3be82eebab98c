"""App state: learners, plans, notes, conversations; export and delete one learner's data."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import InputError, StoreUnavailableError
from assistant.models import Budget, LearnerProfile
from assistant.persistence import AppState


def test_learner_round_trip_export_and_delete(tmp_path: Path) -> None:
    state = AppState(f"sqlite:///{tmp_path / 'app.sqlite'}")
    learner = state.create_learner("Ana", LearnerProfile(name="Ana", target="data analyst", budget=Budget(amount=1500), hours_per_week=8))
    other = state.create_learner("Ben")
    plan_id = state.save_plan(learner, "cheapest", {"steps": [{"credential_id": "x"}]}, note="first draft")
    state.set_notes(learner, "prefers evening classes")
    conv = state.start_conversation("adviser", learner)
    state.add_message(conv, "user", "Draft a plan for Ana")
    exported = state.export_learner(learner)
    assert exported["learner"]["profile"]["budget"]["amount"] == 1500
    assert exported["plans"][0]["id"] == plan_id and exported["plans"][0]["note"] == "first draft"
    assert exported["learner"]["notes"] == "prefers evening classes"
    assert exported["conversations"][0]["messages"][0]["content"] == "Draft a plan for Ana"
    state.delete_learner(learner)
    assert [row["id"] for row in state.list_learners()] == [other]
    with pytest.raises(InputError):
        state.export_learner(learner)
    # the learner's conversations went with them
    assert all(c["id"] != conv for c in state.list_conversations())


def test_state_survives_reopen(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    learner = AppState(url).create_learner("Chen", LearnerProfile(hours_per_week=5))
    assert AppState(url).get_profile(learner).hours_per_week == 5


def test_unreachable_database_is_a_clear_error() -> None:
    with pytest.raises(StoreUnavailableError, match="STACKWISE_DATABASE_URL"):
        AppState("sqlite:////nonexistent-dir/deeper/app.sqlite")
