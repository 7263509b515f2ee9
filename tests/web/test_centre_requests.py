"""The privacy centre's request pages and complaint form over ASGI, real SQLite and SMTP.

A request's whole life as a subject sees it: the form, the code read from the mail, the
status page, staff approval (the services called directly), the answer completed as the
worker does, the download. Hostile input stores nothing and is never reflected unescaped.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.conftest import csrf_of

from tutela.bootstrap import Application
from tutela.programme.models import Programme
from tutela.requests.records import RequestRecord
from tutela.testing.smtp import Inbox
from tutela.web.centre_kit import prefers_html

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SCRIPT = "<script>alert(1)</script>"
LOCAL = "testserver.local"
"""The cookie domain httpx gives the test client's host."""


def customer_email(tmp_path: Path, number: int) -> str:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'shop.sqlite'}")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT email FROM customer ORDER BY id")).all()
    engine.dispose()
    return str(rows[number][0])


def stored(app: FastAPI) -> list[RequestRecord]:
    found: list[RequestRecord] = app.state.services.requests.list()
    return found


def form_token(client: TestClient, path: str = "/request?type=access") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


def submit(client: TestClient, email: str, kind: str = "access", **more: str) -> httpx.Response:
    token = form_token(client, f"/request?type={kind}")
    data = {"csrf": token, "type": kind, "email": email, "residence": "BE", **more}
    response: httpx.Response = client.post("/request", data=data)
    return response


def request_id(response: httpx.Response) -> str:
    found = re.fullmatch(r"/request/([0-9a-f-]{36})(/code)?", response.headers["location"])
    assert found is not None, response.headers["location"]
    return found.group(1)


def state_of(text: str) -> str:
    found = re.search(r'id="request-state"[^>]*data-state="([a-z_]+)"', text)
    assert found is not None, "the page has no request state"
    return found.group(1)


def test_request_form_offers_the_programmes_types_in_plain_words(client: TestClient) -> None:
    first = client.get("/request")
    assert first.status_code == 200 and first.text.count("<h1") == 1
    assert "Get a copy of your data" in first.text and 'name="type"' in first.text
    assert 'value="complaint"' not in first.text
    form = client.get("/request?type=rectification")
    assert form.status_code == 200 and form.text.count("<h1") == 1
    for field in ('name="email"', 'name="residence"', 'name="details"', 'name="csrf"'):
        assert field in form.text
    assert 'value="US-CA"' in form.text and 'value="BE"' in form.text
    assert 'name="customer_id"' in form.text  # declared by the programme, optional
    assert '<label for="email">' in form.text and '<label for="details">' in form.text
    assert 'href="/static/centre.css"' in form.text and "<style" not in form.text
    cookie = form.headers["set-cookie"]
    assert "tutela_centre_csrf=" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
    assert "samesite=lax" in cookie.lower()
    assert client.get("/static/centre.css").status_code == 200
    assert client.get("/request?type=nonsense").status_code == 400


def test_ID_1_AC_5_request_code_status_approve_answer_download(
    client: TestClient,
    app: FastAPI,
    application: Application,
    programme: Programme,
    inbox: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    email = customer_email(tmp_path, 1)
    sent = submit(client, email)
    assert sent.status_code == 303
    identifier = request_id(sent)
    assert sent.headers["location"] == f"/request/{identifier}/code"
    cookie = sent.headers["set-cookie"]
    assert "tutela_status=" in cookie and f"Path=/request/{identifier}" in cookie
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert "token" not in sent.headers["location"]
    code_page = client.get(f"/request/{identifier}/code")
    assert code_page.status_code == 200 and "We sent a code" in code_page.text
    code = inbox[0].code_for(email)
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(
        f"/request/{identifier}/code", data={"csrf": csrf_of(code_page.text), "code": wrong}
    )
    assert refused.status_code == 422 and "attempts left" in refused.text
    verified = client.post(
        f"/request/{identifier}/code", data={"csrf": csrf_of(refused.text), "code": code}
    )
    assert verified.status_code == 303 and verified.headers["location"] == f"/request/{identifier}"
    status = client.get(f"/request/{identifier}")
    assert status.status_code == 200 and state_of(status.text) == "verified"
    assert "Get a copy of your data" in status.text and email not in status.text
    assert 'id="download"' not in status.text
    app.state.services.requests.approve(identifier, actor="staff:alice")
    dsr = application.dsr_service(programme)
    try:
        application.answering(programme).complete(identifier, dsr)  # as the worker does
    finally:
        dsr.close()
    answered = client.get(f"/request/{identifier}")
    assert state_of(answered.text) == "completed" and "The link works until" in answered.text
    link = re.search(r'id="download"[^>]*href="([^"]+)"', answered.text)
    assert link is not None
    target = urlsplit(link.group(1).replace("&amp;", "&"))
    package = client.get(f"{target.path}?{target.query}")
    assert package.status_code == 200 and package.headers["content-type"] == "application/zip"


def test_ID_2_a_new_code_is_rate_limited_and_the_wait_said_in_words(
    client: TestClient, tmp_path: Path
) -> None:
    identifier = request_id(submit(client, customer_email(tmp_path, 2)))
    page = client.get(f"/request/{identifier}/code")
    statuses = []
    for _attempt in range(6):
        response = client.post(f"/request/{identifier}/code/new", data={"csrf": csrf_of(page.text)})
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses[0] == 303 and statuses[-1] == 429
    assert int(response.headers["retry-after"]) > 0
    assert "You can ask for a new one in about" in response.text and "minute" in response.text
    assert client.get(f"/request/{identifier}/code?sent=1").status_code == 200


def test_ID_2_submissions_are_throttled_per_identity_with_retry_after(
    client: TestClient, app: FastAPI, tmp_path: Path
) -> None:
    email = customer_email(tmp_path, 3)
    codes = [submit(client, email, "erasure").status_code for _ in range(5)]
    assert codes == [303] * 5
    refused = submit(client, email, "erasure")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Too many requests from you just now" in refused.text
    assert len(stored(app)) == 5


def test_mailed_status_link_moves_the_token_to_a_cookie_for_a_browser(
    client: TestClient, tmp_path: Path
) -> None:
    sent = submit(client, customer_email(tmp_path, 4))
    identifier = request_id(sent)
    token = client.cookies.get("tutela_status", path=f"/request/{identifier}")
    assert token
    client.cookies.clear()
    link = f"/requests/{identifier}/status?token={token}"
    as_json = client.get(link, headers={"Accept": "application/json"})
    assert as_json.status_code == 200 and as_json.json()["state"] == "awaiting_identity"
    assert client.get(link).json()["id"] == identifier  # */*: the API's document
    browser = client.get(link, headers=HTML)
    assert browser.status_code == 303 and browser.headers["location"] == f"/request/{identifier}"
    assert f"Path=/request/{identifier}" in browser.headers["set-cookie"]
    assert state_of(client.get(f"/request/{identifier}").text) == "awaiting_identity"
    forged = client.get(f"/requests/{identifier}/status?token={token[:-2]}xx", headers=HTML)
    assert forged.status_code == 403 and "We cannot show this request" in forged.text


def test_unknown_ids_and_wrong_tokens_get_one_page_that_tells_nothing(
    client: TestClient, tmp_path: Path
) -> None:
    one = request_id(submit(client, customer_email(tmp_path, 4)))
    two = request_id(submit(client, customer_email(tmp_path, 5)))
    malformed = client.get("/request/not-a-request")
    unknown = client.get(f"/request/{uuid.uuid4()}")
    assert malformed.status_code == 404 and unknown.status_code == 403
    assert client.get(f"/request/{one}").status_code == 200
    token_two = client.cookies.get("tutela_status", path=f"/request/{two}")
    assert token_two
    client.cookies.set(
        "tutela_status", token_two, domain="testserver.local", path=f"/request/{one}"
    )
    foreign = client.get(f"/request/{one}")
    assert foreign.status_code == 403
    assert client.get(f"/request/{two}").status_code == 200
    assert unknown.text == foreign.text  # the same page whether the request exists or not
    for page in (malformed, unknown, foreign):
        assert "We cannot show this request" in page.text and page.text.count("<h1") == 1
    assert client.get(f"/request/{one}/code").status_code == 403


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"email": "not an address"}, 400, "email"),
        ({"email": SCRIPT}, 400, "email"),
        ({"email": f"a{SCRIPT}@example.com"}, 400, "email"),
        ({"residence": "XX"}, 400, "residence"),
        ({"residence": SCRIPT}, 400, "residence"),
        ({"customer_id": "x" * 400}, 400, "customer_id"),
        ({"type": "complaint"}, 400, "type"),
        ({"type": SCRIPT}, 400, "type"),
        ({"email": "a" * 100_000}, 413, "form"),
        ({"csrf": "forged" * 7 + "x"}, 403, "form"),
        ({"csrf": ""}, 403, "form"),
    ],
)
def test_hostile_request_forms_store_nothing_and_reflect_nothing_raw(
    client: TestClient, app: FastAPI, change: dict[str, str], status: int, field: str
) -> None:
    token = form_token(client, "/request?type=portability")
    data = {"csrf": token, "type": "portability", "email": "ann@example.com", "residence": "BE"}
    response = client.post("/request", data={**data, **change})
    assert response.status_code == status, response.text
    assert SCRIPT not in response.text and "Traceback" not in response.text
    assert "Error:" in response.text
    if field not in ("form", "type"):
        assert f'id="{field}-error"' in response.text and 'aria-invalid="true"' in response.text
    assert stored(app) == []


def test_script_in_details_is_refused_escaped_and_not_stored(
    client: TestClient, app: FastAPI
) -> None:
    refused = submit(client, "ann@example.com", "portability", details=SCRIPT)
    assert refused.status_code == 400 and SCRIPT not in refused.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in refused.text  # kept in the field, escaped
    assert 'aria-describedby="details-hint details-error"' in refused.text
    wrong_mode = submit(client, "ann@example.com", "rectification", details="drop table")
    assert wrong_mode.status_code == 400 and "Choose one of the options listed" in wrong_mode.text
    assert stored(app) == []


def test_withdraw_needs_the_form_token_and_ends_the_request(
    client: TestClient, tmp_path: Path
) -> None:
    identifier = request_id(submit(client, customer_email(tmp_path, 0), "erasure"))
    page = client.get(f"/request/{identifier}")
    assert "Withdraw this request" in page.text
    forged = client.post(f"/request/{identifier}/withdraw", data={"csrf": "x" * 43})
    assert forged.status_code == 403 and state_of(client.get(f"/request/{identifier}").text) != (
        "withdrawn"
    )
    done = client.post(f"/request/{identifier}/withdraw", data={"csrf": csrf_of(page.text)})
    assert done.status_code == 303
    after = client.get(f"/request/{identifier}")
    assert state_of(after.text) == "withdrawn" and "Withdraw this request" not in after.text
    again = client.post(f"/request/{identifier}/withdraw", data={"csrf": csrf_of(page.text)})
    assert again.status_code == 409 and "can no longer be withdrawn" in again.text


def test_CP_1_complaint_form_names_the_authorities_before_sending(client: TestClient) -> None:
    page = client.get("/complaint")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    assert "Gegevensbeschermingsautoriteit" in page.text
    assert 'href="https://dataprotectionauthority.be"' in page.text
    assert "our lead supervisory authority" in page.text and "at any time" in page.text
    for field in ('name="about"', 'name="details"', 'name="email"', 'name="residence"'):
        assert field in page.text


def test_CP_1_complaint_recorded_and_acknowledged_with_its_date_and_authorities(
    client: TestClient, app: FastAPI, inbox: tuple[Inbox, int]
) -> None:
    words = "You kept mailing me after I unsubscribed. <b>Twice</b>."
    data = {
        "csrf": form_token(client, "/complaint"),
        "about": "marketing",
        "details": words,
        "email": "ann@example.com",
        "residence": "FR",
    }
    sent = client.post("/complaint", data=data)
    assert sent.status_code == 303
    identifier = request_id(sent)
    assert sent.headers["location"] == f"/request/{identifier}"
    (record,) = stored(app)
    assert record.type == "complaint" and record.residence == "FR" and record.details is None
    identity, kept = app.state.services.requests.identity(record)
    assert identity == {"email": "ann@example.com"}
    assert kept == {"about": "marketing", "complaint": words}
    ack = client.get(f"/request/{identifier}")
    assert ack.status_code == 200 and f"REQ-{identifier[:8]}" in ack.text
    assert state_of(ack.text) == "received"
    day = record.due_date
    assert f"{day.day} {day:%B} {day.year}" in ack.text
    assert "Gegevensbeschermingsautoriteit" in ack.text and "dataprotectionauthority.be" in ack.text
    assert "CNIL" in ack.text and 'href="https://cnil.fr"' in ack.text  # where Ann lives
    assert "<b>Twice</b>" not in ack.text and "ann@example.com" not in ack.text
    assert inbox[0].to("ann@example.com") == []  # a complaint needs no code


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"details": ""}, 400, "details"),
        ({"details": "x" * 5001}, 400, "details"),
        ({"details": SCRIPT * 1000}, 413, "form"),
        ({"about": SCRIPT}, 400, "about"),
        ({"email": "nobody"}, 400, "email"),
        ({"csrf": "x" * 43}, 403, "form"),
    ],
)
def test_CP_1_hostile_complaints_store_nothing(
    client: TestClient, app: FastAPI, change: dict[str, str], status: int, field: str
) -> None:
    data = {
        "csrf": form_token(client, "/complaint"),
        "about": "other",
        "details": "Something went wrong.",
        "email": "ann@example.com",
        "residence": "BE",
    }
    response = client.post("/complaint", data={**data, **change})
    assert response.status_code == status
    assert SCRIPT not in response.text and "Error:" in response.text
    if field != "form":
        assert f'id="{field}-error"' in response.text
    assert stored(app) == []


def test_pages_keep_the_language_and_send_the_security_headers(client: TestClient) -> None:
    page: Any = client.get("/request?type=access&lang=en")
    assert 'action="/request?lang=en"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_DL_5_an_extension_is_shown_with_its_reason_and_new_date(
    client: TestClient, app: FastAPI, tmp_path: Path
) -> None:
    identifier = request_id(submit(client, customer_email(tmp_path, 1), "erasure"))
    before = client.get(f"/request/{identifier}")
    assert "(extended)" not in before.text
    extended = app.state.services.desk.extend(
        identifier, "Many requests this month", None, actor="staff:alice"
    )
    after = client.get(f"/request/{identifier}")
    day = extended.due_date
    assert "(extended)" in after.text and "Many requests this month" in after.text
    assert f"{day.day} {day:%B} {day.year}" in after.text


def test_DL_7_a_refusal_shows_its_reason_and_the_right_to_complain(
    client: TestClient, app: FastAPI, tmp_path: Path
) -> None:
    identifier = request_id(submit(client, customer_email(tmp_path, 2), "erasure"))
    app.state.services.desk.deny(identifier, "We must keep invoices ten years", actor="staff:x")
    page = client.get(f"/request/{identifier}")
    assert state_of(page.text) == "denied" and "We must keep invoices ten years" in page.text
    assert 'href="/complaint?lang=en"' in page.text and "Art" in page.text
    assert "Withdraw this request" not in page.text


def test_a_form_in_a_bad_encoding_is_refused_and_stores_nothing(
    client: TestClient, app: FastAPI
) -> None:
    token = form_token(client)
    body = f"csrf={token}&type=access&residence=BE&email=".encode() + b"\xff\xfe@\xc3.com"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = client.post("/request", content=body, headers=headers)
    assert response.status_code == 400 and 'id="email-error"' in response.text
    assert stored(app) == []


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (HTML["Accept"], True),
        ("text/html", True),
        ("*/*", False),
        ("", False),
        ("application/json", False),
        ("application/json, text/html", False),
        ("text/html;q=0.5, application/json;q=0.9", False),
        ("text/html;q=0.9, application/json;q=0.5", True),
        ("text/html;q=0", False),
        ("text/html;q=nan", False),
        ("text/html;q=7", False),
    ],
)
def test_the_mailed_link_answers_a_page_only_when_html_is_preferred(
    accept: str, html: bool
) -> None:
    assert prefers_html(accept) is html
