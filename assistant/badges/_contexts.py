"""Pinned JSON-LD contexts and a pyld document loader that never fetches.

The shipped cache (``contexts/manifest.json``) maps each context URL to a file and its sha256.
Extra folders may hold their own ``manifest.json`` in the same shape, or plain files whose names
match the shipped manifest's file names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError

SHIPPED_DIR = Path(__file__).resolve().parent / "contexts"


class MissingContextError(Exception):
    """A JSON-LD context is not in the pinned cache."""

    def __init__(self, url: str) -> None:
        super().__init__(f"JSON-LD context {url} is not in the pinned cache (add a folder holding it with --contexts DIR)")
        self.url = url


def _read_manifest(folder: Path) -> list[dict[str, Any]]:
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        return []
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))["contexts"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{manifest}: not a context manifest ({exc}); it needs a 'contexts' list of {{url, file, sha256}}") from exc
    return list(entries)


@lru_cache(maxsize=1)
def _shipped_entries() -> tuple[dict[str, Any], ...]:
    return tuple(_read_manifest(SHIPPED_DIR))


def _load_file(path: Path, sha256: str | None) -> Any:
    data = path.read_bytes()
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        raise ConfigError(f"{path}: sha256 differs from its manifest; the pinned context was changed")
    return json.loads(data)


class ContextCache:
    """Context documents by URL, from the shipped cache plus extra folders (later folders win)."""

    def __init__(self, folders: Iterable[Path] = ()) -> None:
        self._docs: dict[str, Any] = {}
        self._add_folder(SHIPPED_DIR)
        for folder in folders:
            self._add_folder(Path(folder))

    def _add_folder(self, folder: Path) -> None:
        if not folder.is_dir():
            raise ConfigError(f"contexts folder {folder} does not exist")
        entries = _read_manifest(folder)
        if not entries:  # a folder of plain files named like the shipped ones
            entries = [dict(e, sha256=None) for e in _shipped_entries() if (folder / e["file"]).is_file()]
        for entry in entries:
            document = _load_file(folder / entry["file"], entry.get("sha256"))
            for url in [entry["url"], *entry.get("aliases", [])]:
                self._docs[url] = document

    def __contains__(self, url: str) -> bool:
        return url in self._docs

    def get(self, url: str) -> Any:
        """The context document for ``url``; raises :class:`MissingContextError` when not cached."""
        try:
            return self._docs[url]
        except KeyError:
            raise MissingContextError(url) from None

    def missing(self, document: Any) -> list[str]:
        """Context URLs named at the top of ``document`` that are not cached."""
        contexts = document.get("@context", []) if isinstance(document, dict) else []
        if isinstance(contexts, str):
            contexts = [contexts]
        return [c for c in contexts if isinstance(c, str) and c not in self._docs]

    def loader(self) -> Any:
        """A pyld document loader that serves only cached contexts and never fetches."""

        def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
            return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": self.get(url)}

        return load
