"""Issue 4's promise: records from every format land in one store and `stackwise search` finds them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from test_badges_helpers import ob3_credential

FORMATS = Path(__file__).resolve().parent / "fixtures" / "formats"


def _cli(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STACKWISE_STORE": str(store), "STACKWISE_EMBEDDING_MODEL": "hashing:256"}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, capture_output=True, text=True, timeout=300)


def test_search_finds_records_from_every_format(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FORMATS / "ctdl" / "microcredential-graph.json", inbox / "registry-export.json")
    shutil.copytree(FORMATS / "onet", inbox / "onet")
    shutil.copytree(FORMATS / "esco", inbox / "esco")
    shutil.copy(FORMATS / "tabular" / "catalogue-semicolon.csv", inbox / "provider-offer.csv")
    shutil.copy(FORMATS / "documents" / "stacking-guide.html", inbox / "brochure.html")
    # an unsigned OB 3.0 credential with no .json extension: detected by content
    (inbox / "badge.download").write_text(json.dumps(ob3_credential("did:example:issuer")))
    result = _cli("ingest", str(inbox), "--json", store=tmp_path / "store")
    report = json.loads(result.stdout)
    assert report["added"] > 0
    # the fixtures contain deliberately bad rows (e.g. EQF level 11): rejected by name, the rest kept
    assert all(r["source"] and r["reason"] for r in report["rejected"])

    def kinds_and_ids(query: str) -> list[tuple[str, str]]:
        hits = json.loads(_cli("search", query, "--json", "-k", "5", store=tmp_path / "store").stdout)
        return [(h["kind"], h["id"]) for h in hits]

    assert any(kind == "credential" for kind, _ in kinds_and_ids("Data Analytics Foundations"))  # CTDL
    assert ("occupation", "15-2051.01") in kinds_and_ids("Business Intelligence Analysts")  # O*NET
    assert any(kind == "occupation" and "esco" in rid for kind, rid in kinds_and_ids("ICT help desk agent"))  # ESCO
    assert ("credential", "acme-sql-basics") in kinds_and_ids("SQL Basics")  # CSV
    assert any(kind == "document" for kind, _ in kinds_and_ids("stacking guide"))  # HTML brochure
    assert any(kind == "credential" for kind, _ in kinds_and_ids("Data Analysis Fundamentals"))  # Open Badge
