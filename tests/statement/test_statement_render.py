"""The rendered privacy statement: every section, the facts, escaping, determinism."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.statement.build import (
    OPTIONAL_SECTION_IDS,
    SECTION_IDS,
    build_statement,
    render_statement,
)
from tutela.statement.view import Notice

HERE = Path(__file__).resolve().parent
MINIMAL = HERE.parents[0] / "fixtures" / "minimal"
RICH = HERE / "statement_rich"
FORMATS = ("md", "html")


@pytest.fixture(scope="module")
def minimal() -> Programme:
    return load_programme(MINIMAL)


@pytest.fixture(scope="module")
def rich() -> Programme:
    return load_programme(RICH)


def _section(programme: Programme, section_id: str) -> str:
    return build_statement(programme).section(section_id).text()


def _markdown_section(markdown: str, number: int) -> str:
    start = markdown.index(f"\n## {number}. ")
    end = markdown.find("\n## ", start + 1)
    return markdown[start : end if end != -1 else None]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("which", ["minimal", "rich"])
def test_every_section_id_appears_in_order(
    which: str, fmt: str, request: pytest.FixtureRequest
) -> None:
    programme: Programme = request.getfixturevalue(which)
    text = render_statement(programme, fmt)  # type: ignore[arg-type]
    view = build_statement(programme)
    assert [i for i in view.ids if i not in OPTIONAL_SECTION_IDS] == list(SECTION_IDS)
    if fmt == "html":
        found = re.findall(r'<section id="([a-z-]+)">\s*<h2>', text)
        assert found[0] == "summary"
        found = found[1:]
    else:
        titles = {f"{s.number}. {s.title}": s.id for s in view.sections}
        found = [titles[line[3:]] for line in text.splitlines() if line[3:] in titles]
    assert found == list(view.ids)


def test_markdown_headings_are_numbered_and_stable(rich: Programme) -> None:
    markdown = render_statement(rich, "md")
    headings = [line for line in markdown.splitlines() if re.match(r"## \d+\. ", line)]
    assert headings[0] == "## 1. Who is responsible for your data"
    assert headings[2] == "## 3. Where your data comes from"
    assert [int(h[3:].split(".")[0]) for h in headings] == list(range(1, len(headings) + 1))


def test_optional_community_section_only_with_a_policy(minimal: Programme, rich: Programme) -> None:
    assert "community" not in build_statement(minimal).ids
    assert "We moderate our forum" in _section(rich, "community")


def test_controller_identity_contacts_and_representatives(rich: Programme) -> None:
    text = _section(rich, "controller")
    for fact in (
        "Nimbus Scan Inc.",
        "a corporation under Canadian law",
        "7788-1",
        "1 Harbour Road, B3H 1A1 Halifax, Nova Scotia, Canada",
        "https://nimbus.test",
        "privacy@nimbus.test",
        "Jane Doe (dpo@nimbus.test)",
        "Representative in the EU",
        "Nimbus Europe BV",
        "decides why and how your personal data is processed: it is the controller",
    ):
        assert fact in text


def test_PR_2_processor_systems_point_to_the_customer_as_controller(rich: Programme) -> None:
    text = _section(rich, "controller")
    assert "For Nimbus Scanner we are a processor: the customer is the controller." in text
    assert "A data processing agreement (Art. 28 GDPR) binds us to its instructions." in text
    assert "refer to the privacy statement of that controller" in text
    assert "Controller: Our customers." in text


def test_controller_only_programme_has_no_processor_paragraph(minimal: Programme) -> None:
    assert "we are a processor" not in _section(minimal, "controller")


def test_art12_1_categories_use_tutela_labels_and_extension_names(rich: Programme) -> None:
    text = _section(rich, "personal-data")
    assert "E-mail address" in text  # tutela's label of user.contact.email
    assert "User Contact Email" not in text and "user.contact" not in text
    assert "Any other information you choose to provide" in text  # programme extension
    assert "Customer contacts: People who work for our customers." in text
    assert "Health notes are special categories of personal data (Art. 9 GDPR)" in text
    assert "Art. 9(2)(b)" in text


def test_LB_3_sources_by_kind_with_third_parties_named_and_notices(rich: Programme) -> None:
    text = _section(rich, "collection")
    assert "Data you give us" in text
    assert "Data we record automatically" in text
    assert "Data we receive from others" in text
    assert "Provided by Stripe" in text
    assert "A beep at the start of the call tells you it is recorded." in text
    assert "We need some data for a contract or a legal duty" in text
    assert "The application form explains why we ask" in _section(rich, "purposes")


def test_LB_1_every_purpose_is_shown_with_its_legal_basis(rich: Programme) -> None:
    text = _section(rich, "purposes")
    for purpose in rich.purposes:
        assert purpose.name in text
        assert purpose.description in text
    assert "Supply our services | Deliver the service our customers bought" in text
    assert "invoice it. | Contract" in text
    assert "Send product news to those who asked for it. | Consent" in text
    assert "Keep invoices as tax law requires. | Legal obligation" in text
    assert "Measure how the scanner is used to improve it. | Legitimate interests" in text
    bases = _section(rich, "legal-bases")
    assert "Bookkeeping: Belgian VAT Code art. 60 requires invoices to be kept ten years." in bases


def test_LB_2_legitimate_interest_is_named(rich: Programme) -> None:
    purposes = _section(rich, "purposes")
    bases = _section(rich, "legal-bases")
    interest = "Improving the scanner with usage statistics."
    assert interest not in purposes  # said once, in the legal bases
    assert f"Product analytics: {interest}" in bases
    assert "Legitimate interests (Art. 6(1)(f) GDPR)" in bases


def test_CO_3_consent_purposes_say_how_to_withdraw(rich: Programme) -> None:
    text = _section(rich, "purposes")
    assert "To withdraw your consent: Click the unsubscribe link in any newsletter." in text
    assert "We ask again after 2 years." in text
    assert "as easily as you gave it" in _section(rich, "legal-bases")


def test_MK_1_direct_marketing_shows_unsubscribe_and_soft_opt_in(rich: Programme) -> None:
    text = _section(rich, "purposes")
    assert "We send direct marketing by e-mail." in text
    assert "soft opt-in" in text
    assert "you can refuse them at sign-up and in every message" in text
    assert "without any justification, to direct marketing" in _section(rich, "rights")


def test_AC_9_automated_decision_logic_is_disclosed(rich: Programme) -> None:
    text = _section(rich, "purposes")
    assert "decisions based solely on automated processing" in text
    assert "Orders from card countries that differ from the billing country" in text
    assert "A high score blocks the order." in text
    assert "You may have to pay by bank transfer instead." in text
    assert "obtain human intervention" in text
    assert "This purpose involves profiling." in text


def test_legal_bases_table_lists_purposes_per_basis(rich: Programme) -> None:
    markdown = render_statement(rich, "md")
    assert "| Consent (Art. 6(1)(a) GDPR) | You gave your consent. | Newsletter |" in markdown
    assert (
        "| Contract (Art. 6(1)(b) GDPR) | We need it for a contract with you, or to prepare"
        " one. | Supply our services and Fraud scoring |"
    ) in markdown
    assert "| Listed below with each obligation. |" in markdown


def test_AC_3_recipients_named_where_named_by_kind_otherwise(rich: Programme) -> None:
    text = _section(rich, "recipients")
    named, _, categories = text.partition("We name these recipients by category")
    assert "Stripe" in named and "Helpdesk Services Pvt Ltd" in named
    assert "Nimbus Scan Inc. group companies" in categories
    assert "you can ask us for their names" in categories
    assert "Public authority" in text
    assert "Privacy statement: https://stripe.com/privacy" in text


def test_TR_2_transfers_show_countries_and_safeguards(rich: Programme) -> None:
    text = _section(rich, "transfers")
    assert (
        "Stripe | United States | EU-U.S. Data Privacy Framework; the recipient is certified"
        in text
    )
    assert (
        "Helpdesk Services Pvt Ltd | India | Standard contractual clauses: module 2; transfer"
        " impact assessed 1 February 2026."
    ) in text
    assert "Encryption with keys held in the EEA, Pseudonymised ticket data" in text
    assert "Canada | Adequacy decision: Decision 2002/2/EC." in text
    assert "standard contractual clauses, Art. 46(2)(c) GDPR and Decision (EU) 2021/914" in text
    assert "Ask privacy@nimbus.test for a copy of the safeguards." in text  # TR-6
    assert "Belgian tax authorities" not in text  # within the EEA: no transfer
    assert "Ireland" not in text


def test_TR_1_eea_only_recipients_mean_no_transfer(minimal: Programme) -> None:
    text = _section(minimal, "transfers")
    assert "We do not transfer your personal data outside the European Economic Area" in text


def test_rights_explained_with_channels_verification_fees_and_refusals(rich: Programme) -> None:
    text = _section(rich, "rights")
    for title in ("Access", "Rectification", "Erasure", "Restriction", "Objection", "portability"):
        assert title in text
    assert "privacy@nimbus.test or the privacy centre at https://nimbus.test/privacy-centre" in text
    assert "We confirm requests through the e-mail address on file." in text
    assert "Requests are free of charge." in text
    assert "in particular repetitive ones" in text
    assert "Use the unsubscribe link at the bottom of every newsletter." in text
    assert "California residents" in text


def test_rights_not_offered_are_marked(rich: Programme) -> None:
    programme = rich.model_copy(
        update={"rights": rich.rights.model_copy(update={"offered": ["access"]})}
    )
    text = _section(programme, "rights")
    assert "This right does not apply to the processing described here." in text


def test_OB_3_right_to_object_is_explicit_and_separate(rich: Programme) -> None:
    section = build_statement(rich).section("rights")
    notices = [block for block in section.blocks if isinstance(block, Notice)]
    assert len(notices) == 1
    assert notices[0].title == "Your right to object"
    assert "processing based on our legitimate interests, including profiling" in notices[0].text
    assert "section 5 lists it" in notices[0].text
    assert "free of charge and without any justification, to direct marketing" in notices[0].text
    assert "> **Your right to object.** You can object at any time" in render_statement(rich, "md")
    assert '<aside class="notice" aria-label="Your right to object">' in render_statement(
        rich, "html"
    )


def test_security_text_and_measures(rich: Programme, minimal: Programme) -> None:
    text = _section(rich, "security")
    assert "We protect personal data with measures proportionate to the risk." in text
    assert "Encryption in transit and at rest" in text
    assert "Nimbus Scanner: Per-customer encryption keys" in text  # a system's own measures
    assert "Role-based access control" in _section(minimal, "security")


def test_RT_1_retention_periods_with_triggers(rich: Programme) -> None:
    text = _section(rich, "retention")
    assert "7 years after the end of the contract" in text
    assert "Belgian accounting law" in text
    assert "Until you withdraw your consent" in text
    assert "13 months after collection, then anonymised." in text


def test_RT_2_a_rule_that_archives_says_so_in_every_language(rich: Programme) -> None:
    rules = [
        rule.model_copy(update={"action": "archive"}) if rule.action == "anonymise" else rule
        for rule in rich.retention
    ]
    archiving = rich.model_copy(update={"retention": rules})
    assert "13 months after collection, then moved to an archive." in _section(
        archiving, "retention"
    )
    assert "then anonymised" not in _section(archiving, "retention")
    for lang, words in (
        ("fr", "puis déplacement dans une archive."),
        ("nl", "daarna naar een archief verplaatst."),
        ("de", "danach in ein Archiv verschoben."),
    ):
        text = build_statement(archiving, language=lang).section("retention").text()
        assert words in text, lang


def test_PR_3_processor_scan_deletion_choices(rich: Programme) -> None:
    text = _section(rich, "retention")
    assert ("24 or 48 hours after the scan, as the customer chooses (48 hours by default)") in text
    assert "our customer chooses how long the data is kept: we delete it 24 or 48 hours" in text


def test_cookies_table_and_no_cookies(rich: Programme, minimal: Programme) -> None:
    markdown = render_statement(rich, "md")
    assert "| Cookie | Provider | Type | Lasts | Purpose |" in markdown
    assert "| session_id | nimbus.test | Necessary | session | Keeps you signed in. |" in markdown
    assert "| _stats | Stats Ltd (third party) | Statistics | 13 months | Product analytics |" in (
        markdown
    )
    assert _section(minimal, "cookies") == "We do not use cookies or similar technologies."


def test_links_policy_and_default(rich: Programme, minimal: Programme) -> None:
    assert "partner sites" in _section(rich, "links")
    assert "have their own privacy statements" in _section(minimal, "links")


def test_AN_1_anonymous_releases_what_how_to_whom(rich: Programme, minimal: Programme) -> None:
    text = _section(rich, "anonymous-data")
    assert "Monthly feature-usage counts per edition." in text
    assert "aggregation into statistics" in text
    assert "groups of fewer than 10 people suppressed" in text
    assert "Shared with: Resellers." in text
    assert "We do not produce or share anonymised data" in _section(minimal, "anonymous-data")


def test_NT_1_version_date_notice_and_change_log(rich: Programme) -> None:
    text = _section(rich, "modifications")
    assert "This is version 2.0 of our privacy statement, in effect since 1 March 2026." in text
    assert "We announce material changes by e-mail one month in advance." in text
    assert "1.0 | 10 January 2025 | First version. | Yes" in text
    markdown = render_statement(rich, "md")
    assert markdown.splitlines()[2] == "*Version 2.0, effective 1 March 2026*"


def test_CP_1_complaints_contacts_and_authorities(rich: Programme) -> None:
    text = _section(rich, "complaints")
    assert "complaints@nimbus.test" in text
    assert "Kerkstraat 5, 9000 Gent, Belgium" in text
    assert "You may also call our customer service." in text
    assert "where you live, work or where the infringement took place" in text
    assert "Art. 77 GDPR" in text
    assert "Gegevensbeschermingsautoriteit (APD/GBA)" in text
    assert "our lead supervisory authority" in text
    assert "Commission nationale de l'informatique et des libertés (CNIL)" in text


def test_html_escapes_programme_text(minimal: Programme) -> None:
    hostile = "Track visitors <script>alert('x')</script> & friends"
    purposes = [
        minimal.purposes[0].model_copy(update={"description": hostile}),
        *minimal.purposes[1:],
    ]
    programme = minimal.model_copy(update={"purposes": purposes})
    html = render_statement(programme, "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; friends" in html
    markdown = render_statement(programme, "md")
    assert "<script>" not in markdown
    assert "&lt;script>" in markdown


def test_markdown_keeps_tables_and_paragraphs_intact(minimal: Programme) -> None:
    recipient = minimal.recipients[0].model_copy(update={"name": "Cloud | Hosting"})
    notes = "# not a heading\n\n1. not a list"
    complaints = minimal.complaints.model_copy(update={"notes": notes})  # type: ignore[union-attr]
    programme = minimal.model_copy(update={"recipients": [recipient], "complaints": complaints})
    markdown = render_statement(programme, "md")
    assert "| Cloud \\| Hosting |" in markdown
    assert "\n\\# not a heading\n" in markdown
    assert "\n1\\. not a list\n" in markdown


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic(rich: Programme, fmt: str) -> None:
    first = render_statement(rich, fmt)  # type: ignore[arg-type]
    second = render_statement(load_programme(RICH), fmt)  # type: ignore[arg-type]
    assert first.encode() == second.encode()
    assert first.endswith("\n") and not first.endswith("\n\n")


def test_unknown_format_is_refused(minimal: Programme) -> None:
    with pytest.raises(ValueError, match="unknown statement format 'pdf'"):
        render_statement(minimal, "pdf")  # type: ignore[arg-type]


def test_sections_without_facts_say_so() -> None:
    programme = load_programme(MINIMAL)
    bare = programme.model_copy(
        update={
            "purposes": [],
            "sources": [],
            "recipients": [],
            "retention": [],
            "systems": [],
            "subjects": [],
            "organisation": programme.organisation.model_copy(update={"security_measures": []}),
        }
    )
    view = build_statement(bare)
    assert view.ids[: len(SECTION_IDS)] == SECTION_IDS
    assert view.section("purposes").text() == "We do not process personal data for any purpose."
    assert view.section("collection").text() == "We do not collect personal data."
    assert "We do not share your personal data" in view.section("recipients").text()
    assert "not set specific retention periods" in view.section("retention").text()
    assert "does not describe our security measures yet" in view.section("security").text()
    assert "rely on no legal basis" in view.section("legal-bases").text()
    assert "We process no personal data on grounds you could object to" in (
        view.section("rights").text()
    )
