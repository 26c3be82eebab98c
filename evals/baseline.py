"""The afternoon baseline: LangChain's default RAG recipe over the same knowledge files.

Each knowledge file's raw text (YAML records, Markdown guides) is split with
``RecursiveCharacterTextSplitter`` (1,000 characters, 200 overlap), embedded with the same
model Stackwise uses (wrapped as a LangChain ``Embeddings``), put in a ``Chroma`` collection
with ``Chroma.from_documents`` and searched with ``similarity_search(k=5)``.

A baseline chunk is mapped back to records in two ways, and the eval prints both:

- ``overlap`` (generous): every record whose text the chunk overlaps; a YAML record's span is
  its list item in the file (from the YAML parser's marks), a Markdown guide's span is the
  whole file. A chunk that holds the tail of one record and the head of the next counts for
  both, although the tail (say, a list of learning outcomes) does not say which credential it
  belongs to.
- ``citable``: only the records the chunk lets a reader name: a guide (its file is the
  record, and LangChain returns the file as ``source``), or a YAML record whose ``id`` line or
  title is in the chunk. This is what an LLM shown the 5 chunks could cite.

The records of the 5 chunks, in order of first appearance, are the baseline's ranking.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings

from assistant.embeddings import Embedder

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
K = 5
COLLECTIONS = ("credentials", "occupations", "skills", "providers")


class StackwiseEmbeddings(Embeddings):
    """Our embedder behind LangChain's ``Embeddings`` interface (same model, same vectors)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, row)) for row in self.embedder.encode(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.embedder.encode([text])[0]]


@dataclass
class Span:
    start: int
    end: int
    record_id: str
    title: str = ""


def record_spans(path: Path, text: str) -> list[Span]:
    """Where each record's text lies in a knowledge file."""
    if path.suffix.lower() == ".md":
        front = yaml.safe_load(text.split("---", 2)[1]) if text.startswith("---") else {}
        record_id = str((front or {}).get("id") or path.stem)
        return [Span(0, len(text), record_id)]
    root = yaml.compose(text)
    spans: list[Span] = []
    if not isinstance(root, yaml.MappingNode):
        return spans
    for key, value in root.value:
        if key.value not in COLLECTIONS or not isinstance(value, yaml.SequenceNode):
            continue
        for item in value.value:
            if not isinstance(item, yaml.MappingNode):
                continue
            fields = {k.value: v.value for k, v in item.value if isinstance(v, yaml.ScalarNode)}
            if fields.get("id"):
                spans.append(Span(item.start_mark.index, item.end_mark.index, str(fields["id"]), str(fields.get("title") or fields.get("name") or "")))
    return spans


def knowledge_files(root: Path) -> list[Path]:
    """The record files the knowledge reader ingests (not README, rates or templates)."""
    files = []
    for sub in ("credentials", "occupations", "skills", "providers", "documents"):
        files += sorted(p for p in (root / sub).rglob("*") if p.suffix.lower() in {".yaml", ".yml", ".md"} and p.name != "README.md")
    return files


class Baseline:
    """LangChain splitter + Chroma.from_documents + similarity_search(k=5), mapped to record ids."""

    def __init__(self, knowledge: Path, embedder: Embedder) -> None:
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True)
        documents: list[LCDocument] = []
        for path in knowledge_files(knowledge):
            text = path.read_text(encoding="utf-8")
            spans = record_spans(path, text)
            for chunk in splitter.create_documents([text], metadatas=[{"source": str(path)}]):
                start = int(chunk.metadata["start_index"])
                end = start + len(chunk.page_content)
                overlapping = [s for s in spans if s.start < end and s.end > start]
                chunk.metadata["record_ids"] = "|".join(s.record_id for s in overlapping)
                chunk.metadata["citable_ids"] = "|".join(s.record_id for s in overlapping if _names(path, chunk.page_content, s))
                documents.append(chunk)
        self.chunks = len(documents)
        self.store: Any = Chroma.from_documents(documents, StackwiseEmbeddings(embedder), collection_name=f"baseline-{uuid.uuid4().hex[:8]}")

    def search(self, question: str, k: int = K, mapping: str = "overlap") -> list[str]:
        """Record ids of the top ``k`` chunks, in order of first appearance (see the module doc for ``mapping``)."""
        key = {"overlap": "record_ids", "citable": "citable_ids"}[mapping]
        ranked: list[str] = []
        for doc in self.store.similarity_search(question, k=k):
            for record_id in str(doc.metadata.get(key, "")).split("|"):
                if record_id and record_id not in ranked:
                    ranked.append(record_id)
        return ranked


def _names(path: Path, chunk: str, span: Span) -> bool:
    """Whether a reader of ``chunk`` can tell it is about the record of ``span``."""
    if path.suffix.lower() == ".md":
        return True
    if re.search(rf"\bid:\s*['\"]?{re.escape(span.record_id)}['\"]?\s*$", chunk, re.MULTILINE):
        return True
    return bool(span.title) and span.title.lower() in chunk.lower()
