"""Plotly figures for a plan: timeline, stack diagram, skill coverage.

Inputs are the plan JSON (DESIGN.md contract) and plain lookups, so the figures are easy to test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import plotly.graph_objects as go

from assistant.ui.format import cost_of, skill_of

COVERED = "#2e7d32"
MISSING = "#c62828"


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend={"orientation": "h", "y": -0.2})
    return fig


def timeline_figure(plan: Mapping[str, Any]) -> go.Figure:
    """Steps as horizontal bars over weeks (x-axis), first step on top."""
    steps = list(plan.get("steps") or [])
    titles, starts, lengths, hover = [], [], [], []
    for i, step in enumerate(steps, 1):
        # weeks are inclusive and numbered from 1 ("weeks 1-8" is eight weeks starting at 0)
        start = float(step.get("start_week") or 1)
        end = float(step.get("end_week") or start)
        start -= 1
        titles.append(f"{i}. {str(step.get('title') or step.get('credential_id'))[:45]}")
        starts.append(start)
        lengths.append(max(end - start, 1.0))
        hover.append(f"weeks {step.get('start_week')}–{step.get('end_week')} · {step.get('hours') or '?'} h · {cost_of(step.get('cost'))}")
    fig = go.Figure(go.Bar(x=lengths, base=starts, y=titles, orientation="h", hovertext=hover, hoverinfo="text", marker_color="#1565c0"))
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title="Week", rangemode="tozero")
    fig.update_layout(title="Timeline")
    return _layout(fig, max(220, 60 + 42 * len(steps)))


def stack_figure(plan: Mapping[str, Any], stacks: Mapping[str, list[tuple[str, str, float | None]]], titles: Mapping[str, str]) -> go.Figure | None:
    """A Sankey of plan credentials flowing into what they stack into.

    ``stacks`` maps a step's credential id to ``(target id, target title, credit)`` tuples;
    returns None when no step stacks into anything.
    """
    nodes: list[str] = []
    index: dict[str, int] = {}

    def node(node_id: str, label: str) -> int:
        if node_id not in index:
            index[node_id] = len(nodes)
            nodes.append(label[:50])
        return index[node_id]

    sources, targets, values, labels = [], [], [], []
    for step in plan.get("steps") or []:
        cid = str(step.get("credential_id"))
        for target_id, target_title, credit in stacks.get(cid, []):
            sources.append(node(cid, titles.get(cid, str(step.get("title") or cid))))
            targets.append(node(target_id, target_title))
            values.append(credit or 1.0)
            labels.append(f"{credit:g} credit recognised" if credit else "stacks into")
    if not sources:
        return None
    fig = go.Figure(
        go.Sankey(
            node={"label": nodes, "pad": 18, "thickness": 16, "color": "#90caf9"},
            link={"source": sources, "target": targets, "value": values, "customdata": labels, "hovertemplate": "%{customdata}<extra></extra>"},
        )
    )
    fig.update_layout(title="What the plan stacks into")
    return _layout(fig, 320)


def coverage_figure(plan: Mapping[str, Any], importance: Mapping[str, float], label: Callable[[str], str]) -> go.Figure | None:
    """Gap skills the plan covers and those still missing, by importance to the target (0..1)."""
    entries = [(skill_of(s), True) for s in plan.get("covered_skills") or []] + [(skill_of(s), False) for s in plan.get("missing_skills") or []]
    if not entries:
        return None
    importance = {**importance, **{sid: imp for (sid, imp, _), _covered in entries if imp is not None}}
    rows = [(sid, covered) for (sid, _, _), covered in entries]
    rows.sort(key=lambda r: importance.get(r[0], 0.0))
    fig = go.Figure()
    for covered, name, color in ((True, "covered by the plan", COVERED), (False, "still missing", MISSING)):
        chosen = [r for r in rows if r[1] is covered]
        fig.add_trace(
            go.Bar(
                x=[importance.get(s, 0.5) for s, _ in chosen],
                y=[label(s) for s, _ in chosen],
                orientation="h",
                name=name,
                marker_color=color,
            )
        )
    fig.update_layout(title="Skill coverage (importance to the target, 0–1)", barmode="overlay")
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(categoryorder="array", categoryarray=[label(s) for s, _ in rows])
    return _layout(fig, max(240, 70 + 26 * len(rows)))
