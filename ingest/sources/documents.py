"""Guides, brochures and reports as Markdown (without our front matter), HTML or PDF.

Each file becomes one :class:`Document`: id = the file name's slug plus 8 hex of the
content hash (stable while the file does not change), title = the first heading /
``<title>`` / the PDF's metadata title (else the file name), body = Markdown-ish text
that keeps the headings (the chunker splits along them), source = the file path.

HTML is parsed with BeautifulSoup and the standard library's ``html.parser`` (no external
entities, no script execution); ``script``, ``style``, ``nav``, ``footer`` and similar
parts are dropped. PDFs are read with pypdf, at most ``MAX_PDF_PAGES`` pages. Markdown
that starts with a ``---`` front matter block holding ``id:`` and ``title:`` is our own
knowledge format and is left to ``knowledge.py``.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from assistant.models import AnyRecord, Document, slugify
from ingest.sources._base import Rejection, describe_validation_error

MAX_PDF_PAGES = 300
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_DROP_TAGS = ["script", "style", "noscript", "template", "svg", "nav", "footer", "form", "iframe", "head"]
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _is_knowledge_markdown(text: str) -> bool:
    return text.startswith("---\n") and "\nid:" in text[:2000] and "\ntitle:" in text[:2000]


class DocumentReader:
    """Reads Markdown, HTML and PDF files into Document records."""

    name = "documents"

    def sniff(self, path: Path, head: bytes) -> bool:
        if head.startswith(b"%PDF-"):
            return True
        text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
        lowered = text.lstrip().lower()
        if lowered.startswith(("<!doctype html", "<html")) or ("<html" in lowered[:1000] and "<body" in lowered):
            return True
        if path.suffix.lower() in MARKDOWN_SUFFIXES:
            return bool(text.strip()) and not _is_knowledge_markdown(text)
        return False

    def read(self, path: Path) -> Iterator[AnyRecord | Rejection]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield Rejection(str(path), f"cannot read: {exc.strerror}")
            return
        if data.startswith(b"%PDF-"):
            title, body, problem = _pdf(path)
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                yield Rejection(str(path), f"not UTF-8 text (byte {exc.start}); save it as UTF-8")
                return
            if path.suffix.lower() in MARKDOWN_SUFFIXES and not text.lstrip().lower().startswith(("<!doctype", "<html")):
                title, body, problem = _markdown(text)
            else:
                title, body, problem = _html(text)
        if problem:
            yield Rejection(str(path), problem)
            return
        if not body.strip():
            yield Rejection(str(path), "no text found (a scanned PDF or an empty page?)")
            return
        digest = hashlib.sha256(data).hexdigest()[:8]
        try:
            yield Document(
                id=f"{slugify(path.stem) or 'document'}-{digest}",
                title=(title or path.stem.replace("-", " ").replace("_", " ")).strip()[:300],
                body=body.strip(),
                source=str(path),
            )
        except ValidationError as exc:
            yield Rejection(str(path), describe_validation_error(exc))


def _markdown(text: str) -> tuple[str, str, str | None]:
    match = _MD_HEADING.search(text)
    return (match.group(2).strip() if match else ""), text, None


def _html(text: str) -> tuple[str, str, str | None]:
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
    from bs4.element import Tag

    with warnings.catch_warnings():
        # XHTML or XML served as .html reads fine with html.parser; the warning says nothing to the user
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(text, "html.parser")
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    lines: list[str] = []
    for element in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "pre", "blockquote", "dt", "dd"]):
        if not isinstance(element, Tag) or element.find_parent(["li", "td", "th", "pre", "blockquote", "dd"]):
            continue
        content = re.sub(r"\s+", " ", element.get_text(" ", strip=True))
        if not content:
            continue
        if element.name and element.name[0] == "h" and element.name[1:].isdigit():
            lines.append(f"\n{'#' * int(element.name[1:])} {content}\n")
            title = title or content
        elif element.name == "li":
            lines.append(f"- {content}")
        else:
            lines.append(content + "\n")
    if not lines:  # a page without block elements: keep its text
        lines = [re.sub(r"[ \t]+", " ", root.get_text("\n", strip=True))]
    return title, "\n".join(lines), None


def _pdf(path: Path) -> tuple[str, str, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            return "", "", "encrypted PDF: cannot read its text"
        title = ""
        if reader.metadata is not None and reader.metadata.title:
            title = str(reader.metadata.title)
        pages = []
        for number, page in enumerate(reader.pages[:MAX_PDF_PAGES], start=1):
            text = (page.extract_text() or "").strip()
            if text:
                pages.append(f"## Page {number}\n\n{text}")
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        return "", "", f"malformed PDF: {exc}"
    except Exception as exc:  # pypdf on a damaged file raises almost any type (TypeError, zlib.error, RecursionError ...)
        return "", "", f"malformed PDF ({type(exc).__name__}: {exc})"
    if not title and pages:
        title = next((line.strip() for line in pages[0].splitlines()[2:] if line.strip()), "")
    return title, "\n\n".join(pages), None
