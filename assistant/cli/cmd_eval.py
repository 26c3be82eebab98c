"""`stackwise eval [SUITE...] [--json]`: runs the evaluation suites in evals/ (a separate process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer

from assistant.cli._common import JsonOption, StoreOption


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)


def evaluate(
    suites: list[str] = typer.Argument(
        None, help="retrieval, answers, plans, badges, skills, perf, fuzz, load, ranker (default: all but perf, fuzz, load, ranker)."
    ),
    store: Path | None = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Run quality and performance evaluations and print their figures."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "evals").is_dir():
        typer.echo("error: the evals/ folder is not here — run from a Stackwise checkout.", err=True)
        raise typer.Exit(2)
    cmd = [sys.executable, "-m", "evals", *(suites or []), *(["--json"] if as_json else [])]
    env = None
    if store is not None:
        import os

        env = {**os.environ, "STACKWISE_STORE": str(store)}
    raise typer.Exit(subprocess.call(cmd, cwd=root, env=env))
