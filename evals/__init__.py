"""Quality and performance evaluations, kept apart from tests: `python -m evals [SUITE...]`.

Each suite is a module ``evals/<suite>.py`` with ``run() -> dict`` that prints a readable
table and returns its figures; the runner writes them to ``evals/reports/<suite>.json``.
"""
