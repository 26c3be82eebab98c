"""Skill-gap analysis: what a target occupation needs that a learner does not yet bring.

The target occupation is resolved by id, O*NET-SOC code, ESCO URI, title or alternate title,
exactly first and then fuzzily (rapidfuzz). The learner's skills come from three places, each
kept with where it came from: declared skills (ids or free-text labels matched to the canonical
vocabulary), the skills taught by credentials the learner holds, and skills evidenced by a
credential or badge (``evidenced_skills``, "evidenced by a verified credential" when verified).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process, utils

from assistant.catalogue import Catalogue
from assistant.errors import RecordNotFoundError
from assistant.models import LearnerProfile, Occupation

# Scores (0..100) below which a fuzzy match is not trusted.
OCCUPATION_CUTOFF = 86.0
SKILL_CUTOFF = 90.0


class UnknownOccupationError(RecordNotFoundError):
    """The profile's target matches no occupation; the message lists the closest ones."""

    def __init__(self, target: str, suggestions: list[str]) -> None:
        hint = f" — did you mean: {'; '.join(suggestions)}?" if suggestions else ' — try `stackwise search "..." --kind occupation`.'
        Exception.__init__(self, f"No occupation matches target {target!r}{hint}")
        self.target = target
        self.suggestions = suggestions


@dataclass(frozen=True)
class SkillNeed:
    """One skill the target occupation needs, with its 0..1 importance."""

    skill: str
    label: str
    importance: float
    essential: bool
    source: str | None = None  # for transferable skills: how the learner has it

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {"skill": self.skill, "label": self.label, "importance": round(self.importance, 3), "essential": self.essential}
        if self.source:
            data["source"] = self.source
        return data


@dataclass
class SkillGap:
    """The result of :func:`analyse_gap`."""

    occupation: Occupation
    matched_by: str
    learner_skills: dict[str, str] = field(default_factory=dict)  # skill id -> where it comes from
    unmatched_skills: list[str] = field(default_factory=list)  # declared labels matching no skill
    gap: list[SkillNeed] = field(default_factory=list)
    transferable: list[SkillNeed] = field(default_factory=list)

    @property
    def gap_weight(self) -> float:
        return sum(n.importance for n in self.gap)

    @property
    def readiness(self) -> float:
        """Importance-weighted share of the occupation's needs the learner already brings."""
        total = self.gap_weight + sum(n.importance for n in self.transferable)
        return 1.0 if total == 0 else sum(n.importance for n in self.transferable) / total

    def as_json(self) -> dict[str, object]:
        return {
            "occupation": {"id": self.occupation.id, "title": self.occupation.title, "matched_by": self.matched_by},
            "gap": [n.as_json() for n in self.gap],
            "transferable": [n.as_json() for n in self.transferable],
            "learner_skills": dict(self.learner_skills),
            "unmatched_skills": list(self.unmatched_skills),
            "readiness": round(self.readiness, 3),
        }


def resolve_occupation(target: str, catalogue: Catalogue) -> tuple[Occupation, str]:
    """The occupation ``target`` names, and how it matched.

    Raises:
        UnknownOccupationError: nothing matches closely enough; carries the closest titles.
    """
    wanted = target.strip()
    if not wanted:
        raise UnknownOccupationError(target, [])
    direct = catalogue.occupations.get(wanted)
    if direct is not None:
        return direct, "id"
    folded = wanted.casefold()
    names: dict[str, Occupation] = {}
    for occ in catalogue.occupations.values():
        if (occ.onet_soc and occ.onet_soc == wanted) or (occ.esco_uri and occ.esco_uri.rstrip("/") == wanted.rstrip("/")):
            return occ, "code"
        if occ.title.casefold() == folded:
            return occ, "title"
        names.setdefault(occ.title, occ)
        for alt in occ.alt_titles:
            names.setdefault(alt, occ)
    for name, occ in names.items():
        if name.casefold() == folded:
            return occ, "alternate title"
    best = process.extract(wanted, list(names), scorer=fuzz.WRatio, processor=utils.default_process, limit=8)
    if best and best[0][1] >= OCCUPATION_CUTOFF:
        # Prefer the exact title's record when several names tie at the top.
        top = best[0][1]
        tied = [names[name] for name, score, _ in best if score == top]
        return tied[0], f"fuzzy ({best[0][0]!r}, {top:.0f}/100)"
    suggestions: list[str] = []
    for name, _score, _ in best:
        label = f"{names[name].title} ({names[name].id})"
        if label not in suggestions:
            suggestions.append(label)
    raise UnknownOccupationError(target, suggestions[:5])


def match_skill(text: str, catalogue: Catalogue) -> str | None:
    """The canonical skill id a declared skill (id, label, alt label, or close to one) names."""
    wanted = text.strip()
    if wanted in catalogue.skills:
        return wanted
    folded = wanted.casefold()
    names: dict[str, str] = {}
    for skill in catalogue.skills.values():
        for name in (skill.id, skill.label, *skill.alt_labels):
            if name.casefold() == folded:
                return skill.id
            names.setdefault(name, skill.id)
    best = process.extractOne(wanted, list(names), scorer=fuzz.token_sort_ratio, processor=utils.default_process, score_cutoff=SKILL_CUTOFF)
    return names[best[0]] if best else None


def learner_skills(profile: LearnerProfile, catalogue: Catalogue) -> tuple[dict[str, str], list[str]]:
    """Skill id -> where the learner's skill comes from; and declared skills that match nothing."""
    found: dict[str, str] = {}
    unmatched: list[str] = []
    for evidenced in profile.evidenced_skills:
        skill_id = match_skill(evidenced.skill, catalogue) or evidenced.skill
        how = "evidenced by a verified credential" if evidenced.verified else "evidenced by a credential (not verified)"
        found.setdefault(skill_id, f"{how}: {evidenced.evidence}")
    for held in profile.held_credentials:
        cred = catalogue.credentials.get(held)
        if cred is None:
            continue
        for skill_id in cred.skills:
            found.setdefault(skill_id, f"held credential: {cred.title}")
    for declared in profile.skills:
        matched = match_skill(declared, catalogue)
        if matched is None:
            unmatched.append(declared)
        else:
            found.setdefault(matched, "declared")
    return found, unmatched


def analyse_gap(profile: LearnerProfile, catalogue: Catalogue) -> SkillGap:
    """Compare the target occupation's skills with the learner's.

    Args:
        profile: the learner; ``profile.target`` names the occupation.
        catalogue: occupations, skills and credentials to resolve against.

    Returns:
        The gap (needed skills the learner lacks, most important first) and the transferable
        skills (needed skills the learner already brings, with how).

    Raises:
        UnknownOccupationError: the target matches no occupation (with suggestions).
    """
    if not profile.target:
        raise UnknownOccupationError("", [])
    occupation, matched_by = resolve_occupation(profile.target, catalogue)
    have, unmatched = learner_skills(profile, catalogue)
    result = SkillGap(occupation=occupation, matched_by=matched_by, learner_skills=have, unmatched_skills=unmatched)
    needs: dict[str, SkillNeed] = {}
    for item in occupation.skills:
        if item.skill in needs and needs[item.skill].importance >= item.importance:
            continue
        needs[item.skill] = SkillNeed(item.skill, catalogue.skill_label(item.skill), item.importance, item.essential)
    for need in sorted(needs.values(), key=lambda n: (-n.importance, n.skill)):
        if need.skill in have:
            result.transferable.append(SkillNeed(need.skill, need.label, need.importance, need.essential, have[need.skill]))
        else:
            result.gap.append(need)
    return result
