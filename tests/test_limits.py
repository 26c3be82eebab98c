"""Input limits: file size, nesting depth, alias and zip bombs, image pixels, PDF pages, safe XML.

Each limit is tested at the boundary the reader enforces and with a hostile file that
crosses it; every case must end in a clear Rejection (or records), never an exception.
Several tests are regressions for crashes the fuzz campaign found (docs/reliability.md).
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image

from assistant.badges import read_badge
from assistant.errors import BadgeFormatError
from ingest.pipeline import SourceBatch, read_sources
from ingest.sources import MAX_FILE_BYTES, Rejection, read_paths
from ingest.sources import documents as documents_module
from ingest.sources import tabular as tabular_module
from ingest.sources._base import MAX_NESTING_DEPTH, shown, tree_problem

CTDL_HEAD = '{"@context": "https://credreg.net/ctdl/schema/context/json", "@type": "ceterms:Certificate", "ceterms:ctid": "ce-1", "ceterms:name": "N", "x": '
OB2_BADGE = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "BadgeClass",
    "id": "https://example.org/badges/1",
    "name": "Data Basics",
    "description": "Cleans data.",
    "criteria": {"narrative": "Pass."},
    "issuer": {"id": "https://example.org/issuer", "type": "Issuer", "name": "Example Academy"},
}
CSV_HEADER = "id,title,type,provider\n"


def _read(path: Path) -> SourceBatch:
    batch = read_sources([path])
    # every item from the sniff-and-read path is a record or a Rejection with a one-line reason
    for rejection in batch.rejections:
        assert rejection.reason and "\n" not in rejection.source
    return batch


def _reasons(batch: SourceBatch) -> str:
    return " | ".join(r.reason for r in batch.rejections)


# --- file size ------------------------------------------------------------------------------


def test_file_over_the_size_limit_is_rejected_unread(tmp_path: Path) -> None:
    big = tmp_path / "huge.csv"
    with big.open("wb") as handle:  # sparse: costs no disk
        handle.write(CSV_HEADER.encode())
        handle.truncate(MAX_FILE_BYTES + 1)
    small = tmp_path / "small.csv"
    small.write_text(CSV_HEADER + "c1,Title,certificate,P\n")
    batch = _read(tmp_path)
    assert [r.id for r, _ in batch.records] == ["c1"]
    assert len(batch.rejections) == 1 and "limit" in batch.rejections[0].reason and "huge.csv" in batch.rejections[0].source
    assert any(isinstance(item, Rejection) and "limit" in item.reason for item in read_paths([big]))


# --- JSON and YAML nesting, alias bombs, huge numbers -----------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def test_json_nested_within_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text(CTDL_HEAD + _nested(MAX_NESTING_DEPTH - 5) + "}")
    batch = _read(path)
    assert [r.id for r, _ in batch.records] == ["ce-1"]


@pytest.mark.parametrize("depth", [MAX_NESTING_DEPTH + 1, 5_000, 200_000])
def test_json_nested_past_the_limit_is_rejected(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.json"
    path.write_text(CTDL_HEAD + _nested(depth) + "}")
    batch = _read(path)
    assert batch.records == [] and "nested more than 200 levels" in _reasons(batch)


@pytest.mark.parametrize("depth", [MAX_NESTING_DEPTH + 1, 200_000])
def test_badge_json_nested_past_the_limit_is_not_a_badge(tmp_path: Path, depth: int) -> None:
    badge = json.dumps(OB2_BADGE)[:-1] + ', "x": ' + _nested(depth) + "}"
    with pytest.raises(BadgeFormatError, match="nested more than"):
        read_badge(badge.encode(), "deep.json")
    path = tmp_path / "deep-badge.json"
    path.write_text(badge)
    assert "nested more than" in _reasons(_read(path))


def test_json_integer_over_the_digit_limit_is_rejected(tmp_path: Path) -> None:
    # regression: int('9' * 50_000) raises ValueError (not JSONDecodeError) inside json.loads
    ctdl = tmp_path / "big-number.json"
    ctdl.write_text(CTDL_HEAD + "9" * 50_000 + "}")
    assert "malformed JSON" in _reasons(_read(ctdl))
    with pytest.raises(BadgeFormatError):
        read_badge((json.dumps(OB2_BADGE)[:-1] + ', "n": ' + "9" * 50_000 + "}").encode(), "n.json")


def test_yaml_nested_past_the_limit_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("credentials:\n  - " + _nested(50_000) + "\n")
    assert "nested more than" in _reasons(_read(path))


def test_yaml_alias_bomb_is_rejected_before_anything_walks_it(tmp_path: Path) -> None:
    lines = ["x0: &a0 [q, q, q, q, q, q, q, q, q, q]"]
    lines += [f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    lines.append("credentials:\n  - {id: bomb, title: Bomb, provider: P, extra: {k: *a8}}")  # 10^9 leaves
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines))
    batch = _read(path)
    assert batch.records == [] and "alias bomb" in _reasons(batch)


def test_yaml_integer_over_the_digit_limit_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    path.write_text("credentials:\n  - {id: c, title: T, provider: P, ects: " + "9" * 50_000 + "}\n")
    assert "malformed YAML" in _reasons(_read(path))


def test_tree_problem_counts_shared_subtrees_each_time() -> None:
    leaf = list(range(10))
    tree: object = leaf
    for _ in range(7):
        tree = [tree] * 10
    assert tree_problem(tree, max_nodes=1_000) is not None
    assert tree_problem({"a": [1, {"b": 2}]}) is None


# --- images: decompression bombs ---------------------------------------------------------------


def _png_declaring(width: int, height: int) -> bytes:
    """A valid PNG header declaring ``width`` x ``height`` (1-bit) with a baked badge and a tiny zero stream."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    text = chunk(b"tEXt", b"openbadges\x00" + json.dumps(OB2_BADGE).encode())
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + text + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [5_000, 10_000, 40_000])
def test_pixel_bomb_png_is_refused_before_decoding(tmp_path: Path, side: int, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_decoding(self: Image.Image) -> None:
        raise AssertionError("the pixels of an oversized image must never be decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", no_decoding)
    data = _png_declaring(side, side)
    with pytest.raises(BadgeFormatError, match="pixel"):
        read_badge(data, "bomb.png")
    path = tmp_path / "bomb.png"
    path.write_bytes(data)
    batch = _read(path)
    assert batch.records == [] and "pixel" in _reasons(batch)


def test_small_baked_png_still_reads() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadges", json.dumps(OB2_BADGE))
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buffer, "PNG", pnginfo=info)
    assert read_badge(buffer.getvalue(), "ok.png").kind == "badgeclass"


# --- XML and HTML: entities ----------------------------------------------------------------------


def _svg(doctype: str, body: str) -> bytes:
    return (
        f'<?xml version="1.0"?>{doctype}<svg xmlns="http://www.w3.org/2000/svg" '
        f'xmlns:openbadges="https://w3id.org/openbadges"><openbadges:assertion>{body}</openbadges:assertion></svg>'
    ).encode()


def test_svg_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    data = _svg(f"<!DOCTYPE svg [{entities}]>", "&a9;")
    with pytest.raises(BadgeFormatError, match="Entit"):
        read_badge(data, "laughs.svg")
    path = tmp_path / "laughs.svg"
    path.write_bytes(data)
    assert "EntitiesForbidden" in _reasons(_read(path))


def test_svg_external_entity_is_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    data = _svg(f'<!DOCTYPE svg [<!ENTITY x SYSTEM "file://{secret}">]>', "&x;")
    with pytest.raises(BadgeFormatError) as caught:
        read_badge(data, "xxe.svg")
    assert "TOP-SECRET-VALUE" not in str(caught.value)


def test_svg_with_an_unknown_declared_encoding_is_rejected(tmp_path: Path) -> None:
    # regression: expat raised LookupError, which escaped the badge reader
    path = tmp_path / "enc.svg"
    path.write_bytes(_svg("", json.dumps(OB2_BADGE)).replace(b'version="1.0"', b'version="1.0" encoding="UTP-8"'))
    assert _read(path).rejections


def test_html_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    path = tmp_path / "page.html"
    path.write_text(f'<!DOCTYPE html [<!ENTITY x SYSTEM "file://{secret}">]><html><body><h1>Guide</h1><p>Hello &x; world</p></body></html>')
    batch = _read(path)
    assert len(batch.records) == 1
    body = batch.records[0][0].body  # type: ignore[union-attr]
    assert "TOP-SECRET-VALUE" not in body and "Hello" in body


def test_deeply_nested_html_is_read(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<!doctype html><html><body>" + "<div>" * 20_000 + "<p>deep text</p>" + "</div>" * 20_000 + "</body></html>")
    batch = _read(path)
    assert batch.records or batch.rejections


# --- PDF pages ------------------------------------------------------------------------------------


def _pdf_with_pages(count: int) -> bytes:
    """A minimal PDF whose page N shows the text 'Page N'."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for number in range(1, count + 1):
        page_id, content_id = 3 + 2 * (number - 1), 4 + 2 * (number - 1)
        kids.append(f"{page_id} 0 R")
        stream = f"BT /F1 12 Tf 72 712 Td (Page {number} text) Tj ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_id} 0 R /Resources << /Font << /F1 {3 + 2 * count} 0 R >> >> >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {count} >>"
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{index} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_pdf_pages_past_the_cap_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents_module, "MAX_PDF_PAGES", 3)
    path = tmp_path / "long.pdf"
    path.write_bytes(_pdf_with_pages(6))
    batch = _read(path)
    body = batch.records[0][0].body  # type: ignore[union-attr]
    assert "Page 3 text" in body and "Page 4 text" not in body


def test_damaged_pdf_is_rejected(tmp_path: Path) -> None:
    data = bytearray(_pdf_with_pages(2))
    for offset in range(40, len(data), 7):
        data[offset] = 0x29  # ')' everywhere: the object syntax falls apart
    path = tmp_path / "damaged.pdf"
    path.write_bytes(bytes(data))
    batch = _read(path)
    assert batch.records or "PDF" in _reasons(batch) or "no text" in _reasons(batch)


# --- XLSX: zip bombs, damaged archives, row cap ---------------------------------------------------


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CATALOGUE_ROWS = [
    ["id", "title", "type", "provider"],
    ["c1", "One", "certificate", "P"],
    ["c2", "Two", "certificate", "P"],
    ["c3", "Three", "certificate", "P"],
]


def test_xlsx_that_unpacks_past_the_limit_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "catalogue.xlsx"
    buffer = io.BytesIO(_xlsx(CATALOGUE_ROWS))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.bin", b"\x00" * 2_000_000)  # compresses to ~2 KB
    path.write_bytes(buffer.getvalue())
    monkeypatch.setattr(tabular_module, "MAX_XLSX_UNPACKED_BYTES", 1_000_000)
    batch = list(tabular_module.TabularReader().read(path))
    assert len(batch) == 1 and isinstance(batch[0], Rejection) and "zip bomb" in batch[0].reason


def test_xlsx_rows_past_the_cap_are_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "catalogue.xlsx"
    path.write_bytes(_xlsx(CATALOGUE_ROWS))
    assert [r.id for r, _ in _read(path).records] == ["c1", "c2", "c3"]
    monkeypatch.setattr(tabular_module, "MAX_ROWS", 2)
    batch = list(tabular_module.TabularReader().read(path))
    assert len(batch) == 1 and isinstance(batch[0], Rejection) and "rows" in batch[0].reason


@pytest.mark.parametrize("position", [100, 600, 1_200, -200])
def test_damaged_xlsx_is_rejected_not_raised(tmp_path: Path, position: int) -> None:
    # regression: zlib.error / NotImplementedError from inside openpyxl escaped the reader
    data = bytearray(_xlsx(CATALOGUE_ROWS))
    for offset in range(position, position + 40):
        data[offset] ^= 0x5A
    path = tmp_path / "catalogue.xlsx"
    path.write_bytes(bytes(data))
    items = list(tabular_module.TabularReader().read(path))
    assert items and all(isinstance(i, Rejection) or i.kind == "credential" for i in items)  # type: ignore[union-attr]
    _read(path)


# --- encodings and rejection sources ----------------------------------------------------------


def test_csv_first_line_with_a_carriage_return_is_sniffed_without_error(tmp_path: Path) -> None:
    # regression: csv.reader raised "new-line character seen in unquoted field" inside TabularReader.sniff
    path = tmp_path / "odd.txt"
    path.write_bytes(b"id,title\rprovider,x\n1,2\n")
    _read(path)


def test_esco_file_that_is_not_utf8_is_rejected(tmp_path: Path) -> None:
    # regression: a UnicodeDecodeError from the csv loop escaped EscoReader.read
    path = tmp_path / "skills_en.csv"
    head = "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,description\n"
    row = "KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/1,skill/competence,sector-specific,Café skill,,Desc\n"
    path.write_bytes(head.encode() + row.encode() + row.encode("latin-1"))
    batch = _read(path)
    # the text layer decodes ahead of the csv module, so rows just before the bad byte may go too
    assert len(batch.records) <= 1 and "UTF-8" in _reasons(batch)


def test_utf16_files_are_rejected_with_a_reason(tmp_path: Path) -> None:
    for name, text in {"c.yaml": "credentials: []\n", "g.md": "# Guide\n\nText\n", "c.csv": CSV_HEADER + "c1,T,certificate,P\n"}.items():
        path = tmp_path / name
        path.write_bytes(text.encode("utf-16"))
        batch = _read(path)
        assert batch.records == [] and batch.rejections, name


def test_a_hostile_id_is_shortened_in_the_rejection_source(tmp_path: Path) -> None:
    # regression: a 300,000-character id went into Rejection.source, and read_sources then
    # crashed with OSError (file name too long) checking whether that source was a file
    path = tmp_path / "c.csv"
    path.write_text(CSV_HEADER + "x" * 100_000 + "\x00\n,T,not-a-type,P\n" + "y" * 300_000 + ",T,not-a-type,P\n")
    batch = _read(path)
    assert batch.rejections and all(len(r.source) < len(str(path)) + 200 for r in batch.rejections)


def test_shown_keeps_one_short_printable_line() -> None:
    assert shown("a\nb\x00c") == "a\ufffdb\ufffdc"
    assert len(shown("z" * 10_000)) == 80
    assert shown("plain-id") == "plain-id"
