"""Plan quality: hard constraints in every plan, optimality against brute force, coverage, latency.

- Constraint satisfaction: every plan for the profiles in ``datasets/plans.jsonl`` is checked,
  independently of the planner's code, against budget, hours a week at every week, deadline,
  delivery, language, region, prerequisite ordering, nothing already held, and the published
  workload and duration — on the shipped knowledge and on a synthetic 10,000-credential catalogue.
- Optimality: on random small catalogues every subset of credentials is enumerated (with an
  exhaustive schedule search for each) and the best objective tuple is compared with the plan's.
- Latency: p50/p95 of ``plan_stackable_path`` on the shipped knowledge and on the synthetic catalogue.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

from assistant.catalogue import Catalogue
from assistant.currency import RateTable
from assistant.gap import UnknownOccupationError
from assistant.models import Cost, Credential, Delivery, LearnerProfile, Occupation, OccupationSkill, Pace, Skill, StackLink
from assistant.planner import plan_stackable_path
from assistant.retrieval import cost_in
from assistant.settings import PlannerSettings
from evals.synthetic import generate_catalogue, load_shipped

DATASET = Path(__file__).resolve().parent / "datasets" / "plans.jsonl"
SYNTHETIC_SIZE = 10_000
BRUTE_FORCE_INSTANCES = 40
CREDIT_RELATIONS = {"stacks-into", "advanced-standing", "part-of"}
ALTERNATIVE_SHARE = 0.8


def load_cases() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]


def check_plan(plan: dict[str, Any], profile: LearnerProfile, catalogue: Catalogue) -> list[str]:
    """Every hard constraint the plan breaks, recomputed from the catalogue (empty when none)."""
    problems: list[str] = []
    steps = plan["steps"]
    by_id = {s["credential_id"]: s for s in steps}
    if len(by_id) != len(steps):
        problems.append("a credential appears twice")
    held = set(profile.held_credentials)
    total = 0.0
    for step in steps:
        cid = step["credential_id"]
        cred = catalogue.credentials.get(cid)
        if cred is None:
            problems.append(f"{cid}: not in the catalogue")
            continue
        weeks = step["end_week"] - step["start_week"] + 1
        if cid in held:
            problems.append(f"{cid}: already held")
        if profile.delivery and cred.delivery not in profile.delivery:
            problems.append(f"{cid}: delivery {cred.delivery}")
        if profile.language and not set(cred.language) & set(profile.language):
            problems.append(f"{cid}: language {cred.language}")
        if cred.location_bound and (not profile.region or profile.region.casefold() not in {v.casefold() for v in (cred.country, cred.region) if v}):
            problems.append(f"{cid}: location-bound to {cred.country}/{cred.region}")
        if step["start_week"] < 1 or weeks < 1:
            problems.append(f"{cid}: bad weeks {step['start_week']}-{step['end_week']}")
        if profile.deadline_weeks is not None and step["end_week"] > profile.deadline_weeks:
            problems.append(f"{cid}: ends week {step['end_week']} after deadline {profile.deadline_weeks}")
        if cred.duration_weeks and weeks < math.ceil(cred.duration_weeks - 1e-9):
            problems.append(f"{cid}: {weeks} weeks < published {cred.duration_weeks}")
        if cred.workload_hours and abs(step["hours"] - cred.workload_hours) > 0.5:
            problems.append(f"{cid}: {step['hours']} h != published {cred.workload_hours}")
        if cred.workload_hours is None and cred.duration_weeks is None:
            problems.append(f"{cid}: scheduled without workload or duration")
        if step["hours_per_week"] * weeks < step["hours"] - 0.5:
            problems.append(f"{cid}: {step['hours_per_week']} h/week x {weeks} weeks < {step['hours']} h")
        for pre in cred.prerequisites:
            if pre not in held and (pre not in by_id or by_id[pre]["end_week"] >= step["start_week"]):
                problems.append(f"{cid}: prerequisite {pre} not held nor completed before week {step['start_week']}")
        if profile.budget is not None:
            price = cost_in(cred, profile.budget.currency, catalogue)
            shown = step["cost"].get("amount")
            if price is None or shown is None:
                problems.append(f"{cid}: price unknown under a budget")
            elif shown < price - 0.01:  # a plan may count more (a subscription over more months), never less
                problems.append(f"{cid}: shown cost {shown} below the published {price:.2f}")
            else:
                total += shown
    if profile.budget is not None and total > profile.budget.amount + 0.01:
        problems.append(f"total {total:.2f} > budget {profile.budget.amount}")
    if profile.hours_per_week is not None:
        for week in range(1, max((s["end_week"] for s in steps), default=0) + 1):
            load = sum(s["hours_per_week"] for s in steps if s["start_week"] <= week <= s["end_week"])
            if load > profile.hours_per_week + 1e-6:
                problems.append(f"week {week}: {load:.2f} h > {profile.hours_per_week}")
                break
    return problems


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    if not ordered:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "max_ms": 0.0, "n": 0}
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1), "max_ms": round(ordered[-1] * 1000, 1), "n": len(ordered)}


def evaluate_catalogue(catalogue: Catalogue, cases: list[dict[str, Any]], settings: PlannerSettings, repeats: int) -> dict[str, Any]:
    """Plan every case; check constraints and expectations; time each plan."""
    timings: list[float] = []
    cpu: list[float] = []
    violations: dict[str, list[str]] = {}
    coverages: list[float] = []
    by_category: dict[str, list[float]] = {}
    feasible = optimal = target_ok = unknown_target = 0
    for case in cases:
        profile = LearnerProfile.model_validate(case["profile"])
        try:
            for _ in range(repeats):
                started, started_cpu = time.perf_counter(), time.process_time()
                plan = plan_stackable_path(profile, catalogue, settings).as_json()
                timings.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
        except UnknownOccupationError:
            unknown_target += 1
            continue
        problems = check_plan(plan, profile, catalogue)
        if problems:
            violations[case["id"]] = problems
        feasible += plan["feasible"]
        optimal += plan["optimal"]
        coverages.append(plan["coverage"])
        by_category.setdefault(case["category"], []).append(plan["coverage"])
        expected = case.get("expect", {}).get("target_id")
        target_ok += expected is None or plan["target"]["id"] == expected
    planned = len(coverages)
    return {
        "profiles": len(cases),
        "planned": planned,
        "unknown_target": unknown_target,
        "constraint_satisfaction": round((planned - len(violations)) / max(1, planned), 4),
        "violations": violations,
        "feasible_share": round(feasible / max(1, planned), 3),
        "optimal_share": round(optimal / max(1, planned), 3),
        "target_resolution": round(target_ok / max(1, planned), 3),
        "mean_coverage": round(statistics.fmean(coverages), 3) if coverages else 0.0,
        "coverage_by_category": {k: round(statistics.fmean(v), 3) for k, v in sorted(by_category.items())},
        "latency": _percentiles(timings),
        "cpu": _percentiles(cpu),  # the solver runs one worker: CPU time is the wall time of an idle machine
    }


# --- brute force on small random catalogues -------------------------------------------------


def random_instance(rng: random.Random, seed: int) -> tuple[Catalogue, LearnerProfile]:
    n_skills = rng.randint(3, 6)
    skills = [Skill(id=f"s{i}", label=f"Skill {i}") for i in range(n_skills)]
    occupation = Occupation(
        id="target-job",
        title="Target job",
        skills=[OccupationSkill(skill=s.id, importance=round(rng.uniform(0.2, 1.0), 2)) for s in skills],
        source="random",
    )
    creds: list[Credential] = []
    target = Credential(id="big-degree", title="Big degree", type="master-degree", provider="P", source="random", ects=60, skills=[])
    for n in range(rng.randint(5, 9)):
        workload = rng.choice([None, 10, 20, 30, 40, 60])
        duration = rng.choice([None, 1, 2, 3, 4, 6]) if workload else rng.choice([None, 2, 3])
        currency = rng.choice(["EUR", "EUR", "USD"])
        cred = Credential(
            id=f"c{seed}-{n}",
            title=f"Credential {n}",
            type="course",
            provider="P",
            source="random",
            skills=rng.sample([s.id for s in skills], k=rng.randint(1, min(3, n_skills))),
            workload_hours=workload,
            duration_weeks=duration,
            pace=rng.choice([Pace.SELF_PACED, Pace.COHORT]),
            delivery=rng.choice([Delivery.ONLINE, Delivery.ONLINE, Delivery.BLENDED, Delivery.IN_PERSON]),
            language=[rng.choice(["en", "en", "de"])],
            location_bound=rng.random() < 0.15,
            country=rng.choice(["IE", "DE"]),
            cost=None if rng.random() < 0.1 else Cost(amount=rng.choice([0, 50, 120, 200, 350, 500]), currency=currency, as_of=date(2026, 1, 1)),
        )
        if creds and rng.random() < 0.3:
            cred.prerequisites = [rng.choice(creds).id]
        if rng.random() < 0.35:
            cred.stacks_into = [StackLink(target=target.id, credit=rng.choice([None, 5, 10]), credit_unit="ECTS")]
        creds.append(cred)
    rates = RateTable(as_of=date(2026, 1, 1), source="random", per_eur={"USD": 1.1})
    catalogue = Catalogue.from_records([*skills, occupation, target, *creds], rates)
    profile = LearnerProfile(
        skills=[skills[0].id] if rng.random() < 0.5 else [],
        held_credentials=[creds[0].id] if rng.random() < 0.2 else [],
        target="target-job",
        budget={"amount": rng.choice([200, 400, 700, 1200]), "currency": rng.choice(["EUR", "USD"])},
        hours_per_week=rng.choice([4, 6, 8, 12]),
        deadline_weeks=rng.randint(4, 12),
        region=rng.choice(["IE", "DE", None]),
        language=rng.choice([["en"], [], ["de"]]),
        delivery=rng.choice([[], ["online"], ["online", "blended"]]),
    )
    return catalogue, profile


def _shape(cred: Credential, hours: float) -> tuple[int, float] | None:
    """(weeks, hours a week) by the documented rules, re-derived here independently."""
    if cred.workload_hours and cred.duration_weeks:
        weeks, weekly = math.ceil(cred.duration_weeks), cred.workload_hours / cred.duration_weeks
        if cred.pace == Pace.SELF_PACED and weekly > hours:
            weeks = math.ceil(cred.workload_hours / hours)
            weekly = cred.workload_hours / weeks
        return weeks, weekly
    if cred.workload_hours:
        weeks = math.ceil(cred.workload_hours / hours)
        return weeks, cred.workload_hours / weeks
    if cred.duration_weeks:
        return math.ceil(cred.duration_weeks), hours
    return None


def _min_makespan(items: list[tuple[str, int, int, list[str]]], capacity: int, horizon: int) -> int | None:
    """Exhaustive schedule search: least makespan with weekly capacity and prerequisite order."""
    order: list[tuple[str, int, int, list[str]]] = []
    pending = list(items)
    while pending:  # topological order (prerequisites are within the subset)
        ready = [i for i in pending if all(p in {o[0] for o in order} for p in i[3])]
        order.append(ready[0])
        pending.remove(ready[0])
    best: list[int | None] = [None]
    usage = [0] * (horizon + 1)
    ends: dict[str, int] = {}

    def place(k: int, makespan: int) -> None:
        if best[0] is not None and makespan >= best[0]:
            return
        if k == len(order):
            best[0] = makespan
            return
        cid, weeks, demand, pres = order[k]
        earliest = max([ends[p] for p in pres], default=0)
        for start in range(earliest, horizon - weeks + 1):
            if all(usage[w] + demand <= capacity for w in range(start, start + weeks)):
                for w in range(start, start + weeks):
                    usage[w] += demand
                ends[cid] = start + weeks
                place(k + 1, max(makespan, start + weeks))
                for w in range(start, start + weeks):
                    usage[w] -= demand
                del ends[cid]

    place(0, 0)
    return best[0]


def brute_force(catalogue: Catalogue, profile: LearnerProfile) -> dict[str, tuple[int, int, int, int]]:
    """Best (coverage, stack, cost, weeks) per objective over every feasible, irredundant subset."""
    occupation = catalogue.occupations["target-job"]
    have = set(profile.skills)
    for held in profile.held_credentials:
        have |= set(catalogue.credentials[held].skills)
    weights = {s.skill: max(1, round(s.importance * 1000)) for s in occupation.skills if s.skill not in have}
    assert profile.budget is not None and profile.hours_per_week is not None and profile.deadline_weeks is not None
    budget_cents = math.floor(round(profile.budget.amount * 100, 6))
    capacity = math.floor(round(profile.hours_per_week * 10, 6))
    info: dict[str, dict[str, Any]] = {}
    for cred in catalogue.credentials.values():
        if cred.id in profile.held_credentials or not cred.skills:
            continue
        shape = _shape(cred, profile.hours_per_week)
        price = cost_in(cred, profile.budget.currency, catalogue)
        ok = shape is not None and price is not None
        ok = ok and (not profile.delivery or cred.delivery in profile.delivery) and (not profile.language or bool(set(cred.language) & set(profile.language)))
        ok = ok and (not cred.location_bound or (profile.region or "").casefold() in {(cred.country or "").casefold()})
        if not ok or shape is None or price is None:
            continue
        demand = math.ceil(round(shape[1] * 10, 6))
        cents = math.ceil(round(price * 100, 6))
        if demand > capacity or shape[0] > profile.deadline_weeks or cents > budget_cents:
            continue
        stacks = any(link.relation in CREDIT_RELATIONS and link.target in catalogue.credentials for link in cred.stacks_into)
        info[cred.id] = {
            "weeks": shape[0],
            "demand": demand,
            "cents": cents,
            "units": math.ceil(cents / 100),
            "gap": {s for s in cred.skills if s in weights},
            "stack": int(stacks),
        }
    pres = {cid: [p for p in catalogue.credentials[cid].prerequisites if p not in profile.held_credentials] for cid in info}
    feasible: list[tuple[int, int, int, int]] = [(0, 0, 0, 0)]
    ids = sorted(info)
    for size in range(1, len(ids) + 1):
        for subset in itertools.combinations(ids, size):
            chosen = set(subset)
            if any(p not in chosen for c in subset for p in pres[c]):
                continue
            if sum(info[c]["cents"] for c in subset) > budget_cents:
                continue
            redundant = False
            for c in subset:
                unique = any(all(s not in info[o]["gap"] for o in subset if o != c) for s in info[c]["gap"])
                if not unique and not any(c in pres[o] for o in subset):
                    redundant = True
                    break
            if redundant:
                continue
            makespan = _min_makespan([(c, info[c]["weeks"], info[c]["demand"], pres[c]) for c in subset], capacity, profile.deadline_weeks)
            if makespan is None:
                continue
            covered = set().union(*(info[c]["gap"] for c in subset))
            feasible.append((sum(weights[s] for s in covered), sum(info[c]["stack"] for c in subset), sum(info[c]["units"] for c in subset), makespan))
    best_cov = max(f[0] for f in feasible)
    floor = math.ceil(best_cov * ALTERNATIVE_SHARE - 1e-9)
    keep = [f for f in feasible if f[0] >= floor]
    return {
        "balanced": max(feasible, key=lambda f: (f[0], f[1], -f[2], -f[3])),
        "cheapest": min(keep, key=lambda f: (f[2], f[3], -f[0], -f[1])),
        "fastest": min(keep, key=lambda f: (f[3], f[2], -f[0], -f[1])),
        "most-stackable": max(keep, key=lambda f: (f[1], f[0], -f[2], -f[3])),
    }


def plan_tuple(plan: dict[str, Any], catalogue: Catalogue, profile: LearnerProfile) -> tuple[int, int, int, int]:
    weights = {g["skill"]: max(1, round(g["importance"] * 1000)) for g in plan["gap"]}
    covered = {s for step in plan["steps"] for s in catalogue.credentials[step["credential_id"]].skills if s in weights}
    stack = sum(
        any(link.relation in CREDIT_RELATIONS and link.target in catalogue.credentials for link in catalogue.credentials[s["credential_id"]].stacks_into)
        for s in plan["steps"]
    )
    assert profile.budget is not None
    units = sum(
        math.ceil(math.ceil(round((cost_in(catalogue.credentials[s["credential_id"]], profile.budget.currency, catalogue) or 0) * 100, 6)) / 100)
        for s in plan["steps"]
    )
    return sum(weights[s] for s in covered), stack, units, plan["total_weeks"]


def evaluate_brute_force(settings: PlannerSettings, instances: int) -> dict[str, Any]:
    rng = random.Random(20261125)
    agree = total = violations = 0
    disagreements: list[dict[str, Any]] = []
    for seed in range(instances):
        catalogue, profile = random_instance(rng, seed)
        best = brute_force(catalogue, profile)
        for objective, expected in best.items():
            plan = plan_stackable_path(profile, catalogue, settings, objective).as_json()  # type: ignore[arg-type]
            violations += bool(check_plan(plan, profile, catalogue))
            got = plan_tuple(plan, catalogue, profile)
            total += 1
            if got == expected:
                agree += 1
            else:
                disagreements.append({"instance": seed, "objective": objective, "planner": got, "brute_force": expected, "optimal": plan["optimal"]})
    return {
        "instances": instances,
        "plans": total,
        "agreement": round(agree / max(1, total), 4),
        "constraint_violations": violations,
        "disagreements": disagreements[:10],
    }


def shipped_catalogue() -> tuple[Catalogue, str]:
    """The store named by STACKWISE_STORE (``stackwise eval --store DIR``) when set, else knowledge/ read directly."""
    if os.environ.get("STACKWISE_STORE"):
        from assistant.catalogue import load_catalogue
        from assistant.settings import load_settings
        from assistant.store import open_store

        settings = load_settings()
        return load_catalogue(open_store(settings.storage)), f"store {settings.storage.path}"
    records, rates = load_shipped()
    return Catalogue.from_records(records, rates), "knowledge/ (read directly)"


def run() -> dict[str, Any]:
    settings = PlannerSettings()
    cases = load_cases()
    shipped, source = shipped_catalogue()
    rates = shipped.rates
    result: dict[str, Any] = {"shipped": evaluate_catalogue(shipped, cases, settings, repeats=3)}
    result["shipped"]["catalogue"] = source
    synthetic_records = generate_catalogue(SYNTHETIC_SIZE, seed=1)
    synthetic = Catalogue.from_records(synthetic_records, rates)
    synthetic_cases = [{**c, "profile": {**c["profile"], "held_credentials": []}} for c in cases]
    result["synthetic_10k"] = evaluate_catalogue(synthetic, synthetic_cases, settings, repeats=1)
    result["brute_force"] = evaluate_brute_force(settings, BRUTE_FORCE_INSTANCES)
    retail = next((c for c in cases if c["id"] == "retail-manager-data-analyst"), None)
    if retail is not None:
        plan = plan_stackable_path(LearnerProfile.model_validate(retail["profile"]), shipped, settings).as_json()
        result["retail_manager"] = {k: plan[k] for k in ("feasible", "optimal", "coverage", "total_weeks", "total_cost")} | {
            "steps": [s["credential_id"] for s in plan["steps"]]
        }
    _print(result)
    return result


def _print(result: dict[str, Any]) -> None:
    print(f"{'catalogue':<14}{'profiles':>9}{'constraints':>13}{'feasible':>10}{'optimal':>9}{'coverage':>10}{'p50 ms':>9}{'p95 ms':>9}{'cpu p95':>9}")
    for name in ("shipped", "synthetic_10k"):
        r = result[name]
        print(
            f"{name:<14}{r['planned']:>9}{r['constraint_satisfaction']:>13.1%}{r['feasible_share']:>10.1%}{r['optimal_share']:>9.1%}"
            f"{r['mean_coverage']:>10.2f}{r['latency']['p50_ms']:>9.0f}{r['latency']['p95_ms']:>9.0f}{r['cpu']['p95_ms']:>9.0f}"
        )
        for case, problems in list(r["violations"].items())[:5]:
            print(f"  violation {case}: {problems[:3]}")
    bf = result["brute_force"]
    print(
        f"brute force: {bf['agreement']:.1%} agreement over {bf['plans']} plans on {bf['instances']} random catalogues; {bf['constraint_violations']} with violations"
    )
    for d in bf["disagreements"][:5]:
        print(f"  disagreement {d}")
    if "retail_manager" in result:
        print(f"retail manager -> data analyst: {result['retail_manager']}")
