"""`stackwise verify FILE`: read, verify and explain an Open Badge (2.0 or 3.0)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.badges import VerificationResult, VerifyOptions, verify_file
from assistant.settings import load_settings

_MARK = {"pass": "ok  ", "fail": "FAIL", "skipped": "skip"}


def render_report(result: VerificationResult) -> str:
    """The readable report: verdict first, then each check, then what the badge certifies."""
    lines = [f"Verdict: {result.verdict.upper()} (Open Badges {'3.0' if result.format == 'ob3' else '2.0'})", "", "Checks:"]
    lines += [f"  [{_MARK[c.status]}] {c.name}: {c.detail}" for c in result.checks]
    lines += ["", "What it certifies:"]
    lines += [f"  {line}" for line in result.explanation.splitlines()[1:] if not line.startswith("- ")]
    present = [k.replace("_", " ") for k, v in result.eu_elements.items() if v]
    lines.append(f"  EU elements stated: {', '.join(present) or 'none'}")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add the `verify` command to ``app``."""

    @app.command("verify")
    def verify(
        file: Annotated[Path, typer.Argument(help="Badge file: .json .jsonld .jwt .png .svg")],
        as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
        contexts: Annotated[list[Path] | None, typer.Option("--contexts", help="Extra folder of pinned JSON-LD contexts (repeatable).")] = None,
        allow_network: Annotated[bool, typer.Option("--allow-network", help="Fetch hosted assertions, keys, did:web documents and status lists.")] = False,
        recipient: Annotated[str | None, typer.Option("--recipient", help="Email or DID the badge should be awarded to.")] = None,
        did_documents: Annotated[
            list[Path] | None, typer.Option("--did-documents", help="Folder of DID documents used instead of resolving did:web (repeatable).")
        ] = None,
    ) -> None:
        """Verify an Open Badge and explain what it certifies. Exit 0 verified, 1 otherwise, 2 when not a badge."""
        settings = load_settings().badges
        options = VerifyOptions(
            contexts=[*settings.contexts, *(contexts or [])],
            allow_network=allow_network or settings.allow_network,
            recipient=recipient,
            did_documents=list(did_documents or []),
        )
        result = verify_file(file, options)
        if as_json:
            typer.echo(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
        else:
            typer.echo(render_report(result))
        if result.verdict != "verified":
            # SystemExit, not typer.Exit: main() runs click with standalone_mode=False, where an Exit's code is returned and lost
            raise SystemExit(1)
