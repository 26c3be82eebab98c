"""The retrieval eval's questions stay valid as the shipped knowledge changes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ingest.pipeline import read_sources

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "evals" / "datasets" / "retrieval.jsonl"


def _rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_questions_have_the_documented_shape() -> None:
    rows = _rows()
    assert len(rows) >= 150
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert set(row) == {"id", "persona", "question", "relevant", "split", "tags"}, row["id"]
        assert row["persona"] in {"learner", "recruiter", "adviser"} and row["split"] in {"dev", "seen", "heldout"}
        assert isinstance(row["relevant"], list) and isinstance(row["tags"], list) and row["tags"]
        assert ("nothing" in row["tags"]) == (row["relevant"] == []), row["id"]
    splits = Counter(r["split"] for r in rows)
    assert 0.28 <= splits["heldout"] / len(rows) <= 0.40
    tags = Counter(t for r in rows for t in r["tags"])  # type: ignore[attr-defined]
    assert all(tags[t] >= 10 for t in ("paraphrase", "typo", "code", "constraint", "nothing"))


def test_every_relevant_id_is_a_record_of_the_shipped_knowledge() -> None:
    ids = {record.id for record, _origin in read_sources([ROOT / "knowledge"]).records}
    missing = {rid for row in _rows() for rid in row["relevant"] if rid not in ids}  # type: ignore[attr-defined]
    assert not missing, f"relevant ids no longer in knowledge/: {sorted(missing)}"
