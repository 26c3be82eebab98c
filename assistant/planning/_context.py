"""One planning request: the learner's limits in solver units, and solving under given limits."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from assistant.catalogue import Catalogue
from assistant.gap import SkillGap
from assistant.models import LearnerProfile
from assistant.planning._candidates import CandidatePool, Limits, select_candidates
from assistant.planning._model import ORDERS, Problem, Solution, coverage_floor, solve
from assistant.settings import PlannerSettings

# Hours a week assumed when the profile gives none (stated in the plan's assumptions).
DEFAULT_HOURS_PER_WEEK = 10.0
# Share of the best achievable coverage the cheapest / fastest / most-stackable plans must keep.
ALTERNATIVE_COVERAGE_SHARE = 0.8
# Without a deadline no plan may run past this many weeks (ten years).
MAX_HORIZON_WEEKS = 520


@dataclass
class Outcome:
    pool: CandidatePool
    problem: Problem
    solution: Solution


@dataclass
class PlanningContext:
    profile: LearnerProfile
    catalogue: Catalogue
    gap: SkillGap
    settings: PlannerSettings
    limits: Limits = field(init=False)
    weights: dict[str, int] = field(init=False)
    importance: dict[str, float] = field(init=False)
    assumptions: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        profile = self.profile
        hours = profile.hours_per_week
        if hours is None:
            hours = DEFAULT_HOURS_PER_WEEK
            self.assumptions.append(f"no hours a week given: durations derived at {hours:g} h/week and no weekly limit applied")
        currency = profile.budget.currency if profile.budget else "EUR"
        if self.catalogue.rates is not None:
            self.catalogue.rates.rate(currency)  # InputError naming the currencies there are rates for
        self.limits = Limits(
            capacity_tenths=None if profile.hours_per_week is None else math.floor(round(profile.hours_per_week * 10, 6)),
            hours_per_week=hours,
            deadline_weeks=profile.deadline_weeks,
            budget_cents=None if profile.budget is None else math.floor(round(profile.budget.amount * 100, 6)),
            currency=currency,
        )
        self.importance = {n.skill: n.importance for n in self.gap.gap}
        self.weights = {n.skill: max(1, round(n.importance * 1000)) for n in self.gap.gap}

    def pool(self, limits: Limits) -> CandidatePool:
        return select_candidates(self.profile, self.catalogue, self.importance, limits, self.settings.max_candidates)

    def problem(self, pool: CandidatePool, limits: Limits, objective: str = "balanced", floor: int = 0) -> Problem:
        horizon = limits.deadline_weeks if limits.deadline_weeks is not None else min(MAX_HORIZON_WEEKS, sum(c.weeks for c in pool.candidates))
        return Problem(
            candidates=pool.candidates,
            weights=self.weights,
            capacity_tenths=limits.capacity_tenths,
            horizon=max(0, horizon),
            budget_cents=limits.budget_cents,
            order=ORDERS[objective],
            coverage_floor=floor,
        )

    def run(self, limits: Limits | None = None, objective: str = "balanced", best_coverage: int | None = None, time_share: float = 1.0) -> Outcome:
        """Select candidates under ``limits`` and solve for ``objective``.

        Objectives other than balanced keep at least ALTERNATIVE_COVERAGE_SHARE of the best
        achievable coverage (found with a balanced solve when not given).
        """
        limits = limits or self.limits
        pool = self.pool(limits)
        floor = 0
        if objective != "balanced":
            if best_coverage is None:
                best = solve(self.problem(pool, limits), self.settings.time_limit_s * time_share)
                best_coverage = best.values.get("coverage", 0)
            floor = coverage_floor(best_coverage, ALTERNATIVE_COVERAGE_SHARE)
        problem = self.problem(pool, limits, objective, floor)
        return Outcome(pool, problem, solve(problem, self.settings.time_limit_s * time_share))

    def relaxed_limits(self, **changes: object) -> Limits:
        return replace(self.limits, **changes)  # type: ignore[arg-type]
