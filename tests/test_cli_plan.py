"""`stackwise plan`: the JSON contract, the readable timeline, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "planner"


def run_cli(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STACKWISE_STORE": str(store), "STACKWISE_EMBEDDING_MODEL": "hashing:256"}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plan") / "store"
    result = run_cli("ingest", str(FIXTURES / "catalogue.yaml"), "--json", store=folder)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rejected"] == []
    return folder


def test_plan_json_contract(store: Path) -> None:
    result = run_cli("plan", "--profile", str(FIXTURES / "retail-manager-small.json"), "--json", store=store)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert {"steps", "total_cost", "total_weeks", "coverage", "covered_skills", "missing_skills", "stacks_into", "feasible", "explanation", "citations"} <= set(
        plan
    )
    assert plan["feasible"] is True and plan["optimal"] is True
    assert [s["credential_id"] for s in plan["steps"]] == ["intro-data", "stats-course", "viz-badge"]
    assert plan["total_cost"] == {**plan["total_cost"], "amount": 850.0, "currency": "EUR"}
    assert plan["stacks_into"][0]["credits_missing"] == 12.0
    assert plan["labour_market"]["median_wage"][0]["year"] == 2023


def test_plan_readable_timeline(store: Path) -> None:
    result = run_cli("plan", "--profile", str(FIXTURES / "retail-manager-small.json"), store=store)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "weeks   1-8   Introduction to Data Analytics" in out
    assert "Total: 850.00 EUR" in out
    assert "Coverage: 91%" in out
    assert "12 ECTS still missing" in out
    assert "Median wage: 83,640 USD/year (United States, 2023; source: Test wage source)" in out
    assert "Sources:" in out and "https://acme.example/intro-data" in out


def test_plan_alternatives_and_objective(store: Path) -> None:
    result = run_cli("plan", "--profile", str(FIXTURES / "retail-manager-small.json"), "--alternatives", "--json", store=store)
    plans = json.loads(result.stdout)
    assert set(plans) == {"balanced", "cheapest", "fastest", "most-stackable"}
    cheapest = json.loads(run_cli("plan", "--profile", str(FIXTURES / "retail-manager-small.json"), "--objective", "cheapest", "--json", store=store).stdout)
    assert cheapest["total_cost"]["amount"] == plans["cheapest"]["total_cost"]["amount"] <= plans["balanced"]["total_cost"]["amount"]
    table = run_cli("plan", "--profile", str(FIXTURES / "retail-manager-small.json"), "--alternatives", store=store).stdout
    assert table.splitlines()[0].split()[:3] == ["objective", "steps", "cost"]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"target": "data analyst", "hours_per_week": -3}', "field 'hours_per_week'"),
        ('{"target": "data analyst", "budget": {"amount": "lots"}}', "field 'budget.amount'"),
        ('{"target": "data analyst", "favourite_colour": "blue"}', "field 'favourite_colour'"),
        ('{"skills": ["sql"]}', "field 'target'"),
        ('{"target": ', "not valid JSON"),
        ("[1, 2]", "a profile is a JSON object"),
    ],
)
def test_invalid_profile_is_one_line_exit_2(store: Path, tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "profile.json"
    path.write_text(content)
    result = run_cli("plan", "--profile", str(path), store=store)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and needle in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_target_exit_1_with_suggestions(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "profile.json"
    path.write_text('{"target": "astronaut on mars"}')
    result = run_cli("plan", "--profile", str(path), store=store)
    assert result.returncode == 1
    assert "No occupation matches target 'astronaut on mars'" in result.stderr and "did you mean" in result.stderr


def test_missing_profile_file(store: Path, tmp_path: Path) -> None:
    result = run_cli("plan", "--profile", str(tmp_path / "nope.json"), store=store)
    assert result.returncode == 2 and "no such profile file" in result.stderr
