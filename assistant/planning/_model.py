"""The CP-SAT model: choose and schedule candidates under the learner's limits.

Variables: ``x[i]`` (credential i is in the plan), ``start[i]`` (week it starts, 0-based),
``y[s]`` (gap skill s is covered). Constraints: budget, hours a week at every week (a
cumulative over optional intervals), deadline (the horizon), prerequisites (chosen and finished
first), and no redundant step (each step is the only one in the plan teaching one of its gap
skills, or a prerequisite of another step). The objective is lexicographic over named terms,
folded into one weighted integer objective whose weights make each term outrank all later ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from ortools.sat.python import cp_model

from assistant.planning._candidates import Candidate

Term = Literal["coverage", "stack", "cost", "weeks"]
Relax = Literal["budget", "hours", "deadline"]

MAXIMISE: dict[Term, bool] = {"coverage": True, "stack": True, "cost": False, "weeks": False}
ORDERS: dict[str, tuple[Term, ...]] = {
    "balanced": ("coverage", "stack", "cost", "weeks"),
    "cheapest": ("cost", "weeks", "coverage", "stack"),
    "fastest": ("weeks", "cost", "coverage", "stack"),
    "most-stackable": ("stack", "coverage", "cost", "weeks"),
}


@dataclass
class Problem:
    """Everything the solver needs, in integers."""

    candidates: list[Candidate]
    weights: dict[str, int]  # gap skill -> importance x 1000
    capacity_tenths: int | None
    horizon: int
    budget_cents: int | None
    order: tuple[Term, ...] = ORDERS["balanced"]
    coverage_floor: int = 0
    relax: Relax | None = None  # minimise this limit instead, keeping coverage >= coverage_floor


@dataclass
class Solution:
    feasible: bool
    optimal: bool
    status: str
    starts: dict[str, int] = field(default_factory=dict)  # chosen credential id -> start week (0-based)
    values: dict[str, int] = field(default_factory=dict)  # term -> value; "relaxed" in relax mode


def term_bounds(problem: Problem) -> dict[Term, int]:
    return {
        "coverage": sum(problem.weights.values()),
        "stack": sum(c.stacks for c in problem.candidates),
        "cost": sum(c.cost_units for c in problem.candidates),
        "weeks": problem.horizon,
    }


def lexicographic_weights(order: tuple[Term, ...], bounds: dict[Term, int]) -> dict[Term, int]:
    """Weights so that one unit of a term outweighs every later term at its full range."""
    weights: dict[Term, int] = {}
    below = 0
    for term in reversed(order):
        weights[term] = below + 1
        below += weights[term] * bounds[term]
    return weights


def solve(problem: Problem, time_limit_s: float, workers: int = 1) -> Solution:
    """Build and solve the model; the empty plan is always feasible unless a coverage floor is set.

    One worker by default: plans are then reproducible (ties broken the same way every run),
    and on these model sizes a single worker is also the fastest.
    """
    model = cp_model.CpModel()
    cands = problem.candidates
    index = {c.id: n for n, c in enumerate(cands)}
    x = [model.new_bool_var(f"x{n}") for n in range(len(cands))]
    starts = [model.new_int_var(0, max(0, problem.horizon - c.weeks), f"s{n}") for n, c in enumerate(cands)]
    intervals = [model.new_optional_fixed_size_interval_var(starts[n], c.weeks, x[n], f"i{n}") for n, c in enumerate(cands)]
    for n, c in enumerate(cands):
        if c.weeks > problem.horizon:
            model.add(x[n] == 0)

    teachers: dict[str, list[int]] = {s: [] for s in problem.weights}
    for n, c in enumerate(cands):
        for skill in c.gap_skills:
            teachers[skill].append(n)
    y = {s: model.new_bool_var(f"y_{s}") for s in problem.weights}
    for skill, var in y.items():
        model.add(var <= sum(x[n] for n in teachers[skill]))

    required_by: dict[int, list[int]] = {n: [] for n in range(len(cands))}
    for n, c in enumerate(cands):
        for pre in c.prerequisites:
            p = index.get(pre)
            if p is None:  # a prerequisite outside the pool: this candidate cannot be taken
                model.add(x[n] == 0)
                continue
            required_by[p].append(n)
            model.add_implication(x[n], x[p])
            model.add(starts[n] >= starts[p] + cands[p].weeks).only_enforce_if(x[n])

    # No redundant step: it teaches some gap skill no other step teaches, or another step requires it.
    for n, c in enumerate(cands):
        reasons = []
        for skill in c.gap_skills:
            unique = model.new_bool_var(f"u{n}_{skill}")
            model.add_implication(unique, x[n])
            for other in teachers[skill]:
                if other != n:
                    model.add_implication(unique, x[other].negated())
            reasons.append(unique)
        reasons += [x[m] for m in required_by[n]]
        if reasons:
            model.add_bool_or(reasons).only_enforce_if(x[n])
        else:
            model.add(x[n] == 0)

    capacity: cp_model.IntVar | int | None = problem.capacity_tenths
    if problem.relax == "hours":
        top = max([problem.capacity_tenths or 0, *(sum(c.demand_tenths for c in cands),)])
        capacity = model.new_int_var(problem.capacity_tenths or 0, max(top, problem.capacity_tenths or 0), "capacity")
    if capacity is not None and cands:
        model.add_cumulative(intervals, [c.demand_tenths for c in cands], capacity)

    makespan = model.new_int_var(0, problem.horizon, "makespan")
    for n, c in enumerate(cands):
        model.add(makespan >= starts[n] + c.weeks).only_enforce_if(x[n])

    cost = sum(c.cost_units * x[n] for n, c in enumerate(cands))
    if problem.budget_cents is not None and problem.relax != "budget":
        model.add(sum((c.cost_cents or 0) * x[n] for n, c in enumerate(cands)) <= problem.budget_cents)

    exprs = {
        "coverage": sum(problem.weights[s] * v for s, v in y.items()),
        "stack": sum(c.stacks * x[n] for n, c in enumerate(cands)),
        "cost": cost,
        "weeks": makespan,
    }
    if problem.coverage_floor:
        model.add(exprs["coverage"] >= problem.coverage_floor)

    relaxed: cp_model.LinearExprT | None = None
    if problem.relax == "budget":
        relaxed = sum((c.cost_cents or 0) * x[n] for n, c in enumerate(cands))
    elif problem.relax == "hours":
        relaxed = capacity
    elif problem.relax == "deadline":
        relaxed = makespan
    if relaxed is not None:
        model.minimize(relaxed)
    else:
        weights = lexicographic_weights(problem.order, term_bounds(problem))
        model.minimize(sum((-weights[t] if MAXIMISE[t] else weights[t]) * exprs[t] for t in problem.order))

    if not problem.coverage_floor and problem.relax is None:
        for var in x:  # the empty plan is always feasible: a first solution before any search
            model.add_hint(var, 0)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit_s)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 7
    status = solver.solve(model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    solution = Solution(found, status == cp_model.OPTIMAL, solver.status_name(status))
    if not found:
        return solution
    for n, c in enumerate(cands):
        if solver.boolean_value(x[n]):
            solution.starts[c.id] = int(solver.value(starts[n]))
    solution.values = {t: int(solver.value(e)) for t, e in exprs.items()}
    if relaxed is not None:
        solution.values["relaxed"] = int(solver.value(relaxed))
    return solution


def coverage_floor(best: int, share: float) -> int:
    """The least coverage (in weight units) an alternative objective must keep."""
    return math.ceil(best * share - 1e-9)
