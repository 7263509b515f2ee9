"""The privacy centre's preferences over ASGI: a real SQLite store and SMTP on loopback.

The programme is the Cloudockit example: ``direct_marketing`` rests on consent,
``direct_marketing_customers`` is the soft opt-in of customers (legitimate interests), and
``website_statistics`` is a cookie purpose chosen in the banner, not on these pages.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.conftest import Later, csrf_of

from tutela import i18n
from tutela.bootstrap import Application
from tutela.consent.records import ChoiceEvent, Kind, Method
from tutela.i18n import _
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.requests.sealing import StoreKey
from tutela.testing.smtp import Inbox, body
from tutela.web.preference_choices import ACTOR, managed
from tutela.web.preference_links import PreferenceLinks

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
ANN = "ann.smith@example.test"
MANAGE = "/preferences/manage"
LINK = re.compile(r"http://testserver(/preferences/manage\?token=(\S+)&lang=(\w+))")


@pytest.fixture
def programme() -> Programme:
    return load_programme(EXAMPLE)


def _ask(client: TestClient, address: str, lang: str = "en") -> httpx.Response:
    page = client.get("/preferences")
    response: httpx.Response = client.post(
        f"/preferences?lang={lang}", data={"csrf": csrf_of(page.text), "email": address}
    )
    return response


def _link(inbox: tuple[Inbox, int], address: str) -> re.Match[str]:
    found = LINK.search(body(inbox[0].to(address)[-1]))
    assert found is not None, "the mail holds no preference link"
    return found


def _open(client: TestClient, inbox: tuple[Inbox, int], address: str = ANN) -> str:
    assert _ask(client, address).status_code == 303
    moved = client.get(_link(inbox, address).group(1))
    assert moved.status_code == 303
    page = client.get(moved.headers["location"])
    assert page.status_code == 200
    return page.text


def _press(client: TestClient, purpose: str, action: str, lang: str = "en") -> httpx.Response:
    page = client.get(MANAGE)
    data = {"csrf": csrf_of(page.text), "purpose": purpose, "action": action}
    response: httpx.Response = client.post(f"{MANAGE}?lang={lang}", data=data)
    return response


def _section(page: str, purpose: str) -> str:
    found = re.search(rf'<section id="purpose-{purpose}".*?</section>', page, re.S)
    assert found is not None, f"no section for {purpose}"
    return found.group(0)


def _history(application: Application, programme: Programme) -> list[ChoiceEvent]:
    return application.consent_service(programme).history({"email": ANN})


def _allowed(app: FastAPI, purpose: str, expected: bool) -> bool:
    """The decision point's answer once it has caught up (it looks every 0.2 s)."""
    deadline = time.monotonic() + 2
    while True:
        allow = app.state.decisions.decide({"email": ANN}, purpose).allow
        if allow is expected or time.monotonic() > deadline:
            return bool(allow)
        time.sleep(0.05)


def test_page_explains_the_choices_with_cookie_settings_and_a_labelled_field(
    client: TestClient,
) -> None:
    page = client.get("/preferences")
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert "data-tutela-preferences" in page.text and "Cookie settings" in page.text
    assert "<noscript>" in page.text and "need JavaScript" in page.text
    assert '<label for="email">' in page.text and 'name="email"' in page.text
    assert '<link rel="stylesheet" href="/static/preferences.css">' in page.text
    assert "style=" not in page.text and "<script>" not in page.text
    cookie = page.headers["set-cookie"]
    assert "tutela_preferences_csrf=" in cookie and "HttpOnly" in cookie
    assert "Path=/preferences" in cookie and page.headers["cache-control"] == "no-store"
    assert client.get("/static/preferences.css").status_code == 200


def test_the_link_is_mailed_and_moved_into_a_cookie_out_of_the_url(
    client: TestClient, inbox: tuple[Inbox, int]
) -> None:
    asked = _ask(client, ANN)
    assert asked.status_code == 303 and asked.headers["location"] == "/preferences?sent=1&lang=en"
    assert "Check your e-mail" in client.get(asked.headers["location"]).text
    found = _link(inbox, ANN)
    token = found.group(2)
    (mail,) = inbox[0].to(ANN)
    assert mail["Auto-Submitted"] == "auto-generated" and mail["Content-Language"] == "en"
    assert "The link works until" in body(mail) and not mail.is_multipart()
    assert "ann" not in token.lower() and "example" not in token.lower()
    moved = client.get(found.group(1))
    assert moved.status_code == 303 and moved.headers["location"] == f"{MANAGE}?lang=en"
    assert moved.headers["referrer-policy"] == "no-referrer"
    cookie = moved.headers["set-cookie"]
    assert f"tutela_preferences={token}" in cookie and "HttpOnly" in cookie
    assert f"Path={MANAGE}" in cookie and "samesite=lax" in cookie.lower()
    page = client.get(moved.headers["location"])
    assert page.status_code == 200 and token not in page.text
    assert page.text.count("<h1") == 1
    consent = _section(page.text, "direct_marketing")
    assert "No consent given" in consent and "Give consent" in consent
    assert "Unsubscribe" in _section(page.text, "direct_marketing_customers")
    assert 'id="purpose-website_statistics"' not in page.text  # chosen in the banner


def test_CO_3_withdrawing_is_one_click_like_giving_and_the_point_denies_at_once(
    client: TestClient,
    inbox: tuple[Inbox, int],
    app: FastAPI,
    application: Application,
    programme: Programme,
) -> None:
    _open(client, inbox)
    given = _press(client, "direct_marketing", "give", "fr")
    assert given.status_code == 303 and "done=" in given.headers["location"]
    page = client.get(given.headers["location"]).text
    with i18n.language("fr"):
        assert '<html lang="fr">' in page and _("Consent given") in page
        assert _("Withdraw consent") in _section(page, "direct_marketing")
    receipt = re.search(r'href="http://testserver(/api/v1/consent/receipts/[^"]+)"', page)
    assert receipt is not None, "no receipt link after the choice"
    document = client.get(receipt.group(1).replace("&amp;", "&")).json()
    assert document["ledger"]["action"] == "consent_given"
    assert _allowed(app, "direct_marketing", True)
    withdrawn = _press(client, "direct_marketing", "withdraw")
    assert withdrawn.status_code == 303
    page = client.get(withdrawn.headers["location"]).text
    assert "You withdrew your consent" in page and "Consent withdrawn" in page
    assert not _allowed(app, "direct_marketing", False)
    assert (
        "consent:withdrawn"
        in app.state.decisions.decide({"email": ANN}, "direct_marketing").reasons
    )
    assert _press(client, "direct_marketing", "give").status_code == 303
    assert _allowed(app, "direct_marketing", True)
    events = _history(application, programme)
    assert [e.kind for e in events] == [
        Kind.CONSENT_GIVEN,
        Kind.CONSENT_WITHDRAWN,
        Kind.CONSENT_GIVEN,
    ]
    assert {e.method for e in events} == {Method.WEB_FORM}
    assert events[0].language == "fr" and events[1].language == "en"
    assert events[0].notice_version == "marketing-consent-2026-1"
    assert document["receipt_id"] == events[0].id
    entries = {entry.request: entry for entry in application.ledger().entries()}
    assert entries[events[1].id].actor == ACTOR
    assert ANN not in str(entries[events[1].id])


def test_OB_2_unsubscribing_from_customer_marketing_records_an_absolute_objection(
    client: TestClient,
    inbox: tuple[Inbox, int],
    app: FastAPI,
    application: Application,
    programme: Programme,
) -> None:
    _open(client, inbox)
    assert _allowed(app, "direct_marketing_customers", True)
    done = _press(client, "direct_marketing_customers", "unsubscribe")
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "You are unsubscribed" in page
    section = _section(page, "direct_marketing_customers")
    assert "Unsubscribed" in section and "<button" not in section
    assert not _allowed(app, "direct_marketing_customers", False)
    again = client.post(
        MANAGE,
        data={
            "csrf": csrf_of(page),
            "purpose": "direct_marketing_customers",
            "action": "unsubscribe",
        },
    )
    assert again.status_code == 303 and "unchanged=" in again.headers["location"]
    assert "Nothing changed" in client.get(again.headers["location"]).text
    assert [e.kind for e in _history(application, programme)] == [Kind.OBJECTION]


def test_an_unknown_address_gets_the_same_answer_and_no_mail_goes_to_anyone_else(
    client: TestClient, inbox: tuple[Inbox, int], application: Application, programme: Programme
) -> None:
    _open(client, inbox)  # ann is known: she has a choice recorded
    _press(client, "direct_marketing", "give")
    before = len(inbox[0].messages)
    known, unknown = _ask(client, ANN), _ask(client, "nobody.here@example.test")
    assert (known.status_code, known.headers["location"]) == (
        unknown.status_code,
        unknown.headers["location"],
    )
    assert (
        client.get(known.headers["location"]).text == client.get(unknown.headers["location"]).text
    )
    sent = inbox[0].messages[before:]
    assert [m["To"] for m in sent] == [ANN, "nobody.here@example.test"]


def test_asking_is_rate_limited_per_address_with_the_wait_named(
    client: TestClient, inbox: tuple[Inbox, int]
) -> None:
    for _attempt in range(5):
        assert _ask(client, ANN).status_code == 303
    refused = _ask(client, ANN)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Too many links" in refused.text
    assert len(inbox[0].to(ANN)) == 5
    assert _ask(client, "bob@example.test").status_code == 303


def test_expired_tampered_and_foreign_tokens_are_refused_with_a_clear_page(
    client: TestClient, inbox: tuple[Inbox, int], app: FastAPI, application: Application
) -> None:
    _open(client, inbox)
    token = _link(inbox, ANN).group(2)
    tampered = token[:70] + ("A" if token[70] != "A" else "B") + token[71:]
    unsubscribe = application.unsubscribing(app.state.programme).token(
        {"email": ANN}, "direct_marketing"
    )
    shared = app.state.preferences
    elsewhere = PreferenceLinks(shared.consent, StoreKey.parse(StoreKey.generate()), "http://x")
    for foreign in (tampered, unsubscribe, elsewhere.token({"email": ANN})[0], "x" * 5000):
        refused = client.get(f"{MANAGE}?token={foreign}")
        assert refused.status_code == 400
        assert "This link cannot be used" in refused.text and foreign not in refused.text
        assert (
            "set-cookie" not in refused.headers
            or "tutela_preferences=" not in refused.headers["set-cookie"]
        )
    shared.consent.clock = Later(timedelta(hours=1, minutes=1))
    expired = client.get(f"{MANAGE}?token={token}")
    assert expired.status_code == 410 and "This link has expired" in expired.text
    assert client.get(MANAGE).status_code == 410  # the one kept in the cookie, too
    client.cookies.clear()
    missing = client.get(MANAGE)
    assert missing.status_code == 400 and "Open the link we sent you" in missing.text


def test_CO_3_forms_without_their_csrf_token_are_refused_and_change_nothing(
    client: TestClient, inbox: tuple[Inbox, int], application: Application, programme: Programme
) -> None:
    client.get("/preferences")
    for data in ({"email": ANN}, {"csrf": "x" * 43, "email": ANN}):
        refused = client.post("/preferences", data=data)
        assert refused.status_code == 403 and "This form has expired" in refused.text
    assert inbox[0].to(ANN) == []
    _open(client, inbox)
    refused = client.post(MANAGE, data={"purpose": "direct_marketing", "action": "give"})
    assert refused.status_code == 403 and "This form has expired" in refused.text
    assert _history(application, programme) == []


@pytest.mark.parametrize(
    ("email", "status", "words"),
    [
        ("a" * 10_000 + "@example.test", 413, "too large"),
        ("ann@example.test\r\nBcc: evil@example.test", 400, "Give one e-mail address"),
        ("ann@example.test, evil@example.test", 400, "Give one e-mail address"),
        ("<script>alert(1)</script>", 400, "Give one e-mail address"),
        ("alice' OR '1'='1", 400, "Give one e-mail address"),
        ("", 400, "Give one e-mail address"),
    ],
)
def test_hostile_addresses_are_refused_and_nothing_is_mailed(
    client: TestClient, inbox: tuple[Inbox, int], email: str, status: int, words: str
) -> None:
    refused = _ask(client, email)
    assert refused.status_code == status and words in refused.text
    assert "<script>alert" not in refused.text
    assert 'aria-describedby="email-error"' in refused.text and 'id="email-error"' in refused.text
    assert inbox[0].messages == []


def test_an_address_not_in_utf_8_is_refused(client: TestClient, inbox: tuple[Inbox, int]) -> None:
    token = csrf_of(client.get("/preferences").text)
    raw = f"csrf={token}&email=caf%E9%40example.test".encode()
    headers = {"content-type": "application/x-www-form-urlencoded"}
    refused = client.post("/preferences", content=raw, headers=headers)
    assert refused.status_code == 400 and "UTF-8" in refused.text
    assert inbox[0].messages == []


@pytest.mark.parametrize(
    ("purpose", "action"),
    [
        ("nope", "give"),
        ("website_statistics", "give"),  # a cookie purpose: the banner's
        ("shop", "withdraw"),  # not based on consent
        ("direct_marketing", "delete"),
        ("direct_marketing", "unsubscribe"),  # consent is withdrawn, not objected to
        ("direct_marketing_customers", "give"),  # legitimate interests: no consent to give
        ("direct_marketing'; drop table tutela_choice_event; --", "give"),
        ("<img src=x onerror=alert(1)>", "give"),
        ("x" * 3000, "give"),
    ],
)
def test_hostile_choices_are_refused_and_nothing_is_recorded(
    client: TestClient,
    inbox: tuple[Inbox, int],
    application: Application,
    programme: Programme,
    purpose: str,
    action: str,
) -> None:
    _open(client, inbox)
    refused = _press(client, purpose, action)
    assert refused.status_code == 400 and "This choice cannot be made here" in refused.text
    assert "<img src=x" not in refused.text
    assert _history(application, programme) == []


def test_a_choice_in_bad_encoding_or_too_large_is_refused(
    client: TestClient, inbox: tuple[Inbox, int], application: Application, programme: Programme
) -> None:
    _open(client, inbox)
    token = csrf_of(client.get(MANAGE).text)
    headers = {"content-type": "application/x-www-form-urlencoded"}
    raw = f"csrf={token}&purpose=direct_marketing%FF&action=give".encode()
    assert client.post(MANAGE, content=raw, headers=headers).status_code == 400
    large = client.post(MANAGE, data={"csrf": token, "purpose": "p" * 5000, "action": "give"})
    assert large.status_code == 413 and "too large" in large.text
    assert _history(application, programme) == []


@pytest.mark.parametrize(
    ("purpose", "listed"),
    [
        ("direct_marketing", True),  # consent, e-mail marketing (its click cookies too)
        ("direct_marketing_customers", True),  # soft opt-in: unsubscribe only (MK-1)
        ("website_statistics", False),  # consent per browser, in the banner
        ("website_preferences", False),
        ("recruitment_apply_with_platform", False),  # a LinkedIn button's cookies
        ("analytics", False),  # legitimate interests, not marketing
    ],
)
def test_CK_1_cookie_purposes_are_left_to_the_banner_and_marketing_is_listed(
    programme: Programme, purpose: str, listed: bool
) -> None:
    assert (purpose in {p.key for p in managed(programme)}) is listed
