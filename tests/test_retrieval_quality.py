"""Retrieval quality with the real bundled model (all-MiniLM-L6-v2) on the small fixture knowledge.

The full measurement is the eval (``python -m evals retrieval``); these check the behaviours
that depend on the model: paraphrases, typos and the calibrated abstention threshold.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.embeddings import load_embedder
from assistant.retrieval import ABSTAIN_BELOW, Retriever
from assistant.settings import DEFAULT_EMBEDDING_MODEL, EmbeddingSettings, StoreSettings
from assistant.store import Store
from ingest.pipeline import ingest_paths


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    knowledge = Path(__file__).resolve().parent / "fixtures" / "knowledge_small"
    store = Store(StoreSettings(path=tmp_path_factory.mktemp("quality") / "store"), create=True)
    embedder = load_embedder(EmbeddingSettings(model=DEFAULT_EMBEDDING_MODEL, device="cpu"))
    ingest_paths([knowledge], store, embedder)
    return Retriever(store, embedder)


def test_the_real_model_has_a_calibrated_threshold(retriever: Retriever) -> None:
    assert retriever.embedder.name in ABSTAIN_BELOW


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("a Swiss university continuing-education certificate in data science", "north-cas-data"),
        ("learn to build dashboards and charts", "acme-dashboards"),
        ("how is an open badge checked to be genuine", "guide-test-badges"),
        ("acme clowd fundamentals", "acme-cloud-intro"),
    ],
)
def test_paraphrases_and_typos_find_the_record(retriever: Retriever, question: str, expected: str) -> None:
    assert expected in [h.id for h in retriever.search(question, k=3)]


@pytest.mark.parametrize("question", ["how do I get a commercial pilot licence", "sommelier certification for wine", "piano lessons for adults"])
def test_off_topic_questions_are_answered_with_nothing(retriever: Retriever, question: str) -> None:
    result = retriever.search_detailed(question)
    assert result.abstained and result.hits == []


def test_a_named_record_is_never_abstained_on(retriever: Retriever) -> None:
    assert retriever.search("CF-100")[0].id == "acme-cloud-intro"
