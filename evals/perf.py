"""Performance eval: ingest overhead, latencies, cold start, memory; at the shipped size and at scale.

One run on this machine. The headline keys (DESIGN.md's ``eval perf --json`` contract) are
measured on the shipped ``knowledge/`` in a fresh temporary store:

- ``ingest_overhead_ratio``: median full ingest time / median raw ``SentenceTransformer.encode``
  of the same chunk texts, same process, model loaded once before both (goal <= 1.15).
- ``reingest_unchanged_ratio``: median re-ingest of the unchanged corpus / the same raw encode
  (goal <= 0.10).
- ``search_p95_ms``, ``ask_p95_ms`` (offline agent), ``plan_p95_ms``: warm (model and
  catalogue loaded, one warm-up call), each question asked once so the query-embedding cache
  does not hide the model (goals 60 / 150 / 500 ms).
- ``cold_start_s``: ``stackwise ask`` in a fresh subprocess, process start to answer (goal <= 8).
- ``rss_mb``: resident memory of a fresh process after loading the shipped store, the model and
  the catalogue and answering one search (goal <= 1200).

Scale tiers (``STACKWISE_PERF_TIERS``, default ``shipped,10k``; add ``100k`` to measure it —
it embeds ~100,000 texts, tens of minutes on 2 CPU cores) ingest ``knowledge/`` plus that
many synthetic credentials and report the same figures with growth factors and exponents
(``log(latency ratio) / log(size ratio)``; below 1 is sub-linear). The naive LangChain
pipeline (RecursiveCharacterTextSplitter + ``Chroma.from_documents`` + ``similarity_search``,
k=5, same model) is measured beside ours on the shipped corpus (``STACKWISE_PERF_BASELINE=all``: on
every tier; ``none``: skipped).
``STACKWISE_PERF_REPEATS`` (default 2) sets how many full ingests the shipped tier times.
"""

from __future__ import annotations

import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embeddings import SentenceTransformerEmbedder, load_embedder
from assistant.services import Services
from assistant.settings import EmbeddingSettings, Settings, StoreSettings
from assistant.store import Store
from evals.perf_synthetic import generator
from ingest.pipeline import ingest_paths

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
TIER_SIZES = {"shipped": 0, "1k": 1_000, "10k": 10_000, "100k": 100_000}
GOALS = {
    "ingest_overhead_ratio": 1.15,
    "reingest_unchanged_ratio": 0.10,
    "search_p95_ms": 60,
    "ask_p95_ms": 150,
    "plan_p95_ms": 500,
    "cold_start_s": 8,
    "rss_mb": 1200,
}
SEARCH_QUERIES = [
    "data analytics certificate for beginners",
    "cloud computing fundamentals",
    "AWS solutions architect",
    "cybersecurity entry-level certification",
    "project management professional",
    "machine learning course online",
    "UX design bootcamp",
    "teaching English as a foreign language",
    "financial analyst chartered",
    "nursing continuing education",
    "welding certification",
    "digital marketing google ads",
    "python programming micro-credential",
    "SQL for data analysis",
    "renewable energy technician",
    "IT support helpdesk",
    "agile scrum master",
    "free online course artificial intelligence",
    "stackable credential into a master's degree",
    "ECTS micro-credential Europe",
    "software developer career change",
    "health informatics",
    "supply chain lean six sigma",
    "accounting qualification ACCA",
    "Azure fundamentals AZ-900",
    "penetration testing",
    "product manager skills",
    "sustainability reporting",
    "adult education trainer",
    "data engineer",
]
ASK_QUESTIONS = [
    "Which credentials get me into data analytics?",
    "What is a micro-credential?",
    "How do I become a cloud engineer?",
    "What does the Google Data Analytics Professional Certificate cover?",
    "Which cybersecurity certifications are free?",
    "What skills does a UX designer need?",
    "What does a data scientist earn?",
    "Compare CompTIA Security+ and ISC2 CC",
    "Which credentials stack into a master's degree?",
    "I am a teacher; how can I move into instructional design?",
    "Online courses in project management under 500 EUR",
    "What is the EQF level of a bachelor degree?",
    "Which AI courses can I do in 6 weeks?",
    "How long does the CFA take?",
    "What credentials are there in Finland?",
]


def run() -> dict[str, Any]:
    """Measure every figure once on this machine; print a table; return the report."""
    tiers = [t.strip() for t in os.environ.get("STACKWISE_PERF_TIERS", "shipped,10k").split(",") if t.strip()]
    unknown = [t for t in tiers if t not in TIER_SIZES]
    if unknown:
        raise SystemExit(f"error: unknown tier {unknown[0]!r} in STACKWISE_PERF_TIERS — choose from {', '.join(TIER_SIZES)}")
    if "shipped" not in tiers:
        tiers.insert(0, "shipped")
    repeats = max(1, int(os.environ.get("STACKWISE_PERF_REPEATS", "2")))
    baseline = os.environ.get("STACKWISE_PERF_BASELINE", "shipped")
    embedder = load_embedder(EmbeddingSettings())
    if not isinstance(embedder, SentenceTransformerEmbedder):
        raise SystemExit("error: the perf eval needs the sentence-transformers model")
    embedder.encode(["warm-up"])  # model loaded and warm before any timing
    work = Path(tempfile.mkdtemp(prefix="stackwise-perf-"))
    report: dict[str, Any] = {
        "machine": machine(),
        "commit": _commit(),
        "embedding": {"model": embedder.name, "device": embedder.device, "batch_size": embedder.batch_size},
    }
    results: dict[str, dict[str, Any]] = {}
    try:
        for tier in tiers:
            print(f"[perf] tier {tier} ...", file=sys.stderr, flush=True)
            paths = [KNOWLEDGE]
            if TIER_SIZES[tier]:
                generate, write, source = generator()
                folder = work / f"synthetic-{tier}"
                write(generate(TIER_SIZES[tier], 7), folder)
                paths.append(folder)
                report.setdefault("synthetic_generator", source)
            with_baseline = baseline == "all" or (baseline == "shipped" and tier == "shipped")
            results[tier] = measure_corpus(tier, paths, work / tier, embedder, repeats if tier == "shipped" else 1, with_baseline)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    shipped = results["shipped"]
    for key in GOALS:
        report[key] = shipped.get(key)
    report["goals"] = GOALS
    report["met"] = {k: (shipped.get(k) is not None and shipped[k] <= v) for k, v in GOALS.items()}
    report["tiers"] = results
    report["growth"] = growth(results)
    report["tiers_run"] = tiers
    print_table(results, report["growth"])
    return report


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM, accelerator and library versions of the machine measured."""
    cpu = platform.processor() or platform.machine()
    ram_gb = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    import torch

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "torch_threads": torch.get_num_threads(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
    }


def _commit() -> str | None:
    try:
        proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except OSError:
        return None
    return proc.stdout.strip() or None


def measure_corpus(tier: str, paths: list[Path], workdir: Path, embedder: SentenceTransformerEmbedder, repeats: int, baseline: bool) -> dict[str, Any]:
    """Every figure for one corpus: ingest ratios, warm latencies, cold start, memory, baseline."""
    workdir.mkdir(parents=True)
    out: dict[str, Any] = {}
    ingest_s, raw_s, timings, ingest_cpu, raw_cpu = [], [], [], [], []
    load_before = os.getloadavg()[0]
    store_dir = workdir / "store"
    texts: list[str] = []
    for attempt in range(repeats):
        store_dir = workdir / f"store{attempt}"
        store = Store(StoreSettings(path=store_dir), create=True)
        started, cpu = time.perf_counter(), time.process_time()
        ingest_report = ingest_paths(paths, store, embedder)
        ingest_s.append(time.perf_counter() - started)
        ingest_cpu.append(time.process_time() - cpu)
        timings.append(ingest_report.timings)
        texts = [row[0] for row in store.conn.execute("SELECT text FROM chunks")]
        store.close()
        cpu = time.process_time()
        raw_s.append(_raw_encode(embedder, texts))
        raw_cpu.append(time.process_time() - cpu)
    for old in range(repeats - 1):
        shutil.rmtree(workdir / f"store{old}", ignore_errors=True)
    store = Store(StoreSettings(path=store_dir))
    reingest_s = []
    for _ in range(max(2, repeats)):
        started = time.perf_counter()
        again = ingest_paths(paths, store, embedder)
        reingest_s.append(time.perf_counter() - started)
    counts = store.counts()
    out.update(
        credentials=counts["credential"],
        records=sum(v for k, v in counts.items() if k != "chunks"),
        chunks=counts["chunks"],
        ingest_s=_stats(ingest_s),
        raw_encode_s=_stats(raw_s),
        raw_encode_texts_per_s=round(len(texts) / statistics.median(raw_s), 1),
        ingest_stage_s=timings[-1],
        reingest_unchanged_s=_stats(reingest_s),
        reingest_stage_s=again.timings,
        ingest_overhead_ratio=round(statistics.median(ingest_s) / statistics.median(raw_s), 3),
        # CPU seconds of this process: less sensitive than wall time to other work on the machine
        ingest_overhead_ratio_cpu=round(statistics.median(ingest_cpu) / statistics.median(raw_cpu), 3),
        load_average_1m=[round(load_before, 2), round(os.getloadavg()[0], 2)],
        reingest_unchanged_ratio=round(statistics.median(reingest_s) / statistics.median(raw_s), 4),
    )
    print(f"[perf] {tier}: ingest {out['ingest_s']['median']} s, raw encode {out['raw_encode_s']['median']} s", file=sys.stderr, flush=True)
    store.close()
    services = Services(Settings(storage=StoreSettings(path=store_dir)))
    # the query-embedding cache is per process: without this a later tier would find the
    # earlier tier's questions cached and its "uncached" latencies would skip the model
    embedder._cache.clear()
    out.update(_search_latency(services))
    out.update(_ask_latency(services))
    out.update(_plan_latency(services))
    out.update(_cold_start(store_dir))
    out.update(_rss(store_dir))
    if baseline:
        out["langchain_baseline"] = _langchain_baseline(paths, workdir / "langchain", embedder, statistics.median(raw_s))
    services.store.close()
    return out


def _raw_encode(embedder: SentenceTransformerEmbedder, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    return time.perf_counter() - started


def _stats(values: list[float], scale: float = 1.0, digits: int = 3) -> dict[str, Any]:
    scaled = [v * scale for v in values]
    return {
        "median": round(statistics.median(scaled), digits),
        "p95": round(float(np.percentile(scaled, 95)), digits),
        "max": round(max(scaled), digits),
        "n": len(scaled),
    }


def _timed(call: Callable[[], object], n_warmup: int, items: list[Any], body: Callable[[Any], object]) -> list[float]:
    for _ in range(n_warmup):
        call()
    times = []
    for item in items:
        started = time.perf_counter()
        body(item)
        times.append(time.perf_counter() - started)
    return times


def _search_latency(services: Services) -> dict[str, Any]:
    retriever = services.retriever
    catalogue = services.catalogue
    skills = sorted(catalogue.skills.values(), key=lambda s: s.id)[:: max(1, len(catalogue.skills) // 30)][:30]
    queries = SEARCH_QUERIES + [f"{s.label} course" for s in skills]
    from assistant.retrieval import SearchFilters

    filtered = [(q, SearchFilters(country="DE")) for q in queries[:10]] + [(q, SearchFilters(max_cost=500, kind="credential")) for q in queries[10:20]]
    # first pass: every query new to the embedding cache; second: the same queries, cached
    cold = _timed(lambda: retriever.search("warm-up query"), 1, queries, lambda q: retriever.search(q))
    cached = _timed(lambda: None, 0, queries, lambda q: retriever.search(q))
    with_filters = _timed(lambda: None, 0, filtered, lambda qf: retriever.search(qf[0] + " with filter", filters=qf[1]))
    return {
        "search_p95_ms": round(float(np.percentile(cold, 95)) * 1000, 1),
        "search_ms": _stats(cold, 1000, 1),
        "search_cached_query_ms": _stats(cached, 1000, 1),
        "search_filtered_ms": _stats(with_filters, 1000, 1),
    }


def _ask_latency(services: Services) -> dict[str, Any]:
    try:
        from assistant.agent import ConversationState

        agent = services.agent
    except (ImportError, AttributeError) as exc:
        return {"ask_p95_ms": None, "ask_note": f"agent not available: {exc}"}
    times = _timed(lambda: agent.respond("What is a digital badge?", ConversationState()), 1, ASK_QUESTIONS, lambda q: agent.respond(q, ConversationState()))
    return {"ask_p95_ms": round(float(np.percentile(times, 95)) * 1000, 1), "ask_ms": _stats(times, 1000, 1)}


def _plan_latency(services: Services) -> dict[str, Any]:
    try:
        from assistant.models import Budget, LearnerProfile
        from assistant.planner import plan_stackable_path
    except ImportError as exc:
        return {"plan_p95_ms": None, "plan_note": f"planner not available: {exc}"}
    catalogue = services.catalogue
    occupations = sorted(catalogue.occupations.values(), key=lambda o: o.id)
    profiles = []
    for n, occ in enumerate(occupations[:: max(1, len(occupations) // 15)][:15]):
        held = [s.skill for s in occ.skills[:2]]
        profiles.append(
            LearnerProfile(
                target=occ.id, skills=held, budget=Budget(amount=[800, 2000, 5000][n % 3], currency="EUR"), hours_per_week=[5, 8, 15][n % 3], deadline_weeks=52
            )
        )
    if not profiles:
        return {"plan_p95_ms": None, "plan_note": "no occupations in the store"}
    settings = services.settings.planner
    feasible = 0

    def plan(profile: LearnerProfile) -> None:
        nonlocal feasible
        feasible += bool(plan_stackable_path(profile, catalogue, settings).feasible)

    times = _timed(lambda: plan_stackable_path(profiles[0], catalogue, settings), 1, profiles * 2, plan)
    return {"plan_p95_ms": round(float(np.percentile(times, 95)) * 1000, 1), "plan_ms": _stats(times, 1000, 1), "plans_feasible": f"{feasible}/{len(times)}"}


def _cold_start(store_dir: Path) -> dict[str, Any]:
    exe = Path(sys.executable).with_name("stackwise")
    env = {**os.environ, "STACKWISE_STORE": str(store_dir)}
    times = []
    for _ in range(2):
        started = time.perf_counter()
        proc = subprocess.run([str(exe), "ask", "Which credentials get me into data analytics?"], env=env, capture_output=True, text=True, timeout=300)
        times.append(time.perf_counter() - started)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            return {"cold_start_s": None, "cold_start_note": f"`stackwise ask` exited {proc.returncode}: {last}"}
    return {"cold_start_s": round(statistics.median(times), 2), "cold_start_runs_s": [round(t, 2) for t in times]}


_RSS_SCRIPT = """
import json, resource, sys
from pathlib import Path
from assistant.services import Services, offline_environment
from assistant.settings import Settings, StoreSettings
offline_environment()
s = Services(Settings(storage=StoreSettings(path=Path(sys.argv[1]))))
s.retriever.search("data analytics certificate")
status = Path("/proc/self/status").read_text()
rss = next(int(l.split()[1]) for l in status.splitlines() if l.startswith("VmRSS"))
print(json.dumps({"rss_kb": rss, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _rss(store_dir: Path) -> dict[str, Any]:
    import json

    proc = subprocess.run([sys.executable, "-c", _RSS_SCRIPT, str(store_dir)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    if proc.returncode != 0:
        return {"rss_mb": None, "rss_note": (proc.stderr.strip().splitlines() or ["no output"])[-1]}
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"rss_mb": round(data["rss_kb"] / 1024, 1), "rss_peak_mb": round(data["peak_kb"] / 1024, 1)}


def _langchain_baseline(paths: list[Path], workdir: Path, embedder: SentenceTransformerEmbedder, raw_median_s: float) -> dict[str, Any]:
    """The tutorial pipeline on the same files: load, split, embed, store, similarity_search."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    model, batch_size = embedder.model, embedder.batch_size

    class SentenceTransformerEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False).tolist()  # type: ignore[no-any-return]

        def embed_query(self, text: str) -> list[float]:
            return model.encode([text], normalize_embeddings=True, show_progress_bar=False)[0].tolist()  # type: ignore[no-any-return]

    started = time.perf_counter()
    docs = []
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.suffix in {".yaml", ".yml", ".md"} and p.is_file())
        docs += [Document(page_content=f.read_text(encoding="utf-8"), metadata={"source": str(f)}) for f in files]
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    db = Chroma.from_documents(chunks, SentenceTransformerEmbeddings(), persist_directory=str(workdir), collection_name="baseline")
    ingest_s = time.perf_counter() - started
    db.similarity_search("warm-up", k=5)
    times = _timed(lambda: None, 0, SEARCH_QUERIES, lambda q: db.similarity_search(q, k=5))
    return {
        "chunks": len(chunks),
        "ingest_s": round(ingest_s, 2),
        "ingest_ratio_to_our_raw_encode": round(ingest_s / raw_median_s, 3),
        "query_ms": _stats(times, 1000, 1),
        "reingest_unchanged_s": "not incremental: a re-run embeds everything again (about ingest_s)",
    }


def growth(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each tier against the shipped one: latency growth factor and exponent vs. size."""
    base = results["shipped"]
    out: dict[str, Any] = {}
    for tier, res in results.items():
        if tier == "shipped":
            continue
        size = res["credentials"] / max(1, base["credentials"])
        row: dict[str, Any] = {"credentials_factor": round(size, 2)}
        for key in ("search_p95_ms", "ask_p95_ms", "plan_p95_ms", "cold_start_s", "rss_mb"):
            if res.get(key) and base.get(key):
                factor = res[key] / base[key]
                row[key] = {"factor": round(factor, 2), "exponent": round(math.log(factor) / math.log(size), 2) if size > 1 and factor > 0 else None}
        row["ingest_overhead_ratio"] = res["ingest_overhead_ratio"]
        row["ingest_overhead_ratio_cpu"] = res["ingest_overhead_ratio_cpu"]
        out[tier] = row
    return out


def print_table(results: dict[str, dict[str, Any]], growth_rows: dict[str, Any]) -> None:
    keys = [
        "credentials",
        "chunks",
        "ingest_overhead_ratio",
        "ingest_overhead_ratio_cpu",
        "reingest_unchanged_ratio",
        "search_p95_ms",
        "ask_p95_ms",
        "plan_p95_ms",
        "cold_start_s",
        "rss_mb",
    ]
    tiers = list(results)
    print(f"{'figure':<26}" + "".join(f"{t:>12}" for t in tiers) + f"{'goal':>10}")
    for key in keys:
        cells = "".join(f"{results[t].get(key)!s:>12}" for t in tiers)
        print(f"{key:<26}{cells}{GOALS.get(key, '')!s:>10}")
    for tier in tiers:
        lc = results[tier].get("langchain_baseline")
        if lc:
            ours = results[tier]
            print(
                f"{tier}: ours ingest {ours['ingest_s']['median']} s, search p95 {ours['search_p95_ms']} ms | "
                f"LangChain baseline ingest {lc['ingest_s']} s, query p95 {lc['query_ms']['p95']} ms"
            )
    for tier, row in growth_rows.items():
        print(f"growth {tier}: {row}")


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2, default=str))
