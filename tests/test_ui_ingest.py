"""Ingest page: uploaded files go into the store; the report says what was added and rejected (AppTest)."""

from __future__ import annotations

from test_ui_support import FIXTURES, button, page

from assistant.ui.services import get_services


def test_upload_creates_the_store_and_reports(store_env) -> None:
    at = page("ingest").run()
    catalogue = (FIXTURES / "knowledge_small" / "catalogue.yaml").read_bytes()
    at.file_uploader[0].set_value([("catalogue.yaml", catalogue, "application/yaml"), ("broken.json", b"{not json", "application/json")])
    button(at, "Ingest").click().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Added"]) > 10 and metrics["Rejected"] == "1"
    assert "broken.json" in set(at.dataframe[0].value["Source"])
    assert "acme-data-basics" in get_services().catalogue.credentials
    button(at, "Ingest").click().run()  # nothing chosen now: a warning, not an error
    assert any("Choose at least one file" in w.value for w in at.warning)
