"""The LLM path, driven by LangChain's fake chat model emitting tool calls."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage
from langchain_core.outputs import ChatGenerationChunk

from assistant.agent.engine import Agent
from assistant.agent.state import ConversationState
from assistant.agent.tools import Toolbox
from assistant.embeddings import HashingEmbedder
from assistant.retrieval import Retriever
from assistant.settings import ChatSettings, StoreSettings
from assistant.store import Store
from ingest.pipeline import ingest_paths


class ToolCallingFake(GenericFakeChatModel):
    """GenericFakeChatModel that accepts bind_tools and records what it was sent."""

    seen: ClassVar[list[Any]] = []

    def bind_tools(self, tools: Any, **kwargs: Any) -> ToolCallingFake:
        return self

    def _generate(self, messages: Any, *args: Any, **kwargs: Any) -> Any:
        type(self).seen.append(list(messages))
        return super()._generate(messages, *args, **kwargs)

    def _stream(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        """Stream like a real provider: tool calls as one chunk, text word by word."""
        message = self._generate(messages, stop=stop, run_manager=run_manager, **kwargs).generations[0].message
        if message.tool_calls:
            calls = [
                {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i, "type": "tool_call_chunk"}
                for i, c in enumerate(message.tool_calls)
            ]
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=calls))  # type: ignore[arg-type]
            return
        for piece in re.split(r"(?<= )", str(message.content)):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))


@pytest.fixture
def agent_factory(tmp_path: Path, small_knowledge: Path):
    store = Store(StoreSettings(path=tmp_path / "s"), create=True)
    embedder = HashingEmbedder(128)
    ingest_paths([small_knowledge], store, embedder)
    toolbox = Toolbox(Retriever(store, embedder))

    def make(responses: list[AIMessage]) -> Agent:
        agent = Agent(toolbox, embedder, ChatSettings(model="fake:model"))
        ToolCallingFake.seen = []
        agent._llm = ToolCallingFake(messages=iter(responses))
        return agent

    return make


def _tool_call(name: str, args: dict[str, Any], call_id: str = "call-1") -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}])


def test_llm_answer_with_valid_citation_is_kept(agent_factory) -> None:
    agent = agent_factory(
        [
            _tool_call("show_record", {"record_id": "acme-data-basics"}),
            AIMessage(content="Acme Data Analytics Basics costs 300 EUR [acme-data-basics]."),
        ]
    )
    reply = agent.respond("How much is Acme Data Analytics Basics?", ConversationState())
    assert reply.engine == "llm" and reply.notice is None
    assert [c.id for c in reply.citations] == ["acme-data-basics"]
    assert reply.tools == ["show_record"]
    # the record reached the model inside a tool message, as quoted data
    tool_messages = [m for m in ToolCallingFake.seen[-1] if isinstance(m, ToolMessage)]
    assert tool_messages and "Quoted catalogue data" in str(tool_messages[0].content)
    system = [m for m in ToolCallingFake.seen[0] if getattr(m, "type", "") == "system"]
    assert system and "acme-data-basics" not in str(system[0].content)


def test_llm_answer_citing_unknown_record_is_replaced(agent_factory) -> None:
    agent = agent_factory(
        [
            _tool_call("search_catalogue", {"query": "data analytics"}),
            AIMessage(content="Take the Mega Data Bootcamp [mega-bootcamp], it is the best."),
        ]
    )
    reply = agent.respond("Which data analytics credentials are there?", ConversationState())
    assert reply.engine == "offline"
    assert reply.notice and "mega-bootcamp" in reply.notice
    assert "Mega Data Bootcamp" not in reply.answer


def test_llm_answer_with_invented_price_is_replaced(agent_factory) -> None:
    agent = agent_factory(
        [
            _tool_call("show_record", {"record_id": "acme-data-basics"}),
            AIMessage(content="It costs 99 EUR [acme-data-basics]."),
        ]
    )
    reply = agent.respond("How much is Acme Data Analytics Basics?", ConversationState())
    assert reply.engine == "offline" and reply.notice and "99" in reply.notice


def test_llm_uncited_answer_is_replaced(agent_factory) -> None:
    agent = agent_factory(
        [
            _tool_call("search_catalogue", {"query": "cloud"}),
            AIMessage(content="There are some cloud courses."),
        ]
    )
    reply = agent.respond("cloud courses?", ConversationState())
    assert reply.engine == "offline" and "cites no catalogue record" in (reply.notice or "")


def test_llm_stream_yields_tokens_then_checked_reply(agent_factory) -> None:
    agent = agent_factory(
        [
            _tool_call("show_record", {"record_id": "acme-cloud-intro"}),
            AIMessage(content="Acme Cloud Fundamentals is free [acme-cloud-intro]."),
        ]
    )
    pieces: Iterator[Any] = agent.stream("Is Acme Cloud Fundamentals free?", ConversationState())
    items = list(pieces)
    final = items[-1]
    assert any(isinstance(i, str) for i in items[:-1])
    assert final.engine == "llm" and [c.id for c in final.citations] == ["acme-cloud-intro"]


def test_out_of_scope_never_reaches_the_model(agent_factory) -> None:
    agent = agent_factory([AIMessage(content="Sunny [acme-data-basics]")])
    reply = agent.respond("What's the weather in Zurich tomorrow?", ConversationState())
    assert reply.intent == "out_of_scope" and reply.engine == "offline"
    assert ToolCallingFake.seen == []
