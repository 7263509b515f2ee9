"""The console's sessions in tutela's store: shared by processes, hashed, timed, revocable.

Two apps built from two applications on one SQLite store stand for two server processes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.conftest import Later, csrf_of, login

from tutela.access.limits import SubjectLimits
from tutela.api.app import create_app
from tutela.bootstrap import Application, build
from tutela.programme.models import Programme
from tutela.store import migrate
from tutela.store.console import session_table
from tutela.web import console_auth


@pytest.fixture
def other_app(application: Application, programme: Programme) -> FastAPI:
    """A second app on the same store, from its own application (another process)."""
    return create_app(build(application.environ), programme, limits=SubjectLimits())


@pytest.fixture
def other(other_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(other_app, raise_server_exceptions=False, follow_redirects=False) as found:
        yield found


def _session_cookie(response: httpx.Response) -> str:
    value = response.cookies.get("tutela_console")
    assert value, "the login set no session cookie"
    return value


def _sessions(application: Application) -> list[sa.RowMapping]:
    with application.ledger().engine.connect() as connection:
        return list(connection.execute(sa.select(session_table)).mappings())


def test_the_store_has_the_sessions_tables_of_0011(application: Application) -> None:
    engine = application.ledger().engine
    assert migrate.revision(engine) == migrate.head()
    script = ScriptDirectory.from_config(migrate.alembic_config()).get_revision(
        "0011_console_sessions"
    )
    assert script is not None and script.down_revision == "0010_console"
    tables = set(sa.inspect(engine).get_table_names())
    assert {"tutela_console_session", "tutela_console_pending"} <= tables


def test_a_session_opened_by_one_app_is_found_by_another(
    client: TestClient, other: TestClient
) -> None:
    cookie = _session_cookie(login(client))
    other.cookies.set("tutela_console", cookie, path="/console")
    page = other.get("/console/")
    assert page.status_code == 200 and "alice" in page.text
    response = client.post("/console/logout", data={"csrf": csrf_of(page.text)})
    assert response.status_code == 303  # the token given by the other app is the session's
    assert other.get("/console/").status_code == 303


def test_the_store_keeps_only_the_hash_of_the_session_id(
    client: TestClient, application: Application
) -> None:
    cookie = _session_cookie(login(client))
    [row] = _sessions(application)
    assert row["digest"] == hashlib.sha256(cookie.encode()).hexdigest()
    assert cookie not in repr(dict(row))
    assert row["role"] == "privacy_officer" and len(row["login_id"]) == 36
    assert set(row) == {"digest", "login_id", "role", "csrf", "created_at", "seen_at"}


def test_last_use_is_written_at_most_once_a_minute(
    client: TestClient, app: FastAPI, application: Application
) -> None:
    login(client)
    [first] = _sessions(application)
    sessions = app.state.console.sessions
    sessions.clock = Later(timedelta(seconds=30))
    assert client.get("/console/").status_code == 200
    assert _sessions(application)[0]["seen_at"] == first["seen_at"]
    sessions.clock = Later(console_auth.TOUCH_EVERY + timedelta(seconds=5))
    assert client.get("/console/").status_code == 200
    assert _sessions(application)[0]["seen_at"] > first["seen_at"]


def test_idle_and_absolute_limits_hold_across_apps(
    client: TestClient, other: TestClient, other_app: FastAPI
) -> None:
    cookie = _session_cookie(login(client))
    other.cookies.set("tutela_console", cookie, path="/console")
    assert other.get("/console/").status_code == 200  # builds the other app's console
    sessions = other_app.state.console.sessions
    sessions.clock = Later(console_auth.IDLE + timedelta(seconds=1))
    assert other.get("/console/").status_code == 303
    assert client.get("/console/").status_code == 303  # ended for every process
    sessions.clock = Later(timedelta(0))
    cookie = _session_cookie(login(client))
    other.cookies.set("tutela_console", cookie, path="/console")
    for minutes in range(25, 8 * 60, 25):
        sessions.clock = Later(timedelta(minutes=minutes))
        assert other.get("/console/").status_code == 200
    sessions.clock = Later(console_auth.ABSOLUTE + timedelta(minutes=1))
    assert other.get("/console/").status_code == 303


def test_ended_sessions_are_deleted_when_a_session_opens(
    client: TestClient, app: FastAPI, application: Application
) -> None:
    login(client)
    sessions = app.state.console.sessions
    sessions.clock = Later(console_auth.ABSOLUTE + timedelta(minutes=1))
    cookie = _session_cookie(login(client))
    [row] = _sessions(application)
    assert row["digest"] == hashlib.sha256(cookie.encode()).hexdigest()


def test_a_disabled_or_removed_login_ends_its_sessions(
    client: TestClient, application: Application
) -> None:
    login(client)
    engine = application.ledger().engine
    with engine.begin() as connection:
        connection.execute(sa.text("update tutela_staff_login set disabled_at = '2026-01-01'"))
    assert client.get("/console/").status_code == 303
    assert _sessions(application) == []
    with engine.begin() as connection:
        connection.execute(sa.text("update tutela_staff_login set disabled_at = null"))
    login(client)
    with engine.begin() as connection:
        connection.execute(sa.text("delete from tutela_staff_login"))
    assert client.get("/console/").status_code == 303


@pytest.mark.parametrize(
    "cookie", [b"", b"x" * 10_000, "\u00e9".encode() * 50, b"\xff\xfe", b"' OR 1=1 --"]
)
def test_hostile_session_cookies_are_no_session(
    client: TestClient, application: Application, cookie: bytes
) -> None:
    real = _session_cookie(login(client))
    client.cookies.clear()  # only the hostile cookie is sent
    response = client.get("/console/", headers={"cookie": b"tutela_console=" + cookie})
    assert response.status_code == 303 and response.headers["location"] == "/console/login"
    assert len(_sessions(application)) == 1  # the real session is left as it is
    client.cookies.set("tutela_console", real, path="/console")
    assert client.get("/console/").status_code == 200
