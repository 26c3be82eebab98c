"""The learned reranker: the shipped model fits the code, search follows it, and fitting learns."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

import assistant.retrieval
from assistant.catalogue import Catalogue, load_catalogue
from assistant.embeddings import HashingEmbedder
from assistant.memory import QuestionMemory
from assistant.rerank import FEATURES, JUDGEMENT_FEATURES, WEIGHTS, Evidence, Reranker, features, question_flags, relations
from assistant.retrieval import Retriever
from assistant.settings import DEFAULT_EMBEDDING_MODEL, RetrievalSettings, StoreSettings
from assistant.store import Store
from evals.ranker import TRAIN_SPLITS, errors, fit, fit_judge, nothing_bar, score
from evals.retrieval import load_questions
from ingest.pipeline import ingest_paths


@pytest.fixture
def store_and_embedder(tmp_path: Path, small_knowledge: Path) -> tuple[Store, HashingEmbedder]:
    store = Store(StoreSettings(path=tmp_path / "store"), create=True)
    embedder = HashingEmbedder(256)
    ingest_paths([small_knowledge], store, embedder)
    return store, embedder


def _row(**named: float) -> list[float]:
    values = dict.fromkeys(FEATURES, 0.0) | named
    return [values[name] for name in FEATURES]


def _likes_guides() -> Reranker:
    """A model fitted on questions whose needed record is always the guide."""
    gathered = [
        {
            "id": f"q{n}",
            "relevant": ["guide"],
            "ids": ["credential", "guide"],
            "rows": [_row(score=0.05 + n / 1000, is_credential=1.0), _row(score=0.01, is_document=1.0)],
            "labels": [0, 1],
        }
        for n in range(60)
    ]
    return fit(gathered, "m")


def _with_memory(retriever: Retriever) -> Retriever:
    """A retriever with a one-question memory, so that a judge fitted with the memory's inputs judges."""
    vector = retriever.embedder.encode(["data analytics courses"])
    retriever.memory = QuestionMemory(["m1"], [[]], vector)
    return retriever


def _judge(nothing_when_unlikely: bool) -> Reranker:
    """The guide-liking model with a judge: "nothing" when its best candidate is unlikely (or, inverted, when it is likely)."""
    values = [n / 100 for n in range(100)]
    rows = [
        {"row": [values[n] if name == "top_chance" else 0.0 for name in JUDGEMENT_FEATURES], "nothing": int((values[n] < 0.5) == nothing_when_unlikely)}
        for n in range(100)
    ]
    reranker = _likes_guides()
    reranker.judge, reranker.nothing_above = fit_judge(rows), 0.5
    return reranker


def test_the_shipped_model_fits_the_features_and_the_default_embedding_model() -> None:
    # a change to the features without fitting again (`python -m evals ranker`) fails here
    reranker = Reranker.load()
    assert reranker is not None, f"{WEIGHTS} is missing or was fitted on other features"
    assert reranker.model == DEFAULT_EMBEDDING_MODEL
    assert reranker.meta["splits"] == ["dev", "seen"]  # never the held-back questions
    assert reranker.judge is not None and 0.0 < reranker.nothing_above < 1.0  # it judges what no abstention rule decides


def test_the_judge_decides_what_no_rule_does(store_and_embedder: tuple[Store, HashingEmbedder], monkeypatch: pytest.MonkeyPatch) -> None:
    store, embedder = store_and_embedder
    # a bar no passage reaches: without a judge, the threshold rule answers every undecided question with nothing
    monkeypatch.setitem(assistant.retrieval.ABSTAIN_BELOW, embedder.name, (0.99, 0.99))
    retriever = _with_memory(Retriever(store, embedder))
    retriever.reranker = _likes_guides()
    refused = retriever.search_detailed("data analytics")
    assert refused.abstained and refused.hits == [] and refused.judgement is not None and refused.judgement.below_bar()
    # the guide it likes is a likely hit: a judge that trusts likely hits answers, one that distrusts them does not
    retriever.reranker = _judge(nothing_when_unlikely=True)
    answered = retriever.search_detailed("data analytics")
    assert not answered.abstained and answered.hits[0].kind == "document"
    retriever.reranker = _judge(nothing_when_unlikely=False)
    assert retriever.search_detailed("data analytics").abstained
    # a record the question names is never judged
    named = retriever.search_detailed("Acme Data Basics")
    assert named.judgement is None and not named.abstained
    # the judge was fitted with the question memory's inputs: without the memory the threshold judges
    retriever.reranker = _judge(nothing_when_unlikely=True)
    retriever.memory = None
    assert retriever.search_detailed("data analytics").abstained


def test_a_product_the_provider_lacks_is_a_pointer_the_judge_weighs(store_and_embedder: tuple[Store, HashingEmbedder], monkeypatch: pytest.MonkeyPatch) -> None:
    store, embedder = store_and_embedder
    monkeypatch.setitem(assistant.retrieval.ABSTAIN_BELOW, embedder.name, (0.0, 0.0))  # a calibrated model whose bar every passage clears
    retriever = _with_memory(Retriever(store, embedder))
    retriever.reranker = _likes_guides()  # no judge: the pointer decides, as the rule always did
    refused = retriever.search_detailed("Acme Academy Kubernetes Expert exam")
    assert refused.abstained and refused.judgement is not None and refused.judgement.rule == "product"
    # with a judge, the pointer is one input: a judge that trusts a likely hit answers ("harvard extension grad certificate")
    retriever.reranker = _judge(nothing_when_unlikely=True)
    assert not retriever.search_detailed("Acme Academy Kubernetes Expert exam").abstained
    # an exam code the catalogue lacks still decides on its own
    code = retriever.search_detailed("ZX-9000 certification exam")
    assert code.abstained and code.judgement is None


def test_the_judge_is_saved_with_the_model_and_an_outdated_one_is_not_used(tmp_path: Path) -> None:
    reranker = _judge(nothing_when_unlikely=True)
    reranker.save(tmp_path / "judged.json")
    again = Reranker.load(tmp_path / "judged.json")
    assert again is not None and again.judge is not None and again.nothing_above == 0.5
    likely, unlikely = (
        [0.9 if name == "top_chance" else 0.0 for name in JUDGEMENT_FEATURES],
        [0.1 if name == "top_chance" else 0.0 for name in JUDGEMENT_FEATURES],
    )
    assert again.nothing_chance(likely) == pytest.approx(reranker.nothing_chance(likely), abs=1e-9) and again.nothing_chance(likely) < 0.5  # type: ignore[operator]
    assert again.nothing_chance(unlikely) > 0.5  # type: ignore[operator]
    data = json.loads((tmp_path / "judged.json").read_text(encoding="utf-8"))
    data["judge"]["features"] = ["top_chance"]  # fitted before the judge's inputs changed: the threshold rule judges instead
    (tmp_path / "judged.json").write_text(json.dumps(data), encoding="utf-8")
    outdated = Reranker.load(tmp_path / "judged.json")
    assert outdated is not None and outdated.judge is None and outdated.nothing_chance(likely) is None


def test_the_judges_bar_makes_the_fewest_errors_of_both_kinds() -> None:
    rows = [{"nothing": 0}] * 6 + [{"nothing": 1}] * 4
    chances = [0.1, 0.2, 0.2, 0.3, 0.6, 0.7, 0.5, 0.8, 0.9, 0.95]
    bar = nothing_bar(rows, chances)
    # refusing above 0.3 would cost two answerable questions to catch the 'nothing' one at 0.5: one error is fewer
    assert errors(rows, [c > bar for c in chances]) == {"answerable_refused": 0, "nothing_answered": 1}
    assert 0.7 <= bar < 0.8


def test_search_follows_the_model_and_reports_its_probability(store_and_embedder: tuple[Store, HashingEmbedder]) -> None:
    store, embedder = store_and_embedder
    retriever = Retriever(store, embedder)
    fused = retriever.search_detailed("data analytics", k=200)
    assert fused.hits and set(fused.features) == {h.id for h in fused.hits}
    assert all(len(row) == len(FEATURES) for row in fused.features.values())
    # a model that only likes guides puts the guide the fused order ranked lower first
    retriever.reranker = _likes_guides()
    assert fused.hits[0].kind != "document" and any(h.kind == "document" for h in fused.hits)
    reranked = retriever.search_detailed("data analytics", k=10)
    top = reranked.hits[0]
    assert top.kind == "document"
    assert {h.id for h in reranked.hits} <= {h.id for h in fused.hits}  # the same candidates, in the model's order
    assert top.score == pytest.approx(retriever.reranker.probabilities([reranked.features[top.id]])[0])
    assert 0.5 < top.score <= 1.0 and all(0.0 <= h.score < top.score for h in reranked.hits if h.kind != "document")


def test_a_candidate_is_weighed_by_how_it_relates_to_the_records_that_lead(store_and_embedder: tuple[Store, HashingEmbedder]) -> None:
    shipped = load_catalogue(store_and_embedder[0])
    # the fixture's credentials name no occupation: one prepares for the analyst job here
    basics = shipped.credentials["acme-data-basics"].model_copy(update={"occupations": ["15-2051.01"]})
    catalogue = cast(Catalogue, SimpleNamespace(generation=1, credentials=shipped.credentials | {basics.id: basics}, occupations=shipped.occupations))
    related = relations(["acme-data-basics", "north-mas-data"], catalogue)
    assert related["acme-academy"]["provider_of_leader"] == 1.0  # who awards the credential that leads
    assert related["acme-dashboards"]["same_provider_as_leader"] == 1.0
    assert related["north-cas-data"]["stacks_with_leader"] == 1.0  # what it stacks into, and what stacks into the second
    assert related["sql"]["skill_of_leader"] == 1.0
    assert related["15-2051.01"]["occupation_of_leader"] == 1.0  # the job the leading credential prepares for
    assert "acme-data-basics" not in related or "stacks_with_leader" not in related["acme-data-basics"]
    assert relations(["15-2051.01"], catalogue)["acme-data-basics"] == {"prepares_for_leader": 1.0}
    # the leader's siblings: the same career field, the same job ("capm vs the google certificate")
    assert related["acme-dashboards"]["same_field_as_leader"] == 1.0 and "same_field_as_leader" not in related["acme-cloud-intro"]  # cloud, not data
    prepares = shipped.credentials["acme-dashboards"].model_copy(update={"occupations": ["15-2051.01"]})
    catalogue = cast(Catalogue, SimpleNamespace(generation=2, credentials=catalogue.credentials | {prepares.id: prepares}, occupations=shipped.occupations))
    assert relations(["acme-data-basics"], catalogue)["acme-dashboards"]["shares_occupation_with_leader"] == 1.0


def test_a_candidate_is_weighed_by_words_inside_its_title_and_its_named_body() -> None:
    def row(title: str, question: str, provider_link: float = 0.0) -> dict[str, float]:
        evidence = Evidence("credential", title, 0.05, 1, 0.05, 0.5, 1, 1, {}, {}, provider_link)
        return dict(zip(FEATURES, features(evidence, 0.05, 0.5, question, question_flags(question, False)), strict=True))

    # "meister" inside "Industriemeister": one of the title's two words, which no exact match counts
    meister = row("IHK Industriemeister Metall", "ihk metalworking meister, what level is it?")
    assert meister["title_word_parts_asked"] == pytest.approx(1 / 3) and meister["question_words_in_title"] == pytest.approx(1 / 4)
    assert row("Google Project Management Certificate", "is the google pm cert any good", provider_link=1.0)["provider_asked"] == 1.0


def test_a_model_for_another_embedding_model_or_switched_off_is_not_used(store_and_embedder: tuple[Store, HashingEmbedder]) -> None:
    store, embedder = store_and_embedder
    assert Retriever(store, embedder).reranker is None  # the shipped model was fitted on MiniLM similarities, not these
    assert Retriever(store, embedder, RetrievalSettings(rerank=False)).reranker is None


def test_a_damaged_or_outdated_model_file(tmp_path: Path) -> None:
    broken = tmp_path / "reranker.json"
    broken.write_text('{"features": [', encoding="utf-8")
    with pytest.raises(ValueError, match="python -m evals ranker"):
        Reranker.load(broken)
    garbled = tmp_path / "garbled.json"
    garbled.write_text(json.dumps({"embedding_model": "m", "features": list(FEATURES), "trees": "not a model"}), encoding="utf-8")
    with pytest.raises(ValueError, match="python -m evals ranker"):
        Reranker.load(garbled)
    outdated = tmp_path / "old.json"
    outdated.write_text(json.dumps({"embedding_model": "m", "features": ["score"], "weights": [1.0], "intercept": 0.0}), encoding="utf-8")
    assert Reranker.load(outdated) is None
    assert Reranker.load(tmp_path / "absent.json") is None


def test_fitting_learns_which_evidence_marks_a_needed_record(tmp_path: Path) -> None:
    # two candidates per question: the needed one has the lower fused score but the higher dense similarity
    def row(fused: float, similarity: float) -> list[float]:
        return _row(score=fused, dense_similarity=similarity, is_credential=1.0)

    gathered = [
        {"id": f"q{n}", "relevant": ["good"], "ids": ["bad", "good"], "rows": [row(0.05, 0.3), row(0.04, 0.7 + n / 1000)], "labels": [0, 1]} for n in range(200)
    ]
    assert score(gathered, None)["mrr"] == 0.5
    reranker = fit(gathered, "m")
    assert score(gathered, reranker) == {"questions": 200, "recall@5": 1.0, "mrr": 1.0}
    reranker.save(tmp_path / "fitted.json")
    again = Reranker.load(tmp_path / "fitted.json")
    assert again is not None and again.model == "m"
    assert again.probabilities([row(0.04, 0.7), row(0.05, 0.3)]) == pytest.approx(reranker.probabilities([row(0.04, 0.7), row(0.05, 0.3)]), abs=1e-9)


def test_fitting_never_reads_the_held_back_questions() -> None:
    assert "heldout" not in TRAIN_SPLITS
    assert load_questions(TRAIN_SPLITS) and all(q["split"] != "heldout" for q in load_questions(TRAIN_SPLITS))
