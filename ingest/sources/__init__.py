"""Source readers: one module per format, each turning files into pydantic records.

A reader is detected by content (a sniff of the first bytes and the file name), never
by extension alone. Every reader yields records or :class:`Rejection` objects: a bad
record or file is reported with its source and reason, and the rest of the batch goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ingest.sources._base import MAX_FILE_BYTES, Rejection, SourceReader, sniff_head
from ingest.sources.knowledge import KnowledgeReader

__all__ = ["MAX_FILE_BYTES", "READERS", "Rejection", "SourceReader", "detect_reader", "expand_paths", "read_paths"]


def _all_readers() -> list[SourceReader]:
    """Readers in detection order: the most specific sniff first."""
    readers: list[SourceReader] = []
    # Optional format readers register themselves here; each module is imported lazily
    # so that a broken optional dependency does not take the whole ingest down.
    from ingest.sources import _registry

    readers.extend(_registry.format_readers())
    readers.append(KnowledgeReader())
    return readers


READERS: list[SourceReader] = []


def detect_reader(path: Path) -> SourceReader | None:
    """Return the reader for ``path`` by sniffing its content, or None."""
    if not READERS:
        READERS.extend(_all_readers())
    head = sniff_head(path)
    for reader in READERS:
        try:
            if reader.sniff(path, head):
                return reader
        except Exception:  # a sniff that trips over odd bytes simply does not match
            continue
    return None


_SKIP_NAMES = {"README.md", "SOURCES.md", "LICENSE", ".gitkeep", "known_gaps.yaml"}


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under each path, sorted, skipping hidden files and folder READMEs."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                parts = child.relative_to(path).parts
                if child.is_file() and not any(p.startswith(".") for p in parts) and child.name not in _SKIP_NAMES and "templates" not in parts:
                    yield child
        else:
            yield path


def read_paths(paths: Iterable[Path]) -> Iterator[object]:
    """Yield records and Rejections for every file under ``paths``."""
    for path in expand_paths(paths):
        if not path.exists():
            yield Rejection(str(path), "no such file or folder")
            continue
        try:
            size = path.stat().st_size
        except OSError as exc:
            yield Rejection(str(path), f"cannot read: {exc.strerror}")
            continue
        if size > MAX_FILE_BYTES:
            yield Rejection(str(path), f"file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit")
            continue
        reader = detect_reader(path)
        if reader is None:
            yield Rejection(str(path), "unrecognised format (supported: knowledge YAML, CTDL JSON-LD, Open Badges, O*NET, ESCO, CSV/XLSX, Markdown/HTML/PDF)")
            continue
        yield from reader.read(path)
