"""Rules enforced by sweeps (issue 18): what `tutela check` rejects before a sweep runs.

GDPR Art. 5(1)(e), 13(2)(a), 28(3)(a); GDPR.md RT-1, RT-2, PR-3 (see conftest.py for the
case format). Starting point: the minimal programme with a ``created_at`` datetime on the
CRM's notes and the ``two_years`` rule covering them.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from checkcases import MINIMAL, TODAY, Case, Edit, add, both, findings_of, set_, variant

from tutela.checks import Finding, run_checks
from tutela.programme.loader import load

RULE = "retention.1"
CONTACT = "systems.0.datasets.0.collections.0"
NOTE = "systems.0.datasets.0.collections.1"
CREATED = {"name": "created_at", "type": "datetime"}
CUSTOMER = {
    "key": "acme",
    "name": "Acme SA",
    "contact": "privacy@acme.test",
    "country": "FR",
    "dpa_reference": "DPA-1",
    "systems": ["crm"],
}


def covered(*edits: Edit, covers: dict[str, Any] | None = None) -> Edit:
    """Notes get ``created_at`` as their time column and ``two_years`` covers them."""
    return both(
        add(f"{NOTE}.fields", CREATED),
        set_(f"{NOTE}.retention_from", "created_at"),
        set_(f"{RULE}.covers", covers or {"collections": ["crm_db.note"]}),
        *edits,
    )


def per_customer(*edits: Edit) -> Edit:
    return covered(set_(f"{RULE}.per_customer", True), *edits)


def anonymised(strategy: str) -> Edit:
    return covered(set_(f"{RULE}.action", "anonymise"), set_(f"{NOTE}.fields.2.masking", strategy))


def archived(columns: list[dict[str, Any]]) -> Edit:
    archive = {"name": "note_archive", "fields": columns}
    return covered(
        set_(f"{RULE}.action", "archive"),
        set_(f"{RULE}.archive_to", "crm_db.note_archive"),
        add("systems.0.datasets.0.collections", archive),
    )


def processor(account: str | None) -> Edit:
    return per_customer(
        set_(f"{RULE}.choices", ["24h", "48h"]),
        set_(f"{NOTE}.customer_field", "contact_id"),
        set_("systems.0.role", "processor"),
        set_("dpa_register", [{**CUSTOMER, "account": account}]),
    )


def run_checks_of(edit: Edit) -> list[Finding]:
    """The errors ``tutela check`` finds in the minimal programme after ``edit``."""
    return [f for f in run_checks(variant(edit), today=TODAY) if f.severity == "error"]


NOTE_FIELDS = [
    {"name": "id", "primary_key": True},
    {"name": "contact_id"},
    {"name": "body"},
    CREATED,
]

CASES: list[Case] = [
    (
        "RT-2-covers",
        "retention/covers-unknown",
        covered(covers={"collections": ["crm_db.notes"]}),
        covered(),
    ),
    (
        "RT-1-time",
        "retention/covered-collection-without-time-column",
        covered(set_(f"{NOTE}.retention_from", None)),
        covered(),
    ),
    (
        "RT-1-missing-column",
        "retention/column-not-found",
        covered(set_(f"{NOTE}.retention_from", "completed_at")),
        covered(),
    ),
    (
        "RT-1-wrong-type",
        "retention/time-column-not-a-date",
        covered(set_(f"{NOTE}.retention_from", "body")),
        covered(),
    ),
    (
        "RT-2-key",
        "retention/covered-collection-without-key",
        covered(set_(f"{NOTE}.fields.0.primary_key", False)),
        covered(),
    ),
    (
        "RT-1-period",
        "retention/covered-rule-without-period",
        covered(set_(f"{RULE}.period", None), set_(f"{RULE}.criterion", "Until unsubscribed.")),
        covered(),
    ),
    (
        "PR-3-per-customer",
        "retention/per-customer-incomplete",
        per_customer(),
        per_customer(
            set_(f"{RULE}.choices", ["24h", "48h"]), set_(f"{NOTE}.customer_field", "contact_id")
        ),
    ),
    (
        "RT-2-anonymise",
        "retention/anonymise-cannot-run",
        anonymised("hash"),
        anonymised("null"),
    ),
    (
        "RT-2-archive",
        "retention/archive-unusable",
        archived(NOTE_FIELDS[:2]),
        archived(NOTE_FIELDS),
    ),
    (
        "PR-3-account",
        "retention/customer-without-account",
        processor(None),
        processor("1001"),
    ),
]


# --- RT-1: a rule on a missing column or a column of the wrong type fails at check time -------


def test_RT_1_missing_column_names_the_collection_the_field_and_what_exists() -> None:
    found = findings_of(
        "retention/column-not-found", covered(set_(f"{NOTE}.retention_from", "completd_at"))
    )
    assert [f.path for f in found] == [
        ("systems", 0, "datasets", 0, "collections", 1, "retention_from")
    ]
    message = found[0].message
    assert "crm_db.note has no field 'completd_at'" in message
    assert "id, contact_id, body, created_at" in message
    assert found[0].severity == "error"


def test_RT_1_wrong_type_says_what_the_column_is_declared_as() -> None:
    edit = covered(add(f"{NOTE}.fields", {"name": "sent", "type": "integer"}))
    found = findings_of(
        "retention/time-column-not-a-date", edit, set_(f"{NOTE}.retention_from", "sent")
    )
    assert len(found) == 1
    assert "declared integer, not a date or datetime" in found[0].message
    assert "type: datetime" in found[0].hint


@pytest.mark.parametrize("declared", ["date", "datetime", "timestamp", "TIMESTAMP WITH TIME ZONE"])
def test_RT_1_each_time_type_is_accepted(declared: str) -> None:
    edit = covered(set_(f"{NOTE}.fields.3.type", declared))
    assert findings_of("retention/time-column-not-a-date", edit) == []


def test_RT_1_a_parent_column_needs_a_reference_to_the_parent() -> None:
    edit = both(
        add(f"{CONTACT}.fields", CREATED),
        set_(f"{CONTACT}.retention_from", "note.created_at"),
        set_(f"{RULE}.covers", {"collections": ["crm_db.contact"]}),
    )
    found = findings_of("retention/column-not-found", covered(), edit)
    assert [f.message for f in found] == [
        "retention_from 'note.created_at': no reference from crm_db.contact to collection 'note'"
    ]


def test_RT_1_a_parent_column_through_a_reference_is_accepted() -> None:
    edit = both(
        add(f"{CONTACT}.fields", CREATED),
        set_(f"{NOTE}.retention_from", "contact.created_at"),
    )
    findings = run_checks_of(covered(edit))
    assert [f for f in findings if f.rule.startswith("retention/")] == []


def test_RT_1_missing_column_is_reported_at_its_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "programme"
    shutil.copytree(MINIMAL, folder)
    systems = folder / "systems.yml"
    text = systems.read_text(encoding="utf-8").replace(
        "          - name: note\n",
        "          - name: note\n            retention_from: completed_at\n",
    )
    systems.write_text(text, encoding="utf-8")
    retention = folder / "purposes.yml"
    rules = retention.read_text(encoding="utf-8").replace(
        "trigger: last_contact}",
        "trigger: last_contact, covers: {collections: [crm_db.note]}}",
    )
    retention.write_text(rules, encoding="utf-8")
    found = [f for f in run_checks(load(folder), today=TODAY) if f.rule.startswith("retention/")]
    assert [f.rule for f in found] == ["retention/column-not-found"]
    assert found[0].location is not None
    assert found[0].location.source.endswith("systems.yml")
    line = text.splitlines().index("            retention_from: completed_at") + 1
    assert found[0].location.line == line


# --- what else keeps a rule from being swept --------------------------------------------------


def test_RT_2_anonymise_names_the_field_and_the_strategies_to_choose() -> None:
    found = findings_of("retention/anonymise-cannot-run", anonymised("random"))
    assert len(found) == 1
    assert "crm_db.note.body is erased with strategy 'random'" in found[0].message
    assert "masking: null" in found[0].hint and "masking: fixed" in found[0].hint


def test_RT_2_anonymise_with_null_on_a_required_field_is_refused() -> None:
    edit = both(anonymised("null"), set_(f"{NOTE}.fields.2.nullable", False))
    found = findings_of("retention/anonymise-cannot-run", edit)
    assert ["nullable: false" in f.message for f in found] == [True]


def test_RT_2_anonymise_never_touches_keys_so_a_keys_only_collection_has_nothing_to_do() -> None:
    edit = both(anonymised("null"), set_(f"{NOTE}.fields.2.data_categories", []))
    found = findings_of("retention/anonymise-cannot-run", edit)
    assert len(found) == 1 and "no personal field" in found[0].message


def test_RT_2_archive_lists_the_missing_columns() -> None:
    found = findings_of("retention/archive-unusable", archived(NOTE_FIELDS[:2]))
    assert len(found) == 1
    assert found[0].message.endswith("lacks columns of crm_db.note: body, created_at")


def test_RT_2_archive_without_archive_to_is_refused() -> None:
    edit = covered(set_(f"{RULE}.action", "archive"))
    found = findings_of("retention/archive-unusable", edit)
    assert len(found) == 1 and "names no archive_to" in found[0].message


def test_RT_2_covered_categories_and_purposes_reach_their_collections() -> None:
    by_category = covered(covers={"categories": ["user.contact"]})
    found = findings_of("retention/covered-collection-without-time-column", by_category)
    assert [f.path for f in found] == [("systems", 0, "datasets", 0, "collections", 0)]
    by_purpose = covered(covers={"purposes": ["newsletter"]})
    found = findings_of("retention/covered-collection-without-time-column", by_purpose)
    assert [f.path for f in found] == [("systems", 0, "datasets", 0, "collections", 0)]


def test_RT_2_two_rules_covering_one_collection_report_it_once() -> None:
    edit = covered(
        set_(f"{NOTE}.retention_from", None),
        set_("retention.0.covers", {"collections": ["crm_db.note"]}),
    )
    assert len(findings_of("retention/covered-collection-without-time-column", edit)) == 1


def test_RT_1_rules_without_covers_are_not_checked_for_sweeps() -> None:
    findings = run_checks_of(set_(f"{NOTE}.retention_from", "nowhere"))
    assert [f for f in findings if f.rule.startswith("retention/")] == []


# --- hostile input: clear findings, never an exception ----------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "created_at; DROP TABLE note --",
        "note.created_at' OR '1'='1",
        "contact.",
        ".created_at",
        "a" * 200,
        "contact.id.extra.parts",
    ],
)
def test_RT_1_hostile_retention_from_is_a_finding(value: str) -> None:
    found = findings_of(
        "retention/column-not-found", covered(set_(f"{NOTE}.retention_from", value))
    )
    assert len(found) == 1
    assert found[0].message.startswith("retention_from ")


@pytest.mark.parametrize("address", ["crm_db", "crm_db.note.id", "'; DELETE FROM note", "x" * 150])
def test_RT_2_hostile_covered_collection_is_a_finding(address: str) -> None:
    found = findings_of("retention/covers-unknown", covered(covers={"collections": [address]}))
    assert len(found) == 1 and "which no dataset declares" in found[0].message


def test_RT_2_unknown_purpose_and_category_are_findings() -> None:
    edit = covered(covers={"purposes": ["nope"], "categories": ["user.nope"]})
    found = findings_of("retention/covers-unknown", edit)
    assert sorted(f.path[-2] for f in found) == ["categories", "purposes"]
