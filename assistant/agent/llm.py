"""The LLM engine: the same tools offered to a LangChain chat model, and its answer checked.

The model gets the tools through tool calling (``langchain.agents.create_agent``). Tool
results reach it as quoted data inside tool messages, never in the system prompt. Its final
answer must cite, by id, only records the tools returned, and every money figure in it must
appear in a tool result; otherwise the offline answer is used and the user is told why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from assistant.agent.prompts import DATA_WRAPPER, REPLACED_NOTICE, SYSTEM_PROMPT
from assistant.agent.state import AgentReply, ConversationState
from assistant.agent.tools import ToolResult, cite
from assistant.errors import ConfigError, StackwiseError
from assistant.models import AnyRecord, LearnerProfile
from assistant.retrieval import SearchFilters

if TYPE_CHECKING:
    from assistant.agent.engine import Agent

MONEY = re.compile(r"(?:[$€£]\s?\d[\d,.]*|\d[\d,.]*\s?(?:EUR|USD|GBP|CHF|DKK|SEK|NOK|CAD|AUD|SGD|INR|JPY|euros?|dollars?))", re.I)
CITED_ID = re.compile(r"\[([^\[\]\s]{2,200})\]")


class ToolLog:
    """What the tools returned during one LLM turn: the only facts the answer may use."""

    def __init__(self) -> None:
        self.results: list[ToolResult] = []

    @property
    def records(self) -> dict[str, AnyRecord]:
        return {r.id: r for result in self.results for r in result.records}

    def text(self) -> str:
        return json.dumps([r.data for r in self.results], default=str)


def build_tools(agent: Agent, state: ConversationState, log: ToolLog) -> list[Any]:
    """LangChain tools over the agent's Toolbox; each call is logged for the answer check."""
    from langchain_core.tools import StructuredTool

    box = agent.toolbox

    def record(result: ToolResult) -> str:
        log.results.append(result)
        payload = json.dumps({"tool": result.name, "data": result.data, "records": [c.model_dump() for c in result.citations]}, default=str)
        return DATA_WRAPPER.format(payload=payload)

    def search_catalogue(
        query: str, max_cost_eur: float | None = None, delivery: str | None = None, language: str | None = None, kind: str = "credential"
    ) -> str:
        """Search the credential catalogue, occupations ('occupation') or guides ('document')."""
        return record(box.search(query, SearchFilters(kind=kind, max_cost=max_cost_eur, delivery=delivery, language=language), k=5))

    def show_record(record_id: str) -> str:
        """Show one record (credential, occupation, guide) by its id."""
        return record(box.show_record(record_id))

    def compare_credentials(credential_ids: list[str]) -> str:
        """Compare two to four credentials side by side by their ids."""
        return record(box.compare(credential_ids))

    def occupation_facts(occupation_id: str) -> str:
        """Median wage, outlook, skills and technologies of an occupation by its id."""
        return record(box.occupation_facts(occupation_id))

    def skill_gap(target: str) -> str:
        """Skills the learner lacks for a target occupation (title or id), given the profile so far."""
        state.profile = state.profile.model_copy(update={"target": target})
        return record(box.skill_gap(state.profile))

    def make_plan(objective: str = "balanced") -> str:
        """A stackable learning plan for the profile so far; objective: balanced, cheapest, fastest, most-stackable."""
        missing = [f for f in ("target", "hours_per_week", "budget") if getattr(state.profile, f) in (None, "")]
        if missing:
            return json.dumps({"error": f"ask the user for: {', '.join(missing)}"})
        result = box.plan(state.profile, objective)
        state.last_plan = result.data
        return record(result)

    tools: list[Callable[..., str]] = [search_catalogue, show_record, compare_credentials, occupation_facts, skill_gap, make_plan]
    return [StructuredTool.from_function(fn, handle_tool_error=True) for fn in tools]


def _numbers(value: Any, out: set[float]) -> set[float]:
    """Every number stored as a number in tool data; numbers inside free text do not count."""
    if isinstance(value, bool):
        return out
    if isinstance(value, int | float):
        out.add(round(float(value), 2))
    elif isinstance(value, dict):
        for item in value.values():
            _numbers(item, out)
    elif isinstance(value, list | tuple):
        for item in value:
            _numbers(item, out)
    return out


def check_answer(answer: str, log: ToolLog) -> str | None:
    """Why the answer cannot be shown (None when it can): uncited, unknown ids, invented figures.

    Money figures must equal a number the tools returned as structured data (a cost, a wage,
    a plan total), never a number that only appears inside catalogue text, which anyone who
    wrote the catalogue could have planted.
    """
    known = log.records
    cited = [c for c in CITED_ID.findall(answer) if not c.isdigit()]
    if not log.results:
        return None if not MONEY.search(answer) and not cited else "it cites records no tool returned"
    if not cited:
        return "it cites no catalogue record"
    unknown = [c for c in cited if c not in known]
    if unknown:
        return f"it cites {unknown[0]!r}, which no tool returned"
    numbers: set[float] = set()
    for result in log.results:
        _numbers(result.data, numbers)
    for figure in MONEY.findall(answer):
        digits = re.sub(r"[^\d.]", "", figure.replace(",", "")).strip(".")
        try:
            value = round(float(digits), 2)
        except ValueError:
            return f"it states {figure.strip()!r}, which is not a figure from the catalogue"
        if not any(abs(value - n) <= 0.5 for n in numbers):
            return f"it states {figure.strip()!r}, which is not in the catalogue data"
    return None


def _agent_graph(agent: Agent, state: ConversationState, log: ToolLog) -> Any:
    from langchain.agents import create_agent

    if agent._llm is None:
        from assistant.agent.chat_models import resolve_chat_model

        agent._llm = resolve_chat_model(agent.chat)
    profile = state.profile.model_dump(mode="json", exclude_defaults=True)
    system = SYSTEM_PROMPT.format(profile=json.dumps(profile), persona=state.persona)
    return create_agent(agent._llm, build_tools(agent, state, log), system_prompt=system)


def _final_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if getattr(message, "type", "") == "ai" and not getattr(message, "tool_calls", None):
            content = message.content
            if isinstance(content, list):
                return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
            return str(content)
    return ""


def answer_with_llm(agent: Agent, message: str, state: ConversationState, offline: AgentReply) -> AgentReply:
    """Ask the configured model with tools; keep its answer only if it passes the check."""
    log = ToolLog()
    snapshot: LearnerProfile = state.profile
    try:
        graph = _agent_graph(agent, state, log)
        result = graph.invoke({"messages": [{"role": "user", "content": message}]})
        text = _final_text(result.get("messages", []))
    except ConfigError:
        raise
    except StackwiseError as exc:
        return offline.model_copy(update={"notice": REPLACED_NOTICE.format(reason=str(exc))})
    except Exception as exc:  # a provider's network or API error: fall back, say why
        return offline.model_copy(update={"notice": REPLACED_NOTICE.format(reason=f"the model failed: {exc.__class__.__name__}")})
    return _checked(text, log, offline, state, snapshot)


def stream_with_llm(agent: Agent, message: str, state: ConversationState, offline: AgentReply) -> Iterator[str | AgentReply]:
    """Stream the model's tokens as they come, then the checked reply (which may replace them)."""
    log = ToolLog()
    snapshot = state.profile
    pieces: list[str] = []
    try:
        graph = _agent_graph(agent, state, log)
        for chunk, _meta in graph.stream({"messages": [{"role": "user", "content": message}]}, stream_mode="messages"):
            if (
                getattr(chunk, "type", "") in {"AIMessageChunk", "ai"}
                and not getattr(chunk, "tool_call_chunks", None)
                and isinstance(chunk.content, str)
                and chunk.content
            ):
                pieces.append(chunk.content)
                yield chunk.content
    except StackwiseError as exc:
        yield offline.model_copy(update={"notice": REPLACED_NOTICE.format(reason=str(exc))})
        return
    except Exception as exc:  # provider errors: fall back, say why
        yield offline.model_copy(update={"notice": REPLACED_NOTICE.format(reason=f"the model failed: {exc.__class__.__name__}")})
        return
    yield _checked("".join(pieces), log, offline, state, snapshot)


def _checked(text: str, log: ToolLog, offline: AgentReply, state: ConversationState, snapshot: LearnerProfile) -> AgentReply:
    problem = check_answer(text, log) if text.strip() else "it gave no answer"
    if problem:
        state.profile = snapshot.model_copy(update={k: v for k, v in state.profile.model_dump().items() if k == "target" and v})
        return offline.model_copy(update={"notice": REPLACED_NOTICE.format(reason=problem)})
    records = log.records
    cited_ids = [c for c in dict.fromkeys(CITED_ID.findall(text)) if c in records]
    citations = [cite(records[c]) for c in cited_ids]
    return AgentReply(
        answer=text,
        intent=offline.intent,
        citations=citations,
        credentials=[c.id for c in citations if c.kind == "credential"],
        follow_ups=offline.follow_ups,
        data={k: v for k, v in offline.data.items()} | ({"plan": state.last_plan} if any(r.name == "plan" for r in log.results) else {}),
        engine="llm",
        tools=[r.name for r in log.results],
    )
