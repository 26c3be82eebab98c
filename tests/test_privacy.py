"""Privacy: no network in tests, telemetry off, learner data exportable and deletable, no secrets in messages."""

from __future__ import annotations

import logging
import socket
import sqlite3
import tomllib
from pathlib import Path

import pytest

from assistant.agent.state import ConversationState
from assistant.errors import StackwiseError, StoreUnavailableError
from assistant.models import LearnerProfile
from assistant.persistence import AppState
from assistant.settings import StoreSettings
from assistant.store import Store

ROOT = Path(__file__).resolve().parents[1]
SECRET = "s3cr3t-Pa55w0rd-do-not-log"


# --- the network guard -------------------------------------------------------------------------


@pytest.mark.parametrize("address", [("1.1.1.1", 443), ("8.8.8.8", 53), ("2606:4700:4700::1111", 443)])
def test_connecting_to_a_public_address_is_refused(address: tuple[str, int]) -> None:
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        with pytest.raises(RuntimeError, match="offline"):
            sock.connect(address)
        with pytest.raises(RuntimeError, match="offline"):
            sock.connect_ex(address)


def test_high_level_clients_are_refused_too() -> None:
    with pytest.raises(RuntimeError, match="offline"):
        socket.create_connection(("93.184.215.14", 80), timeout=1)
    import urllib.request

    with pytest.raises(Exception) as caught:  # urllib wraps the guard's error in URLError
        urllib.request.urlopen("http://93.184.215.14/", timeout=1)
    assert "offline" in str(caught.value)


def test_the_guard_is_installed_for_the_whole_session(request: pytest.FixtureRequest) -> None:
    # autouse and session-scoped: every test in the suite runs under it, whatever its order
    assert "no_network" in request.fixturenames  # autouse: requested by every test without asking
    assert request._fixture_defs["no_network"].scope == "session"  # type: ignore[attr-defined]
    assert socket.socket.connect.__name__ == "_guarded_connect"
    assert socket.socket.connect_ex.__name__ == "_guarded_connect_ex"


def test_loopback_stays_allowed_for_local_servers() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass


# --- telemetry -----------------------------------------------------------------------------------


def test_chroma_client_has_telemetry_off(tmp_path: Path) -> None:
    store = Store(StoreSettings(path=tmp_path / "store"), create=True)
    client = store._chroma_client()
    assert client.get_settings().anonymized_telemetry is False


def test_streamlit_usage_stats_are_off() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False


# --- learner data: export and delete --------------------------------------------------------------


def test_learner_export_holds_everything_and_delete_removes_it(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    state = AppState(f"sqlite:///{db}")
    keep = state.create_learner("Other Learner")
    learner = state.create_learner("Ada Unique-Name", LearnerProfile(current_role="shop manager", target="data analyst"))
    state.set_notes(learner, "private note about Ada")
    plan_id = state.save_plan(learner, "Plan A", {"steps": [{"credential_id": "acme-data-basics"}]}, note="plan note")
    conversation = state.start_conversation("learner", learner_id=learner, title="Ada's chat")
    state.add_message(conversation, "user", "my salary is 41000 and I live in Bern")

    exported = state.export_learner(learner)
    assert exported["learner"]["name"] == "Ada Unique-Name" and exported["learner"]["notes"] == "private note about Ada"
    assert exported["learner"]["profile"]["target"] == "data analyst"
    assert [p["id"] for p in exported["plans"]] == [plan_id]
    assert exported["conversations"][0]["messages"][0]["content"] == "my salary is 41000 and I live in Bern"

    state.delete_learner(learner)
    assert [row["id"] for row in state.list_learners()] == [keep]
    with pytest.raises(StackwiseError):
        state.export_learner(learner)
    # nothing of hers is left anywhere in the database file
    state.engine.dispose()
    with sqlite3.connect(db) as conn:
        conn.execute("VACUUM")
        dump = "\n".join(conn.iterdump())
    for trace in ("Ada Unique-Name", "private note about Ada", "plan note", "41000", "Ada's chat"):
        assert trace not in dump, trace


# --- secrets never in messages or logs -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://stackwise:{SECRET}@127.0.0.1:1/stackwise",
        f"postgresql://stackwise:{SECRET}@127.0.0.1:1/stackwise",
        f"mysql+nosuchdriver://root:{SECRET}@127.0.0.1:1/db",
    ],
)
def test_database_password_never_appears_in_errors_or_logs(url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(StackwiseError) as caught:
        AppState(url)
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value.__cause__ or "") or isinstance(caught.value, StoreUnavailableError)
    assert SECRET not in caplog.text


def test_database_password_is_hidden_when_the_server_goes_away(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    state = AppState(f"sqlite:///{tmp_path / 'state.sqlite'}")
    state.url = f"postgresql://u:{SECRET}@db.internal/x"  # what a message would show for a server URL
    state.engine.dispose()
    (tmp_path / "state.sqlite").unlink()  # the next connection finds an empty database: no tables
    with pytest.raises(StackwiseError) as caught:
        state.create_learner("x")
    assert SECRET not in str(caught.value) and SECRET not in caplog.text


def test_api_key_never_appears_in_chat_model_errors(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from assistant.agent.chat_models import resolve_chat_model
    from assistant.settings import ChatSettings

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("OPENAI_API_KEY", f"sk-{SECRET}")
    for spec in ("openai:gpt-4o-mini", "nosuchprovider:model", "anthropic:claude"):
        try:
            resolve_chat_model(ChatSettings(model=spec, base_url=f"http://user:{SECRET}@127.0.0.1:9/v1"))
        except StackwiseError as exc:
            assert SECRET not in str(exc), spec
    assert SECRET not in caplog.text


def test_a_failing_model_is_reported_without_its_message(tmp_path: Path, small_knowledge: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Provider errors often echo the request (headers, key); the user sees only the error type."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

    from assistant.agent.engine import Agent
    from assistant.agent.tools import Toolbox
    from assistant.embeddings import HashingEmbedder
    from assistant.retrieval import Retriever
    from assistant.settings import ChatSettings
    from ingest.pipeline import ingest_paths

    class LeakyFailingModel(GenericFakeChatModel):
        def bind_tools(self, tools: object, **kwargs: object) -> LeakyFailingModel:
            return self

        def _generate(self, *args: object, **kwargs: object) -> object:
            raise ConnectionError(f"401 Unauthorized: Authorization: Bearer sk-{SECRET}")

    caplog.set_level(logging.DEBUG)
    store = Store(StoreSettings(path=tmp_path / "s"), create=True)
    embedder = HashingEmbedder(128)
    ingest_paths([small_knowledge], store, embedder)
    agent = Agent(Toolbox(Retriever(store, embedder)), embedder, ChatSettings(model="fake:model"))
    agent._llm = LeakyFailingModel(messages=iter([]))
    reply = agent.respond("Which data analytics credentials are there?", ConversationState())
    assert reply.engine == "offline" and reply.notice and "ConnectionError" in reply.notice
    assert SECRET not in reply.model_dump_json() and SECRET not in caplog.text
