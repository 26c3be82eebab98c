"""Validity windows and revocation: OB 2.0 revocationList, OB 3.0 credentialStatus.

Status lists always live elsewhere, so with the network off the revocation check is skipped.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from assistant.badges import _network
from assistant.badges._types import Check

BITSTRING_TYPES = ("BitstringStatusListEntry", "StatusList2021Entry")
LIST_TYPES = ("BitstringStatusListCredential", "StatusList2021Credential")


def parse_time(value: Any) -> datetime | None:
    """Parse an ISO 8601 date-time (or a Unix timestamp) as an aware datetime; None if absent."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    text = str(value).strip().replace("Z", "+00:00").replace("z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def validity_checks(issued: Any, valid_from: Any, valid_until: Any, now: datetime) -> list[Check]:
    """'issued' (not in the future, not after expiry) and 'expiry' checks."""
    checks: list[Check] = []
    try:
        start = parse_time(valid_from) or parse_time(issued)
        end = parse_time(valid_until)
    except (ValueError, TypeError, OverflowError) as exc:
        return [Check(name="issued", status="fail", detail=f"a date is not ISO 8601: {exc}")]
    if start is None:
        checks.append(Check(name="issued", status="fail", detail="no issuance / validFrom date"))
    elif start > now:
        checks.append(Check(name="issued", status="fail", detail=f"not valid before {start.isoformat()}"))
    elif end is not None and end < start:
        checks.append(Check(name="issued", status="fail", detail=f"expires ({end.isoformat()}) before it was issued ({start.isoformat()})"))
    else:
        checks.append(Check(name="issued", status="pass", detail=f"valid from {start.isoformat()}"))
    if end is None:
        checks.append(Check(name="expiry", status="pass", detail="no expiry date"))
    elif end < now:
        checks.append(Check(name="expiry", status="fail", detail=f"expired on {end.isoformat()}"))
    else:
        checks.append(Check(name="expiry", status="pass", detail=f"valid until {end.isoformat()}"))
    return checks


def _decode_bitstring(encoded: str) -> bytes:
    text = encoded[1:] if encoded.startswith("u") else encoded
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return gzip.decompress(raw)


def bit_is_set(encoded_list: str, index: int) -> bool:
    """Bit ``index`` of a gzip'd, base64url (optionally multibase 'u') bitstring; index 0 is the leftmost bit."""
    bits = _decode_bitstring(encoded_list)
    if index < 0 or index >= len(bits) * 8:
        raise ValueError(f"status index {index} is outside the list ({len(bits) * 8} entries)")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


ListVerifier = Callable[[dict[str, Any]], str | None]
"""Verifies a fetched status-list credential; returns why it cannot be trusted, or None."""


def _bitstring_check(entry: dict[str, Any], allow_network: bool, verify_list: ListVerifier) -> Check:
    url = entry.get("statusListCredential")
    purpose = entry.get("statusPurpose", "revocation")
    try:
        index = int(entry.get("statusListIndex", ""))
    except ValueError:
        return Check(name="revocation", status="fail", detail="credentialStatus has no integer statusListIndex")
    if not isinstance(url, str):
        return Check(name="revocation", status="fail", detail="credentialStatus has no statusListCredential URL")
    try:
        listing = _network.fetch_json(url, allow_network=allow_network)
    except (_network.NetworkDisabled, _network.FetchError) as exc:
        return Check(name="revocation", status="skipped", detail=f"status list not reachable: {exc}")
    if not isinstance(listing, dict):
        return Check(name="revocation", status="skipped", detail=f"{url} is not a status list credential")
    problem = verify_list(listing)
    if problem:
        return Check(name="revocation", status="skipped", detail=f"status list {url} cannot be trusted: {problem}")
    subject = listing.get("credentialSubject") or {}
    try:
        revoked = bit_is_set(str(subject.get("encodedList", "")), index)
    except (ValueError, OSError, EOFError) as exc:
        return Check(name="revocation", status="skipped", detail=f"status list {url} does not decode: {exc}")
    if revoked:
        return Check(name="revocation", status="fail", detail=f"{purpose}: entry {index} is set in {url}")
    return Check(name="revocation", status="pass", detail=f"entry {index} is not set in {url} ({purpose})")


def _revocation_list_check(entry: dict[str, Any], credential_id: str | None, allow_network: bool) -> Check:
    url = entry.get("id")
    if not isinstance(url, str):
        return Check(name="revocation", status="fail", detail="1EdTechRevocationList status has no id URL")
    try:
        listing = _network.fetch_json(url, allow_network=allow_network)
    except (_network.NetworkDisabled, _network.FetchError) as exc:
        return Check(name="revocation", status="skipped", detail=f"revocation list not reachable: {exc}")
    revoked = listing.get("revokedCredentials", []) if isinstance(listing, dict) else []
    ids = {r.get("id") if isinstance(r, dict) else r for r in revoked}
    if credential_id and credential_id in ids:
        return Check(name="revocation", status="fail", detail=f"listed as revoked in {url}")
    return Check(name="revocation", status="pass", detail=f"not listed in {url}")


def ob3_status_check(credential: dict[str, Any], allow_network: bool, verify_list: ListVerifier) -> Check:
    """Revocation check for an OB 3.0 credential."""
    status = credential.get("credentialStatus")
    if not status:
        return Check(name="revocation", status="pass", detail="no credentialStatus: the issuer declared no way to revoke it")
    entries = status if isinstance(status, list) else [status]
    results = []
    for entry in entries:
        kind = entry.get("type") if isinstance(entry, dict) else None
        if kind in BITSTRING_TYPES:
            results.append(_bitstring_check(entry, allow_network, verify_list))
        elif kind == "1EdTechRevocationList":
            results.append(_revocation_list_check(entry, credential.get("id"), allow_network))
        else:
            results.append(Check(name="revocation", status="skipped", detail=f"status type {kind!r} is not supported"))
    for wanted in ("fail", "skipped"):
        for check in results:
            if check.status == wanted:
                return check
    return results[0]


def ob2_revocation_check(assertion: dict[str, Any], issuer: dict[str, Any] | None, allow_network: bool) -> Check:
    """Revocation check for an OB 2.0 signed assertion against its issuer's revocationList."""
    if issuer is None:
        return Check(name="revocation", status="skipped", detail="issuer profile not available, so its revocation list is unknown")
    url = issuer.get("revocationList")
    if not url:
        return Check(name="revocation", status="pass", detail="issuer publishes no revocation list")
    try:
        listing = _network.fetch_json(str(url), allow_network=allow_network)
    except (_network.NetworkDisabled, _network.FetchError) as exc:
        return Check(name="revocation", status="skipped", detail=f"revocation list not reachable: {exc}")
    revoked = listing.get("revokedAssertions", []) if isinstance(listing, dict) else []
    ids = {r.get("id") if isinstance(r, dict) else r for r in revoked}
    uid = assertion.get("uid")
    if assertion.get("id") in ids or (uid and uid in {r.get("uid") for r in revoked if isinstance(r, dict)}):
        return Check(name="revocation", status="fail", detail=f"listed as revoked in {url}")
    return Check(name="revocation", status="pass", detail=f"not listed in {url}")
