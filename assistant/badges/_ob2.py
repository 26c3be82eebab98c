"""Checks for an Open Badges 2.0 assertion (hosted or signed)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.serialization import load_pem_public_key

from assistant.badges import _jws, _network, _status
from assistant.badges._ob3 import Env
from assistant.badges._read import _contexts, _types, classify
from assistant.badges._recipient import recipient_check
from assistant.badges._types import Check, ParsedBadge

OB2_CONTEXTS = ("https://w3id.org/openbadges/v2", "https://openbadgespec.org/v2/context.json")


def _fetch(url: Any, env: Env) -> tuple[dict[str, Any] | None, str]:
    if not isinstance(url, str):
        return None, "no URL"
    try:
        doc = _network.fetch_json(url, allow_network=env.options.allow_network)
    except (_network.NetworkDisabled, _network.FetchError) as exc:
        return None, str(exc)
    return (doc, "") if isinstance(doc, dict) else (None, f"{url} is not a JSON object")


def resolve_parts(assertion: dict[str, Any], env: Env) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The BadgeClass (embedded, fetched, or just its id) and the issuer profile when available."""
    badge = assertion.get("badge")
    badgeclass: dict[str, Any]
    if isinstance(badge, dict):
        badgeclass = badge
    else:
        fetched, _ = _fetch(badge, env) if env.options.allow_network else (None, "")
        badgeclass = fetched or ({"id": badge} if isinstance(badge, str) else {})
    issuer = badgeclass.get("issuer")
    if isinstance(issuer, dict):
        return badgeclass, issuer
    if isinstance(issuer, str) and env.options.allow_network:
        fetched, _ = _fetch(issuer, env)
        return badgeclass, fetched
    return badgeclass, None


def structure_check(assertion: dict[str, Any]) -> Check:
    """@context, type, recipient, badge, verification and issuedOn of an OB 2.0 assertion."""
    problems = []
    contexts = _contexts(assertion)
    if assertion.get("@context") is not None and not any(c in OB2_CONTEXTS for c in contexts):
        problems.append(f"@context {contexts or assertion.get('@context')} is not the Open Badges 2.0 context")
    types = _types(assertion)
    if types and "Assertion" not in types:
        problems.append(f"type {types} is not Assertion")
    for field in ("recipient", "badge", "verification", "issuedOn"):
        if field not in assertion:
            problems.append(f"no {field}")
    if problems:
        return Check(name="structure", status="fail", detail="; ".join(problems))
    return Check(name="structure", status="pass", detail="Open Badges 2.0 Assertion")


def _origin_check(assertion: dict[str, Any], issuer: dict[str, Any]) -> Check:
    assertion_id = str(assertion.get("id", ""))
    raw_policy = issuer.get("verification")
    policy: dict[str, Any] = raw_policy if isinstance(raw_policy, dict) else {}
    starts = policy.get("startsWith")
    origins = policy.get("allowedOrigins")
    if starts:
        prefixes = starts if isinstance(starts, list) else [starts]
        ok = any(assertion_id.startswith(str(p)) for p in prefixes)
        detail = f"assertion id {'matches' if ok else 'matches none of'} the issuer's startsWith {prefixes}"
    elif origins:
        hosts = origins if isinstance(origins, list) else [origins]
        ok = urlsplit(assertion_id).hostname in hosts
        detail = f"assertion host {'is' if ok else 'is not'} in the issuer's allowedOrigins {hosts}"
    else:
        ok = urlsplit(assertion_id).hostname == urlsplit(str(issuer.get("id", ""))).hostname
        detail = f"assertion is {'hosted on' if ok else 'not hosted on'} the issuer's host"
    return Check(name="hosted-origin", status="pass" if ok else "fail", detail=detail)


def _hosted_checks(assertion: dict[str, Any], issuer: dict[str, Any] | None, env: Env) -> list[Check]:
    url = assertion.get("id")
    fetched, why = _fetch(url, env)
    if fetched is None:
        return [
            Check(name="hosted", status="skipped", detail=f"the hosted copy at {url} was not fetched: {why}"),
            Check(name="revocation", status="skipped", detail="revocation of a hosted assertion is only known from the issuer's server"),
        ]
    same = json.dumps(fetched, sort_keys=True) == json.dumps(assertion, sort_keys=True)
    checks = [Check(name="hosted", status="pass" if same else "fail", detail=f"the copy at {url} {'matches' if same else 'differs from'} this one")]
    if issuer is not None:
        checks.append(_origin_check(assertion, issuer))
    if fetched.get("revoked"):
        checks.append(Check(name="revocation", status="fail", detail=f"the issuer marks it revoked: {fetched.get('revocationReason', 'no reason given')}"))
    else:
        checks.append(Check(name="revocation", status="pass", detail=f"the copy at {url} is not marked revoked"))
    return checks


def _signed_checks(parsed: ParsedBadge, issuer: dict[str, Any] | None, env: Env) -> list[Check]:
    assertion = parsed.credential
    if not parsed.jws:
        return [Check(name="signature", status="fail", detail="declares signed verification but came without its JWS")]
    creator = (assertion.get("verification") or {}).get("creator")
    key_doc, why = _fetch(creator, env)
    if key_doc is None:
        return [
            Check(name="signature", status="skipped", detail=f"the signing key {creator} was not fetched: {why}"),
            Check(name="revocation", status="skipped", detail="the issuer's revocation list was not fetched"),
        ]
    try:
        key = load_pem_public_key(str(key_doc.get("publicKeyPem", "")).encode("ascii"))
    except ValueError as exc:
        return [Check(name="signature", status="fail", detail=f"key {creator} holds no readable publicKeyPem ({exc})")]
    ok, reason = _jws.verify(_jws.parse(parsed.jws), key)  # type: ignore[arg-type]
    checks = [Check(name="signature", status="pass" if ok else "fail", detail=f"{reason}; key {creator}")]
    if issuer is None:
        checks.append(Check(name="issuer-key", status="skipped", detail="issuer profile not available to confirm the key"))
    else:
        keys = issuer.get("publicKey", [])
        listed = creator in (keys if isinstance(keys, list) else [keys]) or key_doc.get("owner") == issuer.get("id")
        checks.append(Check(name="issuer-key", status="pass" if listed else "fail", detail=f"key {creator} {'is' if listed else 'is not'} the issuer's"))
    checks.append(_status.ob2_revocation_check(assertion, issuer, env.options.allow_network))
    return checks


def ob2_checks(parsed: ParsedBadge, env: Env) -> tuple[list[Check], ParsedBadge]:
    """Every check that applies to an OB 2.0 badge, and the badge as completed from its hosted copy."""
    if parsed.kind != "assertion":
        return [
            Check(
                name="kind",
                status="skipped",
                detail=f"this is an Open Badges 2.0 {parsed.kind}: it describes a badge, it is not one awarded to anyone, so there is nothing to verify",
            )
        ], parsed
    assertion = parsed.credential
    if set(assertion) <= {"id", "verification"}:  # only a link to a hosted assertion
        fetched, why = _fetch(assertion.get("id"), env)
        if fetched is None:
            return [Check(name="hosted", status="skipped", detail=f"only a link to {assertion.get('id')}; not fetched: {why}")], parsed
        parsed = classify(fetched, parsed.source)
        assertion = parsed.credential
    checks = [structure_check(assertion)]
    _, issuer = resolve_parts(assertion, env)
    verification = assertion.get("verification") or {}
    vtype = str(verification.get("type", "")).lower() if isinstance(verification, dict) else ""
    if parsed.jws or vtype in ("signed", "signedbadge"):
        checks.extend(_signed_checks(parsed, issuer, env))
    else:
        checks.extend(_hosted_checks(assertion, issuer, env))
    if assertion.get("revoked") is True:
        checks = [c for c in checks if c.name != "revocation"]
        checks.append(Check(name="revocation", status="fail", detail="the assertion itself says revoked"))
    checks.extend(_status.validity_checks(assertion.get("issuedOn"), None, assertion.get("expires"), env.now))
    if env.options.recipient:
        recipient = assertion.get("recipient")
        identities = [recipient] if isinstance(recipient, dict) else []
        checks.append(recipient_check(identities, None, env.options.recipient))
    return checks, parsed
