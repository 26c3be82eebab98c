"""The question memory: labelled questions vote for the records they were labelled with."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.embeddings import HashingEmbedder
from assistant.memory import MemoryFileError, QuestionMemory, memory_source, read_labelled
from assistant.rerank import FEATURES, Reranker
from assistant.retrieval import Retriever
from assistant.settings import RetrievalSettings, StoreSettings
from assistant.store import Store
from evals.ranker import fit
from ingest.pipeline import ingest_paths

QUESTIONS = [
    {"id": "a1", "question": "what does the acme cloud fundamentals exam cover", "relevant": ["acme-cloud-intro"], "split": "seen"},
    {"id": "a2", "question": "is the acme cloud fundamentals exam hard", "relevant": ["acme-cloud-intro"], "split": "seen"},
    {"id": "b1", "question": "building dashboards and charts course", "relevant": ["acme-dashboards"], "split": "dev"},
    {"id": "b2", "question": "sommelier certification for wine", "relevant": [], "split": "seen"},
    {"id": "z1", "question": "a held back question about dashboards", "relevant": ["acme-dashboards"], "split": "heldout"},
]
KNOWN = {"acme-cloud-intro", "acme-dashboards"}


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__(256)
        self.encoded = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.encoded += len(texts)
        return super().encode(texts)


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps({**row, "persona": "learner", "tags": []}) + "\n" for row in rows), encoding="utf-8")
    return path


def test_held_back_questions_are_never_read(tmp_path: Path) -> None:
    labelled = read_labelled(_write(tmp_path / "q.jsonl", QUESTIONS))
    assert [question_id for question_id, _, _ in labelled] == ["a1", "a2", "b1", "b2"]


def test_a_close_question_votes_for_its_records_and_a_nothing_one_for_nothing(tmp_path: Path) -> None:
    embedder = HashingEmbedder(256)
    memory = QuestionMemory.open(_write(tmp_path / "q.jsonl", QUESTIONS), tmp_path, embedder, KNOWN)
    assert memory is not None
    recall = memory.recall(embedder.encode(["how hard is the acme cloud fundamentals exam"])[0], KNOWN)
    assert max(recall.votes, key=recall.votes.__getitem__) == "acme-cloud-intro"
    assert recall.rank()["acme-cloud-intro"] == 1
    assert recall.closest["acme-cloud-intro"] > 0.5
    wine = memory.recall(embedder.encode(["wine sommelier certification"])[0], KNOWN)
    assert wine.nothing > 0.5


def test_votes_go_only_to_records_in_the_catalogue(tmp_path: Path) -> None:
    embedder = HashingEmbedder(256)
    memory = QuestionMemory.open(_write(tmp_path / "q.jsonl", QUESTIONS), tmp_path, embedder, KNOWN)
    assert memory is not None
    recall = memory.recall(embedder.encode(["acme cloud fundamentals exam"])[0], {"acme-dashboards"})
    assert "acme-cloud-intro" not in recall.votes


def test_leaving_a_set_out_removes_its_questions(tmp_path: Path) -> None:
    embedder = HashingEmbedder(256)
    memory = QuestionMemory.open(_write(tmp_path / "q.jsonl", QUESTIONS), tmp_path, embedder, KNOWN)
    assert memory is not None
    without = memory.without_set("a")
    assert without.ids == ["b1", "b2"] and len(memory) == 4
    assert "acme-cloud-intro" not in without.recall(embedder.encode(["acme cloud fundamentals exam"])[0]).votes


def test_vectors_are_kept_beside_the_store_and_reused(tmp_path: Path) -> None:
    source = _write(tmp_path / "q.jsonl", QUESTIONS)
    embedder = CountingEmbedder()
    QuestionMemory.open(source, tmp_path / "store", embedder, KNOWN)
    QuestionMemory.open(source, tmp_path / "store", embedder, KNOWN)
    assert embedder.encoded == 4
    assert len(list((tmp_path / "store").glob("memory-*.npy"))) == 1
    _write(source, [*QUESTIONS, {"id": "a3", "question": "acme cloud exam price", "relevant": ["acme-cloud-intro"], "split": "seen"}])
    QuestionMemory.open(source, tmp_path / "store", embedder, KNOWN)
    assert embedder.encoded == 9  # a new version of the questions is embedded again, and replaces the old vectors
    assert len(list((tmp_path / "store").glob("memory-*.npy"))) == 1


def test_questions_written_for_another_catalogue_are_not_recalled(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    assert QuestionMemory.open(_write(tmp_path / "q.jsonl", QUESTIONS), tmp_path, embedder, {"someone-elses-record"}) is None
    assert embedder.encoded == 0


def test_a_damaged_line_is_named(tmp_path: Path) -> None:
    source = tmp_path / "q.jsonl"
    source.write_text(json.dumps({**QUESTIONS[0], "persona": "learner", "tags": []}) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(MemoryFileError, match=r"line 2 is not a labelled question"):
        read_labelled(source)
    with pytest.raises(MemoryFileError, match=r"Cannot read the labelled questions"):
        read_labelled(tmp_path / "missing.jsonl")


def test_the_records_the_memory_votes_for_join_the_candidates(tmp_path: Path, small_knowledge: Path) -> None:
    store = Store(StoreSettings(path=tmp_path / "store"), create=True)
    embedder = HashingEmbedder(256)
    ingest_paths([small_knowledge], store, embedder)
    retriever = Retriever(store, embedder, RetrievalSettings(rerank=False))
    assert retriever.memory is None  # without the reranker nothing weighs the votes
    question = "which course teaches building dashboards and charts"
    plain = retriever.search_detailed(question, k=40).features
    memory = QuestionMemory.open(_write(tmp_path / "q.jsonl", QUESTIONS), tmp_path, embedder, KNOWN)
    retriever.memory = memory
    voted = retriever.search_detailed(question, k=40).features
    vote = FEATURES.index("memory_vote")
    assert plain["acme-dashboards"][vote] == 0.0
    assert voted["acme-dashboards"][vote] > 0.5


def _fitted_for(embedder_name: str) -> Reranker:
    row = dict.fromkeys(FEATURES, 0.0)
    rows = [[{**row, "score": n / 100}[name] for name in FEATURES] for n in range(100)]
    gathered = [{"id": f"q{n}", "relevant": ["x"], "ids": ["x"], "rows": [rows[n]], "labels": [int(n >= 50)]} for n in range(100)]
    return fit(gathered, embedder_name)


def test_search_opens_the_memory_only_with_a_reranker_and_a_catalogue_it_was_written_for(tmp_path: Path, small_knowledge: Path) -> None:
    store = Store(StoreSettings(path=tmp_path / "store"), create=True)
    embedder = HashingEmbedder(256)
    ingest_paths([small_knowledge], store, embedder)
    ours = _write(tmp_path / "ours.jsonl", QUESTIONS)
    theirs = _write(tmp_path / "theirs.jsonl", [{**q, "relevant": ["another-catalogues-record"] if q["relevant"] else []} for q in QUESTIONS])
    retriever = Retriever(store, embedder, RetrievalSettings(memory=ours))
    retriever.reranker = _fitted_for(embedder.name)
    assert retriever.memory is not None and len(retriever.memory) == 4
    assert list(store.path.glob("memory-*.npy"))
    other = Retriever(store, embedder, RetrievalSettings(memory=theirs))
    other.reranker = _fitted_for(embedder.name)
    assert other.memory is None
    assert Retriever(store, embedder, RetrievalSettings(memory=None)).memory is None


def test_an_install_without_the_default_questions_searches_without_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.memory

    absent = tmp_path / "evals" / "datasets" / "retrieval.jsonl"
    monkeypatch.setattr(assistant.memory, "DEFAULT_MEMORY", absent)
    assert memory_source(absent) is None
    assert memory_source(None) is None
    chosen = tmp_path / "mine.jsonl"
    assert memory_source(chosen) == chosen  # a file the user names and lacks is an error when read, not ignored
