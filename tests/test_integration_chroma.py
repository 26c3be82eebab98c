"""Client-server Chroma: a real `chroma run` on loopback, used through STACKWISE_CHROMA_URL.

The server is started by the test on a free port with a temporary path, and stopped by it.
Checks: ingest and search through the CLI land in the server (not in the store folder); a
server that is down, or goes away in the middle of a session, gives one clear line and no
traceback; the same session works again once the server is restarted.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.errors import StoreUnavailableError

pytestmark = pytest.mark.integration

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ChromaServer:
    """One `chroma run` process owned by a test."""

    path: Path
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        self.stop()
        tail = self.log.read_text(errors="replace")[-500:]
        pytest.skip(f"`chroma run` did not start on port {self.port}: {tail}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    if not CHROMA.exists():
        pytest.skip(f"no `chroma` executable beside {sys.executable}")
    server = ChromaServer(tmp_path / "chroma-server", _free_port(), tmp_path / "chroma.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def env(tmp_path: Path, chroma_server: ChromaServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"STACKWISE_STORE": str(tmp_path / "store"), "STACKWISE_CHROMA_URL": chroma_server.url, "STACKWISE_EMBEDDING_MODEL": "hashing:256"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return {**os.environ, **values}


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, capture_output=True, text=True, timeout=300)


def _assert_one_clear_line(result: subprocess.CompletedProcess[str], url: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and url in lines[0] and "chroma run" in lines[0], lines[0]
    assert "Traceback" not in result.stderr


def test_ingest_and_search_through_a_chroma_server(env: dict[str, str], chroma_server: ChromaServer, small_knowledge: Path, tmp_path: Path) -> None:
    ingested = run_cli(env, "ingest", str(small_knowledge), "--json")
    assert ingested.returncode == 0, ingested.stderr
    report = json.loads(ingested.stdout)
    assert report["added"] == 17 and report["rejected"] == []
    assert not (tmp_path / "store" / "chroma").exists()  # vectors live in the server, not the folder

    hits = json.loads(run_cli(env, "search", "SQL dashboards", "--json", "--kind", "credential").stdout)
    ids = [h["id"] for h in hits]
    assert "acme-dashboards" in ids and all(h["kind"] == "credential" for h in hits)
    free = json.loads(run_cli(env, "search", "cloud", "--json", "--free").stdout)
    assert [h["id"] for h in free] == ["acme-cloud-intro"]

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server.port, settings=ChromaSettings(anonymized_telemetry=False))
    collections = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    assert len(collections) == 1 and collections[0].startswith("stackwise-")
    stats = json.loads(run_cli(env, "stats", "--json").stdout)
    assert client.get_collection(collections[0]).count() == stats["chunks"]

    again = json.loads(run_cli(env, "ingest", str(small_knowledge), "--json").stdout)
    assert again["unchanged"] == 17 and again["embedded_chunks"] == 0


def test_server_down_then_back(env: dict[str, str], chroma_server: ChromaServer, small_knowledge: Path) -> None:
    assert run_cli(env, "ingest", str(small_knowledge)).returncode == 0
    from assistant.services import Services
    from assistant.settings import load_settings

    session = Services(load_settings())  # one long-lived session, as the UI holds one
    assert session.retriever.search("data analytics", k=3)

    chroma_server.stop()
    with pytest.raises(StoreUnavailableError, match="stopped answering") as info:
        session.retriever.search("cloud computing basics", k=3)
    assert "\n" not in str(info.value) and chroma_server.url in str(info.value)
    _assert_one_clear_line(run_cli(env, "search", "data"), chroma_server.url)
    _assert_one_clear_line(run_cli(env, "ingest", str(small_knowledge)), chroma_server.url)

    chroma_server.start()  # same path and port: the data is still there
    hits = session.retriever.search("cloud computing basics", k=3)
    assert "acme-cloud-intro" in [h.id for h in hits]
    result = run_cli(env, "search", "data", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)
