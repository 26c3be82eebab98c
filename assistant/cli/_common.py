"""Helpers the CLI commands share: settings from flags, JSON output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from assistant.services import Services, offline_environment
from assistant.settings import Settings, load_settings

StoreOption = typer.Option(None, "--store", help="Store folder (default ./.stackwise, env STACKWISE_STORE).")
JsonOption = typer.Option(False, "--json", help="Print JSON (the contract in DESIGN.md).")


def services_for(store: Path | None) -> Services:
    """Services built from the environment, with --store on top."""
    offline_environment()
    settings: Settings = load_settings()
    if store is not None:
        settings.storage.path = store
    return Services(settings)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
