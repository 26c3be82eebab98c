"""Open Badges 2.0 / 3.0: read, verify and explain.

What it offers:

- :func:`read_badge` — JSON / JSON-LD, JWS (OB 2.0 signed), VC-JWT (both the ``vc``-claim and the
  credential-as-payload forms), baked PNG (iTXt/tEXt) and baked SVG, to a :class:`ParsedBadge`.
- :func:`verify_badge` / :func:`verify_file` — structure, signature (eddsa-rdfc-2022, eddsa-jcs-2022,
  Ed25519Signature2020, RS256 / ES256 / EdDSA JWS), whether the key is the issuer's (did:key, did:jwk,
  did:web), validity dates, revocation (OB 2.0 revocationList, BitstringStatusList, 1EdTech revocation
  list) and recipient, to a :class:`VerificationResult` whose verdict is ``verified`` only when every
  check passed. JSON-LD contexts come from a pinned cache and are never fetched; the network is off unless
  ``VerifyOptions.allow_network``; whatever needs it is reported ``skipped`` and the verdict ``unverified``.
- :func:`badge_to_credential` — what a badge certifies, as a catalogue :class:`~assistant.models.Credential`.
"""

from __future__ import annotations

from assistant.badges._convert import badge_to_credential
from assistant.badges._explain import EU_ELEMENTS
from assistant.badges._read import read_badge
from assistant.badges._types import Check, ParsedBadge, Verdict, VerificationResult, VerifyOptions
from assistant.badges._verify import verify_badge, verify_file

__all__ = [
    "EU_ELEMENTS",
    "Check",
    "ParsedBadge",
    "Verdict",
    "VerificationResult",
    "VerifyOptions",
    "badge_to_credential",
    "read_badge",
    "verify_badge",
    "verify_file",
]
