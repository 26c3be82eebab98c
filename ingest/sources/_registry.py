"""Format readers beyond our own knowledge YAML, in detection order.

Each reader module is imported here; adding a format touches this file and its module.
"""

from __future__ import annotations

import importlib
import logging

from ingest.sources._base import SourceReader

log = logging.getLogger(__name__)

# module name -> reader class name, most specific sniff first.
FORMAT_READERS: list[tuple[str, str]] = [
    ("ctdl", "CtdlReader"),  # JSON with ceterms:/ceasn: terms
    ("openbadges", "OpenBadgesReader"),  # OB 2.0 / 3.0 JSON, VC-JWT, baked PNG/SVG
    ("onet", "OnetReader"),  # tab-separated O*NET release files, by header row
    ("esco", "EscoReader"),  # ESCO CSV exports, by header columns (conceptUri, preferredLabel)
    ("tabular", "TabularReader"),  # provider catalogue CSV/XLSX with an id,title,provider header
    ("documents", "DocumentReader"),  # Markdown without our front matter, HTML, PDF
]


def format_readers() -> list[SourceReader]:
    readers: list[SourceReader] = []
    for module_name, class_name in FORMAT_READERS:
        module = importlib.import_module(f"ingest.sources.{module_name}")
        readers.append(getattr(module, class_name)())
    return readers
