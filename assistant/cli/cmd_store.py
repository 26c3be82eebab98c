"""`stackwise ingest | stats | search | show | ui`: building and reading the store."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from assistant.cli._common import JsonOption, StoreOption, print_json, services_for
from assistant.errors import InputError, RecordNotFoundError, StoreMissingError
from assistant.retrieval import SearchFilters
from assistant.store import Store

if TYPE_CHECKING:
    from assistant.embeddings import Embedder
    from assistant.settings import Settings


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("stats")(stats)
    app.command("search")(search)
    app.command("show")(show)
    app.command("ui")(ui)


def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders: knowledge YAML, CTDL, Open Badges, O*NET, ESCO, CSV/XLSX, Markdown/HTML/PDF."),
    store: Path | None = StoreOption,
    rebuild: bool = typer.Option(False, "--rebuild", help="Build a fresh store (e.g. after changing the embedding model), then swap it in."),
    as_json: bool = JsonOption,
) -> None:
    """Ingest catalogue files into the store (incremental: unchanged records are not re-embedded)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ingest.pipeline import IngestReport, ingest_paths

    services = services_for(store)
    target = Path(services.settings.storage.path)
    for path in paths:
        if not path.exists():
            raise InputError(f"No such file or folder: {path} — check the path.")
    _recover_interrupted_rebuild(target)
    build_path = target.with_name(target.name + ".rebuild") if rebuild else target
    if rebuild and build_path.exists():
        shutil.rmtree(build_path)
    settings = services.settings.storage.model_copy(update={"path": build_path})
    if rebuild and settings.chroma_url:
        settings = settings.model_copy(update={"collection": f"{settings.collection}r"})
    store_obj = Store(settings, create=True)
    embedder = services.embedder
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True, disable=not sys.stderr.isatty()
    ) as bar:
        task = bar.add_task("reading", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        report: IngestReport = ingest_paths(paths, store_obj, embedder, progress=progress)
    store_obj.close()
    if rebuild:
        _swap_in(build_path, target)
    _prepare_memory(services.settings, target, embedder)
    if as_json:
        print_json(report.as_json())
    else:
        typer.echo(
            f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, removed {report.removed}, "
            f"rejected {len(report.rejected)} ({report.embedded_chunks} chunks embedded in {report.seconds:.1f} s)"
        )
        for rejection in report.rejected:
            typer.echo(f"rejected {rejection.source}: {rejection.reason}", err=True)
    if report.rejected:
        raise typer.Exit(1)


def _prepare_memory(settings: Settings, folder: Path, embedder: Embedder) -> None:
    """Embed the labelled questions search recalls now (kept beside the store), so the first search does not wait for it."""
    from assistant.retrieval import Retriever

    store = Store(settings.storage.model_copy(update={"path": folder}))
    try:
        Retriever(store, embedder, settings.retrieval).memory  # noqa: B018 - opening it builds the vectors when search would use them
    finally:
        store.close()


def _swap_in(build_path: Path, target: Path) -> None:
    """Replace the store with a rebuilt one; the old one survives until the new one is in place."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    build_path.rename(target)
    if old.exists():
        shutil.rmtree(old)


def _recover_interrupted_rebuild(target: Path) -> None:
    old = target.with_name(target.name + ".old")
    if not target.exists() and old.exists():
        old.rename(target)


def stats(store: Path | None = StoreOption, as_json: bool = JsonOption) -> None:
    """What the store holds."""
    services = services_for(store)
    counts = services.store.counts()
    catalogue = services.catalogue
    manifest = services.store.read_manifest()
    data: dict[str, Any] = {
        "credentials": counts["credential"],
        "occupations": counts["occupation"],
        "skills": counts["skill"],
        "documents": counts["document"],
        "chunks": counts["chunks"],
        "providers": len({c.provider for c in catalogue.credentials.values()} | {p.name for p in catalogue.providers.values()}),
        "countries": catalogue.country_count(),
        "embedding_model": manifest.embedding_model if manifest else None,
        "embedding_dimension": manifest.dimension if manifest else None,
        "provider_records": counts["provider"],
        "fields": sorted({f for c in catalogue.credentials.values() for f in c.fields}),
        "stacking_share": round(
            sum(1 for c in catalogue.credentials.values() if c.prerequisites or c.stacks_into or c.part_of or catalogue.stacked_from.get(c.id))
            / max(1, len(catalogue.credentials)),
            3,
        ),
        "rates_as_of": catalogue.rates.as_of.isoformat() if catalogue.rates else None,
    }
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        typer.echo(f"{key:>20}: {', '.join(value) if isinstance(value, list) else value}")


def search(
    text: str = typer.Argument(..., help="What to look for."),
    store: Path | None = StoreOption,
    k: int = typer.Option(10, "-k", min=1, max=200, help="How many hits."),
    kind: str | None = typer.Option(None, help="credential, occupation, skill, document, provider."),
    type_: str | None = typer.Option(None, "--type", help="Credential type, e.g. micro-credential, cas."),
    provider: str | None = typer.Option(None, help="Provider name (substring)."),
    country: str | None = typer.Option(None, help="ISO country code, e.g. CH."),
    max_cost: float | None = typer.Option(None, "--max-cost", min=0, help="Highest cost, in --currency."),
    currency: str = typer.Option("EUR", help="Currency of --max-cost."),
    free: bool = typer.Option(False, "--free", help="Only free credentials."),
    delivery: str | None = typer.Option(None, help="online, in-person or blended."),
    language: str | None = typer.Option(None, help="ISO language code, e.g. de."),
    max_weeks: float | None = typer.Option(None, "--max-weeks", min=0.1, help="Longest duration in weeks."),
    eqf: int | None = typer.Option(None, "--eqf", min=1, max=8, help="EQF level."),
    field: str | None = typer.Option(None, help="Career field, e.g. data."),
    as_json: bool = JsonOption,
) -> None:
    """Search the catalogue (hybrid dense + lexical retrieval) with filters."""
    if not text.strip():
        raise InputError('Nothing to search for — give a few words, e.g. stackwise search "data analytics" --free.')
    if delivery and delivery not in {"online", "in-person", "blended"}:
        raise InputError(f"Unknown delivery {delivery!r} — use online, in-person or blended.")
    filters = SearchFilters(
        kind=kind,
        type=type_,
        provider=provider,
        country=country,
        max_cost=max_cost,
        currency=currency.upper(),
        free=free or None,
        delivery=delivery,
        language=language,
        max_weeks=max_weeks,
        eqf_level=eqf,
        field=field,
    )
    services = services_for(store)
    hits = services.retriever.search(text, k=k, filters=filters)
    if as_json:
        print_json([h.as_json() for h in hits])
        return
    if not hits:
        typer.echo("Nothing found — try fewer filters or other words.")
    for n, hit in enumerate(hits, 1):
        typer.echo(f"{n:>2}. [{hit.kind}] {hit.title}  ({hit.id})  score {hit.score:.3f}\n    {hit.snippet}")


def show(record_id: str = typer.Argument(..., help="Record id."), store: Path | None = StoreOption, as_json: bool = JsonOption) -> None:
    """Show one record; exit 1 when there is no such id."""
    services = services_for(store)
    record = services.store.get(record_id)
    if record is None:
        raise RecordNotFoundError(record_id)
    if as_json:
        print_json(record.model_dump(mode="json", exclude_none=True))
        return
    data = record.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    for key, value in data.items():
        typer.echo(f"{key}: {value}")


def ui(port: int = typer.Option(8501, help="Port to serve on.")) -> None:
    """Serve the Streamlit UI (http://localhost:8501)."""
    app_path = Path(__file__).resolve().parents[2] / "app.py"
    if not app_path.exists():
        raise StoreMissingError(str(app_path))
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.headless",
        "true",
    ]
    raise typer.Exit(subprocess.call(cmd))
