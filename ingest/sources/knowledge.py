"""Stackwise's own knowledge format: YAML files of records, Markdown guides with front matter.

A YAML file is a mapping whose keys are record collections::

    credentials: [ {id: ..., title: ..., ...}, ... ]
    occupations: [...]
    skills: [...]
    providers: [...]

A Markdown guide starts with a YAML front matter block (``---``) holding the document's
``id``, ``title``, ``source``, ``url``, ``last_reviewed`` and ``topics``; the rest is its body.
``knowledge/README.md`` documents every field.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.currency import RateTable
from assistant.models import RECORD_TYPES, AnyRecord, Document
from ingest.sources._base import MAX_NESTING_DEPTH, Rejection, describe_validation_error, shown, tree_problem

# libyaml's safe loader parses our knowledge ~10x faster than the pure-Python one (docs/performance.md).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

COLLECTIONS = {"credentials": "credential", "occupations": "occupation", "skills": "skill", "providers": "provider"}


class KnowledgeReader:
    """Reads knowledge YAML files and Markdown guides with front matter."""

    name = "knowledge"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
        if path.suffix.lower() in {".yaml", ".yml"}:
            return any(
                line.split(":")[0].strip() in COLLECTIONS or line.startswith("rates:")
                for line in text.splitlines()[:40]
                if not line.startswith(("#", " ", "-"))
            )
        return text.startswith("---\n") and "\nid:" in text[:2000] and "\ntitle:" in text[:2000]

    def read(self, path: Path) -> Iterator[AnyRecord | RateTable | Rejection]:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            yield Rejection(str(path), f"cannot read as UTF-8 text: {exc}")
            return
        if text.startswith("---\n"):
            yield from self._read_markdown(path, text)
        else:
            yield from self._read_yaml(path, text)

    def _read_yaml(self, path: Path, text: str) -> Iterator[AnyRecord | RateTable | Rejection]:
        try:
            data = yaml.load(text, Loader=_YAML_LOADER)  # a safe loader
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark is not None else ""
            problem = str(getattr(exc, "problem", exc))
            if "nesting depth" in problem:  # libyaml's own depth guard (deeper than ours)
                problem = f"nested more than {MAX_NESTING_DEPTH} levels deep"
            yield Rejection(f"{path}{where}", f"malformed YAML: {problem}")
            return
        except RecursionError:
            yield Rejection(str(path), f"malformed YAML: nested more than {MAX_NESTING_DEPTH} levels deep")
            return
        except ValueError as exc:  # a constructor refusing a value, e.g. an integer over 4,300 digits
            yield Rejection(str(path), f"malformed YAML: {exc}")
            return
        shape_problem = tree_problem(data)
        if shape_problem:
            yield Rejection(str(path), f"YAML {shape_problem}")
            return
        if not isinstance(data, dict):
            yield Rejection(str(path), "expected a mapping with keys credentials/occupations/skills/providers")
            return
        for key, items in data.items():
            if key == "rates":
                try:
                    yield RateTable.model_validate(items)
                except ValidationError as exc:
                    yield Rejection(f"{path}:rates", describe_validation_error(exc))
                continue
            kind = COLLECTIONS.get(str(key))
            if kind is None:
                yield Rejection(str(path), f"unknown top-level key {key!r} (expected one of {', '.join(COLLECTIONS)})")
                continue
            if not isinstance(items, list):
                yield Rejection(f"{path}:{shown(key)}", "expected a list of records")
                continue
            model = RECORD_TYPES[kind]
            for index, item in enumerate(items):
                where = f"{path}:{key}[{index}]"
                if isinstance(item, dict) and item.get("id"):
                    where += f" ({shown(item['id'])})"
                if not isinstance(item, dict):
                    yield Rejection(where, "expected a mapping of fields")
                    continue
                try:
                    yield model.model_validate(item)  # type: ignore[misc]
                except ValidationError as exc:
                    yield Rejection(where, describe_validation_error(exc))

    def _read_markdown(self, path: Path, text: str) -> Iterator[AnyRecord | Rejection]:
        end = text.find("\n---", 4)
        if end < 0:
            yield Rejection(str(path), "front matter is not closed with '---'")
            return
        try:
            meta: Any = yaml.load(text[4:end], Loader=_YAML_LOADER)  # a safe loader
        except yaml.YAMLError as exc:
            yield Rejection(str(path), f"malformed front matter: {getattr(exc, 'problem', exc)}")
            return
        except RecursionError:
            yield Rejection(str(path), f"malformed front matter: nested more than {MAX_NESTING_DEPTH} levels deep")
            return
        except ValueError as exc:
            yield Rejection(str(path), f"malformed front matter: {exc}")
            return
        problem = tree_problem(meta)
        if problem:
            yield Rejection(str(path), f"front matter {problem}")
            return
        if not isinstance(meta, dict):
            yield Rejection(str(path), "front matter must be a mapping")
            return
        body = text[end + 4 :].lstrip("\n")
        try:
            yield Document.model_validate({**meta, "body": body})
        except ValidationError as exc:
            yield Rejection(str(path), describe_validation_error(exc))


def main(argv: list[str]) -> int:
    """Validate knowledge files: ``python -m ingest.sources.knowledge knowledge/``."""
    from ingest.sources import read_paths

    records, rejections = 0, 0
    for item in read_paths([Path(a) for a in argv or ["knowledge"]]):
        if isinstance(item, Rejection):
            rejections += 1
            print(f"REJECTED {item.source}: {item.reason}")
        else:
            records += 1
    print(f"{records} records valid, {rejections} rejected")
    return 1 if rejections else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
