"""Candidate pre-selection: which credentials the solver may choose, and in what units.

Only credentials that teach a gap skill (and the prerequisites they need) are considered, so
that a 10,000-credential catalogue stays fast. Each candidate is reduced to integers the solver
works with: weeks it runs, tenths of an hour a week it takes, cost in cents of the plan's
currency. Hard filters (delivery, language, region, held credentials) and limits (hours a week,
deadline, budget) decide what is excluded, and every exclusion keeps its reason so the planner
can say which constraint binds.
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from assistant.catalogue import Catalogue
from assistant.models import Credential, LearnerProfile, Pace
from assistant.retrieval import cost_in

# A subscription price in a cost note, e.g. "Coursera subscription 49 USD/month x 6 months".
_SUBSCRIPTION = re.compile(r"(\d+(?:\.\d+)?)\s*([A-Z]{3})\s*(?:/|per)\s*month")
WEEKS_PER_MONTH = 52 / 12

# Relations that carry credit into a larger qualification (preparation-for does not).
CREDIT_RELATIONS = {"stacks-into", "advanced-standing", "part-of"}

# Exclusion reasons a relaxation can lift, and those that are the learner's preferences.
RELAXABLE = {"hours", "deadline", "budget"}
PREFERENCES = {"delivery", "language", "region"}


@dataclass(frozen=True)
class Limits:
    """The learner's limits in solver units; None means no limit."""

    capacity_tenths: int | None  # tenths of an hour per week
    hours_per_week: float  # learner's hours (or the assumed default) used to derive durations
    deadline_weeks: int | None
    budget_cents: int | None
    currency: str
    check_delivery: bool = True
    check_language: bool = True
    check_region: bool = True


@dataclass
class Candidate:
    """A credential the solver may schedule, in solver units."""

    credential: Credential
    weeks: int
    weekly_hours: float
    total_hours: float
    demand_tenths: int
    cost_cents: int | None  # None: price not published
    gap_skills: list[str]
    prerequisites: list[str]  # credential ids not held, which must come first
    stack_targets: list[str]  # larger qualifications it earns credit toward
    schedule_note: str | None = None

    @property
    def id(self) -> str:
        return self.credential.id

    @property
    def cost_units(self) -> int:
        """Whole currency units (rounded up) for the objective; 0 when the price is unknown."""
        return 0 if self.cost_cents is None else math.ceil(self.cost_cents / 100)

    @property
    def stacks(self) -> int:
        return 1 if self.stack_targets else 0


@dataclass(frozen=True)
class Exclusion:
    """A credential teaching a gap skill that the plan may not use, and why."""

    credential_id: str
    title: str
    reason: str  # delivery | language | region | schedule | hours | deadline | budget | price | prerequisite
    detail: str
    gap_skills: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {"credential_id": self.credential_id, "title": self.title, "reason": self.reason, "detail": self.detail, "skills": list(self.gap_skills)}


@dataclass
class CandidatePool:
    candidates: list[Candidate] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    considered: int = 0  # credentials teaching a gap skill before the cap
    capped: bool = False


def stack_targets(cred: Credential, catalogue: Catalogue) -> list[str]:
    """Larger qualifications in the catalogue this credential earns credit toward."""
    targets = [link.target for link in cred.stacks_into if link.relation in CREDIT_RELATIONS and link.target in catalogue.credentials]
    targets += [p for p in cred.part_of if p in catalogue.credentials]
    return list(dict.fromkeys(t for t in targets if t != cred.id))


@dataclass
class _Index:
    """Per-catalogue lookups built once: who teaches each skill, what each credential stacks into."""

    generation: int
    size: int
    teachers: dict[str, list[str]]
    stacks: dict[str, list[str]]


_INDEXES: dict[int, tuple[weakref.ref[Catalogue], _Index]] = {}
_INDEX_LOCK = threading.Lock()


def catalogue_index(catalogue: Catalogue) -> _Index:
    """The catalogue's planning index, rebuilt when the catalogue object, generation or size changes."""
    cached = _INDEXES.get(id(catalogue))
    if cached is not None and cached[0]() is catalogue and cached[1].generation == catalogue.generation and cached[1].size == len(catalogue.credentials):
        return cached[1]
    teachers: dict[str, list[str]] = defaultdict(list)
    stacks: dict[str, list[str]] = {}
    for cred in catalogue.credentials.values():
        for skill in dict.fromkeys(cred.skills):
            teachers[skill].append(cred.id)
        if cred.stacks_into or cred.part_of:
            stacks[cred.id] = stack_targets(cred, catalogue)
    index = _Index(catalogue.generation, len(catalogue.credentials), dict(teachers), stacks)
    with _INDEX_LOCK:
        for key in [k for k, (ref, _) in _INDEXES.items() if ref() is None]:
            del _INDEXES[key]
        _INDEXES[id(catalogue)] = (weakref.ref(catalogue), index)
    return index


def schedule_shape(cred: Credential, limits: Limits) -> tuple[int, float, float, str | None] | None:
    """(weeks, hours a week, total hours, note) for a credential; None when neither size is published.

    Hours a week are workload / duration. With only one of them published the other is derived
    from the learner's hours a week. A self-paced credential heavier than the learner's hours
    is spread over more weeks.
    """
    hours = limits.hours_per_week
    if cred.workload_hours and cred.duration_weeks:
        weeks = max(1, math.ceil(cred.duration_weeks - 1e-9))
        weekly = cred.workload_hours / cred.duration_weeks
        note = None
        if cred.pace == Pace.SELF_PACED and weekly > hours + 1e-9:
            weeks = max(1, math.ceil(cred.workload_hours / hours - 1e-9))
            weekly = cred.workload_hours / weeks
            note = f"self-paced: spread over {weeks} weeks at your hours"
        return weeks, weekly, cred.workload_hours, note
    if cred.workload_hours:
        weeks = max(1, math.ceil(cred.workload_hours / hours - 1e-9))
        return weeks, cred.workload_hours / weeks, cred.workload_hours, f"duration derived from {cred.workload_hours:g} h at {hours:g} h/week"
    if cred.duration_weeks:
        weeks = max(1, math.ceil(cred.duration_weeks - 1e-9))
        return weeks, hours, hours * cred.duration_weeks, f"workload not published: assumed {hours:g} h/week for {cred.duration_weeks:g} weeks"
    return None


def price_for(cred: Credential, weeks: int, currency: str, catalogue: Catalogue) -> tuple[float | None, str | None]:
    """What the credential costs over ``weeks`` in ``currency``, and how a subscription was counted.

    A price published as a monthly subscription (in the cost note) is paid for every month the
    plan spends on it, so spreading a self-paced course over more weeks costs more; the price is
    never below the published amount.
    """
    price = cost_in(cred, currency, catalogue)
    note = cred.cost.note if cred.cost else None
    match = _SUBSCRIPTION.search(note or "")
    if price is None or match is None:
        return price, None
    amount, unit = float(match.group(1)), match.group(2)
    monthly = amount if unit == currency else (catalogue.rates.try_convert(amount, unit, currency) if catalogue.rates else None)
    if monthly is None:
        return price, None
    months = max(1, math.ceil(weeks / WEEKS_PER_MONTH - 1e-9))
    if monthly * months <= price:
        return price, None
    return monthly * months, f"subscription {match.group(1)} {match.group(2)}/month x {months} months for {weeks} weeks"


def _preference_miss(cred: Credential, profile: LearnerProfile, limits: Limits) -> tuple[str, str] | None:
    if limits.check_delivery and profile.delivery:
        wanted = ", ".join(d.value for d in profile.delivery)
        if cred.delivery is None:
            return "delivery", f"delivery mode not published (you asked for {wanted})"
        if cred.delivery not in profile.delivery:
            return "delivery", f"{cred.delivery.value} only (you asked for {wanted})"
    if limits.check_language and profile.language:
        wanted = ", ".join(profile.language)
        if not cred.language:
            return "language", f"language of instruction not published (you asked for {wanted})"
        if not set(cred.language) & set(profile.language):
            return "language", f"taught in {', '.join(cred.language)} (you asked for {wanted})"
    if limits.check_region and cred.location_bound and not region_matches(cred, profile.region):
        where = cred.region or cred.country or "its region"
        return "region", f"only open in {where} (your region: {profile.region or 'not given'})"
    return None


def region_matches(cred: Credential, region: str | None) -> bool:
    """Whether a learner in ``region`` (country code or region name) may take a location-bound credential."""
    if not region:
        return False
    wanted = region.strip().casefold()
    return wanted in {v.casefold() for v in (cred.country, cred.region) if v}


def _check(cred: Credential, profile: LearnerProfile, limits: Limits, catalogue: Catalogue, held: set[str]) -> tuple[Candidate | None, tuple[str, str] | None]:
    miss = _preference_miss(cred, profile, limits)
    if miss:
        return None, miss
    shape = schedule_shape(cred, limits)
    if shape is None:
        return None, ("schedule", "neither workload nor duration published, so it cannot be scheduled")
    weeks, weekly, total, note = shape
    demand = math.ceil(round(weekly * 10, 6))
    if limits.capacity_tenths is not None and demand > limits.capacity_tenths:
        return None, ("hours", f"needs {weekly:.1f} h/week (you have {limits.capacity_tenths / 10:g})")
    if limits.deadline_weeks is not None and weeks > limits.deadline_weeks:
        return None, ("deadline", f"takes {weeks} weeks (deadline {limits.deadline_weeks})")
    price, _ = price_for(cred, weeks, limits.currency, catalogue)
    cents = None if price is None else math.ceil(round(price * 100, 6))
    if limits.budget_cents is not None:
        if cents is None:
            return None, ("price", "price not published, so it cannot be checked against your budget")
        if cents > limits.budget_cents:
            return None, ("budget", f"costs {cents / 100:,.0f} {limits.currency} (budget {limits.budget_cents / 100:,.0f})")
    prereqs = [p for p in cred.prerequisites if p not in held]
    for pre in prereqs:
        if pre not in catalogue.credentials:
            return None, ("prerequisite", f"requires {pre}, which is not in the catalogue")
    candidate = Candidate(cred, weeks, weekly, total, demand, cents, [], prereqs, list(catalogue_index(catalogue).stacks.get(cred.id, [])), note)
    return candidate, None


def _value(c: Candidate, weights: dict[str, float]) -> float:
    """Pre-selection score: gap importance per (normalised) cost and time."""
    covered = sum(weights[s] for s in c.gap_skills)
    cost = (c.cost_cents or 0) / 100
    return covered * (1 + 0.25 * c.stacks) / (1 + cost / 1000 + c.weeks / 26)


def _dominates(a: Candidate, b: Candidate) -> bool:
    """Whether ``a`` can stand in for ``b`` in any plan without making any objective term worse.

    Same gap skills, no prerequisites of its own beyond b's, no more weeks, hours a week or
    cost, at least as much stacking, and a price as known as b's. Taking a in b's place fits b's
    slot in the schedule, so the swap keeps every constraint.
    """
    if (a.cost_cents is None) != (b.cost_cents is None):
        return False
    return (
        set(a.prerequisites) <= set(b.prerequisites)
        and a.weeks <= b.weeks
        and a.demand_tenths <= b.demand_tenths
        and (a.cost_cents or 0) <= (b.cost_cents or 0)
        and a.stacks >= b.stacks
    )


def drop_dominated(candidates: list[Candidate], required: set[str]) -> list[Candidate]:
    """Candidates minus those another candidate with the same gap skills dominates.

    Exact for every objective (coverage, stacking, cost, weeks are each no worse after the swap);
    credentials other candidates require are kept. Among equals the smaller id is kept.
    """
    groups: dict[frozenset[str], list[Candidate]] = defaultdict(list)
    for cand in candidates:
        groups[frozenset(cand.gap_skills)].append(cand)
    kept: list[Candidate] = []
    for group in groups.values():
        group.sort(key=lambda c: ((c.cost_cents or 0), c.weeks, c.demand_tenths, -c.stacks, len(c.prerequisites), c.id))
        front: list[Candidate] = []
        for cand in group:
            if cand.id in required or not any(_dominates(other, cand) for other in front):
                front.append(cand)
        kept.extend(front)
    return kept


def select_candidates(profile: LearnerProfile, catalogue: Catalogue, weights: dict[str, float], limits: Limits, max_candidates: int) -> CandidatePool:
    """The credentials the solver may choose from, with the reasons others were excluded.

    Args:
        profile: the learner (held credentials, preferences).
        catalogue: credentials to choose from.
        weights: gap skill id -> importance.
        limits: limits and which preferences to enforce.
        max_candidates: cap on the pool, prerequisites included.
    """
    held = set(profile.held_credentials)
    pool = CandidatePool()
    checked: dict[str, Candidate | None] = {}
    reasons: dict[str, tuple[str, str]] = {}

    def check(cred_id: str, trail: tuple[str, ...] = ()) -> Candidate | None:
        if cred_id in checked:
            return checked[cred_id]
        checked[cred_id] = None  # guards against prerequisite cycles
        cred = catalogue.credentials[cred_id]
        candidate, why = _check(cred, profile, limits, catalogue, held)
        if candidate is not None:
            candidate.gap_skills = [s for s in dict.fromkeys(cred.skills) if s in weights]
            for pre in candidate.prerequisites:
                if pre in trail or check(pre, (*trail, cred_id)) is None:
                    sub = reasons.get(pre, ("prerequisite", "it is part of a prerequisite cycle"))
                    why = (
                        sub[0] if sub[0] in RELAXABLE | PREFERENCES else "prerequisite",
                        f"its prerequisite {catalogue.credentials[pre].title} cannot be taken: {sub[1]}",
                    )
                    candidate = None
                    break
        if why is not None:
            reasons[cred_id] = why
        checked[cred_id] = candidate
        return candidate

    index = catalogue_index(catalogue)
    teaching = {cid for skill in weights for cid in index.teachers.get(skill, []) if cid not in held}
    pool.considered = len(teaching)
    usable = [c for c in (check(i) for i in sorted(teaching)) if c is not None]
    for cred_id in sorted(teaching):
        if cred_id in reasons:
            cred = catalogue.credentials[cred_id]
            reason, detail = reasons[cred_id]
            pool.exclusions.append(Exclusion(cred_id, cred.title, reason, detail, tuple(s for s in cred.skills if s in weights)))

    usable = drop_dominated(usable, {p for c in checked.values() if c is not None for p in c.prerequisites})

    # Round-robin over gap skills (most important first), best value first within each, so
    # every skill keeps its strongest options when the pool is capped.
    by_skill: dict[str, list[Candidate]] = defaultdict(list)
    for cand in usable:
        for skill in cand.gap_skills:
            by_skill[skill].append(cand)
    for skill in by_skill:
        by_skill[skill].sort(key=lambda c: (-_value(c, weights), c.id))
    chosen: dict[str, Candidate] = {}

    def add_with_prerequisites(cand: Candidate) -> bool:
        needed: dict[str, Candidate] = {}
        stack = [cand]
        while stack:
            current = stack.pop()
            if current.id in chosen or current.id in needed:
                continue
            needed[current.id] = current
            stack.extend(c for c in (checked.get(p) for p in current.prerequisites) if c is not None)
        if len(chosen) + len(needed) > max_candidates:
            return False
        chosen.update(needed)
        return True

    order = sorted(by_skill, key=lambda s: (-weights[s], s))
    depth = 0
    while len(chosen) < max_candidates and any(depth < len(by_skill[s]) for s in order):
        for skill in order:
            if depth < len(by_skill[skill]) and len(chosen) < max_candidates:
                add_with_prerequisites(by_skill[skill][depth])
        depth += 1
    pool.capped = len(chosen) < len(usable)
    pool.candidates = sorted(chosen.values(), key=lambda c: c.id)
    return pool
