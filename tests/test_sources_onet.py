"""O*NET text release reader: own fixture (with Skills/Knowledge) and the shared 29.2 extract."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.models import Occupation, Skill
from ingest.sources import Rejection, read_paths

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_occupation_keeps_skills_with_importance() -> None:
    records = list(read_paths([FIXTURES / "onet"]))
    occupations = {r.id: r for r in records if isinstance(r, Occupation)}
    skills = {r.id: r for r in records if isinstance(r, Skill)}
    assert not [r for r in records if isinstance(r, Rejection)]
    assert set(occupations) == {"15-2051.01", "15-1252.00"}
    analyst = occupations["15-2051.01"]
    importance = {s.skill: (s.importance, s.essential) for s in analyst.skills}
    assert importance == {
        "onet-2.A.1.a": (0.75, True),  # IM 4.00 -> (4 - 1) / 4; the LV row is ignored
        "onet-2.A.1.e": (0.625, True),
        "onet-2.A.2.a": (0.25, False),  # IM 2.00 is below O*NET's "important" cut-off of 3
        "onet-2.C.4.a": (0.78, True),
    }
    assert {t.name for t in analyst.technologies if t.hot} == {"Microsoft Excel", "Structured query language SQL", "Tableau"}
    assert analyst.job_zone == 4 and len(analyst.alt_titles) == 3
    assert analyst.last_reviewed is not None and analyst.last_reviewed.isoformat() == "2025-02-01"
    assert "O*NET 29.2" in analyst.source
    assert skills["onet-2.B.3.e"].label == "Programming" and skills["onet-2.B.3.e"].onet_id == "2.B.3.e"
    assert skills["onet-2.C.3.a"].skill_type == "knowledge"
    assert len(skills) == 6


def test_bad_rows_are_rejected_with_line_and_rest_is_read() -> None:
    records = list(read_paths([FIXTURES / "onet-bad" / "Occupation Data.txt"]))
    rejections = [r for r in records if isinstance(r, Rejection)]
    assert [r.source.rsplit(" ", 1)[-1] for r in rejections] == ["3", "4"]
    assert "not like 15-1252.00" in rejections[0].reason and "columns" in rejections[1].reason
    assert [r.id for r in records if isinstance(r, Occupation)] == ["15-2051.01"]


def test_sibling_file_alone_is_rejected(tmp_path: Path) -> None:
    lonely = tmp_path / "Skills.txt"
    lonely.write_bytes((FIXTURES / "onet" / "Skills.txt").read_bytes())
    records = list(read_paths([lonely]))
    assert len(records) == 1 and isinstance(records[0], Rejection) and "Occupation Data.txt" in records[0].reason


def test_shared_onet_release_counts() -> None:
    folder = SHARED / "onet"
    if not folder.exists():
        pytest.skip(f"shared data sample {folder} is not available")
    records = list(read_paths([folder]))
    counts = Counter("rejection" if isinstance(r, Rejection) else r.kind for r in records)  # type: ignore[attr-defined]
    # 1016 occupations; Skill records for the 35 Skills and 31 Knowledge elements of the
    # Content Model Reference (66 leaf elements under 2.A, 2.B, 2.C). Skills.txt is absent
    # from the extract, so the occupations carry no skill ratings.
    assert counts == Counter({"occupation": 1016, "skill": 66})
    data_scientists = next(r for r in records if isinstance(r, Occupation) and r.id == "15-2051.00")
    assert data_scientists.title == "Data Scientists" and data_scientists.job_zone == 4
    assert data_scientists.tasks and data_scientists.related and data_scientists.alt_titles
    assert any(t.name == "Python" and t.hot for t in data_scientists.technologies)
