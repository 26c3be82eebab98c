"""A learned reranker: gradient-boosted trees over the evidence hybrid search already gathers.

Search fuses dense and lexical ranks, entity links and a few question-aware lifts into one
score per record (``retrieval.py``). Those hand-set weights cannot say, for instance, that a
guide's lexical rank matters more when the question asks how something works, or that a
credential whose whole title appears in the question is worth more than its fused score, or
that an occupation matters when the credentials that lead prepare for it and the question asks
about jobs. This model (LightGBM trees, binary objective, so a score is a probability) weighs
that evidence per kind of record and kind of question. It was fitted by ``python -m evals
ranker`` on the questions of the retrieval dataset's ``dev`` and ``seen`` splits only (never
the held-back ones) and ships as LightGBM's own text model inside ``reranker.json``: no
pickled objects, and nothing to download.

The model belongs to the embedding model whose similarities it was fitted on: with another
embedding model, or when the feature list changed since it was fitted, search keeps its
fused order.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import ConfigError
from assistant.linking import STOPWORDS, fold, plain_words

if TYPE_CHECKING:
    import lightgbm

    from assistant.catalogue import Catalogue

WEIGHTS = Path(__file__).resolve().parent / "reranker.json"
KINDS = ("credential", "occupation", "document", "skill", "provider")
LINK_KINDS = ("code", "exact", "typo", "partial")
QUESTION_FLAGS = ("asks_credential", "asks_job", "judges", "asks_how", "asks_who", "constrained")
# How a candidate relates to the records that lead the fused order: "which certs for a
# pentester?" needs the occupation and the credentials that prepare for it, "is the DMI
# certificate genuine?" the credential and its awarding body.
RELATIONS = (
    "occupation_of_leader",
    "prepares_for_leader",
    "provider_of_leader",
    "same_provider_as_leader",
    "skill_of_leader",
    "stacks_with_leader",
    "same_field_as_leader",
    "shares_occupation_with_leader",
)
LEADERS = 5  # the records of the fused order whose relations count
NO_RANK = 999  # a record the dense or lexical pass did not return


def _names() -> tuple[str, ...]:
    names = [
        "score",
        "share_of_top",
        "inverse_rank",
        "log_rank",
        "fused_before_lifts",
        "lifts",
        "dense_similarity",
        "below_best_similarity",
        "inverse_dense_rank",
        "inverse_lexical_rank",
        "title_words_asked",
        "question_words_in_title",
        "title_word_parts_asked",
        "provider_asked",
        "in_first_five",
        "memory_vote",
        "memory_rank",
        "memory_similarity",
    ]
    names += [f"link_{how}" for how in LINK_KINDS]
    names += [f"is_{kind}" for kind in KINDS]
    names += [f"{kind}_x_{flag}" for kind in KINDS for flag in QUESTION_FLAGS]
    names += [f"{kind}_x_{part}" for part in ("share_of_top", "dense_similarity", "inverse_lexical_rank") for kind in KINDS]
    names += list(RELATIONS)
    names += ["occupation_of_leader_x_asks_job", "provider_of_leader_x_judges", "provider_of_leader_x_asks_who"]
    return tuple(names)


FEATURES = _names()

# The question-level inputs of the judgement "has the catalogue anything on this?", made when
# no rule decides it (a named record answers; an unknown exam code or brand does not). The
# ranked candidates' chances say more than the best passage's similarity alone: a question
# whose best candidate is a likely hit is answerable even when its wording is far from any
# passage, and one whose best candidate is unlikely is not, however close its wording.
JUDGEMENT_RULES = ("product", "code_word")
JUDGEMENT_FEATURES = (
    "top_chance",
    "second_chance",
    "chance_gap",
    "chance_in_first_five",
    "best_similarity",
    "below_bar",
    "below_bar_with_unknown",
    "unknown_words",
    "unnamed_words",
    "topic_words",
    "distinctive_words",
    "constrained",
    "best_link",
    "candidates",
    *(f"top_is_{kind}" for kind in KINDS),
    "top_dense_similarity",
    "top_title_words_asked",
    "top_question_words_in_title",
    "top_inverse_lexical_rank",
    *(f"rule_{rule}" for rule in JUDGEMENT_RULES),
    "rule_word_zipf",
    "memory_nothing",
    "memory_top_similarity",
    "memory_top_vote",
)


@lru_cache(maxsize=8192)
def content_words(text: str) -> frozenset[str]:
    """The words of ``text`` that carry meaning: folded, no stopwords, longer than two letters."""
    return frozenset(w for w in plain_words(fold(text)) if w not in STOPWORDS and len(w) > 2)


def question_flags(text: str, constrained: bool) -> dict[str, bool]:
    """What kind of question this is, in the terms the model weighs per kind of record."""
    # imported here: retrieval imports this module, and these modules import retrieval
    from assistant.agent.intents import GUIDE
    from assistant.query_parse import JUDGING_WORDS, OCCUPATION_WORDS, mentions_credentials
    from assistant.retrieval import ASKS_WHO

    return {
        "asks_credential": mentions_credentials(text),
        "asks_job": bool(OCCUPATION_WORDS.search(text)),
        "judges": bool(JUDGING_WORDS.search(text)),
        "asks_how": bool(GUIDE.search(text)),
        "asks_who": bool(ASKS_WHO.search(text)),
        "constrained": constrained,
    }


@dataclass(frozen=True)
class Evidence:
    """What search knows about one candidate record, before the model weighs it."""

    kind: str
    title: str
    score: float  # fused score, after every lift
    rank: int  # 1-based, in fused order
    fused_before_lifts: float
    dense_similarity: float
    dense_rank: int
    lexical_rank: int
    links: dict[str, float]  # best link score per way of linking ("code", "exact", ...)
    related: dict[str, float] = field(default_factory=dict)  # per relation in RELATIONS, 1/rank of the leader it relates to
    provider_link: float = 0.0  # best link score of the credential's awarding body in the question ("the google pm cert")
    # what the labelled questions closest to this one say of the record (assistant/memory.py)
    memory_vote: float = 0.0  # its share of their votes
    memory_rank: int = NO_RANK  # its place by votes
    memory_similarity: float = 0.0  # of the closest one labelled with it


@dataclass(frozen=True)
class RelationIndex:
    """Who relates to whom in one catalogue generation, so :func:`relations` never scans it."""

    generation: int
    by_provider: dict[str, list[str]]  # provider id -> its credentials
    neighbours: dict[str, set[str]]  # credential -> what it stacks into, is part of or needs first, and the reverse
    for_occupation: dict[str, list[str]]  # occupation id -> credentials that prepare for it
    by_field: dict[str, list[str]]  # career field -> its credentials


def relation_index(catalogue: Catalogue) -> RelationIndex:
    """The index for this catalogue, built once and kept on the catalogue object (as the entity index is)."""
    generation = catalogue.generation
    cached = getattr(catalogue, "_relation_index", None)
    if isinstance(cached, RelationIndex) and cached.generation == generation:
        return cached
    by_provider: dict[str, list[str]] = {}
    neighbours: dict[str, set[str]] = {}
    for_occupation: dict[str, list[str]] = {}
    by_field: dict[str, list[str]] = {}
    for credential in catalogue.credentials.values():
        for name in credential.fields:
            by_field.setdefault(name, []).append(credential.id)
        if credential.provider_id is not None:
            by_provider.setdefault(credential.provider_id, []).append(credential.id)
        for occupation in credential.occupations:
            for_occupation.setdefault(occupation, []).append(credential.id)
        for other in [link.target for link in credential.stacks_into] + credential.part_of + credential.prerequisites:
            neighbours.setdefault(credential.id, set()).add(other)
            neighbours.setdefault(other, set()).add(credential.id)
    index = RelationIndex(generation, by_provider, neighbours, for_occupation, by_field)
    setattr(catalogue, "_relation_index", index)  # noqa: B010 - a cache on the object, not a field of it
    return index


def relations(leaders: list[str], catalogue: Catalogue) -> dict[str, dict[str, float]]:
    """For each record related to one of ``leaders`` (fused order), 1/rank of the best such leader per relation."""
    index = relation_index(catalogue)
    out: dict[str, dict[str, float]] = {}

    def mark(record_ids: list[str] | set[str], relation: str, rank: int) -> None:
        for record_id in record_ids:
            if record_id != leaders[rank - 1]:
                best = out.setdefault(record_id, {})
                best[relation] = max(best.get(relation, 0.0), 1.0 / rank)

    for rank, leader in enumerate(leaders, start=1):
        credential = catalogue.credentials.get(leader)
        if credential is not None:
            mark(credential.occupations, "occupation_of_leader", rank)
            mark(credential.skills, "skill_of_leader", rank)
            if credential.provider_id is not None:
                mark([credential.provider_id], "provider_of_leader", rank)
                mark(index.by_provider.get(credential.provider_id, []), "same_provider_as_leader", rank)
            mark(index.neighbours.get(leader, set()), "stacks_with_leader", rank)
            for name in credential.fields:
                mark(index.by_field.get(name, []), "same_field_as_leader", rank)
            for occupation in credential.occupations:
                mark(index.for_occupation.get(occupation, []), "shares_occupation_with_leader", rank)
        elif leader in catalogue.occupations:
            mark(index.for_occupation.get(leader, []), "prepares_for_leader", rank)
    return out


def features(evidence: Evidence, top_score: float, best_similarity: float, question: str, flags: dict[str, bool]) -> list[float]:
    """The model's inputs for one candidate, in the order of :data:`FEATURES`."""
    asked, title = content_words(question), content_words(evidence.title)
    shared = len(asked & title)
    # a word inside a longer one: "meister" in "industriemeister", "analytic" in "analytics"
    parts = sum(1 for t in title - asked if len(t) >= 5 and any(len(a) >= 5 and (a in t or t in a) for a in asked))
    share = evidence.score / top_score if top_score > 0 else 0.0
    inverse_lexical = 1.0 / evidence.lexical_rank
    row = [
        evidence.score,
        share,
        1.0 / evidence.rank,
        math.log(evidence.rank),
        evidence.fused_before_lifts,
        evidence.score - evidence.fused_before_lifts,
        evidence.dense_similarity,
        best_similarity - evidence.dense_similarity,
        1.0 / evidence.dense_rank,
        inverse_lexical,
        shared / max(1, len(title)),
        shared / max(1, len(asked)),
        parts / max(1, len(title)),
        evidence.provider_link,
        float(evidence.rank <= 5),
        evidence.memory_vote,
        1.0 / evidence.memory_rank,
        evidence.memory_similarity,
    ]
    row += [evidence.links.get(how, 0.0) for how in LINK_KINDS]
    is_kind = [float(evidence.kind == kind) for kind in KINDS]
    row += is_kind
    row += [k * float(flags[flag]) for k in is_kind for flag in QUESTION_FLAGS]
    row += [k * value for value in (share, evidence.dense_similarity, inverse_lexical) for k in is_kind]
    row += [evidence.related.get(name, 0.0) for name in RELATIONS]
    occupation_of, provider_of = evidence.related.get("occupation_of_leader", 0.0), evidence.related.get("provider_of_leader", 0.0)
    row += [occupation_of * flags["asks_job"], provider_of * flags["judges"], provider_of * flags["asks_who"]]
    return row


@dataclass(frozen=True)
class Judgement:
    """What the abstention rule knows when no rule decides: the question's words and the best similarity against its bar."""

    best_similarity: float
    bar: float  # below it, nothing is on the question (the calibrated threshold)
    bar_with_unknown: float  # the higher bar for a question with words the catalogue lacks
    unknown_words: int
    unnamed_words: int  # unknown words that are not everyday words either
    topic_words: int
    distinctive_words: int
    constrained: bool
    best_link: float
    # a rule that points to nothing without deciding: "product" (a word after a provider's name
    # that none of its credentials carries, "harvard extension grad certificate"), "code_word"
    # (a code-like word the catalogue lacks, "HTQ", "MAS" asked in another language)
    rule: str = ""
    rule_word_zipf: float = 0.0  # how common the word it points at is in English: "grad", "pm" are; "snowpro" is not
    # the closest labelled questions (assistant/memory.py): the share of them labelled "nothing",
    # the closest one's similarity, and the votes of the record they favour most
    memory_nothing: float = 0.0
    memory_top_similarity: float = 0.0
    memory_top_vote: float = 0.0

    def below_bar(self) -> bool:
        """The calibrated threshold rule: the judgement made without the trained model, where a rule's pointer decides."""
        if self.rule:
            return True
        return self.best_similarity < self.bar or (self.unnamed_words > 0 and self.best_similarity < self.bar_with_unknown)


def judgement_features(judgement: Judgement, chances: list[float], top_row: list[float]) -> list[float]:
    """The judgement's inputs, in the order of :data:`JUDGEMENT_FEATURES`: the question, its ranked chances and its best candidate."""
    first, second = [*chances, 0.0, 0.0][:2]
    top = dict(zip(FEATURES, top_row, strict=True))
    return [
        first,
        second,
        first - second,
        sum(chances[:5]),
        judgement.best_similarity,
        judgement.bar - judgement.best_similarity,
        judgement.bar_with_unknown - judgement.best_similarity,
        judgement.unknown_words,
        judgement.unnamed_words,
        judgement.topic_words,
        judgement.distinctive_words,
        float(judgement.constrained),
        judgement.best_link,
        math.log(1 + len(chances)),
        *(top[f"is_{kind}"] for kind in KINDS),
        top["dense_similarity"],
        top["title_words_asked"],
        top["question_words_in_title"],
        top["inverse_lexical_rank"],
        *(float(judgement.rule == rule) for rule in JUDGEMENT_RULES),
        judgement.rule_word_zipf,
        judgement.memory_nothing,
        judgement.memory_top_similarity,
        judgement.memory_top_vote,
    ]


class RerankerFileError(ConfigError, ValueError):
    """The reranker file cannot be read: a user-facing error that names the command to refit it."""


class Reranker:
    """Gradient-boosted trees over :data:`FEATURES`; :meth:`probabilities` gives each record's chance of being needed."""

    def __init__(
        self,
        booster: lightgbm.Booster,
        model: str,
        meta: dict[str, Any] | None = None,
        judge: lightgbm.Booster | None = None,
        nothing_above: float = 1.0,
    ) -> None:
        if booster.num_feature() != len(FEATURES):
            raise ValueError(f"reranker has {booster.num_feature()} inputs for {len(FEATURES)} features")
        if judge is not None and judge.num_feature() != len(JUDGEMENT_FEATURES):
            raise ValueError(f"judge has {judge.num_feature()} inputs for {len(JUDGEMENT_FEATURES)} features")
        self.booster = booster
        self.model = model
        self.meta = meta or {}
        self.judge = judge  # trees over JUDGEMENT_FEATURES: the chance that the catalogue has nothing on the question
        self.nothing_above = nothing_above  # the chance above which search answers with nothing

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Reranker | None:
        """The fitted model at ``path``; None when it is absent or was fitted on other features."""
        if not path.exists():
            return None
        import lightgbm  # imported on first use: it loads a native library

        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if tuple(data["features"]) != FEATURES:
                return None  # fitted before the features changed: fused order is better than a misread model
            judge = None
            if "judge" in data and tuple(data["judge"]["features"]) == JUDGEMENT_FEATURES:  # else the calibrated threshold judges
                judge = lightgbm.Booster(model_str=str(data["judge"]["trees"]))
            nothing_above = float(data["judge"]["nothing_above"]) if judge is not None else 1.0
            return cls(lightgbm.Booster(model_str=str(data["trees"])), str(data["embedding_model"]), data.get("trained_on"), judge, nothing_above)
        except (OSError, ValueError, KeyError, TypeError, lightgbm.basic.LightGBMError) as exc:
            raise RerankerFileError(f"{path} is not a reranker file ({exc}); run `python -m evals ranker` to fit it again") from exc

    @classmethod
    def shipped(cls) -> Reranker | None:
        """The model in :data:`WEIGHTS`, read once per version of the file: every retriever shares it."""
        try:
            stat = WEIGHTS.stat()
        except FileNotFoundError:
            return None
        return _shipped(stat.st_mtime_ns, stat.st_size)

    def probabilities(self, rows: list[list[float]]) -> list[float]:
        """The chance that each candidate (one row of :data:`FEATURES` each) is a record the answer needs."""
        if not rows:
            return []
        return [float(p) for p in self.booster.predict(np.asarray(rows, dtype=float), num_threads=1)]

    def nothing_chance(self, row: list[float]) -> float | None:
        """The chance that the catalogue has nothing on the question (one row of :data:`JUDGEMENT_FEATURES`); None without a judge."""
        if self.judge is None:
            return None
        return float(self.judge.predict(np.asarray([row], dtype=float), num_threads=1)[0])

    def save(self, path: Path = WEIGHTS) -> None:
        payload: dict[str, Any] = {
            "embedding_model": self.model,
            "features": list(FEATURES),
            "trained_on": self.meta,
            "trees": self.booster.model_to_string(),
        }
        if self.judge is not None:
            payload["judge"] = {"features": list(JUDGEMENT_FEATURES), "nothing_above": self.nothing_above, "trees": self.judge.model_to_string()}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)


@lru_cache(maxsize=1)
def _shipped(mtime_ns: int, size: int) -> Reranker | None:
    """:meth:`Reranker.load` of the shipped file, cached by its version (``evals ranker`` writing a new one is read again)."""
    return Reranker.load(WEIGHTS)
