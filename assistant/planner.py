"""Stackable learning plans: the credentials that close a learner's skill gap, in order, within their limits.

``plan_stackable_path`` analyses the gap (:mod:`assistant.gap`), pre-selects candidate
credentials, and asks CP-SAT for the plan that is best for the chosen objective under every
hard constraint: budget (converted with the catalogue's dated rates), hours a week at every
week, deadline, delivery, language, region for location-bound credentials, prerequisites
scheduled first, nothing already held. When the plan leaves part of the gap open it says which
constraint binds and the smallest relaxation that would close more, found by re-solving.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.catalogue import Catalogue
from assistant.gap import SkillGap, analyse_gap
from assistant.models import LearnerProfile
from assistant.planning._candidates import Candidate, Exclusion
from assistant.planning._context import ALTERNATIVE_COVERAGE_SHARE, Outcome, PlanningContext
from assistant.planning._model import ORDERS
from assistant.planning._present import citations, credits_earned, labour_market, stacks, step_cost, total_cost
from assistant.planning._relax import find_relaxations
from assistant.settings import PlannerSettings

Objective = Literal["balanced", "cheapest", "fastest", "most-stackable"]
OBJECTIVES: tuple[Objective, ...] = ("balanced", "cheapest", "fastest", "most-stackable")

_SHARE = f"{ALTERNATIVE_COVERAGE_SHARE:.0%}"
OBJECTIVE_SENTENCES: dict[str, str] = {
    "balanced": "Maximise the importance-weighted share of the skill gap closed; then prefer credentials that earn credit toward a larger qualification; then lower total cost; then fewer weeks.",
    "cheapest": f"Lowest total cost among plans closing at least {_SHARE} of the best achievable gap coverage; then fewer weeks; then more coverage; then stacking.",
    "fastest": f"Fewest weeks among plans closing at least {_SHARE} of the best achievable gap coverage; then lower cost; then more coverage; then stacking.",
    "most-stackable": f"Most credentials earning credit toward a larger qualification among plans closing at least {_SHARE} of the best achievable gap coverage; then coverage; then cost; then weeks.",
}


@dataclass
class PlanStep:
    credential_id: str
    title: str
    provider: str
    start_week: int  # 1-based, inclusive
    end_week: int  # inclusive
    hours: float
    hours_per_week: float
    cost: dict[str, Any]
    skills: list[str]
    skill_labels: list[str]
    prerequisites: list[str]
    why: str
    schedule_note: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "credential_id": self.credential_id,
            "title": self.title,
            "provider": self.provider,
            "start_week": self.start_week,
            "end_week": self.end_week,
            "hours": round(self.hours, 1),
            "hours_per_week": round(self.hours_per_week, 2),
            "cost": self.cost,
            "skills": self.skills,
            "skill_labels": self.skill_labels,
            "prerequisites": self.prerequisites,
            "why": self.why,
            "schedule_note": self.schedule_note,
        }


@dataclass
class Plan:
    """A stackable learning plan and everything needed to explain and check it."""

    objective: str
    gap: SkillGap
    steps: list[PlanStep] = field(default_factory=list)
    total_cost: dict[str, Any] = field(default_factory=dict)
    total_weeks: int = 0
    total_hours: float = 0.0
    credits: dict[str, Any] = field(default_factory=dict)
    coverage: float = 0.0
    covered_skills: list[str] = field(default_factory=list)
    missing_skills: list[dict[str, Any]] = field(default_factory=list)
    stacks_into: list[dict[str, Any]] = field(default_factory=list)
    feasible: bool = False
    optimal: bool = False
    solver_status: str = ""
    explanation: str = ""
    labour_market: dict[str, Any] = field(default_factory=dict)
    citations: list[dict[str, Any]] = field(default_factory=list)
    binding_constraints: list[dict[str, Any]] = field(default_factory=list)
    relaxations: list[dict[str, Any]] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    candidates: int = 0
    limits: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """The ``plan --json`` contract of DESIGN.md, with extra keys."""
        occupation = self.gap.occupation
        return {
            "target": {"id": occupation.id, "title": occupation.title, "matched_by": self.gap.matched_by},
            "steps": [s.as_json() for s in self.steps],
            "total_cost": self.total_cost,
            "total_weeks": self.total_weeks,
            "total_hours": round(self.total_hours, 1),
            "credits": self.credits,
            "coverage": round(self.coverage, 3),
            "readiness_after": round(self._readiness_after(), 3),
            "covered_skills": self.covered_skills,
            "missing_skills": self.missing_skills,
            "transferable_skills": [n.as_json() for n in self.gap.transferable],
            "gap": [n.as_json() for n in self.gap.gap],
            "unmatched_skills": self.gap.unmatched_skills,
            "stacks_into": self.stacks_into,
            "feasible": self.feasible,
            "optimal": self.optimal,
            "solver_status": self.solver_status,
            "objective": OBJECTIVE_SENTENCES[self.objective],
            "objective_name": self.objective,
            "explanation": self.explanation,
            "labour_market": self.labour_market,
            "citations": self.citations,
            "binding_constraints": self.binding_constraints,
            "relaxations": self.relaxations,
            "excluded": [e.as_json() for e in self.excluded],
            "assumptions": self.assumptions,
            "limits": self.limits,
            "candidates_considered": self.candidates,
            "solve_ms": round(self.seconds * 1000, 1),
        }

    def _readiness_after(self) -> float:
        have = sum(n.importance for n in self.gap.transferable)
        total = have + self.gap.gap_weight
        covered = set(self.covered_skills)
        return 1.0 if total == 0 else (have + sum(n.importance for n in self.gap.gap if n.skill in covered)) / total


def plan_stackable_path(profile: LearnerProfile, catalogue: Catalogue, settings: PlannerSettings, objective: Objective = "balanced") -> Plan:
    """The best stackable plan for ``profile`` toward its target occupation.

    Args:
        profile: the learner (target, skills, held credentials, limits, preferences).
        catalogue: credentials, occupations, skills and the dated rate table.
        settings: solver time limit and candidate cap.
        objective: balanced (coverage, stacking, cost, weeks), cheapest, fastest or most-stackable.

    Returns:
        The plan; ``feasible`` is False when no credential within the limits closes any of the gap.

    Raises:
        UnknownOccupationError: the target matches no occupation (with suggestions).
    """
    if objective not in ORDERS:
        from assistant.errors import InputError

        raise InputError(f"Unknown objective {objective!r} — use one of {', '.join(OBJECTIVES)}.")
    started = time.perf_counter()
    ctx = PlanningContext(profile, catalogue, analyse_gap(profile, catalogue), settings)
    outcome = ctx.run(objective=objective)
    plan = _build(ctx, outcome, objective)
    plan.seconds = time.perf_counter() - started
    return plan


def plan_alternatives(profile: LearnerProfile, catalogue: Catalogue, settings: PlannerSettings) -> dict[str, Plan]:
    """One plan per objective, sharing the gap analysis and the balanced plan's best coverage."""
    started = time.perf_counter()
    ctx = PlanningContext(profile, catalogue, analyse_gap(profile, catalogue), settings)
    balanced = ctx.run(objective="balanced")
    plans = {"balanced": _build(ctx, balanced, "balanced")}
    best = balanced.solution.values.get("coverage", 0) if balanced.solution.optimal else None
    for objective in OBJECTIVES[1:]:
        plans[objective] = _build(ctx, ctx.run(objective=objective, best_coverage=best), objective)
    elapsed = time.perf_counter() - started
    for plan in plans.values():
        plan.seconds = elapsed
    return plans


def _build(ctx: PlanningContext, outcome: Outcome, objective: str) -> Plan:
    catalogue, gap, limits = ctx.catalogue, ctx.gap, ctx.limits
    solution = outcome.solution
    by_id: dict[str, Candidate] = {c.id: c for c in outcome.pool.candidates}
    chosen = sorted(solution.starts, key=lambda cid: (solution.starts[cid], by_id[cid].credential.title))
    labels = {n.skill: n.label for n in gap.gap}
    importance = ctx.importance
    required_by: dict[str, list[str]] = {}
    for cid in chosen:
        for pre in by_id[cid].prerequisites:
            required_by.setdefault(pre, []).append(by_id[cid].credential.title)

    plan = Plan(objective=objective, gap=gap, assumptions=list(ctx.assumptions), candidates=len(outcome.pool.candidates))
    plan.limits = {
        "budget": None if limits.budget_cents is None else {"amount": limits.budget_cents / 100, "currency": limits.currency},
        "hours_per_week": None if limits.capacity_tenths is None else limits.capacity_tenths / 10,
        "deadline_weeks": limits.deadline_weeks,
        "delivery": [d.value for d in ctx.profile.delivery],
        "language": list(ctx.profile.language),
        "region": ctx.profile.region,
    }
    costs = []
    for cid in chosen:
        cand = by_id[cid]
        cred = cand.credential
        cost = step_cost(cred, cand.weeks, limits.currency, catalogue)
        costs.append(cost)
        taught = list(cand.gap_skills)
        plan.steps.append(
            PlanStep(
                credential_id=cid,
                title=cred.title,
                provider=cred.provider,
                start_week=solution.starts[cid] + 1,
                end_week=solution.starts[cid] + cand.weeks,
                hours=cand.total_hours,
                hours_per_week=cand.weekly_hours,
                cost=cost,
                skills=taught,
                skill_labels=[labels.get(s, s) for s in taught],
                prerequisites=list(cand.prerequisites),
                why=_why(cand, labels, importance, required_by.get(cid, []), catalogue),
                schedule_note=cand.schedule_note,
            )
        )
    plan.total_cost = total_cost(costs, limits.currency, catalogue)
    plan.total_weeks = max((s.end_week for s in plan.steps), default=0)
    plan.total_hours = sum(s.hours for s in plan.steps)
    plan.credits = credits_earned([by_id[c].credential for c in chosen])
    covered = {s for cid in chosen for s in by_id[cid].gap_skills}
    plan.covered_skills = [n.skill for n in gap.gap if n.skill in covered]
    plan.coverage = 1.0 if not gap.gap else sum(n.importance for n in gap.gap if n.skill in covered) / gap.gap_weight
    plan.missing_skills = _missing(ctx, outcome, covered)
    plan.stacks_into = stacks(chosen, list(ctx.profile.held_credentials), catalogue)
    plan.feasible = solution.feasible and (not gap.gap or bool(covered))
    plan.optimal = solution.optimal
    plan.solver_status = solution.status
    plan.excluded = outcome.pool.exclusions
    if outcome.pool.capped:
        plan.assumptions.append(
            f"{outcome.pool.considered} credentials teach a gap skill; the best {len(outcome.pool.candidates)} were given to the solver, so 'optimal' is among those"
        )
    if gap.gap and plan.coverage < 1.0 - 1e-9 and objective == "balanced":
        plan.binding_constraints, plan.relaxations = find_relaxations(ctx, outcome)
    plan.labour_market = labour_market(gap.occupation, catalogue)
    held_used = [c for c in ctx.profile.held_credentials if c in catalogue.credentials]
    rates_used = any("converted_with" in c for c in costs)
    related = [catalogue.occupations[r["occupation"]] for r in plan.labour_market["related"]]
    plan.citations = citations(gap.occupation, [*chosen, *(s["target"] for s in plan.stacks_into), *held_used], catalogue, rates_used, related)
    plan.explanation = _explain(ctx, plan)
    return plan


def _why(cand: Candidate, labels: dict[str, str], importance: dict[str, float], required_by: list[str], catalogue: Catalogue) -> str:
    parts = []
    if cand.gap_skills:
        parts.append("closes " + ", ".join(f"{labels.get(s, s)} (importance {importance.get(s, 0):.2f})" for s in cand.gap_skills))
    if required_by:
        parts.append("prerequisite of " + ", ".join(required_by))
    if cand.stack_targets:
        parts.append("earns credit toward " + ", ".join(catalogue.credentials[t].title for t in cand.stack_targets))
    return "; ".join(parts) or "selected by the solver"


def _missing(ctx: PlanningContext, outcome: Outcome, covered: set[str]) -> list[dict[str, Any]]:
    out = []
    for need in ctx.gap.gap:
        if need.skill in covered:
            continue
        excluded = [e for e in outcome.pool.exclusions if need.skill in e.gap_skills]
        in_pool = any(need.skill in c.gap_skills for c in outcome.pool.candidates)
        if in_pool:
            reason = "credentials teaching it did not fit alongside the plan within your limits"
        elif excluded:
            kinds = sorted({e.reason for e in excluded})
            reason = f"every credential teaching it is excluded ({', '.join(kinds)})"
        else:
            reason = "no credential in the catalogue teaches it"
        out.append({"skill": need.skill, "label": need.label, "importance": round(need.importance, 3), "reason": reason})
    return out


def _explain(ctx: PlanningContext, plan: Plan) -> str:
    gap, occupation = ctx.gap, ctx.gap.occupation
    lines = [f"Target: {occupation.title} ({occupation.id}, matched by {gap.matched_by})."]
    if gap.transferable:
        lines.append("You already bring " + ", ".join(f"{n.label} ({n.source})" for n in gap.transferable[:8]) + " — transferable skills.")
    if not gap.gap:
        lines.append("Your skills already cover everything this occupation lists; no plan is needed.")
        return " ".join(lines)
    lines.append(f"Skill gap: {len(gap.gap)} skills (" + ", ".join(n.label for n in gap.gap[:8]) + ("…" if len(gap.gap) > 8 else "") + ").")
    if not plan.steps and plan.solver_status in {"UNKNOWN", "MODEL_INVALID"}:
        lines.append(
            f"The solver found no plan within its time limit ({ctx.settings.time_limit_s:g} s; solver status {plan.solver_status}) — raise STACKWISE_PLANNER__TIME_LIMIT_S."
        )
    elif not plan.steps:
        lines.append("No credential within your limits closes any of the gap.")
    else:
        cost = plan.total_cost
        unknown = f" plus {cost['unknown_steps']} step(s) with unpublished price" if cost["unknown_steps"] else ""
        lines.append(
            f"The plan closes {round(plan.coverage, 3):.0%} of the importance-weighted gap with {len(plan.steps)} credential(s) over {plan.total_weeks} weeks, "
            f"{plan.total_hours:.0f} hours, for {cost['amount']:,.2f} {cost['currency']}{unknown}: "
            + "; ".join(f"{s.title} (weeks {s.start_week}-{s.end_week})" for s in plan.steps)
            + "."
        )
    for entry in plan.stacks_into[:3]:
        lines.append(entry["text"] + ".")
    if plan.missing_skills:
        lines.append("Still open: " + "; ".join(f"{m['label']} — {m['reason']}" for m in plan.missing_skills[:6]) + ".")
    for relax in plan.relaxations[:4]:
        lines.append(f"{relax['text'][0].upper()}{relax['text'][1:]}, coverage would be {relax['coverage']:.0%}.")
    unscheduled = [e for e in plan.excluded if e.reason == "schedule"]
    if unscheduled:
        lines.append(f"{len(unscheduled)} credential(s) teaching gap skills publish neither workload nor duration and were left out of scheduling.")
    lines.append("Optimal for the stated objective." if plan.optimal else "Best plan found within the solver's time limit (not proven optimal).")
    return " ".join(lines)
