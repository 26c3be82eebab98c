"""The tools both engines call: search, show, compare, occupation facts, skill gap, plan, verify badge.

Each returns a :class:`ToolResult` holding structured data and the records it rests on, so
that every answer can cite them. The offline composer and the LLM see the same results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.agent.state import Citation
from assistant.catalogue import Catalogue
from assistant.errors import InputError, RecordNotFoundError
from assistant.models import AnyRecord, Credential, LearnerProfile, Occupation
from assistant.retrieval import Retriever, SearchFilters, SearchHit, record_title
from assistant.settings import BadgeSettings, PlannerSettings


@dataclass
class ToolResult:
    """What a tool found, and the records it rests on."""

    name: str
    data: dict[str, Any]
    records: list[AnyRecord] = field(default_factory=list)

    @property
    def citations(self) -> list[Citation]:
        return [cite(r) for r in self.records]


def cite(record: AnyRecord) -> Citation:
    """A citation for any record: id, title, URL, provider, source, date."""
    reviewed = getattr(record, "last_reviewed", None)
    return Citation(
        id=record.id,
        title=record_title(record),
        url=getattr(record, "url", None),
        provider=getattr(record, "provider", None),
        source=getattr(record, "source", None),
        date=reviewed.isoformat() if reviewed else None,
        kind=record.kind,
    )


class Toolbox:
    """Tools over one store's retriever and catalogue."""

    def __init__(self, retriever: Retriever, planner_settings: PlannerSettings | None = None, badge_settings: BadgeSettings | None = None) -> None:
        self.retriever = retriever
        self.planner_settings = planner_settings or PlannerSettings()
        self.badge_settings = badge_settings or BadgeSettings()

    @property
    def catalogue(self) -> Catalogue:
        return self.retriever.catalogue

    def search(self, query: str, filters: SearchFilters | None = None, k: int = 5) -> ToolResult:
        """Find credentials, occupations or guides for a question."""
        hits: list[SearchHit] = self.retriever.search(query, k=k, filters=filters)
        records = [h.record for h in hits if h.record is not None]
        return ToolResult("search", {"hits": [h.as_json() for h in hits], "filters": (filters or SearchFilters()).model_dump(exclude_none=True)}, records)

    def show_record(self, record_id: str) -> ToolResult:
        """One record by id."""
        record = self.catalogue.get(record_id)
        return ToolResult("show_record", {"record": record.model_dump(mode="json", exclude_none=True, exclude_defaults=True)}, [record])

    def compare(self, credential_ids: list[str]) -> ToolResult:
        """Two to four credentials side by side."""
        catalogue = self.catalogue  # one snapshot: an ingest may swap it mid-call
        creds: list[Credential] = []
        for cid in credential_ids[:4]:
            record = catalogue.get(cid)
            if not isinstance(record, Credential):
                raise InputError(f"{cid!r} is not a credential — compare needs credential ids.")
            creds.append(record)
        rows = [
            {
                "id": c.id,
                "title": c.title,
                "provider": c.provider,
                "type": c.type.value,
                "cost": _cost_dict(c),
                "workload_hours": c.workload_hours,
                "duration_weeks": c.duration_weeks,
                "ects": c.ects,
                "eqf_level": c.eqf_level,
                "delivery": c.delivery.value if c.delivery else None,
                "language": c.language,
                "assessment_type": c.assessment_type,
                "skills": [catalogue.skill_label(s) for s in c.skills],
                "stacks_into": [link.target for link in c.stacks_into],
            }
            for c in creds
        ]
        return ToolResult("compare", {"rows": rows}, list(creds))

    def occupation_facts(self, occupation_id: str) -> ToolResult:
        """Wage, outlook, skills and technologies of an occupation."""
        catalogue = self.catalogue
        record = catalogue.get(occupation_id)
        if not isinstance(record, Occupation):
            raise RecordNotFoundError(occupation_id)
        data = {
            "id": record.id,
            "title": record.title,
            "median_wage": [w.model_dump(mode="json") for w in record.median_wage],
            "outlook": [o.model_dump(mode="json") for o in record.outlook],
            "skills": [{"skill": catalogue.skill_label(s.skill), "importance": s.importance} for s in sorted(record.skills, key=lambda s: -s.importance)],
            "technologies": [t.name for t in record.technologies],
            "entry_requirements": record.entry_requirements,
        }
        return ToolResult("occupation_facts", data, [record])

    def skill_gap(self, profile: LearnerProfile) -> ToolResult:
        """What the target needs that the learner lacks, and what they bring."""
        from assistant.gap import analyse_gap

        gap = analyse_gap(profile, self.catalogue)  # the gap holds its own occupation record
        return ToolResult("skill_gap", gap.as_json(), [gap.occupation])

    def plan(self, profile: LearnerProfile, objective: str = "balanced") -> ToolResult:
        """A constrained stackable plan for the profile."""
        from assistant.planner import plan_stackable_path

        catalogue = self.catalogue
        plan = plan_stackable_path(profile, catalogue, self.planner_settings, objective=objective)  # type: ignore[arg-type]
        data = plan.as_json()
        records: list[AnyRecord] = []
        for citation in data.get("citations", []):
            cid = citation.get("id") if isinstance(citation, dict) else citation
            if cid in catalogue.records:
                records.append(catalogue.records[cid])
        return ToolResult("plan", data, records)

    def verify_badge(self, path: Path | None = None, content: bytes | None = None, filename: str | None = None) -> ToolResult:
        """Verify an Open Badge file and say what it certifies."""
        from assistant.badges import VerifyOptions, read_badge, verify_badge

        if content is None:
            if path is None:
                raise InputError("Give a badge file (JSON, JWT, PNG or SVG) to verify.")
            try:
                content = path.read_bytes()
            except OSError as exc:
                raise InputError(f"Cannot read {path}: {exc.strerror}") from exc
            filename = filename or path.name
        parsed = read_badge(content, filename)
        options = VerifyOptions(contexts=list(self.badge_settings.contexts), allow_network=self.badge_settings.allow_network)
        result = verify_badge(parsed, options)
        data = result.model_dump(mode="json")
        records: list[AnyRecord] = []
        name = str((result.achievement or {}).get("name") or "")
        if name:
            match = self.retriever.search(name, k=1, filters=SearchFilters(kind="credential"))
            if match and match[0].title.lower() == name.lower() and match[0].record is not None:
                records.append(match[0].record)
                data["catalogue_match"] = match[0].id
        return ToolResult("verify_badge", data, records)


def _cost_dict(cred: Credential) -> dict[str, Any] | None:
    cost = cred.cost
    if cost is None:
        return None
    return {
        "amount": cost.amount,
        "currency": cost.currency,
        "as_of": cost.as_of.isoformat() if cost.as_of else None,
        "free": cost.free,
        "funded": cost.funded,
        "source": cost.source,
    }
