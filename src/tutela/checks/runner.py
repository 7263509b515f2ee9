"""Run the selected check rules over a loaded programme."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tutela.checks.findings import CheckContext, Finding, Rule
from tutela.checks.registry import registry
from tutela.errors import ConfigurationError, TutelaError
from tutela.programme.loader import LoadedProgramme


def _run(rule: Rule, context: CheckContext) -> list[Finding]:
    try:
        return rule.run(context)
    except TutelaError:
        raise
    except Exception as error:  # a faulty (plug-in) rule is reported, not a traceback
        raise ConfigurationError(
            f"check rule {rule.id} failed on this programme: {type(error).__name__}: {error}"
        ) from error


def run_checks(
    loaded: LoadedProgramme,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    *,
    today: date | None = None,
    rules: Sequence[Rule] | None = None,
) -> list[Finding]:
    """Every finding of the selected rules on ``loaded``, sorted by file, line, column, rule.

    ``select``/``ignore`` hold rule ids or areas (see :meth:`Registry.select`); ``rules``
    replaces the installed rules entirely. ``today`` dates the review checks (default: the
    current date). Pure apart from reading the installed entry points once.
    """
    chosen = list(rules) if rules is not None else registry().select(select, ignore)
    context = CheckContext.of(loaded, today)
    findings = [finding for item in chosen for finding in _run(item, context)]
    return sorted(findings, key=Finding.sort_key)
