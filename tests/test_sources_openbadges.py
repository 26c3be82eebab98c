"""Open Badges reader: badges as catalogue credentials (through assistant.badges)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.models import Credential
from ingest.sources import Rejection, detect_reader, read_paths

pytest.importorskip("assistant.badges", reason="assistant/badges (read_badge, badge_to_credential) is not installed")

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _shared(sub: str) -> Path:
    path = SHARED / sub
    if not path.exists():
        pytest.skip(f"shared data sample {path} is not available")
    return path


def _counts(records: list[object]) -> Counter[str]:
    return Counter("rejection" if isinstance(r, Rejection) else "credential" for r in records)


def test_baked_images() -> None:
    records = list(read_paths([_shared("baked")]))
    credentials = [r for r in records if isinstance(r, Credential)]
    # the six OB 3.0 baked files (PNG/SVG, JSON or JWT inside) all carry the same achievement
    assert {Path(c.source).name for c in credentials} == {
        "simple-json.png", "simple-json.svg", "simple-jwt.png", "simple-jwt.svg", "simple-jwt_v1.png", "simple-jwt_v1.svg",
    }  # fmt: skip
    assert {c.id for c in credentials} == {"https://example.com/achievements/21st-century-skills/teamwork"}
    assert {c.title for c in credentials} == {"Teamwork"}
    # 3 unbaked images are not recognised; the OB 1.0 SVGs and the OB 2.0 PNG whose assertion
    # only links its badge class are rejected by the badge reader, with the file named.
    rejections = [r for r in records if isinstance(r, Rejection)]
    assert len(rejections) == 7 and all(Path(r.source).name in r.source for r in rejections)


def test_shared_badge_folders_counts() -> None:
    assert _counts(list(read_paths([_shared("openbadges2/1edtech-validator/ob20/assets")]))) == Counter({"credential": 16, "rejection": 24})
    assert _counts(list(read_paths([_shared("openbadges3/1edtech-validator/ob30")]))) == Counter({"credential": 33, "rejection": 9})


def test_ob3_json_sniffed_by_content(tmp_path: Path) -> None:
    source = _shared("openbadges3/1edtech-validator/ob30/simple.json")
    renamed = tmp_path / "award.txt"
    renamed.write_bytes(source.read_bytes())
    reader = detect_reader(renamed)
    assert reader is not None and reader.name == "openbadges"
    records = list(read_paths([renamed]))
    assert len(records) == 1 and isinstance(records[0], Credential) and records[0].type == "digital-badge"
