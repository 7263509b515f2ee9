"""Discovery on the demo's databases proposes what the example programme declares.

The example's systems are built as `tutela demo` builds them (synthetic people in
SQLite, `tutela.testing.synthetic`), each is discovered, and every column is compared
with its declaration. The differences are listed below, each with its reason, and
documented in docs/discovery.md (section drift).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tutela import bootstrap
from tutela.discovery.drift import (
    MIN_CONFIDENCE,
    DriftContext,
    Survey,
    categories_agree,
    drift_findings,
)
from tutela.discovery.service import Discovery, discover
from tutela.programme.loader import load, load_programme
from tutela.programme.models import Programme
from tutela.taxonomy.vocabulary import Vocabulary
from tutela.testing.synthetic import build_systems

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cloudockit"
PEOPLE = 120

Difference = tuple[str, str | None]
"""(declared categories, or ``-`` for none; the discovered category, or None)."""

# Why a declared column and its discovery differ. Discovery reads a sample of values and
# the column's name; some declarations say what a column is *for*, which no value shows.
CONDUCT = "what a person did or chose (an event, a product, an amount, a status): plain words"
FREE_TEXT = "free text: personal only by what people write in it (the sample holds none)"
FILE_LINK = "a link to a stored file (photo, recording, CV): the personal data is in the file"
ORGANISATION = "about the person's organisation: the column name vetoes person-name hits"
PROFILE_LINK = "a page URL or path: no built-in detector reads web pages as personal data"
PROFILE_URL = "a profile link: fideslang's user.contact.url, the example's own social_profile key"
DEVICE_TRAIT = "a browser or user agent: shared by many people, personal only in combination"
OTHER_FORM = "the values have another category's form (a principal name that is an e-mail)"
OTHER_BRANCH = "both are right: a country is an address part and an imprecise location"
TECHNICAL_ID = "a key or code (licence key, VAT number, tags): the name reads as technical"
WORK_TRAIT = "a professional trait (time zone, enrichment value): an ordinary word or setting"
PAYMENT_SUMMARY = "a payment summary (brand, last 4 digits, reference, check): no card number"

DISAGREE = (OTHER_FORM, OTHER_BRANCH, PROFILE_URL)
"""The reasons where discovery proposes another category (``drift/category-mismatch``)."""

KNOWN_DIFFERENCES: dict[str, str] = {
    "cctv.visit.company": ORGANISATION,
    "cctv.recording.footage_uri": FILE_LINK,
    "crm.company.name": ORGANISATION,
    "crm.company.domain": ORGANISATION,
    "crm.company.industry": ORGANISATION,
    "crm.company.employee_count": ORGANISATION,
    "crm.contact.linkedin_url": PROFILE_URL,
    "crm.contact.time_zone": WORK_TRAIT,
    "crm.enrichment_attribute.value": WORK_TRAIT,
    "crm.lead_score.score": CONDUCT,
    "crm.activity.note": FREE_TEXT,
    "marketing.subscriber.company": ORGANISATION,
    "marketing.consent.decision": CONDUCT,
    "marketing.email_event.event_type": CONDUCT,
    "marketing.email_event.user_agent": DEVICE_TRAIT,
    "recruitment.applicant.picture_uri": FILE_LINK,
    "recruitment.applicant.linkedin_profile": PROFILE_URL,
    "recruitment.applicant.indeed_profile": PROFILE_URL,
    "recruitment.application.vacancy": CONDUCT,
    "recruitment.application.status": CONDUCT,
    "recruitment.application.notes": FREE_TEXT,
    "recruitment.application.interview_at": CONDUCT,
    "recruitment.document.file_uri": FILE_LINK,
    "recruitment.email_message.body": FREE_TEXT,
    "scan_store.asset_owner.principal_name": OTHER_FORM,
    "scan_store.asset_owner.role_assignments": OTHER_FORM,
    "scan_store.asset.resource_name": TECHNICAL_ID,
    "scan_store.asset.tags": TECHNICAL_ID,
    "support_desk.ticket.subject": FREE_TEXT,
    "support_desk.message.body": FREE_TEXT,
    "support_desk.message.internal_note": FREE_TEXT,
    "support_desk.call_recording.recording_uri": FILE_LINK,
    "telemetry.device.os_browser": DEVICE_TRAIT,
    "telemetry.usage_event.feature": CONDUCT,
    "telemetry.usage_event.duration_ms": CONDUCT,
    "telemetry.usage_event.error_code": CONDUCT,
    "telemetry.usage_profile.segment": CONDUCT,
    "web_analytics.visitor.browser": DEVICE_TRAIT,
    "web_analytics.visitor.country": OTHER_BRANCH,
    "web_analytics.page_view.url": PROFILE_LINK,
    "web_analytics.page_view.referrer": PROFILE_LINK,
    "web_analytics.page_view.seconds_on_page": CONDUCT,
    "web_analytics.server_log.user_agent": DEVICE_TRAIT,
    "web_analytics.server_log.path": PROFILE_LINK,
    "web_analytics.server_log.referrer": PROFILE_LINK,
    "webshop.customer.company_name": ORGANISATION,
    "webshop.customer.vat_id": TECHNICAL_ID,
    "webshop.licence.licence_key": TECHNICAL_ID,
    "webshop.sales_order.product": CONDUCT,
    "webshop.sales_order.amount": CONDUCT,
    "webshop.sales_order.payment_reference": PAYMENT_SUMMARY,
    "webshop.sales_order.card_brand": PAYMENT_SUMMARY,
    "webshop.sales_order.card_last4": PAYMENT_SUMMARY,
    "webshop.sales_order.fraud_check_result": PAYMENT_SUMMARY,
    "webshop.invoice.vat_id": TECHNICAL_ID,
    "webshop.invoice.amount": CONDUCT,
    "website.form_submission.company": ORGANISATION,
    "website.form_submission.message": FREE_TEXT,
    "website.form_submission.marketing_consent": CONDUCT,
    "website.community_member.blocked_reason": FREE_TEXT,
    "website.community_post.body": FREE_TEXT,
    "website.chat_transcript.transcript": FREE_TEXT,
}
"""``system.table.column`` -> why discovery does not propose what the example declares."""


@pytest.fixture(scope="module")
def programme() -> Programme:
    return load_programme(EXAMPLE)


@pytest.fixture(scope="module")
def discovered(programme: Programme, tmp_path_factory: pytest.TempPathFactory) -> Survey:
    """A discovery of each of the example's SQL systems, built with synthetic people."""
    folder = tmp_path_factory.mktemp("systems")
    environ = build_systems(programme, folder, people=PEOPLE, seed=1)
    scans: dict[str, Discovery] = {}
    for key, connector in bootstrap.build(environ).connectors(programme).items():
        try:
            scans[key] = discover(connector, sample=1000)
        finally:
            connector.close()
    return Survey(scans)


def proposed(scan: Discovery, table: str, column: str) -> str | None:
    """The category discovery proposes for ``table.column`` (None: not personal data)."""
    for finding in scan.findings:
        if (finding.table, finding.column) == (table, column):
            confident = finding.confidence >= MIN_CONFIDENCE
            return finding.category if confident else None
    raise AssertionError(f"discovery has no finding for {table}.{column}")


def differences(programme: Programme, survey: Survey) -> dict[str, Difference]:
    """Every column whose discovered category does not agree with its declaration."""
    vocabulary = Vocabulary()
    found: dict[str, Difference] = {}
    for system in programme.systems:
        scan = survey.discoveries.get(system.key)
        for dataset in system.datasets if scan else ():
            for collection in dataset.collections:
                for field in collection.fields:
                    assert scan is not None
                    category = proposed(scan, collection.name, field.name)
                    declared = field.data_categories
                    if declared:
                        agrees = category is not None and any(
                            categories_agree(item, category, vocabulary) for item in declared
                        )
                    else:
                        agrees = category is None or bool(field.identity or field.references)
                    if not agrees:
                        where = f"{system.key}.{collection.name}.{field.name}"
                        found[where] = (", ".join(declared) or "-", category)
    return found


def test_every_sql_system_of_the_example_is_discovered(
    programme: Programme, discovered: Survey
) -> None:
    expected = {s.key for s in programme.systems if s.datasets and s.connector}
    assert set(discovered.discoveries) == expected


def test_discovery_proposes_what_the_example_declares_but_the_known_differences(
    programme: Programme, discovered: Survey
) -> None:
    found = differences(programme, discovered)
    unexplained = {where: found[where] for where in found.keys() - KNOWN_DIFFERENCES.keys()}
    assert unexplained == {}, "discovery disagrees with the example (add a reason or fix it)"
    stale = sorted(KNOWN_DIFFERENCES.keys() - found.keys())
    assert stale == [], "these known differences are gone: remove them here and in the docs"


def test_check_against_the_demo_warns_only_of_the_known_category_differences(
    discovered: Survey,
) -> None:
    context = DriftContext.of_survey(load(EXAMPLE), discovered)
    findings = drift_findings(context)
    assert [f.message for f in findings if f.severity == "error"] == []
    warned = {f"{f.message.split('`')[3]}.{f.message.split('`')[1]}" for f in findings}
    expected = {where for where, why in KNOWN_DIFFERENCES.items() if why in DISAGREE}
    assert warned == expected
    assert {f.rule for f in findings} == {"drift/category-mismatch"}


def test_every_known_difference_is_explained_in_the_docs() -> None:
    docs = (ROOT / "docs" / "discovery.md").read_text(encoding="utf-8")
    section = docs.split("<!-- section: drift -->", 1)[1].split("<!-- section:", 1)[0]
    missing = [where for where in KNOWN_DIFFERENCES if f"`{where}`" not in section]
    assert missing == []
