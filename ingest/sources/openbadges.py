"""Open Badges as catalogue records: what a badge certifies becomes a :class:`Credential`.

Reads OB 2.0 BadgeClass / Assertion JSON, OB 3.0 Achievement / OpenBadgeCredential JSON,
signed JWS / VC-JWT text files and baked PNG / SVG images, through
:func:`assistant.badges.read_badge` and :func:`assistant.badges.badge_to_credential`
(imported lazily, so the rest of ingest works without the badge package). No verification
happens here: a catalogue record describes the achievement, not one learner's award; use
``stackwise verify`` for that.

Sniffing is by content: PNG / SVG with an Open Badges chunk or namespace, JSON naming an
Open Badges context or type, or a compact JWS. JSON-LD context documents, DID documents and
keys that mention Open Badges terms are rejected by the badge reader as "not a badge".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from assistant.errors import BadgeFormatError
from assistant.models import AnyRecord
from ingest.sources._base import Rejection, describe_validation_error

_JSON_MARKERS = (
    "w3id.org/openbadges", "openbadges.org", "purl.imsglobal.org/spec/ob/", "OpenBadgeCredential",
    "AchievementCredential", '"BadgeClass"', '"Assertion"', '"Achievement"',
)  # fmt: skip
_JWS = re.compile(r"^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\s*$")


class OpenBadgesReader:
    """Reads Open Badges 2.0 / 3.0 files (JSON, JWT, baked PNG / SVG) into credentials."""

    name = "openbadges"

    def sniff(self, path: Path, head: bytes) -> bool:
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return _file_contains(path, (b"openbadge",))
        text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
        if text.startswith("<") and "<svg" in text[:4096]:
            return _file_contains(path, (b"openbadges:assertion", b"openbadges:credential", b"xmlns:openbadges"))
        if text.startswith(("{", "[")):
            if "ceterms:" in text:
                return False
            return any(marker in text for marker in _JSON_MARKERS)
        return bool(_JWS.match(text[:8192])) if len(head) < 8192 else text.startswith("eyJ") and text.count(".") >= 2

    def read(self, path: Path) -> Iterator[AnyRecord | Rejection]:
        try:
            from assistant.badges import badge_to_credential, read_badge
        except ImportError as exc:
            yield Rejection(str(path), f"Open Badges support is not installed ({exc.name}); cannot read this badge")
            return
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield Rejection(str(path), f"cannot read: {exc.strerror}")
            return
        try:
            parsed = read_badge(data, path.name)
            yield badge_to_credential(parsed, str(path))
        except BadgeFormatError as exc:
            yield Rejection(str(path), f"not an Open Badge this reader understands: {exc}")
        except ValidationError as exc:
            yield Rejection(str(path), f"badge does not describe a catalogue credential: {describe_validation_error(exc)}")


def _file_contains(path: Path, needles: tuple[bytes, ...]) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return any(needle in data for needle in needles)
