"""Text helpers for the UI: catalogue text is shown as text, never as Markdown or HTML."""

from __future__ import annotations

import re
from typing import Any

from assistant.models import Credential

# Every ASCII punctuation mark CommonMark lets us escape, plus Streamlit's own directives
# (":red[...]", "$...$" LaTeX) which are defused by escaping ":", "[" and "$".
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'])")


def md(text: Any) -> str:
    """``text`` escaped so that st.markdown shows it literally (no links, HTML, emphasis)."""
    if text is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return "—"
    if amount == 0:
        return "free"
    return f"{amount:,.0f} {currency or ''}".strip()


def credential_cost(cred: Credential) -> str:
    """The published cost of a credential in words, with its date."""
    cost = cred.cost
    if cost is None:
        return "cost not published"
    if cost.free or cost.amount == 0:
        return "free"
    if cost.amount is None or not cost.currency:
        return "funded" if cost.funded else "cost not published"
    when = f", as of {cost.as_of.isoformat()}" if cost.as_of else ""
    return f"{cost.amount:,.0f} {cost.currency} (indicative{when})"


def credential_cost_short(cred: Credential) -> str:
    """The cost without its date, for tables and metrics ("—" when not published)."""
    cost = cred.cost
    if cost is not None and (cost.free or cost.amount == 0):
        return "free"
    if cost is None or cost.amount is None or not cost.currency:
        return "funded" if cost is not None and cost.funded else "—"
    return f"{cost.amount:,.0f} {cost.currency}"


def cost_of(value: Any) -> str:
    """A plan's ``{"amount", "currency"}`` cost as text."""
    if isinstance(value, dict):
        return money(value.get("amount"), value.get("currency"))
    if isinstance(value, int | float):
        return money(float(value), None)
    return "—"


def percent(value: Any) -> str:
    return f"{float(value) * 100:.0f}%" if isinstance(value, int | float) else "—"


def skill_of(item: Any) -> tuple[str, float | None, str | None]:
    """(skill id, importance, reason) of a plan's covered/missing skill entry (an id, or a dict)."""
    if isinstance(item, dict):
        importance = item.get("importance")
        return (
            str(item.get("skill") or item.get("id") or item.get("label")),
            float(importance) if isinstance(importance, int | float) else None,
            item.get("reason"),
        )
    return str(item), None, None


def stack_target_id(item: Any) -> str:
    """The id in a plan's ``stacks_into`` entry (an id, or a dict naming one)."""
    if isinstance(item, dict):
        return str(item.get("id") or item.get("target") or item.get("credential_id") or item.get("title") or "")
    return str(item)


def citation_line(title: str, provider: str | None, source: str | None, date: str | None) -> str:
    """One citation as escaped Markdown: **title** · provider · source · date."""
    parts = [f"**{md(title)}**"]
    parts += [md(p) for p in (provider, source) if p]
    if date:
        parts.append(f"reviewed {md(date)}")
    return " · ".join(parts)
