"""How a plan is shown: costs with their sources, stacks and credits, labour market, citations."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from assistant.catalogue import Catalogue
from assistant.models import Credential, Occupation
from assistant.planning._candidates import CREDIT_RELATIONS, price_for


def step_cost(cred: Credential, weeks: int, currency: str, catalogue: Catalogue) -> dict[str, Any]:
    """The step's cost in the plan's currency over its weeks, with its source, date and any conversion."""
    cost = cred.cost
    amount, subscription = price_for(cred, weeks, currency, catalogue)
    data: dict[str, Any] = {"amount": None if amount is None else round(amount, 2), "currency": currency}
    if cost is None:
        data["note"] = "price not published"
        return data
    data.update({"as_of": cost.as_of.isoformat() if cost.as_of else None, "source": cost.source or cred.source})
    if cost.free or cost.funded:
        data["free" if cost.free else "funded"] = True
    if cost.note:
        data["note"] = cost.note
    if subscription:
        data["subscription"] = subscription
    if amount is None:
        data["note"] = "price not published" if cost.amount is None else f"no exchange rate from {cost.currency}"
    elif cost.currency and cost.currency != currency and cost.amount:
        if not subscription:  # a subscription's own text says what was counted
            data["original"] = {"amount": cost.amount, "currency": cost.currency}
        if catalogue.rates is not None:
            data["converted_with"] = catalogue.rates.citation
    return data


def total_cost(costs: list[dict[str, Any]], currency: str, catalogue: Catalogue) -> dict[str, Any]:
    known = [c["amount"] for c in costs if c.get("amount") is not None]
    dates = sorted(c["as_of"] for c in costs if c.get("as_of"))
    data: dict[str, Any] = {"amount": round(sum(known), 2), "currency": currency, "unknown_steps": len(costs) - len(known)}
    data["as_of"] = dates[-1] if dates else None
    data["source"] = "sum of the step prices (each with its own source and date)"
    if any("converted_with" in c for c in costs) and catalogue.rates is not None:
        data["converted_with"] = catalogue.rates.citation
    return data


def credits_earned(creds: list[Credential]) -> dict[str, Any]:
    """Credit the plan's steps carry: ECTS, and other units summed per unit."""
    other: dict[str, float] = defaultdict(float)
    for cred in creds:
        for value in cred.credits:
            other[value.unit] += value.value
    ects = [c.ects for c in creds if c.ects is not None]
    return {
        "ects": round(sum(ects), 2) if ects else None,
        "steps_without_ects": sum(1 for c in creds if c.ects is None),
        "other": [{"value": round(v, 2), "unit": u} for u, v in sorted(other.items())],
    }


def _required(target: Credential, unit: str | None) -> float | None:
    if (unit is None or unit.strip().casefold() == "ects") and target.ects:
        return target.ects
    if unit is not None:
        for value in target.credits:
            if value.unit.strip().casefold() == unit.strip().casefold():
                return value.value
    return None


def stacks(plan_ids: list[str], held_ids: list[str], catalogue: Catalogue) -> list[dict[str, Any]]:
    """What the plan's steps (with what the learner holds) earn toward larger qualifications."""
    contributions: dict[str, list[tuple[str, float | None, str | None, bool]]] = defaultdict(list)
    for cred_id in [*plan_ids, *held_ids]:
        cred = catalogue.credentials.get(cred_id)
        if cred is None:
            continue
        in_plan = cred_id in plan_ids
        for link in cred.stacks_into:
            if link.relation in CREDIT_RELATIONS and link.target in catalogue.credentials:
                contributions[link.target].append((cred_id, link.credit, link.credit_unit, in_plan))
        for part in cred.part_of:
            if part in catalogue.credentials and all(c[0] != cred_id for c in contributions[part]):
                contributions[part].append((cred_id, cred.ects, "ECTS" if cred.ects else None, in_plan))
    out: list[dict[str, Any]] = []
    for target_id, parts in contributions.items():
        if not any(p[3] for p in parts):
            continue  # only held credentials stack there; nothing this plan adds
        target = catalogue.credentials[target_id]
        units = {p[2] for p in parts if p[1] is not None}
        unit = units.pop() if len(units) == 1 else ("ECTS" if not units else None)
        earned = sum(p[1] for p in parts if p[1] is not None and p[2] == unit) if unit else None
        unknown = sum(1 for p in parts if p[1] is None)
        required = _required(target, unit)
        missing = None if required is None or earned is None or unknown else max(0.0, round(required - earned, 2))
        components = catalogue.stacked_from.get(target_id, [])
        entry: dict[str, Any] = {
            "target": target_id,
            "title": target.title,
            "credits_earned": earned if earned or not unknown else None,
            "credits_required": required,
            "credits_missing": missing,
            "credit_unit": unit,
            "from": [p[0] for p in parts],
            "components_known": len(set(components)),
        }
        entry["text"] = _stack_sentence(entry, unknown)
        out.append(entry)
    return sorted(out, key=lambda e: (-(len(e["from"])), e["target"]))


def _stack_sentence(entry: dict[str, Any], unknown: int) -> str:
    unit = entry["credit_unit"] or "credits"
    parts = ", ".join(entry["from"])
    if entry["credits_earned"] is not None and entry["credits_required"] is not None:
        return (
            f"{parts} earn {entry['credits_earned']:g} of the {entry['credits_required']:g} {unit} of {entry['title']}"
            + (f"; {entry['credits_missing']:g} {unit} still missing" if entry["credits_missing"] is not None else "")
            + (f" ({unknown} component(s) with unpublished credit)" if unknown else "")
        )
    if entry["credits_earned"]:
        return f"{parts} earn {entry['credits_earned']:g} {unit} toward {entry['title']} (credit it requires not published)"
    return f"{parts} count toward {entry['title']} (credit value not published; {entry['components_known']} component(s) known)"


def labour_market(occupation: Occupation, catalogue: Catalogue) -> dict[str, Any]:
    """Median wage and outlook of the target, each with source and year.

    When the target has neither (ESCO occupations carry no wage), the figures of up to two
    related occupations are given instead, labelled as such.
    """
    data: dict[str, Any] = {
        "occupation": occupation.id,
        "median_wage": [w.model_dump(mode="json", exclude_none=True) for w in occupation.median_wage],
        "outlook": [o.model_dump(mode="json", exclude_none=True) for o in occupation.outlook],
        "related": [],
        "note": None,
    }
    if occupation.median_wage or occupation.outlook:
        return data
    for related_id in occupation.related:
        related = catalogue.occupations.get(related_id)
        if related is not None and (related.median_wage or related.outlook) and len(data["related"]) < 2:
            data["related"].append(
                {
                    "occupation": related.id,
                    "title": related.title,
                    "median_wage": [w.model_dump(mode="json", exclude_none=True) for w in related.median_wage],
                    "outlook": [o.model_dump(mode="json", exclude_none=True) for o in related.outlook],
                }
            )
    data["note"] = "no dated, cited wage or outlook figure for this occupation in the catalogue" + (
        "; figures of related occupations are shown instead" if data["related"] else ""
    )
    return data


def citation(record: Credential | Occupation) -> dict[str, Any]:
    return {
        "id": record.id,
        "title": record.title,
        "url": record.url,
        "source": record.source,
        "last_reviewed": record.last_reviewed.isoformat() if record.last_reviewed else None,
    }


def citations(
    occupation: Occupation, cred_ids: list[str], catalogue: Catalogue, rates_used: bool, related: list[Occupation] | None = None
) -> list[dict[str, Any]]:
    out = [citation(occupation), *(citation(o) for o in related or [])]
    for cred_id in dict.fromkeys(cred_ids):
        cred = catalogue.credentials.get(cred_id)
        if cred is not None:
            out.append(citation(cred))
    if rates_used and catalogue.rates is not None:
        rates = catalogue.rates
        out.append({"id": "rates", "title": rates.citation, "url": rates.url, "source": rates.source, "last_reviewed": rates.as_of.isoformat()})
    return out
