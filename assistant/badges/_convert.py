"""A badge as a catalogue record (:class:`assistant.models.Credential`)."""

from __future__ import annotations

import re
from typing import Any

from assistant.badges._explain import _alignments, _text
from assistant.badges._types import ParsedBadge
from assistant.errors import BadgeFormatError
from assistant.models import Alignment, Credential, CredentialType, slugify

_SKILL_HINTS = ("skill", "competency", "esco", "o*net", "onet")
_LANG_RE = re.compile(r"^[a-z]{2,3}$")


def parts(parsed: ParsedBadge) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(achievement, issuer, recipient) as found in the badge itself (nothing fetched)."""
    node = parsed.credential
    if parsed.format == "ob3":
        if parsed.kind == "achievement":
            creator = node.get("creator")
            return node, creator if isinstance(creator, dict) else {}, {}
        if parsed.kind == "issuer":
            return {}, node, {}
        raw_subject = node.get("credentialSubject")
        raw_subject = raw_subject[0] if isinstance(raw_subject, list) and raw_subject else raw_subject
        subject: dict[str, Any] = raw_subject if isinstance(raw_subject, dict) else {}
        achievement = subject.get("achievement")
        issuer = node.get("issuer")
        recipient = {k: v for k, v in subject.items() if k not in ("achievement",)}
        return (
            achievement if isinstance(achievement, dict) else {},
            issuer if isinstance(issuer, dict) else {"id": issuer} if isinstance(issuer, str) else {},
            recipient,
        )
    if parsed.kind == "badgeclass":
        issuer = node.get("issuer")
        return node, issuer if isinstance(issuer, dict) else {"id": issuer} if isinstance(issuer, str) else {}, {}
    if parsed.kind == "issuer":
        return {}, node, {}
    badge = node.get("badge")
    badgeclass: dict[str, Any] = badge if isinstance(badge, dict) else {"id": badge} if isinstance(badge, str) else {}
    awarded_by = badgeclass.get("issuer")
    named = node.get("recipient")
    return (
        badgeclass,
        awarded_by if isinstance(awarded_by, dict) else {"id": awarded_by} if isinstance(awarded_by, str) else {},
        named if isinstance(named, dict) else {},
    )


def _alignment(raw: dict[str, Any]) -> Alignment | None:
    name = _text(raw.get("targetName"))
    if not name:
        return None
    return Alignment(
        target_name=name,
        target_url=raw.get("targetUrl") if isinstance(raw.get("targetUrl"), str) else None,
        target_framework=_text(raw.get("targetFramework")),
        target_code=_text(raw.get("targetCode")),
        target_type=_text(raw.get("targetType")),
    )


def badge_to_credential(parsed: ParsedBadge, source: str) -> Credential:
    """What the badge certifies, as a catalogue record.

    Args:
        parsed: a badge from :func:`read_badge`.
        source: where the record came from (file or URL).

    Returns:
        A ``digital-badge`` Credential: title, provider (issuer name), description, criteria, alignments;
        skills only where an alignment names a skill; the raw achievement in ``extra``.

    Raises:
        BadgeFormatError: the badge does not carry its achievement (e.g. an OB 2.0 BadgeClass hosted elsewhere).
    """
    achievement, issuer, _ = parts(parsed)
    title = _text(achievement.get("name"))
    if not title:
        where = achievement.get("id") or parsed.credential.get("id") or source
        raise BadgeFormatError(f"{source}: the badge does not include its achievement's name (it is described at {where}); nothing to catalogue")
    provider = _text(issuer.get("name")) or str(issuer.get("id") or "unknown issuer")
    alignments = [a for a in (_alignment(raw) for raw in _alignments(achievement)) if a is not None]
    skills = []
    for item in alignments:
        kind = f"{item.target_type or ''} {item.target_framework or ''} {item.target_url or ''}".lower()
        if any(h in kind for h in _SKILL_HINTS):
            skills.append(item.target_url if item.target_url and "esco" in item.target_url else slugify(item.target_name))
    raw_address = issuer.get("address")
    address: dict[str, Any] = raw_address if isinstance(raw_address, dict) else {}
    country = address.get("addressCountryCode") or address.get("addressCountry")
    languages = achievement.get("inLanguage") or achievement.get("@language")
    language = [
        x.split("-")[0].lower()
        for x in (languages if isinstance(languages, list) else [languages])
        if isinstance(x, str) and _LANG_RE.match(x.split("-")[0].lower())
    ]
    image = achievement.get("image")
    achievement_type = achievement.get("achievementType")
    record_id = achievement.get("id") or parsed.credential.get("id") or f"badge:{slugify(provider)}:{slugify(title)}"
    return Credential(
        id=str(record_id),
        title=title,
        type=CredentialType.DIGITAL_BADGE,
        provider=provider,
        country=country if isinstance(country, str) and re.match(r"^[A-Za-z]{2}$", country) else None,
        url=achievement.get("id") if str(achievement.get("id", "")).startswith("http") else None,
        source=source,
        description=_text(achievement.get("description")) or "",
        criteria=_text(achievement.get("criteria")),
        achievement_type=achievement_type if isinstance(achievement_type, str) else None,
        image=image if isinstance(image, str) else _text(image.get("id")) if isinstance(image, dict) else None,
        alignments=alignments,
        skills=skills,
        language=language,
        extra={"format": parsed.format, "kind": parsed.kind, "achievement": achievement, "issuer": issuer},
    )
