"""Fuzz campaign over every source reader: ``python -m evals.fuzz [--per-seed N] [--json]``.

Each reader gets seed files (the test fixtures, a few files made here — a baked PNG and SVG,
an XLSX — and, when present, samples from ``../shared/data``). Every seed is mutated
(truncation, byte flips, inserted garbage, spliced slices, UTF-16 / Latin-1 re-encoding,
random bytes behind the format's magic header, wrong-typed and deeply nested JSON, huge
values) and each mutant is written to a temporary file and read twice:

- through :func:`ingest.pipeline.read_sources` (sniff + read, as ``stackwise ingest`` does);
- through the seed's own reader's ``read`` directly, bypassing the sniff, because a reader
  must never raise whatever bytes it is handed.

An input ends in ``records`` (at least one record, maybe rejections too), ``rejections``
(only rejections, or nothing at all for files a reader skips on purpose), ``crashes`` (an
exception escaped) or ``hangs`` (no answer within ``HANG_SECONDS``; detected with
``SIGALRM``, so only on the main thread of a POSIX process). ``run()`` returns the counts
per reader and the first crashes with their input, for ``docs/reliability.md``.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import random
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared" / "data"
HANG_SECONDS = 10
MAX_SEED_BYTES = 512 * 1024  # larger samples are cut: mutation speed matters more than size


@dataclass
class Seed:
    reader: str
    name: str
    data: bytes


@dataclass
class ReaderTally:
    tried: int = 0
    records: int = 0
    rejections: int = 0
    crashes: int = 0
    hangs: int = 0
    examples: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "tried": self.tried,
            "records": self.records,
            "rejections": self.rejections,
            "crashes": self.crashes,
            "hangs": self.hangs,
            "examples": self.examples[:5],
        }


# --- seeds -------------------------------------------------------------------------------


def baked_png(payload: str, size: tuple[int, int] = (4, 4)) -> bytes:
    """A small PNG with an Open Badges iTXt chunk."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadges", payload)
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def baked_svg(payload: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" width="10" height="10">'
        f"<openbadges:credential><![CDATA[{payload}]]></openbadges:credential></svg>"
    ).encode()


OB2_BADGECLASS = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "BadgeClass",
    "id": "https://example.org/badges/data-basics",
    "name": "Data Basics",
    "description": "Cleans and charts a data set.",
    "criteria": {"narrative": "Pass the assessment."},
    "issuer": {"id": "https://example.org/issuer", "type": "Issuer", "name": "Example Academy"},
}
OB3_CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "urn:uuid:1",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "did:example:issuer", "type": ["Profile"], "name": "Example Academy"},
    "validFrom": "2024-01-01T00:00:00Z",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.org/achievements/1",
            "type": ["Achievement"],
            "name": "SQL Foundations",
            "description": "Writes SQL queries.",
            "criteria": {"narrative": "Pass."},
        },
    },
}
CTDL_NODE = {
    "@context": "https://credreg.net/ctdl/schema/context/json",
    "@type": "ceterms:MicroCredential",
    "@id": "https://credentialengineregistry.org/resources/ce-11111111-2222-3333-4444-555555555555",
    "ceterms:ctid": "ce-11111111-2222-3333-4444-555555555555",
    "ceterms:name": {"en-US": "Data Analysis Micro-credential"},
    "ceterms:description": {"en-US": "Analyses data."},
    "ceterms:ownedBy": [{"@type": "ceterms:CredentialOrganization", "ceterms:name": {"en-US": "Example University"}}],
    "ceterms:estimatedCost": [{"ceterms:price": 300, "ceterms:currency": "USD"}],
}
CSV_CATALOGUE = (
    "id,title,type,provider,country,ects,workload_hours,skills,stacks_into,cost_amount,cost_currency\n"
    "data-101,Data Basics,micro-credential,Example U,DE,5,125,sql;excel,msc-data (5 ECTS),300,EUR\n"
    "data-102,Charts,digital-badge,Example U,FR,,20,visualisation,,0,EUR\n"
)
KNOWLEDGE_YAML = """credentials:
  - id: fuzz-cert
    title: Fuzz Certificate
    type: micro-credential
    provider: Example U
    country: DE
    ects: 5
    skills: [sql]
    cost: {amount: 100, currency: EUR}
skills:
  - id: sql
    label: SQL
"""
MARKDOWN_DOC = "# Stacking micro-credentials\n\nSmall credentials add up.\n\n## Funding\n\nAsk your employer.\n"
HTML_DOC = "<!doctype html><html><head><title>Guide</title></head><body><main><h1>Guide</h1><p>Text.</p><ul><li>One</li></ul></main></body></html>"


def _xlsx_seed() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in CSV_CATALOGUE.strip().splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _pdf_seed() -> bytes:
    existing = FIXTURES / "formats" / "documents" / "eu-brief.pdf"
    if existing.exists():
        return existing.read_bytes()
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "PDF")
    return buffer.getvalue()


def seeds(include_shared: bool = True) -> list[Seed]:
    """Seed files per reader: made here, from the test fixtures and from ../shared/data."""
    out = [
        Seed("knowledge", "catalogue.yaml", KNOWLEDGE_YAML.encode()),
        Seed("ctdl", "ctdl.json", json.dumps(CTDL_NODE).encode()),
        Seed(
            "ctdl",
            "graph.json",
            json.dumps({"@context": CTDL_NODE["@context"], "@graph": [CTDL_NODE, {**CTDL_NODE, "@type": "ceterms:CredentialOrganization"}]}).encode(),
        ),
        Seed("openbadges", "badgeclass.json", json.dumps(OB2_BADGECLASS).encode()),
        Seed("openbadges", "credential.json", json.dumps(OB3_CREDENTIAL).encode()),
        Seed("openbadges", "baked.png", baked_png(json.dumps(OB3_CREDENTIAL))),
        Seed("openbadges", "baked.svg", baked_svg(json.dumps(OB2_BADGECLASS))),
        Seed("tabular", "catalogue.csv", CSV_CATALOGUE.encode()),
        Seed("tabular", "catalogue.xlsx", _xlsx_seed()),
        Seed("documents", "guide.md", MARKDOWN_DOC.encode()),
        Seed("documents", "guide.html", HTML_DOC.encode()),
        Seed("documents", "brief.pdf", _pdf_seed()),
    ]
    fixture_dirs = {
        "knowledge": FIXTURES / "knowledge_small",
        "ctdl": FIXTURES / "formats" / "ctdl",
        "onet": FIXTURES / "formats" / "onet",
        "esco": FIXTURES / "formats" / "esco",
        "tabular": FIXTURES / "formats" / "tabular",
        "documents": FIXTURES / "formats" / "documents",
    }
    for reader, folder in fixture_dirs.items():
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    out.append(Seed(reader, path.name, path.read_bytes()[:MAX_SEED_BYTES]))
    if include_shared and SHARED.is_dir():
        picks = {"openbadges": ["baked/*/*", "openbadges2/1edtech-validator/*.json"], "ctdl": ["ctdl/*/*.json"], "esco": ["esco/skillGroups_en.csv"]}
        for reader, patterns in picks.items():
            for pattern in patterns:
                for path in sorted(SHARED.glob(pattern))[:6]:
                    if path.is_file():
                        out.append(Seed(reader, path.name, path.read_bytes()[:MAX_SEED_BYTES]))
    return out


# --- mutations ---------------------------------------------------------------------------

MAGIC = {
    "png": b"\x89PNG\r\n\x1a\n",
    "pdf": b"%PDF-1.7\n",
    "xlsx": b"PK\x03\x04",
    "svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://w3id.org/openbadges">',
    "html": b"<!doctype html><html><body>",
    "json": b'{"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass", ',
    "ctdl": b'{"@type": "ceterms:Certificate", "ceterms:ctid": ',
    "yaml": b"credentials:\n  - ",
    "front": b"---\nid: x\ntitle: y\n",
    "onet": b"O*NET-SOC Code\tTitle\tDescription\n",
    "esco": b"conceptType,conceptUri,preferredLabel\n",
    "csv": b"id,title,type,provider\n",
}


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(0, max(1, len(data)))]


def _flip(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    buf = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def _insert(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(0, len(data) + 1)
    junk = rng.choice([rng.randbytes(rng.randint(1, 64)), b"\x00" * 32, b'"\\', b"{[" * 20, b"\xff\xfe", b"\r\n\t,;\"'"])
    return data[:at] + junk + data[at:]


def _splice(rng: random.Random, data: bytes) -> bytes:
    if len(data) < 4:
        return data * 3
    a, b = sorted(rng.sample(range(len(data)), 2))
    at = rng.randrange(len(data))
    return data[:at] + data[a:b] * rng.randint(1, 5) + data[at:]


def _reencode(rng: random.Random, data: bytes) -> bytes:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    encoding = rng.choice(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"])
    return text.replace("a", "ä").replace("e", "é").encode(encoding, errors="replace")


def _magic_garbage(rng: random.Random, data: bytes) -> bytes:
    return rng.choice(list(MAGIC.values())) + rng.randbytes(rng.randint(0, 2048))


def _wrong_types(rng: random.Random, data: bytes) -> bytes:
    try:
        node = json.loads(data)
    except (ValueError, RecursionError):
        return _flip(rng, data)
    replacements: list[Any] = [None, 0, -1, 1e308, True, "", "x" * 10_000, [], {}, [None], {"@id": 5}, "ce-", 2**70]

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (rng.choice(replacements) if rng.random() < 0.3 else walk(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [rng.choice(replacements) if rng.random() < 0.3 else walk(v) for v in value]
        return rng.choice(replacements) if rng.random() < 0.2 else value

    return json.dumps(walk(node)).encode()


def _deep_json(rng: random.Random, data: bytes) -> bytes:
    depth = rng.choice([50, 500, 5_000, 100_000])
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}"), ('{"@graph":[', "]}")])
    prefix = b'{"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass", "x": ' if rng.random() < 0.5 else b""
    body = (opener * depth + "1" + closer * depth).encode()
    return prefix + body + (b"}" if prefix else b"")


def _huge_value(rng: random.Random, data: bytes) -> bytes:
    kind = rng.choice(["line", "cells", "number", "yaml-alias"])
    if kind == "line":
        return data + b"A" * rng.choice([100_000, 2_000_000])
    if kind == "cells":
        return b"id,title,type,provider\n" + (b"x," * 50_000) + b"\n" + b'"' + b"y" * 500_000 + b"\n"
    if kind == "number":
        return b'{"@type": "ceterms:Certificate", "ceterms:ctid": "ce-1", "ceterms:name": "n", "ceterms:creditValue": ' + b"9" * 50_000 + b"}"
    # a YAML alias bomb: safe_load expands aliases lazily into shared objects, but walking them is not free
    lines = ["credentials: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"k{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]")
    return "\n".join(lines).encode()


def _hostile(rng: random.Random, data: bytes) -> bytes:
    """Known attacks on parsers: entity bombs, external entities, deep markup, pixel bombs, YAML bombs."""
    kind = rng.choice(["laughs", "xxe", "deep_markup", "pixel_bomb", "yaml_deep", "yaml_bomb_extra", "nul_id", "front_deep"])
    if kind == "laughs":
        entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
        return f'<?xml version="1.0"?><!DOCTYPE svg [{entities}]><svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://w3id.org/openbadges"><openbadges:assertion>&a9;</openbadges:assertion></svg>'.encode()
    if kind == "xxe":
        return b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://w3id.org/openbadges"><openbadges:assertion>&x;</openbadges:assertion></svg>'
    if kind == "deep_markup":
        depth = rng.choice([1_000, 50_000])
        tag = rng.choice(["div", "ul", "table", "b"])
        return b"<!doctype html><html><body>" + f"<{tag}>".encode() * depth + b"deep" + f"</{tag}>".encode() * depth + b"</body></html>"
    if kind == "pixel_bomb":
        return _big_png(rng.choice([(5_000, 5_000), (20_000, 20_000), (70_000, 70_000)]))
    if kind == "yaml_deep":
        return b"credentials:\n  - " + b"[" * 20_000 + b"]" * 20_000
    if kind == "yaml_bomb_extra":
        lines = ["x0: &a0 [q, q, q, q, q, q, q, q, q, q]"]
        lines += [
            f"x{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)
        ]
        lines.append("credentials:\n  - {id: bomb, title: Bomb, provider: P, extra: {k: *a8}}")
        return "\n".join(lines).encode()
    if kind == "nul_id":
        return b"id,title,type,provider\n" + b"a\x00b" * 100 + b",T,not-a-type,P\n" + b"x" * 300_000 + b",T,not-a-type,P\n"
    return b"---\nid: " + b"[" * 5_000 + b"\ntitle: t\n---\nbody\n"


def _big_png(size: tuple[int, int]) -> bytes:
    """A PNG header declaring ``size`` with a tiny all-zero image stream: a decompression bomb's shape."""
    import struct
    import zlib

    width, height = size

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    stream = b"".join(compressor.compress(row) for _ in range(min(height, 4_000))) + compressor.flush()
    text = chunk(b"tEXt", b"openbadges\x00" + json.dumps(OB2_BADGECLASS).encode())
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + text + chunk(b"IDAT", stream) + chunk(b"IEND", b"")


def _empty(rng: random.Random, data: bytes) -> bytes:
    return rng.choice([b"", b"\n", b"\xef\xbb\xbf", b"   ", b"null", b"[]", b"{}", b"---\n---\n", b"\x00"])


MUTATORS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "truncate": _truncate,
    "flip": _flip,
    "insert": _insert,
    "splice": _splice,
    "reencode": _reencode,
    "magic_garbage": _magic_garbage,
    "wrong_types": _wrong_types,
    "deep_json": _deep_json,
    "huge_value": _huge_value,
    "empty": _empty,
    "hostile": _hostile,
}


def mutants(seed: Seed, rng: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    names = list(MUTATORS)
    weights = [4, 4, 3, 2, 1, 1, 2, 0.4, 0.3, 0.3, 0.6]
    for _ in range(count):
        data = seed.data
        applied = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            name = rng.choices(names, weights)[0]
            applied.append(name)
            data = MUTATORS[name](rng, data)
        yield "+".join(applied), data


# --- running -----------------------------------------------------------------------------


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang


def _reader_by_name(name: str) -> Any:
    from ingest.sources import READERS, detect_reader

    if not READERS:
        detect_reader(Path(__file__))  # fills READERS
    return next(r for r in READERS if r.name == name)


def _where(exc: BaseException) -> str:
    """The innermost frame of our own code that the exception passed through."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(str(ROOT)) and "/evals/" not in f.filename]
    if not frames:
        return "?"
    frame = frames[-1]
    return f"{Path(frame.filename).relative_to(ROOT)}:{frame.lineno} {frame.name}"


def classify_input(path: Path, reader_name: str) -> tuple[str, str]:
    """Read ``path`` both ways; return (outcome, detail) with outcome one of records/rejections/crashes/hangs."""
    from ingest.pipeline import read_sources
    from ingest.sources import Rejection

    use_alarm = hasattr(signal, "SIGALRM")
    previous = signal.signal(signal.SIGALRM, _alarm) if use_alarm else None
    try:
        if use_alarm:
            signal.alarm(HANG_SECONDS)
        batch = read_sources([path])
        direct = list(_reader_by_name(reader_name).read(path))
        records = len(batch.records) + sum(1 for item in direct if not isinstance(item, Rejection))
        if records:
            return "records", ""
        return "rejections", (batch.rejections[0].reason[:200] if batch.rejections else "")
    except _Hang:
        return "hangs", f"no answer within {HANG_SECONDS} s"
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        return "crashes", f"{_where(exc)}: " + "".join(traceback.format_exception_only(type(exc), exc)).strip()[:300]
    finally:
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)


def run(per_seed: int = 150, rng_seed: int = 11, include_shared: bool = True, budget_s: float | None = None) -> dict[str, Any]:
    """Mutate every seed ``per_seed`` times and read each mutant; counts per reader.

    Args:
        per_seed: mutants per seed file.
        rng_seed: the random seed, so a run can be repeated exactly.
        include_shared: add samples from ../shared/data when present.
        budget_s: stop early after this many seconds (the counts say how far it got).
    """
    from assistant.services import offline_environment

    offline_environment()
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # every mangled PDF logs a page of warnings
    rng = random.Random(rng_seed)
    tallies: dict[str, ReaderTally] = {}
    started = time.perf_counter()
    all_seeds = seeds(include_shared)
    with tempfile.TemporaryDirectory(prefix="stackwise-fuzz-") as tmp:
        for index, seed in enumerate(all_seeds):
            tally = tallies.setdefault(seed.reader, ReaderTally())
            for mutation, data in mutants(seed, rng, per_seed):
                if budget_s is not None and time.perf_counter() - started > budget_s:
                    break
                folder = Path(tmp) / f"{index}-{tally.tried}"
                folder.mkdir()
                path = folder / seed.name
                path.write_bytes(data)
                outcome, detail = classify_input(path, seed.reader)
                tally.tried += 1
                setattr(tally, outcome, getattr(tally, outcome) + 1)
                if outcome in {"crashes", "hangs"}:
                    keep = Path(tmp).parent / "stackwise-fuzz-crashes"
                    keep.mkdir(exist_ok=True)
                    saved = keep / f"{seed.reader}-{tally.tried}-{seed.name}"
                    saved.write_bytes(data)
                    tally.examples.append({"seed": seed.name, "mutation": mutation, "saved": str(saved), "error": detail})
                path.unlink()
                folder.rmdir()
    readers = {name: t.as_json() for name, t in sorted(tallies.items())}
    totals = {key: sum(t[key] for t in readers.values()) for key in ("tried", "records", "rejections", "crashes", "hangs")}
    return {
        "seeds": len(all_seeds),
        "per_seed": per_seed,
        "rng_seed": rng_seed,
        "readers": readers,
        "totals": totals,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.fuzz", description="Fuzz every source reader.")
    parser.add_argument("--per-seed", type=int, default=150)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--budget", type=float, default=None, help="stop after this many seconds")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run(args.per_seed, args.seed, budget_s=args.budget)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{'reader':<12}{'tried':>8}{'records':>9}{'rejected':>10}{'crashes':>9}{'hangs':>7}")
        for name, tally in report["readers"].items():
            print(f"{name:<12}{tally['tried']:>8}{tally['records']:>9}{tally['rejections']:>10}{tally['crashes']:>9}{tally['hangs']:>7}")
            for example in tally["examples"]:
                print(f"    {example['seed']} [{example['mutation']}] {example['error'].splitlines()[0]}  -> {example['saved']}")
        print(f"total {report['totals']}  in {report['seconds']} s")
    return 1 if report["totals"]["crashes"] or report["totals"]["hangs"] else 0


if __name__ == "__main__":
    sys.exit(main())
