"""The offline engine's handlers: one method per intent, each calling tools and the composer.

:class:`Handlers` is mixed into :class:`assistant.agent.engine.Agent`, which routes a turn to
one of these methods.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.agent import composer
from assistant.agent.extract import find_occupation_mention, link_credentials, link_occupation, link_occupation_phrase, named_credentials
from assistant.agent.state import AgentReply, ConversationState
from assistant.agent.tools import Toolbox, cite
from assistant.currency import cost_in_currency
from assistant.models import Credential, Document, Occupation
from assistant.query_parse import parse_query
from assistant.retrieval import Retriever, SearchFilters

if TYPE_CHECKING:
    pass
from assistant.agent.shapes import ORDINALS, PLAN_NEEDS, WHICH_OF


class Handlers:
    """Intent handlers of the offline engine (mixed into ``Agent``)."""

    toolbox: Toolbox
    _lenient_retriever: Retriever | None
    _named_cache: tuple[tuple[int, int, str] | None, list[str]]

    @property
    def _lenient(self) -> Retriever:
        """The toolbox's retriever without the abstention rule (for guides and constrained lists)."""
        strict = self.toolbox.retriever
        if self._lenient_retriever is None or self._lenient_retriever.store is not strict.store:
            self._lenient_retriever = Retriever(strict.store, strict.embedder, strict.settings, parse_constraints=strict.parse_constraints, abstain=False)
        return self._lenient_retriever

    def _named(self, message: str) -> list[str]:
        """Credentials the message names (cached: routing and the handlers ask more than once per turn)."""
        catalogue = self.toolbox.catalogue
        key = (id(catalogue), catalogue.generation, message)
        cached = self._named_cache  # one read: another thread may replace it meanwhile
        if cached[0] != key:
            cached = self._named_cache = (key, named_credentials(message, catalogue))
        return list(cached[1])

    def _greeting(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        return AgentReply(answer=composer.greeting(state.persona), intent=intent, follow_ups=composer.PERSONA_HELP[state.persona])

    def _out_of_scope(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        return AgentReply(answer=composer.refusal(state.persona), intent="out_of_scope", follow_ups=composer.PERSONA_HELP[state.persona][:2])

    def _guide(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        result = self.toolbox.search(message, SearchFilters(kind="document"), k=3)
        docs = [r for r in result.records if isinstance(r, Document)][:2]
        if not docs:  # a guide question the abstention rule judged unsupported: the closest guides, if any
            docs = [h.record for h in self._lenient.search(message, k=2, filters=SearchFilters(kind="document")) if isinstance(h.record, Document)]
        if not docs:
            return self._find(message, state, "find_credentials")
        passages = []
        for n, doc in enumerate(docs, 1):
            heading, text = composer.best_section(doc.body, message)
            passages.append(f"**{doc.title}{' — ' + heading if heading else ''}** [{n}]\n\n{text}")
        answer = "\n\n".join(passages) + "\n\nOpen a cited guide for the full explanation."
        return AgentReply(answer=answer, intent=intent, citations=[cite(d) for d in docs], tools=["search"])

    def _find(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        filters, _text = self._filters(message, state)
        explicit = SearchFilters(kind="credential")
        if not filters.language and state.profile.language:  # "I only want courses in German" holds for later searches
            explicit.language = state.profile.language[0]
        target = state.profile.target
        retriever = self.toolbox.retriever
        result = retriever.search_detailed(message, k=5, filters=explicit)
        hits = result.hits
        if result.abstained or not hits:
            # The abstention rule judged the question unsupported. Ask it about the topic alone (no
            # constraints, no asking words): when the catalogue has the topic, the constraints are
            # what thinned the evidence, so list what passes them; otherwise say there is nothing.
            topic = retriever.search_detailed(_topic(result.text) or result.text, k=5)
            hits = [] if topic.abstained else self._lenient.search(message, k=5, filters=explicit)
        elif _topic(result.text) and not any(link.kind == "credential" and link.score >= 0.85 for link in result.links):
            topic = retriever.search_detailed(_topic(result.text), k=5)
            if topic.abstained and topic.confidence < FAR_FROM_CATALOGUE:
                hits = []
        creds = [h.record for h in hits if isinstance(h.record, Credential)]
        filters = result.filters
        if not creds:
            return AgentReply(
                answer=composer.nothing_found(message, filters.model_dump(exclude_none=True)),
                intent=intent,
                tools=["search"],
                follow_ups=["What micro-credentials are there in data analytics?", "What is a micro-credential?"],
            )
        intro = (
            "These credentials in the catalogue fit what you asked:"
            if filters.is_empty() or filters == SearchFilters(kind="credential")
            else "These credentials in the catalogue match your constraints:"
        )
        answer = composer.credential_list(creds, intro)
        follow = [f"Tell me more about {creds[0].title}"]
        if len(creds) > 1:
            follow.append("Compare the first two")
        follow.append("Make me a plan" if target else "What skills am I missing for this career?")
        return AgentReply(
            answer=answer, intent=intent, citations=[cite(c) for c in creds], credentials=[c.id for c in creds], follow_ups=follow, tools=["search"]
        )

    def _explain(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        ids = self._named(message) or link_credentials(message, self.toolbox.catalogue)
        if not ids:
            result = self.toolbox.search(message, SearchFilters(kind="credential"), k=1)
            strong = [r for r in result.records if isinstance(r, Credential) and _mentions(message, r)]
            if not strong:
                return AgentReply(
                    answer=composer.nothing_found(message, {}) + " If you know its exact title or exam code, ask with that.", intent=intent, tools=["search"]
                )
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
        ids = self._named(message)
        if len(ids) == 1 and state.last_credentials:
            previous = self._ordinal_refs(message, state) or state.last_credentials[:1]
            ids = list(dict.fromkeys([*previous[:3], ids[0]]))
        if len(ids) < 2:
            ids = self._ordinal_refs(message, state) or state.last_credentials[:2]
        if len(ids) < 2:
            return AgentReply(
                answer="Which credentials should I compare? Name two to four (titles or exam codes), or search first and say “compare the first two”.",
                intent=intent,
            )
        result = self.toolbox.compare(ids[:4])
        creds = [r for r in result.records if isinstance(r, Credential)]
        return AgentReply(
            answer=composer.comparison(result.data["rows"], creds),
            intent=intent,
            citations=result.citations,
            credentials=[c.id for c in creds],
            data={"comparison": result.data["rows"]},
            tools=["compare"],
        )

    def _occupation(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        occ_id = self._occupation_in(message) or state.profile.target or self._occupation_searched(message)
        if not occ_id:
            return AgentReply(
                answer="Which occupation do you mean? For example “data analyst”, “information security analyst” or an O*NET-SOC code such as 15-2051.00.",
                intent=intent,
            )
        occ_id = link_occupation(occ_id, self.toolbox.catalogue) or occ_id
        result = self.toolbox.occupation_facts(occ_id)
        if not state.profile.target:  # "and which skills does the job need?" / "what is she missing for it?" refer back to it
            state.profile = state.profile.model_copy(update={"target": result.records[0].id})
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
        target = self._occupation_in(message) or state.profile.target or self._occupation_searched(message)
        if not target:
            return AgentReply(
                answer="Which occupation are you aiming at? Tell me, and what skills you already have (e.g. “I know Excel and customer service”).",
                intent=intent,
            )
        state.profile = state.profile.model_copy(update={"target": target})
        result = self.toolbox.skill_gap(state.profile)
        gap = result.data
        return AgentReply(
            answer=composer.skill_gap(gap),
            intent=intent,
            citations=result.citations,
            data={"gap": gap},
            follow_ups=["Make me a plan to close the gap", "How much does this occupation earn?"],
            tools=["skill_gap"],
        )

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
            return AgentReply(
                answer=composer.ask_for(missing, _known(state)),
                intent="plan",
                data={"missing": missing, "profile": state.profile.model_dump(mode="json", exclude_defaults=True)},
            )
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
        catalogue = self.toolbox.catalogue
        held = [c for c in state.profile.held_credentials if c in catalogue.credentials and c in state.last_credentials]
        if held:
            # "I already have the Google one": say which record that is, and keep the rest of the list in reach
            rest = [c for c in state.last_credentials if c not in state.profile.held_credentials and c in catalogue.credentials]
            shown = [catalogue.credentials[c] for c in [*held, *rest]]
            lines = [f"Noted: you already hold **{shown[0].title}** [1]; I will leave it out of plans and count its skills."]
            if rest:
                lines.append("Still open from the list:")
                lines += [f"{n}. **{c.title}** [{n + 1}]" for n, c in enumerate(shown[1:], 1)]
            return AgentReply(
                answer="\n".join(lines),
                intent=intent,
                citations=[cite(c) for c in shown],
                credentials=rest,
                data={"profile": state.profile.model_dump(mode="json", exclude_defaults=True)},
                follow_ups=["Compare the first two", "Make me a plan"],
            )
        known = _known(state)
        answer = "Noted. " + ("Your profile now has: " + "; ".join(known) + "." if known else "I could not find a profile detail in that message.")
        return AgentReply(
            answer=answer,
            intent=intent,
            data={"profile": state.profile.model_dump(mode="json", exclude_defaults=True)},
            follow_ups=["Make me a plan", "What skills am I missing?"],
        )

    def _follow_up(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        refs = self._ordinal_refs(message, state) or state.last_credentials[:1]
        if not refs:
            return self._find(message, state, "find_credentials")
        cred = self.toolbox.catalogue.credentials.get(refs[0])
        if cred is None:
            return self._find(message, state, "find_credentials")
        lowered = message.lower()
        catalogue = self.toolbox.catalogue
        if WHICH_OF.search(message) and len(state.last_credentials) >= 2:
            return self._which_of(message, state, intent)
        if re.search(r"stack|lead (in)?to|count(s)? towards|credit", lowered):
            neighbours = catalogue.neighbours(cred.id)
            targets = neighbours["stacks_into"]
            if targets:
                listed = "; ".join(f"**{t.title}** [{n}]" for n, t in enumerate(targets, 2))
                answer = f"**{cred.title}** [1] stacks into {listed}."
                titles = {t.id: t.title for t in targets}
                notes = [
                    f"{link.credit:g} {link.credit_unit or 'credits'} toward {titles[link.target]}"
                    for link in cred.stacks_into
                    if link.credit and link.target in titles
                ]
                if notes:
                    answer += " Credit recognised: " + "; ".join(notes) + "."
            else:
                answer = f"**{cred.title}** [1]: the catalogue records nothing it stacks into."
            return AgentReply(answer=answer, intent=intent, citations=[cite(cred)] + [cite(t) for t in targets], credentials=[cred.id], tools=["show_record"])
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

    def _which_of(self, message: str, state: ConversationState, intent: str) -> AgentReply:
        """'Which of the two is cheaper / shorter?': the answer from the last credentials' figures."""
        catalogue = self.toolbox.catalogue
        creds = [catalogue.credentials[c] for c in state.last_credentials[:2] if c in catalogue.credentials]
        lowered = message.lower()
        if re.search(r"cheap|less expensive|cost less|afford", lowered):
            key, what, word = (lambda c: _eur(c, catalogue)), "cost", "cheaper"
        elif re.search(r"expensive|cost more", lowered):
            key, what, word = (lambda c: -_eur(c, catalogue) if _eur(c, catalogue) != float("inf") else float("inf")), "cost", "more expensive"
        else:
            key, what, word = (lambda c: float(c.workload_hours) if c.workload_hours else float("inf")), "workload", "shorter"
        ranked = sorted(creds, key=key)
        lines = [f"- **{c.title}** [{n}]: {composer.money(c) if what == 'cost' else composer.size(c)}" for n, c in enumerate(creds, 1)]
        best = ranked[0]
        known = key(best) != float("inf")
        head = (
            f"**{best.title}** [{creds.index(best) + 1}] is {word}."
            if known and key(ranked[0]) != key(ranked[-1])
            else f"The catalogue does not say which is {word}."
        )
        return AgentReply(
            answer=head + "\n\n" + "\n".join(lines), intent=intent, citations=[cite(c) for c in creds], credentials=[c.id for c in creds], tools=["compare"]
        )

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
        parsed = parse_query(message, self.toolbox.catalogue)
        return parsed.filters, parsed.text

    def _occupation_in(self, message: str) -> str | None:
        catalogue = self.toolbox.catalogue
        return link_occupation_phrase(message, catalogue) or find_occupation_mention(message, catalogue)

    def _occupation_searched(self, message: str) -> str | None:
        """The occupation a field names ("transfer to project management"), found by search when no title is written."""
        aim = re.search(r"\b(?:to|into|for|as|in|become an?|becoming an?)\s+(?:an?\s+|the\s+)?([a-z][a-z &/-]{2,50}?)\s*(?=[?.!,;]|$)", message, re.I)
        query = aim.group(1) if aim else _topic(message) or message
        hits = self.toolbox.retriever.search(query, k=1, filters=SearchFilters(kind="occupation"))
        return hits[0].id if hits and isinstance(hits[0].record, Occupation) else None

    def _ordinal_refs(self, message: str, state: ConversationState) -> list[str]:
        lowered = message.lower()
        if re.search(r"\b(first|these|both|them) two\b|\bcompare them\b", lowered):
            return state.last_credentials[:2]
        if re.search(r"\b(last|that|this) one\b", lowered) and state.last_credentials:
            return [state.last_credentials[-1] if "last" in lowered else state.last_credentials[0]]
        found = [
            state.last_credentials[ORDINALS[w]]
            for w in re.findall(r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th)\b", lowered)
            if ORDINALS[w] < len(state.last_credentials)
        ]
        return list(dict.fromkeys(found))

    def _resolve_held_from_context(self, message: str, state: ConversationState) -> list[str]:
        """'I already have the Google one': a credential from the last answer by provider or word."""
        catalogue = self.toolbox.catalogue
        words = [
            w
            for w in re.findall(r"[a-z0-9+]+", message.lower())
            if len(w) > 2 and w not in {"already", "have", "the", "one", "got", "hold", "completed", "and"}
        ]
        for cid in state.last_credentials + [s.get("credential_id", "") for s in (state.last_plan or {}).get("steps", [])]:
            cred = catalogue.credentials.get(cid)
            if cred and any(w in f"{cred.title} {cred.provider}".lower() for w in words):
                return [cid]
        return []


# Asking words and credential nouns: what is left is the topic of a "find" question.
_FILLER = re.compile(
    r"\b(what|which|whats|are|is|there|any|anything|some|something|on|about|for|of|in|to|the|a|an|i|me|my|we|our|can|could|should|would|"
    r"do|does|did|get|take|find|show|list|give|recommend|suggest|exist|exists|available|offered|options?|good|best|certs?|certifications?|"
    r"certificates?|credentials?|courses?|programmes?|programs?|qualifications?|micro-?credentials?|badges?|trainings?|classes|usually|"
    r"someone|people|looking|want|need|like|please|with|that|who|wants|into|move|study|learn|catalogue|catalog|prove|proves|show|shows|"
    r"demonstrate|demonstrates|really|knows|know)\b",
    re.I,
)
# A topic whose best passage is this far below the abstention threshold is not in the catalogue,
# even when the asking words ("certifications", "courses") made the whole question look close.
FAR_FROM_CATALOGUE = 0.35


def _eur(cred: Credential, catalogue: Any) -> float:
    """A credential's price in EUR for ordering (free is 0; unknown sorts last)."""
    converted = cost_in_currency(cred.cost, "EUR", catalogue.rates)
    if converted is not None:
        return float(converted)
    cost = cred.cost
    return float(cost.amount) if cost is not None and cost.amount is not None else float("inf")


_MORE_HOURS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:more|extra|additional)\s*(?:h|hrs?|hours?)\b", re.I)
_MORE_MONEY = re.compile(
    r"(\d[\d,.]*)\s*(?:(eur|euros?|€|usd|dollars?|\$|gbp|pounds?|£|chf|francs?)\s*)?(?:more|extra|additional)\b(?!\s*(?:h|hrs?|hours?)\b)", re.I
)


def _add_increments(message: str, said: Any, state: ConversationState) -> None:
    """'Actually I have 4 more hours a week' adds to what the profile holds instead of replacing it."""
    profile = state.profile
    match = _MORE_HOURS.search(message)
    if match and profile.hours_per_week:
        said.hours_per_week = profile.hours_per_week + float(match.group(1))
    match = _MORE_MONEY.search(message)
    if match and profile.budget and said.budget is not None and said.budget.currency == profile.budget.currency:
        said.budget = profile.budget.model_copy(update={"amount": profile.budget.amount + said.budget.amount})


def _without_title(message: str, title: str) -> str:
    """The message less the words of a credential title it names ("the Springboard+ funded courses")."""
    words = {w.lower().rstrip("s") for w in re.findall(r"[\w+]+", title)}
    return " ".join(w for w in re.findall(r"[\w+']+", message) if w.lower().rstrip("s") not in words)


def _topic(text: str) -> str:
    return re.sub(r"\s+", " ", _FILLER.sub(" ", re.sub(r"[?!.,;:]", " ", text))).strip()


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
