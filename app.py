"""Stackwise's Streamlit UI: `streamlit run app.py`. Presentation only; the pages live in assistant/ui/."""

from __future__ import annotations

import streamlit as st

from assistant.ui.navigation import build_navigation

st.set_page_config(page_title="Stackwise", page_icon="🎓", layout="wide")
build_navigation().run()
