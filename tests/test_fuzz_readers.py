"""Property tests: whatever bytes a file holds, every reader ends in records or clear Rejections.

Each example is written to a fresh folder and read twice: through ``read_sources`` (sniff
and read, as ``stackwise ingest`` does) and through one reader's ``read`` directly, since a
reader must not raise whatever it is handed. The default run keeps ``max_examples`` modest;
``-m slow`` runs the same properties longer. ``python -m evals.fuzz`` is the long campaign.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.models import Record
from ingest.pipeline import read_sources
from ingest.sources import READERS, Rejection, SourceReader, detect_reader

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
LONG = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

OB2 = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "BadgeClass",
    "id": "https://example.org/badges/1",
    "name": "Data Basics",
    "description": "Cleans data.",
    "criteria": {"narrative": "Pass."},
    "issuer": {"id": "https://example.org/issuer", "type": "Issuer", "name": "Example Academy"},
}
CTDL = {
    "@context": "https://credreg.net/ctdl/schema/context/json",
    "@type": "ceterms:MicroCredential",
    "ceterms:ctid": "ce-11111111-2222-3333-4444-555555555555",
    "ceterms:name": {"en-US": "Data Analysis"},
    "ceterms:ownedBy": [{"ceterms:name": "Example University"}],
}


def _png(payload: str) -> bytes:
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadges", payload)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["id", "title", "type", "provider"])
    sheet.append(["c1", "One", "certificate", "P"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _pdf() -> bytes:
    stream = "BT /F1 12 Tf 72 712 Td (Stacking guide) Tj ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{index} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode() + b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets))
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


# reader name -> (file name, valid seed bytes)
SEEDS: dict[str, tuple[str, bytes]] = {
    "knowledge": ("catalogue.yaml", b"credentials:\n  - {id: c1, title: One, type: certificate, provider: P, ects: 5}\nskills:\n  - {id: sql, label: SQL}\n"),
    "knowledge-md": ("guide.md", b"---\nid: guide-1\ntitle: Guide\nsource: test\n---\n# Guide\n\nBody text.\n"),
    "ctdl": ("ctdl.json", json.dumps(CTDL).encode()),
    "openbadges": ("badge.json", json.dumps(OB2).encode()),
    "openbadges-png": ("badge.png", _png(json.dumps(OB2))),
    "openbadges-svg": (
        "badge.svg",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://w3id.org/openbadges"><openbadges:assertion><![CDATA['
        + json.dumps(OB2).encode()
        + b"]]></openbadges:assertion></svg>",
    ),
    "onet": ("Occupation Data.txt", b"O*NET-SOC Code\tTitle\tDescription\n15-2051.00\tData Scientists\tDevelop models.\n"),
    "esco": (
        "skills_en.csv",
        b"conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,description\n"
        b"KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/1,skill/competence,sector-specific,use SQL,,Query data\n",
    ),
    "tabular": ("catalogue.csv", b"id,title,type,provider,ects\nc1,One,certificate,P,5\nc2,Two,digital-badge,P,1\n"),
    "tabular-xlsx": ("catalogue.xlsx", _xlsx()),
    "documents-md": ("notes.md", b"# Funding\n\nAsk your employer.\n"),
    "documents-html": ("page.html", b"<!doctype html><html><head><title>T</title></head><body><h1>Guide</h1><p>Text</p></body></html>"),
    "documents-pdf": ("brief.pdf", _pdf()),
}
MAGIC = [
    b"\x89PNG\r\n\x1a\n",
    b"%PDF-1.7\n",
    b"PK\x03\x04",
    b'<?xml version="1.0"?><svg xmlns:openbadges="https://w3id.org/openbadges">',
    b"<!doctype html><html><body>",
    b'{"@type": "ceterms:Certificate", ',
    b'{"@context": "https://w3id.org/openbadges/v2", ',
    b"\xef\xbb\xbf",
    b"\xff\xfe",
]


def _reader(name: str) -> SourceReader:
    if not READERS:
        detect_reader(Path(__file__))
    return next(r for r in READERS if r.name == name.split("-")[0])


def _check(seed: str, data: bytes) -> None:
    """Read ``data`` as the seed's file both ways; every item is a record or a one-line Rejection."""
    name, _ = SEEDS[seed]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        batch = read_sources([path])
        direct = list(_reader(seed).read(path))
    for item in [*batch.rejections, *(i for i in direct if isinstance(i, Rejection))]:
        assert isinstance(item, Rejection) and item.reason.strip()
        assert name in item.source or "canonical" in item.source
    assert all(isinstance(i, Record | Rejection) or type(i).__name__ == "RateTable" for i in direct)


def _mutations(seed: bytes) -> st.SearchStrategy[bytes]:
    def flipped(draw_args: tuple[list[int], list[int]]) -> bytes:
        positions, values = draw_args
        buf = bytearray(seed)
        for position, value in zip(positions, values, strict=False):
            if buf:
                buf[position % len(buf)] = value
        return bytes(buf)

    def reencoded(encoding: str) -> bytes:
        return seed.decode("utf-8", errors="replace").replace("a", "ä").encode(encoding, errors="replace")

    return st.one_of(
        st.integers(0, len(seed)).map(lambda n: seed[:n]),  # truncated
        st.tuples(st.lists(st.integers(0, 10**6), min_size=1, max_size=12), st.lists(st.integers(0, 255), min_size=1, max_size=12)).map(flipped),
        st.tuples(st.integers(0, len(seed)), st.binary(min_size=1, max_size=200)).map(lambda t: seed[: t[0]] + t[1] + seed[t[0] :]),
        st.sampled_from(["utf-16", "utf-16-be", "utf-32", "latin-1", "cp1252"]).map(reencoded),
        st.tuples(st.sampled_from(MAGIC), st.binary(max_size=1_000)).map(lambda t: t[0] + t[1]),  # header then garbage
        st.binary(max_size=600),
    )


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30))
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    JSON_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=25
)


def _wrong_typed(template: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """The template with some of its values replaced by arbitrary JSON of another type."""
    keys = sorted(template)
    return st.dictionaries(st.sampled_from(keys), JSON_VALUES, max_size=len(keys)).map(lambda repl: json.dumps({**template, **repl}).encode())


@pytest.mark.parametrize("seed", sorted(SEEDS))
@FAST
@given(data=st.data())
def test_mutated_files_end_in_records_or_rejections(seed: str, data: st.DataObject) -> None:
    _check(seed, data.draw(_mutations(SEEDS[seed][1])))


@pytest.mark.parametrize(("seed", "template"), [("ctdl", CTDL), ("openbadges", OB2)])
@FAST
@given(data=st.data())
def test_wrong_typed_json_fields_end_in_records_or_rejections(seed: str, template: dict[str, Any], data: st.DataObject) -> None:
    _check(seed, data.draw(_wrong_typed(template)))


@FAST
@given(record=st.dictionaries(st.sampled_from(["id", "title", "type", "provider", "ects", "skills", "cost", "stacks_into", "extra", "language"]), JSON_VALUES))
def test_wrong_typed_yaml_records_end_in_records_or_rejections(record: dict[str, Any]) -> None:
    import yaml

    _check("knowledge", yaml.safe_dump({"credentials": [record]}).encode())


@FAST
@given(cells=st.lists(st.lists(st.text(max_size=40), min_size=1, max_size=6), max_size=6))
def test_arbitrary_csv_cells_end_in_records_or_rejections(cells: list[list[str]]) -> None:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "title", "type", "provider", "ects", "stacks_into"])
    writer.writerows(cells)
    _check("tabular", buffer.getvalue().encode())


@pytest.mark.parametrize("depth", [10, 199, 201, 3_000, 100_000])
@pytest.mark.parametrize("seed", ["ctdl", "openbadges"])
def test_deeply_nested_json(seed: str, depth: int) -> None:
    template = CTDL if seed == "ctdl" else OB2
    text = json.dumps(template)[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}"
    _check(seed, text.encode())


def test_a_batch_goes_on_past_every_broken_file(tmp_path: Path) -> None:
    """One folder of broken files of every kind beside good ones: the good records all arrive."""
    good = {"good.yaml": SEEDS["knowledge"][1], "good.csv": SEEDS["tabular"][1]}
    for name, data in good.items():
        (tmp_path / name).write_bytes(data)
    breakers: list[Callable[[bytes], bytes]] = [
        lambda d: d[: len(d) // 2],
        lambda d: d.decode("utf-8", "replace").encode("utf-16"),
        lambda d: d[:8] + bytes(range(256)),
    ]
    for seed, (name, data) in SEEDS.items():
        for index, breaker in enumerate(breakers):
            folder = tmp_path / f"{seed}-{index}"
            folder.mkdir()
            (folder / name).write_bytes(breaker(data))
    batch = read_sources([tmp_path])
    ids = {record.id for record, _ in batch.records}
    assert {"c1", "c2", "sql"} <= ids
    assert len(batch.rejections) >= len(SEEDS)  # most broken files say why


@pytest.mark.slow
@pytest.mark.parametrize("seed", sorted(SEEDS))
@LONG
@given(data=st.data())
def test_mutated_files_long_run(seed: str, data: st.DataObject) -> None:
    _check(seed, data.draw(_mutations(SEEDS[seed][1])))
