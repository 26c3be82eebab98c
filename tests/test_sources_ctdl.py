"""CTDL JSON-LD reader: shared Credential Registry samples and our own fixtures."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.models import Credential, Provider, Skill
from ingest.sources import Rejection, detect_reader, read_paths

FIXTURES = Path(__file__).parent / "fixtures" / "formats" / "ctdl"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _shared(sub: str) -> Path:
    path = SHARED / sub
    if not path.exists():
        pytest.skip(f"shared data sample {path} is not available")
    return path


def _kinds(records: list[object]) -> Counter[str]:
    return Counter("rejection" if isinstance(r, Rejection) else r.kind for r in records)  # type: ignore[attr-defined]


def test_graph_credential_keeps_ctid_prerequisites_stacking_and_provider() -> None:
    records = list(read_paths([FIXTURES / "microcredential-graph.json"]))
    credential = next(r for r in records if isinstance(r, Credential))
    provider = next(r for r in records if isinstance(r, Provider))
    assert credential.id == "ce-5d1c7c3e-7b1a-4c55-9d5e-2a1f0c3b8e11"
    assert credential.type == "micro-credential"
    assert credential.provider == "Example Polytechnic" and credential.provider_id == provider.id
    assert provider.country == "IE"
    assert credential.prerequisites == ["ce-11111111-2222-4333-8444-555555555555"]
    assert credential.prerequisite_note == "Hold the Spreadsheet Basics badge and show SQL query skills."
    assert credential.skills == ["structured-query-language"]
    links = {(link.target, link.relation) for link in credential.stacks_into}
    assert ("ce-99999999-8888-4777-8666-555555555555", "advanced-standing") in links
    assert ("ce-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "part-of") in links
    assert credential.part_of == ["ce-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"]
    assert credential.cost is not None and (credential.cost.amount, credential.cost.currency) == (1200.0, "EUR")
    assert credential.duration_weeks == 6.0 and credential.ects == 5.0
    assert credential.delivery == "online" and credential.language == ["en"]
    assert credential.occupations == ["15-2051.01"]
    assert "ceterms:audienceLevelType" in credential.extra  # unknown properties are kept


def test_malformed_json_is_rejected_and_batch_goes_on() -> None:
    records = list(read_paths([FIXTURES / "truncated.json", FIXTURES / "microcredential-graph.json"]))
    rejection = next(r for r in records if isinstance(r, Rejection))
    assert "truncated.json" in rejection.source and "malformed JSON" in rejection.reason
    assert _kinds(records) == Counter({"credential": 1, "provider": 1, "rejection": 1})


def test_ingest_examples_counts_and_links() -> None:
    folder = _shared("ctdl/ingest-examples")
    records = list(read_paths([folder]))
    # 9 files: Credential-1 (+graph), 3 courses, LearningProgram-1 (+graph with its 3 courses),
    # LearningProgram-2, Organization-1. The graph's blank-node QA organisation is not a record.
    assert _kinds(records) == Counter({"credential": 11, "provider": 1})
    by_title = {r.title: r for r in records if isinstance(r, Credential) and "graph" in r.source}
    program = by_title["Lifelong Learning Accelerator"]
    assert program.type == "learning-program" and program.duration_weeks == 39.0
    assert program.cost is not None and program.cost.amount == 4485.0 and program.cost.currency == "USD"
    course = by_title["Personal Growth Mastery"]
    assert course.part_of == [program.id]  # inverted from the program's hasPart inside the graph
    degree = next(r for r in records if isinstance(r, Credential) and r.id == "ce-edc318c1-aa67-47e2-9638-a8529e6612d4")
    assert degree.type == "bachelor-degree"
    assert degree.prerequisites == ["https://credentialengine.github.io/credential-registry-ingest-examples/LearningProgram/2/LearningProgram-2.json"]
    assert degree.extra["provider_uri"].endswith("Organization-1.json")


def test_credential_registry_samples_counts() -> None:
    folder = _shared("ctdl/credentialregistry")
    records = list(read_paths([folder]))
    # credentials: cer-credential, credential, credential_provisional, 10 LOP seeds,
    # 3 credential fixtures, 2 LOP fixtures = 18; providers: cer-organization, 10 seeds, 1 fixture;
    # skills: 5 competencies. Assessment profiles, manifests and frameworks are skipped.
    # The 4 invalid fixtures that name a record kind are rejected (no ctid/@id, no name, no text).
    counts = _kinds(records)
    assert counts == Counter({"credential": 18, "provider": 12, "skill": 5, "rejection": 4})
    rejected = sorted(Path(r.source).parent.name for r in records if isinstance(r, Rejection))
    assert rejected == ["competency", "credential", "learning_opportunity_profile", "organization"]
    mba = next(r for r in records if isinstance(r, Credential) and r.id == "ce-53bc7e5d-d39c-4687-ac89-0474f691055d")
    assert mba.type == "master-degree"
    cota = next(r for r in records if isinstance(r, Credential) and r.id == "ce-1A4AB486-8212-4708-B7D5-C5167FDD2B47")
    assert cota.duration_weeks == 104.0 and "29-1122.00" in cota.occupations
    assert all(isinstance(r, Skill) and r.label for r in records if not isinstance(r, Rejection) and r.kind == "skill")


def test_sniff_is_by_content(tmp_path: Path) -> None:
    renamed = tmp_path / "catalogue.data"
    renamed.write_bytes((FIXTURES / "microcredential-graph.json").read_bytes())
    reader = detect_reader(renamed)
    assert reader is not None and reader.name == "ctdl"
