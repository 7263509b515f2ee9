"""Building blocks of the rule tests: variants of the minimal programme and their findings.

Each case starts from tests/fixtures/minimal, applies small edits to the dumped programme
and validates it again, so the variants are real, valid programmes. A test module of an
area defines ``CASES``: ``(id, rule id, edit that breaks it, edit that complies)``, the
id starting with the GDPR.md rule id (or the article) the rule proves; the modules are
listed in :data:`CASE_MODULES` so every built-in rule is proven somewhere.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from tutela.checks import Finding, run_checks
from tutela.programme.loader import LoadedProgramme, load
from tutela.programme.models import Programme

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"

CASE_MODULES = (
    "test_checks_rules",
    "test_checks_languages",
    "test_checks_assumptions",
    "test_checks_lawfulness",
    "test_checks_governance",
    "test_checks_transfers",
    "test_checks_transparency",
    "test_checks_consent",
    "test_checks_marketing",
    "test_checks_readability",
    "test_retention_rules",
)
"""The test modules (in tests/checks) whose ``CASES`` prove the built-in rules."""
TODAY = date(2026, 11, 24)

Data = dict[str, Any]
Edit = Callable[[Data], None]


@cache
def minimal() -> LoadedProgramme:
    return load(MINIMAL)


def _walk(data: Any, path: str) -> tuple[Any, str | int]:
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in path.split(".")]
    for part in parts[:-1]:
        data = data[part]
    return data, parts[-1]


def set_(path: str, value: Any) -> Edit:
    """Set the value at a dotted path such as ``purposes.0.legal_basis``."""

    def edit(data: Data) -> None:
        parent, last = _walk(data, path)
        parent[last] = value

    return edit


def add(path: str, item: Any) -> Edit:
    """Append ``item`` to the list at a dotted path."""

    def edit(data: Data) -> None:
        parent, last = _walk(data, path)
        parent[last].append(item)

    return edit


def both(*edits: Edit) -> Edit:
    def edit(data: Data) -> None:
        for one in edits:
            one(data)

    return edit


def nothing(data: Data) -> None:
    """The minimal programme as it is."""


def variant(*edits: Edit) -> LoadedProgramme:
    loaded = minimal()
    data = loaded.programme.model_dump()
    for edit in edits:
        edit(data)
    return dataclasses.replace(loaded, programme=Programme.model_validate(data))


def findings_of(rule_id: str, *edits: Edit, today: date = TODAY) -> list[Finding]:
    return [f for f in run_checks(variant(*edits), today=today) if f.rule == rule_id]


# --- reusable pieces ----------------------------------------------------------------------

LIA = {"interest": "Know our customers.", "necessity": "No less intrusive way.", "balancing": "OK."}
FULL_ADM = {
    "automated_decision": True,
    "logic": "Scores unpaid invoices.",
    "significance": "Decides on credit.",
    "consequences": "Service may be suspended.",
    "human_review": "Write to privacy@example.test to have a person review it.",
}
ALL_TERMS = [
    "documented_instructions",
    "confidentiality",
    "security",
    "sub_processors",
    "assist_data_subject_requests",
    "assist_security_and_dpia",
    "delete_or_return",
    "audits",
]
TIA = {"reference": "TIA-7", "assessed_on": "2026-01-10", "review_on": "2027-01-10"}
SCC = {"mechanism": "scc", "scc_module": "M2", "tia": TIA}
COOKIE = {"name": "_ga", "provider": "Google", "category": "statistics", "duration": "2y"}
THIRD_PARTY = {"key": "enrichment", "name": "Enrichment", "kind": "third_party"}
RELEASE = {"key": "stats", "name": "Stats", "description": "Careers site stats."}
CONTACT_FIELDS = "systems.0.datasets.0.collections.0.fields"
NOTE_FIELDS = "systems.0.datasets.0.collections.1.fields"
PURPOSE_0 = "purposes.0"
RECIPIENT_0 = "recipients.0"


def country(*codes: str) -> Edit:
    return set_(f"{RECIPIENT_0}.countries", list(codes))


def safeguard(**fields: Any) -> Edit:
    return set_(f"{RECIPIENT_0}.safeguard", fields)


Case = tuple[str, str, Edit, Edit]


def cases_of(module: str) -> list[Case]:
    """The ``CASES`` of test module ``module`` of this folder, loaded from its file."""
    spec = importlib.util.spec_from_file_location(
        f"checkcases_{module}", Path(__file__).parent / f"{module}.py"
    )
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return list(loaded.CASES)


# Test modules import these helpers as ``checkcases``:
# importlib mode adds no test folder to sys.path.
sys.modules.setdefault("checkcases", sys.modules[__name__])
