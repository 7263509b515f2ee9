"""NT-1: which programme changes are material (notify in advance) and which are editorial."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutela.programme.loader import load_programme
from tutela.programme.models import Programme, RetentionRule
from tutela.statement.versions.diff import Change, diff_programmes, statement_warnings
from tutela.statement.versions.materiality import compare_retention

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
BASE = load_programme(MINIMAL)

Data = dict[str, Any]
Mutation = Callable[[Data], None]


def variant(*mutations: Mutation, base: Programme = BASE) -> Programme:
    data = base.model_dump(mode="json")
    for mutate in mutations:
        mutate(data)
    return Programme.model_validate(data)


def keyed(data: Data, section: str, key: str) -> Data:
    found: Data = next(item for item in data[section] if item["key"] == key)
    return found


def contact_fields(data: Data) -> list[Data]:
    fields: list[Data] = keyed(data, "systems", "crm")["datasets"][0]["collections"][0]["fields"]
    return fields


def change_at(changes: list[Change], element: str) -> Change:
    found = [change for change in changes if change.element == element]
    assert found, f"no change at {element}; got {[c.element for c in changes]}"
    return found[0]


# --- mutations -----------------------------------------------------------------------------


def add_purpose(d: Data) -> None:
    d["purposes"].append(
        {
            "key": "analytics",
            "name": "Website analytics",
            "description": "Measure how visitors use the website.",
            "legal_basis": "consent",
            "categories": ["user.device.cookie_id"],
        }
    )


def add_purpose_category(d: Data) -> None:
    keyed(d, "purposes", "newsletter")["categories"].append("user.name")


def add_dataset_category(d: Data) -> None:
    contact_fields(d).append({"name": "phone", "data_categories": ["user.contact.phone_number"]})


def add_field_category(d: Data) -> None:
    contact_fields(d)[0]["data_categories"] = ["user.unique_id"]


def add_extension(d: Data) -> None:
    d["categories"].append({"key": "user.licence_key", "name": "Licence key", "parent": "user"})


def add_us_recipient(d: Data) -> None:
    d["recipients"].append(
        {"key": "stripe", "name": "Stripe", "kind": "processor", "countries": ["US"]}
    )


def add_recipient_country(d: Data) -> None:
    keyed(d, "recipients", "hosting")["countries"].append("IE")


def consent_to_legitimate_interest(d: Data) -> None:
    purpose = keyed(d, "purposes", "newsletter")
    purpose["legal_basis"] = "legitimate_interests"
    purpose["consent"] = None


def drop_consent_notice(d: Data) -> None:
    keyed(d, "purposes", "newsletter")["consent"] = None


def retention_period(period: str | None, criterion: str | None = None) -> Mutation:
    def mutate(d: Data) -> None:
        rule = keyed(d, "retention", "two_years")
        rule["period"], rule["criterion"] = period, criterion

    return mutate


def newsletter_retention(key: str) -> Mutation:
    def mutate(d: Data) -> None:
        keyed(d, "purposes", "newsletter")["retention"] = key

    return mutate


def profiling(**flags: bool) -> Mutation:
    def mutate(d: Data) -> None:
        keyed(d, "purposes", "supply_services")["profiling"] = {"logic": "Score leads.", **flags}

    return mutate


def safeguard(mechanism: str, **extra: Any) -> Mutation:
    def mutate(d: Data) -> None:
        recipient = keyed(d, "recipients", "hosting")
        recipient["countries"] = ["US"]
        recipient["safeguard"] = {"mechanism": mechanism, **extra}

    return mutate


def dpf(certified: bool) -> Mutation:
    def mutate(d: Data) -> None:
        recipient = keyed(d, "recipients", "hosting")
        recipient["countries"], recipient["dpf_certified"] = ["US"], certified
        recipient["safeguard"] = {"mechanism": "adequacy"}

    return mutate


def add_source(kind: str) -> Mutation:
    def mutate(d: Data) -> None:
        d["sources"].append({"key": "extra", "name": "Enrichment vendor", "kind": kind})
        keyed(d, "purposes", "supply_services")["sources"].append("extra")

    return mutate


def host_crm_in(country: str) -> Mutation:
    def mutate(d: Data) -> None:
        keyed(d, "systems", "crm")["hosting_country"] = country

    return mutate


def add_cookie(category: str) -> Mutation:
    def mutate(d: Data) -> None:
        d["cookies"].append(
            {"name": "_ga", "provider": "Google", "category": category, "duration": "2y"}
        )

    return mutate


SCC = {
    "mechanism": "scc",
    "scc_module": "M2",
    "tia": {"reference": "TIA-1", "assessed_on": "2026-01-01"},
}

# --- material changes --------------------------------------------------------------------------

MATERIAL: list[tuple[str, list[Mutation], list[Mutation], str, str]] = [
    ("new_purpose", [], [add_purpose], "purposes[analytics]", "new purpose"),
    (
        "purpose_category",
        [],
        [add_purpose_category],
        "purposes[newsletter].categories[user.name]",
        "new data category",
    ),
    (
        "dataset_category",
        [],
        [add_dataset_category],
        "systems[crm].datasets[crm_db].collections[contact].fields[phone]",
        "user.contact.phone_number",
    ),
    (
        "field_category",
        [],
        [add_field_category],
        "systems[crm].datasets[crm_db].collections[contact].fields[id].data_categories[user.unique_id]",
        "new data category",
    ),
    ("extension_category", [], [add_extension], "categories[user.licence_key]", "extensions"),
    ("new_recipient", [], [add_us_recipient], "recipients[stripe]", "new transfer to US"),
    (
        "recipient_country",
        [],
        [add_recipient_country],
        "recipients[hosting].countries[IE]",
        "new country",
    ),
    (
        "legal_basis",
        [],
        [consent_to_legitimate_interest],
        "purposes[newsletter].legal_basis",
        "loses consent",
    ),
    ("consent_lost", [], [drop_consent_notice], "purposes[newsletter].consent", "consent"),
    ("longer_retention", [], [retention_period("3y")], "retention[two_years].period", "longer"),
    (
        "vague_retention",
        [],
        [retention_period(None, "As long as we need it.")],
        "retention[two_years].period",
        "cannot be compared",
    ),
    (
        "longer_retention_rule",
        [],
        [newsletter_retention("contract_plus_7y")],
        "purposes[newsletter].retention",
        "longer",
    ),
    (
        "new_profiling",
        [],
        [profiling(profiling=True)],
        "purposes[supply_services].profiling",
        "profiling",
    ),
    (
        "automated_decision",
        [profiling(profiling=True)],
        [profiling(profiling=True, automated_decision=True)],
        "purposes[supply_services].profiling.automated_decision",
        "switched on",
    ),
    (
        "weaker_safeguard",
        [safeguard(**SCC)],
        [safeguard("derogation", derogation="explicit consent")],
        "recipients[hosting].safeguard.mechanism",
        "scc → derogation",
    ),
    ("lapsed_dpf", [dpf(True)], [dpf(False)], "recipients[hosting].dpf_certified", "weaker"),
    ("third_party_source", [], [add_source("third_party")], "sources[extra]", "third party"),
    (
        "third_party_source_in_purpose",
        [],
        [add_source("third_party")],
        "purposes[supply_services].sources[extra]",
        "third party",
    ),
    ("transfer_by_hosting", [], [host_crm_in("US")], "systems[crm].hosting_country", "transfer"),
    ("consent_cookie", [], [add_cookie("statistics")], "cookies[_ga]", "consent"),
]


@pytest.mark.parametrize(
    ("old_mutations", "new_mutations", "element", "reason"),
    [case[1:] for case in MATERIAL],
    ids=[case[0] for case in MATERIAL],
)
def test_NT_1_material_change(
    old_mutations: list[Mutation], new_mutations: list[Mutation], element: str, reason: str
) -> None:
    changes = diff_programmes(variant(*old_mutations), variant(*old_mutations, *new_mutations))
    change = change_at(changes, element)
    assert change.material, change
    assert reason in change.reason


# --- editorial changes ---------------------------------------------------------------------


def reword_purpose(d: Data) -> None:
    keyed(d, "purposes", "supply_services")["description"] = "Deliver and invoice our services."


def rename_recipient(d: Data) -> None:
    keyed(d, "recipients", "hosting")["name"] = "Example Cloud AG"


def new_statement_version(d: Data) -> None:
    d["statement"]["version"] = "1.1"
    d["statement"]["effective_date"] = "2026-06-01"


def shorter_retention(d: Data) -> None:
    keyed(d, "retention", "contract_plus_7y")["period"] = "5y"


def remove_recipient(d: Data) -> None:
    d["recipients"] = []


def remove_purpose(d: Data) -> None:
    d["purposes"] = [p for p in d["purposes"] if p["key"] != "newsletter"]


def move_category_out_of_note(d: Data) -> None:
    collection = keyed(d, "systems", "crm")["datasets"][0]["collections"][1]
    collection["fields"][2]["data_categories"] = []


def add_known_category_field(d: Data) -> None:
    contact_fields(d).append({"name": "alt_email", "data_categories": ["user.contact.email"]})


EDITORIAL: list[tuple[str, list[Mutation], list[Mutation], str, str]] = [
    (
        "wording",
        [],
        [reword_purpose],
        "purposes[supply_services].description",
        "wording",
    ),
    ("name", [], [rename_recipient], "recipients[hosting].name", "wording"),
    ("statement_metadata", [], [new_statement_version], "statement.version", "metadata"),
    (
        "shorter_retention",
        [],
        [shorter_retention],
        "retention[contract_plus_7y].period",
        "shorter",
    ),
    ("removed_recipient", [], [remove_recipient], "recipients[hosting]", "removed"),
    ("removed_purpose", [], [remove_purpose], "purposes[newsletter]", "removed"),
    (
        "category_already_held",
        [],
        [add_known_category_field],
        "systems[crm].datasets[crm_db].collections[contact].fields[alt_email]",
        "already held",
    ),
    (
        "removed_dataset_category",
        [],
        [move_category_out_of_note],
        "systems[crm].datasets[crm_db].collections[note].fields[body].data_categories[user.name]",
        "removed",
    ),
    (
        "safeguard_not_weaker",
        [dpf(True)],
        [safeguard(**SCC)],
        "recipients[hosting].safeguard.mechanism",
        "not weaker",
    ),
    ("subject_source", [], [add_source("subject")], "sources[extra]", "not a third party"),
    ("hosting_inside_eea", [], [host_crm_in("FR")], "systems[crm].hosting_country", "EEA"),
    ("necessary_cookie", [], [add_cookie("necessary")], "cookies[_ga]", "necessary"),
    (
        "profiling_switched_off",
        [profiling(profiling=True)],
        [profiling(profiling=False)],
        "purposes[supply_services].profiling.profiling",
        "switched off",
    ),
]


@pytest.mark.parametrize(
    ("old_mutations", "new_mutations", "element", "reason"),
    [case[1:] for case in EDITORIAL],
    ids=[case[0] for case in EDITORIAL],
)
def test_NT_1_editorial_change(
    old_mutations: list[Mutation], new_mutations: list[Mutation], element: str, reason: str
) -> None:
    changes = diff_programmes(variant(*old_mutations), variant(*old_mutations, *new_mutations))
    change = change_at(changes, element)
    assert not change.material, change
    assert reason in change.reason


def test_NT_1_identical_programmes_have_no_changes() -> None:
    assert diff_programmes(BASE, load_programme(MINIMAL)) == []


def test_NT_1_reordering_lists_is_no_change() -> None:
    def reverse(d: Data) -> None:
        d["purposes"].reverse()
        keyed(d, "purposes", "supply_services")["categories"].reverse()

    assert diff_programmes(BASE, variant(reverse)) == []


def test_NT_1_change_records_before_and_after() -> None:
    changes = diff_programmes(BASE, variant(consent_to_legitimate_interest))
    change = change_at(changes, "purposes[newsletter].legal_basis")
    assert (change.kind, change.before, change.after) == (
        "changed",
        "consent",
        "legitimate_interests",
    )
    assert change.as_dict()["material"] is True


def test_NT_1_removed_purpose_is_listed_with_its_name() -> None:
    change = change_at(diff_programmes(BASE, variant(remove_purpose)), "purposes[newsletter]")
    assert (change.kind, change.before, change.after) == ("removed", "Newsletter", None)


def test_NT_1_same_version_with_changes_is_warned() -> None:
    new = variant(reword_purpose)
    warnings = statement_warnings(BASE, new, diff_programmes(BASE, new))
    assert any("keeps version '1.0'" in warning for warning in warnings)


def test_NT_1_new_version_without_material_entry_is_warned() -> None:
    new = variant(new_statement_version, add_purpose)
    warnings = statement_warnings(BASE, new, diff_programmes(BASE, new))
    assert len(warnings) == 1
    assert "does not mark it material" in warnings[0]


def test_NT_1_new_version_with_material_entry_has_no_warning() -> None:
    def log_entry(d: Data) -> None:
        d["statement"]["change_log"].append(
            {"version": "1.1", "date": "2026-06-01", "summary": "Analytics.", "material": True}
        )

    new = variant(new_statement_version, log_entry, add_purpose)
    assert statement_warnings(BASE, new, diff_programmes(BASE, new)) == []


def rule(
    period: str | None, criterion: str | None = None, trigger: str = "collection"
) -> RetentionRule:
    return RetentionRule(key="r", name="R", period=period, criterion=criterion, trigger=trigger)


@pytest.mark.parametrize(
    ("old", "new", "material"),
    [
        (rule("24h"), rule("48h"), True),
        (rule("48h"), rule("24h"), False),
        (rule("30d"), rule("1m"), False),
        (rule("2y"), rule(None, "Until the contract ends."), True),
        (rule(None, "Until the contract ends."), rule("2y"), True),
        (rule("2y"), rule("2y", trigger="contract_end"), True),
        (rule("2y"), None, True),
        (None, rule("2y"), False),
    ],
)
def test_NT_1_retention_comparison(
    old: RetentionRule | None, new: RetentionRule | None, material: bool
) -> None:
    assert compare_retention(old, new)[0] is material


# --- invariants ------------------------------------------------------------------------------

COMPATIBLE: list[tuple[Mutation, bool]] = [
    (add_purpose, True),
    (add_purpose_category, True),
    (add_dataset_category, True),
    (add_extension, True),
    (add_us_recipient, True),
    (add_recipient_country, True),
    (consent_to_legitimate_interest, True),
    (retention_period("3y"), True),
    (profiling(profiling=True), True),
    (add_source("third_party"), True),
    (host_crm_in("US"), True),
    (reword_purpose, False),
    (shorter_retention, False),
    (rename_recipient, False),
    (new_statement_version, False),
]


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=len(COMPATIBLE) - 1), min_size=1))
def test_NT_1_diff_invariants(chosen: set[int]) -> None:
    new = variant(*(COMPATIBLE[index][0] for index in sorted(chosen)))
    forward, backward = diff_programmes(BASE, new), diff_programmes(new, BASE)
    assert diff_programmes(new, new) == []
    assert {c.element for c in forward if c.kind == "added"} == {
        c.element for c in backward if c.kind == "removed"
    }
    assert {c.element for c in forward if c.kind == "changed"} == {
        c.element for c in backward if c.kind == "changed"
    }
    expects_material = any(COMPATIBLE[index][1] for index in chosen)
    assert any(change.material for change in forward) is expects_material
