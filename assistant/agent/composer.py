"""The offline composer: clear Markdown answers built only from tool results.

Every fact comes from a record's fields; every record named is cited by its number in the
reply's citation list ([1], [2], ...). Figures carry units, source and date.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.catalogue import Catalogue
from assistant.models import Credential, Occupation

PERSONA_HELP = {
    "learner": [
        "Which credentials get me into data analytics on 8 hours a week and 1,500 EUR?",
        "What skills am I missing to become a cloud engineer?",
        "Are there free micro-credentials in green skills?",
    ],
    "recruiter": [
        "What does this badge certify? (attach a JSON, JWT, PNG or SVG)",
        "What is the CompTIA Security+ and how is it assessed?",
        "Compare AZ-900 and AWS Cloud Practitioner",
    ],
    "adviser": [
        "Draft a plan for a retail manager aiming at data analyst, 8 h/week, 1,500 EUR",
        "Make it cheaper",
        "How do CAS, DAS and MAS stack in Switzerland?",
    ],
}
CAPABILITIES = (
    "I can find credentials that fit a goal, budget and schedule; explain and compare credentials; "
    "give occupation facts (skills, wages, outlook); analyse a skill gap; draft a stackable learning plan; "
    "and check what an Open Badge certifies and whether it is genuine."
)


def money(cred: Credential) -> str:
    """A credential's cost with its date, or what is known about it."""
    cost = cred.cost
    if cost is None:
        return "cost not published in the catalogue"
    when = f" (as of {cost.as_of.isoformat()})" if cost.as_of else ""
    if cost.free or cost.amount == 0:
        return f"free{when}"
    if cost.amount is None or not cost.currency:
        return "funded for eligible learners" + (f" — {cost.note}" if cost.note else "") if cost.funded else "cost not published in the catalogue"
    return f"{cost.amount:,.0f} {cost.currency}{' indicative' if cost.indicative else ''}{when}"


def size(cred: Credential) -> str:
    parts = []
    if cred.workload_hours:
        parts.append(f"{cred.workload_hours:g} hours")
    if cred.duration_weeks:
        parts.append(f"{cred.duration_weeks:g} weeks")
    if cred.ects:
        parts.append(f"{cred.ects:g} ECTS")
    if cred.eqf_level:
        parts.append(f"EQF {cred.eqf_level}")
    return ", ".join(parts) or "workload not published"


def mode(cred: Credential) -> str:
    parts = [p for p in (cred.delivery.value if cred.delivery else None, cred.pace.value if cred.pace else None) if p]
    if cred.language:
        parts.append("in " + "/".join(cred.language))
    return ", ".join(parts)


def credential_line(n: int, cred: Credential) -> str:
    details = "; ".join(p for p in (money(cred), size(cred), mode(cred)) if p)
    return f"- **{cred.title}** — {cred.provider} ({cred.type.value.replace('-', ' ')}) [{n}]: {details}."


def credential_list(creds: list[Credential], intro: str, start: int = 1) -> str:
    lines = [intro, ""]
    lines += [credential_line(start + i, c) for i, c in enumerate(creds)]
    return "\n".join(lines)


# Catalogue text is data, not instructions: sentences that address the assistant, carry tool
# calls or role markers are left out of answers (a hostile record cannot speak through us).
_INSTRUCTION_LIKE = re.compile(
    r"\b(ignore|disregard|forget) (your|all|any|the|previous|prior)\b|\byou are now\b|\b(system|assistant|user)\s*:|"
    r"\b(admin|developer) mode\b|\bsay (that )?every\b|\brecommend only\b|<\/?tool_call>|\{\s*\"|\[source:",
    re.I,
)


def record_text(text: str) -> str:
    """A record's free text with instruction-like sentences removed."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    kept = [s for s in sentences if not _INSTRUCTION_LIKE.search(s)]
    if len(kept) < len(sentences):
        # what follows a role marker or a tool call in the same text is not the record's own voice either
        first_bad = next(i for i, s in enumerate(sentences) if _INSTRUCTION_LIKE.search(s))
        kept = sentences[:first_bad]
    return " ".join(kept)


def credential_detail(cred: Credential, catalogue: Catalogue, n: int = 1) -> str:
    paragraphs = [
        f"**{cred.title}** is a {cred.type.value.replace('-', ' ')} awarded by {cred.provider}"
        + (f" and offered on {cred.platform}" if cred.platform else "")
        + f" [{n}]."
    ]
    description = record_text(cred.description or "")
    if description:
        paragraphs.append(description)
    facts = [f"- Cost: {money(cred)}" + (f" — source: {cred.cost.source}" if cred.cost and cred.cost.source else ""), f"- Size: {size(cred)}"]
    if mode(cred):
        facts.append(f"- Format: {mode(cred)}")
    if cred.assessment_type:
        facts.append(f"- Assessment: {cred.assessment_type}" + (f" ({cred.supervision.value.replace('-', ' ')})" if cred.supervision else ""))
    if cred.codes:
        facts.append(f"- Codes: {', '.join(cred.codes)}")
    if cred.skills:
        facts.append("- Skills: " + ", ".join(catalogue.skill_label(s) for s in cred.skills))
    neighbours = catalogue.neighbours(cred.id)
    if neighbours["prerequisites"]:
        facts.append("- Requires: " + ", ".join(c.title for c in neighbours["prerequisites"]))
    if cred.prerequisite_note:
        facts.append(f"- Entry requirements: {cred.prerequisite_note}")
    if neighbours["stacks_into"]:
        credit = {link.target: link for link in cred.stacks_into}
        items = []
        for target in neighbours["stacks_into"]:
            link = credit.get(target.id)
            extra = f" ({link.credit:g} {link.credit_unit or 'credits'} recognised)" if link and link.credit else ""
            items.append(f"{target.title}{extra}")
        facts.append("- Stacks into: " + "; ".join(items))
    if cred.expires_after_months:
        facts.append(f"- Renewal: expires after {cred.expires_after_months} months")
    paragraphs.append("\n".join(facts))
    outcomes = [text for text in (record_text(o) for o in cred.learning_outcomes[:6]) if text]
    if outcomes:
        paragraphs.append("You will be able to:\n" + "\n".join(f"- {o}" for o in outcomes))
    reviewed = f" (catalogue entry reviewed {cred.last_reviewed.isoformat()})" if cred.last_reviewed else ""
    paragraphs.append(f"Source: {cred.source}{reviewed}.")
    return "\n\n".join(paragraphs)


def comparison(rows: list[dict[str, Any]], creds: list[Credential]) -> str:
    header = "| | " + " | ".join(f"{c.title} [{i + 1}]" for i, c in enumerate(creds)) + " |"
    sep = "|---" * (len(creds) + 1) + "|"

    def row(label: str, values: list[str]) -> str:
        return f"| {label} | " + " | ".join(v.replace("|", "/") for v in values) + " |"

    lines = [
        header,
        sep,
        row("Provider", [c.provider for c in creds]),
        row("Type", [c.type.value.replace("-", " ") for c in creds]),
        row("Cost", [money(c) for c in creds]),
        row("Size", [size(c) for c in creds]),
        row("Format", [mode(c) or "—" for c in creds]),
        row("Assessment", [c.assessment_type or "—" for c in creds]),
        row("Skills", [", ".join(r["skills"][:6]) or "—" for r in rows]),
    ]
    cheapest = _cheapest(creds)
    note = f"\n\nOf these, **{cheapest.title}** has the lowest published cost." if cheapest else ""
    return "Here they are side by side:\n\n" + "\n".join(lines) + note


def _cheapest(creds: list[Credential]) -> Credential | None:
    priced = [c for c in creds if c.cost and c.cost.currency and c.cost.amount is not None]
    currencies = {c.cost.currency for c in priced if c.cost}
    if len(priced) < 2 or len(currencies) != 1:
        return None
    return min(priced, key=lambda c: c.cost.amount or 0.0 if c.cost else 0.0)


def occupation_facts(occ: Occupation, catalogue: Catalogue, n: int = 1) -> str:
    parts = [f"**{occ.title}** [{n}]" + (f" (O*NET-SOC {occ.onet_soc})" if occ.onet_soc else "") + (f": {occ.description}" if occ.description else ".")]
    facts = []
    for wage in occ.median_wage:
        facts.append(f"- Median wage: {wage.amount:,.0f} {wage.currency} per {wage.period} in {wage.region} ({wage.year}; source: {wage.source})")
    for outlook in occ.outlook:
        growth = f"{outlook.growth_pct:+g}% projected employment change" if outlook.growth_pct is not None else (outlook.description or "outlook")
        facts.append(f"- Outlook: {growth} over {outlook.period or 'the projection period'} in {outlook.region} (source: {outlook.source}, {outlook.year})")
    if not occ.median_wage:
        facts.append("- Median wage: not in the catalogue for this occupation")
    if occ.skills:
        top = sorted(occ.skills, key=lambda s: -s.importance)[:8]
        facts.append("- Key skills: " + ", ".join(catalogue.skill_label(s.skill) for s in top))
    if occ.technologies:
        hot = [t.name + (" (hot)" if t.hot else "") for t in occ.technologies[:8]]
        facts.append("- Technologies: " + ", ".join(hot))
    if occ.entry_requirements:
        facts.append(f"- Entry: {occ.entry_requirements}")
    parts.append("\n".join(facts))
    return "\n\n".join(parts)


def skill_gap(gap: dict[str, Any]) -> str:
    occ = gap["occupation"]
    lines = [f"For **{occ['title']}** [1], you already bring {gap['readiness'] * 100:.0f}% of what the role needs (weighted by importance)."]
    if gap["transferable"]:
        lines.append(
            "\n**Transferable skills you bring:**\n"
            + "\n".join(f"- {n['label']}" + (f" (from {n['source']})" if n.get("source") else "") for n in gap["transferable"])
        )
    if gap["gap"]:
        lines.append(
            "\n**Skills to build, most important first:**\n"
            + "\n".join(f"- {n['label']} (importance {n['importance']:.2f}{', essential' if n['essential'] else ''})" for n in gap["gap"][:12])
        )
    else:
        lines.append("\nYou already have every skill the catalogue lists for this occupation.")
    if gap.get("unmatched_skills"):
        lines.append("\n(I could not match these skills to the catalogue: " + ", ".join(gap["unmatched_skills"]) + ".)")
    return "\n".join(lines)


def plan_answer(plan: dict[str, Any], index_of: dict[str, int]) -> str:
    if not plan.get("steps"):
        text = ["I could not find a plan that closes any of the gap within your constraints."]
        text += _relaxations(plan)
        return "\n".join(text)
    total = plan.get("total_cost") or {}
    cost = f"{total.get('amount', 0):,.0f} {total.get('currency', '')}".strip()
    head = (
        f"Here is a plan of {len(plan['steps'])} step(s) over {plan.get('total_weeks', 0)} weeks for about {cost}, "
        f"covering {plan.get('coverage', 0) * 100:.0f}% of your skill gap (weighted by importance)."
    )
    if not plan.get("feasible", True):
        head = "No plan meets every constraint; " + head[0].lower() + head[1:]
    lines = [head, ""]
    for n, step in enumerate(plan["steps"], 1):
        ref = index_of.get(step["credential_id"])
        ref_s = f" [{ref}]" if ref else ""
        step_cost = step.get("cost") or {}
        cost_s = f"{step_cost.get('amount'):,.0f} {step_cost.get('currency')}" if step_cost.get("amount") is not None else "cost not published"
        why = f" — {step['why']}" if step.get("why") else ""
        lines.append(f"{n}. **{step['title']}**{ref_s}: weeks {step['start_week']}–{step['end_week']}, {step.get('hours', 0):g} h, {cost_s}{why}")
    if plan.get("missing_skills"):
        lines.append("\nStill missing after the plan: " + ", ".join(_label(s) for s in plan["missing_skills"][:10]) + ".")
    for stack in plan.get("stacks_into", [])[:3]:
        missing = stack.get("credits_missing")
        lines.append(
            f"\nThis path stacks into **{stack.get('title', stack.get('target'))}**"
            + (
                f": {stack.get('credits_earned'):g} credits earned, {missing:g} still missing."
                if isinstance(missing, int | float) and stack.get("credits_earned") is not None
                else "."
            )
        )
    lines += _labour_market(plan.get("labour_market") or {})
    if plan.get("objective"):
        lines.append(f"\n_Objective: {plan['objective']}{' (proven optimal)' if plan.get('optimal') else ''}._")
    lines += _relaxations(plan)
    return "\n".join(lines)


def _label(skill: Any) -> str:
    if isinstance(skill, dict):
        return str(skill.get("label") or skill.get("skill"))
    return str(skill).replace("-", " ")


def _labour_market(labour: dict[str, Any]) -> list[str]:
    """Wage and outlook of the target, or of related occupations labelled as such; always with source and year."""
    out: list[str] = []
    sources = [("the target occupation", labour)] if labour.get("median_wage") or labour.get("outlook") else []
    sources += [(f"the related occupation {r.get('title', r.get('occupation'))}", r) for r in (labour.get("related") or [])[:1]]
    for who, facts in sources[:1]:
        for wage in (facts.get("median_wage") or [])[:1]:
            out.append(
                f"\nFor context, the median wage of {who} is {wage['amount']:,.0f} {wage['currency']} per {wage.get('period', 'year')} in {wage['region']} ({wage['year']}; {wage['source']})."
            )
        for outlook in (facts.get("outlook") or [])[:1]:
            if outlook.get("growth_pct") is not None:
                out.append(
                    f"Projected employment change: {outlook['growth_pct']:+g}% over {outlook.get('period') or 'the projection period'} in {outlook['region']} ({outlook['source']}, {outlook['year']})."
                )
    return out


def _relaxations(plan: dict[str, Any]) -> list[str]:
    out = []
    binding = plan.get("binding_constraints") or []
    if binding:
        out.append(
            "\nWhat holds the plan back: " + "; ".join((b.get("detail") or b.get("text") or str(b)) if isinstance(b, dict) else str(b) for b in binding) + "."
        )
    relax = [r for r in (plan.get("relaxations") or []) if isinstance(r, dict) and r.get("text")]
    if relax:
        out.append("\nWhat a small change would give:")
        for item in relax[:3]:
            cov = f" coverage {item['coverage'] * 100:.0f}%" if isinstance(item.get("coverage"), int | float) else ""
            out.append(
                f"- {item['text'].capitalize()}:{cov}"
                + (f", adds {', '.join(_label(s) for s in item.get('adds_skills', [])[:4])}" if item.get("adds_skills") else "")
                + "."
            )
    return out


def badge_answer(result: dict[str, Any]) -> str:
    verdict = result.get("verdict", "unverified")
    headline = {
        "verified": "✅ **Verified.** Every check passed.",
        "invalid": "❌ **Invalid.** The signature or content does not check out — treat this badge as not genuine.",
        "expired": "⌛ **Expired.** The badge checks out but is past its end date.",
        "revoked": "⛔ **Revoked.** The issuer has withdrawn this badge.",
        "unverified": "⚠️ **Unverified.** A needed check could not run, so I cannot say it is genuine.",
    }.get(verdict, f"**{verdict}**")
    lines = [headline, ""]
    for check in result.get("checks", []):
        mark = {"pass": "pass", "fail": "FAIL", "skipped": "skipped"}.get(check.get("status"), check.get("status"))
        lines.append(f"- {check.get('name')}: {mark} — {check.get('detail')}")
    achievement = result.get("achievement") or {}
    issuer = result.get("issuer") or {}
    if achievement.get("name"):
        lines.append(f"\n**What it certifies:** {achievement.get('name')}" + (f" — {achievement.get('description')}" if achievement.get("description") else ""))
    if achievement.get("criteria"):
        criteria = achievement["criteria"]
        text = criteria.get("narrative") if isinstance(criteria, dict) else criteria
        if text:
            lines.append(f"\n**Criteria:** {text}")
    if issuer.get("name"):
        lines.append(f"\n**Issuer:** {issuer.get('name')}" + (f" ({issuer.get('id')})" if issuer.get("id") else ""))
    elements = result.get("eu_elements") or {}
    if elements:
        missing = [k.replace("_", " ") for k, v in elements.items() if not v]
        lines.append(
            f"\n**EU micro-credential elements:** {sum(1 for v in elements.values() if v)} of {len(elements)} present"
            + (f"; missing: {', '.join(missing)}." if missing else ".")
        )
    return "\n".join(lines)


def best_section(body: str, question: str, limit: int = 900) -> tuple[str, str]:
    """The Markdown section of a guide that shares most words with the question, trimmed."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in body.splitlines():
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif not line.startswith("# "):
            sections[-1][1].append(line)
    words = {w for w in re.findall(r"[a-z0-9]{3,}", question.lower())} - {"what", "how", "does", "the", "are", "and", "for", "work"}

    def overlap(section: tuple[str, list[str]]) -> int:
        text = (section[0] + " " + " ".join(section[1])).lower()
        return sum(2 if w in section[0].lower() else 1 for w in words if w in text)

    candidates = [s for s in sections if " ".join(s[1]).strip()]
    if not candidates:
        return "", ""
    heading, lines = max(candidates, key=overlap)
    text = "\n".join(lines).strip()
    if len(text) > limit:
        text = text[:limit].rsplit(". ", 1)[0] + "."
    return heading, text


def nothing_found(query: str, filters: dict[str, Any]) -> str:
    active = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in filters.items() if k not in {"currency", "kind"} and v not in (None, False))
    hint = f" with {active}" if active else ""
    return (
        f"I found nothing in the catalogue that matches “{query.strip()}”{hint}. "
        "Try broader words (a field such as “data” or “cloud”), fewer constraints, or ask about a related occupation."
    )


def refusal(persona: str) -> str:
    return f"Sorry — that is outside what I can help with. {CAPABILITIES} For example: “{PERSONA_HELP.get(persona, PERSONA_HELP['learner'])[0]}”"


def greeting(persona: str) -> str:
    examples = "\n".join(f"- {e}" for e in PERSONA_HELP.get(persona, PERSONA_HELP["learner"]))
    return f"Hello! {CAPABILITIES}\n\nYou could ask:\n{examples}"


MISSING_QUESTIONS = {
    "target": "which job or occupation you are aiming at",
    "hours_per_week": "how many hours a week you can study",
    "budget": "your budget (amount and currency)",
}


def ask_for(missing: list[str], known: list[str]) -> str:
    asks = [MISSING_QUESTIONS[m] for m in missing]
    said = f"So far I have: {'; '.join(known)}. " if known else ""
    return f"{said}To draft a plan I need {', '.join(asks[:-1]) + ' and ' + asks[-1] if len(asks) > 1 else asks[0]}. Optional: a deadline, language, delivery (online / in person) and where you live."
