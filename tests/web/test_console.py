"""The console over ASGI on a real SQLite store: login, CSRF, sessions and the queue."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, Later, login

from tutela.bootstrap import Application
from tutela.programme.models import Programme
from tutela.web import console, console_auth


def _logins(application: Application) -> int:
    with application.ledger().engine.connect() as connection:
        counted = connection.execute(sa.text("select count(*) from tutela_staff_login")).scalar()
    return int(counted or 0)


def test_console_without_a_session_redirects_to_its_login(client: TestClient) -> None:
    response = client.get("/console/")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login"


def test_login_form_has_labels_autocomplete_and_a_csrf_cookie(client: TestClient) -> None:
    page = client.get("/console/login")
    assert page.status_code == 200
    assert '<label for="name">' in page.text and '<label for="password">' in page.text
    assert 'autocomplete="username"' in page.text
    assert 'autocomplete="current-password"' in page.text
    assert page.text.count("<h1") == 1
    cookie = page.headers["set-cookie"]
    assert "tutela_console_csrf=" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower() and "Path=/console" in cookie
    assert page.headers["cache-control"] == "no-store"


def test_wrong_password_gives_the_generic_error_and_no_session(client: TestClient) -> None:
    for name, password in (("alice", "wrong password here"), ("nobody", PASSWORD)):
        response = login(client, name, password)
        assert response.status_code == 401
        assert "The name or password is not right" in response.text
        assert "tutela_console=" not in response.headers.get("set-cookie", "")
    assert client.get("/console/").status_code == 303


def test_login_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/console/login")
    for form in ({"name": "alice", "password": PASSWORD}, {"csrf": "x" * 43, "name": "alice"}):
        response = client.post("/console/login", data={**{"password": PASSWORD}, **form})
        assert response.status_code == 403
        assert "This form has expired" in response.text
    assert client.get("/console/").status_code == 303


def test_queue_shows_requests_by_deadline_with_overdue_in_words(
    client: TestClient, application: Application, programme: Programme
) -> None:
    service = application.request_service(programme)
    late = service.submit(
        "access",
        {"email": "ann@example.com"},
        datetime.now(UTC) - timedelta(days=90),
        residence="BE",
    )
    fresh = service.submit("erasure", {"email": "bob@example.com"}, residence="BE")
    response = login(client)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "tutela_console=" in cookie and "HttpOnly" in cookie and "Secure" not in cookie
    page = client.get("/console/")
    assert page.status_code == 200
    assert "Logged in as" in page.text and "alice" in page.text
    assert page.text.index(late.id[:8]) < page.text.index(fresh.id[:8])
    assert "Overdue" in page.text and "ann@example.com" not in page.text


def test_queue_pages_through_open_requests_only_earliest_due_first(
    client: TestClient,
    application: Application,
    programme: Programme,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(console, "PAGE_SIZE", 2)
    service = application.request_service(programme)
    now = datetime.now(UTC)
    made = [
        service.submit("access", {"email": f"p{i}@example.com"}, now - timedelta(days=9 - i))
        for i in range(5)
    ]
    service.deny(made[0].id, "no such customer", actor="staff:alice")  # final: not queued
    login(client)
    first = client.get("/console/").text
    assert made[1].id[:8] in first and made[2].id[:8] in first
    assert made[0].id[:8] not in first and made[3].id[:8] not in first
    assert 'href="/console/?page=2&amp;lang=en" rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/console/", params={"page": "2"}).text
    assert made[3].id[:8] in second and made[4].id[:8] in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "No open requests." in client.get("/console/", params={"page": "3"}).text


@pytest.mark.parametrize("hostile", ["0", "-1", "abc", "9" * 40, "١", "<script>", ""])
def test_queue_page_numbers_that_are_not_one_give_the_first_page(
    client: TestClient, application: Application, programme: Programme, hostile: str
) -> None:
    record = application.request_service(programme).submit("access", {"email": "a@example.com"})
    login(client)
    page = client.get("/console/", params={"page": hostile})
    assert page.status_code == 200 and record.id[:8] in page.text
    assert "<script>" not in page.text


def test_due_soon_is_marked_when_the_deadline_nears(
    client: TestClient, application: Application, programme: Programme
) -> None:
    record = application.request_service(programme).submit(
        "access", {"email": "ann@example.com"}, residence="BE"
    )
    login(client)
    assert "Due soon" not in client.get("/console/").text
    left = (record.due_date - datetime.now(UTC).date()).days
    application.clock = Later(timedelta(days=left - 2))  # the queue's now; the session's not
    assert "Due soon" in client.get("/console/").text


def test_logout_ends_the_session_and_needs_the_session_token(client: TestClient) -> None:
    login(client)
    page = client.get("/console/")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    assert client.post("/console/logout", data={"csrf": "forged"}).status_code == 403
    assert client.get("/console/").status_code == 200
    response = client.post("/console/logout", data={"csrf": token.group(1)})
    assert response.status_code == 303 and response.headers["location"] == "/console/login"
    assert client.get("/console/").status_code == 303


def test_session_ends_when_idle_or_too_old(client: TestClient, app: FastAPI) -> None:
    login(client)
    assert client.get("/console/").status_code == 200
    sessions = app.state.console.sessions
    sessions.clock = Later(console_auth.IDLE + timedelta(seconds=1))
    assert client.get("/console/").status_code == 303
    sessions.clock = Later(timedelta(0))
    login(client)
    for minutes in range(25, 8 * 60, 25):  # used every 25 minutes: ends after 8 hours
        sessions.clock = Later(timedelta(minutes=minutes))
        assert client.get("/console/").status_code == 200
    sessions.clock = Later(console_auth.ABSOLUTE + timedelta(minutes=1))
    assert client.get("/console/").status_code == 303


@pytest.mark.parametrize(
    ("name", "status"),
    [("a" * 10_000, 413), ("alice' OR '1'='1", 400), ("<script>alert(1)</script>", 400)],
)
def test_hostile_names_get_a_clear_error_and_store_nothing(
    client: TestClient, application: Application, name: str, status: int
) -> None:
    response = login(client, name)
    assert response.status_code == status
    assert "<script>alert" not in response.text
    assert "Error:" in response.text
    assert client.get("/console/").status_code == 303
    assert _logins(application) == 1


def test_attempts_per_name_are_throttled(client: TestClient) -> None:
    for _attempt in range(5):
        assert login(client, "alice", "wrong password here").status_code == 401
    response = login(client)
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
