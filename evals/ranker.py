"""Fit the learned reranker (assistant/rerank.py) and check it on question sets it did not see.

``python -m evals ranker`` searches every question of the retrieval dataset's ``dev`` and
``seen`` splits with the reranker off, keeps the evidence search gathered for its first
``DEPTH`` records, and fits gradient-boosted trees (LightGBM, binary objective): is this record
one a good answer needs? The held-back split is never read here, so its figures stay a blind
test of the whole retriever.

Before writing ``assistant/reranker.json`` it reports leave-one-set-out figures: each set of
questions written together (the id's letter: ``b``, ``c``, ... one batch of writers each) is
left out in turn, the model is fitted on the rest, and recall@5 and MRR on the left-out set
are compared with the fused order. That is the estimate of what the model adds on new
questions.

Each question is searched with the labelled-question memory (``assistant/memory.py``) minus
the questions of its own set, so the votes the model learns from are those a new question gets.

The same run fits the judge: for the questions no abstention rule decides, is the catalogue
empty on this one? Its inputs use the chances that each left-out set's reranker gave (a
reranker is surer of questions it was fitted on, and search meets only new ones). Its bar is
the chance above which answering with nothing makes the fewest errors of both kinds (an
answerable question refused, a "nothing" one answered), counted on judges fitted without the
set they judge, and the run prints those errors beside the calibrated threshold rule's.
"""

from __future__ import annotations

import statistics
from datetime import date
from typing import Any

import lightgbm
import numpy as np

from assistant.rerank import FEATURES, JUDGEMENT_FEATURES, WEIGHTS, Reranker, judgement_features
from assistant.services import Services, offline_environment
from assistant.settings import load_settings
from evals.retrieval import DATASET, ROOT, ensure_store, load_questions, score_ranking

DEPTH = 40  # candidates per question the model learns to order (the search returns 10 by default)
# LightGBM settings, chosen on the leave-one-set-out figures (docs/retrieval.md); one thread and
# fixed seeds, so fitting again on the same questions writes the same trees.
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 40,
    "lambda_l2": 1.0,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "seed": 1,
    "deterministic": True,
    "num_threads": 1,
    "verbose": -1,
}
ROUNDS = 300
TRAIN_SPLITS = ("dev", "seen")
# The judge is smaller: a few thousand questions, one row each.
JUDGE_PARAMS: dict[str, Any] = {**PARAMS, "num_leaves": 7, "min_data_in_leaf": 30, "feature_fraction": 0.9}
JUDGE_ROUNDS = 150


def gather(questions: list[dict[str, Any]], services: Services) -> list[dict[str, Any]]:
    """Each question's candidates (fused order) with their features and whether each is needed.

    A question no abstention rule decides keeps its candidates and its :class:`Judgement`,
    so the judge can learn from it.
    """
    retriever = services.retriever
    retriever.reranker = None  # fused order, whatever the settings say
    retriever.judge_nothing = False
    memory = retriever.open_memory()
    out = []
    for q in questions:
        # the labelled questions vote as they would for a new set: without the question's own set
        retriever.memory = memory.without_set(q["id"][0]) if memory is not None else None
        result = retriever.search_detailed(q["question"], k=DEPTH)
        ids = [hit.id for hit in result.hits]
        rows = [result.features[i] for i in ids]
        out.append({**q, "ids": ids, "rows": rows, "labels": [int(i in q["relevant"]) for i in ids], "judgement": result.judgement})
    return out


def fit(gathered: list[dict[str, Any]], model: str) -> Reranker:
    """Trees fitted on the candidates of ``gathered``: which evidence marks a needed record."""
    rows = [row for q in gathered for row in q["rows"]]
    labels = [label for q in gathered for label in q["labels"]]
    if not rows or len(set(labels)) < 2:
        raise ValueError("the training questions give no needed and unneeded candidates to learn from")
    data = lightgbm.Dataset(np.array(rows, dtype=float), np.array(labels), feature_name=list(FEATURES), free_raw_data=True)
    return Reranker(lightgbm.train(PARAMS, data, ROUNDS), model)


def judged(gathered: list[dict[str, Any]], reranker: Reranker) -> list[dict[str, Any]]:
    """The questions no rule decided, each with the judge's inputs as ``reranker`` ranks its candidates, and whether it is a "nothing" one."""
    out = []
    for q in gathered:
        if q["judgement"] is None or not q["ids"]:
            continue
        chances = reranker.probabilities(q["rows"])
        order = sorted(range(len(chances)), key=lambda n: (-chances[n], q["ids"][n]))
        row = judgement_features(q["judgement"], [chances[n] for n in order], q["rows"][order[0]])
        out.append({"id": q["id"], "row": row, "nothing": int(not q["relevant"]), "below_bar": q["judgement"].below_bar()})
    return out


def fit_judge(rows: list[dict[str, Any]]) -> lightgbm.Booster:
    """Trees over :data:`JUDGEMENT_FEATURES`: the chance that a question is a "nothing" one."""
    data = lightgbm.Dataset(
        np.array([r["row"] for r in rows], dtype=float), np.array([r["nothing"] for r in rows]), feature_name=list(JUDGEMENT_FEATURES), free_raw_data=True
    )
    return lightgbm.train(JUDGE_PARAMS, data, JUDGE_ROUNDS)


def errors(rows: list[dict[str, Any]], says_nothing: list[bool]) -> dict[str, int]:
    """Answerable questions answered with nothing, and "nothing" questions answered."""
    return {
        "answerable_refused": sum(1 for r, no in zip(rows, says_nothing, strict=True) if no and not r["nothing"]),
        "nothing_answered": sum(1 for r, no in zip(rows, says_nothing, strict=True) if not no and r["nothing"]),
    }


def nothing_bar(rows: list[dict[str, Any]], chances: list[float]) -> float:
    """The chance above which to answer with nothing: fewest errors of both kinds, each counted once, on left-out chances."""
    best, bar = len(rows) + 1, 1.0
    for candidate in sorted({round(c, 3) for c in chances}):
        made = errors(rows, [c > candidate for c in chances])
        if sum(made.values()) < best:
            best, bar = sum(made.values()), candidate
    return bar


def score(gathered: list[dict[str, Any]], reranker: Reranker | None) -> dict[str, float]:
    """recall@5 and MRR over the answerable questions, in fused order or the model's."""
    scores = []
    for q in gathered:
        if not q["relevant"]:
            continue
        order = q["ids"]
        if reranker is not None:
            probability = dict(zip(q["ids"], reranker.probabilities(q["rows"]), strict=True))
            order = sorted(order, key=lambda i: (-probability[i], i))
        scores.append(score_ranking(order, q["relevant"]))  # the retrieval eval's own metrics
    return {"questions": len(scores), **{m: round(statistics.fmean(s[m] for s in scores), 4) for m in ("recall@5", "mrr")}}


def run() -> dict[str, Any]:
    offline_environment()
    settings = load_settings()
    # the fused order is what the model learns to improve; a damaged or outdated model file is not read
    services = Services(settings.model_copy(update={"retrieval": settings.retrieval.model_copy(update={"rerank": False})}))
    ensure_store(services)
    model = services.embedder.name
    gathered = gather(load_questions(TRAIN_SPLITS), services)
    folds: dict[str, Any] = {}
    unseen: list[dict[str, Any]] = []  # the judge learns from chances the reranker gave questions it did not see
    for letter in sorted({q["id"][0] for q in gathered}):
        left_out = [q for q in gathered if q["id"][0] == letter]
        fitted = fit([q for q in gathered if q["id"][0] != letter], model)
        folds[letter] = {"fused": score(left_out, None), "reranked": score(left_out, fitted)}
        unseen += judged(left_out, fitted)
    # the judge's own left-out figures, and its bar, from judges that did not see the set they judge
    chances: dict[str, float] = {}
    for letter in sorted({r["id"][0] for r in unseen}):
        judge = fit_judge([r for r in unseen if r["id"][0] != letter])
        left_out = [r for r in unseen if r["id"][0] == letter]
        chances.update(zip((r["id"] for r in left_out), judge.predict(np.array([r["row"] for r in left_out], dtype=float), num_threads=1), strict=True))
    pooled = [float(chances[r["id"]]) for r in unseen]
    bar = nothing_bar(unseen, pooled)
    judging = {
        "questions": len(unseen),
        "nothing_questions": sum(r["nothing"] for r in unseen),
        "nothing_above": bar,
        "judge_left_out": errors(unseen, [c > bar for c in pooled]),
        "threshold_rule": errors(unseen, [r["below_bar"] for r in unseen]),
    }
    reranker = fit(gathered, model)
    reranker.judge, reranker.nothing_above = fit_judge(unseen), bar
    reranker.meta = {
        "dataset": str(DATASET.relative_to(ROOT)),
        "splits": list(TRAIN_SPLITS),
        "questions": len(gathered),
        "candidates_per_question": DEPTH,
        "rounds": ROUNDS,
        "params": {k: v for k, v in PARAMS.items() if k not in {"verbose", "num_threads"}},
        "judge_rounds": JUDGE_ROUNDS,
        "judge_params": {k: v for k, v in JUDGE_PARAMS.items() if k not in {"verbose", "num_threads"}},
        "judging": judging,
        "fitted": date.today().isoformat(),
    }
    reranker.save()
    result = {"weights": str(WEIGHTS.relative_to(ROOT)), "trained_on": reranker.meta, "left_out_sets": folds}
    print(f"reranker fitted on {len(gathered)} questions ({', '.join(TRAIN_SPLITS)}), written to {result['weights']}")
    print(f"{'left-out set':<14}{'questions':>10}{'fused R@5':>11}{'reranked':>10}{'fused MRR':>11}{'reranked':>10}")
    for letter, fold in folds.items():
        f, r = fold["fused"], fold["reranked"]
        print(f"{letter:<14}{f['questions']:>10}{f['recall@5']:>11.3f}{r['recall@5']:>10.3f}{f['mrr']:>11.3f}{r['mrr']:>10.3f}")
    judge, rule = judging["judge_left_out"], judging["threshold_rule"]
    print(
        f"judge: {judging['questions']} questions no rule decides ({judging['nothing_questions']} 'nothing'), nothing above {bar:.3f}; "
        f"left out: {judge['answerable_refused']} answerable refused, {judge['nothing_answered']} 'nothing' answered "
        f"(threshold rule: {rule['answerable_refused']} and {rule['nothing_answered']})"
    )
    return result
