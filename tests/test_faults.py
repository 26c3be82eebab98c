"""Faults: a disk that fills up, a store that cannot be written, a state database that goes away.

Each must end in one clear line (no traceback) and leave what was there intact: the store
still answers with what the last good ingest committed. Disk full is real here: the CLI
runs in a subprocess whose file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) stops writes
past a few kilobytes, exactly as a full disk does (EFBIG instead of ENOSPC).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from assistant.errors import StackwiseError, StoreUnavailableError
from assistant.persistence import AppState

STACKWISE = Path(sys.executable).with_name("stackwise")


def _cli(args: list[str], env: dict[str, str], fsize_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        if fsize_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_limit, fsize_limit))

    return subprocess.run([str(STACKWISE), *args], env=env, capture_output=True, text=True, timeout=300, preexec_fn=limit, check=False)


def _env(store: Path) -> dict[str, str]:
    return {**os.environ, "STACKWISE_STORE": str(store), "STACKWISE_EMBEDDING_MODEL": "hashing:256", "STACKWISE_DEBUG": ""}


def _bulk_catalogue(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["credentials:"]
    for i in range(count):
        lines.append(
            f"  - {{id: bulk-{i}, title: Bulk Certificate {i} in data engineering, type: certificate, provider: Bulk U, source: test,"
            f" description: '{'A long description of pipelines and warehouses. ' * 20}'}}"
        )
    (folder / "bulk.yaml").write_text("\n".join(lines) + "\n")
    return folder


def _one_clear_line(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert lines and "Traceback" not in stderr, stderr[-2000:]
    assert lines[-1].startswith("error:"), stderr[-2000:]
    return lines[-1]


def _largest_file(folder: Path) -> int:
    return max(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_disk_full_during_ingest_fails_cleanly_and_keeps_the_store(tmp_path: Path, small_knowledge: Path) -> None:
    store = tmp_path / "store"
    env = _env(store)
    first = _cli(["ingest", str(small_knowledge), "--json"], env)
    assert first.returncode == 0, first.stderr
    before = _cli(["stats", "--json"], env)
    assert before.returncode == 0, before.stderr

    # no file may grow past its current size (+ a few pages): the bulk ingest cannot fit
    full = _cli(["ingest", str(_bulk_catalogue(tmp_path / "bulk", 400)), "--json"], env, fsize_limit=_largest_file(store) + 16_384)
    assert full.returncode != 0
    line = _one_clear_line(full.stderr)

    after = _cli(["stats", "--json"], env)
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == json.loads(before.stdout)
    shown = _cli(["show", "acme-data-basics", "--json"], env)
    assert shown.returncode == 0 and json.loads(shown.stdout)["id"] == "acme-data-basics"
    with sqlite3.connect(store / "records.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # with room again, the same ingest goes through
    again = _cli(["ingest", str(tmp_path / "bulk"), "--json"], env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["added"] == 400
    assert "unexpected" not in line, line


def test_read_only_store_gives_one_line_and_still_answers(tmp_path: Path, small_knowledge: Path) -> None:
    store = tmp_path / "store"
    env = _env(store)
    assert _cli(["ingest", str(small_knowledge)], env).returncode == 0
    before = _cli(["stats", "--json"], env).stdout
    paths = [store, *store.rglob("*")]
    modes = {p: p.stat().st_mode for p in paths}
    for p in paths:
        p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        probe = store / "probe"
        try:
            probe.write_text("x")
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("running as root: chmod does not stop writes here (disk full is covered by RLIMIT_FSIZE above)")
        result = _cli(["ingest", str(_bulk_catalogue(tmp_path / "bulk", 5))], env)
        assert result.returncode != 0
        _one_clear_line(result.stderr)
    finally:
        for p, mode in modes.items():
            p.chmod(mode)
    assert _cli(["stats", "--json"], env).stdout == before


# --- the state database going away -----------------------------------------------------------------


def test_state_database_file_removed_gives_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    state = AppState(f"sqlite:///{db}")
    learner = state.create_learner("Ada")
    state.engine.dispose()
    db.unlink()
    with pytest.raises(StoreUnavailableError) as caught:
        state.list_learners()
    message = str(caught.value)
    assert "\n" not in message and "state database" in message
    # once the database is back (recreated), the app works again
    fresh = AppState(f"sqlite:///{db}")
    assert fresh.list_learners() == []
    assert learner not in {row["id"] for row in fresh.list_learners()}


def test_locked_state_database_fails_cleanly_then_recovers(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    state = AppState(f"sqlite:///{db}?timeout=0.2")
    learner = state.create_learner("Ada")
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the database
    try:
        with pytest.raises(StackwiseError) as caught:
            state.create_learner("Grace")
        assert "\n" not in str(caught.value) and "locked" in str(caught.value)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert [row["name"] for row in state.list_learners()] == ["Ada"]  # nothing half-written
    state.create_learner("Grace")
    assert sorted(row["name"] for row in state.list_learners()) == ["Ada", "Grace"]
    assert state.get_profile(learner) is not None


def test_state_database_corrupted_gives_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StackwiseError) as caught:
        AppState(f"sqlite:///{db}").list_learners()
    assert "\n" not in str(caught.value)


def test_concurrent_writers_on_the_state_database(tmp_path: Path) -> None:
    state = AppState(f"sqlite:///{tmp_path / 'state.sqlite'}")
    learner = state.create_learner("Ada")
    conversation = state.start_conversation("learner", learner_id=learner)
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        for turn in range(10):
            try:
                state.add_message(conversation, "user", f"writer {index} turn {turn}")
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(e, StackwiseError) for e in errors), errors[:1]
    assert len(state.messages(conversation)) + len(errors) == 80
