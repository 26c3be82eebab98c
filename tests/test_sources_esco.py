"""ESCO CSV reader: own fixture (with the relations file) and the shared English export."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.models import Occupation, Skill
from ingest.sources import Rejection, read_paths

FIXTURES = Path(__file__).parent / "fixtures" / "formats" / "esco"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _kinds(records: list[object]) -> Counter[str]:
    return Counter("rejection" if isinstance(r, Rejection) else r.kind for r in records)  # type: ignore[attr-defined]


def test_occupations_get_essential_and_optional_skills() -> None:
    records = list(read_paths([FIXTURES]))
    assert _kinds(records) == Counter({"occupation": 2, "skill": 3, "rejection": 2})
    agent = next(r for r in records if isinstance(r, Occupation) and r.title == "ICT help desk agent")
    assert agent.id == agent.esco_uri and agent.isco_code == "3512"
    assert sorted((s.importance, s.essential) for s in agent.skills) == [(0.5, False), (1.0, True)]
    skill = next(r for r in records if isinstance(r, Skill) and r.label == "engage in citizenship through digital technologies")
    assert "use e-services" in skill.alt_labels  # newline-separated cell
    reasons = sorted(r.reason for r in records if isinstance(r, Rejection))
    assert reasons[0].startswith("ESCO occupation: missing conceptUri") and "relationType" in reasons[1]


def test_detected_by_header_not_name(tmp_path: Path) -> None:
    renamed = tmp_path / "berufe_de.csv"
    renamed.write_bytes((FIXTURES / "occupations_en.csv").read_bytes())
    records = list(read_paths([renamed]))
    assert _kinds(records) == Counter({"occupation": 2, "rejection": 1})


def test_shared_esco_export_counts() -> None:
    folder = SHARED / "esco"
    if not folder.exists():
        pytest.skip(f"shared data sample {folder} is not available")
    records = list(read_paths([folder]))
    # 2942 occupations; skills from the ICT (21), language (345) and transversal (107)
    # collections. ISCO groups, concept schemes, skill groups and the hierarchy are skipped.
    assert _kinds(records) == Counter({"occupation": 2942, "skill": 473})
    assert all(not r.skills for r in records if isinstance(r, Occupation))  # no relations file in the extract
    languages = [r for r in records if isinstance(r, Skill) and r.skill_type == "language"]
    assert len(languages) == 345
