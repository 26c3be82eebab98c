"""The agent: understands a turn, calls tools, and answers with citations.

``Agent`` runs the offline engine (intent classification, extraction, tools, composer) by
default; with a chat model configured it hands the same tools to the model and checks its
answer (see :mod:`assistant.agent.llm`), falling back to the offline answer when the model's
answer cites nothing or names what the store does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.agent import composer
from assistant.agent.extract import extract, find_occupation_mention, link_credentials, link_occupation
from assistant.agent.intents import classifier_for
from assistant.agent.state import AgentReply, Citation, ConversationState
from assistant.agent.tools import Toolbox, ToolResult, cite
from assistant.errors import InputError, StackwiseError
from assistant.models import AnyRecord, Credential, Document, Occupation
from assistant.retrieval import SearchFilters
from assistant.settings import ChatSettings

if TYPE_CHECKING:
    from assistant.embeddings import Embedder
    from assistant.services import Services

ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "fifth": 4, "5th": 4}
PLAN_NEEDS = ("target", "hours_per_week", "budget")


class Agent:
    """One interface over the offline engine and an optional LLM engine."""

    def __init__(self, toolbox: Toolbox, embedder: Embedder, chat: ChatSettings | None = None) -> None:
        self.toolbox = toolbox
        self.embedder = embedder
        self.chat = chat or ChatSettings()
        self.classifier = classifier_for(embedder)
        self._llm: Any = None

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
        state.profile = said.apply(state.profile)
        intent, _confidence = self.classifier.classify(message, state, has_attachment=attachment is not None)
        if intent == "out_of_scope" or (intent in {"find_credentials", "guide", "follow_up"} and re.match(r"\s*(what|tell me|explain|who|how (long|much)|is)\b", message, re.I)):
            named = link_credentials(message, catalogue, min_score=95)
            if len(named) == 1:
                intent = "explain_credential"
        if state.pending == "plan" and intent in {"update_profile", "find_credentials", "occupation_facts", "follow_up", "skill_gap"} and _supplies_plan_fields(said):
            intent = "plan"
        try:
            reply = self._dispatch(intent, message, state, attachment)
        except StackwiseError as exc:
            reply = AgentReply(answer=f"I could not do that: {exc}", intent=intent)
        reply.credentials = reply.credentials or [c.id for c in reply.citations if c.kind == "credential"]
        if reply.credentials and intent not in {"plan", "refine_plan"}:
            state.last_credentials = reply.credentials
        return reply

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

    def _greeting(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        return AgentReply(answer=composer.greeting(state.persona), intent=intent, follow_ups=composer.PERSONA_HELP[state.persona])

    def _out_of_scope(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        return AgentReply(answer=composer.refusal(state.persona), intent="out_of_scope", follow_ups=composer.PERSONA_HELP[state.persona][:2])

    def _guide(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        result = self.toolbox.search(message, SearchFilters(kind="document"), k=3)
        if not result.records:
            return self._find(message, state, "find_credentials")
        docs = [r for r in result.records if isinstance(r, Document)][:2]
        passages = []
        for n, doc in enumerate(docs, 1):
            heading, text = composer.best_section(doc.body, message)
            passages.append(f"**{doc.title}{' — ' + heading if heading else ''}** [{n}]\n\n{text}")
        answer = "\n\n".join(passages) + "\n\nOpen a cited guide for the full explanation."
        return AgentReply(answer=answer, intent=intent, citations=[cite(d) for d in docs], tools=["search"])

    def _find(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        filters, text = self._filters(message, state)
        filters.kind = "credential"
        target = state.profile.target
        query = text or message
        result = self.toolbox.search(query, filters, k=5)
        creds = [r for r in result.records if isinstance(r, Credential)]
        if not creds:
            return AgentReply(answer=composer.nothing_found(message, result.data["filters"]), intent=intent, tools=["search"], follow_ups=["What micro-credentials are there in data analytics?", "What is a micro-credential?"])
        intro = "These credentials in the catalogue fit what you asked:" if filters.is_empty() or filters == SearchFilters(kind="credential") else "These credentials in the catalogue match your constraints:"
        answer = composer.credential_list(creds, intro)
        follow = [f"Tell me more about {creds[0].title}"]
        if len(creds) > 1:
            follow.append("Compare the first two")
        follow.append("Make me a plan" if target else "What skills am I missing for this career?")
        return AgentReply(answer=answer, intent=intent, citations=[cite(c) for c in creds], credentials=[c.id for c in creds], follow_ups=follow, tools=["search"])

    def _explain(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        ids = link_credentials(message, self.toolbox.catalogue)
        if not ids:
            result = self.toolbox.search(message, SearchFilters(kind="credential"), k=1)
            strong = [r for r in result.records if isinstance(r, Credential) and _mentions(message, r)]
            if not strong:
                return AgentReply(answer=composer.nothing_found(message, {}) + " If you know its exact title or exam code, ask with that.", intent=intent, tools=["search"])
            ids = [strong[0].id]
        shown = self.toolbox.show_record(ids[0])
        cred = shown.records[0]
        assert isinstance(cred, Credential)
        neighbours = self.toolbox.catalogue.neighbours(cred.id)
        cites = [cite(cred)] + [cite(n) for n in neighbours["stacks_into"] + neighbours["prerequisites"]]
        return AgentReply(
            answer=composer.credential_detail(cred, self.toolbox.catalogue),
            intent=intent,
            citations=cites,
            credentials=[cred.id],
            follow_ups=["How much does it cost in EUR?", "What does it stack into?", "Make me a plan that includes it"],
            tools=["show_record"],
        )

    def _compare(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        ids = link_credentials(message, self.toolbox.catalogue)
        if len(ids) < 2:
            ids = self._ordinal_refs(message, state) or state.last_credentials[:2]
        if len(ids) < 2:
            return AgentReply(answer="Which credentials should I compare? Name two to four (titles or exam codes), or search first and say “compare the first two”.", intent=intent)
        result = self.toolbox.compare(ids[:4])
        creds = [r for r in result.records if isinstance(r, Credential)]
        return AgentReply(answer=composer.comparison(result.data["rows"], creds), intent=intent, citations=result.citations, credentials=[c.id for c in creds], data={"comparison": result.data["rows"]}, tools=["compare"])

    def _occupation(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        occ_id = self._occupation_in(message) or state.profile.target
        if not occ_id:
            return AgentReply(answer="Which occupation do you mean? For example “data analyst”, “information security analyst” or an O*NET-SOC code such as 15-2051.00.", intent=intent)
        occ_id = link_occupation(occ_id, self.toolbox.catalogue) or occ_id
        result = self.toolbox.occupation_facts(occ_id)
        occ = result.records[0]
        assert isinstance(occ, Occupation)
        return AgentReply(
            answer=composer.occupation_facts(occ, self.toolbox.catalogue),
            intent=intent,
            citations=result.citations,
            data={"occupation": result.data},
            follow_ups=[f"What skills am I missing to become a {occ.title.lower().rstrip('s')}?", f"Which credentials lead to {occ.title}?"],
            tools=["occupation_facts"],
        )

    def _gap(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        target = self._occupation_in(message) or state.profile.target
        if not target:
            return AgentReply(answer="Which occupation are you aiming at? Tell me, and what skills you already have (e.g. “I know Excel and customer service”).", intent=intent)
        state.profile = state.profile.model_copy(update={"target": target})
        result = self.toolbox.skill_gap(state.profile)
        gap = result.data
        return AgentReply(answer=composer.skill_gap(gap), intent=intent, citations=result.citations, data={"gap": gap}, follow_ups=["Make me a plan to close the gap", "How much does this occupation earn?"], tools=["skill_gap"])

    def _plan(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        if intent == "refine_plan" or state.last_plan:
            state.last_objective = _objective_from(message, state.last_objective)
        if not state.profile.target:
            target = self._occupation_in(message)
            if target:
                state.profile = state.profile.model_copy(update={"target": target})
        missing = [f for f in PLAN_NEEDS if getattr(state.profile, f) in (None, [], "")]
        if missing:
            state.pending = "plan"
            return AgentReply(answer=composer.ask_for(missing, _known(state)), intent="plan", data={"missing": missing, "profile": state.profile.model_dump(mode="json", exclude_defaults=True)})
        state.pending = None
        result = self.toolbox.plan(state.profile, state.last_objective)
        plan = result.data
        state.last_plan = plan
        citations = result.citations
        index_of = {c.id: i + 1 for i, c in enumerate(citations)}
        follow = ["Make it cheaper", "Make it faster", "Show me the most stackable option"]
        return AgentReply(
            answer=composer.plan_answer(plan, index_of),
            intent=intent,
            citations=citations,
            credentials=[s["credential_id"] for s in plan.get("steps", [])],
            data={"plan": plan, "profile": state.profile.model_dump(mode="json", exclude_defaults=True)},
            follow_ups=follow,
            tools=["plan"],
        )

    def _update(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        if state.pending == "plan" or state.last_plan:
            return self._plan(message, state, "refine_plan" if state.last_plan else "plan")
        known = _known(state)
        answer = "Noted. " + ("Your profile now has: " + "; ".join(known) + "." if known else "I could not find a profile detail in that message.")
        return AgentReply(answer=answer, intent=intent, data={"profile": state.profile.model_dump(mode="json", exclude_defaults=True)}, follow_ups=["Make me a plan", "What skills am I missing?"])

    def _follow_up(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        refs = self._ordinal_refs(message, state) or state.last_credentials[:1]
        if not refs:
            return self._find(message, state, "find_credentials")
        cred = self.toolbox.catalogue.credentials.get(refs[0])
        if cred is None:
            return self._find(message, state, "find_credentials")
        lowered = message.lower()
        if re.search(r"how much|cost|price|fee|expensive", lowered):
            answer = f"**{cred.title}** [1]: {composer.money(cred)}" + (f" — source: {cred.cost.source}." if cred.cost and cred.cost.source else ".")
        elif re.search(r"how long|duration|weeks|hours|workload", lowered):
            answer = f"**{cred.title}** [1]: {composer.size(cred)}."
        elif re.search(r"language|online|in person|delivery|format", lowered):
            answer = f"**{cred.title}** [1]: {composer.mode(cred) or 'delivery and language not published in the catalogue'}."
        elif re.search(r"who|provider|offer", lowered):
            answer = f"**{cred.title}** [1] is awarded by {cred.provider}" + (f" and offered on {cred.platform}." if cred.platform else ".")
        else:
            answer = composer.credential_detail(cred, self.toolbox.catalogue)
        return AgentReply(answer=answer, intent=intent, citations=[cite(cred)], credentials=[cred.id], tools=["show_record"])

    def _badge(self, message: str, state: ConversationState, attachment: tuple[str, bytes] | None) -> AgentReply:
        if attachment is None:
            path = _path_in(message)
            if path is None:
                return AgentReply(
                    answer="Attach the badge (an Open Badges JSON, a JWT, or a PNG/SVG with the badge baked in) and I will check its signature, dates and revocation, and say what it certifies. I only say “verified” when every check passed.",
                    intent="badge",
                )
            result = self.toolbox.verify_badge(path=path)
        else:
            result = self.toolbox.verify_badge(content=attachment[1], filename=attachment[0])
        data = result.data
        return AgentReply(answer=composer.badge_answer(data), intent="badge", citations=result.citations, data={"verification": data}, tools=["verify_badge"])

    # -- helpers ------------------------------------------------------------------------

    def _filters(self, message: str, state: ConversationState) -> tuple[SearchFilters, str]:
        try:
            from assistant.query_parse import parse_query
        except ImportError:
            return SearchFilters(), message
        parsed = parse_query(message, self.toolbox.catalogue)
        return parsed.filters, parsed.text

    def _occupation_in(self, message: str) -> str | None:
        catalogue = self.toolbox.catalogue
        said = extract(message, catalogue)
        return said.target or find_occupation_mention(message, catalogue)

    def _ordinal_refs(self, message: str, state: ConversationState) -> list[str]:
        lowered = message.lower()
        if re.search(r"\b(first|these|both|them) two\b|\bcompare them\b", lowered):
            return state.last_credentials[:2]
        if re.search(r"\b(last|that|this) one\b", lowered) and state.last_credentials:
            return [state.last_credentials[-1] if "last" in lowered else state.last_credentials[0]]
        found = [state.last_credentials[ORDINALS[w]] for w in re.findall(r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th)\b", lowered) if ORDINALS[w] < len(state.last_credentials)]
        return list(dict.fromkeys(found))

    def _resolve_held_from_context(self, message: str, state: ConversationState) -> list[str]:
        """'I already have the Google one': a credential from the last answer by provider or word."""
        catalogue = self.toolbox.catalogue
        words = [w for w in re.findall(r"[a-z0-9+]+", message.lower()) if len(w) > 2 and w not in {"already", "have", "the", "one", "got", "hold", "completed", "and"}]
        for cid in state.last_credentials + [s.get("credential_id", "") for s in (state.last_plan or {}).get("steps", [])]:
            cred = catalogue.credentials.get(cid)
            if cred and any(w in f"{cred.title} {cred.provider}".lower() for w in words):
                return [cid]
        return []


def _supplies_plan_fields(said: Any) -> bool:
    return any(getattr(said, f) not in (None, []) for f in ("budget", "hours_per_week", "target", "deadline_weeks"))


def _objective_from(message: str, current: str) -> str:
    lowered = message.lower()
    if re.search(r"cheap|less money|less expensive|lower cost|budget", lowered):
        return "cheapest"
    if re.search(r"fast|quick|sooner|shorter", lowered):
        return "fastest"
    if re.search(r"stackab|credit|qualification", lowered):
        return "most-stackable"
    return current


def _known(state: ConversationState) -> list[str]:
    p = state.profile
    out = []
    if p.current_role:
        out.append(f"current role {p.current_role}")
    if p.target:
        out.append(f"target {p.target}")
    if p.budget:
        out.append(f"budget {p.budget.amount:,.0f} {p.budget.currency}")
    if p.hours_per_week:
        out.append(f"{p.hours_per_week:g} h/week")
    if p.deadline_weeks:
        out.append(f"deadline {p.deadline_weeks} weeks")
    if p.language:
        out.append("language " + "/".join(p.language))
    if p.region:
        out.append(f"region {p.region}")
    if p.held_credentials:
        out.append("holds " + ", ".join(p.held_credentials))
    if p.skills:
        out.append("skills " + ", ".join(p.skills))
    return out


def _mentions(message: str, record: Credential) -> bool:
    words = {w for w in re.findall(r"[a-z0-9+]{3,}", record.title.lower())} - {"the", "and", "for", "certificate", "professional", "course", "with", "in"}
    said = set(re.findall(r"[a-z0-9+]{3,}", message.lower()))
    return len(words & said) >= max(1, min(2, len(words)))


def _path_in(message: str) -> Path | None:
    match = re.search(r"(\S+\.(?:json|jsonld|jwt|png|svg))\b", message)
    if match and Path(match.group(1)).is_file():
        return Path(match.group(1))
    return None


def citations_for(records: list[AnyRecord]) -> list[Citation]:
    return [cite(r) for r in records]


def build_agent(services: Services) -> Agent:
    """The agent for a set of services (entry points call this once)."""
    return Agent(services.toolbox, services.embedder, services.settings.chat)


__all__ = ["Agent", "InputError", "ToolResult", "build_agent"]
