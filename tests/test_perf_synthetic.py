"""The synthetic catalogue the scale tiers of `evals perf` ingest: valid, deterministic, linked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from assistant.models import Credential
from evals.perf import growth
from evals.perf_synthetic import generate_catalogue, write_yaml

ROOT = Path(__file__).resolve().parents[1]


def test_records_are_valid_deterministic_and_linked() -> None:
    records = generate_catalogue(60, seed=3)
    assert records == generate_catalogue(60, seed=3)
    assert records != generate_catalogue(60, seed=4)
    credentials = [Credential.model_validate(r) for r in records]
    ids = {c.id for c in credentials}
    assert len(ids) == 60
    assert all(link.target in ids for c in credentials for link in c.stacks_into)
    assert all(pre in ids for c in credentials for pre in c.prerequisites)
    assert any(c.stacks_into for c in credentials) and all(c.skills for c in credentials)


def test_written_files_ingest_without_rejections(tmp_path: Path) -> None:
    folder = tmp_path / "synthetic"
    write_yaml(generate_catalogue(30, seed=1), folder)
    env = {**os.environ, "STACKWISE_STORE": str(tmp_path / "store"), "STACKWISE_EMBEDDING_MODEL": "hashing:256"}
    result = subprocess.run([sys.executable, "-m", "assistant.cli", "ingest", str(folder), "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rejected"] == [] and report["added"] >= 30


def test_growth_exponent() -> None:
    rows = growth(
        {
            "shipped": {"credentials": 100, "search_p95_ms": 10.0, "plan_p95_ms": 20.0},
            "10k": {"credentials": 10_000, "search_p95_ms": 10.0, "plan_p95_ms": 200.0, "ingest_overhead_ratio": 1.1, "ingest_overhead_ratio_cpu": 1.05},
        }
    )["10k"]
    assert rows["credentials_factor"] == 100
    assert rows["search_p95_ms"] == {"factor": 1.0, "exponent": 0.0}
    assert rows["plan_p95_ms"] == {"factor": 10.0, "exponent": 0.5}  # 10x for 100x: sub-linear
