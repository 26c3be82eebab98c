"""Run evaluation suites: ``python -m evals retrieval answers plans badges perf [--json]``."""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
from pathlib import Path

SUITES = ["retrieval", "answers", "plans", "badges", "skills", "perf", "fuzz", "load", "ranker"]
REPORTS = Path(__file__).resolve().parent / "reports"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    parser.add_argument("suites", nargs="*", default=[s for s in SUITES if s not in {"perf", "fuzz", "load", "ranker"}], help=f"any of {', '.join(SUITES)}")
    parser.add_argument("--json", action="store_true", help="print the combined report as JSON on stdout (tables go to stderr)")
    args = parser.parse_args(argv)
    from assistant.services import offline_environment

    offline_environment()
    unknown = [s for s in args.suites if s not in SUITES]
    if unknown:
        print(f"error: unknown suite {unknown[0]!r} — choose from {', '.join(SUITES)}", file=sys.stderr)
        return 2
    REPORTS.mkdir(exist_ok=True)
    combined: dict[str, object] = {"machine": f"{platform.platform()}, {platform.processor() or platform.machine()}", "python": platform.python_version()}
    stdout = sys.stdout
    for suite in args.suites:
        if args.json:
            sys.stdout = sys.stderr  # keep stdout for the JSON report
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"evals.{suite}")
            result = module.run()
        finally:
            sys.stdout = stdout
        result["_seconds"] = round(time.perf_counter() - started, 2)
        combined[suite] = result
        (REPORTS / f"{suite}.json").write_text(json.dumps(result, indent=2, default=str))
    if args.json:
        payload = combined[args.suites[0]] if len(args.suites) == 1 else combined
        print(json.dumps(payload, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
