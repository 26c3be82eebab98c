"""Skill canonicalisation: codes, labels, embeddings, merging and rewriting records."""

from __future__ import annotations

import numpy as np

from assistant.embeddings import HashingEmbedder
from assistant.models import Credential, Occupation, OccupationSkill, Skill
from ingest.skills import SkillCanonicalizer, normalize_label

ESCO_SQL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


def _skills() -> list[Skill]:
    return [
        Skill(id="sql", label="SQL", alt_labels=["structured query language"], esco_uri=ESCO_SQL),
        Skill(id="onet-2.B.3.e", label="Programming", onet_id="2.B.3.e"),
        Skill(id="data-analysis", label="Data analysis", codes=["DA-101"]),
    ]


def test_resolve_by_code_label_and_slug() -> None:
    canon = SkillCanonicalizer(_skills())
    assert canon.resolve(ESCO_SQL) == "sql"
    assert canon.resolve("2.B.3.e") == "onet-2.B.3.e"
    assert canon.resolve("DA-101") == "data-analysis"
    assert canon.resolve("Structured Query-Language") == "sql"
    assert canon.resolve("data-analysis") == "data-analysis"
    assert canon.resolve("Basket weaving") is None  # no embedder: no fuzzy step
    assert normalize_label("C++ / C#") == "cplusplus csharp"


class _FixedEmbedder:
    """Two fixed directions: 'sql'-like texts and the rest; enough to test the threshold wiring."""

    name = "fixed"
    dimension = 2

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = [[1.0, 0.0] if "quer" in t.lower() or "sql" in t.lower() else [0.0, 1.0] for t in texts]
        return np.asarray(rows, dtype=np.float32)


def test_embedding_step_respects_threshold() -> None:
    canon = SkillCanonicalizer([Skill(id="sql", label="SQL")], embedder=_FixedEmbedder(), threshold=0.8)
    assert canon.resolve("writing database queries") == "sql"
    assert canon.resolve("gardening") is None
    assert SkillCanonicalizer([Skill(id="sql", label="SQL")], embedder=HashingEmbedder(), threshold=0.99).resolve("pottery") is None


def test_canonicalize_merges_duplicates_and_creates_unknown_skills() -> None:
    esco_sql = Skill(id=ESCO_SQL, label="SQL", alt_labels=["SQL querying"], esco_uri=ESCO_SQL, source="esco")
    credential = Credential(
        id="c1", title="SQL badge", type="digital-badge", provider="Acme", source="t",
        skills=["structured-query-language", "Prompt writing"], prerequisite_skills=["DA-101"],
    )  # fmt: skip
    occupation = Occupation(
        id="15-2051.01", title="BI analysts", source="t",
        skills=[OccupationSkill(skill=ESCO_SQL, importance=0.5), OccupationSkill(skill="sql", importance=1.0)],
    )  # fmt: skip
    canon = SkillCanonicalizer(_skills())
    records, new = canon.canonicalize([esco_sql, credential, occupation])
    merged = next(r for r in records if isinstance(r, Skill))
    assert merged.id == "sql" and "SQL querying" in merged.alt_labels and ESCO_SQL in merged.codes
    assert len([r for r in records if isinstance(r, Skill)]) == 1
    rewritten = next(r for r in records if isinstance(r, Credential))
    assert rewritten.skills == ["sql", "skill-prompt-writing"] and rewritten.prerequisite_skills == ["data-analysis"]
    assert [s.id for s in new] == ["skill-prompt-writing"] and new[0].label == "Prompt writing"
    job = next(r for r in records if isinstance(r, Occupation))
    assert [(s.skill, s.importance) for s in job.skills] == [("sql", 1.0)]
