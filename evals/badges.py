"""Badge verification eval: every labelled case in ``datasets/badges.jsonl``, a confusion table, and the one
number that must stay zero — tampered or revoked badges shown as verified.

Each line: ``{"path": ..., "expected": verdict | "error"}``; the path is relative to ``../shared/data``
(skipped, and counted as skipped, when that folder is absent) or to ``tests/fixtures``. ``error`` means the
verifier must refuse the input as not a badge (BadgeFormatError). Runs offline with the shipped contexts, on a
fixed clock so that expiry dates do not drift.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.badges import VerifyOptions, verify_file
from assistant.errors import BadgeFormatError

ROOT = Path(__file__).resolve().parents[1]
DATASET = Path(__file__).resolve().parent / "datasets" / "badges.jsonl"
SHARED = ROOT.parent / "shared" / "data"
FIXTURES = ROOT / "tests" / "fixtures"
CLOCK = datetime(2026, 1, 1, tzinfo=UTC)
LABELS = ["verified", "invalid", "expired", "revoked", "unverified", "error"]


def _locate(relative: str) -> Path | None:
    for base in (SHARED, FIXTURES):
        if (base / relative).is_file():
            return base / relative
    return None


def _outcome(path: Path) -> str:
    try:
        return verify_file(path, VerifyOptions(now=CLOCK)).verdict
    except BadgeFormatError:
        return "error"


def run() -> dict[str, Any]:
    """Verify every case, print the confusion table (expected x got), return the figures."""
    cases = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
    confusion: Counter[tuple[str, str]] = Counter()
    skipped = 0
    unsafe: list[str] = []
    for case in cases:
        path = _locate(case["path"])
        if path is None:
            skipped += 1
            continue
        got = _outcome(path)
        confusion[(case["expected"], got)] += 1
        if got == "verified" and (case["expected"] in ("invalid", "revoked") or "tamper" in case["path"].lower()):
            unsafe.append(case["path"])
    total = sum(confusion.values())
    correct = sum(n for (expected, got), n in confusion.items() if expected == got)
    print(f"badges: {total} cases run, {skipped} skipped (shared data absent)")
    print("expected \\ got".ljust(16) + "".join(label.rjust(11) for label in LABELS))
    for expected in LABELS:
        print(expected.ljust(16) + "".join(str(confusion[(expected, got)]).rjust(11) for got in LABELS))
    accuracy = correct / total if total else 0.0
    print(f"accuracy {accuracy:.3f}; tampered or revoked shown verified: {len(unsafe)}")
    return {
        "accuracy": round(accuracy, 4),
        "tampered_or_revoked_shown_verified": len(unsafe),
        "cases": total,
        "skipped": skipped,
        "confusion": {f"{e}->{g}": n for (e, g), n in sorted(confusion.items())},
    }


if __name__ == "__main__":
    run()
