"""Run the checks that apply to a badge and reach one verdict."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from assistant.badges._convert import parts
from assistant.badges._explain import eu_elements, explain
from assistant.badges._ob2 import ob2_checks, resolve_parts
from assistant.badges._ob3 import Env, ob3_checks
from assistant.badges._read import read_badge
from assistant.badges._types import Check, ParsedBadge, Verdict, VerificationResult, VerifyOptions
from assistant.errors import BadgeFormatError

_FAIL_VERDICT = {"expiry": "expired", "revocation": "revoked"}
_RANK = ("invalid", "revoked", "expired")


def decide(checks: list[Check]) -> Verdict:
    """Verified only when every check passed; otherwise the gravest failure, else unverified."""
    failed = {_FAIL_VERDICT.get(c.name, "invalid") for c in checks if c.status == "fail"}
    for verdict in _RANK:
        if verdict in failed:
            return verdict  # type: ignore[return-value]
    if not checks or any(c.status != "pass" for c in checks):
        return "unverified"
    return "verified"


def verify_badge(parsed: ParsedBadge, options: VerifyOptions | None = None) -> VerificationResult:
    """Verify a parsed badge: structure, signature, issuer key, dates, revocation, recipient.

    Args:
        parsed: a badge from :func:`read_badge`.
        options: contexts, network permission, expected recipient, clock, DID documents.

    Returns:
        The verdict, every check with its reason, and what the badge certifies.
    """
    options = options or VerifyOptions()
    now = options.now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    env = Env(options, now)
    if parsed.format == "ob3":
        if parsed.kind != "credential":
            checks = [
                Check(
                    name="kind",
                    status="skipped",
                    detail=f"this is an Open Badges 3.0 {parsed.kind}: it describes, it awards nothing, so there is nothing to verify",
                )
            ]
        else:
            checks = ob3_checks(parsed, env)
        achievement, issuer, recipient = parts(parsed)
    else:
        checks, parsed = ob2_checks(parsed, env)
        achievement, issuer, recipient = parts(parsed)
        if parsed.kind == "assertion" and options.allow_network:
            badgeclass, fetched_issuer = resolve_parts(parsed.credential, env)
            achievement = badgeclass or achievement
            issuer = fetched_issuer or issuer
    verdict = decide(checks)
    elements = eu_elements(achievement, issuer, recipient, parsed.credential)
    return VerificationResult(
        format=parsed.format,
        verdict=verdict,
        checks=checks,
        achievement=achievement,
        issuer=issuer,
        recipient=recipient,
        eu_elements=elements,
        explanation=explain(verdict, checks, achievement, issuer, elements),
    )


def verify_file(path: Path, options: VerifyOptions | None = None) -> VerificationResult:
    """Read and verify a badge file (.json, .jsonld, .jwt, .png, .svg, ...).

    Raises:
        BadgeFormatError: the file is missing or not a badge this verifier can read.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadgeFormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return verify_badge(read_badge(data, str(path)), options)
