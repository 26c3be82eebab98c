"""O*NET database text files (tab-separated, header row first, as the O*NET Center releases them).

O*NET spreads one occupation over many files keyed by ``O*NET-SOC Code``. The reader
recognises each file by its header row. ``Occupation Data.txt`` is the anchor: reading
it loads the sibling files from the same folder and yields one merged
:class:`Occupation` per code, plus one :class:`Skill` per Skill/Knowledge element
(id ``onet-<element id>``, e.g. ``onet-2.A.2.a``):

- ``Skills.txt`` / ``Knowledge.txt``: importance (scale IM, 1..5) -> ``(IM - 1) / 4``;
  the level scale (LV) has no field in the model and is ignored; a skill counts as
  essential when IM >= 3 (O*NET OnLine's own cut-off for "important");
- ``Technology Skills.txt``: technologies with the Hot Technology / In Demand flags;
- ``Alternate Titles.txt``, ``Job Zones.txt``, ``Task Statements.txt``, ``Related Occupations.txt``;
- ``Content Model Reference.txt``: element names and descriptions;
- ``Read Me.txt``: the release (version, month) for ``source`` and ``last_reviewed``.

Sibling files yield nothing on their own when ``Occupation Data.txt`` is beside them
(their rows are merged there); without it they are rejected, because an occupation needs
its title. Other O*NET files (Interests, Work Values, Education, UNSPSC, scales, ...) are
recognised and skipped: they carry nothing the record model holds.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.models import AnyRecord, Occupation, OccupationSkill, Skill, Technology
from ingest.sources._base import Rejection, describe_validation_error

ANCHOR = "Occupation Data.txt"
SOC = "O*NET-SOC Code"
_SOC_RE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")
# File kind -> the header columns that identify it.
HEADERS: dict[str, tuple[str, ...]] = {
    "occupations": (SOC, "Title", "Description"),
    "ratings": (SOC, "Element ID", "Element Name", "Scale ID", "Data Value"),
    "technology": (SOC, "Example", "Commodity Code", "Commodity Title", "Hot Technology"),
    "alternate_titles": (SOC, "Alternate Title", "Short Title"),
    "job_zones": (SOC, "Job Zone"),
    "tasks": (SOC, "Task ID", "Task", "Task Type"),
    "related": (SOC, "Related O*NET-SOC Code"),
    "content_model": ("Element ID", "Element Name", "Description"),
}
SIBLINGS = {
    "Skills.txt": "ratings",
    "Knowledge.txt": "ratings",
    "Technology Skills.txt": "technology",
    "Alternate Titles.txt": "alternate_titles",
    "Job Zones.txt": "job_zones",
    "Task Statements.txt": "tasks",
    "Related Occupations.txt": "related",
    "Content Model Reference.txt": "content_model",
}
OTHER_HEADERS = (
    SOC,
    "Scale ID\tScale Name",
    "Commodity Code\tCommodity Title\tClass Code",
    "Job Zone\tName\tExperience",
    "Skills Element ID",
    "Element ID\tElement Name\tScale ID\tCategory",
)
ESSENTIAL_IM = 3.0
MAX_ROW_REJECTIONS = 20
_MONTHS = {
    m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"], 1)
}


def _header(head: bytes) -> list[str]:
    first = head.decode("utf-8", errors="ignore").lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    return first.split("\t")


def file_kind(head: bytes) -> str | None:
    """Which O*NET file this is, from its header row; 'other' for O*NET files we skip."""
    columns = _header(head)
    for kind, expected in HEADERS.items():
        if tuple(columns[: len(expected)]) == expected and (kind != "job_zones" or len(columns) <= 4):
            return kind
    first_line = "\t".join(columns)
    if len(columns) > 1 and first_line.startswith(OTHER_HEADERS):
        return "other"
    if first_line.startswith("O*NET") and "Database" in first_line:
        return "readme"
    return None


class OnetReader:
    """Reads the O*NET database text release into occupations and skills."""

    name = "onet"

    def sniff(self, path: Path, head: bytes) -> bool:
        return file_kind(head) is not None

    def read(self, path: Path) -> Iterator[AnyRecord | Rejection]:
        try:
            with path.open("rb") as handle:
                kind = file_kind(handle.read(4096))
        except OSError as exc:
            yield Rejection(str(path), f"cannot read: {exc.strerror}")
            return
        if kind in {"other", "readme"}:
            return
        if kind == "occupations":
            yield from _OnetRelease(path.parent).read(path)
            return
        if (path.parent / ANCHOR).exists():
            return  # merged into the occupations when Occupation Data.txt is read
        if kind == "content_model":
            release = _OnetRelease(path.parent)
            yield from release.load(path, "content_model")
            yield from release.skills(path, only_rated=False)
            return
        yield Rejection(str(path), f"O*NET {path.name} needs {ANCHOR} in the same folder (occupation titles); put the release files together")


class _OnetRelease:
    """The files of one O*NET release folder, merged by O*NET-SOC code."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.version, self.released = _read_me(folder / "Read Me.txt")
        self.elements: dict[str, tuple[str, str]] = {}
        self.ratings: dict[str, dict[str, float]] = defaultdict(dict)
        self.tech: dict[str, dict[str, Technology]] = defaultdict(dict)
        self.alt_titles: dict[str, list[str]] = defaultdict(list)
        self.job_zone: dict[str, int] = {}
        self.tasks: dict[str, list[tuple[bool, str]]] = defaultdict(list)
        self.related: dict[str, list[str]] = defaultdict(list)

    @property
    def source_label(self) -> str:
        return f"O*NET {self.version} Database (USDOL/ETA, CC BY 4.0)" if self.version else "O*NET Database (USDOL/ETA, CC BY 4.0)"

    def read(self, anchor: Path) -> Iterator[AnyRecord | Rejection]:
        for name, kind in SIBLINGS.items():
            sibling = self.folder / name
            if sibling.exists():
                yield from self.load(sibling, kind)
        yield from self.skills(anchor, only_rated=False)
        rejected = 0
        rejections: list[Rejection] = []
        for line, row in _rows(anchor, rejections):
            code = row[SOC]
            try:
                yield self._occupation(code, row, anchor)
            except ValidationError as exc:
                rejected += 1
                if rejected <= MAX_ROW_REJECTIONS:
                    yield Rejection(f"{anchor} line {line} ({code})", describe_validation_error(exc))
        yield from rejections

    def _occupation(self, code: str, row: dict[str, str], anchor: Path) -> Occupation:
        ratings = self.ratings.get(code, {})
        skills = [
            OccupationSkill(skill=f"onet-{element}", importance=round((im - 1) / 4, 4), essential=im >= ESSENTIAL_IM)
            for element, im in sorted(ratings.items(), key=lambda item: -item[1])
        ]
        tasks = [text for core, text in sorted(self.tasks.get(code, []), key=lambda item: not item[0])]
        return Occupation(
            id=code,
            title=row["Title"],
            description=row.get("Description", ""),
            onet_soc=code,
            alt_titles=list(dict.fromkeys(self.alt_titles.get(code, []))),
            skills=skills,
            technologies=list(self.tech.get(code, {}).values()),
            job_zone=self.job_zone.get(code),
            tasks=tasks,
            related=self.related.get(code, []),
            source=f"{self.source_label}: {anchor}",
            url=f"https://www.onetonline.org/link/summary/{code}",
            last_reviewed=self.released,
        )

    def skills(self, source: Path, only_rated: bool) -> Iterator[AnyRecord | Rejection]:
        """Skill records for Skill (2.A, 2.B) and Knowledge (2.C) elements."""
        rated = {element for ratings in self.ratings.values() for element in ratings}
        for element, (name, description) in sorted(self.elements.items()):
            if not element.startswith(("2.A.", "2.B.", "2.C.")) or element.count(".") < 3:
                continue
            if only_rated and element not in rated:
                continue
            yield Skill(
                id=f"onet-{element}",
                label=name,
                description=description,
                skill_type="knowledge" if element.startswith("2.C.") else "skill",
                onet_id=element,
                source=f"{self.source_label}: {source.parent / 'Content Model Reference.txt'}",
                last_reviewed=self.released,
            )

    def load(self, path: Path, kind: str) -> Iterator[Rejection]:
        """Merge one sibling file into the release; yields rejections for bad rows."""
        rejections: list[Rejection] = []
        for _line, row in _rows(path, rejections, needs_code=kind != "content_model"):
            self._merge(kind, row)
        yield from rejections

    def _merge(self, kind: str, row: dict[str, str]) -> None:
        code = row.get(SOC, "")
        if kind == "content_model":
            self.elements[row["Element ID"]] = (row["Element Name"], row.get("Description", ""))
        elif kind == "ratings" and row.get("Scale ID") == "IM":
            value = _float(row.get("Data Value"))
            if value is not None and 1 <= value <= 5:
                self.ratings[code][row["Element ID"]] = value
                self.elements.setdefault(row["Element ID"], (row["Element Name"], ""))
        elif kind == "technology" and row.get("Example"):
            self.tech[code][row["Example"]] = Technology(name=row["Example"], hot=row.get("Hot Technology") == "Y", in_demand=row.get("In Demand") == "Y")
        elif kind == "alternate_titles" and row.get("Alternate Title"):
            self.alt_titles[code].append(row["Alternate Title"])
        elif kind == "job_zones" and (row.get("Job Zone") or "").isdigit():
            self.job_zone[code] = int(row["Job Zone"])
        elif kind == "tasks" and row.get("Task"):
            self.tasks[code].append((row.get("Task Type") == "Core", row["Task"]))
        elif kind == "related" and _SOC_RE.match(row.get("Related O*NET-SOC Code", "")):
            self.related[code].append(row["Related O*NET-SOC Code"])


def _rows(path: Path, rejections: list[Rejection], needs_code: bool = True) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a tab-separated O*NET file as dicts; malformed rows go to ``rejections`` (at most 20)."""
    bad = 0
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(reader, [])
            for line, cells in enumerate(reader, start=2):
                problem = None
                if len(cells) != len(header):
                    problem = f"expected {len(header)} tab-separated columns, found {len(cells)}"
                elif needs_code and not _SOC_RE.match(cells[0]):
                    problem = f"O*NET-SOC Code {cells[0]!r} is not like 15-1252.00"
                if problem:
                    bad += 1
                    if bad <= MAX_ROW_REJECTIONS:
                        rejections.append(Rejection(f"{path} line {line}", problem))
                    continue
                yield line, dict(zip(header, cells, strict=True))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:  # csv.Error: a field over the csv module's size limit
        rejections.append(Rejection(str(path), f"cannot read as UTF-8 tab-separated text: {exc}"))
    if bad > MAX_ROW_REJECTIONS:
        rejections.append(Rejection(str(path), f"{bad - MAX_ROW_REJECTIONS} more malformed rows not listed"))


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _read_me(path: Path) -> tuple[str | None, date | None]:
    """('29.2', date(2025, 2, 1)) from 'O*NET 29.2 Database' / 'February 2025 Release'."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")[:2000]
    except OSError:
        return None, None
    version = re.search(r"O\*NET\s+([\d.]+)\s+Database", text)
    released = re.search(r"(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{4})\s+Release", text)
    when = date(int(released.group(2)), _MONTHS[released.group(1).lower()], 1) if released else None
    return (version.group(1) if version else None), when
