"""Readability rules: the statement names everything in words people understand.

GDPR Art. 12(1) requires the Art. 13 and 14 information "in a concise, transparent,
intelligible and easily accessible form, using clear and plain language" (WP260 ¶8-13).
The statement shows each purpose (Art. 13(1)(c)), each kind of subject and each data
category (Art. 14(1)(d)) by its label: a purpose named by its key, a description that only
repeats the name, or a default fideslang category tutela has no label for would reach the
reader as ``supply_services`` or ``System Operations``.

The severity is ``warning``: the item is still named, so the Art. 13/14 information is
given; what fails is its form under Art. 12(1), which the person publishing the statement
should fix but which need not block a draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutela.checks.findings import CheckContext, ModelPath, Rule, Violation, rule
from tutela.programme.models import Programme
from tutela.taxonomy.labels import has_label

_KEY_LIKE = re.compile(r"^[a-z0-9][a-z0-9_.\-]*[_.][a-z0-9_.\-]*$")
"""A label written like a key (``supply_services``, ``user.contact``): no reader's word."""


_KINDS = {"purposes": "purpose", "subjects": "subject", "categories": "category"}


def _looks_like_key(label: str, key: str) -> bool:
    return label.strip() == key or bool(_KEY_LIKE.match(label.strip()))


def _same_words(one: str, other: str) -> bool:
    def words(text: str) -> list[str]:
        return re.findall(r"\w+", text.casefold())

    return words(one) == words(other)


@rule(
    "readability/missing-description",
    severity="warning",
    title="Shown in the statement without a human label or description",
    source="GDPR Art. 12(1), 13(1)(c), 14(1)(d); WP260 ¶8-13",
)
def missing_description(context: CheckContext) -> Iterator[Violation]:
    """Every purpose, subject and category the statement shows has plain words (Art. 12(1)).

    A purpose, subject or category whose name is its key, a purpose whose description only
    repeats its name, and a fideslang default category tutela has no label for (the
    ``system.*`` categories) are reported where the programme writes them.
    """
    programme = context.programme
    yield from _key_like_names(programme)
    for index, purpose in enumerate(programme.purposes):
        if _same_words(purpose.description, purpose.name):
            yield Violation(
                ("purposes", index, "description"),
                f"purpose '{purpose.key}' is described only by its name '{purpose.name}'",
                "say in a sentence what the purpose does with the data, e.g. 'Sending the "
                "newsletter you subscribed to, once a month'",
            )
    yield from _unlabelled_categories(programme)


def _key_like_names(programme: Programme) -> Iterator[Violation]:
    named: list[tuple[str, int, str, str]] = [
        *(("purposes", i, p.key, p.name) for i, p in enumerate(programme.purposes)),
        *(("subjects", i, s.key, s.name) for i, s in enumerate(programme.subjects)),
        *(("categories", i, c.key, c.name) for i, c in enumerate(programme.categories)),
    ]
    for section, index, key, name in named:
        if _looks_like_key(name, key):
            yield Violation(
                (section, index, "name"),
                f"{_KINDS[section]} '{key}' is named '{name}', a key, not words",
                "give it a name people understand, e.g. 'Contacts of our customers'",
            )


def _unlabelled_categories(programme: Programme) -> Iterator[Violation]:
    declared = {category.key for category in programme.categories}
    reported: set[str] = set()
    for path, key in _shown_categories(programme):
        if key in declared or has_label(key) or key in reported:
            continue
        reported.add(key)
        yield Violation(
            path,
            f"data category '{key}' has no label tutela can show in the statement",
            f"declare it under categories: with a name and description people understand, "
            f"e.g. {{key: {key}, name: Operations records, description: ...}}",
        )


def _shown_categories(programme: Programme) -> Iterator[tuple[ModelPath, str]]:
    """The categories the statement shows, with where each is written."""
    lists: list[tuple[str, int, list[str]]] = [
        *(("subjects", i, s.categories) for i, s in enumerate(programme.subjects)),
        *(("purposes", i, p.categories) for i, p in enumerate(programme.purposes)),
        *(("sources", i, s.categories) for i, s in enumerate(programme.sources)),
        *(("recipients", i, r.categories) for i, r in enumerate(programme.recipients)),
    ]
    for section, index, keys in lists:
        for position, key in enumerate(keys):
            yield (section, index, "categories", position), key


RULES: tuple[Rule, ...] = (missing_description,)
"""The readability rules, in documentation order."""
