"""Records -> chunks: the text that is embedded and indexed for each record.

A credential, occupation, skill or provider stays ONE retrievable unit: its chunk carries
title, provider, type, outcomes, skills, cost and workload, and its facts go to Chroma as
metadata for filtering. A document is split along its Markdown headings, each passage
keeping the document title and its heading path, and long sections are split further.
"""

from __future__ import annotations

import re

from assistant.currency import RateTable, cost_in_currency
from assistant.models import AnyRecord, Credential, Document, Occupation, Provider, Skill
from assistant.store import ChunkRow

MAX_CHUNK_CHARS = 1500
# Bumped when the metadata written beside each chunk changes meaning, so ingest rewrites every
# record (2: "free" includes funded credentials). The store manifest is unaffected.
METADATA_VERSION = 2
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def chunk_record(record: AnyRecord, digest: str) -> list[ChunkRow]:
    """The chunks of one record; ids are content-addressed by the record's hash."""
    if isinstance(record, Document):
        passages = split_markdown(record.title, record.body)
    else:
        passages = [("", record_text(record))]
    prefix = f"{record.id}::{digest[:16]}"
    return [ChunkRow(f"{prefix}::{n}", record.id, n, heading, text) for n, (heading, text) in enumerate(passages)]


def record_text(record: AnyRecord) -> str:
    """A dense, readable text of one non-document record."""
    if isinstance(record, Credential):
        return _credential_text(record)
    if isinstance(record, Occupation):
        parts = [record.title, f"Also called: {', '.join(record.alt_titles[:12])}." if record.alt_titles else "", record.description]
        if record.onet_soc:
            parts.append(f"O*NET-SOC {record.onet_soc}.")
        skills = [s.skill.replace("-", " ") for s in sorted(record.skills, key=lambda s: -s.importance)[:12]]
        if skills:
            parts.append(f"Skills: {', '.join(skills)}.")
        if record.technologies:
            parts.append(f"Technologies: {', '.join(t.name for t in record.technologies[:10])}.")
        return " ".join(p for p in parts if p)
    if isinstance(record, Skill):
        alt = f" Also: {', '.join(record.alt_labels[:10])}." if record.alt_labels else ""
        return f"{record.label}.{alt} {record.description}".strip()
    if isinstance(record, Provider):
        return f"{record.name}. {record.type.replace('-', ' ')}{' in ' + record.country if record.country else ''}. {record.description}".strip()
    raise TypeError(f"no text for {type(record).__name__}")


def _credential_text(c: Credential) -> str:
    parts = [f"{c.title} — {c.type.value.replace('-', ' ')} by {c.provider}" + (f" on {c.platform}" if c.platform else "") + "."]
    if c.codes:
        parts.append(f"Codes: {', '.join(c.codes)}.")
    if c.description:
        parts.append(c.description)
    if c.learning_outcomes:
        parts.append("Outcomes: " + "; ".join(c.learning_outcomes[:8]) + ".")
    if c.skills:
        parts.append("Skills: " + ", ".join(s.replace("-", " ") for s in c.skills) + ".")
    facts = []
    if c.workload_hours:
        facts.append(f"{c.workload_hours:g} hours")
    if c.ects:
        facts.append(f"{c.ects:g} ECTS")
    if c.duration_weeks:
        facts.append(f"{c.duration_weeks:g} weeks")
    if c.delivery:
        facts.append(c.delivery.value)
    if c.cost and c.cost.amount is not None and c.cost.currency:
        facts.append(f"{c.cost.amount:g} {c.cost.currency}")
    elif c.cost and c.cost.free:
        facts.append("free")
    if c.fields:
        facts.append("field: " + ", ".join(c.fields))
    if facts:
        parts.append("; ".join(facts) + ".")
    return " ".join(parts)


def split_markdown(title: str, body: str) -> list[tuple[str, str]]:
    """Split Markdown along headings into (heading path, passage) pairs."""
    sections: list[tuple[str, list[str]]] = []
    path: list[str] = []
    current: list[str] = []
    heading = ""
    for line in body.splitlines():
        match = _HEADING.match(line)
        if match:
            if any(s.strip() for s in current):
                sections.append((heading, current))
            level, text = len(match.group(1)), match.group(2).strip()
            path = [*path[: max(0, level - 2)], text] if level > 1 else []
            heading = " > ".join(path)
            current = []
        else:
            current.append(line)
    if any(s.strip() for s in current):
        sections.append((heading, current))
    out: list[tuple[str, str]] = []
    for heading, lines in sections:
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
        label = f"{title} — {heading}" if heading else title
        for piece in _split_long(text):
            out.append((heading, f"{label}\n{piece}"))
    return out or [("", title)]


def _split_long(text: str) -> list[str]:
    if len(text) <= MAX_CHUNK_CHARS:
        return [text]
    pieces: list[str] = []
    current = ""
    for para in text.split("\n\n"):
        if current and len(current) + len(para) > MAX_CHUNK_CHARS:
            pieces.append(current.strip())
            current = ""
        while len(para) > MAX_CHUNK_CHARS:
            cut = para.rfind(". ", 0, MAX_CHUNK_CHARS) + 1 or MAX_CHUNK_CHARS
            pieces.append(para[:cut].strip())
            para = para[cut:]
        current += para + "\n\n"
    if current.strip():
        pieces.append(current.strip())
    return pieces


def chunk_metadata(record: AnyRecord, rates: RateTable | None) -> dict[str, object]:
    """Chroma metadata for filtering: kind, type, provider, country, cost in EUR, ..."""
    meta: dict[str, object] = {"record_id": record.id, "kind": record.kind}
    if isinstance(record, Credential):
        meta.update(
            type=record.type.value,
            provider=record.provider,
            country=record.country or "",
            delivery=record.delivery.value if record.delivery else "",
            pace=record.pace.value if record.pace else "",
            duration_weeks=float(record.duration_weeks or -1),
            workload_hours=float(record.workload_hours or -1),
            eqf_level=int(record.eqf_level or 0),
            ects=float(record.ects or -1),
            free=bool(record.cost and record.cost.free_to_learner),
            cost_eur=_cost_eur(record, rates),
        )
        if record.language:
            meta["language"] = list(record.language)
        if record.fields:
            meta["fields"] = list(record.fields)
    elif isinstance(record, Document) and record.country:
        meta["country"] = record.country
    return meta


def _cost_eur(record: Credential, rates: RateTable | None) -> float:
    """Cost converted to EUR; -1 when unknown (so 'max cost' filters exclude unknowns)."""
    value = cost_in_currency(record.cost, "EUR", rates)
    return -1.0 if value is None else round(float(value), 2)
