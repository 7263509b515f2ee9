"""The Cloudockit example: the seed privacy statement as a tutela programme.

These tests prove that ``examples/cloudockit`` loads, that it holds the promises of the
seed statement (``/work/shared/seed/000_eec64fa122c1f1f2.txt``), and that the statement
rendered from it covers every section of the seed with the programme's own facts.
Assertions compare facts (names, keys, countries, periods, dates), not wording.
"""

from __future__ import annotations

import calendar
import html
import re
from datetime import date
from pathlib import Path

import pytest

from tutela.checks import run_checks
from tutela.programme.loader import LoadedProgramme, load
from tutela.programme.models import ALL_RIGHTS, LegalBasis, Programme, Purpose
from tutela.statement.build import render_statement

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cloudockit"

ART28_TERMS = {
    "documented_instructions",
    "confidentiality",
    "security",
    "sub_processors",
    "assist_data_subject_requests",
    "assist_security_and_dpia",
    "delete_or_return",
    "audits",
}

EEA = {"BE", "DE", "FR", "IE", "NL"}
COUNTRY_NAMES = {
    "BE": "Belgium",
    "CA": "Canada",
    "DE": "Germany",
    "FR": "France",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "NL": "Netherlands",
    "US": "United States",
}
"""Every country the example's recipients name (a new one must be added here)."""

UNITS = {"h": "hour", "d": "day", "w": "week", "m": "month", "y": "year"}


@pytest.fixture(scope="module")
def loaded() -> LoadedProgramme:
    return load(EXAMPLE)


@pytest.fixture(scope="module")
def programme(loaded: LoadedProgramme) -> Programme:
    return loaded.programme


@pytest.fixture(scope="module")
def sections(programme: Programme) -> dict[str, str]:
    """The rendered HTML statement, as plain text per ``<section id=...>``."""
    page = render_statement(programme, "html")
    found = re.findall(r'<section id="([^"]+)">(.*?)</section>', page, flags=re.DOTALL)
    return {section_id: _plain(body) for section_id, body in found}


def _plain(markup: str) -> str:
    text = re.sub(r"<[^>]+>", " ", markup)
    return _norm(html.unescape(text))


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _mentions(section: str, fact: str) -> bool:
    """True if the plain section text contains ``fact`` (case and spacing ignored)."""
    return _norm(fact).rstrip(".") in section


def _missing(section: str, facts: list[str]) -> list[str]:
    return [fact for fact in facts if not _mentions(section, fact)]


def _in_words(duration: str) -> str:
    match = re.fullmatch(r"(\d+)\s*([a-zA-Z])[a-zA-Z]*", duration.strip())
    assert match, duration
    count, unit = int(match[1]), UNITS[match[2].lower()]
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _long_date(day: date) -> str:
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


# --- the programme itself ------------------------------------------------------------------


def test_example_loads_without_errors(loaded: LoadedProgramme) -> None:
    programme = loaded.programme
    assert programme.organisation.legal_name == "Lansweeper Canada Inc."
    assert loaded.locate("purposes", 0, "legal_basis") is not None
    files = {path.relative_to(EXAMPLE).as_posix() for path in EXAMPLE.rglob("*.yml")}
    expected = {
        "organisation.yml",
        "vocabulary.yml",
        "sources.yml",
        "purposes.yml",
        "retention.yml",
        "recipients.yml",
        "cookies.yml",
        "anonymisation.yml",
        "masking.yml",
    }
    assert expected <= files
    system_files = {name for name in files if name.startswith("systems/")}
    assert len(system_files) == len(programme.systems)


def test_controller_and_establishment_match_the_seed(programme: Programme) -> None:
    organisation = programme.organisation
    assert organisation.registration_number == "1334690-1"
    assert organisation.registered_address.country == "CA"
    assert organisation.registered_address.postal_code == "H2J 2K9"
    assert organisation.privacy_email == "privacy@cloudockit.com"
    postal = organisation.privacy_postal_address
    assert (postal.street, postal.postal_code, postal.city, postal.country) == (
        "Fraterstraat 212",
        "9820",
        "Merelbeke",
        "BE",
    )
    assert organisation.lead_supervisory_authority == "BE"
    assert organisation.establishment_country == "BE"
    assert organisation.timezone == "Europe/Brussels"
    assert organisation.affiliates
    assert programme.complaints.authorities == ["BE"]


def test_LB_1_every_purpose_has_one_legal_basis_with_its_details(programme: Programme) -> None:
    for purpose in programme.purposes:
        assert purpose.legal_basis is not None, purpose.key
        if purpose.legal_basis is LegalBasis.LEGITIMATE_INTERESTS:
            assessment = purpose.legitimate_interest
            assert assessment is not None, purpose.key
            assert assessment.balancing and assessment.necessity, purpose.key
        if purpose.legal_basis is LegalBasis.CONSENT:
            assert purpose.consent is not None, purpose.key
            assert purpose.consent.withdrawal, purpose.key
        if purpose.legal_basis is LegalBasis.LEGAL_OBLIGATION:
            assert purpose.legal_obligation and "tax" in purpose.legal_obligation.lower()
        assert purpose.retention is not None, purpose.key
        assert purpose.categories and purpose.subjects and purpose.sources, purpose.key
        assert purpose.data_uses, purpose.key


def test_direct_marketing_has_a_consent_purpose_and_a_soft_opt_in_purpose(
    programme: Programme,
) -> None:
    marketing = [p for p in programme.purposes if p.direct_marketing is not None]
    by_basis = {p.legal_basis: p for p in marketing}
    consent = by_basis[LegalBasis.CONSENT]
    soft = by_basis[LegalBasis.LEGITIMATE_INTERESTS]
    assert consent.direct_marketing is not None and not consent.direct_marketing.soft_opt_in
    assert soft.direct_marketing is not None and soft.direct_marketing.soft_opt_in
    assert soft.direct_marketing.unsubscribe


def test_seed_sources_are_all_declared(programme: Programme) -> None:
    kinds = {source.key: source.kind for source in programme.sources}
    providers = {source.provider for source in programme.sources if source.provider}
    assert {"Stripe", "Cleverbridge", "LinkedIn", "Indeed"} <= providers
    assert {"subject", "observed", "third_party", "derived"} <= set(kinds.values())
    recordings = [s for s in programme.sources if "user.content.call_recording" in s.categories]
    assert len(recordings) == 2
    assert all(s.notice and "beep" in s.notice for s in recordings)


def test_named_payment_providers_exist_with_countries(programme: Programme) -> None:
    stripe = programme.recipient("stripe")
    cleverbridge = programme.recipient("cleverbridge")
    assert stripe.named and cleverbridge.named
    assert "US" in stripe.countries
    assert stripe.dpf_certified and stripe.dpf_expires is not None
    assert stripe.safeguard is not None and stripe.safeguard.mechanism == "adequacy"
    assert cleverbridge.countries == ["DE"]
    for key in ("linkedin", "indeed"):
        assert programme.recipient(key).countries


def test_TR_5_every_non_adequate_transfer_has_an_art46_tool_and_a_tia(
    programme: Programme,
) -> None:
    for recipient in programme.recipients:
        outside = set(recipient.countries) - EEA
        if not outside:
            continue
        safeguard = recipient.safeguard
        assert safeguard is not None, recipient.key
        if safeguard.mechanism == "scc":
            assert safeguard.scc_module in {"M1", "M2"}, recipient.key
            assert safeguard.tia is not None and safeguard.tia.review_on is not None
            assert recipient.supplementary_measures, recipient.key
        if "US" in outside and safeguard.mechanism == "adequacy":
            assert recipient.dpf_certified and recipient.dpf_expires, recipient.key


def test_PR_3_processor_system_deletes_scans_24_or_48_hours_after_the_scan(
    programme: Programme,
) -> None:
    processors = [system for system in programme.systems if system.role == "processor"]
    assert [system.key for system in processors] == ["scan_store"]
    scan_store = processors[0]
    assert scan_store.controller and scan_store.controller_contact
    assert scan_store.dpa is not None and set(scan_store.dpa.terms) == ART28_TERMS
    assert scan_store.retention is not None
    rule = programme.retention_rule(scan_store.retention)
    assert rule.choices == ["24h", "48h"]
    assert rule.trigger == "scan_completed"
    assert rule.action == "delete"


def test_cookies_cover_every_category_and_consent_cookies_serve_consent_purposes(
    programme: Programme,
) -> None:
    assert {c.category for c in programme.cookies} == {
        "necessary",
        "preferences",
        "statistics",
        "marketing",
    }
    for cookie in programme.cookies:
        if cookie.category != "necessary":
            assert cookie.purpose is not None
            assert programme.purpose(cookie.purpose).legal_basis is LegalBasis.CONSENT
    email_tracking = [
        c for c in programme.cookies if c.purpose and programme.purpose(c.purpose).direct_marketing
    ]
    assert email_tracking and all(c.category == "marketing" for c in email_tracking)


def test_AN_3_careers_statistics_are_k_anonymous_with_quasi_identifiers(
    programme: Programme,
) -> None:
    careers = next(a for a in programme.anonymisation if a.key == "careers_statistics")
    assert careers.method == "k_anonymity"
    assert careers.k is not None and careers.k >= 5
    assert careers.quasi_identifiers and careers.recipients
    assert programme.purpose("careers_statistics").anonymised_output


def test_datasets_name_identities_provenance_and_restriction_flags(programme: Programme) -> None:
    fields = [
        (collection, field)
        for _, dataset in programme.datasets()
        for collection in dataset.collections
        for field in collection.fields
    ]
    identities = {field.identity for _, field in fields if field.identity}
    assert {"email", "customer_id"} <= identities
    assert {field.provenance for _, field in fields} == {
        "provided",
        "observed",
        "derived",
        "third_party",
    }
    for collection, _ in fields:
        if collection.restriction_flag:
            assert collection.restriction_flag in {f.name for f in collection.fields}
    invoice = next(c for c, _ in fields if c.name == "invoice")
    assert invoice.purposes == ["legal_compliance"]
    assert programme.purpose("legal_compliance").legal_basis is LegalBasis.LEGAL_OBLIGATION


def test_check_finds_no_errors_and_only_the_seed_fee_warning(loaded: LoadedProgramme) -> None:
    findings = run_checks(loaded, today=date(2026, 11, 25))
    assert [f.rule for f in findings] == ["rights/fee-beyond-art12-5"]  # seed §7 wording


# --- the rendered statement walks the seed's sections ---------------------------------------


def test_statement_has_a_section_for_every_part_of_the_seed(sections: dict[str, str]) -> None:
    seed_sections = {
        "controller",  # §1-2
        "personal-data",  # §3
        "collection",  # §3
        "purposes",  # §4
        "legal-bases",  # §5
        "recipients",  # §6
        "transfers",  # §6
        "rights",  # §7
        "security",  # §8
        "retention",  # §9
        "community",  # §9 (community and social media)
        "cookies",  # §10
        "links",  # §11
        "anonymous-data",  # §12
        "modifications",  # §13
        "complaints",  # §14
    }
    assert seed_sections <= set(sections)


def test_statement_controller_section_names_controller_affiliates_and_processor_role(
    programme: Programme, sections: dict[str, str]
) -> None:
    organisation = programme.organisation
    scan_store = programme.system("scan_store")
    facts = [
        organisation.legal_name,
        organisation.registration_number,
        organisation.registered_address.city,
        organisation.privacy_email,
        organisation.privacy_postal_address.street,
        organisation.privacy_postal_address.postal_code or "",
        "Lansweeper NV",
        scan_store.name,
        scan_store.controller or "",
    ]
    assert _missing(sections["controller"], facts) == []


def test_statement_personal_data_and_collection_cover_every_category_and_source(
    programme: Programme, sections: dict[str, str]
) -> None:
    used = {c for purpose in programme.purposes for c in purpose.categories}
    extension_names = [c.name for c in programme.categories if c.key in used]
    subject_names = [s.name for s in programme.subjects]
    assert _missing(sections["personal-data"], extension_names + subject_names) == []
    source_names = [s.name for s in programme.sources]
    notices = [s.notice for s in programme.sources if s.notice]
    assert _missing(sections["collection"], source_names + notices) == []


def test_statement_purposes_and_legal_bases_show_each_purpose_with_its_basis(
    programme: Programme, sections: dict[str, str]
) -> None:
    purposes_text, bases_text = sections["purposes"], sections["legal-bases"]
    assert _missing(purposes_text, [p.name for p in programme.purposes]) == []
    assert _missing(bases_text, [p.name for p in programme.purposes]) == []
    interests = [
        p.legitimate_interest.interest for p in programme.purposes if p.legitimate_interest
    ]
    obligations = [p.legal_obligation for p in programme.purposes if p.legal_obligation]
    assert _missing(bases_text, interests + obligations) == []
    logic = [_profiling_logic(p) for p in programme.purposes if p.profiling]
    assert logic and _missing(purposes_text, logic) == []
    withdrawals = [p.consent.withdrawal for p in programme.purposes if p.consent]
    assert _missing(purposes_text, withdrawals) == []


def _profiling_logic(purpose: Purpose) -> str:
    assert purpose.profiling is not None and purpose.profiling.logic is not None
    return purpose.profiling.logic


def test_statement_recipients_and_transfers_name_recipients_countries_and_safeguards(
    programme: Programme, sections: dict[str, str]
) -> None:
    recipients_text, transfers_text = sections["recipients"], sections["transfers"]
    assert _missing(recipients_text, [r.name for r in programme.recipients]) == []
    for recipient in programme.recipients:
        names = [COUNTRY_NAMES[code] for code in recipient.countries]
        assert _missing(recipients_text, names) == [], recipient.key
        if recipient.privacy_statement_url:
            assert _mentions(recipients_text, recipient.privacy_statement_url)
        outside = [code for code in recipient.countries if code not in EEA]
        if not outside:
            continue
        row = _row_of(transfers_text, recipient.name)
        assert _missing(row, [COUNTRY_NAMES[code] for code in outside]) == [], recipient.key
        assert _missing(row, recipient.supplementary_measures) == [], recipient.key
        safeguard = recipient.safeguard
        assert safeguard is not None
        if safeguard.tia is not None:
            assert _mentions(row, _long_date(safeguard.tia.assessed_on)), recipient.key
        if recipient.dpf_certified:
            assert _mentions(row, "Data Privacy Framework"), recipient.key


def _row_of(text: str, name: str) -> str:
    """The plain text of the transfers table row that starts with recipient ``name``."""
    start = text.index(_norm(name))
    return text[start : start + 1500]


def test_statement_rights_section_offers_all_rights_and_the_seed_conditions(
    programme: Programme, sections: dict[str, str]
) -> None:
    rights = programme.rights
    assert set(rights.offered) == set(ALL_RIGHTS)
    titles = ["access", "rectification", "erasure", "restriction", "objection", "portability"]
    facts = [
        *titles,
        programme.organisation.privacy_email,
        "unsubscribe",
        rights.identity_verification,
        rights.fees,
        rights.refusals,
    ]
    assert _missing(sections["rights"], facts) == []


def test_statement_security_section_lists_the_measures(
    programme: Programme, sections: dict[str, str]
) -> None:
    assert programme.statement.security is not None
    facts = [programme.statement.security, *programme.organisation.security_measures]
    assert _missing(sections["security"], facts) == []


def test_statement_retention_section_gives_every_period_and_the_scan_choices(
    programme: Programme, sections: dict[str, str]
) -> None:
    text = sections["retention"]
    for rule in programme.retention:
        assert _mentions(text, rule.name), rule.key
        if rule.period:
            assert _mentions(text, _in_words(rule.period)), rule.key
    scan = programme.retention_rule("scan_data")
    system = _norm(programme.system("scan_store").name)
    promise = next(s for s in text.split(". ") if system in s and "processor" in s)
    for choice in scan.choices:
        count, unit = _in_words(choice).split()
        assert re.search(rf"\b{count}\b", promise) and unit.rstrip("s") in promise, choice
    assert "after the scan" in promise, scan.trigger


def test_statement_cookie_section_lists_every_cookie(
    programme: Programme, sections: dict[str, str]
) -> None:
    text = sections["cookies"]
    facts = [c.name for c in programme.cookies] + [c.provider for c in programme.cookies]
    assert _missing(text, facts) == []
    assert _missing(text, ["marketing", "statistics", "preferences", "necessary"]) == []


def test_statement_links_community_and_anonymous_data_sections(
    programme: Programme, sections: dict[str, str]
) -> None:
    statement = programme.statement
    assert statement.links_policy and statement.community_policy
    assert _mentions(sections["links"], statement.links_policy)
    assert _mentions(sections["community"], statement.community_policy)
    anonymous = sections["anonymous-data"]
    for release in programme.anonymisation:
        assert _missing(anonymous, [release.name, *release.recipients]) == [], release.key
        if release.k is not None:
            assert re.search(rf"\bk\s*=\s*{release.k}\b", anonymous), release.key


def test_statement_modifications_section_shows_version_date_and_change_log(
    programme: Programme, sections: dict[str, str]
) -> None:
    statement = programme.statement
    assert statement.version is not None and statement.effective_date is not None
    facts = [
        statement.version,
        _long_date(statement.effective_date),
        statement.change_notice or "",
        *(entry.version for entry in statement.change_log),
        *(_long_date(entry.date) for entry in statement.change_log),
    ]
    assert _missing(sections["modifications"], facts) == []


def test_CP_1_statement_complaints_section_names_the_belgian_authority(
    programme: Programme, sections: dict[str, str]
) -> None:
    complaints = programme.complaints
    assert complaints.postal_address is not None
    facts = [
        complaints.contact_email,
        complaints.postal_address.street,
        complaints.postal_address.city,
        "contact@apd-gba.be",
        "Belgium",
        "dataprotectionauthority.be",
    ]
    assert _missing(sections["complaints"], facts) == []
