"""The console's TOTP second factor for admins, over ASGI on a real SQLite store.

An admin's right password opens only a pending login (5 minutes, an HttpOnly cookie kept
as its SHA-256); the session opens with a 6-digit code of the current step or one step
off, never twice the same; wrong, old, replayed and garbage codes are refused and count
in the login throttle.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, Later, csrf_of, login

from tutela.bootstrap import Application
from tutela.store.console import login_service, pending_table
from tutela.web import console_auth

ADMIN = "root"


@pytest.fixture
def secret(app: FastAPI, application: Application) -> str:
    """The TOTP secret of the admin ``root``, added as `tutela staff add-login` does."""
    logins = login_service(application.ledger(), application.clock, application.store_key())
    record = logins.add(ADMIN, "admin", PASSWORD)
    query = parse_qs(urlsplit(logins.provisioning_uri(record)).query)
    return query["secret"][0]


class Frozen:
    """A clock stopped at ``at``: the TOTP step cannot change under a test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def frozen(client: TestClient, app: FastAPI) -> datetime:
    """Stop the login service's clock (the sessions' keeps running); the time it shows."""
    client.get("/console/login")  # builds the console of the app
    at = datetime.now(UTC)
    app.state.console.logins.clock = Frozen(at)
    return at


def _at(secret: str, at: datetime, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(at, counter_offset=steps)


def _code(secret: str, steps: int = 0, shift: timedelta = timedelta(0)) -> str:
    return pyotp.TOTP(secret).at(datetime.now(UTC) + shift, counter_offset=steps)


def _password_step(client: TestClient) -> httpx.Response:
    response = login(client, ADMIN, PASSWORD)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/console/login/code"
    return response


def _send_code(client: TestClient, code: str) -> httpx.Response:
    form = client.get("/console/login/code")
    assert form.status_code == 200, form.text
    return client.post("/console/login/code", data={"csrf": csrf_of(form.text), "code": code})


def _pending(application: Application) -> list[sa.RowMapping]:
    with application.ledger().engine.connect() as connection:
        return list(connection.execute(sa.select(pending_table)).mappings())


def test_an_admin_needs_the_code_after_the_password(client: TestClient, secret: str) -> None:
    response = _password_step(client)
    cookie = response.headers["set-cookie"]
    assert "tutela_console_pending=" in cookie and "HttpOnly" in cookie
    assert "tutela_console_pending" in response.cookies
    assert "tutela_console" not in response.cookies
    assert client.get("/console/").status_code == 303  # no session yet
    page = client.get("/console/login/code")
    assert page.text.count("<h1") == 1 and '<label for="code">' in page.text
    assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text
    assert page.headers["cache-control"] == "no-store"
    response = _send_code(client, _code(secret))
    assert response.status_code == 303 and response.headers["location"] == "/console/"
    assert "tutela_console" in response.cookies
    queue = client.get("/console/")
    assert queue.status_code == 200 and "root" in queue.text and "(admin)" in queue.text


def test_the_pending_login_keeps_only_the_hash_of_its_cookie(
    client: TestClient, application: Application, secret: str
) -> None:
    response = _password_step(client)
    token = re.search(r"tutela_console_pending=([^;]+)", response.headers["set-cookie"])
    assert token is not None
    [row] = _pending(application)
    assert row["digest"] == hashlib.sha256(token.group(1).encode()).hexdigest()
    assert token.group(1) not in repr(dict(row))
    _send_code(client, _code(secret))
    assert _pending(application) == []  # used once


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("", 401),
        ("12345", 401),
        ("abcdef", 401),
        ("12 456", 401),
        ("١٢٣٤٥٦", 401),  # Arabic-Indic digits
        ("１２３４５６", 401),  # fullwidth digits
        ("<script>alert(1)</script>", 401),
        ("1" * 100_000, 413),
    ],
)
def test_garbage_codes_are_refused_and_not_echoed(
    client: TestClient, secret: str, code: str, status: int
) -> None:
    _password_step(client)
    response = _send_code(client, code)
    assert response.status_code == status
    assert "Error:" in response.text and "<script>alert" not in response.text
    assert code[:50] not in response.text or code.strip() == ""
    assert "tutela_console" not in response.cookies
    assert client.get("/console/").status_code == 303


@pytest.mark.parametrize("steps", [-3, -2, 2])
def test_old_and_future_codes_are_refused(
    client: TestClient, secret: str, frozen: datetime, steps: int
) -> None:
    _password_step(client)
    response = _send_code(client, _at(secret, frozen, steps))
    assert response.status_code == 401
    assert "The code is not right, or it was used already" in response.text
    assert client.get("/console/").status_code == 303


@pytest.mark.parametrize("steps", [-1, 1])
def test_a_code_one_step_off_is_accepted(
    client: TestClient, secret: str, frozen: datetime, steps: int
) -> None:
    _password_step(client)
    assert _send_code(client, _at(secret, frozen, steps)).status_code == 303
    assert client.get("/console/").status_code == 200


def test_a_replayed_code_is_refused(client: TestClient, secret: str) -> None:
    code = _code(secret, 1)  # valid for the next minute and a half: no step change in between
    _password_step(client)
    assert _send_code(client, code).status_code == 303
    page = client.get("/console/")
    client.post("/console/logout", data={"csrf": csrf_of(page.text)})
    assert client.get("/console/").status_code == 303
    _password_step(client)
    response = _send_code(client, code)
    assert response.status_code == 401
    assert client.get("/console/").status_code == 303


def test_an_expired_pending_login_is_refused(client: TestClient, app: FastAPI, secret: str) -> None:
    _password_step(client)
    form = client.get("/console/login/code")
    shift = console_auth.PENDING_LIFE + timedelta(seconds=1)
    app.state.console.sessions.clock = Later(shift)
    app.state.console.logins.clock = Later(shift)
    response = client.post(
        "/console/login/code",
        data={"csrf": csrf_of(form.text), "code": _code(secret, shift=shift)},
    )
    assert response.status_code == 401
    assert "Your login has expired" in response.text and 'name="password"' in response.text
    assert client.get("/console/login/code").status_code == 401
    assert client.get("/console/").status_code == 303


def test_the_code_form_needs_its_csrf_token(client: TestClient, secret: str) -> None:
    _password_step(client)
    for token in ("forged", ""):
        response = client.post("/console/login/code", data={"csrf": token, "code": _code(secret)})
        assert response.status_code == 403 and "This form has expired" in response.text
    assert client.get("/console/").status_code == 303
    assert _send_code(client, _code(secret)).status_code == 303  # the code was not spent


def test_a_code_without_a_pending_login_is_refused(client: TestClient, secret: str) -> None:
    for cookie in ("", "x" * 10_000, "forged-token"):
        client.cookies.set("tutela_console_pending", cookie, path="/console")
        response = client.post("/console/login/code", data={"csrf": "x", "code": _code(secret)})
        assert response.status_code == 401 and "Log in again" in response.text
    assert client.get("/console/").status_code == 303


def test_code_attempts_count_in_the_login_throttle(client: TestClient, secret: str) -> None:
    _password_step(client)  # the first of five attempts for this name
    wrong = "000000" if _code(secret) != "000000" else "111111"
    for _attempt in range(4):
        assert _send_code(client, wrong).status_code == 401
    response = _send_code(client, _code(secret))
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    assert client.get("/console/").status_code == 303


def test_an_admin_without_a_secret_is_told_what_to_run(
    client: TestClient, application: Application, secret: str
) -> None:
    with application.ledger().engine.begin() as connection:
        connection.execute(sa.text("update tutela_staff_login set totp = null"))
    response = login(client, ADMIN, PASSWORD)
    assert response.status_code == 403
    assert "tutela staff totp root" in response.text
    assert "tutela_console" not in response.cookies
    assert "tutela_console_pending" not in response.cookies
    assert client.get("/console/").status_code == 303


def test_a_new_secret_ends_the_admin_sessions(
    client: TestClient, application: Application, secret: str
) -> None:
    _password_step(client)
    _send_code(client, _code(secret))
    assert client.get("/console/").status_code == 200
    logins = login_service(application.ledger(), application.clock, application.store_key())
    logins.enrol(ADMIN)
    assert client.get("/console/").status_code == 303


def test_other_roles_still_log_in_with_a_password_alone(client: TestClient, secret: str) -> None:
    response = login(client)
    assert response.status_code == 303 and response.headers["location"] == "/console/"
    assert client.get("/console/").status_code == 200
