"""ESCO CSV exports (comma-separated, UTF-8, multi-line quoted cells), in any ESCO language.

Files are recognised by their header columns, never by name (``occupations_de.csv`` works):

- occupations (``conceptUri, iscoGroup, preferredLabel, altLabels, ...``) -> :class:`Occupation`,
  id = the ESCO URI; when ``occupationSkillRelations_<lang>.csv`` is in the same folder its
  links become the occupation's skills: essential -> importance 1.0, optional -> 0.5;
- skills (``skills_<lang>.csv`` and the ICT / language / transversal / digital / green skill
  collections: ``conceptUri, skillType, reuseLevel, preferredLabel, altLabels, ...``)
  -> :class:`Skill`, id = the ESCO URI, alt labels kept.
- ISCO groups, concept schemes, skill groups, the skills hierarchy and the broader/skill-skill
  relation files are classifications, not catalogue records: recognised and skipped, yielding
  nothing and no rejection. The occupation-skill relations file yields nothing on its own
  when an occupations file is beside it; without one it is rejected (it names no titles).

Alternative labels are newline-separated in the full export and ``" | "``-separated in the
collections; both are read. Rows without a URI or preferred label are rejected with their line.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from assistant.models import AnyRecord, Occupation, OccupationSkill, Skill
from ingest.sources._base import Rejection, describe_validation_error

SkillType = Literal["skill", "knowledge", "technology", "transversal", "language"]

ESCO_SOURCE = "ESCO classification (European Union, reuse under Decision 2011/833/EU)"
IMPORTANCE = {"essential": 1.0, "optional": 0.5}
NON_RECORD_MARKERS = (
    {"conceptType", "conceptUri", "code", "preferredLabel"},  # ISCO groups
    {"conceptSchemeUri"},  # concept schemes
    {"Level 0 URI"},  # skills hierarchy
    {"broaderUri"},  # broader relations (occupations or skills pillar)
    {"originalSkillUri", "relatedSkillUri"},  # skill-skill relations
)
MAX_ROW_REJECTIONS = 20


def _raise_field_limit() -> None:
    # altLabels and description cells can exceed the csv module's 128 KiB default.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _columns(head: bytes) -> set[str]:
    first = head.decode("utf-8", errors="ignore").lstrip("\ufeff").split("\n", 1)[0].strip()
    return {c.strip().strip('"') for c in first.split(",")}


def file_kind(head: bytes) -> str | None:
    """'occupations', 'skills', 'relations', 'skip' (known non-record ESCO file) or None."""
    columns = _columns(head)
    if {"occupationUri", "relationType", "skillUri"} <= columns:
        return "relations"
    if {"conceptUri", "preferredLabel", "iscoGroup"} <= columns:
        return "occupations"
    if {"conceptUri", "preferredLabel", "skillType"} <= columns:
        return "skills"
    if {"conceptUri", "preferredLabel", "conceptType"} <= columns and "SkillGroup" in head.decode("utf-8", errors="ignore"):
        return "skip"
    if any(marker <= columns for marker in NON_RECORD_MARKERS):
        return "skip"
    return None


def split_labels(cell: str | None) -> list[str]:
    """Alt labels from a newline- or ' | '-separated cell."""
    if not cell:
        return []
    labels = [part.strip() for line in cell.splitlines() for part in line.split(" | ")]
    return list(dict.fromkeys(label for label in labels if label))


class EscoReader:
    """Reads ESCO CSV exports into occupations and skills."""

    name = "esco"

    def sniff(self, path: Path, head: bytes) -> bool:
        return file_kind(head) is not None

    def read(self, path: Path) -> Iterator[AnyRecord | Rejection]:
        _raise_field_limit()
        try:
            with path.open("rb") as handle:
                kind = file_kind(handle.read(8192))
        except OSError as exc:
            yield Rejection(str(path), f"cannot read: {exc.strerror}")
            return
        if kind == "occupations":
            relations, rejections = _relations(path.parent)
            yield from rejections
            yield from self._occupations(path, relations)
        elif kind == "skills":
            yield from self._skills(path)
        elif kind == "relations" and not any(_is_kind(p, "occupations") for p in path.parent.glob("*.csv")):
            yield Rejection(str(path), "ESCO occupation-skill relations need the occupations CSV in the same folder")

    def _occupations(self, path: Path, relations: dict[str, list[OccupationSkill]]) -> Iterator[AnyRecord | Rejection]:
        bad = 0
        unreadable: list[Rejection] = []
        for line, row in _rows(path, unreadable):
            uri, label = row.get("conceptUri", "").strip(), row.get("preferredLabel", "").strip()
            where = f"{path} line {line}"
            try:
                if not uri or not label:
                    raise ValueError("missing conceptUri or preferredLabel")
                yield Occupation(
                    id=uri,
                    title=label,
                    alt_titles=[t for t in split_labels(row.get("altLabels")) if t != label],
                    description=(row.get("description") or row.get("definition") or "").strip(),
                    esco_uri=uri,
                    isco_code=(row.get("iscoGroup") or "").strip() or None,
                    skills=relations.get(uri, []),
                    source=f"{ESCO_SOURCE}: {path}",
                    url=uri,
                    last_reviewed=_date(row.get("modifiedDate")),
                )
            except (ValidationError, ValueError) as exc:
                bad += 1
                if bad <= MAX_ROW_REJECTIONS:
                    reason = describe_validation_error(exc) if isinstance(exc, ValidationError) else str(exc)
                    yield Rejection(where, f"ESCO occupation: {reason}")
        yield from unreadable

    def _skills(self, path: Path) -> Iterator[AnyRecord | Rejection]:
        is_language = "language" in path.stem.lower()
        bad = 0
        unreadable: list[Rejection] = []
        for line, row in _rows(path, unreadable):
            uri, label = row.get("conceptUri", "").strip(), row.get("preferredLabel", "").strip()
            try:
                if not uri or not label:
                    raise ValueError("missing conceptUri or preferredLabel")
                yield Skill(
                    id=uri,
                    label=label,
                    alt_labels=[t for t in split_labels(row.get("altLabels")) if t != label],
                    description=(row.get("description") or row.get("definition") or "").strip(),
                    skill_type=_skill_type(row, is_language),
                    esco_uri=uri,
                    source=f"{ESCO_SOURCE}: {path}",
                    last_reviewed=_date(row.get("modifiedDate")),
                )
            except (ValidationError, ValueError) as exc:
                bad += 1
                if bad <= MAX_ROW_REJECTIONS:
                    reason = describe_validation_error(exc) if isinstance(exc, ValidationError) else str(exc)
                    yield Rejection(f"{path} line {line}", f"ESCO skill: {reason}")
        yield from unreadable


def _skill_type(row: dict[str, str], is_language: bool) -> SkillType:
    if is_language:
        return "language"
    if (row.get("skillType") or "").strip() == "knowledge":
        return "knowledge"
    if (row.get("reuseLevel") or "").strip() == "transversal":
        return "transversal"
    return "skill"


def _is_kind(path: Path, kind: str) -> bool:
    try:
        with path.open("rb") as handle:
            return file_kind(handle.read(8192)) == kind
    except OSError:
        return False


def _relations(folder: Path) -> tuple[dict[str, list[OccupationSkill]], list[Rejection]]:
    """Occupation URI -> skills, from every relations file in ``folder``."""
    links: dict[str, dict[str, OccupationSkill]] = defaultdict(dict)
    rejections: list[Rejection] = []
    for path in sorted(folder.glob("*.csv")):
        if not _is_kind(path, "relations"):
            continue
        for line, row in _rows(path, rejections):
            relation = (row.get("relationType") or "").strip().lower()
            occupation, skill = (row.get("occupationUri") or "").strip(), (row.get("skillUri") or "").strip()
            if relation not in IMPORTANCE or not occupation or not skill:
                if len(rejections) < MAX_ROW_REJECTIONS:
                    rejections.append(Rejection(f"{path} line {line}", "ESCO relation needs occupationUri, skillUri and relationType essential/optional"))
                continue
            current = links[occupation].get(skill)
            if current is None or current.importance < IMPORTANCE[relation]:
                links[occupation][skill] = OccupationSkill(skill=skill, importance=IMPORTANCE[relation], essential=relation == "essential")
    return {occ: list(skills.values()) for occ, skills in links.items()}, rejections


def _rows(path: Path, rejections: list[Rejection]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line where the row starts, row) for a CSV file with a header.

    A file that stops being readable (not UTF-8, a NUL byte, a malformed quote) ends the
    rows there with one rejection in ``rejections``; the rows before it are kept.
    """
    start = 2
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                yield start, {k: v for k, v in row.items() if k is not None and isinstance(v, str)}
                start = reader.line_num + 1
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        rejections.append(Rejection(f"{path} line {start}", f"cannot read the rest of the file as UTF-8 CSV: {exc}"))


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10]) if value and value.strip() else None
    except ValueError:
        return None
