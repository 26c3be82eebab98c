"""The agent: understands a turn, calls tools, and answers with citations.

``Agent`` runs the offline engine (intent classification, extraction, tools, composer) by
default; with a chat model configured it hands the same tools to the model and checks its
answer (see :mod:`assistant.agent.llm`), falling back to the offline answer when the model's
answer cites nothing or names what the store does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from assistant.agent.extract import extract
from assistant.agent.intents import DEICTIC_BADGE, GUIDE, GUIDE_TOPIC, OUT_OF_SCOPE, REQUEST, UPDATE, classifier_for
from assistant.agent.state import AgentReply, ConversationState
from assistant.agent.tools import Toolbox, ToolResult
from assistant.errors import InputError, StackwiseError
from assistant.retrieval import Retriever
from assistant.settings import ChatSettings

if TYPE_CHECKING:
    from assistant.embeddings import Embedder
    from assistant.services import Services
from assistant.agent.handlers import Handlers, _add_increments, _path_in, _supplies_plan_fields, _without_title
from assistant.agent.shapes import (
    ANYTHING_ON,
    COMPARATIVE,
    CREDENTIAL_WORDS,
    DEFINITION,
    EXPLAIN_SHAPE,
    FIND_SHAPE,
    FIND_START,
    PRONOUN_FOLLOW_UP,
    REFS,
    TITLE_ASK,
    WHICH_OF,
)


class Agent(Handlers):
    """One interface over the offline engine and an optional LLM engine."""

    def __init__(self, toolbox: Toolbox, embedder: Embedder, chat: ChatSettings | None = None) -> None:
        self.toolbox = toolbox
        self.embedder = embedder
        self.chat = chat or ChatSettings()
        self.classifier = classifier_for(embedder)
        self._llm: Any = None
        self._lenient_retriever: Retriever | None = None
        self._named_cache: tuple[tuple[int, int, str] | None, list[str]] = (None, [])

    # -- public -------------------------------------------------------------------------

    def respond(self, message: str, state: ConversationState, attachment: tuple[str, bytes] | None = None) -> AgentReply:
        """Answer one turn; ``state`` is updated in place."""
        offline = self._offline(message, state, attachment)
        if not self.chat.model or attachment is not None or offline.intent in {"out_of_scope", "badge"}:
            return offline
        from assistant.agent.llm import answer_with_llm

        return answer_with_llm(self, message, state, offline)

    def stream(self, message: str, state: ConversationState, attachment: tuple[str, bytes] | None = None) -> Iterator[str | AgentReply]:
        """Yield the answer in pieces as it is written, then the full :class:`AgentReply`."""
        if self.chat.model and attachment is None:
            offline = self._offline(message, state, attachment)
            if offline.intent not in {"out_of_scope", "badge"}:
                from assistant.agent.llm import stream_with_llm

                yield from stream_with_llm(self, message, state, offline)
                return
            reply = offline
        else:
            reply = self.respond(message, state, attachment)
        for piece in re.split(r"(?<=\n)|(?<=\. )", reply.answer):
            if piece:
                yield piece
        yield reply

    # -- offline engine -----------------------------------------------------------------

    def _offline(self, message: str, state: ConversationState, attachment: tuple[str, bytes] | None) -> AgentReply:
        state.turns += 1
        catalogue = self.toolbox.catalogue
        said = extract(message, catalogue)
        if said.held_credentials and state.last_credentials and said.held_credentials[0] not in state.last_credentials:
            said.held_credentials = self._resolve_held_from_context(message, state) or said.held_credentials
        elif not said.held_credentials and re.search(r"\b(already )?(have|hold|got|completed)\b.*\b(one|it)\b", message, re.I):
            said.held_credentials = self._resolve_held_from_context(message, state)
        _add_increments(message, said, state)
        state.profile = said.apply(state.profile)
        intent, _confidence = self.classifier.classify(message, state, has_attachment=attachment is not None)
        if attachment is None:
            intent = self._route(message, state, intent)
        if (
            state.pending == "plan"
            and intent in {"update_profile", "find_credentials", "occupation_facts", "follow_up", "skill_gap"}
            and _supplies_plan_fields(said)
        ):
            intent = "plan"
        try:
            reply = self._dispatch(intent, message, state, attachment)
        except StackwiseError as exc:
            reply = AgentReply(answer=f"I could not do that: {exc}", intent=intent)
        reply.credentials = reply.credentials or [c.id for c in reply.citations if c.kind == "credential"]
        if reply.credentials and intent not in {"plan", "refine_plan"}:
            if reply.intent == "explain_credential" and len(state.last_credentials) == 1:
                # "Tell me about X" then "and Y?" then "compare them": both explained credentials stay in reach.
                state.last_credentials = list(dict.fromkeys([*reply.credentials, *state.last_credentials[:1]]))
            else:
                state.last_credentials = reply.credentials
        return reply

    def _route(self, message: str, state: ConversationState, intent: str) -> str:
        """Correct the classifier where what the message names decides: credentials, guides, follow-ups."""
        if intent == "update_profile" and not (UPDATE.search(message) and not REQUEST.search(message)):
            # "I only speak German. Which programmes ...?" asks for something; a question is no profile fact
            if CREDENTIAL_WORDS.search(message):
                intent = "find_credentials"
            elif re.match(r"\s*(how|what|why|which|who|is|are|do|does|can)\b", message, re.I):
                intent = (
                    "guide"
                    if GUIDE.search(message) or GUIDE_TOPIC.search(message) or re.match(r"\s*how (do|does|is|are)\b", message, re.I)
                    else "find_credentials"
                )
        if intent == "out_of_scope" and not OUT_OF_SCOPE.search(message) and ANYTHING_ON.search(message):
            intent = "find_credentials"
        if intent in {"update_profile", "refine_plan", "greeting"} or (intent == "out_of_scope" and OUT_OF_SCOPE.search(message)):
            return intent
        if FIND_START.match(message) and not self._named(message):
            wages = intent == "occupation_facts" and re.search(r"salar|wage|earn|pay|outlook|growth|demand|entry requirement", message, re.I)
            return "find_credentials" if intent not in {"plan", "skill_gap"} and not wages else intent
        if state.pending == "plan" and intent == "plan":
            return intent
        named = self._named(message)
        state_refs = bool(state.last_credentials)
        if not named and len(state.last_credentials) >= 2 and WHICH_OF.search(message):
            return "follow_up"
        if len(named) >= 2 and (COMPARATIVE.search(message) or intent == "compare"):
            return "compare"
        if (
            len(named) == 1
            and state_refs
            and named[0] not in state.last_credentials[:1]
            and COMPARATIVE.search(message)
            and re.search(r"\b(it|this|that|them)\b", message, re.I)
        ):
            return "compare"
        if (
            len(named) == 1
            and intent not in {"plan", "skill_gap"}
            and not (intent == "occupation_facts" and self._occupation_in(message))
            and EXPLAIN_SHAPE.search(message)
            and not FIND_SHAPE.search(_without_title(message, self.toolbox.catalogue.credentials[named[0]].title))
        ):
            return "explain_credential"
        if named:
            return intent
        if TITLE_ASK.match(message) and not GUIDE.search(message):
            return "explain_credential"  # a named product the catalogue may not hold: explain says so honestly
        if intent == "badge" and not DEICTIC_BADGE.search(message) and _path_in(message) is None and GUIDE.search(message):
            return "guide"
        if intent == "compare" and not (state_refs and REFS.search(message)):
            return "guide" if GUIDE.search(message) or not FIND_SHAPE.search(message) else "find_credentials"
        if (
            intent in {"find_credentials", "explain_credential", "skill_gap", "plan", "occupation_facts", "out_of_scope"}
            and (GUIDE.search(message) or DEFINITION.match(message))
            and not self._occupation_in(message)
        ):
            return "guide"
        if state_refs and intent not in {"compare", "plan", "skill_gap", "occupation_facts", "guide", "out_of_scope"} and PRONOUN_FOLLOW_UP.search(message):
            return "follow_up"
        if (
            intent == "occupation_facts"
            and CREDENTIAL_WORDS.search(message)
            and not re.search(r"salar|wage|earn|pay|outlook|growth|demand|entry requirement", message, re.I)
        ):
            return "find_credentials"
        if intent == "explain_credential" and FIND_SHAPE.search(message):
            return "find_credentials"
        if (
            intent == "guide"
            and CREDENTIAL_WORDS.search(message)
            and not (GUIDE.search(message) or GUIDE_TOPIC.search(message) or DEFINITION.match(message) or re.match(r"\s*(how|why)\b", message, re.I))
        ):
            return "find_credentials"
        return intent

    def _dispatch(self, intent: str, message: str, state: ConversationState, attachment: tuple[str, bytes] | None) -> AgentReply:
        handlers = {
            "greeting": self._greeting,
            "out_of_scope": self._out_of_scope,
            "guide": self._guide,
            "find_credentials": self._find,
            "explain_credential": self._explain,
            "compare": self._compare,
            "occupation_facts": self._occupation,
            "skill_gap": self._gap,
            "plan": self._plan,
            "refine_plan": self._plan,
            "update_profile": self._update,
            "follow_up": self._follow_up,
        }
        if intent == "badge":
            return self._badge(message, state, attachment)
        return handlers[intent](message, state, intent)


def build_agent(services: Services) -> Agent:
    """The agent for a set of services (entry points call this once)."""
    return Agent(services.toolbox, services.embedder, services.settings.chat)


__all__ = ["Agent", "InputError", "ToolResult", "build_agent"]
