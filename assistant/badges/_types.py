"""The public models of the badges package (re-exported by ``assistant.badges``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

Verdict = Literal["verified", "invalid", "expired", "revoked", "unverified"]


class ParsedBadge(BaseModel):
    """A badge as read from a file, before any verification."""

    format: Literal["ob2", "ob3"]
    kind: str = Field(description="assertion | badgeclass | issuer | credential | achievement")
    credential: dict[str, Any] = Field(description="The decoded JSON (for a JWT, the credential inside it).")
    jws: str | None = Field(default=None, description="The compact JWS / VC-JWT it came in, if any.")
    source: str = Field(description="Where it came from and how it was packaged, e.g. 'x.png (PNG iTXt openbadgecredential)'.")


class Check(BaseModel):
    """One verification step and its outcome."""

    name: str
    status: Literal["pass", "fail", "skipped"]
    detail: str


class VerifyOptions(BaseModel):
    """How to verify: extra contexts, network permission, expected recipient, clock, local DID documents."""

    contexts: list[Path] = Field(default_factory=list, description="Extra folders of pinned JSON-LD contexts.")
    allow_network: bool = Field(default=False, description="Fetch hosted assertions, keys, did:web documents and status lists.")
    recipient: str | None = Field(default=None, description="Email, URL or DID the badge should have been awarded to.")
    now: datetime | None = Field(default=None, description="Clock for validity checks (default: current UTC time).")
    did_documents: list[Path] = Field(default_factory=list, description="Folders of DID documents (*.json) used instead of resolving did:web.")


class VerificationResult(BaseModel):
    """The outcome of verifying a badge, and what it certifies."""

    format: Literal["ob2", "ob3"]
    verdict: Verdict
    checks: list[Check]
    achievement: dict[str, Any]
    issuer: dict[str, Any]
    recipient: dict[str, Any]
    eu_elements: dict[str, bool]
    explanation: str
