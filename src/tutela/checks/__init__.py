"""The compliance linter: rules that check a programme against the GDPR and the ePD.

Each rule is pure: it takes a :class:`CheckContext` (the loaded programme, its vocabulary,
and ``today``) and yields violations; :func:`run_checks` turns them into located
:class:`Finding` objects. Rules are registered in one place
(:data:`~tutela.checks.registry.BUILTIN_RULES`) and plug-ins add theirs through the
``tutela.checks`` entry-point group. ``docs/checks.md`` documents every rule.
"""

from tutela.checks.findings import (
    CheckContext,
    Finding,
    Rule,
    Severity,
    Violation,
    format_path,
    rule,
)
from tutela.checks.registry import (
    BUILTIN_RULES,
    ENTRY_POINT_GROUP,
    Registry,
    build_registry,
    registry,
)
from tutela.checks.report import render_json, render_sarif, render_text
from tutela.checks.runner import run_checks

__all__ = [
    "BUILTIN_RULES",
    "ENTRY_POINT_GROUP",
    "CheckContext",
    "Finding",
    "Registry",
    "Rule",
    "Severity",
    "Violation",
    "build_registry",
    "format_path",
    "registry",
    "render_json",
    "render_sarif",
    "render_text",
    "rule",
    "run_checks",
]
