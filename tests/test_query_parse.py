"""Constraints parsed from what people write, and compared after currency conversion."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.catalogue import Catalogue
from assistant.currency import RateTable
from assistant.models import Cost, Credential, CredentialType
from assistant.query_parse import kind_prior, parse_query
from assistant.retrieval import SearchFilters, passes

RATES = RateTable(as_of=date(2024, 12, 31), source="test table", per_eur={"USD": 1.10, "GBP": 0.80, "CHF": 0.95})


def _credential(record_id: str, amount: float, currency: str) -> Credential:
    return Credential(
        id=record_id,
        title=record_id,
        type=CredentialType.CERTIFICATE,
        provider="P",
        source="test",
        cost=Cost(amount=amount, currency=currency),
    )


@pytest.fixture
def catalogue() -> Catalogue:
    creds = [_credential("usd-150", 150, "USD"), _credential("eur-300", 300, "EUR"), _credential("gbp-200", 200, "GBP")]
    return Catalogue.from_records(list(creds), rates=RATES)


@pytest.mark.parametrize(
    ("question", "amount", "currency"),
    [
        ("data courses under 500 euros", 500, "EUR"),
        ("anything less than $300?", 300, "USD"),
        ("cloud certs below £1,500", 1500, "GBP"),
        ("a course for at most 2k EUR", 2000, "EUR"),
        ("budget of 800 CHF for a CAS", 800, "CHF"),
        ("no more than 250 US dollars", 250, "USD"),
    ],
)
def test_amounts_keep_the_currency_written(question: str, amount: float, currency: str, catalogue: Catalogue) -> None:
    parsed = parse_query(question, catalogue)
    assert parsed.filters.max_cost == amount
    assert parsed.filters.currency == currency


def test_amounts_are_compared_after_conversion(catalogue: Catalogue) -> None:
    # 150 USD = 136 EUR and 200 GBP = 250 EUR pass "under 260 euros"; 300 EUR does not
    euros = parse_query("certificates under 260 euros", catalogue).filters
    assert {c.id for c in catalogue.credentials.values() if passes(c, euros, catalogue)} == {"usd-150", "gbp-200"}
    # 280 USD = 254.5 EUR: the same two; 300 EUR = 330 USD is out
    dollars = parse_query("certificates for less than $280", catalogue).filters
    assert {c.id for c in catalogue.credentials.values() if passes(c, dollars, catalogue)} == {"usd-150", "gbp-200"}


def test_a_currency_the_table_cannot_convert_is_not_a_constraint(catalogue: Catalogue) -> None:
    parsed = parse_query("nursing courses under 500 yen", catalogue)
    assert parsed.filters.max_cost is None
    assert parsed.text == "nursing courses under 500 yen"


@pytest.mark.parametrize(
    ("question", "expected", "text"),
    [
        ("free python courses", {"free": True}, "python courses"),
        ("online data analytics certificate", {"delivery": "online"}, "data analytics certificate"),
        ("project management course in person", {"delivery": "in-person"}, "project management course"),
        ("a blended CAS", {"delivery": "blended"}, "a CAS"),
        ("self-paced cloud course", {"pace": "self-paced"}, "cloud course"),
        ("data science taught in German", {"language": "de"}, "data science"),
        ("Spanish-language micro-credentials", {"language": "es"}, "micro-credentials"),
        ("UX courses less than 3 months", {"max_weeks": 13.0}, "UX courses"),
        ("a bootcamp shorter than 10 weeks", {"max_weeks": 10.0}, "a bootcamp"),
        ("EQF level 6 computing qualifications", {"eqf_level": 6}, "computing qualifications"),
        ("level 7 on the EQF", {"eqf_level": 7}, "level 7 on the EQF"),
        ("cyber security programmes in Switzerland", {"country": "CH"}, "cyber security programmes"),
        ("micro-credentials in the UK", {"country": "GB"}, "micro-credentials"),
        ("free courses in Finnish or Swedish", {"language": "fi,sv", "free": True}, "courses"),
        ("a teaching qualification, 150 study hours or fewer", {"max_hours": 150.0}, "a teaching qualification"),
        ("AI courses under 40 hours", {"max_hours": 40.0}, "AI courses"),
        ("programmes worth 60 ECTS", {"min_ects": 60.0, "max_ects": 60.0}, "programmes worth"),
        ("at least 30 ECTS in data science", {"min_ects": 30.0, "max_ects": None}, "in data science"),
        ("online courses that award ECTS credits", {"min_ects": 0.0, "delivery": "online"}, "courses that credits"),
    ],
)
def test_constraints_become_filters_and_leave_the_rest(question: str, expected: dict[str, object], text: str, catalogue: Catalogue) -> None:
    parsed = parse_query(question, catalogue)
    got = parsed.filters.model_dump()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value) if isinstance(value, float) else got[key] == value, key
    if expected != {"eqf_level": 7}:
        assert parsed.text == text
    assert parsed.has_constraints


@pytest.mark.parametrize(
    "question",
    [
        "German language teaching jobs",
        "Coursera vs edX: online learning platforms",
        "What is a free-text field?",
        "an American Welding Society cert",
        "the US job market",
        "I can study up to 10 hours a week",
        "what is an ECTS credit",
        "are the classes on a fixed schedule or self paced?",
        "is it online or in person?",
    ],
)
def test_words_outside_a_constraint_phrase_are_not_constraints(question: str, catalogue: Catalogue) -> None:
    parsed = parse_query(question, catalogue)
    assert parsed.filters.is_empty(), parsed.constraints
    assert parsed.text == question


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("a data science course taught in Danish, not online", ["language=da"]),
        ("a hands-on college programme rather than online", []),
        ("it doesn't have to be free, just good", []),
        ("doesnt need to be self-paced", []),
        ("cheap but not free python course, online", ["delivery=online"]),
        ("free online courses for new teachers", ["free", "delivery=online"]),
        ("a no-cost course", ["free"]),
        ("epidemiology certificate, cohort or self paced?", []),  # a choice, not a filter
        ("is it self paced or does it run on fixed dates", []),
        ("a management masters, mostly online", []),  # blended fits too
        ("which cert covers running an online store?", []),  # the store is online, not the course
        ("online marketing courses in german", ["language=de"]),
    ],
)
def test_a_constraint_the_person_rules_out_is_not_a_filter(question: str, kept: list[str], catalogue: Catalogue) -> None:
    assert parse_query(question, catalogue).constraints == kept


def test_a_unit_asked_about_stays_in_the_text(catalogue: Catalogue) -> None:
    asked = parse_query("what does 5 ECTS mean on a CV?", catalogue)
    assert asked.constraints == ["ects=5"] and "ECTS" in asked.text
    wanted = parse_query("data science programmes worth 60 ECTS", catalogue)
    assert wanted.constraints == ["ects=60"] and "ECTS" not in wanted.text


def test_explicit_filters_win_over_parsed_ones(catalogue: Catalogue) -> None:
    base = SearchFilters(delivery="blended", max_cost=100, currency="USD")
    parsed = parse_query("online courses under 500 euros in German", catalogue, base=base)
    assert parsed.filters.delivery == "blended"
    assert (parsed.filters.max_cost, parsed.filters.currency) == (100, "USD")
    assert parsed.filters.language == "de"


def test_intent_words_tilt_the_kind_prior() -> None:
    assert kind_prior("back end developer certificate")["occupation"] < 1.0
    assert kind_prior("what do web developers earn")["credential"] < 1.0
    neutral = kind_prior("cloud")
    assert neutral["credential"] == neutral["occupation"] == 1.0 and neutral["skill"] < 1.0


def test_size_credits_and_languages_filter_credentials() -> None:
    def course(record_id: str, **fields: object) -> Credential:
        return Credential(id=record_id, title=record_id, type=CredentialType.COURSE, provider="P", source="test", **fields)  # type: ignore[arg-type]

    creds = [
        course("fi-40h-2ects", language=["fi"], workload_hours=40, ects=2),
        course("sv-200h-5ects", language=["sv"], workload_hours=200, ects=5),
        course("en-unknown"),
        course("en-60ects", language=["en"], ects=60),
    ]
    catalogue = Catalogue.from_records(list(creds), rates=RATES)

    def ids(**filters: object) -> set[str]:
        return {c.id for c in creds if passes(c, SearchFilters.model_validate(filters), catalogue)}

    assert ids(language="fi,sv") == {"fi-40h-2ects", "sv-200h-5ects"}
    assert ids(max_hours=150) == {"fi-40h-2ects"}  # an unknown workload does not pass a size limit
    assert ids(min_ects=0) == {"fi-40h-2ects", "sv-200h-5ects", "en-60ects"}
    assert ids(min_ects=60, max_ects=60) == {"en-60ects"}


@pytest.mark.parametrize(
    ("question", "language", "country", "left"),
    [
        ("weiterbildung data science in der Schweiz, unterricht auf Deutsch", "de", "CH", "weiterbildung data science, unterricht"),
        ("quiero estudiar enfermería en Chile, en español", "es", "CL", "quiero estudiar enfermería"),
        ("kurser på dansk i Danmark", "da", "DK", "kurser"),
    ],
)
def test_language_and_country_written_in_other_languages(catalogue: Catalogue, question: str, language: str, country: str, left: str) -> None:
    parsed = parse_query(question, catalogue)
    assert (parsed.filters.language, parsed.filters.country, parsed.text) == (language, country, left)


def test_a_question_of_constraints_only_says_so(catalogue: Catalogue) -> None:
    assert parse_query("auf Deutsch", catalogue).only_constraints
    assert parse_query("free courses in German", catalogue).only_constraints is False  # "courses" is left
    assert parse_query("data science", catalogue).only_constraints is False
