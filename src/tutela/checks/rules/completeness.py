"""Completeness rules: every legal section written, no placeholder left.

A programme may start with only systems and datasets (the DSR engine needs no more),
and ``tutela init``, ``tutela import fides`` and ``tutela datasets reflect`` write
``TODO`` placeholders for what only a person can say. Neither may be published: the
statement must give every item of Arts. 13 and 14 in clear and plain language
(Art. 12(1)), and a placeholder is neither.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tutela.checks.findings import CheckContext, ModelPath, Rule, Violation, format_path, rule
from tutela.programme.published import missing_sections
from tutela.programme.skeleton import COUNTRY_PLACEHOLDER, TODO

PLACEHOLDER = re.compile(rf"\b{TODO}\b")
"""A value holding this word is a placeholder (``TODO: who answers for this system``)."""

_NEEDED_BY = {
    "organisation": "who the controller is and how to reach it (Art. 13(1)(a)-(b))",
    "statement": "the statement's title, version and date (Art. 12(1), 13(3))",
    "rights": "how people exercise their rights (Art. 12(2), 13(2)(b))",
    "complaints": "where people complain (Art. 13(2)(d), 77)",
}


@rule(
    "transparency/missing-section",
    severity="error",
    title="Legal section missing from the programme",
    source="GDPR Art. 12(1), 13(1)-(2), 30(1), 77",
)
def missing_section(context: CheckContext) -> Iterator[Violation]:
    """The programme writes organisation, statement, rights and complaints (Art. 13).

    The DSR commands run without them; the statement and the records cannot.
    """
    for section in missing_sections(context.programme):
        yield Violation(
            (section,),
            f"the programme has no `{section}:` section: {_NEEDED_BY[section]}",
            f"write the `{section}:` section; `tutela init PROGRAMME` writes a skeleton of every "
            "legal section to fill in",
        )


@rule(
    "transparency/todo-placeholder",
    severity="error",
    title="Placeholder left in the programme",
    source="GDPR Art. 12(1), 13, 30(1)",
)
def todo_placeholder(context: CheckContext) -> Iterator[Violation]:
    """No value is a ``TODO`` placeholder or the unknown country ``ZZ`` (Art. 12(1))."""
    data = context.programme.model_dump(mode="python", exclude_defaults=True)
    for path, value in _strings(data, ()):
        if value == COUNTRY_PLACEHOLDER:
            yield Violation(
                path,
                f"`{format_path(path)}` is still the placeholder country "
                f"{COUNTRY_PLACEHOLDER} (unknown)",
                "set the ISO 3166-1 alpha-2 code of the country, e.g. BE",
            )
        elif PLACEHOLDER.search(value):
            yield Violation(
                path,
                f"`{format_path(path)}` is still a placeholder: {value!r}",
                "replace the placeholder with the real value; the programme is not published "
                "with placeholders",
            )


def _strings(value: Any, path: ModelPath) -> Iterator[tuple[ModelPath, str]]:
    """Every string in ``value`` (a model dump) with its model path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, (*path, str(name)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


@rule(
    "records/purpose-without-subjects-or-categories",
    severity="error",
    title="Purpose without its categories of data subjects or of personal data",
    source="GDPR Art. 30(1)(c), 13(1)(c), 14(1)(d); GDPR.md RP-1",
)
def purpose_without_subjects_or_categories(context: CheckContext) -> Iterator[Violation]:
    """The record of each purpose names whose data and which data (Art. 30(1)(c)).

    The controller's record describes "the categories of data subjects and of the
    categories of personal data" of each processing (Art. 30(1)(c)); a purpose without
    them leaves an empty cell in the records and in the statement.
    """
    for index, purpose in enumerate(context.programme.purposes):
        missing = [name for name in ("subjects", "categories") if not getattr(purpose, name)]
        if missing:
            yield Violation(
                ("purposes", index, missing[0]),
                f"purpose '{purpose.key}' names no {' and no '.join(missing)} (Art. 30(1)(c))",
                "list the purpose's data subjects (keys of `subjects:`) and its categories of "
                "personal data (fideslang keys such as user.contact.email)",
            )


RULES: tuple[Rule, ...] = (
    missing_section,
    todo_placeholder,
    purpose_without_subjects_or_categories,
)
"""The completeness rules, in documentation order."""
