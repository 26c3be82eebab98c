"""Retrieval: hybrid search (dense Chroma + FTS5 BM25, fused by reciprocal rank) with filters.

Results are records (credential, occupation, skill, document passage) with a score and a
snippet, one hit per record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from assistant.catalogue import Catalogue, load_catalogue
from assistant.embeddings import Embedder, encode_query
from assistant.models import AnyRecord, Credential
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
    language: str | None = None
    max_weeks: float | None = Field(default=None, gt=0)
    eqf_level: int | None = Field(default=None, ge=1, le=8)
    field: str | None = None

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


class Retriever:
    """Hybrid retrieval over one store."""

    def __init__(self, store: Store, embedder: Embedder, settings: RetrievalSettings | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings or RetrievalSettings()

    @property
    def catalogue(self) -> Catalogue:
        return load_catalogue(self.store)

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None) -> list[SearchHit]:
        """Top ``k`` records for ``query`` that pass ``filters``."""
        k = k or self.settings.k
        filters = filters or SearchFilters()
        catalogue = self.catalogue
        fused: dict[str, float] = {}
        best_chunk: dict[str, str] = {}
        rank_lists = [self._dense(query, filters), self.store.lexical_search(query, self.settings.lexical_candidates)]
        for hits in rank_lists:
            rank = 0
            seen_records: set[str] = set()
            for chunk_id, _score in hits:
                record_id = chunk_id.split("::", 1)[0]
                record = catalogue.records.get(record_id)
                if record is None or record_id in seen_records or not passes(record, filters, catalogue):
                    continue
                seen_records.add(record_id)
                rank += 1
                fused[record_id] = fused.get(record_id, 0.0) + 1.0 / (self.settings.rrf_k + rank)
                best_chunk.setdefault(record_id, chunk_id)
        ranked = sorted(fused.items(), key=lambda item: -item[1])[:k]
        chunks = self.store.chunks_for([best_chunk[r] for r, _ in ranked])
        out = []
        for record_id, score in ranked:
            record = catalogue.records[record_id]
            chunk = chunks.get(best_chunk[record_id])
            out.append(SearchHit(record_id, record.kind, record_title(record), score, _snippet(chunk.text if chunk else ""), record))
        return out

    def _dense(self, query: str, filters: SearchFilters) -> list[tuple[str, float]]:
        vector = encode_query(self.embedder, query)
        collection = self.store.collection()
        where = chroma_where(filters)
        n = self.settings.dense_candidates
        result = collection.query(query_embeddings=[vector.tolist()], n_results=n, where=where or None, include=["distances"])
        ids = result["ids"][0] if result["ids"] else []
        distances = result["distances"][0] if result.get("distances") else [0.0] * len(ids)
        current = self.store.chunks_for(ids)
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=False) if cid in current]


def chroma_where(filters: SearchFilters) -> dict[str, Any]:
    """The subset of filters Chroma can apply before ranking (the rest run after)."""
    clauses: list[dict[str, Any]] = []
    if filters.kind:
        clauses.append({"kind": filters.kind})
    if filters.delivery:
        clauses.append({"delivery": filters.delivery})
    if filters.country:
        clauses.append({"country": filters.country.upper()})
    if filters.type:
        clauses.append({"type": filters.type})
    if filters.language:
        clauses.append({"language": {"$contains": filters.language.lower()}})
    if filters.free:
        clauses.append({"free": True})
    if not clauses:
        return {}
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def passes(record: AnyRecord, filters: SearchFilters, catalogue: Catalogue) -> bool:
    """Whether a record satisfies every filter (unknown values fail a constraint on them)."""
    if filters.is_empty():
        return True
    if filters.kind and record.kind != filters.kind:
        return False
    credential_only = any(
        v is not None for v in (filters.type, filters.provider, filters.max_cost, filters.free, filters.delivery, filters.language, filters.max_weeks, filters.eqf_level)
    )
    if not isinstance(record, Credential):
        if credential_only:
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
    if filters.language and filters.language.lower() not in c.language:
        return False
    if filters.max_weeks is not None and (c.duration_weeks is None or c.duration_weeks > filters.max_weeks):
        return False
    if filters.eqf_level is not None and c.eqf_level != filters.eqf_level:
        return False
    if filters.field and filters.field not in c.fields:
        return False
    is_free = bool(c.cost and (c.cost.free or c.cost.amount == 0))
    if filters.free and not is_free:
        return False
    if filters.max_cost is not None:
        cost = cost_in(c, filters.currency, catalogue)
        if cost is None or cost > filters.max_cost:
            return False
    return True


def cost_in(credential: Credential, currency: str, catalogue: Catalogue) -> float | None:
    """The credential's cost in ``currency`` via the catalogue's rate table; None when unknown."""
    cost = credential.cost
    if cost is None:
        return None
    if cost.free or cost.amount == 0:
        return 0.0
    if cost.amount is None or not cost.currency:
        return None
    if cost.currency == currency.upper():
        return cost.amount
    if catalogue.rates is None:
        return None
    return catalogue.rates.try_convert(cost.amount, cost.currency, currency)


def _snippet(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
