"""The store: records and lexical index in SQLite, vectors in Chroma, one manifest.

Layout of a store folder (default ``./.stackwise/``)::

    manifest.json    what built the store: embedding model, dimension, schema version
    records.sqlite   records (JSON), chunks, an FTS5 lexical index, meta (rates, generation)
    chroma/          the embedded Chroma store (unless a Chroma server URL is configured)

Atomicity: chunk vectors are content-addressed (``<record id>::<record hash>::<n>``). An
ingest first adds the vectors it lacks to Chroma, then switches records, chunks and the
lexical index in ONE SQLite transaction, then deletes vectors no record points to. A kill
at any moment leaves SQLite at the previous or the next state; searches only return
vectors whose chunk id is in SQLite, so stray vectors are invisible, and the next run
reuses the vectors already added (nothing is embedded twice).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.errors import StoreMismatchError, StoreMissingError, StoreUnavailableError
from assistant.models import RECORD_TYPES, SCHEMA_VERSION, AnyRecord
from assistant.settings import StoreSettings

CHUNKING_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    hash TEXT NOT NULL,
    origin TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_kind ON records(kind);
CREATE INDEX IF NOT EXISTS records_origin ON records(origin);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    heading TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_record ON chunks(record_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    chunk_id UNINDEXED, title, text, tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orphan_vectors (chunk_id TEXT PRIMARY KEY);
"""


@dataclass(frozen=True)
class Manifest:
    """What built a store; a store refuses to be used with anything else."""

    embedding_model: str
    dimension: int
    schema_version: int = SCHEMA_VERSION
    chunking_version: int = CHUNKING_VERSION

    @property
    def collection_suffix(self) -> str:
        key = f"{self.embedding_model}|{self.dimension}|{self.schema_version}|{self.chunking_version}"
        return hashlib.sha256(key.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class ChunkRow:
    chunk_id: str
    record_id: str
    position: int
    heading: str
    text: str


class Store:
    """Records, chunks, lexical index (SQLite) and vectors (Chroma) of one store folder."""

    def __init__(self, settings: StoreSettings, *, create: bool = False) -> None:
        self.settings = settings
        self.path = Path(settings.path)
        self.db_path = self.path / "records.sqlite"
        self.manifest_path = self.path / "manifest.json"
        if not create and not self.db_path.exists():
            raise StoreMissingError(str(self.path))
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailableError(f"Cannot create the store folder {self.path}: {exc.strerror} — choose a writable --store DIR.") from exc
        self._local = threading.local()
        self._collection: Any = None
        self._client: Any = None
        self._collection_lock = threading.Lock()
        try:
            self.conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailableError(f"Cannot use the store at {self.path}: {exc} — is it read-only, full or not a Stackwise store?") from exc

    # -- SQLite -------------------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        """A connection per thread (SQLite connections must not cross threads)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None, check_same_thread=True)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.OperationalError as exc:
                raise StoreUnavailableError(f"Cannot open {self.db_path}: {exc} — check the folder is readable and writable.") from exc
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic SQLite transaction; rolled back on any error."""
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreUnavailableError(f"Cannot write the store at {self.path}: {exc} — is it read-only or in use?") from exc
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            conn.execute("ROLLBACK")
            raise StoreUnavailableError(f"Cannot write the store at {self.path}: {exc} (disk full or read-only?) — nothing was changed.") from exc

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @property
    def generation(self) -> int:
        """Bumped by every committed ingest; caches compare it to know they are stale."""
        return int(self.meta("generation") or 0)

    # -- manifest -----------------------------------------------------------------------

    def read_manifest(self) -> Manifest | None:
        if not self.manifest_path.exists():
            return None
        try:
            data = json.loads(self.manifest_path.read_text())
            return Manifest(**data)
        except (ValueError, TypeError) as exc:
            raise StoreMismatchError(f"The store manifest {self.manifest_path} is unreadable ({exc}) — run `stackwise ingest --rebuild`.") from exc

    def check_manifest(self, wanted: Manifest) -> None:
        """Refuse a store built by another model, dimension or schema."""
        have = self.read_manifest()
        if have is None or have == wanted:
            return
        raise StoreMismatchError(
            f"The store at {self.path} was built with {have.embedding_model} (dim {have.dimension}, schema {have.schema_version}) "
            f"but {wanted.embedding_model} (dim {wanted.dimension}, schema {wanted.schema_version}) is configured — "
            "run `stackwise ingest PATH --rebuild` or set STACKWISE_EMBEDDING_MODEL back."
        )

    def write_manifest(self, manifest: Manifest) -> None:
        tmp = self.manifest_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest.__dict__, indent=2))
        tmp.replace(self.manifest_path)

    # -- Chroma -------------------------------------------------------------------------

    def collection(self, manifest: Manifest | None = None) -> Any:
        """The Chroma collection for this store's manifest (created on first use)."""
        with self._collection_lock:
            if self._collection is not None:
                return self._collection
            manifest = manifest or self.read_manifest()
            if manifest is None:
                raise StoreMissingError(str(self.path))
            client = self._chroma_client()
            name = f"{self.settings.collection}-{manifest.collection_suffix}"
            try:
                collection = client.get_or_create_collection(name, embedding_function=None, metadata={"hnsw:space": "cosine"})
            except Exception as exc:  # chromadb raises many unrelated types for an unreachable server
                raise StoreUnavailableError(f"Cannot open the vector collection: {_one_line(exc)} — check STACKWISE_CHROMA_URL or the store folder.") from exc
            self._collection = _ServerCollection(collection, self.settings.chroma_url) if self.settings.chroma_url else collection
            return self._collection

    def _chroma_client(self) -> Any:
        if self._client is not None:
            return self._client
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if self.settings.chroma_url:
                from urllib.parse import urlparse

                url = urlparse(self.settings.chroma_url)
                self._client = chromadb.HttpClient(
                    host=url.hostname or "localhost",
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=chroma_settings,
                )
                self._client.heartbeat()
            else:
                self._client = chromadb.PersistentClient(path=str(self.path / "chroma"), settings=chroma_settings)
        except Exception as exc:  # connection errors come as ValueError, httpx errors, ...
            where = self.settings.chroma_url or str(self.path / "chroma")
            raise StoreUnavailableError(
                f"Cannot reach the Chroma store at {where}: {_one_line(exc)} — start it (`chroma run`) or unset STACKWISE_CHROMA_URL."
            ) from exc
        return self._client

    def reset_vectors(self) -> None:
        """Drop this store's Chroma collections (used by --rebuild)."""
        client = self._chroma_client()
        for col in client.list_collections():
            name = col if isinstance(col, str) else col.name
            if name.startswith(f"{self.settings.collection}-"):
                client.delete_collection(name)
        self._collection = None

    # -- reads --------------------------------------------------------------------------

    def record_hashes(self) -> dict[str, tuple[str, str, str]]:
        """id -> (hash, kind, origin) for every record."""
        return {row[0]: (row[1], row[2], row[3]) for row in self.conn.execute("SELECT id, hash, kind, origin FROM records")}

    def get(self, record_id: str) -> AnyRecord | None:
        row = self.conn.execute("SELECT kind, body FROM records WHERE id = ?", (record_id,)).fetchone()
        return None if row is None else _load(row[0], row[1])

    def iter_records(self, kind: str | None = None) -> Iterator[AnyRecord]:
        sql, args = "SELECT kind, body FROM records", tuple[str, ...]()
        if kind:
            sql, args = sql + " WHERE kind = ?", (kind,)
        for row_kind, body in self.conn.execute(sql, args):
            yield _load(row_kind, body)

    def counts(self) -> dict[str, int]:
        counts = {kind: 0 for kind in RECORD_TYPES}
        for kind, n in self.conn.execute("SELECT kind, COUNT(*) FROM records GROUP BY kind"):
            counts[kind] = n
        counts["chunks"] = int(self.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
        return counts

    def chunks_for(self, chunk_ids: Sequence[str]) -> dict[str, ChunkRow]:
        """Current chunks among ``chunk_ids`` (stale vector ids are simply absent)."""
        out: dict[str, ChunkRow] = {}
        ids = list(chunk_ids)
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for row in self.conn.execute(f"SELECT chunk_id, record_id, position, heading, text FROM chunks WHERE chunk_id IN ({marks})", part):
                out[row[0]] = ChunkRow(*row)
        return out

    def lexical_search(self, query: str, limit: int) -> list[tuple[str, float]]:
        """FTS5 BM25 hits as (chunk_id, score) with larger scores better."""
        terms = _fts_terms(query)
        if not terms:
            return []
        match = " OR ".join(terms)
        try:
            rows = self.conn.execute(
                "SELECT chunk_id, bm25(chunks_fts, 0.0, 3.0, 1.0) AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s LIMIT ?", (match, limit)
            ).fetchall()
        except sqlite3.OperationalError:
            return []
        return [(row[0], -float(row[1])) for row in rows]

    def lexical_all(self, words: list[str], limit: int = 50) -> list[str]:
        """Chunk ids whose text holds every one of ``words`` (FTS5 AND)."""
        terms = _fts_terms(" ".join(words))
        if not terms:
            return []
        try:
            rows = self.conn.execute("SELECT chunk_id FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?", (" AND ".join(terms), limit)).fetchall()
        except sqlite3.OperationalError:
            return []
        return [row[0] for row in rows]

    def lexical_near(self, word: str, prefix: str, distance: int = 3) -> bool:
        """Whether some passage has ``word`` within ``distance`` words of a word starting ``prefix``."""
        word, prefix = "".join(_fts_tokens(word)[:1]), "".join(_fts_tokens(prefix)[:1])
        if not word.isalnum() or not prefix.isalnum():
            return False
        try:
            row = self.conn.execute("SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 1", (f'NEAR("{word}" "{prefix}"*, {int(distance)})',)).fetchone()
        except sqlite3.OperationalError:
            return False
        return row is not None

    def rate_table(self) -> dict[str, Any] | None:
        raw = self.meta("rates")
        return None if raw is None else dict(json.loads(raw))

    # -- writes -------------------------------------------------------------------------

    def commit_records(
        self,
        upserts: Iterable[tuple[AnyRecord, str, str, list[ChunkRow]]],
        removals: Iterable[str],
        meta: dict[str, str] | None = None,
    ) -> list[str]:
        """Switch records, chunks and the lexical index in one transaction.

        Args:
            upserts: (record, hash, origin, chunks) for every added or changed record.
            removals: ids of records to delete.
            meta: meta keys to set in the same transaction.

        Returns:
            Chunk ids that no record points to any more (their vectors can be deleted).
        """
        orphans: list[str] = []
        with self.transaction() as conn:
            for record, digest, origin, chunks in upserts:
                orphans += self._drop_chunks(conn, record.id)
                title = getattr(record, "title", None) or getattr(record, "label", None) or getattr(record, "name", "")
                conn.execute(
                    "INSERT OR REPLACE INTO records (id, kind, hash, origin, title, body) VALUES (?, ?, ?, ?, ?, ?)",
                    (record.id, record.kind, digest, origin, title, record.model_dump_json(exclude_defaults=True)),
                )
                for chunk in chunks:
                    conn.execute(
                        "INSERT OR REPLACE INTO chunks (chunk_id, record_id, position, heading, text) VALUES (?, ?, ?, ?, ?)",
                        (chunk.chunk_id, chunk.record_id, chunk.position, chunk.heading, chunk.text),
                    )
                    conn.execute("INSERT INTO chunks_fts (chunk_id, title, text) VALUES (?, ?, ?)", (chunk.chunk_id, f"{title} {chunk.heading}", chunk.text))
            for record_id in removals:
                orphans += self._drop_chunks(conn, record_id)
                conn.execute("DELETE FROM records WHERE id = ?", (record_id,))
            current = {row[0] for row in conn.execute("SELECT chunk_id FROM chunks")} if orphans else set()
            orphans = [c for c in orphans if c not in current]
            conn.executemany("INSERT OR IGNORE INTO orphan_vectors (chunk_id) VALUES (?)", [(c,) for c in orphans])
            for key, value in (meta or {}).items():
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', ?)", (str(self.generation + 1),))
        return orphans

    def _drop_chunks(self, conn: sqlite3.Connection, record_id: str) -> list[str]:
        old = [row[0] for row in conn.execute("SELECT chunk_id FROM chunks WHERE record_id = ?", (record_id,))]
        if old:
            marks = ",".join("?" * len(old))
            conn.execute(f"DELETE FROM chunks_fts WHERE chunk_id IN ({marks})", old)
            conn.execute("DELETE FROM chunks WHERE record_id = ?", (record_id,))
        return old

    def collect_orphan_vectors(self) -> int:
        """Delete vectors no chunk points to; safe to run any time, repeated after a crash."""
        pending = [row[0] for row in self.conn.execute("SELECT chunk_id FROM orphan_vectors")]
        if not pending:
            return 0
        collection = self.collection()
        for start in range(0, len(pending), 1000):
            part = pending[start : start + 1000]
            collection.delete(ids=part)
            with self.transaction() as conn:
                conn.executemany("DELETE FROM orphan_vectors WHERE chunk_id = ?", [(c,) for c in part])
        return len(pending)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class _ServerCollection:
    """A collection on a Chroma server; a dropped connection becomes a :class:`StoreUnavailableError`.

    The HTTP client reconnects on the next call, so once the server is back the same
    collection object works again: no restart of the app is needed.
    """

    _CALLS = frozenset({"add", "upsert", "update", "get", "query", "delete", "count", "peek"})

    def __init__(self, collection: Any, url: str) -> None:
        self._collection = collection
        self._url = url

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._collection, name)
        if name not in self._CALLS:
            return attr
        import httpx

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return attr(*args, **kwargs)
            except httpx.TransportError as exc:
                raise StoreUnavailableError(
                    f"The Chroma server at {self._url} stopped answering ({exc.__class__.__name__}: {_one_line(exc)}) — "
                    "restart it (`chroma run --path DIR --port N`) and try again; the store was not changed."
                ) from exc

        return call


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or exc.__class__.__name__


def _load(kind: str, body: str) -> AnyRecord:
    model = RECORD_TYPES[kind]
    try:
        return model.model_validate_json(body)  # type: ignore[return-value]
    except ValidationError as exc:
        raise StoreMismatchError(
            f"A stored {kind} record no longer matches the schema ({exc.error_count()} errors) — run `stackwise ingest --rebuild`."
        ) from exc


def _fts_terms(text: str) -> list[str]:
    """The words of ``text`` as quoted FTS5 terms (quotes dropped, so no query syntax leaks in)."""
    return [f'"{t}"' for t in _fts_tokens(text) if t]


def _fts_tokens(text: str) -> list[str]:
    import re

    return [t.replace('"', "") for t in re.findall(r"[\w][\w.+#-]*", text.lower())][:64]


def open_store(settings: StoreSettings) -> Store:
    """Open an existing store, with a message that says how to create one when absent."""
    return Store(settings, create=False)
