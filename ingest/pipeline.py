"""Ingest: sources -> records -> chunks -> embeddings -> store, incrementally and atomically.

1. Read every file with the reader its content calls for; bad records become rejections.
2. Hash each record (its JSON, the chunking version and the rate table date).
3. Compare with the store: added, updated, unchanged, and removed (records that came from
   the same files or folders and are gone from them).
4. Embed only the chunks of added and updated records, and only those whose vectors are
   not already in Chroma (an interrupted run left them there): batched, with progress.
5. Commit records, chunks and the lexical index in one SQLite transaction, then delete
   vectors nothing points to. See :mod:`assistant.store` for why a kill is harmless.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.currency import RateTable
from assistant.embeddings import Embedder
from assistant.errors import InputError, StackwiseError, StoreUnavailableError
from assistant.models import AnyRecord, Record
from assistant.store import CHUNKING_VERSION, ChunkRow, Manifest, Store
from ingest.chunking import METADATA_VERSION, chunk_metadata, chunk_record
from ingest.sources import Rejection, detect_reader, expand_paths
from ingest.sources._base import MAX_FILE_BYTES

ProgressFn = Callable[[str, int, int], None]
CHROMA_BATCH = 1000
EMBED_BATCH = 256  # small enough for a smooth progress bar, large enough to keep the model busy


@dataclass
class IngestReport:
    """What an ingest did; ``as_json`` is the `ingest --json` contract."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    embedded_chunks: int = 0
    reused_vectors: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "rejected": [{"source": r.source, "reason": r.reason} for r in self.rejected],
            "embedded_chunks": self.embedded_chunks,
            "seconds": round(self.seconds, 3),
        }


def record_digest(record: Record, rates: RateTable | None) -> str:
    payload = record.model_dump_json(exclude_defaults=True)
    salt = f"{CHUNKING_VERSION}.{METADATA_VERSION}|{rates.as_of if rates else ''}|{json.dumps(rates.per_eur, sort_keys=True) if rates else ''}"
    return hashlib.sha256(f"{salt}|{payload}".encode()).hexdigest()


@dataclass
class SourceBatch:
    """What the readers produced: records with their file, rejections, the rate table."""

    records: list[tuple[AnyRecord, str]]
    rejections: list[Rejection]
    rates: RateTable | None
    # Files with any rejection: their previously ingested records are kept, never removed.
    damaged_origins: set[str]


def read_sources(paths: Iterable[Path]) -> SourceBatch:
    """Every record under ``paths`` with the file it came from; duplicates rejected."""
    records: dict[tuple[str, str], tuple[AnyRecord, str]] = {}
    rejections: list[Rejection] = []
    damaged: set[str] = set()
    rates: RateTable | None = None
    for path in expand_paths(paths):
        origin = str(path.resolve())
        if not path.exists():
            rejections.append(Rejection(str(path), "no such file or folder — check the path"))
            continue
        try:
            size = path.stat().st_size
        except OSError as exc:
            rejections.append(Rejection(str(path), f"cannot read: {exc.strerror}"))
            continue
        if size > MAX_FILE_BYTES:
            rejections.append(Rejection(str(path), f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit"))
            continue
        reader = detect_reader(path)
        if reader is None:
            rejections.append(
                Rejection(str(path), "unrecognised format (supported: knowledge YAML, CTDL JSON-LD, Open Badges, O*NET, ESCO, CSV/XLSX, Markdown/HTML/PDF)")
            )
            continue
        for item in _safe_read(reader, path):
            if isinstance(item, Rejection):
                rejections.append(item)
                damaged.add(origin)
            elif isinstance(item, RateTable):
                rates = item
            else:
                key = (item.kind, item.id)
                if key in records:
                    rejections.append(Rejection(str(path), f"duplicate {item.kind} id {item.id!r} (also in {records[key][1]}) — ids must be unique"))
                    continue
                records[key] = (item, origin)
    for rejection in rejections:
        try:
            if Path(rejection.source).exists():
                damaged.add(str(Path(rejection.source).resolve()))
        except (OSError, ValueError):
            continue  # a source label that is not a path (e.g. 'file.yaml:credentials[3]')
    return SourceBatch(list(records.values()), rejections, rates, damaged)


def _safe_read(reader: Any, path: Path) -> Iterator[Any]:
    """A reader's output; a reader bug becomes a rejection of that file, never a crashed batch."""
    try:
        yield from reader.read(path)
    except (MemoryError, RecursionError) as exc:
        yield Rejection(str(path), f"too large or too deeply nested to read ({exc.__class__.__name__})")
    except Exception as exc:  # readers must not raise; if one does, the batch still goes on
        yield Rejection(str(path), f"could not be read by the {getattr(reader, 'name', 'format')} reader ({exc.__class__.__name__}: {str(exc)[:120]})")


def _canonicalize_skills(store: Store, records: list[tuple[AnyRecord, str]], embedder: Embedder) -> list[tuple[AnyRecord, str]]:
    """Map skill labels and codes to canonical skills when the canonicaliser is available."""
    try:
        from ingest.skills import SkillCanonicalizer
    except ImportError:
        return records
    from assistant.models import Skill

    known = [r for r in store.iter_records("skill") if isinstance(r, Skill)]
    origins = {r.id: o for r, o in records}
    canonicalizer = SkillCanonicalizer(known, embedder=embedder)
    rewritten, new_skills = canonicalizer.canonicalize([r for r, _ in records])
    out = [(r, origins.get(r.id, "")) for r in rewritten]
    seen = {(r.kind, r.id) for r, _ in out}
    out += [(s, "canonical-skills") for s in new_skills if ("skill", s.id) not in seen]
    return out


def ingest_paths(
    paths: list[Path],
    store: Store,
    embedder: Embedder,
    *,
    progress: ProgressFn | None = None,
    canonicalize: bool = True,
) -> IngestReport:
    """Ingest files and folders into ``store``; see the module docstring for the steps."""
    started = time.perf_counter()
    report = IngestReport()
    marks: dict[str, float] = {}
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise InputError(f"No such file or folder: {missing[0]} — check the path.")
    manifest = Manifest(embedding_model=embedder.name, dimension=embedder.dimension)
    store.check_manifest(manifest)

    batch = read_sources(paths)
    records, report.rejected, rates = batch.records, batch.rejections, batch.rates
    marks["read"] = time.perf_counter()
    if canonicalize:
        records = _canonicalize_skills(store, records, embedder)
    rates = rates or _stored_rates(store)
    marks["canonicalize"] = time.perf_counter()

    existing = store.record_hashes()
    scopes = [str(p.resolve()) for p in paths]
    upserts: list[tuple[AnyRecord, str, str, list[ChunkRow]]] = []
    seen: set[str] = set()
    for record, origin in records:
        seen.add(record.id)
        digest = record_digest(record, rates)
        old = existing.get(record.id)
        if old is not None and old[0] == digest:
            report.unchanged += 1
            continue
        if old is None:
            report.added += 1
        else:
            report.updated += 1
        upserts.append((record, digest, origin, chunk_record(record, digest)))
    removals = [
        rid
        for rid, (_, _, origin) in existing.items()
        if rid not in seen and origin not in batch.damaged_origins and any(origin == s or origin.startswith(s.rstrip("/") + "/") for s in scopes)
    ]
    report.removed = len(removals)
    marks["diff"] = time.perf_counter()

    if upserts or not store.read_manifest():
        store.write_manifest(manifest)
    collection = store.collection(manifest)
    report.embedded_chunks, report.reused_vectors = _embed_missing(collection, upserts, embedder, rates, progress)
    marks["embed"] = time.perf_counter()

    meta = {"rates": rates.model_dump_json()} if rates else {}
    if upserts or removals or meta:
        store.commit_records(upserts, removals, meta)
    marks["commit"] = time.perf_counter()
    with contextlib.suppress(StoreUnavailableError):  # vectors nothing points to are invisible; the next ingest deletes them
        store.collect_orphan_vectors()
    marks["gc"] = time.perf_counter()
    report.seconds = time.perf_counter() - started
    previous = started
    for name, mark in marks.items():
        report.timings[name] = round(mark - previous, 4)
        previous = mark
    return report


def _stored_rates(store: Store) -> RateTable | None:
    raw = store.rate_table()
    return RateTable.model_validate(raw) if raw else None


def _embed_missing(
    collection: Any,
    upserts: list[tuple[AnyRecord, str, str, list[ChunkRow]]],
    embedder: Embedder,
    rates: RateTable | None,
    progress: ProgressFn | None,
) -> tuple[int, int]:
    """Embed and add the vectors Chroma lacks; returns (embedded, reused)."""
    pending: list[tuple[ChunkRow, dict[str, Any]]] = []
    for record, _, _, chunks in upserts:
        meta = chunk_metadata(record, rates)
        for chunk in chunks:
            pending.append((chunk, {**meta, "position": chunk.position}))
    if not pending:
        return 0, 0
    try:
        return _add_vectors(collection, pending, embedder, progress)
    except StackwiseError:
        raise
    except Exception as exc:  # chromadb raises its own internal types for disk, permission and server errors
        raise StoreUnavailableError(
            f"Could not write vectors to the store ({exc.__class__.__name__}: {str(exc)[:160]}) — disk full, read-only or server down? Nothing was changed; run the ingest again when it is fixed."
        ) from exc


def _add_vectors(collection: Any, pending: list[tuple[ChunkRow, dict[str, Any]]], embedder: Embedder, progress: ProgressFn | None) -> tuple[int, int]:
    present: set[str] = set()
    ids = [c.chunk_id for c, _ in pending]
    for start in range(0, len(ids), CHROMA_BATCH):
        present.update(collection.get(ids=ids[start : start + CHROMA_BATCH], include=[])["ids"])
    # Sorted by length so that each slice batches texts of similar length: the model pads a
    # batch to its longest text, and unsorted slices padded ~12% more tokens than one sorted
    # encode of the same texts on the shipped knowledge (docs/performance.md).
    todo = sorted(((c, m) for c, m in pending if c.chunk_id not in present), key=lambda item: len(item[0].text))
    total = len(todo)
    done = 0
    if progress:
        progress("embedding", 0, total)
    # One writer thread adds slice i to Chroma while the model encodes slice i + 1 (Chroma's
    # insert was ~9% of the embed stage at 10k credentials when run in turn). At most one add
    # is in flight, so a failed add stops the ingest before the next slice is encoded. Chroma
    # gets no documents: the chunk text lives in SQLite, and Chroma's own full-text index of
    # the documents was 40% of its insert time and never queried.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-add") as writer:
        in_flight: Future[None] | None = None
        for start in range(0, total, EMBED_BATCH):
            batch = todo[start : start + EMBED_BATCH]
            vectors = embedder.encode([c.text for c, _ in batch])
            if in_flight is not None:
                in_flight.result()
            in_flight = writer.submit(collection.add, ids=[c.chunk_id for c, _ in batch], embeddings=vectors, metadatas=[m for _, m in batch])
            done += len(batch)
            if progress:
                progress("embedding", done, total)
        if in_flight is not None:
            in_flight.result()
    return total, len(pending) - total
