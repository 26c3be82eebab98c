"""What a badge certifies, in plain words, and the EU micro-credential elements it states."""

from __future__ import annotations

from typing import Any

from assistant.badges._types import Check

EU_ELEMENTS = (
    "learner",
    "title",
    "country",
    "awarding_body",
    "date",
    "learning_outcomes",
    "workload",
    "level",
    "assessment_type",
    "form_of_participation",
    "quality_assurance",
)

_VERDICT_WORDS = {
    "verified": "Verified: every check passed.",
    "invalid": "Invalid: a check failed, so this badge cannot be trusted as shown.",
    "expired": "Expired: the signature holds but the badge is past its end date.",
    "revoked": "Revoked: the issuer has withdrawn this badge.",
    "unverified": "Unverified: nothing failed, but at least one needed check could not run, so authenticity is not established.",
}


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, dict):  # language maps, {"narrative": ...}
        for key in ("narrative", "en", "name", "@value"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


def _has_any(node: dict[str, Any], keys: tuple[str, ...]) -> bool:
    return any(node.get(k) not in (None, "", [], {}) for k in keys)


def _alignments(achievement: dict[str, Any]) -> list[dict[str, Any]]:
    value = achievement.get("alignment") or achievement.get("alignments") or []
    return [a for a in (value if isinstance(value, list) else [value]) if isinstance(a, dict)]


def eu_elements(achievement: dict[str, Any], issuer: dict[str, Any], recipient: dict[str, Any], credential: dict[str, Any]) -> dict[str, bool]:
    """Which EU Council Recommendation (2022) mandatory elements the badge states (present or missing).

    Heuristics: learning outcomes from alignments or an explicit learningOutcome(s) field; workload from
    creditsAvailable / ECTS / workload fields; level from an EQF/NQF alignment or a level field; assessment from
    resultDescription or an assessment field; form of participation from a mode / delivery field; quality
    assurance from endorsements or an accreditation / qualityAssurance field.
    """
    raw_address = issuer.get("address")
    address: dict[str, Any] = raw_address if isinstance(raw_address, dict) else {}
    aligned = " ".join(f"{a.get('targetFramework', '')} {a.get('targetName', '')} {a.get('targetType', '')}" for a in _alignments(achievement)).lower()
    extras = {**credential, **achievement}
    return {
        "learner": _has_any(recipient, ("name", "id", "identity", "identifier", "email")),
        "title": _text(achievement.get("name")) is not None,
        "country": _has_any(address, ("addressCountry", "addressCountryCode")) or _has_any(extras, ("country", "location")),
        "awarding_body": _text(issuer.get("name")) is not None,
        "date": _has_any(credential, ("validFrom", "issuanceDate", "issuedOn", "awardedDate")),
        "learning_outcomes": bool(_alignments(achievement)) or _has_any(extras, ("learningOutcome", "learningOutcomes")),
        "workload": _has_any(extras, ("creditsAvailable", "ects", "workload", "volumeOfLearning", "workloadHours")),
        "level": "eqf" in aligned or "nqf" in aligned or _has_any(extras, ("level", "eqfLevel", "educationLevel")),
        "assessment_type": _has_any(extras, ("resultDescription", "assessment", "assessmentType", "gradingScheme")),
        "form_of_participation": _has_any(extras, ("modeOfLearning", "learningMode", "formOfParticipation", "delivery", "mode")),
        "quality_assurance": _has_any(achievement, ("endorsement", "endorsementJwt"))
        or _has_any(issuer, ("endorsement", "endorsementJwt"))
        or _has_any(extras, ("qualityAssurance", "accreditation")),
    }


def explain(verdict: str, checks: list[Check], achievement: dict[str, Any], issuer: dict[str, Any], elements: dict[str, bool]) -> str:
    """A short plain-words explanation: verdict, why, what it certifies, which EU elements are missing."""
    lines = [_VERDICT_WORDS.get(verdict, verdict)]
    reasons = [c for c in checks if c.status != "pass"]
    for check in reasons[:4]:
        lines.append(f"- {check.name} {check.status}: {check.detail}")
    title = _text(achievement.get("name")) or achievement.get("id") or "an unnamed achievement"
    body = _text(issuer.get("name")) or issuer.get("id") or "an unnamed issuer"
    lines.append(f"It says that {body} awarded '{title}'.")
    description = _text(achievement.get("description"))
    if description:
        lines.append(f"Description: {description}")
    criteria = _text(achievement.get("criteria"))
    if criteria:
        lines.append(f"Criteria: {criteria}")
    missing = [name.replace("_", " ") for name, present in elements.items() if not present]
    if missing:
        lines.append(f"EU micro-credential elements not stated: {', '.join(missing)}.")
    else:
        lines.append("All EU micro-credential mandatory elements are stated.")
    return "\n".join(lines)
