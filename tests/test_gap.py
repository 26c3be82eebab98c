"""Skill-gap analysis: resolving the target occupation and the learner's skills."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.catalogue import Catalogue
from assistant.currency import RateTable
from assistant.errors import RecordNotFoundError
from assistant.gap import UnknownOccupationError, analyse_gap, match_skill, resolve_occupation
from assistant.models import Credential, EvidencedSkill, LearnerProfile
from ingest.sources.knowledge import KnowledgeReader

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "planner" / "catalogue.yaml"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    records = [r for r in KnowledgeReader().read(FIXTURE) if not isinstance(r, RateTable) and hasattr(r, "kind")]
    return Catalogue.from_records(records)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("target", "expected", "how"),
    [
        ("data-analyst", "data-analyst", "id"),
        ("Data Analyst", "data-analyst", "title"),
        ("business data analyst", "data-analyst", "alternate title"),
        ("http://data.europa.eu/esco/occupation/test-data-analyst", "data-analyst", "code"),
        ("15-2051.00", "15-2051.00", "id"),
        ("data analist", "data-analyst", "fuzzy"),
        ("Data Scientist", "15-2051.00", "fuzzy"),
    ],
)
def test_resolve_occupation(catalogue: Catalogue, target: str, expected: str, how: str) -> None:
    occupation, matched_by = resolve_occupation(target, catalogue)
    assert occupation.id == expected
    assert matched_by.startswith(how)


def test_unknown_target_lists_suggestions_and_exits_1(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownOccupationError) as info:
        resolve_occupation("data wrangler supreme", catalogue)
    assert isinstance(info.value, RecordNotFoundError)
    assert info.value.exit_code == 1
    assert info.value.suggestions and "data-analyst" in info.value.suggestions[0] + " ".join(info.value.suggestions)
    assert "did you mean" in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sql", "sql"),
        ("Excel", "spreadsheets"),
        ("data visualization", "data-visualisation"),
        ("Python programing", "python-programming"),
        ("basket weaving", None),
    ],
)
def test_match_skill(catalogue: Catalogue, text: str, expected: str | None) -> None:
    assert match_skill(text, catalogue) == expected


def test_gap_and_transferable_skills_with_sources(catalogue: Catalogue) -> None:
    profile = LearnerProfile(
        skills=["Excel", "underwater basket weaving"],
        held_credentials=["intro-data"],
        evidenced_skills=[EvidencedSkill(skill="statistics", evidence="urn:badge:stats", verified=True)],
        target="data analyst",
    )
    gap = analyse_gap(profile, catalogue)
    assert gap.occupation.id == "data-analyst"
    transferable = {n.skill: n.source for n in gap.transferable}
    assert transferable["spreadsheets"] == "held credential: Introduction to Data Analytics"  # held beats declared
    assert transferable["sql"] == "held credential: Introduction to Data Analytics"
    assert transferable["statistical-analysis"] == "evidenced by a verified credential: urn:badge:stats"
    gap_ids = [n.skill for n in gap.gap]
    assert "sql" not in gap_ids and "data-analysis" in gap_ids
    importances = [n.importance for n in gap.gap]
    assert importances == sorted(importances, reverse=True)
    assert gap.unmatched_skills == ["underwater basket weaving"]
    assert 0 < gap.readiness < 1


def test_unverified_evidence_is_named_as_such(catalogue: Catalogue) -> None:
    profile = LearnerProfile(evidenced_skills=[EvidencedSkill(skill="python-programming", evidence="badge.png")], target="data-analyst")
    gap = analyse_gap(profile, catalogue)
    assert {n.skill: n.source for n in gap.transferable}["python-programming"] == "evidenced by a credential (not verified): badge.png"


def test_everything_held_leaves_no_gap(catalogue: Catalogue) -> None:
    needs = [s.skill for s in catalogue.occupations["15-2051.00"].skills]
    gap = analyse_gap(LearnerProfile(skills=needs, target="15-2051.00"), catalogue)
    assert gap.gap == [] and gap.readiness == 1.0


def test_held_credential_unknown_to_catalogue_is_ignored(catalogue: Catalogue) -> None:
    catalogue_copy = Catalogue.from_records(
        [*catalogue.records.values(), Credential(id="x", title="X", type="course", provider="P", source="s", skills=["sql"])]
    )
    gap = analyse_gap(LearnerProfile(held_credentials=["no-such-credential"], target="data-analyst"), catalogue_copy)
    assert "sql" in [n.skill for n in gap.gap]
