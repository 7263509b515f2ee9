"""The answer letters on real answers of the shop database (GDPR.md AC-1..AC-9, ER-2, NR-1, CP-1).

An access and an erasure run with DsrService on the SQLite shop database; the letters are
checked against the subject's rows, the programme, and the rules' required contents.
"""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from requestcases import email_of, query

from tutela.errors import RequestError
from tutela.i18n import format_day, language
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.requests.disclosure import ARTICLES, Disclosure, disclose
from tutela.requests.letters import (
    LetterContext,
    Outcome,
    cover_letter,
    found_in,
    outcome_from_result,
    outcome_letter,
)
from tutela.rights.models import RequestResult, SubjectRequest
from tutela.rights.service import DsrService
from tutela.testing import shopdb

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
CUSTOMER = 7


def answer(service: DsrService, kind: str, email: str) -> RequestResult:
    return service.run([SubjectRequest(kind, (("email", email),))]).results[0]


def context(kind: str = "access", lang: str = "en", **changes: Any) -> LetterContext:
    base = LetterContext(
        request_id="REQ-2026-0042",
        type=kind,
        regime="gdpr",
        controller="Example Shop SRL",
        contact="privacy@shop.example.test",
        received_at=datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
        answered_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        due=date(2026, 4, 1),
        language=lang,
    )
    return dataclasses.replace(base, **changes)


def section(html: str, article: str) -> str:
    """The HTML of the letter's section answering ``article``."""
    start = html.index(f"({article})")
    return html[start : html.index("</section>", start)]


def shop_disclosure(programme: Programme, result: RequestResult) -> Disclosure:
    found = found_in(result)
    return disclose(programme, found, found)


def test_AC_2_cover_letter_gives_each_art_15_item_for_the_subjects_data(
    service: DsrService, programme: Programme, shop_db: str
) -> None:
    result = answer(service, "access", email_of(shop_db, CUSTOMER))
    disclosure = shop_disclosure(programme, result)
    html = cover_letter(context(), disclosure)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert "<title>Your request: access</title>" in html
    assert "We confirm that we process personal data about you." in html
    for article in ARTICLES:
        assert f"({article})" in html
    purposes = section(html, "Art. 15(1)(a)")
    for name, basis in [("Run the shop", "Contract"), ("Protect accounts", "Legitimate")]:
        assert name in purposes and basis in purposes
    assert "Keep customer accounts safe from takeover." in purposes  # the interest relied on
    categories = section(html, "Art. 15(1)(b)")
    for fact in disclosure.categories:
        assert fact.label in categories
    assert "found in: shop_db.login_event" in categories
    assert "None." in section(html, "Art. 15(1)(c)")  # the shop discloses to no one
    retention = section(html, "Art. 15(1)(d)")
    assert "Until the customer closes the account" in retention
    rights = section(html, "Art. 15(1)(e)")
    for title in ("Rectification", "Erasure", "Restriction", "Objection"):
        assert f"{title} (Art." in rights
    assert "Gegevensbeschermingsautoriteit" in section(html, "Art. 15(1)(f)")
    sources = section(html, "Art. 15(1)(g)")
    assert "Directly from you: you gave it to us." in sources
    assert "Observed when you log in" in sources
    assert "None." in section(html, "Art. 15(1)(h)")
    assert "None." in section(html, "Art. 15(2)")
    assert "data.json" in html and "manifest.json" in html


def test_AC_2_categories_found_are_those_with_a_value_in_the_subjects_rows(
    service: DsrService, shop_db: str
) -> None:
    result = answer(service, "access", email_of(shop_db, CUSTOMER))
    found = found_in(result)
    (person,) = query(shop_db, "SELECT * FROM customer WHERE id = :c", c=CUSTOMER)
    assert found["user.contact.email"] == ("shop_db.customer",)
    assert ("user.contact.phone_number" in found) == (person["phone"] not in (None, ""))
    logins = query(shop_db, "SELECT ip FROM login_event WHERE customer_id = :c", c=CUSTOMER)
    has_ip = any(row["ip"] for row in logins)
    assert ("user.device.ip_address" in found) == has_ip
    assert "system.operations" in found  # order quantities and login times


def test_AC_3_AC_9_cover_letter_names_recipients_transfers_and_profiling_logic() -> None:
    programme = load_programme(EXAMPLE)
    keys = ["user.contact.email", "user.behavior"]
    disclosure = disclose(programme, keys, {"user.contact.email": ["crm.contacts"]})
    html = cover_letter(context(controller="Cloudockit"), disclosure)
    recipients = section(html, "Art. 15(1)(c)")
    for fact in disclosure.recipients:
        assert fact.name in recipients
    assert "Stripe (Processor)." in recipients and "United States" in recipients
    transfers = section(html, "Art. 15(2)")
    assert "Stripe, in United States: Adequacy decision" in transfers
    automated = section(html, "Art. 15(1)(h)")
    for fact in disclosure.automated:
        assert fact.logic and fact.logic in automated
    assert "How it works:" in automated and "What it means for you:" in automated


def test_AC_1_unknown_subject_gets_a_no_data_confirmation(
    service: DsrService, programme: Programme
) -> None:
    result = answer(service, "access", "nobody-here@example.test")
    assert not result.found and found_in(result) == {}
    html = cover_letter(context(), shop_disclosure(programme, result))
    assert "we hold no personal data about you" in html
    assert "We confirm that we process" not in html
    assert "None." in section(html, "Art. 15(1)(a)")
    assert "Gegevensbeschermingsautoriteit" in section(html, "Art. 15(1)(f)")  # still told


def test_ER_2_erasure_letter_lists_kept_fields_with_their_end_dates(
    service: DsrService, programme: Programme, shop_db: str
) -> None:
    cards = query(shop_db, "SELECT id FROM payment_card WHERE customer_id = :c", c=CUSTOMER)
    orders = query(shop_db, "SELECT created_at FROM orders WHERE customer_id = :c", c=CUSTOMER)
    result = answer(service, "erasure", email_of(shop_db, CUSTOMER))
    names = {p.key: str(p.name) for p in programme.purposes}
    outcome = outcome_from_result(result, "erasure", purposes=names)
    rows = "row" if len(cards) == 1 else "rows"
    assert f"payment_card: {len(cards)} {rows} deleted" in outcome.done
    assert any(line.startswith("customer: 1 row changed (email") for line in outcome.done)
    html = outcome_letter(context("erasure"), outcome)
    kept = section(html, "Art. 17(3) GDPR")
    newest = max(o["created_at"] for o in orders)
    newest = newest if isinstance(newest, datetime) else datetime.fromisoformat(str(newest))
    assert {f.field for f in result.retained} == {"total", "created_at"}
    for field in result.retained:
        assert field.until is not None
        assert field.until.date() == newest.date().replace(year=newest.year + 10)
        line = f"{field.field} in orders: kept for Tax records (Legal obligation) until"
        assert line in kept
        assert f"until {format_day(field.until.date())} at the latest" in kept


def test_NR_1_outcome_letter_names_the_recipients_told_and_the_rights_left() -> None:
    outcome = Outcome(
        done=("customer: 1 row changed (name)",),
        recipients_told=("Mailjet", "Stripe"),
        rights_left=("You can still ask for a copy of your data.",),
        authorities=(("APD/GBA", "https://www.autoriteprotectiondonnees.be"),),
    )
    html = outcome_letter(context("rectification"), outcome)
    told = section(html, "Art. 19 GDPR")
    assert "Mailjet" in told and "Stripe" in told
    assert "You can still ask for a copy of your data." in html
    assert "APD/GBA: " in html and "judicial remedy" in html
    assert "None." in section(outcome_letter(context("erasure"), Outcome()), "Art. 19 GDPR")


def test_DL_7_refusal_letter_gives_the_reason_and_the_complaint_route() -> None:
    outcome = Outcome(
        refused_reason="Third identical request within ten days",
        authorities=(("APD/GBA", "https://www.autoriteprotectiondonnees.be"),),
    )
    html = outcome_letter(context("erasure", regime="gdpr"), outcome)
    assert "We will not act on your request." in html
    assert "Reason: Third identical request within ten days." in html
    assert "APD/GBA" in html and "effective judicial remedy before a court" in html
    assert "What we did" not in html


def test_PR_2_forwarded_request_names_the_controller() -> None:
    outcome = Outcome(forwarded_to="Acme Corp (dpo@acme.example)")
    html = outcome_letter(context("erasure"), outcome)
    assert "we have forwarded your request" in html and "Acme Corp" in html
    assert '<a href="mailto:dpo@acme.example">' in html


def test_AC_2_programme_and_engine_texts_are_escaped(
    service: DsrService, shop_db: str, tmp_path: Path
) -> None:
    folder = tmp_path / "programme"
    shutil.copytree(shopdb.shop_programme_path(), folder)
    purposes = folder / "purposes.yml"
    text = purposes.read_text().replace("Run the shop", "Run <script>alert(1)</script>")
    purposes.write_text(text)
    programme = load_programme(folder)
    result = answer(service, "access", email_of(shop_db, CUSTOMER))
    hostile = context(controller='Shop <img src=x onerror="alert(2)">')
    html = cover_letter(hostile, shop_disclosure(programme, result))
    assert "<script>" not in html and "<img" not in html
    assert "Run &lt;script&gt;alert(1)&lt;/script&gt;" in html
    letter = outcome_letter(context("erasure"), Outcome(done=("<b>customer</b>: 1 row",)))
    assert "<b>" not in letter and "&lt;b&gt;customer&lt;/b&gt;" in letter


@pytest.mark.parametrize(
    ("lang", "heading", "complaint"),
    [
        ("fr", "Pourquoi nous utilisons vos données", "Votre droit d&#39;introduire"),
        ("nl", "Waarom we uw gegevens gebruiken", "Uw recht om een klacht in te dienen"),
        ("de", "Wozu wir Ihre Daten verwenden", "Ihr Recht auf Beschwerde"),
    ],
)
def test_AC_1_letters_are_written_in_the_subjects_language(
    service: DsrService, programme: Programme, shop_db: str, lang: str, heading: str, complaint: str
) -> None:
    result = answer(service, "access", email_of(shop_db, CUSTOMER))
    with language(lang):
        disclosure = shop_disclosure(programme, result)
    html = cover_letter(context(lang=lang), disclosure)
    assert f'<html lang="{lang}">' in html
    assert heading in html and complaint in html
    for english in ("Why we use your data", "Your right to lodge", "The files in this answer"):
        assert english not in html
    assert "We confirm that we process" not in html
    letter = outcome_letter(context("erasure", lang=lang), Outcome(done=("orders: 2",)))
    assert "What we did" not in letter and "Kind regards" not in letter


def test_letter_refuses_a_language_tutela_does_not_write() -> None:
    with pytest.raises(RequestError, match="no letter wording in 'es'"):
        context(lang="es")


def test_outcome_from_result_refuses_an_unknown_request_type(
    service: DsrService, shop_db: str
) -> None:
    result = answer(service, "erasure", "nobody-here@example.test")
    assert outcome_from_result(result, "erasure").done == (
        "We found no personal data about you in our systems.",
    )
    with pytest.raises(RequestError, match="unknown request type 'shred'"):
        outcome_from_result(result, "shred")
