"""The afternoon baseline credits a chunk to a record only as the eval says it does."""

from __future__ import annotations

from pathlib import Path

from evals.baseline import _names, record_spans

YAML = """credentials:
  - id: first-cert
    title: "First Certificate"
    description: Long text about the first one.
  - id: second-cert
    title: Second Certificate
    description: Other text.
"""


def test_a_chunk_is_citable_for_a_record_only_when_it_names_it(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    spans = {s.record_id: s for s in record_spans(path, YAML)}
    assert spans["first-cert"].title == "First Certificate"
    tail_and_head = YAML[YAML.index("Long text") : YAML.index("Other text")]
    # the chunk overlaps both records, but only the second one's id is in it
    assert not _names(path, tail_and_head, spans["first-cert"])
    assert _names(path, tail_and_head, spans["second-cert"])
    assert _names(path, 'mentions "First Certificate" by title', spans["first-cert"])
    assert _names(tmp_path / "guide.md", "any passage of a guide", spans["first-cert"])
