"""Planner internals: candidate pre-selection, the CP-SAT model, relaxations, presentation.

The public entry points live in :mod:`assistant.planner` (``plan_stackable_path``,
``plan_alternatives``); :mod:`assistant.gap` does the skill-gap analysis.
"""
