"""Chat page: streamed cited answers, follow-ups, personas, history (AppTest, real offline agent)."""

from __future__ import annotations

import pytest
from test_ui_support import button, page, texts, ui_store  # noqa: F401 - a fixture, used by name

from assistant.ui.services import RECORD_KEY, get_services


def _ask(at, question: str):
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.usefixtures("ui_store")
def test_answer_is_cited_and_a_citation_opens_the_catalogue() -> None:
    at = _ask(page("chat").run(), "Which credentials teach SQL for data analytics?")
    assert not at.error, [e.value for e in at.error]
    assert "Acme Data Analytics Basics" in texts(at)
    assert "Sources (" in texts(at)
    open_buttons = [b for b in at.button if b.label == "Open"]
    assert open_buttons, "each citation has an Open button"
    open_buttons[0].click().run()
    assert at.session_state[RECORD_KEY] in get_services().catalogue.records


@pytest.mark.usefixtures("ui_store")
def test_follow_up_button_asks_it_and_history_is_saved() -> None:
    at = _ask(page("chat").run(), "Which credentials teach SQL for data analytics?")
    follow_ups = [b for b in at.button if b.key and b.key.startswith("follow-")]
    assert follow_ups, "the offline agent suggests follow-up questions"
    follow_ups[0].click().run()
    assert not at.exception
    assert len([m for m in at.chat_message if m.name == "assistant"]) == 2
    conversations = get_services().app_state.list_conversations()
    assert [c["title"] for c in conversations] == ["Which credentials teach SQL for data analytics?"]
    conv_id = conversations[0]["id"]
    assert [m["role"] for m in get_services().app_state.messages(conv_id)] == ["user", "assistant", "user", "assistant"]
    at.run()  # the sidebar now lists the conversation
    assert any(b.key == f"conv-{conv_id}" for b in at.sidebar.button)


@pytest.mark.usefixtures("ui_store")
def test_persona_switch_changes_the_example_questions() -> None:
    at = page("chat").run()
    learner_examples = {b.label for b in at.button if b.key and b.key.startswith("example-")}
    at.sidebar.radio[0].set_value("recruiter").run()
    recruiter_examples = {b.label for b in at.button if b.key and b.key.startswith("example-")}
    assert recruiter_examples and learner_examples and recruiter_examples.isdisjoint(learner_examples)
    button(at, sorted(recruiter_examples)[0]).click().run()
    assert not at.exception
    assert len(at.chat_message) == 2  # the example was asked


@pytest.mark.usefixtures("ui_store")
def test_profile_said_in_chat_reaches_the_plan_page() -> None:
    at = _ask(page("chat").run(), "I manage a shop and want to get into data analytics with 8 hours a week and 1,500 EUR")
    from assistant.ui.services import PROFILE_KEY

    profile = at.session_state[PROFILE_KEY]
    assert profile.hours_per_week == 8
    assert profile.budget is not None and profile.budget.amount == 1500
