"""App state on a real PostgreSQL server: a throwaway cluster owned by the test.

``initdb`` + ``pg_ctl`` from ``/usr/lib/postgresql/*/bin`` (or PATH) build a cluster in a
temporary folder listening on a free loopback port; as root the cluster is run by the
``postgres`` user (PostgreSQL refuses to run as root). AppState is used through
``postgresql+psycopg://``: create a learner, save and export a plan, delete; then the server
is stopped (one clear error, password hidden) and started again (the same AppState recovers).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.errors import StoreUnavailableError
from assistant.models import Budget, LearnerProfile
from assistant.persistence import AppState

pytestmark = pytest.mark.integration

PASSWORD = "s3cret-not-shown"


def _pg_bin() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    """A PostgreSQL cluster in a temp folder, run as ``postgres`` when the test runs as root."""

    bin: Path
    root: Path
    port: int
    as_user: str | None

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://stackwise:{PASSWORD}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_user:
            cmd = ["runuser", "-u", self.as_user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    def init(self) -> None:
        result = self._run("initdb", "-D", str(self.data), "-U", "stackwise", "--auth=trust", "-E", "UTF8", "--no-sync")
        if result.returncode != 0:
            pytest.skip(f"initdb failed: {result.stderr.strip()[-300:]}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        result = self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")
        if result.returncode != 0:
            log = (self.root / "server.log").read_text(errors="replace")[-300:] if (self.root / "server.log").exists() else ""
            pytest.skip(f"PostgreSQL did not start: {result.stderr.strip()[-300:]} {log}")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    pg_bin = _pg_bin()
    if pg_bin is None or not (pg_bin / "pg_ctl").exists():
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed — `apt-get install -y postgresql`")
    as_user = None
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root and `runuser` is missing: PostgreSQL cannot run as root")
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run the cluster")
        as_user = "postgres"
    # not under pytest's tmp_path: its 0700 parents would keep the postgres user out
    root = Path(tempfile.mkdtemp(prefix="stackwise-pg-"))
    if as_user:
        shutil.chown(root, user=as_user)
    server = Cluster(pg_bin, root, _free_port(), as_user)
    server.init()
    server.start()
    yield server
    server.stop("immediate")
    shutil.rmtree(root, ignore_errors=True)


def test_app_state_on_postgresql(cluster: Cluster) -> None:
    state = AppState(cluster.url)
    assert state.engine.dialect.name == "postgresql"
    profile = LearnerProfile(
        name="Ana", current_role="shop manager", skills=["spreadsheets"], target="data-analyst", budget=Budget(amount=1500), hours_per_week=8
    )
    learner = state.create_learner("Ana", profile)
    assert state.get_profile(learner).target == "data-analyst"
    plan_id = state.save_plan(learner, "Data route", {"steps": [{"credential_id": "google-data-analytics-professional-certificate"}], "total_weeks": 24})
    state.set_notes(learner, "Prefers evenings")
    state.update_plan(plan_id, note="Check the funding")

    exported = state.export_learner(learner)
    assert exported["learner"]["name"] == "Ana" and exported["learner"]["notes"] == "Prefers evenings"
    assert [p["id"] for p in exported["plans"]] == [plan_id]
    assert exported["plans"][0]["plan"]["steps"][0]["credential_id"] == "google-data-analytics-professional-certificate"
    assert exported["plans"][0]["note"] == "Check the funding"

    state.delete_learner(learner)
    assert learner not in [row["id"] for row in state.list_learners()]
    assert state.list_plans(learner) == []  # plans went with the learner


def test_stopped_server_is_a_clear_error_and_recovers(cluster: Cluster) -> None:
    state = AppState(cluster.url)
    learner = state.create_learner("Ben")

    cluster.stop()
    with pytest.raises(StoreUnavailableError) as info:
        state.create_learner("Cleo")
    message = str(info.value)
    assert "state database" in message and f"127.0.0.1:{cluster.port}" in message
    assert PASSWORD not in message  # the URL is shown without its password
    with pytest.raises(StoreUnavailableError):
        AppState(cluster.url)  # a new app replica starting while the database is down

    cluster.start()
    cleo = state.create_learner("Cleo")  # the pool reconnects: no restart of the app
    names = {row["name"] for row in state.list_learners()}
    assert {"Ben", "Cleo"} <= names
    assert state.export_learner(learner)["learner"]["name"] == "Ben"
    assert state.export_learner(cleo)["plans"] == []


def test_stopped_server_error_is_one_line(cluster: Cluster) -> None:
    state = AppState(cluster.url)
    state.list_learners()
    cluster.stop()
    with pytest.raises(StoreUnavailableError) as info:
        state.list_learners()
    assert "\n" not in str(info.value)
