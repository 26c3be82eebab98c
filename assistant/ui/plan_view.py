"""Showing one plan: totals, timeline, stack diagram, coverage, labour market, exports."""

from __future__ import annotations

from typing import Any

import streamlit as st

from assistant.catalogue import Catalogue
from assistant.errors import StackwiseError
from assistant.ui.charts import coverage_figure, stack_figure, timeline_figure
from assistant.ui.export import labour_market_lines, plan_to_json, plan_to_markdown, plan_to_pdf
from assistant.ui.format import cost_of, md, percent, stack_target_id


def stack_links(catalogue: Catalogue, credential_ids: list[str]) -> dict[str, list[tuple[str, str, float | None]]]:
    """For each credential, what it stacks into (id, title, credit) according to the catalogue."""
    out: dict[str, list[tuple[str, str, float | None]]] = {}
    for cid in credential_ids:
        cred = catalogue.credentials.get(cid)
        if cred is None:
            continue
        credit = {link.target: link.credit for link in cred.stacks_into}
        out[cid] = [(n.id, n.title, credit.get(n.id)) for n in catalogue.neighbours(cid)["stacks_into"]]
    return out


def skill_importance(target: str | None, catalogue: Catalogue) -> dict[str, float]:
    """Importance (0..1) of each skill the target occupation needs; empty when it is unknown."""
    if not target:
        return {}
    from assistant.gap import resolve_occupation

    try:
        occupation, _ = resolve_occupation(target, catalogue)
    except StackwiseError:
        return {}
    importance = {s.skill: s.importance for s in occupation.skills}
    importance.update({catalogue.skill_label(s.skill): s.importance for s in occupation.skills})
    return importance


def plan_summary(plan: dict[str, Any]) -> None:
    """Totals as metrics, and whether the plan meets every constraint."""
    cols = st.columns(4)
    cols[0].metric("Total cost", cost_of(plan.get("total_cost")))
    cols[1].metric("Total weeks", f"{plan.get('total_weeks', '—')}")
    cols[2].metric("Skill coverage", percent(plan.get("coverage")))
    cols[3].metric("Steps", len(plan.get("steps") or []))
    if not plan.get("feasible", True):
        st.warning("No plan meets every constraint. " + md(plan.get("explanation") or ""))
        for relax in plan.get("relaxations") or plan.get("binding_constraints") or []:
            st.markdown(f"- {md(relax if isinstance(relax, str) else relax.get('detail') or relax)}")
    elif plan.get("explanation"):
        st.markdown(md(plan["explanation"]))


def steps_table(plan: dict[str, Any], catalogue: Catalogue) -> None:
    rows = [
        {
            "#": i,
            "Credential": step.get("title"),
            "Weeks": f"{step.get('start_week')}–{step.get('end_week')}",
            "Hours": step.get("hours"),
            "Cost": cost_of(step.get("cost")),
            "Skills": ", ".join(catalogue.skill_label(s) for s in step.get("skills") or []),
            "Why": step.get("why") or "",
        }
        for i, step in enumerate(plan.get("steps") or [], 1)
    ]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    else:
        st.info("This plan has no steps: the learner already covers what the target needs, or nothing fits the constraints.")


def plan_charts(plan: dict[str, Any], catalogue: Catalogue, target: str | None, key: str) -> None:
    if plan.get("steps"):
        st.plotly_chart(timeline_figure(plan), width="stretch", key=f"{key}-timeline")
    left, right = st.columns(2)
    with left:
        ids = [str(s.get("credential_id")) for s in plan.get("steps") or []]
        stack = stack_figure(plan, stack_links(catalogue, ids), {c: catalogue.credentials[c].title for c in ids if c in catalogue.credentials})
        if stack is not None:
            st.plotly_chart(stack, width="stretch", key=f"{key}-stack")
        elif plan.get("stacks_into"):
            st.markdown("**Stacks into:** " + ", ".join(md(stack_target_id(s)) for s in plan["stacks_into"]))
        else:
            st.caption("No step in this plan stacks into a larger credential.")
    with right:
        coverage = coverage_figure(plan, skill_importance(target, catalogue), catalogue.skill_label)
        if coverage is not None:
            st.plotly_chart(coverage, width="stretch", key=f"{key}-coverage")


def labour_market(plan: dict[str, Any]) -> None:
    lines = labour_market_lines(plan.get("labour_market"))
    if lines:
        st.markdown("**Labour market**")
        st.markdown("\n".join(f"- {md(line)}" for line in lines))
    citations = plan.get("citations") or []
    if citations:
        with st.expander(f"Sources ({len(citations)})"):
            for c in citations:
                if isinstance(c, dict):
                    st.markdown("- " + " · ".join(md(c.get(k)) for k in ("title", "provider", "source", "date", "last_reviewed") if c.get(k)))
                else:
                    st.markdown(f"- {md(c)}")


def export_buttons(plan: dict[str, Any], profile: dict[str, Any] | None, key: str, name: str = "stackwise-plan") -> None:
    cols = st.columns(3)
    cols[0].download_button(
        "Download Markdown", plan_to_markdown(plan, profile), file_name=f"{name}.md", mime="text/markdown", key=f"{key}-md", icon=":material/description:"
    )
    cols[1].download_button(
        "Download JSON", plan_to_json(plan, profile), file_name=f"{name}.json", mime="application/json", key=f"{key}-json", icon=":material/data_object:"
    )
    try:
        pdf = plan_to_pdf(plan, profile)
    except (ValueError, OSError) as exc:  # reportlab layout errors on extreme content
        cols[2].caption(f"PDF unavailable: {exc}")
    else:
        cols[2].download_button("Download PDF", pdf, file_name=f"{name}.pdf", mime="application/pdf", key=f"{key}-pdf", icon=":material/picture_as_pdf:")


def show_plan(plan: dict[str, Any], catalogue: Catalogue, profile: dict[str, Any] | None, key: str) -> None:
    """Everything about one plan, in reading order."""
    plan_summary(plan)
    plan_charts(plan, catalogue, (profile or {}).get("target"), key)
    steps_table(plan, catalogue)
    labour_market(plan)
