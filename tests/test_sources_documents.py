"""Markdown / HTML / PDF document reader."""

from __future__ import annotations

from pathlib import Path

from assistant.models import Document
from ingest.sources import Rejection, detect_reader, read_paths

FIXTURES = Path(__file__).parent / "fixtures" / "formats" / "documents"


def test_documents_folder() -> None:
    records = list(read_paths([FIXTURES]))
    documents = {Path(r.source).name: r for r in records if isinstance(r, Document)}
    rejections = [r for r in records if isinstance(r, Rejection)]
    assert set(documents) == {"eu-brief.pdf", "funding-notes.md", "stacking-guide.html"}
    assert len(rejections) == 1 and rejections[0].source.endswith("broken.pdf") and "malformed PDF" in rejections[0].reason
    html = documents["stacking-guide.html"]
    assert html.title == "Stacking micro-credentials into a degree"
    assert "## How credit is recognised" in html.body and "- Advanced standing of up to 30 ECTS" in html.body
    assert "tracking" not in html.body and "Copyright" not in html.body and "Home" not in html.body
    pdf = documents["eu-brief.pdf"]
    assert pdf.title == "Micro-credentials in Europe: a brief" and "standard elements" in pdf.body
    md = documents["funding-notes.md"]
    assert md.title == "Funding for short courses" and md.id.startswith("funding-notes-")


def test_id_changes_with_content_only(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# A\n\nbody\n", encoding="utf-8")
    first = next(iter(read_paths([path])))
    again = next(iter(read_paths([path])))
    path.write_text("# A\n\nchanged body\n", encoding="utf-8")
    changed = next(iter(read_paths([path])))
    assert isinstance(first, Document) and isinstance(again, Document) and isinstance(changed, Document)
    assert first.id == again.id != changed.id


def test_knowledge_markdown_with_front_matter_goes_to_knowledge_reader(tmp_path: Path) -> None:
    path = tmp_path / "guide.md"
    path.write_text("---\nid: guide-x\ntitle: Guide X\nsource: https://example.org\n---\n# Guide X\n\nText.\n", encoding="utf-8")
    reader = detect_reader(path)
    assert reader is not None and reader.name == "knowledge"
