"""`stackwise plan --profile PROFILE.json`: a skill-gap analysis and a stackable learning plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError

from assistant.cli._common import JsonOption, StoreOption, print_json, services_for
from assistant.errors import InputError
from assistant.models import LearnerProfile

OBJECTIVE_CHOICES = ("balanced", "cheapest", "fastest", "most-stackable")


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)


def load_profile(path: Path) -> LearnerProfile:
    """The learner profile in ``path``; one-line InputError naming the file and field otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such profile file — pass --profile PROFILE.json.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the profile ({exc.__class__.__name__}).") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: a profile is a JSON object with current_role, skills, target, budget, hours_per_week, ...")
    try:
        profile = LearnerProfile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "(root)"
        raise InputError(f"{path}: field {where!r}: {error['msg']}.") from None
    if not profile.target:
        raise InputError(f"{path}: field 'target': give the occupation to plan toward (title, O*NET-SOC code or ESCO URI).")
    return profile


def plan(
    profile: Path = typer.Option(..., "--profile", help="Learner profile JSON (see DESIGN.md: target, skills, budget, hours_per_week, ...)."),
    store: Path | None = StoreOption,
    as_json: bool = JsonOption,
    objective: str = typer.Option("balanced", "--objective", help="balanced, cheapest, fastest or most-stackable."),
    alternatives: bool = typer.Option(False, "--alternatives", help="One plan per objective, side by side."),
) -> None:
    """Analyse the skill gap toward the profile's target and propose a stackable learning plan."""
    from assistant.planner import plan_alternatives, plan_stackable_path

    if objective not in OBJECTIVE_CHOICES:
        raise InputError(f"Unknown objective {objective!r} — use one of {', '.join(OBJECTIVE_CHOICES)}.")
    learner = load_profile(profile)
    services = services_for(store)
    catalogue = services.catalogue
    settings = services.settings.planner
    if alternatives:
        plans = plan_alternatives(learner, catalogue, settings)
        if as_json:
            print_json({name: p.as_json() for name, p in plans.items()})
            return
        _print_comparison({name: p.as_json() for name, p in plans.items()})
        typer.echo("")
        _print_plan(plans[objective].as_json())
        return
    result = plan_stackable_path(learner, catalogue, settings, objective)  # type: ignore[arg-type]
    if as_json:
        print_json(result.as_json())
        return
    _print_plan(result.as_json())


def _money(cost: dict[str, Any]) -> str:
    if cost.get("amount") is None:
        return f"price not published ({cost.get('note', 'unknown')})"
    text = f"{cost['amount']:,.2f} {cost['currency']}"
    details = [f"as of {cost['as_of']}" if cost.get("as_of") else None, cost.get("source")]
    if cost.get("original"):
        details.append(f"from {cost['original']['amount']:,.2f} {cost['original']['currency']} at {cost.get('converted_with', 'the rate table')}")
    if cost.get("subscription"):
        details.append(f"counted as {cost['subscription']}")
    if cost.get("note"):
        details.append(cost["note"])
    shown = "; ".join(d for d in details if d)
    return f"{text} ({shown})" if shown else text


def _print_plan(data: dict[str, Any]) -> None:
    echo = typer.echo
    target = data["target"]
    echo(f"Plan toward {target['title']} ({target['id']}) — {data['objective_name']}")
    echo(f"Objective: {data['objective']}")
    if data["transferable_skills"]:
        echo("Transferable skills you bring: " + ", ".join(f"{s['label']} ({s.get('source', '')})" for s in data["transferable_skills"]))
    if data["gap"]:
        echo("Skill gap: " + ", ".join(f"{s['label']} ({s['importance']:.2f})" for s in data["gap"]))
    echo("")
    if data["steps"]:
        echo("Timeline:")
        for step in data["steps"]:
            echo(f"  weeks {step['start_week']:>3}-{step['end_week']:<3} {step['title']} ({step['provider']}, {step['credential_id']})")
            echo(f"               {step['hours']:g} h at {step['hours_per_week']:.1f} h/week; {_money(step['cost'])}")
            echo(f"               {step['why']}")
            if step.get("schedule_note"):
                echo(f"               note: {step['schedule_note']}")
    else:
        echo("No step fits your limits.")
    echo("")
    total = data["total_cost"]
    unknown = f" + {total['unknown_steps']} step(s) with unpublished price" if total.get("unknown_steps") else ""
    converted = f"; converted with {total['converted_with']}" if total.get("converted_with") else ""
    echo(
        f"Total: {total['amount']:,.2f} {total['currency']}{unknown} (prices as of {total.get('as_of') or 'n/a'}{converted}), {data['total_weeks']} weeks, {data['total_hours']:g} hours"
    )
    if data["credits"].get("ects"):
        echo(f"Credits: {data['credits']['ects']:g} ECTS")
    covered, gap = len(data["covered_skills"]), len(data["gap"])
    echo(f"Coverage: {data['coverage']:.0%} of the importance-weighted gap ({covered}/{gap} skills); readiness after the plan {data['readiness_after']:.0%}")
    for missing in data["missing_skills"]:
        echo(f"  still open: {missing['label']} — {missing['reason']}")
    for stack in data["stacks_into"]:
        echo(f"Stacks: {stack['text']}")
    _print_labour_market(data["labour_market"])
    if data["relaxations"]:
        echo("To close more of the gap:")
        for relax in data["relaxations"]:
            echo(f"  {relax['text']}: coverage {relax['coverage']:.0%} (adds {', '.join(relax['adds_skills']) or 'nothing new'})")
    for note in data["assumptions"]:
        echo(f"Assumption: {note}")
    echo(
        f"Feasible: {'yes' if data['feasible'] else 'no'}; optimal: {'yes' if data['optimal'] else 'no'} ({data['solver_status']}, {data['candidates_considered']} candidates, {data['solve_ms']:.0f} ms)"
    )
    echo("")
    echo(data["explanation"])
    echo("")
    echo("Sources:")
    for n, cite in enumerate(data["citations"], 1):
        reviewed = f", reviewed {cite['last_reviewed']}" if cite.get("last_reviewed") else ""
        echo(f"  [{n}] {cite['title']} ({cite['id']}) {cite.get('url') or cite.get('source') or ''}{reviewed}")


def _print_labour_market(market: dict[str, Any], prefix: str = "") -> None:
    for wage in market.get("median_wage", []):
        period = wage.get("period", "year")
        typer.echo(f"{prefix}Median wage: {wage['amount']:,.0f} {wage['currency']}/{period} ({wage['region']}, {wage['year']}; source: {wage['source']})")
    for outlook in market.get("outlook", []):
        growth = f"{outlook['growth_pct']:+g}%" if outlook.get("growth_pct") is not None else (outlook.get("description") or "n/a")
        typer.echo(f"{prefix}Outlook: {growth} over {outlook.get('period') or 'n/a'} ({outlook['region']}; source: {outlook['source']}, {outlook['year']})")
    if market.get("note"):
        typer.echo(f"Labour market: {market['note']}")
    for related in market.get("related", []):
        _print_labour_market(related, prefix=f"  {related['title']} ({related['occupation']}): ")


def _print_comparison(plans: dict[str, dict[str, Any]]) -> None:
    typer.echo(f"{'objective':<16}{'steps':>6}{'cost':>14}{'weeks':>7}{'hours':>7}{'coverage':>10}{'stacking':>10}")
    for name, data in plans.items():
        cost = data["total_cost"]
        stacking = sum(1 for s in data["steps"] if "earns credit" in s["why"])
        typer.echo(
            f"{name:<16}{len(data['steps']):>6}{cost['amount']:>10,.0f} {cost['currency']}{data['total_weeks']:>7}{data['total_hours']:>7.0f}{data['coverage']:>10.0%}{stacking:>10}"
        )
