"""The command-line contract for ingest, stats, search and show (DESIGN.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args: str, env_store: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STACKWISE_STORE": str(env_store), "STACKWISE_EMBEDDING_MODEL": "hashing:256"}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def ingested(tmp_path: Path, small_knowledge: Path) -> Path:
    store = tmp_path / "store"
    result = run_cli("ingest", str(small_knowledge), "--json", env_store=store)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["added"] == 17 and report["rejected"] == []
    return store


def test_stats_json(ingested: Path) -> None:
    stats = json.loads(run_cli("stats", "--json", env_store=ingested).stdout)
    assert stats["credentials"] == 5
    assert stats["occupations"] == 2
    assert stats["skills"] == 7
    assert stats["documents"] == 1
    assert stats["providers"] == 2
    assert stats["countries"] == 2
    assert stats["embedding_model"] == "hashing:256"
    assert stats["chunks"] >= 17


def test_search_json_shape_and_filters(ingested: Path) -> None:
    hits = json.loads(run_cli("search", "data analytics", "--json", env_store=ingested).stdout)
    assert hits and set(hits[0]) >= {"id", "kind", "title", "score", "snippet"}
    assert len({h["id"] for h in hits}) == len(hits)  # one hit per record
    online_cheap = json.loads(
        run_cli("search", "data", "--json", "--delivery", "online", "--max-cost", "200", "--kind", "credential", env_store=ingested).stdout
    )
    ids = {h["id"] for h in online_cheap}
    # 150 USD at 1.10 USD/EUR = 136 EUR passes; 300 EUR does not; the blended CAS does not
    assert "acme-dashboards" in ids and "acme-data-basics" not in ids and "north-cas-data" not in ids
    free = json.loads(run_cli("search", "cloud", "--json", "--free", env_store=ingested).stdout)
    assert [h["id"] for h in free] == ["acme-cloud-intro"]
    german = json.loads(run_cli("search", "data science", "--json", "--language", "de", "--kind", "credential", env_store=ingested).stdout)
    assert {h["id"] for h in german} == {"acme-data-basics", "north-cas-data", "north-mas-data"}


def test_an_empty_search_is_one_clear_line(ingested: Path) -> None:
    result = run_cli("search", "   ", "--free", env_store=ingested)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Nothing to search for" in result.stderr and "Traceback" not in result.stderr


def test_show_and_unknown_id(ingested: Path) -> None:
    shown = run_cli("show", "north-cas-data", "--json", env_store=ingested)
    assert shown.returncode == 0
    assert json.loads(shown.stdout)["stacks_into"][0]["target"] == "north-mas-data"
    missing = run_cli("show", "no-such-id", env_store=ingested)
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1 and "no-such-id" in missing.stderr and "Traceback" not in missing.stderr


def test_missing_store_is_one_clear_line(tmp_path: Path) -> None:
    result = run_cli("stats", env_store=tmp_path / "nowhere")
    assert result.returncode == 1
    assert "stackwise ingest" in result.stderr and "Traceback" not in result.stderr


def test_missing_path_is_rejected_without_touching_store(ingested: Path, tmp_path: Path) -> None:
    result = run_cli("ingest", str(tmp_path / "absent"), env_store=ingested)
    assert result.returncode == 2 and "No such file" in result.stderr
    stats = json.loads(run_cli("stats", "--json", env_store=ingested).stdout)
    assert stats["credentials"] == 5
