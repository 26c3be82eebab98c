"""Synthetic catalogues for performance work: realistic spreads, shipped skills and occupations.

``generate_catalogue(10_000, seed=1)`` returns the shipped skills and occupations plus that many
fictional credentials whose skills are drawn from the shipped occupations' skill profiles (so
real targets such as "data analyst" have many candidates), with spreads of type, cost, currency,
workload, duration, delivery, language, location, prerequisites and stacking links like those of
real catalogues. ``write_yaml`` writes them in the knowledge format so ``stackwise ingest`` can
load 10k or 100k records. Nothing here is a fact about a real credential.
"""

from __future__ import annotations

import math
import random
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from assistant.currency import RateTable
from assistant.models import AnyRecord, Cost, Credential, CredentialType, Delivery, Occupation, Pace, Skill, StackLink

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
AS_OF = date(2026, 1, 1)

# type -> (share, (cost low, cost high) EUR, (hours low, hours high), ects per hour or 0)
_TYPES: list[tuple[CredentialType, float, tuple[float, float], tuple[float, float]]] = [
    (CredentialType.MICRO_CREDENTIAL, 0.28, (80, 900), (25, 150)),
    (CredentialType.DIGITAL_BADGE, 0.15, (0, 250), (4, 40)),
    (CredentialType.COURSE, 0.20, (20, 700), (10, 120)),
    (CredentialType.PROFESSIONAL_CERTIFICATE, 0.14, (150, 2500), (60, 250)),
    (CredentialType.PROFESSIONAL_CERTIFICATION, 0.11, (100, 1200), (30, 200)),
    (CredentialType.CAS, 0.07, (2500, 9500), (300, 450)),
    (CredentialType.MASTER_DEGREE, 0.05, (8000, 30000), (1500, 3000)),
]
_TARGET_TYPES = {CredentialType.CAS, CredentialType.MASTER_DEGREE, CredentialType.PROFESSIONAL_CERTIFICATE}
_CURRENCIES = [("EUR", 0.5), ("USD", 0.33), ("GBP", 0.07), ("CHF", 0.07), ("DKK", 0.03)]
_LANGUAGES = [(["en"], 0.74), (["de"], 0.09), (["fr"], 0.05), (["es"], 0.04), (["en", "de"], 0.05), (["da"], 0.03)]
_DELIVERY = [(Delivery.ONLINE, 0.68), (Delivery.BLENDED, 0.15), (Delivery.IN_PERSON, 0.14), (None, 0.03)]
_COUNTRIES = ["IE", "DE", "CH", "US", "GB", "DK", "FI", "FR", "ES", "CL"]


def load_shipped(knowledge_dir: Path = KNOWLEDGE) -> tuple[list[AnyRecord], RateTable | None]:
    """The shipped knowledge records and rate table, read straight from the YAML/Markdown files."""
    from ingest import sources
    from ingest.sources import Rejection
    from ingest.sources.knowledge import KnowledgeReader

    reader = KnowledgeReader()
    records: list[AnyRecord] = []
    rates: RateTable | None = None
    for path in sources.expand_paths([knowledge_dir]):
        if path.suffix.lower() not in {".yaml", ".yml", ".md"}:
            continue
        for item in reader.read(path):
            if isinstance(item, RateTable):
                rates = item
            elif not isinstance(item, Rejection):
                records.append(item)
    return records, rates


def _pick(rng: random.Random, table: list[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _loguniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(max(low, 1.0)), math.log(high)))


def generate_catalogue(n_credentials: int, seed: int, knowledge_dir: Path = KNOWLEDGE) -> list[AnyRecord]:
    """Shipped skills and occupations plus ``n_credentials`` synthetic credentials (deterministic per seed)."""
    rng = random.Random(seed)
    shipped, _ = load_shipped(knowledge_dir)
    skills = [r for r in shipped if isinstance(r, Skill)]
    occupations = [r for r in shipped if isinstance(r, Occupation)]
    all_skill_ids = [s.id for s in skills]
    themes = [[s.skill for s in o.skills] for o in occupations if o.skills] or [all_skill_ids]
    by_theme: dict[int, list[Credential]] = {}
    targets_by_theme: dict[int, list[Credential]] = {}
    credentials: list[Credential] = []
    for n in range(n_credentials):
        kind, _, (cost_low, cost_high), (hours_low, hours_high) = rng.choices(_TYPES, weights=[t[1] for t in _TYPES])[0]
        theme = rng.randrange(len(themes))
        pool = themes[theme]
        taught = rng.sample(pool, k=min(len(pool), rng.randint(1, 5)))
        if rng.random() < 0.2:
            taught.append(rng.choice(all_skill_ids))
        hours = round(_loguniform(rng, hours_low, hours_high))
        weekly = rng.uniform(3, 15)
        weeks = max(1, round(hours / weekly))
        shape = rng.random()
        workload: float | None = hours if shape > 0.1 else None  # 10% publish only a duration
        duration: float | None = weeks if not 0.1 <= shape < 0.2 else None  # 10% only a workload
        if shape > 0.97:
            workload = duration = None  # 3% publish neither
        currency = _pick(rng, _CURRENCIES)
        free = (kind == CredentialType.DIGITAL_BADGE and rng.random() < 0.3) or rng.random() < 0.04
        cost: Cost | None
        if rng.random() < 0.05:
            cost = None
        elif free:
            cost = Cost(amount=0, currency=currency, as_of=AS_OF, source=f"https://synthetic.example/c{n}/price", free=True)
        else:
            cost = Cost(amount=round(_loguniform(rng, cost_low, cost_high)), currency=currency, as_of=AS_OF, source=f"https://synthetic.example/c{n}/price")
        delivery = _pick(rng, _DELIVERY)
        bound = (delivery == Delivery.IN_PERSON and rng.random() < 0.6) or rng.random() < 0.02
        cred = Credential(
            id=f"syn-{seed}-{n:06d}",
            title=f"Synthetic {kind.value.replace('-', ' ')} {n} in {taught[0].replace('-', ' ')}",
            type=kind,
            provider=f"Synthetic Provider {rng.randrange(max(1, n_credentials // 25))}",
            country=rng.choice(_COUNTRIES),
            location_bound=bound,
            url=f"https://synthetic.example/c{n}",
            source="evals/synthetic.py (fictional)",
            last_reviewed=AS_OF,
            skills=list(dict.fromkeys(taught)),
            workload_hours=workload,
            duration_weeks=duration,
            ects=round(hours / 27.5, 1) if kind in {CredentialType.CAS, CredentialType.MASTER_DEGREE, CredentialType.MICRO_CREDENTIAL} else None,
            delivery=delivery,
            pace=Pace.SELF_PACED if rng.random() < 0.45 else Pace.COHORT,
            language=_pick(rng, _LANGUAGES),
            cost=cost,
        )
        earlier = by_theme.get(theme, [])
        if earlier and kind not in _TARGET_TYPES and rng.random() < 0.1:
            cred.prerequisites = [rng.choice(earlier[-20:]).id]
        targets = targets_by_theme.get(theme, [])
        if targets and kind not in _TARGET_TYPES and rng.random() < 0.3:
            target = rng.choice(targets[-5:])
            credit = round(rng.uniform(1, 10)) if rng.random() < 0.7 else None
            cred.stacks_into = [StackLink(target=target.id, credit=credit, credit_unit="ECTS" if credit else None)]
        credentials.append(cred)
        by_theme.setdefault(theme, []).append(cred)
        if kind in _TARGET_TYPES:
            targets_by_theme.setdefault(theme, []).append(cred)
    return [*skills, *occupations, *credentials]


def write_yaml(records: list[AnyRecord], folder: Path, rates: RateTable | None = None, per_file: int = 1000) -> list[Path]:
    """Write records in the knowledge format (``credentials:``, ``skills:``, ``occupations:``), ``per_file`` a file."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        data = record.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        data.pop("kind", None)
        groups.setdefault(f"{record.kind}s", []).append(data)
    for collection, items in groups.items():
        for part in range(0, len(items), per_file):
            path = folder / f"{collection}-{part // per_file:04d}.yaml"
            path.write_text(yaml.safe_dump({collection: items[part : part + per_file]}, sort_keys=False, allow_unicode=True), encoding="utf-8")
            written.append(path)
    if rates is not None:
        path = folder / "rates.yaml"
        path.write_text(yaml.safe_dump({"rates": rates.model_dump(mode="json", exclude_none=True)}, sort_keys=False), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Write a synthetic catalogue in the knowledge format.")
    parser.add_argument("n", type=int, help="number of credentials")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    _, shipped_rates = load_shipped()
    paths = write_yaml(generate_catalogue(args.n, args.seed), args.folder, shipped_rates)
    print(f"wrote {len(paths)} files to {args.folder}")
