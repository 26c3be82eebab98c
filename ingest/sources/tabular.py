"""Provider catalogues as CSV or XLSX: one credential per row (see knowledge/templates/README.md).

The first row names the columns; ``id``, ``title`` and ``provider`` are required, the rest
optional. List cells (fields, learning_outcomes, skills, language, prerequisites,
stacks_into, part_of, codes) are separated by ``;``. A ``stacks_into`` item may carry the
credit recognised: ``msc-data-science (10 ECTS)``. Columns the model has no field for are
kept in ``extra``. Each bad row is rejected with its row number (the header is row 1) and
the field at fault; the other rows are read.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.currency import currency_code
from assistant.models import AnyRecord, Credential, CredentialType, StackLink
from ingest.sources._base import Rejection, describe_validation_error, shown
from ingest.sources._values import language_code, split_list

COLUMNS = (
    "id", "title", "type", "provider", "country", "url", "source", "last_reviewed", "fields", "description",
    "learning_outcomes", "skills", "workload_hours", "ects", "eqf_level", "duration_weeks", "delivery", "pace",
    "language", "assessment_type", "supervision", "quality_assurance", "prerequisites", "stacks_into",
    "cost_amount", "cost_currency", "cost_as_of",
)  # fmt: skip
LIST_COLUMNS = {"fields", "learning_outcomes", "skills", "language", "prerequisites", "part_of", "codes", "occupations", "prerequisite_skills"}
REQUIRED = {"id", "title", "provider"}
MAX_ROWS = 200_000  # far above any provider catalogue; stops a sheet that unpacks to millions of rows
MAX_XLSX_UNPACKED_BYTES = 500 * 1024 * 1024
_STACK_RE = re.compile(r"^(?P<target>[^()]+?)\s*(?:\((?P<credit>\d+(?:\.\d+)?)\s*(?P<unit>[^)]*)\))?$")
_TYPE_ALIASES = {"microcredential": "micro-credential", "badge": "digital-badge", "certification": "professional-certification", "program": "learning-program"}


def _header_ok(columns: list[str]) -> bool:
    # id and title plus one catalogue column: enough to say what the file is, so that a
    # catalogue missing a required column is rejected with that reason, not "unrecognised".
    names = {c.strip().lower() for c in columns}
    return {"id", "title"} <= names and bool(names & {"type", "provider", "url", "ects", "workload_hours", "cost_amount"})


class TabularReader:
    """Reads credential catalogues from CSV (comma or semicolon) and XLSX files."""

    name = "tabular"

    def sniff(self, path: Path, head: bytes) -> bool:
        if head.startswith(b"PK\x03\x04"):
            if path.suffix.lower() not in {".xlsx", ".xlsm"}:
                return False
            try:
                rows = _xlsx_rows(path, limit=1)
            except ValueError:
                return False
            return bool(rows) and _header_ok([str(c or "") for c in rows[0][1]])
        first = head.decode("utf-8", errors="ignore").lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
        try:
            return _header_ok(next(csv.reader([first], delimiter=";" if first.count(";") > first.count(",") else ","), []))
        except csv.Error:  # a stray carriage return or NUL inside the first line: not our catalogue
            return False

    def read(self, path: Path) -> Iterator[AnyRecord | Rejection]:
        try:
            rows = _xlsx_rows(path) if path.read_bytes()[:4] == b"PK\x03\x04" else _csv_rows(path)
        except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
            yield Rejection(str(path), f"cannot read the catalogue: {exc}")
            return
        if not rows:
            yield Rejection(str(path), "empty catalogue (expected a header row: id,title,type,provider,...)")
            return
        header = [str(c or "").strip().lower() for c in rows[0][1]]
        missing = REQUIRED - set(header)
        if missing:
            yield Rejection(f"{path} row 1", f"missing required column(s): {', '.join(sorted(missing))}")
            return
        for number, cells in rows[1:]:
            values = {name: cell for name, cell in zip(header, cells, strict=False) if name and cell not in (None, "")}
            if not values:
                continue
            where = f"{path} row {number}"
            if values.get("id"):
                where += f" ({shown(values['id'])})"
            try:
                yield Credential(**_credential_fields(values, path))
            except ValidationError as exc:
                yield Rejection(where, describe_validation_error(exc))
            except ValueError as exc:
                yield Rejection(where, str(exc))


def _credential_fields(values: dict[str, Any], path: Path) -> dict[str, Any]:
    fields: dict[str, Any] = {"source": str(path), "type": "other"}
    extra: dict[str, Any] = {}
    cost: dict[str, Any] = {}
    known = set(Credential.model_fields) - {"kind", "extra", "cost", "stacks_into", "credits", "alignments"}
    for name, raw in values.items():
        value = raw.isoformat() if isinstance(raw, datetime | date) else raw
        value = value.strip() if isinstance(value, str) else value
        if name.startswith("cost_"):
            cost[name.removeprefix("cost_")] = value
        elif name == "stacks_into":
            fields["stacks_into"] = [_stack_link(item) for item in split_list(value)]
        elif name in LIST_COLUMNS:
            fields[name] = split_list(value)
        elif name in known:
            fields[name] = value
        else:
            extra[name] = value
    if isinstance(fields.get("type"), str):
        kind = fields["type"].strip().lower().replace(" ", "-").replace("_", "-")
        fields["type"] = _TYPE_ALIASES.get(kind, kind)
        if fields["type"] not in {t.value for t in CredentialType}:
            raise ValueError(f"type: {values['type']!r} is not one of {', '.join(t.value for t in CredentialType)}")
    for key in ("delivery", "pace", "supervision"):
        if isinstance(fields.get(key), str):
            fields[key] = fields[key].strip().lower().replace(" ", "-")
    if fields.get("language"):
        codes = [language_code(item) for item in fields["language"]]
        fields["language"] = [code or item for code, item in zip(codes, fields["language"], strict=True)]
    if cost:
        if isinstance(cost.get("currency"), str):
            cost["currency"] = currency_code(cost["currency"]) or cost["currency"]
        fields["cost"] = cost
    if extra:
        fields["extra"] = extra
    return fields


def _stack_link(item: str) -> StackLink:
    match = _STACK_RE.match(item)
    if match is None:
        return StackLink(target=item)
    credit = match.group("credit")
    return StackLink(target=match.group("target"), credit=float(credit) if credit else None, credit_unit=(match.group("unit") or "").strip() or None)


def _csv_rows(path: Path) -> list[tuple[int, list[Any]]]:
    text = path.read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    start = 1
    for cells in reader:
        rows.append((start, cells))
        start = reader.line_num + 1
    return rows


def _xlsx_rows(path: Path, limit: int | None = None) -> list[tuple[int, list[Any]]]:
    """(row number, cells) of the first sheet.

    Raises:
        ValueError: the file is not a readable workbook, or would unpack or read past the limits.
    """
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED_BYTES:
            raise ValueError(f"the workbook unpacks to {unpacked:,} bytes, over the {MAX_XLSX_UNPACKED_BYTES:,}-byte limit (a zip bomb?)")
        # openpyxl parses the workbook's XML with defusedxml when it is installed (it is a
        # dependency), so entity expansion is refused. A damaged archive or XML surfaces as
        # almost any exception type from zipfile, zlib or openpyxl's readers.
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            rows = []
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS:
                    raise ValueError(f"more than {MAX_ROWS:,} rows; split the catalogue")
                rows.append((number, list(cells)))
                if limit is not None and number >= limit:
                    break
            return rows
        finally:
            workbook.close()
    except ValueError:
        raise
    except Exception as exc:  # untrusted archive: zlib.error, BadZipFile, KeyError ... all mean "not readable"
        raise ValueError(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
