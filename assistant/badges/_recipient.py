"""Does a badge name a given recipient (email, URL or DID), hashed or in the clear?"""

from __future__ import annotations

import hashlib
from typing import Any

from assistant.badges._types import Check


def _identity_matches(identity: dict[str, Any], wanted: str) -> bool | None:
    value = identity.get("identity", identity.get("identityHash"))
    if not isinstance(value, str):
        return None
    kind = str(identity.get("type", identity.get("identityType", ""))).lower()
    candidate = wanted.strip().lower() if "email" in kind else wanted.strip()
    if identity.get("hashed"):
        algorithm, _, digest = value.partition("$")
        if algorithm.lower() not in ("sha256", "md5"):
            return None
        salted = (candidate + str(identity.get("salt") or "")).encode("utf-8")
        return hashlib.new(algorithm.lower(), salted).hexdigest() == digest.lower()
    return value.strip().lower() == candidate.lower() if "email" in kind else value.strip() == candidate


def recipient_check(identities: list[dict[str, Any]], subject_id: str | None, wanted: str) -> Check:
    """Compare ``wanted`` with the subject id and every identity object of the badge."""
    if subject_id and subject_id == wanted.strip():
        return Check(name="recipient", status="pass", detail=f"awarded to {wanted}")
    results = [_identity_matches(i, wanted) for i in identities]
    if any(results):
        return Check(name="recipient", status="pass", detail=f"awarded to {wanted} (identity matches)")
    if not identities and not subject_id:
        return Check(name="recipient", status="skipped", detail="the badge names no recipient to compare with")
    return Check(name="recipient", status="fail", detail=f"not awarded to {wanted}")
