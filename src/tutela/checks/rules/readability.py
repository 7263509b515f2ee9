"""Readability rules (filled in by the work on issue 14)."""

from __future__ import annotations

from tutela.checks.findings import Rule

RULES: tuple[Rule, ...] = ()
"""The readability rules, in documentation order."""
