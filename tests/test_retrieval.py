"""Retriever wiring on the small fixture knowledge with the deterministic hashing embedder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.embeddings import HashingEmbedder
from assistant.retrieval import Retriever, SearchFilters, SearchHit, passes
from assistant.settings import StoreSettings
from assistant.store import Store
from ingest.pipeline import ingest_paths


@pytest.fixture
def retriever(tmp_path: Path, small_knowledge: Path) -> Retriever:
    store = Store(StoreSettings(path=tmp_path / "store"), create=True)
    embedder = HashingEmbedder(256)
    ingest_paths([small_knowledge], store, embedder)
    return Retriever(store, embedder)


def _ids(hits: list[SearchHit]) -> list[str]:
    return [h.id for h in hits]


def test_hits_have_the_json_contract_and_one_hit_per_record(retriever: Retriever) -> None:
    hits = retriever.search("data analytics", k=5)
    assert hits and len(set(_ids(hits))) == len(hits) <= 5
    assert set(hits[0].as_json()) == {"id", "kind", "title", "score", "snippet"}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_a_code_is_answered_first(retriever: Retriever) -> None:
    assert _ids(retriever.search("what is CF-100?"))[0] == "acme-cloud-intro"
    assert _ids(retriever.search("cf100 exam"))[0] == "acme-cloud-intro"


def test_an_exact_title_is_answered_first(retriever: Retriever) -> None:
    assert _ids(retriever.search("Tell me about the MAS in Data Science"))[0] == "north-mas-data"


def test_constraints_in_the_question_filter_the_hits(retriever: Retriever) -> None:
    # 150 USD = 136 EUR passes "under 200 euros"; the 300 EUR course and the 8,000 CHF CAS do not
    result = retriever.search_detailed("data courses under 200 euros")
    assert result.filters.max_cost == 200 and result.filters.currency == "EUR"
    assert "acme-dashboards" in _ids(result.hits)
    assert not {"acme-data-basics", "north-cas-data"} & set(_ids(result.hits))
    german = retriever.search("data science taught in German")
    credentials = [h.id for h in german if h.kind == "credential"]
    assert credentials and set(credentials) <= {"acme-data-basics", "north-cas-data", "north-mas-data"}
    # a guide is not hidden by a credential constraint, but it ranks after the credentials meeting it
    kinds = [h.kind for h in german]
    assert kinds == sorted(kinds, key=lambda kind: kind != "credential")


def test_explicit_filters_still_apply_and_win(retriever: Retriever) -> None:
    hits = retriever.search("online data courses", filters=SearchFilters(delivery="blended"))
    assert hits and {h.id for h in hits} <= {"north-cas-data", "north-mas-data"}


def test_a_named_record_is_not_hidden_by_a_parsed_constraint(retriever: Retriever) -> None:
    # the CAS is taught in German only; the question asks about it, it does not filter
    assert _ids(retriever.search("Is the CAS in Data Science taught in English?"))[0] == "north-cas-data"


def test_a_yes_or_no_question_about_a_partly_named_credential_does_not_hide_it(retriever: Retriever) -> None:
    # the CAS is blended: asking whether it is online is about it; asking for online courses filters it out
    assert "north-cas-data" in _ids(retriever.search("the cas data science from north, is it online?"))
    assert "north-cas-data" not in _ids(retriever.search("online data science courses"))


def test_a_common_word_the_catalogue_lacks_does_not_raise_the_bar_but_a_name_does(retriever: Retriever, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.retrieval as retrieval

    # every similarity clears the plain bar, none the bar for questions with unknown names
    monkeypatch.setitem(retrieval.ABSTAIN_BELOW, retriever.embedder.name, (0.0, 1.01))
    assert _ids(retriever.search("a reasonable data analytics course, 20k budget at most"))  # everyday words and an amount
    assert retriever.search_detailed("data analytics course from snowpro").abstained


def test_constraint_parsing_can_be_turned_off(tmp_path: Path, small_knowledge: Path, retriever: Retriever) -> None:
    plain = Retriever(retriever.store, retriever.embedder, parse_constraints=False)
    result = plain.search_detailed("data courses under 200 euros")
    assert result.filters.max_cost is None and result.constraints == []


def test_nothing_in_the_catalogue_is_answered_with_nothing(retriever: Retriever) -> None:
    result = retriever.search_detailed("underwater basket weaving for klingons")
    assert result.abstained and result.hits == []
    keeps = Retriever(retriever.store, retriever.embedder, abstain=False)
    assert keeps.search("underwater basket weaving for klingons")


def test_an_unknown_code_is_answered_with_nothing(retriever: Retriever) -> None:
    assert retriever.search("ZX-9000 certification exam") == []


def test_misspelt_words_still_find_records(retriever: Retriever) -> None:
    assert "north-cas-data" in _ids(retriever.search("data sciense CAS", k=3))


def test_occupation_by_alternative_title(retriever: Retriever) -> None:
    assert _ids(retriever.search("how much does a BI analyst earn"))[0] == "15-2051.01"


def test_the_jobs_a_named_credential_leads_to_join_its_answer(tmp_path: Path, small_knowledge: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(small_knowledge, knowledge)
    catalogue = knowledge / "catalogue.yaml"
    text = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(
        text.replace("    skills: [cloud-fundamentals]\n", "    skills: [cloud-fundamentals]\n    occupations: [cloud-support-associate]\n", 1),
        encoding="utf-8",
    )
    store = Store(StoreSettings(path=tmp_path / "store"), create=True)
    embedder = HashingEmbedder(256)
    ingest_paths([knowledge], store, embedder)
    retriever = Retriever(store, embedder)
    assert _ids(retriever.search("CF-100: what job titles does it lead to?", k=3))[:2] == ["acme-cloud-intro", "cloud-support-associate"]
    assert "cloud-support-associate" not in _ids(retriever.search("CF-100 exam price", k=3))


def test_a_product_the_provider_does_not_offer_is_answered_with_nothing(retriever: Retriever) -> None:
    assert retriever.search("Acme Academy Kubernetes Expert exam") == []
    assert "acme-dashboards" in _ids(retriever.search("Acme Academy Dashboards course"))


def test_a_credential_of_a_brand_no_credential_carries_is_answered_with_nothing(retriever: Retriever) -> None:
    # "Python" occurs in the catalogue (a CAS teaches it) but no credential is a Python
    # certification: "Python Certified ..." names one the catalogue lacks
    result = retriever.search_detailed("Python Certified Associate Programmer exam")
    assert result.abstained and result.hits == []
    # a topic word that merely starts the sentence is not a brand
    assert retriever.search("Statistics certificate for data science")


def test_a_named_provider_lifts_its_own_credentials(retriever: Retriever) -> None:
    ranked = _ids(retriever.search("North University analytics courses", k=4))
    assert ranked[:2] == ["north-cas-data", "north-mas-data"] or ranked[:2] == ["north-mas-data", "north-cas-data"]


def test_words_found_together_in_one_passage_count_as_support(retriever: Retriever, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.retrieval as retrieval

    # a calibration so strict that only other evidence can keep a question answered
    monkeypatch.setitem(retrieval.ABSTAIN_BELOW, retriever.embedder.name, (1.01, 1.01))
    assert "acme-data-basics" in _ids(retriever.search("spreadsheets and SQL"))
    assert retriever.search_detailed("spreadsheets and kubernetes").abstained


def test_a_record_the_question_sets_aside_is_left_out(retriever: Retriever) -> None:
    assert "north-cas-data" in _ids(retriever.search("data science programmes"))
    assert "north-cas-data" not in _ids(retriever.search("data science programmes other than the CAS in Data Science"))


def test_a_year_or_a_far_away_capitalised_word_is_not_an_unknown_product(retriever: Retriever) -> None:
    assert "acme-dashboards" in _ids(retriever.search("Does Acme Academy still run the dashboards course in 2025?"))
    assert "acme-dashboards" in _ids(retriever.search("Acme Academy dashboards course for a BI analyst"))


@pytest.mark.parametrize(
    "filters",
    [
        SearchFilters(language="de,fr"),
        SearchFilters(max_hours=30),
        SearchFilters(min_ects=0),
        SearchFilters(min_ects=60, max_ects=60),
        SearchFilters(eqf_level=7, language="en,de"),
    ],
)
def test_the_vector_prefilter_keeps_exactly_the_credentials_that_pass(retriever: Retriever, filters: SearchFilters) -> None:
    catalogue = retriever.catalogue
    dense, _topic = retriever._dense("data courses", filters)
    fetched = {chunk_id.split("::", 1)[0] for chunk_id, _score in dense}
    fetched_credentials = fetched & set(catalogue.credentials)
    # the unfiltered query adds the best passages overall; every credential that passes is fetched
    passing = {c.id for c in catalogue.credentials.values() if passes(c, filters, catalogue)}
    assert passing and passing <= fetched_credentials
    assert {h.id for h in retriever.search("data courses", k=10, filters=filters) if h.kind == "credential"} <= passing


def test_a_credential_constraint_does_not_hide_a_guide(retriever: Retriever) -> None:
    # "free" filters credentials (only the cloud intro is free); the verification guide still answers
    hits = retriever.search("is badge signature verification free?", k=5)
    assert "guide-test-badges" in _ids(hits)
    assert {h.id for h in hits if h.kind == "credential"} <= {"acme-cloud-intro"}


def test_a_brand_the_catalogue_lacks_outweighs_a_job_it_names(retriever: Retriever) -> None:
    assert retriever.search("BI analyst skills")  # the occupation alone is answered
    result = retriever.search_detailed("Zebracorp Certified BI Analyst exam")
    assert result.abstained and result.hits == []


def test_catalogue_knows_which_providers_award_or_host_credentials() -> None:
    from assistant.catalogue import Catalogue
    from assistant.models import Credential, CredentialType, Provider

    records = [
        Provider(id="uni", name="Uni", source="t"),
        Provider(id="mooc", name="MoocPlatform", source="t"),
        Provider(id="institute", name="Institute (openINST)", source="t"),
        Credential(id="c", title="C", type=CredentialType.COURSE, provider="Uni", platform="MoocPlatform", source="t"),
    ]
    assert Catalogue.from_records(list(records)).offering == {"uni", "mooc"}


def test_a_question_made_of_constraints_is_answered_by_what_meets_them(retriever: Retriever, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.retrieval as retrieval

    monkeypatch.setitem(retrieval.ABSTAIN_BELOW, retriever.embedder.name, (1.01, 1.01))
    result = retriever.search_detailed("programmes with 15 ECTS")
    assert not result.abstained and [h.id for h in result.hits if h.kind == "credential"] == ["north-cas-data"]
    assert retriever.search_detailed("sommelier programmes with 15 ECTS").abstained  # a topic the catalogue lacks


def _spanish_retriever(tmp_path: Path) -> Retriever:
    """A catalogue of one Spanish-titled programme (fictional) beside the words of an unrelated course."""
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "catalogue.yaml").write_text(
        """credentials:
  - id: sur-tens
    title: Técnico en Enfermería de Nivel Superior
    type: certificate
    provider: Instituto Sur
    source: https://sur.example
    description: Programa de técnico en enfermería (TENS), impartido en español; lo ofrece el Instituto Sur en un convenio con Oracle.
  - id: acme-sheets
    title: Acme Spreadsheets Basics
    type: micro-credential
    provider: Acme Academy
    source: https://acme.example
    description: An introduction to spreadsheets and charts for office work; the agent and licence desk uses it too.
""",
        encoding="utf-8",
    )
    store = Store(StoreSettings(path=tmp_path / "store"), create=True)
    embedder = HashingEmbedder(256)
    ingest_paths([knowledge], store, embedder)
    return Retriever(store, embedder)


def test_two_rare_words_in_one_passage_support_a_question_in_another_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.retrieval as retrieval

    retriever = _spanish_retriever(tmp_path)
    monkeypatch.setitem(retrieval.ABSTAIN_BELOW, retriever.embedder.name, (1.01, 1.01))  # only other evidence can answer
    # accents dropped: "enfermeria" and "tecnico" are the record's "enfermería" and "técnico"
    assert "sur-tens" in _ids(retriever.search("quiero estudiar tecnico en enfermeria, cuanto dura?"))
    # two short everyday words together are no topic ("agent" and "licence" in one passage)
    assert retriever.search_detailed("real estate agent licence requirements").abstained


def test_a_brand_written_in_lower_case_before_certified_is_spotted(tmp_path: Path) -> None:
    retriever = _spanish_retriever(tmp_path)
    # the catalogue only ever writes "Oracle" capitalised, and no credential carries it
    assert retriever.search_detailed("oracle certified professional java developer exam cost").abstained


def test_free_means_what_the_learner_pays_so_state_funded_counts() -> None:
    from assistant.catalogue import Catalogue
    from assistant.models import Cost, Credential, CredentialType
    from ingest.chunking import chunk_metadata

    def credential(cost: Cost | None) -> Credential:
        return Credential(id="c", title="Dual enrolment pathway", type=CredentialType.LEARNING_PROGRAM, provider="P", source="t", cost=cost)

    catalogue = Catalogue.from_records([])
    free = SearchFilters(free=True)
    funded = credential(Cost(funded=True, note="Tuition-free for eligible high-school students."))
    assert passes(funded, free, catalogue) and chunk_metadata(funded, None)["free"] is True
    paid = credential(Cost(amount=300, currency="EUR"))
    assert not passes(paid, free, catalogue) and chunk_metadata(paid, None)["free"] is False
    assert not passes(credential(None), free, catalogue)  # no published cost is not "free"


def test_a_question_of_constraints_only_in_another_language_is_answered(retriever: Retriever, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.retrieval as retrieval

    monkeypatch.setitem(retrieval.ABSTAIN_BELOW, retriever.embedder.name, (1.01, 1.01))  # no similarity could pass
    hits = retriever.search("auf Deutsch")  # the frame is all constraint: what is taught in German answers it
    assert hits and all(h.record is None or h.kind != "credential" or "de" in h.record.language for h in hits)  # type: ignore[union-attr]


def test_a_question_about_who_a_provider_is_is_answered_by_its_record(retriever: Retriever) -> None:
    assert _ids(retriever.search("what is Acme Academy? is it legit", k=3))[0] == "acme-academy"
    assert set(_ids(retriever.search("who runs the courses, Acme Academy or North University?", k=3))[:2]) == {"acme-academy", "north-uni"}
    assert "acme-academy" not in _ids(retriever.search("Acme Academy dashboards course", k=3))  # a course of it, not the body


def test_a_partly_named_credential_of_a_named_provider_leads_its_range(retriever: Retriever) -> None:
    assert _ids(retriever.search("acme academy dashboards visualisation course: how is it assessed?", k=3))[0] == "acme-dashboards"


def test_a_question_in_another_language_is_not_judged_by_the_english_calibration(retriever: Retriever, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.retrieval as retrieval

    monkeypatch.setitem(retrieval.ABSTAIN_BELOW, retriever.embedder.name, (1.01, 1.01))  # nothing is similar enough
    assert retriever.search_detailed("courses on data for my team").abstained
    assert not retriever.search_detailed("welche Kurse gibt es zu Daten für mein Team?").abstained
    assert retriever.search_detailed("wie viel kostet die ZX-9000 Prüfung?").abstained  # an unknown code still counts


def test_a_named_credentials_stacking_neighbours_answer_what_comes_before_or_after(retriever: Retriever) -> None:
    # acme-dashboards lists acme-data-basics as its prerequisite; the CAS stacks into the MAS
    before = _ids(retriever.search("do I need anything before Acme Dashboards and Visualisation?"))
    assert before[:2] == ["acme-dashboards", "acme-data-basics"]
    assert _ids(retriever.search("what comes after the CAS in Data Science?"))[:2] == ["north-cas-data", "north-mas-data"]
    # without a word about what comes before or after, the prerequisite is not lifted
    assert _ids(retriever.search("Acme Dashboards and Visualisation fees"))[1] != "acme-data-basics"


def test_a_question_judging_a_course_does_not_push_guides_below_credentials(retriever: Retriever) -> None:
    # "online" is parsed as a delivery filter in both; only the request for courses ranks the guide last
    judging = _ids(retriever.search("how can I tell if an online badge course is any good?"))
    assert "guide-test-badges" in judging[:2]
    asking = retriever.search("online badge courses")
    credentials = [i for i, h in enumerate(asking) if h.kind == "credential"]
    assert credentials and _ids(asking).index("guide-test-badges") > max(credentials)


def test_a_question_about_the_awarding_bodies_lifts_their_own_records(retriever: Retriever) -> None:
    bodies = _ids(retriever.search("North University vs Acme Academy, which body is the real issuer?"))
    assert set(bodies[:2]) == {"north-uni", "acme-academy"}
    courses = _ids(retriever.search("North University vs Acme Academy data courses"))
    assert not {"north-uni", "acme-academy"} & set(courses[:2])
