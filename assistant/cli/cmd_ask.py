"""`stackwise ask "QUESTION"` and the interactive `stackwise chat`."""

from __future__ import annotations

from pathlib import Path

import typer

from assistant.agent.state import AgentReply, ConversationState
from assistant.cli._common import JsonOption, StoreOption, print_json, services_for
from assistant.errors import InputError


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
    app.command("chat")(chat)


def _print_reply(reply: AgentReply) -> None:
    typer.echo(reply.answer)
    if reply.notice:
        typer.echo(f"\n(note: {reply.notice})")
    if reply.citations:
        typer.echo("\nSources:")
        for n, c in enumerate(reply.citations, 1):
            extra = ", ".join(x for x in (c.provider, c.url, f"reviewed {c.date}" if c.date else None) if x)
            typer.echo(f"  [{n}] {c.title} ({c.id})" + (f" — {extra}" if extra else ""))


def ask(
    question: str = typer.Argument(..., help="Your question."),
    store: Path | None = StoreOption,
    persona: str = typer.Option("learner", help="learner, recruiter or adviser."),
    badge: Path | None = typer.Option(None, "--badge", help="A badge file to check (JSON, JWT, PNG, SVG)."),
    as_json: bool = JsonOption,
) -> None:
    """Ask one question; the answer cites the records it rests on."""
    if persona not in {"learner", "recruiter", "adviser"}:
        raise InputError(f"Unknown persona {persona!r} — use learner, recruiter or adviser.")
    services = services_for(store)
    attachment = None
    if badge is not None:
        if not badge.is_file():
            raise InputError(f"No such badge file: {badge}")
        attachment = (badge.name, badge.read_bytes())
    reply = services.agent.respond(question, ConversationState(persona=persona), attachment)  # type: ignore[arg-type]
    if as_json:
        print_json(reply.as_json())
    else:
        _print_reply(reply)


def chat(store: Path | None = StoreOption, persona: str = typer.Option("learner", help="learner, recruiter or adviser.")) -> None:
    """Talk with the assistant; it remembers the conversation (empty line or Ctrl-D to quit)."""
    services = services_for(store)
    state = ConversationState(persona=persona)  # type: ignore[arg-type]
    agent = services.agent
    typer.echo("Stackwise — ask about credentials, careers, plans or badges. Empty line to quit.")
    while True:
        try:
            line = input("\nyou> ").strip()
        except EOFError:
            break
        if not line:
            break
        reply = agent.respond(line, state)
        typer.echo("")
        _print_reply(reply)
