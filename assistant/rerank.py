"""A learned reranker: a logistic model over the evidence hybrid search already gathers.

Search fuses dense and lexical ranks, entity links and a few question-aware lifts into one
score per record (``retrieval.py``). Those hand-set weights cannot say, for instance, that a
guide's lexical rank matters more when the question asks how something works, or that a
credential whose whole title appears in the question is worth more than its fused score. This
model weighs that evidence per kind of record and kind of question. It was fitted by
``python -m evals ranker`` on the questions of the retrieval dataset's ``dev`` and ``seen``
splits only (never the held-back ones) and ships as plain coefficients in ``reranker.json``:
no pickled objects, and nothing to download.

The model belongs to the embedding model whose similarities it was fitted on: with another
embedding model, or when the feature list changed since it was fitted, search keeps its
fused order.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.linking import STOPWORDS, fold, plain_words

WEIGHTS = Path(__file__).resolve().parent / "reranker.json"
KINDS = ("credential", "occupation", "document", "skill", "provider")
LINK_KINDS = ("code", "exact", "typo", "partial")
QUESTION_FLAGS = ("asks_credential", "asks_job", "judges", "asks_how", "asks_who", "constrained")
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
        "in_first_five",
    ]
    names += [f"link_{how}" for how in LINK_KINDS]
    names += [f"is_{kind}" for kind in KINDS]
    names += [f"{kind}_x_{flag}" for kind in KINDS for flag in QUESTION_FLAGS]
    names += [f"{kind}_x_{part}" for part in ("share_of_top", "dense_similarity", "inverse_lexical_rank") for kind in KINDS]
    return tuple(names)


FEATURES = _names()


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


def features(evidence: Evidence, top_score: float, best_similarity: float, question: str, flags: dict[str, bool]) -> list[float]:
    """The model's inputs for one candidate, in the order of :data:`FEATURES`."""
    asked, title = content_words(question), content_words(evidence.title)
    shared = len(asked & title)
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
        float(evidence.rank <= 5),
    ]
    row += [evidence.links.get(how, 0.0) for how in LINK_KINDS]
    is_kind = [float(evidence.kind == kind) for kind in KINDS]
    row += is_kind
    row += [k * float(flags[flag]) for k in is_kind for flag in QUESTION_FLAGS]
    row += [k * value for value in (share, evidence.dense_similarity, inverse_lexical) for k in is_kind]
    return row


class Reranker:
    """Logistic coefficients over :data:`FEATURES`; :meth:`probability` is the chance a record is needed."""

    def __init__(self, weights: list[float], intercept: float, model: str, meta: dict[str, Any] | None = None) -> None:
        if len(weights) != len(FEATURES):
            raise ValueError(f"reranker has {len(weights)} weights for {len(FEATURES)} features")
        self.weights = weights
        self.intercept = intercept
        self.model = model
        self.meta = meta or {}

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Reranker | None:
        """The fitted model at ``path``; None when it is absent or was fitted on other features."""
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            names, weights, intercept, model = data["features"], data["weights"], float(data["intercept"]), str(data["embedding_model"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path} is not a reranker file ({exc}); run `python -m evals ranker` to fit it again") from exc
        if tuple(names) != FEATURES:
            return None  # fitted before the features changed: fused order is better than a misread model
        return cls([float(w) for w in weights], intercept, model, data.get("trained_on"))

    def probability(self, row: list[float]) -> float:
        z = self.intercept + sum(w * x for w, x in zip(self.weights, row, strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0

    def save(self, path: Path = WEIGHTS) -> None:
        payload = {
            "embedding_model": self.model,
            "features": list(FEATURES),
            "weights": [round(w, 6) for w in self.weights],
            "intercept": round(self.intercept, 6),
            "trained_on": self.meta,
        }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)
