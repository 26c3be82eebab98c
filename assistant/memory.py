"""Question memory: the labelled questions search has already seen, recalled by meaning.

Many questions are asked again in other words: "what does AZ-900 cover", "is the azure
fundamentals exam hard", "ms cloud basics cert for a career changer". The retrieval dataset
(``evals/datasets/retrieval.jsonl``) labels each of its questions with the records a good
answer needs, or with none when the catalogue has nothing on it. Search embeds the questions
of its ``dev`` and ``seen`` splits (never the held-back ones) with the store's embedding
model, and for a new question finds the :data:`NEIGHBOURS` closest. Each neighbour votes for
the records it was labelled with, weighted by its similarity raised to :data:`SHARPNESS`, so a
near-copy outvotes many loose relatives. The votes are evidence for the learned reranker and
for the judge of "nothing" (a question close to ones labelled "nothing" is likely one too),
not answers on their own: a record must still be in the catalogue and meet the question's
filters.

The vectors are computed once per embedding model and version of the labelled questions and
kept beside the store (``memory-<hash>.npy``); ``stackwise ingest`` builds them, so the first
search does not wait.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Container, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.embeddings import Embedder
from assistant.errors import ConfigError
from assistant.settings import DEFAULT_MEMORY

MEMORY_SPLITS = ("dev", "seen")  # never "heldout": its questions stay a blind test
# The labels were written for one catalogue: "nothing" on a question means that catalogue lacks
# it. They are recalled only over a catalogue holding at least this share of the records they
# name, the shipped one or one grown from it, not over another organisation's catalogue.
MIN_COVERAGE = 0.9
NEIGHBOURS = 20
SHARPNESS = 3.0


class MemoryFileError(ConfigError, ValueError):
    """The labelled questions cannot be read: a user-facing error that names the file and the fix."""


@dataclass(frozen=True)
class Recall:
    """What the neighbours of one question say."""

    votes: dict[str, float]  # record id -> its share of the neighbours' weight
    closest: dict[str, float]  # record id -> similarity of the closest neighbour labelled with it
    nothing: float  # share of the weight on neighbours labelled "nothing"
    top_similarity: float  # of the closest neighbour

    def rank(self) -> dict[str, int]:
        """Each voted record's 1-based place by votes (ties by id)."""
        order = sorted(self.votes, key=lambda record_id: (-self.votes[record_id], record_id))
        return {record_id: place for place, record_id in enumerate(order, start=1)}


NO_RECALL = Recall({}, {}, 0.0, 0.0)  # no memory to ask


def memory_source(configured: Path | None) -> Path | None:
    """The labelled questions to recall: the configured file; none when it is unset, or is the default and absent (an install without ``evals/``)."""
    if configured is None or (configured == DEFAULT_MEMORY and not configured.exists()):
        return None
    return configured


def read_labelled(path: Path, splits: Sequence[str] = MEMORY_SPLITS) -> list[tuple[str, str, list[str]]]:
    """(id, question, relevant ids) of the labelled questions in ``splits``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise MemoryFileError(
            f"Cannot read the labelled questions at {path}: {exc.strerror} — set retrieval.memory to a readable file or to '' to search without them."
        ) from exc
    out = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if row["split"] in splits:
                out.append((str(row["id"]), str(row["question"]), [str(r) for r in row["relevant"]]))
        except (ValueError, KeyError, TypeError) as exc:
            raise MemoryFileError(f"{path} line {number} is not a labelled question ({exc}) — fix that line or set retrieval.memory to ''.") from exc
    return out


class QuestionMemory:
    """Labelled questions and their vectors; :meth:`recall` finds a question's neighbours."""

    def __init__(self, ids: list[str], relevant: list[list[str]], vectors: np.ndarray) -> None:
        if len(ids) != len(relevant) or len(ids) != vectors.shape[0]:
            raise ValueError("one vector and one label list per question")
        self.ids = ids
        self.relevant = relevant
        self.vectors = vectors
        self._views: dict[str, QuestionMemory] = {}

    @classmethod
    def open(cls, source: Path, folder: Path, embedder: Embedder, known: Container[str]) -> QuestionMemory | None:
        """The questions at ``source`` with their vectors, read from ``folder`` or computed and kept there.

        None when the catalogue (``known`` record ids) holds less than :data:`MIN_COVERAGE` of
        the records the questions are labelled with: they were not written for it.
        """
        labelled = read_labelled(source)
        named = {record_id for _, _, relevant in labelled for record_id in relevant}
        if not named or sum(1 for record_id in named if record_id in known) < MIN_COVERAGE * len(named):
            return None
        digest = hashlib.sha256(json.dumps([embedder.name, labelled], ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
        cached = folder / f"memory-{digest}.npy"
        vectors = None
        if cached.exists():
            try:
                vectors = np.load(cached, allow_pickle=False)
            except (OSError, ValueError):
                vectors = None  # a damaged cache is computed again
            if vectors is not None and vectors.shape != (len(labelled), embedder.dimension):
                vectors = None
        if vectors is None:
            vectors = np.asarray(embedder.encode([question for _, question, _ in labelled]), dtype=np.float32).reshape(len(labelled), embedder.dimension)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                partial = folder / f"memory-{digest}.{os.getpid()}.tmp.npy"
                np.save(partial, vectors, allow_pickle=False)
                partial.replace(cached)
                for old in folder.glob("memory-*.npy"):
                    if old != cached and ".tmp." not in old.name:
                        old.unlink(missing_ok=True)  # vectors of an earlier version of the questions
            except OSError:
                pass  # a read-only store: recomputed next time, search still works
        return cls([i for i, _, _ in labelled], [r for _, _, r in labelled], vectors)

    def __len__(self) -> int:
        return len(self.ids)

    def without_set(self, letter: str) -> QuestionMemory:
        """The memory without one set of questions (ids starting with ``letter``): how a new set meets it."""
        view = self._views.get(letter)
        if view is None:
            keep = [n for n, question_id in enumerate(self.ids) if not question_id.startswith(letter)]
            view = QuestionMemory([self.ids[n] for n in keep], [self.relevant[n] for n in keep], self.vectors[keep])
            self._views[letter] = view
        return view

    def recall(self, vector: np.ndarray, known: Container[str] | None = None) -> Recall:
        """What the :data:`NEIGHBOURS` closest labelled questions say about the question with ``vector``.

        Votes go only to records in ``known`` (the current catalogue) when it is given.
        """
        if not self.ids:
            return NO_RECALL
        similarities = self.vectors @ np.asarray(vector, dtype=np.float32)
        n = min(NEIGHBOURS, len(self.ids))
        nearest = np.argpartition(-similarities, n - 1)[:n]
        votes: dict[str, float] = {}
        closest: dict[str, float] = {}
        nothing = total = 0.0
        for index in nearest:
            similarity = float(similarities[index])
            weight = max(similarity, 0.0) ** SHARPNESS
            total += weight
            labels = [r for r in self.relevant[index] if known is None or r in known]
            if not self.relevant[index]:
                nothing += weight
            for record_id in labels:
                votes[record_id] = votes.get(record_id, 0.0) + weight / len(labels)
                closest[record_id] = max(closest.get(record_id, 0.0), similarity)
        top = float(similarities[nearest].max())
        if total <= 0:  # every neighbour points away: no votes, but the memory was asked
            return Recall({}, {}, 0.0, top)
        return Recall({r: v / total for r, v in votes.items()}, closest, nothing / total, top)
