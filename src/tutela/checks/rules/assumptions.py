"""Assumption rules: each assumption names a fact the programme states (GDPR Art. 5(2)).

An assumption marks a value the programme states where its source is silent, so a person
confirms it before the statement is published (accountability, Art. 5(2); accuracy,
Art. 5(1)(d)). A path that names nothing marks nothing: the fact it meant goes unreviewed.
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.programme.assumptions import AssumptionPathError, resolve


@rule(
    "assumptions/unknown-path",
    severity="error",
    title="Assumption whose path names nothing in the programme",
    source="GDPR Art. 5(1)(d), 5(2)",
)
def unknown_path(context: CheckContext) -> Iterator[Violation]:
    """Each assumption's `path` names a value of the programme (Art. 5(2)).

    The path is dotted, with list items by key or index (`retention.crm_contacts.period`,
    `recipients.aws.countries`); a path that is malformed, or whose section, field or
    key does not exist, is reported at the assumption's file and line.
    """
    for index, assumption in enumerate(context.programme.assumptions):
        try:
            resolve(context.programme, assumption.path)
        except AssumptionPathError as error:
            yield Violation(
                ("assumptions", index, "path"),
                f"assumption path '{_cut(assumption.path)}' names nothing: {error.message}",
                error.hint,
            )


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


RULES: tuple[Rule, ...] = (unknown_path,)
"""The assumptions rules, in documentation order."""
