"""The learned reranker: the shipped model fits the code, search follows it, and fitting learns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.embeddings import HashingEmbedder
from assistant.rerank import FEATURES, WEIGHTS, Reranker
from assistant.retrieval import Retriever
from assistant.settings import DEFAULT_EMBEDDING_MODEL, RetrievalSettings, StoreSettings
from assistant.store import Store
from evals.ranker import TRAIN_SPLITS, fit, score
from evals.retrieval import load_questions
from ingest.pipeline import ingest_paths


@pytest.fixture
def store_and_embedder(tmp_path: Path, small_knowledge: Path) -> tuple[Store, HashingEmbedder]:
    store = Store(StoreSettings(path=tmp_path / "store"), create=True)
    embedder = HashingEmbedder(256)
    ingest_paths([small_knowledge], store, embedder)
    return store, embedder


def _weights(**named: float) -> list[float]:
    return [named.get(name, 0.0) for name in FEATURES]


def test_the_shipped_model_fits_the_features_and_the_default_embedding_model() -> None:
    # a change to the features without fitting again (`python -m evals ranker`) fails here
    reranker = Reranker.load()
    assert reranker is not None, f"{WEIGHTS} is missing or was fitted on other features"
    assert reranker.model == DEFAULT_EMBEDDING_MODEL
    assert reranker.meta["splits"] == ["dev", "seen"]  # never the held-back questions


def test_search_follows_the_model_and_reports_its_probability(store_and_embedder: tuple[Store, HashingEmbedder]) -> None:
    store, embedder = store_and_embedder
    retriever = Retriever(store, embedder)
    fused = retriever.search_detailed("data analytics", k=200)
    assert fused.hits and set(fused.features) == {h.id for h in fused.hits}
    assert all(len(row) == len(FEATURES) for row in fused.features.values())
    # a model that only likes guides puts the guide the fused order ranked lower first
    retriever.reranker = Reranker(_weights(is_document=8.0), intercept=-4.0, model=embedder.name)
    assert fused.hits[0].kind != "document" and any(h.kind == "document" for h in fused.hits)
    reranked = retriever.search("data analytics", k=10)
    assert reranked[0].kind == "document"
    assert {h.id for h in reranked} <= {h.id for h in fused.hits}  # the same candidates, in the model's order
    assert reranked[0].score == pytest.approx(1 / (1 + 2.718281828**-4.0), rel=1e-6)


def test_a_model_for_another_embedding_model_or_switched_off_is_not_used(store_and_embedder: tuple[Store, HashingEmbedder]) -> None:
    store, embedder = store_and_embedder
    assert Retriever(store, embedder).reranker is None  # the shipped model was fitted on MiniLM similarities, not these
    assert Retriever(store, embedder, RetrievalSettings(rerank=False)).reranker is None


def test_a_damaged_or_outdated_model_file(tmp_path: Path) -> None:
    broken = tmp_path / "reranker.json"
    broken.write_text('{"features": [', encoding="utf-8")
    with pytest.raises(ValueError, match="python -m evals ranker"):
        Reranker.load(broken)
    outdated = tmp_path / "old.json"
    outdated.write_text(json.dumps({"embedding_model": "m", "features": ["score"], "weights": [1.0], "intercept": 0.0}), encoding="utf-8")
    assert Reranker.load(outdated) is None
    assert Reranker.load(tmp_path / "absent.json") is None


def test_fitting_learns_which_evidence_marks_a_needed_record(tmp_path: Path) -> None:
    # two candidates per question: the needed one has the lower fused score but the higher dense similarity
    def row(fused: float, similarity: float) -> list[float]:
        values = dict.fromkeys(FEATURES, 0.0) | {"score": fused, "dense_similarity": similarity, "is_credential": 1.0}
        return [values[name] for name in FEATURES]

    gathered = [
        {"id": f"q{n}", "relevant": ["good"], "ids": ["bad", "good"], "rows": [row(0.05, 0.3), row(0.04, 0.7 + n / 1000)], "labels": [0, 1]} for n in range(40)
    ]
    assert score(gathered, None)["mrr"] == 0.5
    reranker = fit(gathered, "m")
    assert score(gathered, reranker) == {"questions": 40, "recall@5": 1.0, "mrr": 1.0}
    reranker.save(tmp_path / "fitted.json")
    again = Reranker.load(tmp_path / "fitted.json")
    assert again is not None and again.probability(row(0.04, 0.7)) == pytest.approx(reranker.probability(row(0.04, 0.7)), abs=1e-4)


def test_fitting_never_reads_the_held_back_questions() -> None:
    assert "heldout" not in TRAIN_SPLITS
    assert load_questions(TRAIN_SPLITS) and all(q["split"] != "heldout" for q in load_questions(TRAIN_SPLITS))
