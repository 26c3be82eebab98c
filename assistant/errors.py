"""Errors a user can act on. Each message says what is wrong and what to do next."""

from __future__ import annotations


class StackwiseError(Exception):
    """Base of every error shown to a user as one line (CLI exit code ``exit_code``)."""

    exit_code = 1


class ConfigError(StackwiseError):
    """A setting is missing or invalid."""


class StoreMissingError(StackwiseError):
    """No store where one was expected."""

    def __init__(self, path: str) -> None:
        super().__init__(f"No store at {path} — run `stackwise ingest knowledge/` first (or pass --store DIR).")


class StoreMismatchError(StackwiseError):
    """The store was built with another embedding model, dimension or schema version."""


class StoreUnavailableError(StackwiseError):
    """The store (or the Chroma server behind it) cannot be reached or written."""


class RecordNotFoundError(StackwiseError):
    """No record with the given id."""

    def __init__(self, record_id: str) -> None:
        super().__init__(f'No record with id {record_id!r} — try `stackwise search "..."` to find its id.')


class InputError(StackwiseError):
    """A file or value the user gave cannot be used."""

    exit_code = 2


class BadgeFormatError(InputError):
    """The input is not a badge Stackwise can read."""


class PlanningError(StackwiseError):
    """A plan could not be computed from the given profile."""
