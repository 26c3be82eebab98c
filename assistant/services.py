"""Wiring: the clients an entry point (CLI, app, evals) builds once and passes down."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from assistant.catalogue import Catalogue, load_catalogue
from assistant.embeddings import Embedder, load_embedder
from assistant.retrieval import Retriever
from assistant.settings import Settings
from assistant.store import Store, open_store

if TYPE_CHECKING:
    from assistant.agent.engine import Agent
    from assistant.agent.tools import Toolbox
    from assistant.persistence import AppState


def offline_environment() -> None:
    """Never let a library reach a model hub or send telemetry at run time."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")


@dataclass
class Services:
    """Lazily built store, embedder, retriever and catalogue for one set of settings."""

    settings: Settings

    @cached_property
    def store(self) -> Store:
        return open_store(self.settings.storage)

    @cached_property
    def embedder(self) -> Embedder:
        offline_environment()
        return load_embedder(self.settings.embedding)

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.store, self.embedder, self.settings.retrieval)

    @property
    def catalogue(self) -> Catalogue:
        return load_catalogue(self.store)

    @cached_property
    def toolbox(self) -> Toolbox:
        from assistant.agent.tools import Toolbox

        return Toolbox(self.retriever, self.settings.planner, self.settings.badges)

    @cached_property
    def agent(self) -> Agent:
        from assistant.agent.engine import build_agent

        return build_agent(self)

    @cached_property
    def app_state(self) -> AppState:
        from assistant.persistence import AppState

        return AppState(self.settings.database_url)
