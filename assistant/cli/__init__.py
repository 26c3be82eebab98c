"""The `stackwise` command line. Each `cmd_*.py` module here adds its commands with ``register(app)``.

Errors a user can act on (:class:`~assistant.errors.StackwiseError`) print one line on stderr
and exit non-zero; no traceback.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import typer

from assistant.errors import StackwiseError

app = typer.Typer(
    name="stackwise",
    help="Stackwise: micro-credential and career guidance from your own catalogue.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_commands() -> None:
    package = sys.modules[__name__]
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            module.register(app)


_register_commands()


def main() -> None:
    """Console-script entry point."""
    try:
        # In non-standalone mode click returns a command's exit code instead of exiting.
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except StackwiseError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", None)
        sys.exit(code if code is not None else getattr(exc, "code", 0))
    except typer.Abort:
        sys.exit(1)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        # typer vendors its own click, so usage errors are recognised by shape, not class
        if callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        if os.environ.get("STACKWISE_DEBUG"):
            raise
        typer.echo(f"error: unexpected {exc.__class__.__name__}: {exc} — rerun with STACKWISE_DEBUG=1 for details and report it.", err=True)
        sys.exit(1)
