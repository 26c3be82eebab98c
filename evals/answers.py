"""Answers eval: the offline chat agent on labelled single utterances and multi-turn conversations.

Datasets (written from the users' point of view, independently of the classifier's training
examples in ``assistant/agent/intent_examples.yaml``):

- ``datasets/answers.jsonl``: one utterance per line, ``{"id", "persona", "utterance", "intent",
  "relevant": [record ids a right answer cites], "split": "dev"|"heldout", "tags": [...]}``.
  Tags: ``oos`` (must be refused), ``nothing`` (the honest answer is "nothing in the
  catalogue"), ``typo``, ``code`` (exam codes), ``constraint`` (price, delivery, language, place).
- ``datasets/conversations.jsonl``: ``{"id", "persona", "split", "turns": [{"user", "intent",
  "expect": {...}}]}``. ``intent`` is a name or a list of accepted names. Checks in ``expect``:
  ``cites_any`` / ``cites_all`` (record ids), ``refers_to`` (indices into the previous reply's
  ``credentials``: "the second one" -> ``[1]``), ``asks_for`` (exactly the profile fields the agent
  asks for before planning), ``plan`` (a plan with steps was drafted), ``plan_excludes`` (ids the
  plan must not contain, e.g. held credentials), ``profile`` (fields of the conversation's profile
  after the turn; lists are checked for containment, budgets by amount and currency),
  ``refused`` (answered as out of scope), ``only_language`` (every cited credential is offered in it).

Figures (goals in brackets): intent accuracy (>= 95%), answers citing a right record among
utterances with ``relevant`` (>= 90%), answers naming anything not in the store (0: a cited id
that is no record, or a bold ``**name**`` that is neither a cited record's title nor an
occupation or skill label), out-of-scope refused (>= 95%), in-scope wrongly refused, honest
"nothing" answers, multi-turn checks passed, and warm p50/p95 latency of the offline path
(<= 150 ms). Broken down by persona and split (dev / heldout).

Run: ``STACKWISE_STORE=DIR python -m evals answers`` on a store built from ``knowledge/``.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

DATASETS = Path(__file__).resolve().parent / "datasets"
ANSWERS = DATASETS / "answers.jsonl"
CONVERSATIONS = DATASETS / "conversations.jsonl"

GOALS = {"intent_accuracy": 0.95, "cites_right_record": 0.90, "names_not_in_store": 0, "oos_refused": 0.95, "p95_ms": 150.0}
MAX_FAILURES_SHOWN = 30
WARM_UP = "Which data analytics certificates are there?"
# Bold text the composer uses as headings or verdicts, not as names of things.
STRUCTURAL_BOLD = {
    "transferable skills you bring",
    "skills to build, most important first",
    "what it certifies",
    "criteria",
    "issuer",
    "eu micro-credential elements",
    "verified",
    "invalid",
    "expired",
    "revoked",
    "unverified",
}
_CPU_MS: list[float] = []
BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
NOTHING_SAID = re.compile(r"found nothing|nothing in the catalogue|no credentials? (in the catalogue )?(match|fit)|not in the catalogue", re.I)


def _load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _pct(value: float | None) -> str:
    return "   —  " if value is None else f"{value * 100:5.1f}%"


class Names:
    """What the store holds, for the "names anything not in the store" check."""

    def __init__(self, catalogue: Any) -> None:
        self.catalogue = catalogue
        self.labels: set[str] = set()
        for occ in catalogue.occupations.values():
            self.labels.add(occ.title.lower())
            self.labels.update(t.lower() for t in occ.alt_titles)
        for skill in catalogue.skills.values():
            self.labels.add(skill.label.lower())
            self.labels.update(a.lower() for a in skill.alt_labels)

    def unknown(self, reply: Any) -> list[str]:
        """Ids and bold names in ``reply`` that the store does not back."""
        problems = [f"id {c.id!r} not in the store" for c in reply.citations if c.id not in self.catalogue.records]
        problems += [f"credential id {cid!r} not in the store" for cid in reply.credentials if cid not in self.catalogue.credentials]
        cited_titles = {c.title.strip().lower() for c in reply.citations}
        for raw in BOLD.findall(reply.answer):
            name = re.sub(r"\s*\[\d+\]\s*$", "", raw.strip()).strip()
            key = name.rstrip(":.").strip().lower()
            if not key or key in STRUCTURAL_BOLD or key in cited_titles or key in self.labels:
                continue
            if any(key.startswith(title + " — ") for title in cited_titles):  # "Guide title — section"
                continue
            problems.append(f"bold name {name!r} is no cited record and no occupation/skill label")
        return problems


SINGLE_INTENTS = {"find_credentials", "explain_credential", "compare", "badge", "occupation_facts", "skill_gap", "plan", "guide", "greeting", "out_of_scope"}


def _check_datasets(cases: list[dict[str, Any]], conversations: list[dict[str, Any]], catalogue: Any) -> list[str]:
    """Labelling mistakes that would make the figures wrong: unknown intents, ids the store lacks."""
    from assistant.agent.state import INTENTS

    problems = []
    for case in cases:
        if case["intent"] not in SINGLE_INTENTS:
            problems.append(f"{case['id']}: intent {case['intent']!r} is not a single-utterance intent")
        problems += [f"{case['id']}: relevant id {rid!r} is not in the store" for rid in case["relevant"] if rid not in catalogue.records]
    for conv in conversations:
        for n, turn in enumerate(conv["turns"], 1):
            accepted = turn["intent"] if isinstance(turn["intent"], list) else [turn["intent"]]
            problems += [f"{conv['id']}#{n}: unknown intent {i!r}" for i in accepted if i not in INTENTS]
            expect = turn.get("expect", {})
            ids = [*expect.get("cites_any", []), *expect.get("cites_all", []), *expect.get("plan_excludes", [])]
            problems += [f"{conv['id']}#{n}: id {rid!r} is not in the store" for rid in ids if rid not in catalogue.records]
    return problems


def _cited(reply: Any) -> set[str]:
    return {c.id for c in reply.citations} | set(reply.credentials)


def _build_agent() -> tuple[Any, Any]:
    from assistant.errors import StackwiseError
    from assistant.services import Services, offline_environment
    from assistant.settings import load_settings

    offline_environment()
    services = Services(load_settings())
    try:
        catalogue = services.catalogue
    except StackwiseError as exc:
        raise RuntimeError(
            f"answers eval needs a store built from knowledge/ ({exc}); run `stackwise ingest knowledge/ --store DIR` and set STACKWISE_STORE=DIR"
        ) from exc
    if not catalogue.credentials:
        raise RuntimeError("answers eval: the store holds no credentials; run `stackwise ingest knowledge/ --store DIR` and set STACKWISE_STORE=DIR")
    if services.settings.chat.model:
        print(f"note: a chat model is configured ({services.settings.chat.model}); this eval measures the offline path, which the agent runs first")
    return services.agent, catalogue


def _respond(agent: Any, message: str, state: Any) -> tuple[Any, float]:
    """The reply and its wall time in ms; the process CPU time goes to ``_CPU_MS`` (less sensitive to a busy machine)."""
    started = time.perf_counter()
    cpu_started = time.process_time()
    # With a chat model configured, respond() would add the LLM; this eval measures the offline engine.
    reply = agent._offline(message, state, None) if agent.chat.model else agent.respond(message, state)
    _CPU_MS.append((time.process_time() - cpu_started) * 1000)
    return reply, (time.perf_counter() - started) * 1000


# -- single utterances ---------------------------------------------------------------------


def _run_utterances(agent: Any, names: Names, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from assistant.agent.state import ConversationState

    results = []
    for case in cases:
        state = ConversationState(persona=case["persona"])
        try:
            reply, ms = _respond(agent, case["utterance"], state)
        except Exception as exc:  # an eval reports a crash as a failure, it does not stop
            results.append({"case": case, "error": f"{type(exc).__name__}: {exc}", "ms": 0.0, "intent": "ERROR", "cited": [], "unknown": [], "answer": ""})
            continue
        results.append(
            {
                "case": case,
                "intent": reply.intent,
                "cited": sorted(_cited(reply)),
                "cited_credentials": list(reply.credentials),
                "unknown": names.unknown(reply),
                "answer": reply.answer,
                "ms": ms,
            }
        )
    return results


def _score_utterances(results: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(results)
    intent_ok = sum(1 for r in results if r["intent"] == r["case"]["intent"])
    with_relevant = [r for r in results if r["case"]["relevant"]]
    cites_ok = sum(1 for r in with_relevant if set(r["cited"]) & set(r["case"]["relevant"]))
    oos = [r for r in results if r["case"]["intent"] == "out_of_scope"]
    refused = sum(1 for r in oos if r["intent"] == "out_of_scope" and not r["cited"])
    in_scope = [r for r in results if r["case"]["intent"] != "out_of_scope"]
    wrongly_refused = sum(1 for r in in_scope if r["intent"] == "out_of_scope")
    nothing = [r for r in results if "nothing" in r["case"].get("tags", [])]
    honest = sum(1 for r in nothing if not r.get("cited_credentials") or NOTHING_SAID.search(r["answer"]))
    times = [r["ms"] for r in results if "error" not in r]
    return {
        "utterances": n,
        "intent_accuracy": _rate(intent_ok, n),
        "cites_right_record": _rate(cites_ok, len(with_relevant)),
        "with_relevant": len(with_relevant),
        "names_not_in_store": sum(1 for r in results if r["unknown"]),
        "oos_refused": _rate(refused, len(oos)),
        "oos_cases": len(oos),
        "in_scope_wrongly_refused": wrongly_refused,
        "nothing_honest": _rate(honest, len(nothing)),
        "nothing_cases": len(nothing),
        "errors": sum(1 for r in results if "error" in r),
        "p50_ms": round(statistics.median(times), 1) if times else None,
        "p95_ms": round(_percentile(times, 0.95), 1) if times else None,
    }


def _latency_by_intent(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[float]] = defaultdict(list)
    for r in results:
        if "error" not in r:
            groups[r["intent"]].append(r["ms"])
    return {k: {"n": len(v), "p50_ms": round(statistics.median(v), 1), "p95_ms": round(_percentile(v, 0.95), 1)} for k, v in sorted(groups.items())}


def _utterance_failures(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    failures = []
    for r in results:
        case = r["case"]
        reasons = []
        if "error" in r:
            reasons.append(r["error"])
        if r["intent"] != case["intent"]:
            reasons.append(f"intent: expected {case['intent']}, got {r['intent']}")
        if case["relevant"] and not set(r["cited"]) & set(case["relevant"]):
            reasons.append(f"cites none of {case['relevant'][:4]}{'...' if len(case['relevant']) > 4 else ''}; cited {r['cited'][:5]}")
        if "nothing" in case.get("tags", []) and r.get("cited_credentials") and not NOTHING_SAID.search(r["answer"]):
            reasons.append(f"should say nothing in the catalogue fits; listed {r['cited_credentials'][:3]}")
        reasons += r["unknown"]
        if reasons:
            failures.append({"id": case["id"], "split": case["split"], "persona": case["persona"], "utterance": case["utterance"], "problems": reasons})
    return failures


# -- conversations -------------------------------------------------------------------------


def _check_profile(profile: Any, expected: dict[str, Any]) -> list[str]:
    problems = []
    for field, want in expected.items():
        got = getattr(profile, field, None)
        if field == "budget":
            got_d = got.model_dump(mode="json") if got is not None else None
            if got_d is None or any(
                (abs(float(got_d.get(k) or 0) - float(v)) > 0.5) if k == "amount" else (str(got_d.get(k)).upper() != str(v).upper()) for k, v in want.items()
            ):
                problems.append(f"profile.budget: expected {want}, got {got_d}")
        elif isinstance(want, list):
            have = [str(x.value if hasattr(x, "value") else x) for x in (got or [])]
            if not all(w in have for w in want):
                problems.append(f"profile.{field}: expected to contain {want}, got {have}")
        elif isinstance(want, int | float):
            if got is None or abs(float(got) - float(want)) > 1e-6:
                problems.append(f"profile.{field}: expected {want}, got {got}")
        elif str(got or "").lower() != str(want).lower():
            problems.append(f"profile.{field}: expected {want!r}, got {got!r}")
    return problems


def _check_turn(turn: dict[str, Any], reply: Any, state: Any, previous: Any, catalogue: Any, names: Names) -> list[str]:
    expect = turn.get("expect", {})
    accepted = turn["intent"] if isinstance(turn["intent"], list) else [turn["intent"]]
    problems = []
    if reply.intent not in accepted:
        problems.append(f"intent: expected {'|'.join(accepted)}, got {reply.intent}")
    cited = _cited(reply)
    if "cites_any" in expect and not cited & set(expect["cites_any"]):
        problems.append(f"cites none of {expect['cites_any'][:4]}{'...' if len(expect['cites_any']) > 4 else ''}; cited {sorted(cited)[:5]}")
    if "cites_all" in expect and not set(expect["cites_all"]) <= cited:
        problems.append(f"cites not all of {expect['cites_all']}; cited {sorted(cited)[:5]}")
    if "refers_to" in expect:
        before = list(previous.credentials) if previous is not None else []
        wanted = [before[i] for i in expect["refers_to"] if i < len(before)]
        if len(wanted) < len(expect["refers_to"]):
            problems.append(f"refers_to {expect['refers_to']}: the previous reply named only {len(before)} credential(s)")
        elif not set(wanted) <= cited:
            problems.append(f"refers_to {expect['refers_to']}: expected {wanted}, cited {sorted(cited)[:5]}")
    plan = (reply.data or {}).get("plan")
    if "asks_for" in expect:
        missing = (reply.data or {}).get("missing")
        if missing is None or set(missing) != set(expect["asks_for"]):
            problems.append(f"asks_for: expected {expect['asks_for']}, got {missing}{' (a plan was drafted)' if plan else ''}")
    if expect.get("plan") and not (plan and plan.get("steps")):
        problems.append(
            "plan: expected a drafted plan with steps, got " + ("a plan with no steps" if plan else f"none (missing {(reply.data or {}).get('missing')})")
        )
    if "plan_excludes" in expect and plan:
        inside = [s.get("credential_id") for s in plan.get("steps", []) if s.get("credential_id") in expect["plan_excludes"]]
        if inside:
            problems.append(f"plan includes {inside}, which it should leave out")
    if "profile" in expect:
        problems += _check_profile(state.profile, expect["profile"])
    if expect.get("refused") and (reply.intent != "out_of_scope" or reply.citations):
        problems.append(f"expected a refusal, got {reply.intent}")
    if "only_language" in expect:
        lang = expect["only_language"]
        wrong = [cid for cid in reply.credentials if cid in catalogue.credentials and lang not in (catalogue.credentials[cid].language or [])]
        if wrong:
            problems.append(f"credentials not offered in {lang!r}: {wrong[:4]}")
    problems += names.unknown(reply)
    return problems


def _run_conversations(agent: Any, catalogue: Any, names: Names, conversations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from assistant.agent.state import ConversationState

    results = []
    for conv in conversations:
        state = ConversationState(persona=conv["persona"])
        previous = None
        turns = []
        for n, turn in enumerate(conv["turns"], 1):
            try:
                reply, ms = _respond(agent, turn["user"], state)
                problems = _check_turn(turn, reply, state, previous, catalogue, names)
                got = reply.intent
            except Exception as exc:
                reply, ms, problems, got = None, 0.0, [f"{type(exc).__name__}: {exc}"], "ERROR"
            turns.append({"turn": n, "user": turn["user"], "intent": got, "problems": problems, "ms": ms})
            previous = reply
        results.append({"conversation": conv, "turns": turns})
    return results


def _score_conversations(results: list[dict[str, Any]]) -> dict[str, Any]:
    turns = [t for r in results for t in r["turns"]]
    return {
        "conversations": len(results),
        "turns": len(turns),
        "turn_checks_passed": _rate(sum(1 for t in turns if not t["problems"]), len(turns)),
        "conversations_passed": _rate(sum(1 for r in results if all(not t["problems"] for t in r["turns"])), len(results)),
        "turn_intent_accuracy": _rate(sum(1 for t in turns if not any(p.startswith("intent:") for p in t["problems"])), len(turns)),
        "names_not_in_store": sum(1 for t in turns if any("not in the store" in p or p.startswith("bold name") for p in t["problems"])),
    }


# -- report --------------------------------------------------------------------------------


def _breakdown(results: list[dict[str, Any]], conv_results: list[dict[str, Any]], key: str) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        groups[r["case"][key]].append(r)
    conv_groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in conv_results:
        conv_groups[r["conversation"].get(key, "dev")].append(r)
    out = {}
    for name in sorted(set(groups) | set(conv_groups)):
        scored = _score_utterances(groups[name]) if groups[name] else {}
        scored.update({f"multi_turn_{k}": v for k, v in _score_conversations(conv_groups[name]).items()})
        out[name] = scored
    return out


def _print_table(overall: dict[str, Any], by_split: dict[str, Any], by_persona: dict[str, Any]) -> None:
    columns = [("all", overall), *by_split.items(), *by_persona.items()]
    rows = [
        ("utterances", "utterances", lambda v: f"{v:>6}"),
        ("intent accuracy (>=95%)", "intent_accuracy", _pct),
        ("cites a right record (>=90%)", "cites_right_record", _pct),
        ("names not in store (0)", "names_not_in_store", lambda v: f"{v:>6}"),
        ("out-of-scope refused (>=95%)", "oos_refused", _pct),
        ("in-scope wrongly refused", "in_scope_wrongly_refused", lambda v: f"{v:>6}"),
        ("'nothing' answered honestly", "nothing_honest", _pct),
        ("p50 ms", "p50_ms", lambda v: f"{v:>6}"),
        ("p95 ms (<=150)", "p95_ms", lambda v: f"{v:>6}"),
        ("multi-turn conversations", "multi_turn_conversations", lambda v: f"{v:>6}"),
        ("multi-turn turn checks passed", "multi_turn_turn_checks_passed", _pct),
        ("multi-turn conversations passed", "multi_turn_conversations_passed", _pct),
        ("multi-turn names not in store", "multi_turn_names_not_in_store", lambda v: f"{v:>6}"),
    ]
    width = 32
    print("answers eval (offline agent)".ljust(width) + "".join(name.rjust(10) for name, _ in columns))
    for label, key, fmt in rows:
        cells = []
        for _, data in columns:
            value = data.get(key)
            cells.append(("—" if value is None else fmt(value).strip()).rjust(10))
        print(label.ljust(width) + "".join(cells))


def run() -> dict[str, Any]:
    cases = _load(ANSWERS)
    conversations = _load(CONVERSATIONS)
    agent, catalogue = _build_agent()
    names = Names(catalogue)
    from assistant.agent.state import ConversationState

    label_problems = _check_datasets(cases, conversations, catalogue)
    for problem in label_problems:
        print(f"dataset: {problem}")

    started = time.perf_counter()
    agent.respond(WARM_UP, ConversationState())
    warm_up_s = time.perf_counter() - started

    _CPU_MS.clear()
    results = _run_utterances(agent, names, cases)
    cpu_ms = list(_CPU_MS)
    conv_results = _run_conversations(agent, catalogue, names, conversations)

    overall = _score_utterances(results)
    overall.update({f"multi_turn_{k}": v for k, v in _score_conversations(conv_results).items()})
    by_split = _breakdown(results, conv_results, "split")
    by_persona = _breakdown(results, conv_results, "persona")
    confusion = Counter((r["case"]["intent"], r["intent"]) for r in results if r["case"]["intent"] != r["intent"])
    failures = _utterance_failures(results)
    latency = _latency_by_intent(results)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    conv_failures = [
        {
            "id": r["conversation"]["id"],
            "split": r["conversation"].get("split", "dev"),
            "persona": r["conversation"]["persona"],
            "turn": t["turn"],
            "utterance": t["user"],
            "problems": t["problems"],
        }
        for r in conv_results
        for t in r["turns"]
        if t["problems"]
    ]
    meets = {
        "intent_accuracy": (overall["intent_accuracy"] or 0) >= GOALS["intent_accuracy"],
        "cites_right_record": (overall["cites_right_record"] or 0) >= GOALS["cites_right_record"],
        "names_not_in_store": overall["names_not_in_store"] + overall["multi_turn_names_not_in_store"] == 0,
        "oos_refused": (overall["oos_refused"] or 0) >= GOALS["oos_refused"],
        "p95_ms": (overall["p95_ms"] or 1e9) <= GOALS["p95_ms"],
    }

    _print_table(overall, by_split, by_persona)
    print("\nlatency by answered intent (p50 / p95 ms): " + "; ".join(f"{k} {v['p50_ms']:.0f}/{v['p95_ms']:.0f} (n={v['n']})" for k, v in latency.items()))
    if cpu_ms:
        print(
            f"process CPU time per utterance: p50 {statistics.median(cpu_ms):.0f} ms, p95 {_percentile(cpu_ms, 0.95):.0f} ms (all threads; wall time above includes waiting for a busy CPU)"
        )
    if load is not None:
        print(f"machine load average (1 min) at the end: {load:.1f} on {os.cpu_count()} CPUs — latency is only comparable at similar load")
    if confusion:
        print("\nintent confusions (expected -> got: count): " + "; ".join(f"{e} -> {g}: {n}" for (e, g), n in confusion.most_common()))
    shown = (failures + conv_failures)[:MAX_FAILURES_SHOWN]
    print(
        f"\nfailures: {len(failures)} utterances, {len(conv_failures)} conversation turns"
        + (f" (first {len(shown)})" if len(shown) < len(failures) + len(conv_failures) else "")
    )
    for f in shown:
        where = f"{f['id']}" + (f"#{f['turn']}" if "turn" in f else "")
        print(f"- [{f['split']}/{f['persona']}] {where}: “{f['utterance']}”")
        for problem in f["problems"]:
            print(f"    {problem}")
    print(
        f"\ngoals met: {', '.join(k for k, v in meets.items() if v) or 'none'}; not met: {', '.join(k for k, v in meets.items() if not v) or 'none'} (warm-up {warm_up_s:.1f} s)"
    )

    return {
        **overall,
        "goals": GOALS,
        "goals_met": meets,
        "by_split": by_split,
        "by_persona": by_persona,
        "intent_confusions": {f"{e}->{g}": n for (e, g), n in confusion.most_common()},
        "failures": failures,
        "conversation_failures": conv_failures,
        "dataset_problems": label_problems,
        "latency_by_intent": latency,
        "cpu_p50_ms": round(statistics.median(cpu_ms), 1) if cpu_ms else None,
        "cpu_p95_ms": round(_percentile(cpu_ms, 0.95), 1) if cpu_ms else None,
        "load_average_1m": round(load, 2) if load is not None else None,
        "cpus": os.cpu_count(),
        "warm_up_s": round(warm_up_s, 2),
    }


if __name__ == "__main__":
    run()
