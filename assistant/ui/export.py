"""A plan (the DESIGN.md plan JSON) as Markdown, PDF (reportlab) and JSON for download."""

from __future__ import annotations

import io
import json
from typing import Any
from xml.sax.saxutils import escape

from assistant.ui.format import cost_of, percent, skill_of, stack_target_id


def _cell(value: Any) -> str:
    """Plain text safe inside a Markdown table cell."""
    return str(value if value is not None else "—").replace("|", "\\|").replace("\n", " ")


def _profile_lines(profile: dict[str, Any] | None) -> list[str]:
    if not profile:
        return []
    budget = profile.get("budget") or {}
    fields = [
        ("Current role", profile.get("current_role")),
        ("Target", profile.get("target")),
        ("Budget", cost_of(budget) if budget else None),
        ("Hours per week", profile.get("hours_per_week")),
        ("Deadline (weeks)", profile.get("deadline_weeks")),
        ("Region", profile.get("region")),
        ("Language", ", ".join(profile.get("language") or []) or None),
        ("Delivery", ", ".join(profile.get("delivery") or []) or None),
        ("Skills", ", ".join(profile.get("skills") or []) or None),
        ("Held credentials", ", ".join(profile.get("held_credentials") or []) or None),
    ]
    return [f"- {label}: {value}" for label, value in fields if value not in (None, "")]


def labour_market_lines(labour_market: Any) -> list[str]:
    """Wage and outlook figures with region, year and source, as plain sentences."""
    if not labour_market:
        return []
    if isinstance(labour_market, str):
        return [labour_market]
    if isinstance(labour_market, list):
        return [line for item in labour_market for line in labour_market_lines(item)]
    lines: list[str] = []
    title = labour_market.get("title") or labour_market.get("occupation")
    if isinstance(title, dict):
        title = title.get("title")
    for wage in labour_market.get("median_wage") or labour_market.get("wages") or []:
        if isinstance(wage, dict) and wage.get("amount") is not None:
            lines.append(
                f"Median wage{f' ({title})' if title else ''}: {wage['amount']:,.0f} {wage.get('currency', '')} per {wage.get('period', 'year')}"
                f" — {wage.get('region', '')}, {wage.get('year', '')}; source: {wage.get('source', 'not stated')}"
            )
    for outlook in labour_market.get("outlook") or []:
        if isinstance(outlook, dict):
            growth = f"{outlook['growth_pct']:+g}%" if outlook.get("growth_pct") is not None else (outlook.get("description") or "")
            lines.append(
                f"Outlook: {growth} over {outlook.get('period') or 'the projection period'} — {outlook.get('region', '')}, {outlook.get('year', '')}; source: {outlook.get('source', 'not stated')}"
            )
    for key in ("summary", "note"):
        if not lines and labour_market.get(key):
            lines.append(str(labour_market[key]))
    return lines


def missing_text(missing: list[Any]) -> str:
    """Missing skills with why each is missing, when the plan says."""
    out = []
    for item in missing:
        skill, _, reason = skill_of(item)
        out.append(f"{skill} ({reason})" if reason else skill)
    return "; ".join(out)


def _citation_text(citation: Any) -> str:
    if isinstance(citation, dict):
        parts = [
            citation.get("title") or citation.get("id"),
            citation.get("provider"),
            citation.get("url") or citation.get("source"),
            citation.get("date") or citation.get("last_reviewed"),
        ]
        return " · ".join(str(p) for p in parts if p)
    return str(citation)


def plan_to_markdown(plan: dict[str, Any], profile: dict[str, Any] | None = None, title: str = "Stackwise learning plan") -> str:
    """The plan as a Markdown document: profile, steps, totals, coverage, labour market, sources."""
    out = [f"# {title}", ""]
    if profile_lines := _profile_lines(profile):
        out += ["## Profile", "", *profile_lines, ""]
    out += ["## Steps", "", "| # | Credential | Weeks | Hours | Cost | Skills | Why |", "|---|---|---|---|---|---|---|"]
    for i, step in enumerate(plan.get("steps") or [], 1):
        weeks = f"{step.get('start_week', '?')}–{step.get('end_week', '?')}"
        out.append(
            f"| {i} | {_cell(step.get('title'))} (`{_cell(step.get('credential_id'))}`) | {weeks} | {_cell(step.get('hours'))} | {_cell(cost_of(step.get('cost')))}"
            f" | {_cell(', '.join(step.get('skills') or []))} | {_cell(step.get('why'))} |"
        )
    out += [
        "",
        "## Totals",
        "",
        f"- Total cost: {cost_of(plan.get('total_cost'))}",
        f"- Total weeks: {plan.get('total_weeks', '—')}",
        f"- Skill coverage: {percent(plan.get('coverage'))}",
        f"- Feasible: {'yes' if plan.get('feasible') else 'no'}",
    ]
    if plan.get("covered_skills"):
        out.append(f"- Skills covered: {', '.join(skill_of(s)[0] for s in plan['covered_skills'])}")
    if plan.get("missing_skills"):
        out.append(f"- Skills still missing: {missing_text(plan['missing_skills'])}")
    if plan.get("stacks_into"):
        out.append(f"- Stacks into: {', '.join(stack_target_id(s) for s in plan['stacks_into'])}")
    if plan.get("explanation"):
        out += ["", "## Why this plan", "", str(plan["explanation"])]
    if lm := labour_market_lines(plan.get("labour_market")):
        out += ["", "## Labour market", "", *[f"- {line}" for line in lm]]
    if plan.get("citations"):
        out += ["", "## Sources", "", *[f"- {_citation_text(c)}" for c in plan["citations"]]]
    return "\n".join(out) + "\n"


def plan_to_json(plan: dict[str, Any], profile: dict[str, Any] | None = None) -> str:
    """The plan JSON (the `plan --json` contract), with the profile it was made for."""
    payload = dict(plan)
    if profile:
        payload["profile"] = profile
    return json.dumps(payload, indent=2, ensure_ascii=False, default=str)


def plan_to_pdf(plan: dict[str, Any], profile: dict[str, Any] | None = None, title: str = "Stackwise learning plan") -> bytes:
    """The plan as a PDF. Every string is XML-escaped: reportlab paragraphs parse markup."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)

    def para(text: Any, style: Any = None) -> Paragraph:
        return Paragraph(escape(str(text if text is not None else "—")), style or styles["BodyText"])

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=title, author="Stackwise", leftMargin=1.5 * cm, rightMargin=1.5 * cm)
    story: list[Any] = [para(title, styles["Title"])]
    if profile_lines := _profile_lines(profile):
        story += [para("Profile", styles["Heading2"]), *[para(line.removeprefix("- ")) for line in profile_lines]]
    story.append(para("Steps", styles["Heading2"]))
    rows: list[list[Any]] = [[para(h, small) for h in ("#", "Credential", "Weeks", "Hours", "Cost", "Skills", "Why")]]
    for i, step in enumerate(plan.get("steps") or [], 1):
        rows.append(
            [
                para(i, small),
                para(f"{step.get('title')} ({step.get('credential_id')})", small),
                para(f"{step.get('start_week', '?')}–{step.get('end_week', '?')}", small),
                para(step.get("hours"), small),
                para(cost_of(step.get("cost")), small),
                para(", ".join(step.get("skills") or []), small),
                para(step.get("why"), small),
            ]
        )
    table = Table(rows, colWidths=[1 * cm, 6 * cm, 2 * cm, 1.5 * cm, 2.5 * cm, 5 * cm, 8.5 * cm], repeatRows=1)
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    story += [table, Spacer(1, 0.4 * cm), para("Totals", styles["Heading2"])]
    story += [
        para(f"Total cost: {cost_of(plan.get('total_cost'))} · total weeks: {plan.get('total_weeks', '—')} · skill coverage: {percent(plan.get('coverage'))}"),
    ]
    if plan.get("missing_skills"):
        story.append(para(f"Skills still missing: {missing_text(plan['missing_skills'])}"))
    if plan.get("explanation"):
        story += [para("Why this plan", styles["Heading2"]), para(plan["explanation"])]
    if lm := labour_market_lines(plan.get("labour_market")):
        story += [para("Labour market", styles["Heading2"]), *[para(line) for line in lm]]
    if plan.get("citations"):
        story += [para("Sources", styles["Heading2"]), *[para(_citation_text(c), small) for c in plan["citations"]]]
    doc.build(story)
    return buffer.getvalue()
