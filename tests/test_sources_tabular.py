"""Provider catalogue CSV/XLSX reader and the shipped templates."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from assistant.models import Credential
from ingest.sources import Rejection, read_paths

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "knowledge" / "templates"
FIXTURES = Path(__file__).parent / "fixtures" / "formats" / "tabular"


@pytest.mark.parametrize("name", ["catalogue-template.csv", "catalogue-template.xlsx"])
def test_templates_read_as_one_credential(name: str) -> None:
    records = list(read_paths([TEMPLATES / name]))
    assert len(records) == 1 and isinstance(records[0], Credential)
    credential = records[0]
    assert credential.id == "example-data-analytics-foundations"
    assert credential.type == "micro-credential" and credential.ects == 5.0 and credential.eqf_level == 5
    assert credential.learning_outcomes == ["Clean and summarise a data set", "Write SQL queries that join and aggregate tables"]
    assert credential.stacks_into[0].target == "example-msc-data-science" and credential.stacks_into[0].credit == 5.0
    assert credential.cost is not None and (credential.cost.amount, credential.cost.currency) == (950.0, "EUR")


def test_bad_rows_are_rejected_with_row_and_field() -> None:
    records = list(read_paths([FIXTURES / "catalogue-semicolon.csv"]))
    good = [r for r in records if isinstance(r, Credential)]
    rejections = {r.source.split(" row ")[1]: r.reason for r in records if isinstance(r, Rejection)}
    assert [c.id for c in good] == ["acme-sql-basics"]
    sql = good[0]
    assert sql.type == "digital-badge" and sql.language == ["de"] and sql.extra == {"campus": "Berlin"}
    assert sql.cost is not None and sql.cost.currency == "EUR" and sql.cost.amount == 0
    assert set(rejections) == {"3 (acme-broken-level)", "4 (acme-bad-type)", "5 (acme-no-title)"}
    assert rejections["3 (acme-broken-level)"].startswith("eqf_level")
    assert rejections["4 (acme-bad-type)"].startswith("type: 'wizardry'")
    assert rejections["5 (acme-no-title)"].startswith("title")


def test_xlsx_with_missing_required_column(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["id", "title", "type", "url"])
    sheet.append(["x-1", "No provider column", "course", "https://x.example"])
    path = tmp_path / "catalogue.xlsx"
    workbook.save(path)
    records = list(read_paths([path]))
    assert len(records) == 1 and isinstance(records[0], Rejection)
    assert records[0].source.endswith("row 1") and "provider" in records[0].reason


def test_templates_folder_is_skipped_when_knowledge_is_ingested(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "catalogue-template.csv").write_bytes((TEMPLATES / "catalogue-template.csv").read_bytes())
    assert list(read_paths([tmp_path])) == []
