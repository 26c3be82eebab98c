"""What every source reader shares: the reader protocol, rejections and limits."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from assistant.currency import RateTable
from assistant.models import AnyRecord

MAX_FILE_BYTES = 50 * 1024 * 1024
SNIFF_BYTES = 8192
# Parsed JSON / YAML trees: deeper nesting than any real catalogue (CTDL graphs reach ~10
# levels) only serves to blow the stack of recursive code downstream; a node cap stops YAML
# alias bombs ("billion laughs"), whose shared subtrees look small until something walks them.
MAX_NESTING_DEPTH = 200
MAX_TREE_NODES = 2_000_000


@dataclass(frozen=True)
class Rejection:
    """A record or file that could not be ingested, and why (shown to the user)."""

    source: str
    reason: str


class SourceReader(Protocol):
    """A format reader. ``sniff`` decides by content; ``read`` never raises for bad input."""

    name: str

    def sniff(self, path: Path, head: bytes) -> bool: ...

    def read(self, path: Path) -> Iterator[AnyRecord | RateTable | Rejection]: ...


def sniff_head(path: Path) -> bytes:
    """First bytes of a file, or b'' when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except OSError:
        return b""


def tree_problem(data: Any, max_depth: int = MAX_NESTING_DEPTH, max_nodes: int = MAX_TREE_NODES) -> str | None:
    """Why a parsed JSON / YAML tree is too deep or too large to ingest, or None when it is fine.

    Walks iteratively and stops at the first limit crossed, so a bomb costs at most
    ``max_nodes`` steps.
    """
    if not isinstance(data, dict | list):
        return None
    stack: list[tuple[dict[str, Any] | list[Any], int]] = [(data, 1)]
    nodes = 1
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            return f"nested more than {max_depth} levels deep"
        children: Iterable[Any] = node.values() if isinstance(node, dict) else node
        for child in children:
            nodes += 1
            if nodes > max_nodes:
                return f"more than {max_nodes:,} values (an alias bomb?); split the file"
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return None


def load_json(text: str) -> Any:
    """``json.loads`` with the nesting and size limits; ValueError with a clear reason otherwise."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError(f"malformed JSON: nested more than {MAX_NESTING_DEPTH} levels deep") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON: {exc.msg} (line {exc.lineno})") from None
    except ValueError as exc:  # e.g. an integer literal over Python's 4,300-digit limit
        raise ValueError(f"malformed JSON: {exc}") from None
    # No node cap: JSON has no aliases, so its size is bounded by MAX_FILE_BYTES already.
    problem = tree_problem(data, max_nodes=MAX_FILE_BYTES)
    if problem:
        raise ValueError(f"JSON {problem}")
    return data


def shown(value: object, limit: int = 80) -> str:
    """A value from the input as it may appear in a rejection's ``source``: one line, at most ``limit`` characters.

    Rejection sources are printed, stored and checked against the file system, so an id
    of a megabyte, a NUL byte or a newline from a hostile file must not reach them whole.
    """
    text = "".join(ch if ch.isprintable() else "\ufffd" for ch in str(value)[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming each bad field: 'cost.currency: String should match ...'."""
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or "(record)"
        parts.append(f"{loc}: {err['msg']}")
    more = len(exc.errors()) - 3
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")
