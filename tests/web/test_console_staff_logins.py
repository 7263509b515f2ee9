"""`tutela staff disable`, `enable` and `remove` as the console feels them, over ASGI.

The commands run through Typer's runner on the app's own SQLite store while the client
holds a session: a disabled login's open tab is sent to the login form on its next
request, and its login attempts get exactly the page of a wrong password.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, csrf_of, login
from typer.testing import CliRunner

from tutela.bootstrap import Application
from tutela.cli.main import app as cli
from tutela.store.console import login_service


def _staff(application: Application, *argv: str) -> None:
    """Run `tutela staff ARGV` on the application's store; it must succeed."""
    env = {key: application.environ[key] for key in ("TUTELA_DATABASE_URL", "TUTELA_STORE_KEY")}
    result = CliRunner().invoke(cli, ["staff", *argv], env=env)
    assert result.exit_code == 0, result.output


def _page(response: httpx.Response) -> str:
    """The page without its per-request CSRF token."""
    return re.sub(r'name="csrf" value="[^"]+"', 'name="csrf" value=""', response.text)


def test_disable_ends_an_open_session_on_its_next_request(
    client: TestClient, application: Application
) -> None:
    assert login(client).status_code == 303
    assert client.get("/console/").status_code == 200
    _staff(application, "disable", "alice")
    refused = client.get("/console/")
    assert refused.status_code == 303 and refused.headers["location"] == "/console/login"
    _staff(application, "enable", "alice")
    assert client.get("/console/").status_code == 303  # the ended session stays ended


def test_a_disabled_login_gets_exactly_the_wrong_password_page(
    client: TestClient, application: Application
) -> None:
    wrong = login(client, "alice", "not the password at all")
    _staff(application, "disable", "alice")
    disabled = login(client, "alice", PASSWORD)
    assert disabled.status_code == wrong.status_code == 401
    assert _page(disabled) == _page(wrong)
    assert "The name or password is not right" in disabled.text
    assert "tutela_console=" not in disabled.headers.get("set-cookie", "")
    assert client.get("/console/").status_code == 303
    _staff(application, "enable", "alice")
    enabled = login(client)
    assert enabled.status_code == 303 and enabled.headers["location"] == "/console/"
    assert client.get("/console/").status_code == 200


def test_disable_ends_an_admin_s_pending_login(
    client: TestClient, application: Application
) -> None:
    logins = login_service(application.ledger(), application.clock, application.store_key())
    record = logins.add("root", "admin", PASSWORD)
    secret = parse_qs(urlsplit(logins.provisioning_uri(record)).query)["secret"][0]
    assert login(client, "root", PASSWORD).headers["location"] == "/console/login/code"
    form = client.get("/console/login/code")
    _staff(application, "disable", "root")
    code = pyotp.TOTP(secret).now()
    response = client.post("/console/login/code", data={"csrf": csrf_of(form.text), "code": code})
    assert response.status_code == 401 and "tutela_console" not in response.cookies
    assert client.get("/console/").status_code == 303


def test_remove_ends_an_open_session(client: TestClient, application: Application) -> None:
    assert login(client).status_code == 303
    _staff(application, "remove", "alice", "--yes")
    assert client.get("/console/").status_code == 303
    assert login(client).status_code == 401
