"""Which constraint binds, and the smallest relaxation that would close more of the gap.

For a numeric limit (hours a week, budget, deadline) one solve finds the least value of that
limit alone that lets a plan cover strictly more of the gap (the limit becomes the objective,
coverage gets a floor one unit above the plan's); a second solve under that value says what the
relaxed plan would give. Preferences (delivery, language, region) are lifted one at a time.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from assistant.planning._context import MAX_HORIZON_WEEKS, Outcome, PlanningContext
from assistant.planning._model import Relax, solve

# Budget used when only the budget is relaxed: large, but prices must still be published.
_UNLIMITED_CENTS = 10**13
_RELAX_TIME_SHARE = 0.25
# The most hours a week a relaxation may suggest (the profile's own upper bound).
MAX_HOURS_PER_WEEK = 80


def _gain(ctx: PlanningContext, base: Outcome, relaxed: Outcome) -> dict[str, Any] | None:
    before = base.solution.values.get("coverage", 0)
    after = relaxed.solution.values.get("coverage", 0)
    if not relaxed.solution.feasible or after <= before:
        return None
    total = sum(ctx.weights.values()) or 1
    added = sorted(
        {s for cid in relaxed.solution.starts for c in relaxed.pool.candidates if c.id == cid for s in c.gap_skills}
        - {s for cid in base.solution.starts for c in base.pool.candidates if c.id == cid for s in c.gap_skills}
    )
    cost = sum((c.cost_cents or 0) for c in relaxed.pool.candidates if c.id in relaxed.solution.starts) / 100
    return {
        "coverage": round(after / total, 3),
        "adds_skills": added,
        "credentials": sorted(relaxed.solution.starts),
        "total_cost": {"amount": round(cost, 2), "currency": ctx.limits.currency, "source": "sum of the credentials' published prices (see their records)"},
        "total_weeks": relaxed.solution.values.get("weeks", 0),
    }


def _least_hours(ctx: PlanningContext, base: Outcome, need_tenths: int | None) -> tuple[int, Outcome] | None:
    """The fewest whole hours a week that close more of the gap, with the plan they give.

    Durations are derived from the learner's hours (a self-paced course at more hours a week
    takes fewer weeks), so the capacity-only solve (``need_tenths``, durations held fixed) gives
    an upper bound; a binary search over full re-plans below it finds the least value.
    """
    cap = ctx.limits.capacity_tenths
    assert cap is not None
    if need_tenths is None and ctx.limits.deadline_weeks is None:
        # No capacity helps with durations fixed, and without a deadline shorter durations help
        # only through a cheaper monthly subscription — a case this skips to keep plans fast.
        return None
    low = math.floor(cap / 10) + 1
    high = min(MAX_HOURS_PER_WEEK, max(low, math.ceil(need_tenths / 10 - 1e-9))) if need_tenths is not None else MAX_HOURS_PER_WEEK
    if high < low:
        return None

    def plan_at(hours: int) -> Outcome:
        return ctx.run(replace(ctx.limits, capacity_tenths=hours * 10, hours_per_week=float(hours)), time_share=_RELAX_TIME_SHARE)

    best = plan_at(high)
    if _gain(ctx, base, best) is None:
        return None
    while low < high:
        middle = (low + high) // 2
        outcome = plan_at(middle)
        if _gain(ctx, base, outcome) is not None:
            high, best = middle, outcome
        else:
            low = middle + 1
    return high, best


def find_relaxations(ctx: PlanningContext, base: Outcome) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(binding constraints, relaxations), each relaxation the smallest that adds coverage."""
    limits = ctx.limits
    floor = base.solution.values.get("coverage", 0) + 1
    binding: list[dict[str, Any]] = []
    relaxations: list[dict[str, Any]] = []
    time_limit = ctx.settings.time_limit_s * _RELAX_TIME_SHARE

    def least(pool_limits: Any, relax: Relax, **problem_changes: Any) -> int | None:
        pool = ctx.pool(pool_limits)
        problem = replace(ctx.problem(pool, pool_limits), relax=relax, coverage_floor=floor, **problem_changes)
        found = solve(problem, time_limit)
        return found.values["relaxed"] if found.feasible else None

    def record(constraint: str, current: Any, relaxed_to: Any, text: str, outcome: Outcome) -> None:
        gain = _gain(ctx, base, outcome)
        if gain is None:
            return
        binding.append({"constraint": constraint, "current": current, "detail": f"{text}, the plan would close {gain['coverage']:.0%} of the gap"})
        relaxations.append({"constraint": constraint, "current": current, "relaxed_to": relaxed_to, "text": text, **gain})

    if limits.capacity_tenths is not None:
        found_hours = _least_hours(ctx, base, least(replace(limits, capacity_tenths=None), "hours", capacity_tenths=limits.capacity_tenths))
        if found_hours is not None:
            hours, outcome = found_hours
            delta = hours - limits.capacity_tenths / 10
            record("hours_per_week", limits.capacity_tenths / 10, hours, f"with {delta:g} more hour{'s' if delta != 1 else ''} a week", outcome)

    if limits.budget_cents is not None:
        need = least(replace(limits, budget_cents=_UNLIMITED_CENTS), "budget", budget_cents=limits.budget_cents)
        if need is not None:
            amount = math.ceil(need / 100 - 1e-9)
            delta = amount - limits.budget_cents / 100
            outcome = ctx.run(replace(limits, budget_cents=amount * 100), time_share=_RELAX_TIME_SHARE)
            record("budget", limits.budget_cents / 100, amount, f"with {delta:,.0f} {limits.currency} more", outcome)

    if limits.deadline_weeks is not None:
        longer = replace(limits, deadline_weeks=None)
        pool = ctx.pool(longer)
        horizon = min(MAX_HORIZON_WEEKS, sum(c.weeks for c in pool.candidates))
        problem = replace(ctx.problem(pool, longer), horizon=max(horizon, limits.deadline_weeks), relax="deadline", coverage_floor=floor)
        found = solve(problem, time_limit)
        if found.feasible:
            weeks = max(found.values["relaxed"], limits.deadline_weeks + 1)
            outcome = ctx.run(replace(limits, deadline_weeks=weeks), time_share=_RELAX_TIME_SHARE)
            record(
                "deadline_weeks",
                limits.deadline_weeks,
                weeks,
                f"with {weeks - limits.deadline_weeks} more week{'s' if weeks - limits.deadline_weeks != 1 else ''}",
                outcome,
            )

    reasons = {e.reason for e in base.pool.exclusions}
    preferences = [
        ("delivery", "check_delivery", "if you accepted any delivery mode"),
        ("language", "check_language", "if you accepted other languages of instruction"),
        ("region", "check_region", "if you could study where location-bound credentials are offered"),
    ]
    for reason, flag, text in preferences:
        if reason in reasons:
            outcome = ctx.run(replace(limits, **{flag: False}), time_share=_RELAX_TIME_SHARE)  # type: ignore[arg-type]
            current = getattr(ctx.profile, reason)
            record(reason, [str(v) for v in current] if isinstance(current, list) else current, "any", text, outcome)
    return binding, relaxations
