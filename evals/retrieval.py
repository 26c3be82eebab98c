"""Retrieval eval: does search find the records a good answer must draw on, and say "nothing" when it should?

Dataset: ``datasets/retrieval.jsonl``, one question per line ``{"id", "persona", "question",
"relevant": [record ids], "split": "dev"|"seen"|"heldout", "tags": [...]}``; ``relevant: []`` means
the catalogue has nothing on it and the right answer is no hit at all. ``dev`` is for tuning;
``seen`` is the first held-back set, run blind once and then read, so no longer blind;
``heldout`` is the blind set, written by people who never saw the retriever or its results and
run only at the end of a piece of work (docs/retrieval.md).

Metrics over answerable questions (binary relevance, ranking = the hits in order):

- recall@k = relevant ids in the top k / min(k, number of relevant ids), so recall@1 is 1 when
  the first hit is relevant even if the question has several relevant records;
- MRR (reciprocal rank of the first relevant hit) and nDCG@10;
- abstention: the share of "nothing" questions answered with no hit, and the share of
  answerable questions wrongly answered with no hit.

Search recalls the labelled questions of the dev and seen splits (``assistant/memory.py``); a
question of those splits is scored without the questions of its own set (the id's first letter)
in that memory, as a new set meets it, so its figures are not a lookup of its own label.

Latency is per query, warm (model loaded, caches built after a few unrelated queries), on
each question's first run (its vector is not cached yet). The baseline (``evals/baseline.py``)
is scored on the same questions; it has no way to answer "nothing".
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.services import Services, offline_environment
from assistant.settings import load_settings
from assistant.store import Store

ROOT = Path(__file__).resolve().parents[1]
DATASET = Path(__file__).resolve().parent / "datasets" / "retrieval.jsonl"
KNOWLEDGE = ROOT / "knowledge"
K = 10
WARMUP = ["warm up the model", "cloud certificate", "what is a micro-credential", "nursing jobs", "python course for beginners"]


SPLITS = ("dev", "seen", "heldout")


def load_questions(splits: Sequence[str] = SPLITS) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row["split"] in splits]


def score_ranking(ranked: list[str], relevant: list[str]) -> dict[str, float]:
    """Per-question metrics; for a 'nothing' question only ``nothing_ok`` is meaningful."""
    if not relevant:
        return {"nothing_ok": float(not ranked)}
    rel = set(relevant)
    out = {f"recall@{k}": len(rel & set(ranked[:k])) / min(k, len(rel)) for k in (1, 5, 10)}
    first = next((n for n, rid in enumerate(ranked, 1) if rid in rel), None)
    out["mrr"] = 1.0 / first if first else 0.0
    dcg = sum(1.0 / math.log2(n + 1) for n, rid in enumerate(ranked[:K], 1) if rid in rel)
    ideal = sum(1.0 / math.log2(n + 1) for n in range(1, min(K, len(rel)) + 1))
    out["ndcg@10"] = dcg / ideal
    out["false_nothing"] = float(not ranked)
    return out


def aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["relevant"]]
    nothing = [r for r in rows if not r["relevant"]]
    out: dict[str, Any] = {"questions": len(rows), "answerable": len(answerable), "nothing_questions": len(nothing)}
    for metric in ("recall@1", "recall@5", "recall@10", "mrr", "ndcg@10", "false_nothing"):
        out[metric] = round(statistics.fmean(r["scores"][metric] for r in answerable), 4) if answerable else None
    out["nothing_answered_with_nothing"] = round(statistics.fmean(r["scores"]["nothing_ok"] for r in nothing), 4) if nothing else None
    latencies = sorted(r["ms"] for r in rows)
    if latencies:
        out["p50_ms"] = round(statistics.median(latencies), 1)
        out["p95_ms"] = round(latencies[min(len(latencies) - 1, math.ceil(0.95 * len(latencies)) - 1)], 1)
    return out


def evaluate(questions: list[dict[str, Any]], search: Callable[[str], list[str]]) -> list[dict[str, Any]]:
    rows = []
    for q in questions:
        started = time.perf_counter()
        ranked = search(q["question"])
        ms = (time.perf_counter() - started) * 1000
        rows.append({**q, "ranked": ranked[:K], "ms": ms, "scores": score_ranking(ranked, q["relevant"])})
    return rows


def breakdown(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"all": aggregate(rows)}
    for split in SPLITS:
        part = [r for r in rows if r["split"] == split]
        if part:
            out[f"split:{split}"] = aggregate(part)
    for persona in ("learner", "recruiter", "adviser"):
        part = [r for r in rows if r["persona"] == persona]
        if part:
            out[f"persona:{persona}"] = aggregate(part)
    for tag in sorted({t for r in rows for t in r.get("tags", [])}):
        out[f"tag:{tag}"] = aggregate([r for r in rows if tag in r.get("tags", [])])
    return out


def ensure_store(services: Services) -> Store:
    """The store at STACKWISE_STORE, brought up to date with knowledge/ (incremental ingest)."""
    from ingest.pipeline import ingest_paths

    store = Store(services.settings.storage, create=True)
    report = ingest_paths([KNOWLEDGE], store, services.embedder)
    if report.rejected:
        print(f"note: {len(report.rejected)} knowledge files or records rejected, e.g. {report.rejected[0].source}: {report.rejected[0].reason}")
    return store


def run(splits: Sequence[str] = SPLITS, with_baseline: bool = True) -> dict[str, Any]:
    """Score Stackwise's retriever and the LangChain baseline on the retrieval dataset."""
    offline_environment()
    services = Services(load_settings())
    ensure_store(services)
    retriever = services.retriever
    questions = load_questions(splits)
    for text in WARMUP:
        retriever.search(text)
    # a question already read is scored as a new one: the labelled questions of its own set do not vote
    memory = retriever.memory
    ours = []
    for letter in sorted({q["id"][0] for q in questions}):
        retriever.memory = memory.without_set(letter) if memory is not None else None
        ours += evaluate([q for q in questions if q["id"][0] == letter], lambda q: [h.id for h in retriever.search(q, k=K)])
    retriever.memory = memory
    order = {q["id"]: n for n, q in enumerate(questions)}
    ours.sort(key=lambda r: order[r["id"]])
    result: dict[str, Any] = {"k": K, "dataset": str(DATASET.relative_to(ROOT)), "splits": list(splits), "stackwise": breakdown(ours)}
    if with_baseline:
        from evals.baseline import Baseline

        baseline = Baseline(KNOWLEDGE, services.embedder)
        for text in WARMUP:
            baseline.search(text)
        theirs = evaluate(questions, baseline.search)
        result["baseline"] = breakdown(theirs)
        # same chunks, counting only the records a reader of them could name (evals/baseline.py)
        result["baseline_citable"] = breakdown(evaluate(questions, lambda q: baseline.search(q, mapping="citable")))
        result["baseline_chunks"] = baseline.chunks
    result["misses"] = [
        {"id": r["id"], "question": r["question"], "relevant": r["relevant"], "got": r["ranked"][:5]}
        for r in ours
        if (r["relevant"] and r["scores"]["recall@5"] < 1.0) or (not r["relevant"] and r["ranked"])
    ]
    print_table(result)
    return result


def print_table(result: dict[str, Any]) -> None:
    ours, theirs, cited = result["stackwise"], result.get("baseline", {}), result.get("baseline_citable", {})
    groups = [g for g in ours if g == "all" or g.startswith(("split:", "persona:"))]
    metrics = ["recall@1", "recall@5", "recall@10", "mrr", "ndcg@10", "nothing_answered_with_nothing", "false_nothing", "p50_ms", "p95_ms"]
    for group in groups:
        mine, base, cite = ours[group], theirs.get(group, {}), cited.get(group, {})
        print(f"\n{group}  ({mine['questions']} questions, {mine['nothing_questions']} 'nothing')")
        print(f"  {'metric':<30} {'stackwise':>10} {'baseline':>10} {'(citable)':>10}")
        for metric in metrics:
            print(f"  {metric:<30} {_fmt(mine.get(metric)):>10} {_fmt(base.get(metric)):>10} {_fmt(cite.get(metric)):>10}")
    tags = [g for g in ours if g.startswith("tag:")]
    if tags:
        print(f"\n  {'tag':<30} {'n':>4} {'R@5':>6} {'base':>6} {'cite':>6} {'MRR':>6} {'base':>6}")
        for tag in tags:
            mine, base, cite = ours[tag], theirs.get(tag, {}), cited.get(tag, {})
            print(
                f"  {tag:<30} {mine['questions']:>4} {_fmt(mine.get('recall@5')):>6} {_fmt(base.get('recall@5')):>6} {_fmt(cite.get('recall@5')):>6} {_fmt(mine.get('mrr')):>6} {_fmt(base.get('mrr')):>6}"
            )


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.1f}"
    return str(value)


if __name__ == "__main__":
    run()
