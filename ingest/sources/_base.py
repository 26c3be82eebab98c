"""What every source reader shares: the reader protocol, rejections and limits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from assistant.models import AnyRecord

MAX_FILE_BYTES = 50 * 1024 * 1024
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Rejection:
    """A record or file that could not be ingested, and why (shown to the user)."""

    source: str
    reason: str


class SourceReader(Protocol):
    """A format reader. ``sniff`` decides by content; ``read`` never raises for bad input."""

    name: str

    def sniff(self, path: Path, head: bytes) -> bool: ...

    def read(self, path: Path) -> Iterator[AnyRecord | Rejection]: ...


def sniff_head(path: Path) -> bytes:
    """First bytes of a file, or b'' when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except OSError:
        return b""


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming each bad field: 'cost.currency: String should match ...'."""
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or "(record)"
        parts.append(f"{loc}: {err['msg']}")
    more = len(exc.errors()) - 3
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")
