"""Synthetic credential catalogues for the scale tiers of the performance eval.

The records look like the shipped ones: titles, providers, fields and canonical skill ids
are drawn from ``knowledge/``, so that the planner and retrieval see a realistic graph
(skills shared across credentials, short stacking chains, prerequisites, costs in several
currencies). Everything is a pure function of ``seed``: two runs write identical files.

Used only when ``evals/synthetic.py`` (the planner eval's generator) is absent or lacks
``generate_catalogue``; see :func:`generator`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
RECORDS_PER_FILE = 2000

_LEVELS = ["Foundations of", "Introduction to", "Applied", "Advanced", "Practical", "Professional", "Essentials of", "Hands-on"]
_FORMS = ["Certificate", "Micro-credential", "Digital Badge", "Professional Certificate", "Course", "Nanodegree", "CAS"]
_TYPES = {
    "Certificate": "certificate",
    "Micro-credential": "micro-credential",
    "Digital Badge": "digital-badge",
    "Professional Certificate": "professional-certificate",
    "Course": "course",
    "Nanodegree": "nanodegree",
    "CAS": "cas",
}
_VERBS = ["Apply", "Explain", "Design", "Evaluate", "Build", "Analyse", "Implement", "Document"]
_COUNTRIES = ["DE", "FR", "ES", "IT", "NL", "FI", "IE", "GB", "US", "AU", "CH", "AT", "SE", "PL", "PT"]
_CURRENCIES = {
    "DE": "EUR",
    "FR": "EUR",
    "ES": "EUR",
    "IT": "EUR",
    "NL": "EUR",
    "FI": "EUR",
    "IE": "EUR",
    "AT": "EUR",
    "PT": "EUR",
    "GB": "GBP",
    "US": "USD",
    "AU": "AUD",
    "CH": "CHF",
    "SE": "SEK",
    "PL": "PLN",
}
_LANGS = {"DE": "de", "FR": "fr", "ES": "es", "IT": "it", "NL": "nl", "FI": "fi", "SE": "sv", "PL": "pl", "PT": "pt", "AT": "de", "CH": "de"}


def _vocabulary() -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(skill id, label) pairs, provider names and fields from the shipped knowledge."""
    skills: list[tuple[str, str]] = []
    for path in sorted((KNOWLEDGE / "skills").glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        skills += [(s["id"], s.get("label", s["id"])) for s in data.get("skills", [])]
    providers: set[str] = set()
    fields: set[str] = set()
    for path in sorted((KNOWLEDGE / "credentials").glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        for cred in data.get("credentials", []):
            providers.add(cred["provider"])
            fields.update(cred.get("fields", []))
    return skills, sorted(providers), sorted(fields) or ["data"]


def generate_catalogue(n_credentials: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n_credentials`` credential records (as knowledge-YAML mappings), deterministic in ``seed``.

    Args:
        n_credentials: how many credentials to make.
        seed: random seed; the same seed gives the same records.

    Returns:
        Credential mappings in the knowledge YAML format, ids ``syn-<seed>-<n>``.
    """
    rng = random.Random(seed)
    skills, providers, fields = _vocabulary()
    records: list[dict[str, Any]] = []
    for n in range(n_credentials):
        field_name = rng.choice(fields)
        own = rng.sample(skills, k=min(len(skills), rng.randint(2, 5)))
        topic = own[0][1]
        form = rng.choice(_FORMS)
        country = rng.choice(_COUNTRIES)
        provider = rng.choice(providers)
        record_id = f"syn-{seed}-{n}"
        hours = rng.choice([6, 10, 15, 20, 30, 40, 60, 80, 120, 150])
        weeks = max(1, round(hours / rng.choice([3, 4, 5, 8, 10])))
        record: dict[str, Any] = {
            "id": record_id,
            "title": f"{rng.choice(_LEVELS)} {topic} {form} {n}",
            "type": _TYPES[form],
            "provider": provider,
            "country": country,
            "source": "synthetic",
            "fields": [field_name],
            "description": f"A {hours}-hour {form.lower()} from {provider} on {topic.lower()} and {own[-1][1].lower()} for people moving into {field_name} roles.",
            "learning_outcomes": [f"{rng.choice(_VERBS)} {label.lower()}" for _, label in own[:3]],
            "skills": [sid for sid, _ in own],
            "workload_hours": hours,
            "duration_weeks": weeks,
            "delivery": rng.choice(["online", "online", "blended", "in-person"]),
            "pace": rng.choice(["self-paced", "cohort"]),
            "language": sorted({"en", _LANGS.get(country, "en")}),
        }
        if rng.random() < 0.15:
            record["cost"] = {"free": True}
        else:
            record["cost"] = {"amount": rng.choice([49, 99, 150, 300, 450, 800, 1200, 2500]), "currency": _CURRENCIES[country]}
        if rng.random() < 0.3:
            record["eqf_level"] = rng.randint(4, 7)
            record["ects"] = rng.choice([1, 2, 3, 5, 6, 10])
        # short stacking chains within a group of 6: the last one is the capstone
        group_end = min(n_credentials - 1, n - n % 6 + 5)
        if n % 6 != 5 and group_end != n and rng.random() < 0.5:
            record["stacks_into"] = [{"target": f"syn-{seed}-{group_end}", "credit": record.get("ects") or 1, "credit_unit": "ECTS"}]
        if n % 6 and rng.random() < 0.2:
            record["prerequisites"] = [f"syn-{seed}-{n - 1}"]
        records.append(record)
    return records


def write_yaml(records: list[dict[str, Any]], folder: Path) -> list[Path]:
    """Write credential mappings as knowledge YAML files of :data:`RECORDS_PER_FILE` each."""
    folder.mkdir(parents=True, exist_ok=True)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    paths = []
    for start in range(0, len(records), RECORDS_PER_FILE):
        path = folder / f"synthetic-{start // RECORDS_PER_FILE:04d}.yaml"
        path.write_text(
            yaml.dump({"credentials": records[start : start + RECORDS_PER_FILE]}, Dumper=dumper, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        paths.append(path)
    return paths


def generator() -> tuple[Callable[[int, int], list[Any]], Callable[[list[Any], Path], Any], str]:
    """The colleague's ``evals.synthetic`` generator when present, else this module's."""
    try:
        from evals import synthetic  # type: ignore[attr-defined]

        return synthetic.generate_catalogue, synthetic.write_yaml, "evals.synthetic"
    except (ImportError, AttributeError):
        return generate_catalogue, write_yaml, "evals.perf_synthetic"
