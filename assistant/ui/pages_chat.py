"""Chat: streamed, cited answers for learners, recruiters and advisers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import streamlit as st

from assistant.agent.state import AgentReply, ConversationState
from assistant.errors import StackwiseError
from assistant.services import Services
from assistant.ui.format import citation_line, md
from assistant.ui.navigation import go_to, open_record
from assistant.ui.services import require_services, session_profile, set_session_profile

CHAT_KEY = "stackwise_chat"
PERSONA_KEY = "stackwise_persona"
PENDING_KEY = "stackwise_pending_question"
PLAN_FROM_CHAT_KEY = "stackwise_chat_plan"

PERSONAS: dict[str, dict[str, Any]] = {
    "learner": {
        "label": "Learner",
        "emphasis": "Which credentials get you where you want to go — with weeks, costs and what each one stacks into.",
        "examples": [
            "I manage a shop; which credentials get me into data analytics on 8 h a week and 1,500 EUR?",
            "What skills does a business intelligence analyst need, and what do they earn?",
            "What are micro-credentials and how do they stack into a degree?",
        ],
    },
    "recruiter": {
        "label": "Recruiter",
        "emphasis": "What a credential certifies — outcomes, workload, level, assessment — and whether a badge is genuine.",
        "examples": [
            "What does a data analytics micro-credential certify?",
            "How do I check that a digital badge is genuine?",
            "Compare the cloud fundamentals certifications",
        ],
    },
    "adviser": {
        "label": "Adviser",
        "emphasis": "Plans you can draft for a learner, alternatives side by side, and exports.",
        "examples": [
            "Draft a plan for a retail manager moving into data analytics with 10 hours a week and 2,000 EUR",
            "Which credentials stack into a master's degree in data science?",
            "Make the plan cheaper",
        ],
    },
}


def _chat() -> dict[str, Any]:
    if CHAT_KEY not in st.session_state:
        st.session_state[CHAT_KEY] = {"conversation_id": None, "messages": [], "state": ConversationState(profile=session_profile())}
    return st.session_state[CHAT_KEY]


def _ask(question: str) -> None:
    st.session_state[PENDING_KEY] = question


def _new_conversation() -> None:
    st.session_state.pop(CHAT_KEY, None)


def _load_conversation(services: Services, conversation_id: str) -> None:
    try:
        messages = services.app_state.messages(conversation_id)
        raw_state = services.app_state.conversation_state(conversation_id)
    except StackwiseError as exc:
        st.session_state["stackwise_chat_error"] = str(exc)
        return
    state = ConversationState.model_validate(raw_state) if raw_state else ConversationState()
    st.session_state[CHAT_KEY] = {"conversation_id": conversation_id, "messages": messages, "state": state}
    st.session_state[PERSONA_KEY] = st.session_state["chat_persona"] = state.persona


def _sidebar(services: Services) -> tuple[str, Any]:
    with st.sidebar:
        if "chat_persona" not in st.session_state:  # the widget's state is dropped when another page runs
            st.session_state["chat_persona"] = st.session_state.get(PERSONA_KEY, "learner")
        persona = st.radio("I am a…", list(PERSONAS), key="chat_persona", format_func=lambda p: PERSONAS[p]["label"])
        st.session_state[PERSONA_KEY] = persona
        st.button("New conversation", icon=":material/add:", on_click=_new_conversation, width="stretch")
        history = st.container()
    return str(persona), history


def _history(services: Services, history: Any) -> None:
    """Saved conversations, newest first; a click loads one."""
    with history:
        st.subheader("Conversations")
        try:
            conversations = services.app_state.list_conversations(limit=15)
        except StackwiseError as exc:
            st.caption(f"History unavailable: {exc}")
            conversations = []
        if not conversations:
            st.caption("Your conversations will be listed here.")
        current = _chat()["conversation_id"]
        for conv in conversations:
            label = ("▸ " if conv["id"] == current else "") + (conv["title"] or "Conversation")
            st.button(
                label[:60],
                key=f"conv-{conv['id']}",
                help=f"{PERSONAS.get(conv['persona'], {}).get('label', conv['persona'])} · {conv['created']:%Y-%m-%d %H:%M}",
                on_click=_load_conversation,
                args=(services, conv["id"]),
                width="stretch",
            )


def _render_extras(data: dict[str, Any], index: int, last: bool) -> None:
    """Notice, citations with an Open button, and (for the last answer) follow-up buttons."""
    if data.get("notice"):
        st.info(data["notice"])
    citations = data.get("citations") or []
    if citations:
        st.caption(f"Sources ({len(citations)})")
        for j, cite in enumerate(citations):
            left, right = st.columns([12, 2], vertical_alignment="center")
            left.markdown(citation_line(cite.get("title") or cite.get("id", ""), cite.get("provider"), cite.get("source"), cite.get("date")))
            if right.button("Open", key=f"cite-{index}-{j}", help=f"Open “{cite.get('title')}” in the Catalogue", icon=":material/open_in_new:"):
                open_record(cite["id"])
    if last and data.get("follow_ups"):
        st.caption("Follow-up questions")
        cols = st.columns(min(len(data["follow_ups"]), 3))
        for j, question in enumerate(data["follow_ups"][:3]):
            cols[j].button(question, key=f"follow-{index}-{j}", on_click=_ask, args=(question,), width="stretch")
    if data.get("has_plan") and st.button("See the plan on the Plan page", key=f"plan-{index}", icon=":material/route:"):
        go_to("plan")


def _reply_data(reply: AgentReply) -> dict[str, Any]:
    return {
        "intent": reply.intent,
        "engine": reply.engine,
        "notice": reply.notice,
        "citations": [c.model_dump(mode="json") for c in reply.citations],
        "credentials": reply.credentials,
        "follow_ups": reply.follow_ups,
        "has_plan": bool(reply.data.get("plan")),
    }


def _answer(services: Services, chat: dict[str, Any], question: str, persona: str) -> None:
    state: ConversationState = chat["state"]
    state.persona = persona  # type: ignore[assignment]
    with st.chat_message("user"):
        st.markdown(md(question))
    box: dict[str, AgentReply] = {}

    def pieces() -> Iterator[str]:
        for item in services.agent.stream(question, state):
            if isinstance(item, AgentReply):
                box["reply"] = item
            else:
                yield item

    with st.chat_message("assistant"):
        try:
            with st.spinner("Looking through the catalogue…"):
                streamed = st.write_stream(pieces())
        except StackwiseError as exc:
            st.error(str(exc))
            return
        except ImportError as exc:
            st.error(f"The chat engine is not available in this installation ({exc.name or exc}). The Catalogue, Plan and Badge check pages still work.")
            return
        reply = box.get("reply")
        if reply is None:
            st.warning("The assistant gave no answer — try asking in other words.")
            return
        if reply.answer and reply.answer.strip() != str(streamed).strip():
            st.markdown(reply.answer)  # the final answer differs from the stream (e.g. an LLM answer was replaced)
        data = _reply_data(reply)
        chat["messages"].append({"role": "user", "content": question, "data": {}})
        chat["messages"].append({"role": "assistant", "content": reply.answer, "data": data})
        _render_extras(data, len(chat["messages"]) - 1, last=True)
    if reply.data.get("plan"):
        st.session_state[PLAN_FROM_CHAT_KEY] = reply.data["plan"]
    if state.profile != session_profile() and state.profile.model_dump(exclude_defaults=True):
        set_session_profile(state.profile)
    _persist(services, chat, question, reply, data, persona)


def _persist(services: Services, chat: dict[str, Any], question: str, reply: AgentReply, data: dict[str, Any], persona: str) -> None:
    try:
        if chat["conversation_id"] is None:
            chat["conversation_id"] = services.app_state.start_conversation(persona=persona)
        services.app_state.add_message(chat["conversation_id"], "user", question)
        services.app_state.add_message(chat["conversation_id"], "assistant", reply.answer, data)
        services.app_state.save_conversation_state(chat["conversation_id"], chat["state"].model_dump(mode="json"))
    except StackwiseError as exc:
        st.warning(f"This conversation could not be saved: {exc}")


def render() -> None:
    services = require_services()
    persona, history = _sidebar(services)
    chat = _chat()
    if error := st.session_state.pop("stackwise_chat_error", None):
        st.error(error)
    st.title("Ask Stackwise")
    st.caption(PERSONAS[persona]["emphasis"])
    typed = st.chat_input("Ask about credentials, plans, occupations or badges")
    question = (typed or st.session_state.pop(PENDING_KEY, None) or "").strip()
    if not chat["messages"] and not question:
        st.markdown("**Try one of these:**")
        for j, example in enumerate(PERSONAS[persona]["examples"]):
            st.button(example, key=f"example-{persona}-{j}", on_click=_ask, args=(example,), icon=":material/lightbulb:")
    messages = chat["messages"]
    for i, message in enumerate(messages):
        with st.chat_message(message["role"]):
            if message["role"] == "user":
                st.markdown(md(message["content"]))
            else:
                st.markdown(message["content"])
                _render_extras(message.get("data") or {}, i, last=i == len(messages) - 1 and not question)
    if question:
        _answer(services, chat, question, persona)
    _history(services, history)
