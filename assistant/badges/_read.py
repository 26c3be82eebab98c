"""Read a badge from bytes: JSON, compact JWS / VC-JWT, baked PNG (iTXt/tEXt) or baked SVG."""

from __future__ import annotations

import io
import json
import re
import warnings
import zlib
from typing import Any

from defusedxml import DefusedXmlException, ElementTree
from PIL import Image, UnidentifiedImageError

from assistant.badges import _jws
from assistant.badges._types import ParsedBadge
from assistant.errors import BadgeFormatError

PNG_KEYS = ("openbadgecredential", "openbadges")
VC_CONTEXTS = ("https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/v2")
OB3_TYPES = ("OpenBadgeCredential", "AchievementCredential", "EndorsementCredential", "ClrCredential")
OB2_CONTEXT_HINTS = ("w3id.org/openbadges", "openbadgespec.org")
MAX_JSON_DEPTH = 200
MAX_BADGE_PIXELS = 16_000_000  # 4000 x 4000; real badge images are well under 1000 x 1000
_JWS_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("type", node.get("@type", []))
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _contexts(node: dict[str, Any]) -> list[str]:
    value = node.get("@context", [])
    items = value if isinstance(value, list) else [value]
    return [c for c in items if isinstance(c, str)]


def is_ob3_context(url: str) -> bool:
    """An Open Badges 3.0 / CLR 2.0 context, released (purl.imsglobal.org) or draft (imsglobal drafts)."""
    return "/spec/ob/v3p0/" in url or "/spec/clr/v2p0/" in url or ("imsglobal" in url and ("openbadges" in url or "/clr/" in url))


def classify(node: Any, source: str, jws: str | None = None) -> ParsedBadge:
    """Decide format and kind of a decoded JSON badge; raise BadgeFormatError when it is none."""
    if not isinstance(node, dict):
        raise BadgeFormatError(f"{source}: the JSON is not an object, so not a badge")
    types = _types(node)
    contexts = _contexts(node)
    has_ob3_context = any(is_ob3_context(c) for c in contexts)
    if any(c in VC_CONTEXTS for c in contexts) or "VerifiableCredential" in types or any(t in OB3_TYPES for t in types):
        subject = node.get("credentialSubject")
        has_achievement = isinstance(subject, dict) and "achievement" in subject
        if not (any(t in OB3_TYPES for t in types) or has_ob3_context or has_achievement):
            raise BadgeFormatError(
                f"{source}: a Verifiable Credential of type {', '.join(types) or '?'}, but not an Open Badge (no Open Badges type or context)"
            )
        return ParsedBadge(format="ob3", kind="credential", credential=node, jws=jws, source=source)
    if has_ob3_context and ("Achievement" in types or "Profile" in types):
        return ParsedBadge(format="ob3", kind="achievement" if "Achievement" in types else "issuer", credential=node, jws=jws, source=source)
    is_ob2 = any(h in c for c in contexts for h in OB2_CONTEXT_HINTS)
    if "recipient" in node and "badge" in node:
        return ParsedBadge(format="ob2", kind="assertion", credential=node, jws=jws, source=source)
    if "Assertion" in types:
        return ParsedBadge(format="ob2", kind="assertion", credential=node, jws=jws, source=source)
    if "BadgeClass" in types or (is_ob2 and "criteria" in node and "issuer" in node):
        return ParsedBadge(format="ob2", kind="badgeclass", credential=node, jws=jws, source=source)
    if ("Issuer" in types or "Profile" in types) and (is_ob2 or not contexts):
        return ParsedBadge(format="ob2", kind="issuer", credential=node, jws=jws, source=source)
    raise BadgeFormatError(f"{source}: JSON that is neither an Open Badges 2.0 assertion/badge class/issuer nor an Open Badges 3.0 credential")


def _too_deep(node: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    stack: list[tuple[Any, int]] = [(node, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def loads_json(text: str | bytes, source: str) -> Any:
    """Parse badge JSON; BadgeFormatError when malformed or nested deeper than ``MAX_JSON_DEPTH``.

    Verification walks the credential recursively (canonicalisation, JSON-LD), so a
    thousand-level nesting would blow the stack there instead of failing here.
    """
    try:
        node = json.loads(text)
    except RecursionError:
        raise BadgeFormatError(f"{source}: JSON nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as exc:  # JSONDecodeError, or an integer over Python's 4,300-digit limit
        raise BadgeFormatError(f"{source}: not valid JSON ({exc})") from exc
    if _too_deep(node):
        raise BadgeFormatError(f"{source}: JSON nested more than {MAX_JSON_DEPTH} levels deep")
    return node


def _from_jws(token: str, source: str) -> ParsedBadge:
    try:
        parsed = _jws.parse(token)
    except _jws.JwsFormatError as exc:
        raise BadgeFormatError(f"{source}: {exc}") from exc
    payload = parsed.payload
    if _too_deep(payload):
        raise BadgeFormatError(f"{source}: JWS payload nested more than {MAX_JSON_DEPTH} levels deep")
    if isinstance(payload, dict) and isinstance(payload.get("vc"), dict):
        return classify(payload["vc"], source + " (VC-JWT, vc claim)", jws=token.strip())
    return classify(payload, source + " (JWS)", jws=token.strip())


def _hosted_pointer(url: str, source: str) -> ParsedBadge:
    return ParsedBadge(
        format="ob2", kind="assertion", credential={"id": url, "verification": {"type": "hosted"}}, jws=None, source=source + " (link to a hosted assertion)"
    )


def _from_text(text: str, source: str) -> ParsedBadge:
    text = text.strip()
    if not text:
        raise BadgeFormatError(f"{source}: empty badge payload")
    if text.startswith("{"):
        return classify(loads_json(text, source), source)
    if _JWS_RE.match(text):
        return _from_jws(text, source)
    if re.match(r"^https?://\S+$", text):
        return _hosted_pointer(text, source)
    raise BadgeFormatError(f"{source}: neither JSON, a JWS nor a URL")


def _from_png(data: bytes, name: str) -> ParsedBadge:
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; for a badge it is an error
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
        with opened as image:
            width, height = image.size
            # Checked before load(): decoding is what a decompression bomb attacks, and a
            # badge is a few hundred pixels across (Pillow's own guard only warns below 2x
            # MAX_IMAGE_PIXELS).
            if width * height > MAX_BADGE_PIXELS:
                raise BadgeFormatError(f"{name}: PNG of {width}x{height} pixels, over the {MAX_BADGE_PIXELS:,}-pixel limit for a badge image")
            image.load()  # reads the text chunks that come after the image data
            chunks = dict(getattr(image, "text", {}) or {})
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        EOFError,
        zlib.error,
    ) as exc:
        raise BadgeFormatError(f"{name}: unreadable PNG ({exc})") from exc
    for key in PNG_KEYS:
        if key in chunks:
            return _from_text(str(chunks[key]), f"{name} (PNG {key} chunk)")
    raise BadgeFormatError(f"{name}: a PNG with no Open Badges data (no 'openbadges' or 'openbadgecredential' chunk): it is not baked")


def _from_svg(data: bytes, name: str) -> ParsedBadge:
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException, LookupError, ValueError) as exc:  # LookupError: an unknown declared encoding
        raise BadgeFormatError(f"{name}: unreadable SVG ({type(exc).__name__}: {exc})") from exc
    for element in root.iter():
        tag = str(element.tag)
        local = tag.rsplit("}", 1)[-1]
        namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
        if local in ("assertion", "credential") and ("openbadges" in namespace or "/ob/v3p0" in namespace):
            payload = (element.text or "").strip()
            verify = (element.get("verify") or "").strip()
            where = f"{name} (SVG openbadges:{local})"
            if payload:
                return _from_text(payload, where)
            if verify:
                return _from_text(verify, where)
            raise BadgeFormatError(f"{where}: the element is empty")
    raise BadgeFormatError(f"{name}: an SVG with no openbadges:assertion or openbadges:credential element: it is not baked")


def read_badge(data: bytes, filename: str | None = None) -> ParsedBadge:
    """Read a badge: JSON / JSON-LD, JWS / VC-JWT, baked PNG or baked SVG.

    Args:
        data: the file's bytes.
        filename: used in messages and as a format hint.

    Returns:
        The parsed badge, not yet verified.

    Raises:
        BadgeFormatError: the bytes are not a badge this reader understands.
    """
    name = filename or "input"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _from_png(data, name)
    head = data.lstrip()[:512].lower()
    if name.lower().endswith(".svg") or head.startswith(b"<?xml") or b"<svg" in head:
        return _from_svg(data, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadgeFormatError(f"{name}: not text, PNG or SVG") from exc
    return _from_text(text, name)
