"""Plan exports and charts: Markdown, JSON, PDF from a plan JSON, and the plotly figures."""

from __future__ import annotations

import json

from assistant.ui.charts import coverage_figure, stack_figure, timeline_figure
from assistant.ui.export import plan_to_json, plan_to_markdown, plan_to_pdf
from assistant.ui.format import md

PLAN = {
    "steps": [
        {
            "credential_id": "a",
            "title": "Data | Basics <script>alert(1)</script>",
            "start_week": 1,
            "end_week": 8,
            "hours": 40,
            "cost": {"amount": 300, "currency": "EUR"},
            "skills": ["sql"],
            "why": "closes SQL",
        },
        {
            "credential_id": "b",
            "title": "Dashboards",
            "start_week": 9,
            "end_week": 12,
            "hours": 20,
            "cost": {"amount": 136, "currency": "EUR"},
            "skills": ["data-visualisation"],
            "why": "closes dashboards",
        },
    ],
    "total_cost": {"amount": 436, "currency": "EUR"},
    "total_weeks": 12,
    "coverage": 0.65,
    "covered_skills": ["sql", "data-visualisation"],
    "missing_skills": [{"skill": "statistics", "importance": 0.7, "reason": "no credential teaches it"}],
    "stacks_into": ["c"],
    "feasible": True,
    "explanation": "Two steps within budget.",
    "labour_market": {
        "title": "BI analysts",
        "median_wage": [{"amount": 100000, "currency": "USD", "period": "year", "region": "US", "year": 2024, "source": "BLS"}],
    },
    "citations": [{"id": "a", "title": "Data Basics", "provider": "Acme", "url": "https://acme.example"}],
}


def test_markdown_has_steps_totals_sources_and_escaped_cells() -> None:
    text = plan_to_markdown(PLAN, {"target": "BI analyst", "hours_per_week": 8})
    assert "| 1 | Data \\| Basics" in text  # a pipe in a title does not break the table
    assert "Total cost: 436 EUR" in text and "Total weeks: 12" in text and "Skill coverage: 65%" in text
    assert "Skills still missing: statistics (no credential teaches it)" in text
    assert "100,000 USD per year — US, 2024; source: BLS" in text
    assert "- Target: BI analyst" in text


def test_json_round_trips_with_the_profile() -> None:
    data = json.loads(plan_to_json(PLAN, {"target": "x"}))
    assert data["steps"] == PLAN["steps"] and data["profile"] == {"target": "x"} and data["total_weeks"] == 12


def test_pdf_renders_markup_as_text() -> None:
    pdf = plan_to_pdf(PLAN, {"target": "<b>x</b>"})
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_timeline_has_one_bar_per_step_over_weeks() -> None:
    bar = timeline_figure(PLAN).data[0]
    assert list(bar.base) == [0, 8] and list(bar.x) == [8, 4]


def test_stack_diagram_links_steps_to_targets_or_is_absent() -> None:
    fig = stack_figure(PLAN, {"a": [("c", "CAS", 2.0)]}, {"a": "Data Basics"})
    assert fig is not None
    sankey = fig.data[0]
    assert list(sankey.node.label) == ["Data Basics", "CAS"] and list(sankey.link.value) == [2.0]
    assert stack_figure(PLAN, {}, {}) is None


def test_coverage_splits_covered_and_missing_by_importance() -> None:
    fig = coverage_figure(PLAN, {"sql": 0.9}, str.upper)
    covered, missing = fig.data
    assert set(covered.y) == {"SQL", "DATA-VISUALISATION"} and list(missing.y) == ["STATISTICS"] and list(missing.x) == [0.7]


def test_markdown_escape_defuses_links_html_and_directives() -> None:
    escaped = md("<script>alert(1)</script> [x](javascript:1) :red[y] $z$")
    for raw in ("<script>", "[x](", ":red[", "$z$"):
        assert raw not in escaped
