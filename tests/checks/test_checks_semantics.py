"""The finer points of the check rules, each proved on a small YAML programme.

Each test copies tests/fixtures/minimal into tmp_path, adds or patches one file, loads it
through the real loader and runs the checks with a fixed ``today``.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from tutela.checks import Finding, run_checks
from tutela.programme.loader import load

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
TODAY = date(2026, 11, 24)


def programme(tmp_path: Path, extra: str = "", **patches: tuple[str, str]) -> Path:
    """Copy the minimal programme, add ``extra.yml`` and apply (old, new) text patches."""
    root = tmp_path / "programme"
    shutil.copytree(MINIMAL, root)
    if extra:
        (root / "extra.yml").write_text(extra, encoding="utf-8")
    for name, (old, new) in patches.items():
        patch(root, name, old, new)
    return root


def patch(root: Path, name: str, old: str, new: str) -> None:
    """Replace ``old`` (which must occur) by ``new`` in ``name``.yml of the programme."""
    file = root / f"{name}.yml"
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}.yml"
    file.write_text(text.replace(old, new), encoding="utf-8")


def rule_ids(root: Path, today: date = TODAY) -> set[str]:
    return {f.rule for f in run_checks(load(root), today=today)}


def findings(root: Path, rule_id: str, today: date = TODAY) -> list[Finding]:
    return [f for f in run_checks(load(root), today=today) if f.rule == rule_id]


def recipient(country: str, extra: str = "") -> str:
    return f"""
recipients:
  - key: vendor
    name: Vendor Inc.
    kind: processor
    purposes: [supply_services]
    countries: [{country}]
{extra}"""


LI_WITH_CONSENT = """legal_basis: legitimate_interests
    legitimate_interest:
      interest: Tell existing customers about similar products.
      necessity: E-mail is the channel customers gave us.
      balancing: Customers expect it and can opt out in every message.
    consent:"""

PROCESSOR_ROLE = """role: processor
    controller: The customer
    dpa: {reference: DPA-1, terms: [documented_instructions]}"""

TRANSFER_RULES = {
    "transfers/no-safeguard",
    "transfers/adequacy-not-available",
    "transfers/us-adequacy-without-dpf",
    "transfers/no-tia",
}


@pytest.mark.parametrize("country", ["IS", "LI", "NO", "FR", "GR"])
def test_TR_1_eea_countries_are_not_third_countries(tmp_path: Path, country: str) -> None:
    assert not rule_ids(programme(tmp_path, recipient(country))) & TRANSFER_RULES


@pytest.mark.parametrize("country", ["CH", "JP", "GB", "NZ", "KR", "CA", "BR"])
def test_TR_2_adequate_country_needs_no_safeguard(tmp_path: Path, country: str) -> None:
    assert not rule_ids(programme(tmp_path, recipient(country))) & TRANSFER_RULES


def test_TR_2_uk_adequacy_lapses_after_its_end_date(tmp_path: Path) -> None:
    root = programme(tmp_path, recipient("GB"))
    assert "transfers/no-safeguard" not in rule_ids(root, today=date(2031, 12, 27))
    lapsed = findings(root, "transfers/no-safeguard", today=date(2031, 12, 28))
    assert len(lapsed) == 1
    assert "lapsed" in lapsed[0].message


def test_TR_3_us_without_safeguard_or_dpf_has_no_transfer_tool(tmp_path: Path) -> None:
    found = findings(programme(tmp_path, recipient("US")), "transfers/no-safeguard")
    assert len(found) == 1
    assert "DPF" in found[0].message and "'vendor'" in found[0].message


def test_TR_3_us_adequacy_without_dpf_is_flagged(tmp_path: Path) -> None:
    root = programme(tmp_path, recipient("US", "    safeguard: {mechanism: adequacy}\n"))
    assert "transfers/us-adequacy-without-dpf" in rule_ids(root)


def test_TR_3_dpf_certified_without_expiry_date_is_flagged(tmp_path: Path) -> None:
    root = programme(tmp_path, recipient("US", "    dpf_certified: true\n"))
    ids = rule_ids(root)
    assert "transfers/us-adequacy-without-dpf" in ids
    assert "transfers/no-safeguard" not in ids


def test_TR_3_dpf_certified_with_expiry_passes(tmp_path: Path) -> None:
    extra = "    dpf_certified: true\n    dpf_expires: 2027-05-01\n"
    assert not rule_ids(programme(tmp_path, recipient("US", extra))) & TRANSFER_RULES


def test_TR_3_us_importer_on_sccs_needs_no_dpf(tmp_path: Path) -> None:
    extra = """    safeguard:
      mechanism: scc
      scc_module: M2
      tia: {reference: TIA-1, assessed_on: 2026-02-01, review_on: 2027-02-01}
"""
    assert not rule_ids(programme(tmp_path, recipient("US", extra))) & TRANSFER_RULES


def test_TR_5_no_tia_needed_for_an_adequate_destination(tmp_path: Path) -> None:
    extra = "    safeguard: {mechanism: scc, scc_module: M2}\n"
    assert "transfers/no-tia" not in rule_ids(programme(tmp_path, recipient("JP", extra)))


def test_TR_5_tia_review_is_judged_against_the_given_today(tmp_path: Path) -> None:
    extra = """    safeguard:
      mechanism: bcr
      tia: {reference: TIA-1, assessed_on: 2025-02-01, review_on: 2026-02-01}
"""
    root = programme(tmp_path, recipient("IN", extra))
    assert "transfers/tia-review-overdue" not in rule_ids(root, today=date(2026, 2, 1))
    overdue = findings(root, "transfers/tia-review-overdue", today=date(2026, 2, 2))
    assert [f.severity for f in overdue] == ["warning"]


def test_MK_1_soft_opt_in_only_with_legitimate_interests(tmp_path: Path) -> None:
    root = programme(tmp_path, purposes=("legal_basis: consent", "legal_basis: contract"))
    patch(root, "purposes", "direct_marketing: {", "direct_marketing: {soft_opt_in: true, ")
    assert "marketing/basis-not-consent-or-soft-opt-in" in rule_ids(root)
    patch(root, "purposes", "legal_basis: contract\n    consent:", LI_WITH_CONSENT)
    assert "marketing/basis-not-consent-or-soft-opt-in" not in rule_ids(root)


def test_MK_2_marketing_data_use_without_block_needs_unsubscribe(tmp_path: Path) -> None:
    root = programme(
        tmp_path,
        purposes=(
            "    direct_marketing: {channels: [email], unsubscribe: "
            "One-click unsubscribe link in every e-mail.}\n",
            "",
        ),
    )
    found = findings(root, "marketing/no-unsubscribe")
    assert len(found) == 1 and "'newsletter'" in found[0].message


def test_art9_programme_category_marked_special_needs_a_condition(tmp_path: Path) -> None:
    extra = """
categories:
  - {key: user.union_membership, name: Union membership, parent: user, special: true}
"""
    root = programme(
        tmp_path,
        extra,
        purposes=(
            "categories: [user.contact.email, user.name]",
            "categories: [user.contact.email, user.name, user.union_membership]",
        ),
    )
    assert "lawfulness/special-category-without-condition" in rule_ids(root)


def test_AC_1_reference_direction_decides_what_an_identity_reaches(tmp_path: Path) -> None:
    to_contact = programme(
        tmp_path / "to",
        systems=("references: [{to: contact.id}]", "references: [{to: contact.id, direction: to}]"),
    )
    from_contact = programme(
        tmp_path / "from",
        systems=(
            "references: [{to: contact.id}]",
            "references: [{to: contact.id, direction: from}]",
        ),
    )
    assert "requests/unreachable-data" in rule_ids(to_contact)
    assert "requests/unreachable-data" not in rule_ids(from_contact)


def test_AC_1_references_across_datasets_reach_other_systems(tmp_path: Path) -> None:
    extra = """
systems:
  - key: billing
    name: Billing
    owner: Finance
    hosting_country: BE
    purposes: [supply_services]
    datasets:
      - key: billing_db
        name: Billing database
        collections:
          - name: invoice
            fields:
              - {name: id, primary_key: true}
              - {name: contact_id, references: [{to: crm_db.contact.id}]}
              - {name: billed_to, data_categories: [user.name]}
"""
    assert "requests/unreachable-data" not in rule_ids(programme(tmp_path, extra))


def test_PR_1_processor_system_data_serves_the_controllers_purposes(tmp_path: Path) -> None:
    unknown = ("data_categories: [user.name]}", "data_categories: [user.contact.phone_number]}")
    as_controller = programme(tmp_path / "controller", systems=unknown)
    assert "inventory/field-category-without-purpose" in rule_ids(as_controller)
    as_processor = programme(
        tmp_path / "processor",
        systems=("role: controller", PROCESSOR_ROLE),
    )
    patch(as_processor, "systems", *unknown)
    assert "inventory/field-category-without-purpose" not in rule_ids(as_processor)


@pytest.mark.parametrize(
    ("url", "flagged"),
    [
        ("postgresql+psycopg://crm:hunter2@db/crm", True),
        ("mysql+pymysql://db/crm?password=hunter2", True),
        ("postgresql+psycopg://crm@db/crm", False),
        ("sqlite:///var/lib/crm.sqlite", False),
        ("https://api.example.test/v1?token_env=CRM_TOKEN", False),
    ],
)
def test_secrets_connector_url_must_not_hold_a_password(
    tmp_path: Path, url: str, flagged: bool
) -> None:
    root = programme(
        tmp_path, systems=("{type: sql, url_env: TUTELA_CRM_URL}", f"{{type: sql, url: '{url}'}}")
    )
    assert ("secrets/password-in-connector-url" in rule_ids(root)) is flagged


def test_CK_2_necessary_cookie_needs_no_consent(tmp_path: Path) -> None:
    extra = """
cookies:
  - name: session
    provider: Example
    category: necessary
    duration: session
    purpose: supply_services
"""
    ids = rule_ids(programme(tmp_path, extra))
    assert not ids & {"cookies/no-consent-purpose", "cookies/purpose-not-consent"}


def test_findings_point_at_the_file_and_line_of_the_element(tmp_path: Path) -> None:
    root = programme(tmp_path, recipient("IN"))
    (found,) = findings(root, "transfers/no-safeguard")
    assert found.location is not None
    assert Path(found.location.source).name == "extra.yml"
    assert (found.location.line, found.location.column) == (7, 17)
    assert found.path == ("recipients", 0, "countries", 0)


def test_findings_are_sorted_by_file_line_and_rule(tmp_path: Path) -> None:
    root = programme(
        tmp_path,
        recipient("IN") + "  - {key: other, name: Other, kind: processor, countries: [IN]}\n",
    )
    result = run_checks(load(root), today=TODAY)
    assert result == sorted(result, key=Finding.sort_key)
    assert run_checks(load(root), today=TODAY) == result


def test_select_and_ignore_take_rule_ids_and_areas(tmp_path: Path) -> None:
    loaded = load(programme(tmp_path, recipient("IN")))
    only = {f.rule for f in run_checks(loaded, select=["transfers"], today=TODAY)}
    assert only == {"transfers/no-safeguard"}
    assert (
        run_checks(loaded, select=["transfers"], ignore=["transfers/no-safeguard"], today=TODAY)
        == []
    )
