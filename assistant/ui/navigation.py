"""The app's pages and moving between them."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from assistant.ui.services import RECORD_KEY

_PAGES: dict[str, st.Page] = {}


def build_navigation() -> st.Page:
    """Register the pages (Chat first) and return the one to run."""
    from assistant.ui import pages_advisers, pages_badge, pages_catalogue, pages_chat, pages_ingest, pages_plan

    specs: list[tuple[str, Callable[[], None], str, str]] = [
        ("chat", pages_chat.render, "Chat", ":material/chat:"),
        ("plan", pages_plan.render, "Plan", ":material/route:"),
        ("badge", pages_badge.render, "Badge check", ":material/verified:"),
        ("catalogue", pages_catalogue.render, "Catalogue", ":material/menu_book:"),
        ("advisers", pages_advisers.render, "Advisers", ":material/groups:"),
        ("ingest", pages_ingest.render, "Ingest", ":material/upload_file:"),
    ]
    _PAGES.clear()
    for key, render, title, icon in specs:
        _PAGES[key] = st.Page(render, title=title, icon=icon, url_path=key, default=key == "chat")
    return st.navigation(list(_PAGES.values()))


def go_to(page: str) -> None:
    """Switch to a registered page (no-op when a page is run on its own, as in tests)."""
    target = _PAGES.get(page)
    if target is not None:
        st.switch_page(target)


def open_record(record_id: str) -> None:
    """Show one catalogue record on the Catalogue page."""
    st.session_state[RECORD_KEY] = record_id
    go_to("catalogue")
