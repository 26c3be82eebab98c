"""`stackwise verify`: exit codes 0 / 1 / 2 and the JSON contract, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519
from test_badges_helpers import did_key, ob3_credential, sign_data_integrity

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant.cli", "verify", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_cli_exit_codes_and_json(tmp_path: Path) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    good = tmp_path / "good.json"
    good.write_text(json.dumps(sign_data_integrity(ob3_credential(did_key(key)), key)))
    result = _run(str(good), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["format"] == "ob3" and payload["verdict"] == "verified"
    assert {"checks", "achievement", "issuer", "recipient", "eu_elements"} <= set(payload)
    assert all(c["status"] in ("pass", "fail", "skipped") for c in payload["checks"])

    expired = tmp_path / "expired.json"
    expired.write_text(
        json.dumps(sign_data_integrity(ob3_credential(did_key(key), valid_from="2019-01-01T00:00:00Z", valid_until="2020-01-01T00:00:00Z"), key))
    )
    result = _run(str(expired), "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["verdict"] == "expired"

    text = _run(str(expired))
    assert text.returncode == 1
    assert text.stdout.splitlines()[0].startswith("Verdict: EXPIRED")

    not_badge = tmp_path / "note.json"
    not_badge.write_text('{"hello": "world"}')
    result = _run(str(not_badge), "--json")
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert _run(str(tmp_path / "missing.json")).returncode == 2
