"""Ingest: upload catalogue files, ingest them into the store with progress, and report what happened."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from assistant.errors import StackwiseError
from assistant.store import Store
from assistant.ui.services import get_services

FILE_TYPES = ["yaml", "yml", "json", "jsonld", "jwt", "png", "svg", "csv", "tsv", "txt", "xlsx", "md", "html", "htm", "pdf"]
STAGES = {"reading": "Reading files", "embedding": "Embedding", "writing": "Writing to the store"}


def _ingest(files: list) -> None:
    from ingest.pipeline import ingest_paths

    services = get_services()
    with tempfile.TemporaryDirectory(prefix="stackwise-upload-") as folder:
        paths = []
        for upload in files:
            path = Path(folder) / Path(upload.name).name  # never trust a client path
            path.write_bytes(upload.getvalue())
            paths.append(path)
        bar = st.progress(0.0, text="Reading files…")

        def progress(stage: str, done: int, total: int) -> None:
            fraction = min(done / total, 1.0) if total else 0.0
            bar.progress(fraction, text=f"{STAGES.get(stage, stage.capitalize())}… {done}/{total}" if total else f"{STAGES.get(stage, stage.capitalize())}…")

        try:
            store = services.store
            created = None
        except StackwiseError:
            store = created = Store(services.settings.storage, create=True)  # first ingest creates the store
        try:
            report = ingest_paths(paths, store, services.embedder, progress=progress)
        finally:
            if created is not None:
                created.close()
        bar.progress(1.0, text="Done")
    st.session_state["stackwise_ingest_report"] = report.as_json()


def render() -> None:
    st.title("Ingest catalogue files")
    st.caption(
        "Knowledge YAML, CTDL JSON-LD, Open Badges (JSON, JWT, baked PNG/SVG), O*NET text files, ESCO CSV, provider CSV/XLSX, Markdown, HTML and PDF. "
        "Unchanged records are not re-embedded; bad records are reported and the rest go in."
    )
    with st.form("ingest", clear_on_submit=True):
        files = st.file_uploader("Catalogue files", type=FILE_TYPES, accept_multiple_files=True)
        submitted = st.form_submit_button("Ingest", type="primary", icon=":material/upload:")
    if submitted:
        if not files:
            st.warning("Choose at least one file first.")
        else:
            try:
                _ingest(list(files))
            except StackwiseError as exc:
                st.error(str(exc))
    report = st.session_state.get("stackwise_ingest_report")
    if not report:
        return
    st.subheader("Report", anchor=False)
    cols = st.columns(5)
    for col, key in zip(cols, ("added", "updated", "unchanged", "removed"), strict=False):
        col.metric(key.capitalize(), report[key])
    cols[4].metric("Rejected", len(report["rejected"]))
    if report["rejected"]:
        st.warning(f"{len(report['rejected'])} item(s) were rejected:")
        st.dataframe(
            [{"Source": Path(r["source"]).name if "/" in r["source"] else r["source"], "Reason": r["reason"]} for r in report["rejected"]],
            hide_index=True,
            width="stretch",
        )
    elif report["added"] or report["updated"]:
        st.success("Ingested. The new records are in the Catalogue and the Chat now.")
