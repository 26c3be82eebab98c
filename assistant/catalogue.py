"""The catalogue in memory: every record by id and kind, and the stacking graph.

Loaded once from the store's SQLite (no re-parsing of source files) and reloaded only when
the store's generation changes, so start-up costs one table scan.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from assistant.currency import RateTable
from assistant.errors import RecordNotFoundError
from assistant.models import AnyRecord, Credential, Document, Occupation, Provider, Skill
from assistant.store import Store


@dataclass
class Catalogue:
    """Records by id, with lookups the planner, retrieval and UI share."""

    generation: int = 0
    records: dict[str, AnyRecord] = field(default_factory=dict)
    credentials: dict[str, Credential] = field(default_factory=dict)
    occupations: dict[str, Occupation] = field(default_factory=dict)
    skills: dict[str, Skill] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    providers: dict[str, Provider] = field(default_factory=dict)
    rates: RateTable | None = None
    stacked_from: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    required_by: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    prepares_for: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # occupation id -> credential ids
    awarded_by: dict[str, str] = field(default_factory=dict)  # credential id -> provider id (by id, else by name)
    offering: set[str] = field(default_factory=set)  # ids of providers that award or host a credential here

    @classmethod
    def from_records(cls, records: list[AnyRecord], rates: RateTable | None = None, generation: int = 0) -> Catalogue:
        cat = cls(generation=generation, rates=rates)
        for record in records:
            cat.records[record.id] = record
            if isinstance(record, Credential):
                cat.credentials[record.id] = record
            elif isinstance(record, Occupation):
                cat.occupations[record.id] = record
            elif isinstance(record, Skill):
                cat.skills[record.id] = record
            elif isinstance(record, Document):
                cat.documents[record.id] = record
            elif isinstance(record, Provider):
                cat.providers[record.id] = record
        by_name = {provider.name.casefold(): provider.id for provider in cat.providers.values()}
        for cred in cat.credentials.values():
            owner = cred.provider_id if cred.provider_id in cat.providers else by_name.get(cred.provider.casefold())
            if owner is not None:
                cat.awarded_by[cred.id] = owner
            host = by_name.get((cred.platform or "").casefold())
            cat.offering |= {p for p in (owner, host) if p is not None}
            for link in cred.stacks_into:
                cat.stacked_from[link.target].append(cred.id)
            for part in cred.part_of:
                if not any(link.target == part for link in cred.stacks_into):
                    cat.stacked_from[part].append(cred.id)
            for pre in cred.prerequisites:
                cat.required_by[pre].append(cred.id)
            for occupation in cred.occupations:
                cat.prepares_for[occupation].append(cred.id)
        return cat

    def get(self, record_id: str) -> AnyRecord:
        """The record with this id; raises RecordNotFoundError with what to do."""
        record = self.records.get(record_id)
        if record is None:
            raise RecordNotFoundError(record_id)
        return record

    def neighbours(self, credential_id: str) -> dict[str, list[Credential]]:
        """Stacking neighbours: prerequisites, what it stacks into, what stacks into it, what requires it."""
        cred = self.credentials.get(credential_id)
        if cred is None:
            raise RecordNotFoundError(credential_id)

        def existing(ids: list[str]) -> list[Credential]:
            return [self.credentials[i] for i in dict.fromkeys(ids) if i in self.credentials]

        return {
            "prerequisites": existing(cred.prerequisites),
            "stacks_into": existing([link.target for link in cred.stacks_into] + cred.part_of),
            "stacked_from": existing(self.stacked_from.get(credential_id, [])),
            "required_by": existing(self.required_by.get(credential_id, [])),
        }

    def skill_label(self, skill_id: str) -> str:
        skill = self.skills.get(skill_id)
        return skill.label if skill else skill_id.replace("-", " ")

    def provider_count(self) -> int:
        return len({c.provider for c in self.credentials.values()})

    def country_count(self) -> int:
        return len({c.country for c in self.credentials.values() if c.country})


_CACHE: dict[str, Catalogue] = {}
_LOCK = threading.Lock()
_BUILD_LOCKS: dict[str, threading.Lock] = {}


def load_catalogue(store: Store) -> Catalogue:
    """The store's catalogue, cached per store folder until its generation changes.

    One thread rebuilds after an ingest while the others wait and reuse its result, instead
    of every thread re-reading the store at once.
    """
    key = str(store.path.resolve())
    generation = store.generation
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached.generation == generation:
            return cached
        build_lock = _BUILD_LOCKS.setdefault(key, threading.Lock())
    with build_lock:
        with _LOCK:
            cached = _CACHE.get(key)
        generation = store.generation
        if cached is not None and cached.generation == generation:
            return cached
        raw = store.rate_table()
        catalogue = Catalogue.from_records(list(store.iter_records()), RateTable.model_validate(raw) if raw else None, generation)
        with _LOCK:
            _CACHE[key] = catalogue
        return catalogue
