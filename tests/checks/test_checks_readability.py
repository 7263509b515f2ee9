"""Readability rules: the statement shows purposes, subjects and categories in words.

GDPR Art. 12(1) ("clear and plain language"), 13(1)(c), 14(1)(d); WP260 rev.01 ¶8-13.
"""

from __future__ import annotations

import pytest
from checkcases import PURPOSE_0, Case, Edit, add, both, findings_of, nothing, set_

from tutela.checks import BUILTIN_RULES

RULE = "readability/missing-description"
OPERATIONS = {"key": "system.operations", "name": "Operations records", "description": "Logs."}

CASES: list[Case] = [
    (
        "art12-1 purpose named by its key",
        RULE,
        set_(f"{PURPOSE_0}.name", "supply_services"),
        nothing,
    ),
    (
        "art13-1-c purpose described by its name",
        RULE,
        set_(f"{PURPOSE_0}.description", "Supply our services."),
        set_(f"{PURPOSE_0}.description", "Deliver the service our customers bought."),
    ),
    (
        "art12-1 subject named by its key",
        RULE,
        set_("subjects.0.name", "customer_contact"),
        nothing,
    ),
    (
        "art14-1-d default category without a label",
        RULE,
        add(f"{PURPOSE_0}.categories", "system.operations"),
        both(add(f"{PURPOSE_0}.categories", "system.operations"), add("categories", OPERATIONS)),
    ),
]


@pytest.mark.parametrize(("rule_id", "bad"), [pytest.param(c[1], c[2], id=c[0]) for c in CASES])
def test_art12_1_rule_trips_on_a_programme_that_breaks_it(rule_id: str, bad: Edit) -> None:
    found = findings_of(rule_id, bad)
    assert found, f"{rule_id} did not fire"
    assert all(f.severity == BUILTIN_RULES[rule_id].severity for f in found)
    assert all(f.message and f.hint and f.location is not None for f in found)


@pytest.mark.parametrize(("rule_id", "good"), [pytest.param(c[1], c[3], id=c[0]) for c in CASES])
def test_art12_1_rule_passes_a_programme_that_complies(rule_id: str, good: Edit) -> None:
    assert findings_of(rule_id, good) == []


def test_art12_1_every_user_category_of_the_default_taxonomy_has_a_label() -> None:
    assert findings_of(RULE, add(f"{PURPOSE_0}.categories", "user.contact.fax_number")) == []
    assert findings_of(RULE, add(f"{PURPOSE_0}.categories", "user.demographic.gender")) == []


def test_art14_1_d_unlabelled_category_is_reported_once_where_first_shown() -> None:
    found = findings_of(
        RULE,
        add(f"{PURPOSE_0}.categories", "system.operations"),
        add("purposes.1.categories", "system.operations"),
    )
    assert [".".join(map(str, f.path)) for f in found] == ["purposes.0.categories.2"]
    assert found[0].severity == "warning"
    assert "system.operations" in found[0].message
