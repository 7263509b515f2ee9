"""Assumption paths: what they name, where it is written, and clear errors for bad paths.

An assumption marks a fact the programme states where its source is silent, so a person
confirms it (accountability, GDPR Art. 5(2); accuracy, Art. 5(1)(d)).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutela.programme.assumption_list import list_assumptions, show
from tutela.programme.assumptions import AssumptionPathError, parse_path, resolve
from tutela.programme.loader import LoadedProgramme, load

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
EXAMPLE = ROOT / "examples" / "cloudockit"


@cache
def minimal() -> LoadedProgramme:
    return load(MINIMAL)


@cache
def example() -> LoadedProgramme:
    return load(EXAMPLE)


def line_of(loaded: LoadedProgramme, path: str) -> tuple[str, int | None]:
    found = resolve(loaded.programme, path)
    where = loaded.locate(*found.model_path)
    assert where is not None
    return Path(where.source).name, where.line


@pytest.mark.parametrize(
    ("path", "value", "element"),
    [
        ("retention.two_years.period", "2y", "retention[two_years].period"),
        ("recipients.hosting.countries", ["DE"], "recipients[hosting].countries"),
        ("recipients.hosting.countries.DE", "DE", "recipients[hosting].countries[DE]"),
        ("recipients.hosting.countries.0", "DE", "recipients[hosting].countries[DE]"),
        ("systems.crm.hosting_country", "DE", "systems[crm].hosting_country"),
        ("organisation.establishment_country", "BE", "organisation.establishment_country"),
        ("organisation.dpo.email", "dpo@example.test", "organisation.dpo.email"),
        ("statement.change_log[1.0].date", "2026-01-15", "statement.change_log[1.0].date"),
        ("statement.change_log.1.0.date", "2026-01-15", "statement.change_log[1.0].date"),
        ("purposes.1.legal_basis", "consent", "purposes[newsletter].legal_basis"),
        ("purposes[newsletter].retention", "two_years", "purposes[newsletter].retention"),
        ("organisation.eu_representative", None, "organisation.eu_representative"),
    ],
)
def test_art5_2_path_names_a_value(path: str, value: object, element: str) -> None:
    found = resolve(minimal().programme, path)
    assert found.value == value
    assert found.element == element


def test_art5_2_path_gives_the_file_and_line_of_the_value() -> None:
    file, line = line_of(minimal(), "retention.two_years.period")
    text = (MINIMAL / file).read_text(encoding="utf-8").splitlines()
    assert line is not None and "two_years" in text[line - 1]


def test_art5_2_keys_with_dots_match_the_longest_key() -> None:
    programme = example().programme
    found = resolve(programme, "categories.user.professional.name")
    assert found.element == "categories[user.professional].name"
    found = resolve(programme, "purposes.analytics.categories.user.device.cookie_id")
    assert found.value == "user.device.cookie_id"


def test_art5_2_brackets_hold_keys_that_start_with_a_dot() -> None:
    found = resolve(example().programme, "cookies[.AspNetCore.Cookies].duration")
    assert found.value == "session"
    assert found.element == "cookies[.AspNetCore.Cookies].duration"


def test_art5_2_a_whole_section_or_item_resolves_to_its_data() -> None:
    found = resolve(minimal().programme, "recipients.hosting")
    assert found.value["key"] == "hosting"
    assert show(found.value).startswith('{"key": "hosting"')


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("", "the path is empty"),
        ("   ", "the path is empty"),
        (".", "starts with a `.`"),
        ("..", "starts with a `.`"),
        (".retention", "starts with a `.`"),
        ("retention.", "ends with a `.`"),
        ("retention..two_years", "empty step"),
        ("retention[", "never closed"),
        ("retention[]", "empty brackets"),
        ("retention]two_years", "closes no `[`"),
        ("retention[two_years]period", "closes no `[`"),
        ("[retention].x", "starts with `[`"),
        ("retention.two_years\n.period", "control character"),
        ("x" * 501, "at most 500"),
        (".".join(["a"] * 65), "at most 64"),
        ("nowhere", "no section `nowhere`"),
        ("organisaton.legal_name", "no section `organisaton`"),
        ("retention.three_years.period", "has no item `three_years`"),
        ("retention.99.period", "has no item `99`"),
        ("retention.²", "has no item `²`"),
        ("retention.-1", "has no item `-1`"),
        ("retention.two_years.period.unit", "is a value"),
        ("retention.two_years.colour", "has no field `colour`"),
        ("recipients.hosting.safeguard.tia", "is not set"),
        ("organisation.dpo.name.first", "is a value"),
        ("cookies.anything", "empty list"),
    ],
)
def test_art5_2_hostile_path_is_a_clear_error(path: str, message: str) -> None:
    with pytest.raises(AssumptionPathError) as raised:
        resolve(minimal().programme, path)
    assert message in raised.value.message
    assert raised.value.hint


def test_art5_2_error_suggests_a_close_name() -> None:
    with pytest.raises(AssumptionPathError) as raised:
        resolve(minimal().programme, "organisaton.legal_name")
    assert "did you mean `organisation`" in raised.value.hint


def test_art5_2_error_names_the_items_that_exist() -> None:
    with pytest.raises(AssumptionPathError) as raised:
        resolve(minimal().programme, "retention.three_years")
    assert "`contract_plus_7y`" in raised.value.hint and "`two_years`" in raised.value.hint


def test_art5_2_huge_path_message_stays_short() -> None:
    with pytest.raises(AssumptionPathError) as raised:
        resolve(minimal().programme, "retention." + "k" * 400)
    assert len(raised.value.message) < 200


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_art5_2_any_text_resolves_or_is_an_assumption_path_error(path: str) -> None:
    try:
        resolve(minimal().programme, path)
    except AssumptionPathError as error:
        assert error.message


def test_art5_2_parse_path_keeps_brackets_literal() -> None:
    steps = parse_path("cookies[a.b].duration")
    assert [(s.text, s.bracketed) for s in steps] == [
        ("cookies", False),
        ("a.b", True),
        ("duration", False),
    ]


# --- the Cloudockit example ----------------------------------------------------------------


def test_art5_2_every_assumption_of_the_example_resolves() -> None:
    listed = list_assumptions(example())
    assert listed, "examples/cloudockit states no assumptions"
    unresolved = [(item.path, item.problem) for item in listed if item.problem]
    assert unresolved == []
    assert all(item.value_at is not None for item in listed)
    assert all(Path(item.declared_at.source).name == "assumptions.yml" for item in listed)


def marked() -> set[str]:
    return {item.element for item in list_assumptions(example()) if item.element}


def test_art5_2_example_marks_every_fact_the_seed_does_not_give() -> None:
    """The seed gives no hosting country, recipient country, TIA, DPF date or retention period.

    Only the scan data's 24 or 48 hours come from it (seed §9); every other such value of
    the example is an assumption. A new one must be added to examples/cloudockit/assumptions.yml.
    """
    programme = example().programme
    wanted = {f"systems[{s.key}].hosting_country" for s in programme.systems}
    wanted |= {f"retention[{r.key}].period" for r in programme.retention if r.period}
    for recipient in programme.recipients:
        wanted.add(f"recipients[{recipient.key}].countries")
        if recipient.dpf_expires:
            wanted.add(f"recipients[{recipient.key}].dpf_expires")
        if recipient.safeguard and recipient.safeguard.tia:
            wanted.add(f"recipients[{recipient.key}].safeguard.tia")
    for purpose in programme.purposes:
        if purpose.legitimate_interest and purpose.legitimate_interest.assessed_on:
            wanted.add(f"purposes[{purpose.key}].legitimate_interest.assessed_on")
    wanted |= {f"cookies[{c.name}].duration" for c in programme.cookies}
    missing = sorted(wanted - marked())
    assert missing == [], f"add these to examples/cloudockit/assumptions.yml: {missing}"


def test_art5_2_example_notes_say_why() -> None:
    for item in list_assumptions(example()):
        assert len(item.note) > 30, item.path
