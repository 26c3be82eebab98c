"""Chat models from one setting string, ``provider:model``, resolved here and imported lazily.

- ``openai:gpt-4o-mini`` (needs OPENAI_API_KEY), or any OpenAI-compatible server with
  ``STACKWISE_CHAT_BASE_URL`` (e.g. ``openai:llama3.1`` against a local vLLM or llama.cpp);
- ``ollama:llama3.1`` (a local Ollama server; ``STACKWISE_CHAT_BASE_URL`` to change its URL);
- any other provider LangChain's ``init_chat_model`` knows, when its package is installed.
Adding a provider touches this file only.
"""

from __future__ import annotations

from typing import Any

from assistant.errors import ConfigError
from assistant.settings import ChatSettings

PACKAGES = {"openai": "langchain-openai", "ollama": "langchain-ollama", "anthropic": "langchain-anthropic", "google_genai": "langchain-google-genai"}


def resolve_chat_model(settings: ChatSettings) -> Any:
    """A LangChain chat model for ``settings.model``; ConfigError with what to do when it cannot be built."""
    spec = settings.model or ""
    provider, sep, model = spec.partition(":")
    if not sep or not provider or not model:
        raise ConfigError(f"Chat model {spec!r} is not 'provider:model' — e.g. 'ollama:llama3.1' or 'openai:gpt-4o-mini'.")
    kwargs: dict[str, Any] = {"temperature": settings.temperature}
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
    if provider in {"openai", "ollama"}:
        kwargs["timeout" if provider == "openai" else "client_kwargs"] = settings.timeout_s if provider == "openai" else {"timeout": settings.timeout_s}
    try:
        from langchain.chat_models import init_chat_model

        return init_chat_model(model, model_provider=provider, **kwargs)
    except ImportError as exc:
        package = PACKAGES.get(provider, f"langchain-{provider}")
        raise ConfigError(
            f"Chat provider {provider!r} needs the package {package} — `pip install {package}`, or unset STACKWISE_CHAT_MODEL for the offline assistant."
        ) from exc
    except ValueError as exc:
        raise ConfigError(f"Cannot use chat model {spec!r}: {_first_line(exc)}") from exc
    except Exception as exc:  # providers raise their own types for a missing key or bad URL
        raise ConfigError(
            f"Cannot set up chat model {spec!r}: {exc.__class__.__name__} ({_first_line(exc)}) — check its settings or unset STACKWISE_CHAT_MODEL."
        ) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else exc.__class__.__name__
