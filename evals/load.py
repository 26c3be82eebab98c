"""Load: many concurrent conversations against one store while an ingest runs beside them.

``python -m evals.load [--seconds 60] [--threads 20] [--json]``: builds a store from
``knowledge/`` in a temporary folder (the tiny hashing embedder by default, so that the
figures measure the agent, retrieval and the store, not the model; ``--embedding`` picks
another), then runs ``threads`` conversations, each a thread with its own
:class:`ConversationState` cycling through learner / recruiter / adviser questions on one
shared :class:`Agent`, for ``seconds``. One more thread re-ingests a changing file into the
same store the whole time. Reports turns, errors (with the first messages), p50 / p95 / max
latency per turn and the ingest rounds completed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONVERSATION = [
    "Hello, what can you do?",
    "Which credentials get me into data analytics on 8 hours a week?",
    "Tell me more about the first one",
    "Compare the first two",
    "What does a data analyst earn?",
    "I manage a shop and want to become a data analyst; my budget is 1500 EUR and I have 8 hours a week",
    "Make me a plan",
    "Make it cheaper",
    "How do micro-credentials stack into a degree?",
    "Which cloud certifications are online and free?",
]


def build_agent(store_path: Path, knowledge: list[Path], embedding: str = "hashing:256") -> tuple[Any, Any, Any]:
    """(agent, store, embedder) over a fresh store ingested from ``knowledge``."""
    from assistant.agent.engine import Agent
    from assistant.agent.tools import Toolbox
    from assistant.embeddings import load_embedder
    from assistant.retrieval import Retriever
    from assistant.settings import EmbeddingSettings, StoreSettings
    from assistant.store import Store
    from ingest.pipeline import ingest_paths

    embedder = load_embedder(EmbeddingSettings(model=embedding))
    store = Store(StoreSettings(path=store_path), create=True)
    ingest_paths(knowledge, store, embedder)
    return Agent(Toolbox(Retriever(store, embedder)), embedder), store, embedder


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_load(agent: Any, store: Any, embedder: Any, workdir: Path, seconds: float, threads: int, ingest: bool = True) -> dict[str, Any]:
    """Run ``threads`` conversations and (optionally) a concurrent ingest for ``seconds``."""
    from assistant.agent.state import ConversationState
    from ingest.pipeline import ingest_paths

    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    ingest_rounds = 0

    def conversation(index: int) -> None:
        persona = ("learner", "recruiter", "adviser")[index % 3]
        state = ConversationState(persona=persona)
        turn = index  # threads start at different points of the script
        while time.monotonic() < stop:
            message = CONVERSATION[turn % len(CONVERSATION)]
            turn += 1
            if turn % len(CONVERSATION) == 0:
                state = ConversationState(persona=persona)
            started = time.perf_counter()
            try:
                agent.respond(message, state)
            except Exception as exc:  # counted and reported: the point of the run
                with lock:
                    errors.append(f"{message!r}: {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-2)}")
                continue
            with lock:
                latencies.append(time.perf_counter() - started)

    def ingester() -> None:
        nonlocal ingest_rounds
        folder = workdir / "live"
        folder.mkdir(exist_ok=True)
        round_ = 0
        while time.monotonic() < stop:
            round_ += 1
            (folder / "live.yaml").write_text(
                "credentials:\n"
                f"  - {{id: live-cert-{round_ % 3}, title: Live Data Certificate {round_}, type: micro-credential, provider: Live U,"
                f" source: load-test, skills: [sql], workload_hours: {10 + round_ % 7}, cost: {{amount: {100 + round_}, currency: EUR}}}}\n"
            )
            try:
                ingest_paths([folder], store, embedder, canonicalize=False)
            except Exception as exc:  # counted like a conversation error
                with lock:
                    errors.append(f"ingest round {round_}: {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-2)}")
            else:
                ingest_rounds += 1

    workers: list[threading.Thread] = [threading.Thread(target=conversation, args=(i,), name=f"conversation-{i}") for i in range(threads)]
    if ingest:
        workers.append(threading.Thread(target=ingester, name="ingest"))
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - started
    return {
        "threads": threads,
        "seconds": round(wall, 1),
        "turns": len(latencies),
        "turns_per_s": round(len(latencies) / wall, 1) if wall else 0.0,
        "errors": len(errors),
        "error_examples": errors[:3],
        "ingest_rounds": ingest_rounds,
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
        "max_ms": round(max(latencies, default=0.0) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else 0.0,
    }


def run(
    seconds: float = 60.0, threads: int = 20, embedding: str = "hashing:256", ingest: bool = True, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """The load eval over the shipped knowledge; see the module docstring."""
    from assistant.agent.state import ConversationState
    from assistant.services import offline_environment

    offline_environment()
    with tempfile.TemporaryDirectory(prefix="stackwise-load-") as tmp:
        work = Path(tmp)
        build_started = time.perf_counter()
        agent, store, embedder = build_agent(work / "store", [ROOT / "knowledge"], embedding)
        if progress:
            progress(f"store built in {time.perf_counter() - build_started:.1f} s; running {threads} conversations for {seconds:.0f} s")
        agent.respond("warm-up: which credentials teach SQL?", ConversationState())
        report = run_load(agent, store, embedder, work, seconds, threads, ingest=ingest)
    report["embedding"] = embedding
    report["concurrent_ingest"] = ingest
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.load", description="Concurrent conversations and ingest against one store.")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--embedding", default="hashing:256", help="embedding model spec (default: the tiny hashing embedder)")
    parser.add_argument("--no-ingest", action="store_true", help="conversations only, no concurrent ingest")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run(args.seconds, args.threads, args.embedding, not args.no_ingest, progress=lambda line: print(line, file=sys.stderr))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            if key != "error_examples":
                print(f"{key:>14}: {value}")
        for example in report["error_examples"]:
            print("error:", example)
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
