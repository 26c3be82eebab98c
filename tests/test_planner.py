"""The stackable planner on a small fixture world: constraints, schedule, stacking, relaxations."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from assistant.catalogue import Catalogue
from assistant.currency import RateTable
from assistant.models import Cost, Credential, LearnerProfile
from assistant.planner import plan_alternatives, plan_stackable_path
from assistant.settings import PlannerSettings
from ingest.sources.knowledge import KnowledgeReader

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "planner" / "catalogue.yaml"
SETTINGS = PlannerSettings()


def load_world(*extra: Credential) -> Catalogue:
    rates: RateTable | None = None
    records: list[Any] = []
    for item in KnowledgeReader().read(FIXTURE):
        if isinstance(item, RateTable):
            rates = item
        elif hasattr(item, "kind"):
            records.append(item)
    return Catalogue.from_records([*records, *extra], rates)


@pytest.fixture(scope="module")
def world() -> Catalogue:
    return load_world()


def profile(**changes: Any) -> LearnerProfile:
    base: dict[str, Any] = {
        "current_role": "Retail store manager",
        "skills": ["Excel", "communication", "customer service"],
        "target": "data analyst",
        "budget": {"amount": 1500, "currency": "EUR"},
        "hours_per_week": 8,
        "deadline_weeks": 52,
        "region": "IE",
        "language": ["en"],
        "delivery": ["online", "blended"],
    }
    base.update(changes)
    return LearnerProfile.model_validate(base)


def plan_json(catalogue: Catalogue, learner: LearnerProfile, objective: str = "balanced", settings: PlannerSettings = SETTINGS) -> dict[str, Any]:
    return plan_stackable_path(learner, catalogue, settings, objective).as_json()  # type: ignore[arg-type]


def weekly_loads(plan: dict[str, Any]) -> list[float]:
    return [sum(s["hours_per_week"] for s in plan["steps"] if s["start_week"] <= w <= s["end_week"]) for w in range(1, plan["total_weeks"] + 1)]


def assert_hard_constraints(plan: dict[str, Any], learner: LearnerProfile, catalogue: Catalogue) -> None:
    steps = {s["credential_id"]: s for s in plan["steps"]}
    for step in plan["steps"]:
        cred = catalogue.credentials[step["credential_id"]]
        assert cred.id not in learner.held_credentials
        assert not learner.delivery or cred.delivery in learner.delivery
        assert not learner.language or set(cred.language) & set(learner.language)
        assert not cred.location_bound or learner.region == cred.country
        assert learner.deadline_weeks is None or step["end_week"] <= learner.deadline_weeks
        for pre in cred.prerequisites:
            assert pre in learner.held_credentials or steps[pre]["end_week"] < step["start_week"]
    if learner.hours_per_week is not None:
        assert all(load <= learner.hours_per_week + 1e-9 for load in weekly_loads(plan))
    if learner.budget is not None:
        assert plan["total_cost"]["amount"] <= learner.budget.amount + 1e-6
        assert plan["total_cost"]["currency"] == learner.budget.currency


def test_retail_manager_plan_is_feasible_optimal_and_explained(world: Catalogue) -> None:
    learner = profile()
    plan = plan_json(world, learner)
    assert plan["feasible"] and plan["optimal"]
    assert [s["credential_id"] for s in plan["steps"]] == ["intro-data", "stats-course", "viz-badge"]
    assert plan["total_cost"]["amount"] == pytest.approx(850.0)  # 300 + 400 + 165 USD / 1.10
    assert plan["coverage"] == pytest.approx((1.0 + 0.9 + 0.85 + 0.8 + 0.7 + 0.6) / 5.35, abs=1e-3)
    assert [m["skill"] for m in plan["missing_skills"]] == ["python-programming"]
    assert {t["skill"] for t in plan["transferable_skills"]} == {"spreadsheets", "communication"}
    assert_hard_constraints(plan, learner, world)
    assert "Introduction to Data Analytics" in plan["explanation"] and "91%" in plan["explanation"]
    assert plan["objective"].startswith("Maximise the importance-weighted share")
    for key in (
        "steps",
        "total_cost",
        "total_weeks",
        "total_hours",
        "credits",
        "coverage",
        "covered_skills",
        "missing_skills",
        "stacks_into",
        "feasible",
        "explanation",
        "citations",
        "labour_market",
    ):
        assert key in plan
    for step in plan["steps"]:
        assert {"credential_id", "title", "start_week", "end_week", "hours", "cost", "skills", "why"} <= set(step)
        assert step["cost"]["as_of"] and step["cost"]["source"]


def test_prerequisite_comes_first_or_is_held(world: Catalogue) -> None:
    plan = plan_json(world, profile())
    steps = {s["credential_id"]: s for s in plan["steps"]}
    assert steps["intro-data"]["end_week"] < steps["viz-badge"]["start_week"]
    held = profile(held_credentials=["intro-data"])
    plan = plan_json(world, held)
    ids = [s["credential_id"] for s in plan["steps"]]
    assert "intro-data" not in ids and "viz-badge" in ids
    assert_hard_constraints(plan, held, world)


def test_steps_run_in_parallel_when_hours_allow(world: Catalogue) -> None:
    sequential = plan_json(world, profile(hours_per_week=8))
    parallel = plan_json(world, profile(hours_per_week=10))
    assert max(weekly_loads(parallel)) > 5  # two steps share some week
    assert all(load <= 10 for load in weekly_loads(parallel))
    assert parallel["total_weeks"] < sequential["total_weeks"]
    assert parallel["coverage"] == sequential["coverage"]


def test_stack_credits_earned_and_missing(world: Catalogue) -> None:
    plan = plan_json(world, profile())
    (stack,) = plan["stacks_into"]
    assert stack["target"] == "data-certificate"
    assert (stack["credits_earned"], stack["credits_required"], stack["credits_missing"], stack["credit_unit"]) == (3.0, 15.0, 12.0, "ECTS")
    assert plan["credits"]["ects"] == 3.0


def test_budget_binds_and_smallest_relaxation_is_exact(world: Catalogue) -> None:
    learner = profile(budget={"amount": 400, "currency": "EUR"})
    plan = plan_json(world, learner)
    assert_hard_constraints(plan, learner, world)
    assert {s["credential_id"] for s in plan["steps"]} == {"free-sql", "stats-course"}
    relax = next(r for r in plan["relaxations"] if r["constraint"] == "budget")
    # intro-data + viz-badge (300 EUR + 165 USD = 450 EUR) close more than free-sql + stats-course
    assert relax["relaxed_to"] == 450 and relax["text"] == "with 50 EUR more"
    assert set(relax["credentials"]) == {"intro-data", "viz-badge"}
    assert any(b["constraint"] == "budget" for b in plan["binding_constraints"])
    assert plan_json(world, profile(budget={"amount": 450, "currency": "EUR"}))["coverage"] == pytest.approx(relax["coverage"], abs=1e-3)
    assert plan_json(world, profile(budget={"amount": 449, "currency": "EUR"}))["coverage"] == pytest.approx(plan["coverage"], abs=1e-3)


def test_hours_relaxation_is_minimal(world: Catalogue) -> None:
    plan = plan_json(world, profile(hours_per_week=4))
    assert_hard_constraints(plan, profile(hours_per_week=4), world)
    relax = next(r for r in plan["relaxations"] if r["constraint"] == "hours_per_week")
    assert relax["relaxed_to"] == 5 and relax["text"] == "with 1 more hour a week"
    assert plan_json(world, profile(hours_per_week=5))["coverage"] == pytest.approx(relax["coverage"], abs=1e-3)


def test_deadline_relaxation_is_minimal(world: Catalogue) -> None:
    learner = profile(deadline_weeks=10)
    plan = plan_json(world, learner)
    assert_hard_constraints(plan, learner, world)
    relax = next(r for r in plan["relaxations"] if r["constraint"] == "deadline_weeks")
    weeks = relax["relaxed_to"]
    assert weeks > 10 and relax["text"] == f"with {weeks - 10} more week{'s' if weeks - 10 != 1 else ''}"
    assert plan_json(world, profile(deadline_weeks=weeks))["coverage"] == pytest.approx(relax["coverage"], abs=1e-3)
    assert plan_json(world, profile(deadline_weeks=weeks - 1))["coverage"] == pytest.approx(plan["coverage"], abs=1e-3)


def test_preferences_exclude_and_say_why(world: Catalogue) -> None:
    plan = plan_json(world, profile(region=None))
    reasons = {e["credential_id"]: e["reason"] for e in plan["excluded"]}
    assert reasons["python-bootcamp"] == "delivery"
    assert reasons["datenanalyse-kurs"] == "language"
    assert reasons["dublin-storytelling"] == "region"
    assert reasons["data-certificate"] == "hours"
    assert reasons["unsized-viz"] == "schedule"
    assert "neither workload nor duration" in plan["explanation"]
    german = profile(language=["de"], budget={"amount": 300, "currency": "EUR"})
    plan = plan_json(world, german)
    assert [s["credential_id"] for s in plan["steps"]] == ["datenanalyse-kurs"]
    assert_hard_constraints(plan, german, world)
    language = next(r for r in plan_json(world, profile())["relaxations"] if r["constraint"] == "language")
    assert "python-programming" in language["adds_skills"]


def test_unpublished_price_cannot_be_checked_against_a_budget() -> None:
    mystery = Credential(
        id="mystery-python",
        title="Mystery Python",
        type="course",
        provider="P",
        source="s",
        skills=["python-programming"],
        workload_hours=10,
        duration_weeks=2,
        delivery="online",
        language=["en"],
    )
    catalogue = load_world(mystery)
    plan = plan_json(catalogue, profile())
    assert {e["credential_id"]: e["reason"] for e in plan["excluded"]}["mystery-python"] == "price"
    unbounded = plan_json(catalogue, profile(budget=None))
    step = next(s for s in unbounded["steps"] if s["credential_id"] == "mystery-python")
    assert step["cost"]["amount"] is None and unbounded["total_cost"]["unknown_steps"] == 1


def test_derived_duration_and_currency_conversion(world: Catalogue) -> None:
    plan = plan_json(world, profile(budget={"amount": 400, "currency": "EUR"}))
    sql = next(s for s in plan["steps"] if s["credential_id"] == "free-sql")
    assert (sql["end_week"] - sql["start_week"] + 1, sql["hours_per_week"], sql["hours"]) == (2, 6.0, 12.0)  # 12 h at 8 h/week
    assert "derived" in sql["schedule_note"]
    in_usd = plan_json(world, profile(budget={"amount": 1500, "currency": "USD"}))
    costs = {s["credential_id"]: s["cost"] for s in in_usd["steps"]}
    assert costs["viz-badge"]["amount"] == pytest.approx(165.0) and "original" not in costs["viz-badge"]
    assert costs["intro-data"]["amount"] == pytest.approx(330.0)
    assert costs["intro-data"]["original"] == {"amount": 300.0, "currency": "EUR"}
    assert "rates of 2026-01-01" in costs["intro-data"]["converted_with"]
    assert in_usd["total_cost"]["amount"] <= 1500


def test_citations_and_labour_market(world: Catalogue) -> None:
    plan = plan_json(world, profile())
    cited = {c["id"] for c in plan["citations"]}
    assert {"data-analyst", "intro-data", "stats-course", "viz-badge", "data-certificate", "rates"} <= cited
    assert all("last_reviewed" in c and "url" in c for c in plan["citations"])
    wage = plan["labour_market"]["median_wage"][0]
    assert (wage["amount"], wage["year"], wage["source"]) == (83640.0, 2023, "Test wage source")
    assert plan["labour_market"]["outlook"][0]["year"] == 2024


def test_alternatives_trade_coverage_for_cost_and_time(world: Catalogue) -> None:
    plans = {name: p.as_json() for name, p in plan_alternatives(profile(), world, SETTINGS).items()}
    assert set(plans) == {"balanced", "cheapest", "fastest", "most-stackable"}
    balanced = plans["balanced"]
    assert plans["cheapest"]["total_cost"]["amount"] <= balanced["total_cost"]["amount"]
    assert plans["fastest"]["total_weeks"] <= balanced["total_weeks"]
    for name, alternative in plans.items():
        assert alternative["coverage"] >= 0.8 * balanced["coverage"] - 1e-3, name
        assert_hard_constraints(alternative, profile(), world)
        assert alternative["objective_name"] == name
    single = plan_json(world, profile(), "cheapest")
    assert single["total_cost"] == plans["cheapest"]["total_cost"]


def test_nothing_fits_is_infeasible_with_relaxations(world: Catalogue) -> None:
    learner = profile(budget={"amount": 0, "currency": "EUR"}, deadline_weeks=1, hours_per_week=2)
    plan = plan_json(world, learner)
    assert plan["steps"] == [] and not plan["feasible"] and plan["coverage"] == 0
    assert {b["constraint"] for b in plan["binding_constraints"]} >= {"deadline_weeks"}
    assert all(r["coverage"] > 0 for r in plan["relaxations"])


def test_no_gap_needs_no_plan(world: Catalogue) -> None:
    skills = [s.skill for s in world.occupations["data-analyst"].skills]
    plan = plan_json(world, profile(skills=skills))
    assert plan["feasible"] and plan["steps"] == [] and plan["coverage"] == 1.0
    assert plan["relaxations"] == []


def test_candidate_cap_is_stated(world: Catalogue) -> None:
    plan = plan_json(world, profile(), settings=PlannerSettings(max_candidates=2))
    assert plan["candidates_considered"] <= 2
    assert any("'optimal' is among those" in a for a in plan["assumptions"])
    assert_hard_constraints(plan, profile(), world)


def test_missing_hours_are_assumed_and_said(world: Catalogue) -> None:
    plan = plan_json(world, profile(hours_per_week=None))
    assert any("no hours a week given" in a for a in plan["assumptions"])
    assert plan["feasible"]


def test_self_paced_credential_is_spread_to_fit_the_week() -> None:
    heavy = Credential(
        id="heavy-python",
        title="Heavy Python",
        type="course",
        provider="P",
        source="s",
        skills=["python-programming"],
        workload_hours=60,
        duration_weeks=3,
        pace="self-paced",
        delivery="online",
        language=["en"],
        cost=Cost(amount=10, currency="EUR", as_of="2026-01-01", source="s"),
    )
    plan = plan_json(load_world(heavy), profile())
    step = next(s for s in plan["steps"] if s["credential_id"] == "heavy-python")
    weeks = step["end_week"] - step["start_week"] + 1
    assert weeks == math.ceil(60 / 8) and step["hours_per_week"] <= 8
    assert "self-paced" in step["schedule_note"]


def test_prerequisite_cycle_is_excluded_not_looped() -> None:
    def course(cid: str, pre: str) -> Credential:
        return Credential(
            id=cid, title=cid, type="course", provider="P", source="s", skills=["python-programming"], workload_hours=8, duration_weeks=2,
            delivery="online", language=["en"], prerequisites=[pre], cost=Cost(amount=10, currency="EUR", as_of="2026-01-01", source="s"),
        )  # fmt: skip

    plan = plan_json(load_world(course("loop-a", "loop-b"), course("loop-b", "loop-a")), profile())
    reasons = {e["credential_id"]: e for e in plan["excluded"]}
    assert reasons["loop-a"]["reason"] == "prerequisite" and reasons["loop-b"]["reason"] == "prerequisite"
    assert not {"loop-a", "loop-b"} & {s["credential_id"] for s in plan["steps"]}


def test_plan_says_when_it_is_not_proven_optimal(world: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.planning import _context

    real_solve = _context.solve

    def time_limited(problem: Any, time_limit_s: float) -> Any:
        found = real_solve(problem, time_limit_s)
        found.optimal, found.status = False, "FEASIBLE"  # as when the time limit stops the search
        return found

    monkeypatch.setattr(_context, "solve", time_limited)
    plan = plan_json(world, profile())
    assert plan["feasible"] and not plan["optimal"] and plan["solver_status"] == "FEASIBLE"
    assert "not proven optimal" in plan["explanation"]


def test_no_solution_within_time_limit_is_not_called_infeasible_data(world: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.planning import _context
    from assistant.planning._model import Solution

    monkeypatch.setattr(_context, "solve", lambda problem, time_limit_s: Solution(False, False, "UNKNOWN"))
    plan = plan_json(world, profile())
    assert not plan["feasible"] and not plan["optimal"] and plan["steps"] == []
    assert "time limit" in plan["explanation"] and "No credential within your limits" not in plan["explanation"]


def test_monthly_subscription_is_paid_for_every_planned_month() -> None:
    subscription = Credential(
        id="sub-python", title="Subscription Python", type="professional-certificate", provider="P", source="s", skills=["python-programming"],
        workload_hours=80, duration_weeks=8, pace="self-paced", delivery="online", language=["en"],
        cost=Cost(amount=98, currency="USD", as_of="2026-01-01", source="s", note="Platform subscription 49 USD/month x 2 months at the suggested pace"),
    )  # fmt: skip
    plan = plan_json(load_world(subscription), profile(budget={"amount": 5000, "currency": "USD"}))
    step = next(s for s in plan["steps"] if s["credential_id"] == "sub-python")
    weeks = step["end_week"] - step["start_week"] + 1
    assert weeks == 10  # 80 h at 8 h/week: spread from 8 to 10 weeks
    assert step["cost"]["amount"] == pytest.approx(49 * 3)  # 10 weeks span 3 months of subscription
    assert step["cost"]["subscription"] == "subscription 49 USD/month x 3 months for 10 weeks"


def test_labour_market_falls_back_to_related_occupations_labelled() -> None:
    from assistant.models import Occupation, OccupationSkill

    esco_only = Occupation(
        id="esco-analyst", title="ESCO analyst", skills=[OccupationSkill(skill="sql", importance=0.9)], related=["data-analyst"], source="ESCO"
    )
    plan = plan_json(load_world(esco_only), profile(target="esco-analyst"))
    market = plan["labour_market"]
    assert market["median_wage"] == [] and "related occupations" in market["note"]
    assert market["related"][0]["occupation"] == "data-analyst" and market["related"][0]["median_wage"][0]["year"] == 2023
    assert "data-analyst" in {c["id"] for c in plan["citations"]}


def test_budget_in_a_currency_without_rates_is_an_input_error(world: Catalogue) -> None:
    from assistant.errors import InputError

    with pytest.raises(InputError, match="No exchange rate for CLP"):
        plan_json(world, profile(budget={"amount": 900000, "currency": "CLP"}))
