"""Ingestion: counts, incremental re-ingest, removals, rejections, model mismatch, atomicity."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from assistant.embeddings import HashingEmbedder
from assistant.errors import StoreMismatchError
from assistant.settings import StoreSettings
from assistant.store import Store
from ingest.pipeline import ingest_paths


def _store(path: Path) -> Store:
    return Store(StoreSettings(path=path), create=True)


def test_ingest_counts_and_incremental(tmp_path: Path, small_knowledge: Path) -> None:
    store = _store(tmp_path / "s")
    embedder = HashingEmbedder(64)
    first = ingest_paths([small_knowledge], store, embedder)
    # 2 providers + 7 skills + 5 credentials + 2 occupations + 1 document
    assert (first.added, first.updated, first.unchanged, first.removed, first.rejected) == (17, 0, 0, 0, [])
    assert first.embedded_chunks == store.counts()["chunks"]
    second = ingest_paths([small_knowledge], store, embedder)
    assert (second.added, second.updated, second.unchanged, second.embedded_chunks) == (0, 0, 17, 0)


def test_changed_and_removed_records(tmp_path: Path, small_knowledge: Path) -> None:
    knowledge = tmp_path / "k"
    shutil.copytree(small_knowledge, knowledge)
    store = _store(tmp_path / "s")
    embedder = HashingEmbedder(64)
    ingest_paths([knowledge], store, embedder)
    data = yaml.safe_load((knowledge / "catalogue.yaml").read_text())
    data["credentials"][0]["title"] = "Acme Data Analytics Basics (2026 edition)"
    data["credentials"] = [c for c in data["credentials"] if c["id"] != "acme-cloud-intro"]
    (knowledge / "catalogue.yaml").write_text(yaml.safe_dump(data))
    report = ingest_paths([knowledge], store, embedder)
    assert (report.updated, report.removed, report.added) == (1, 1, 0)
    assert store.get("acme-cloud-intro") is None
    assert store.get("acme-data-basics").title.endswith("(2026 edition)")  # type: ignore[union-attr]
    # the old vectors of the changed and removed records are gone from Chroma
    assert store.collection().count() == store.counts()["chunks"]


def test_bad_record_is_rejected_and_rest_goes_on(tmp_path: Path, small_knowledge: Path) -> None:
    knowledge = tmp_path / "k"
    shutil.copytree(small_knowledge, knowledge)
    (knowledge / "bad.yaml").write_text("credentials:\n  - id: broken\n    title: Broken\n    type: not-a-type\n    provider: X\n    source: y\n")
    store = _store(tmp_path / "s")
    report = ingest_paths([knowledge], store, HashingEmbedder(64))
    assert report.added == 17
    assert len(report.rejected) == 1
    assert "bad.yaml" in report.rejected[0].source and "broken" in report.rejected[0].source
    assert "type" in report.rejected[0].reason


def test_malformed_file_keeps_its_previous_records(tmp_path: Path, small_knowledge: Path) -> None:
    knowledge = tmp_path / "k"
    shutil.copytree(small_knowledge, knowledge)
    store = _store(tmp_path / "s")
    ingest_paths([knowledge], store, HashingEmbedder(64))
    (knowledge / "catalogue.yaml").write_text("credentials: [unclosed\n")
    report = ingest_paths([knowledge], store, HashingEmbedder(64))
    assert report.removed == 0 and report.rejected
    assert store.get("acme-data-basics") is not None


def test_store_refuses_another_embedding_model(tmp_path: Path, small_knowledge: Path) -> None:
    store = _store(tmp_path / "s")
    ingest_paths([small_knowledge], store, HashingEmbedder(64))
    with pytest.raises(StoreMismatchError, match="--rebuild"):
        ingest_paths([small_knowledge], store, HashingEmbedder(32))


def _write_big_catalogue(folder: Path, n: int) -> None:
    folder.mkdir(parents=True)
    creds = [
        {
            "id": f"c{i}",
            "title": f"Synthetic credential {i}",
            "type": "micro-credential",
            "provider": f"Provider {i % 7}",
            "source": "test",
            "description": "word " * 50,
        }
        for i in range(n)
    ]
    for part in range(4):
        (folder / f"part{part}.yaml").write_text(yaml.safe_dump({"credentials": creds[part::4]}))


@pytest.mark.parametrize("kill_after", [0.0, 0.4, 1.0, 1.8])
def test_kill_during_ingest_leaves_store_usable(tmp_path: Path, small_knowledge: Path, kill_after: float) -> None:
    """kill -9 mid-ingest: the previous store still answers, and the next run completes exactly."""
    store_dir = tmp_path / "s"
    env = {**os.environ, "STACKWISE_STORE": str(store_dir), "STACKWISE_EMBEDDING_MODEL": "hashing:256"}
    cli = [sys.executable, "-m", "assistant.cli"]
    subprocess.run([*cli, "ingest", str(small_knowledge)], env=env, check=True, capture_output=True)
    big = tmp_path / "big"
    _write_big_catalogue(big, 1200)
    proc = subprocess.Popen([*cli, "ingest", str(big)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    shown = subprocess.run([*cli, "show", "acme-data-basics", "--json"], env=env, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    stats = json.loads(subprocess.run([*cli, "stats", "--json"], env=env, capture_output=True, text=True, check=True).stdout)
    assert stats["credentials"] in (5, 1205)  # the previous state or the complete next one, never half
    done = subprocess.run([*cli, "ingest", str(big), "--json"], env=env, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    assert report["added"] + report["unchanged"] == 1200
    stats = json.loads(subprocess.run([*cli, "stats", "--json"], env=env, capture_output=True, text=True, check=True).stdout)
    assert stats["credentials"] == 1205
    search = subprocess.run([*cli, "search", "Synthetic credential 77", "--json", "-k", "3"], env=env, capture_output=True, text=True, check=True)
    assert "c77" in [hit["id"] for hit in json.loads(search.stdout)]
