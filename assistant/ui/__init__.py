"""The Streamlit UI: pages and presentation helpers (formatting, charts, exports).

The only package under ``assistant/`` that may import streamlit. It holds no business logic:
every fact, plan and verdict comes from the rest of ``assistant/`` (and ``ingest/`` for uploads).
"""
