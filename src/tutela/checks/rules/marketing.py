"""Marketing rules (filled in by the work on issue 14)."""

from __future__ import annotations

from tutela.checks.findings import Rule

RULES: tuple[Rule, ...] = ()
"""The marketing rules, in documentation order."""
