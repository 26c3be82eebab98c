"""Concurrency: 20 conversations on one store for a few seconds, with an ingest running beside them.

No timing assertions (``python -m evals.load`` reports latencies): every turn must answer
without an error, every answer cites only records the store holds, and the store stays
consistent with what the last ingest committed.
"""

from __future__ import annotations

import threading
import time
import traceback
from pathlib import Path

from assistant.agent.engine import Agent
from assistant.agent.state import ConversationState
from assistant.agent.tools import Toolbox
from assistant.embeddings import HashingEmbedder
from assistant.retrieval import Retriever
from assistant.settings import StoreSettings
from assistant.store import Store
from ingest.pipeline import ingest_paths

THREADS = 20
SECONDS = 3.0
QUESTIONS = [
    "Which credentials teach SQL?",
    "Tell me more about the first one",
    "Compare the first two",
    "What does a data analyst earn?",
    "I want to become a data analyst with 8 hours a week and 1500 EUR",
    "Make me a plan",
    "How do micro-credentials stack?",
    "hello",
]


def _live_file(folder: Path, round_: int) -> None:
    (folder / "live.yaml").write_text(
        f"credentials:\n  - {{id: live-{round_ % 2}, title: Live SQL Certificate {round_}, type: micro-credential,"
        f" provider: Live U, source: test, skills: [sql], cost: {{amount: {100 + round_}, currency: EUR}}}}\n"
    )


def test_concurrent_conversations_and_ingest_on_one_store(tmp_path: Path, small_knowledge: Path) -> None:
    store = Store(StoreSettings(path=tmp_path / "store"), create=True)
    embedder = HashingEmbedder(128)
    ingest_paths([small_knowledge], store, embedder)
    agent = Agent(Toolbox(Retriever(store, embedder)), embedder)
    live = tmp_path / "live"
    live.mkdir()

    stop = time.monotonic() + SECONDS
    errors: list[str] = []
    turns: list[int] = [0] * THREADS
    cited: set[str] = set()
    lock = threading.Lock()
    ingests = 0

    def conversation(index: int) -> None:
        state = ConversationState(persona=("learner", "recruiter", "adviser")[index % 3])
        turn = index
        while time.monotonic() < stop or turns[index] < 2:
            try:
                reply = agent.respond(QUESTIONS[turn % len(QUESTIONS)], state)
            except Exception:
                with lock:
                    errors.append(traceback.format_exc())
                return
            turn += 1
            turns[index] += 1
            with lock:
                cited.update(c.id for c in reply.citations)

    def ingester() -> None:
        nonlocal ingests
        round_ = 0
        while time.monotonic() < stop or ingests < 2:
            round_ += 1
            _live_file(live, round_)
            try:
                ingest_paths([live], store, embedder, canonicalize=False)
            except Exception:
                with lock:
                    errors.append(traceback.format_exc())
                return
            ingests += 1

    workers = [threading.Thread(target=conversation, args=(i,)) for i in range(THREADS)] + [threading.Thread(target=ingester)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert not any(worker.is_alive() for worker in workers), "a worker never finished (deadlock?)"
    assert errors == [], errors[0] if errors else ""
    assert all(count >= 2 for count in turns) and ingests >= 2

    # every id an answer cited existed at some point: the fixture's records or a live-N record
    known = {r.id for kind in ("credential", "occupation", "skill", "document", "provider") for r in store.iter_records(kind)}
    assert cited <= known | {"live-0", "live-1"}
    # the store holds exactly what the last ingest committed, and still answers
    live_now = [r for r in store.iter_records("credential") if r.id.startswith("live-")]
    assert len(live_now) == 1
    assert ingest_paths([live], store, embedder, canonicalize=False).unchanged == 1
    after = agent.respond("Which credentials teach data analytics with SQL?", ConversationState())
    assert "acme-data-basics" in {c.id for c in after.citations}
