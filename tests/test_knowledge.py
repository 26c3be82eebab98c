"""The shipped knowledge base: every file valid, every reference resolvable, no duplicates."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.currency import RateTable
from assistant.models import Credential, Document, Occupation, Provider, Skill
from ingest.sources import Rejection, read_paths

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"


@pytest.fixture(scope="module")
def loaded() -> tuple[list[object], list[Rejection]]:
    records: list[object] = []
    rejections: list[Rejection] = []
    for item in read_paths([KNOWLEDGE]):
        if isinstance(item, RateTable):
            continue
        (rejections if isinstance(item, Rejection) else records).append(item)
    return records, rejections


def _of(records: list[object], kind: type) -> list:
    return [r for r in records if isinstance(r, kind)]


def test_every_file_is_valid(loaded) -> None:
    _, rejections = loaded
    assert rejections == [], "\n".join(f"{r.source}: {r.reason}" for r in rejections)


def test_no_duplicate_ids(loaded) -> None:
    records, _ = loaded
    counts = Counter((r.kind, r.id) for r in records)  # type: ignore[attr-defined]
    assert [key for key, n in counts.items() if n > 1] == []


def test_no_duplicate_credentials_by_title_and_provider(loaded) -> None:
    creds = _of(loaded[0], Credential)
    counts = Counter((c.title.lower(), c.provider.lower()) for c in creds)
    assert [key for key, n in counts.items() if n > 1] == []


def test_references_resolve(loaded) -> None:
    records, _ = loaded
    creds = {c.id: c for c in _of(records, Credential)}
    skills = {s.id for s in _of(records, Skill)}
    occupations = {o.id for o in _of(records, Occupation)}
    providers = {p.id for p in _of(records, Provider)}
    broken: list[str] = []
    for c in creds.values():
        broken += [f"{c.id} prerequisite {p}" for p in c.prerequisites if p not in creds]
        broken += [f"{c.id} stacks_into {s.target}" for s in c.stacks_into if s.target not in creds]
        broken += [f"{c.id} part_of {p}" for p in c.part_of if p not in creds]
        broken += [f"{c.id} skill {s}" for s in c.skills + c.prerequisite_skills if s not in skills]
        broken += [f"{c.id} occupation {o}" for o in c.occupations if o not in occupations]
        if c.provider_id is not None and c.provider_id not in providers:
            broken.append(f"{c.id} provider_id {c.provider_id}")
    for o in _of(records, Occupation):
        broken += [f"{o.id} skill {s.skill}" for s in o.skills if s.skill not in skills]
        broken += [f"{o.id} related {r}" for r in o.related if r not in occupations]
    assert broken == []


def test_every_record_has_source_and_review_date(loaded) -> None:
    records, _ = loaded
    missing = [
        r.id  # type: ignore[attr-defined]
        for r in records
        if isinstance(r, Credential | Occupation | Provider | Document) and (not r.source or r.last_reviewed is None)
    ]
    assert missing == []


def test_every_figure_has_source_and_date(loaded) -> None:
    records, _ = loaded
    undated = [c.id for c in _of(records, Credential) if c.cost and c.cost.amount is not None and (c.cost.as_of is None or not c.cost.currency)]
    for o in _of(records, Occupation):
        undated += [o.id for w in o.median_wage if not w.source]
        undated += [o.id for g in o.outlook if not g.source]
    assert undated == []


def test_occupation_skills_are_reachable_or_flagged(loaded) -> None:
    """Every skill an occupation needs is taught by some credential, or listed as a known gap."""
    records, _ = loaded
    taught = {s for c in _of(records, Credential) for s in c.skills}
    known_gaps = set()
    gaps_file = KNOWLEDGE / "known_gaps.yaml"
    if gaps_file.exists():
        import yaml

        known_gaps = set(yaml.safe_load(gaps_file.read_text())["skills"])
    unreachable = sorted({s.skill for o in _of(records, Occupation) for s in o.skills} - taught - known_gaps)
    assert unreachable == []


def test_known_gaps_are_really_gaps(loaded) -> None:
    """A skill listed as a known gap must not be taught by any credential (the list stays true)."""
    import yaml

    records, _ = loaded
    taught = {s for c in _of(records, Credential) for s in c.skills}
    gaps = set(yaml.safe_load((KNOWLEDGE / "known_gaps.yaml").read_text())["skills"])
    assert sorted(gaps & taught) == []


def test_every_credential_field_has_target_occupations(loaded) -> None:
    records, _ = loaded
    occupation_fields = {f for o in _of(records, Occupation) for f in o.fields}
    orphan_fields = sorted({f for c in _of(records, Credential) for f in c.fields} - occupation_fields)
    assert orphan_fields == []
