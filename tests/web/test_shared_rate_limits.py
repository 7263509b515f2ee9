"""Two app instances on one store (two engines, as two processes or hosts) share the limits.

The console's login throttle and the preference links' limit count in the store
(``tutela_rate_window``), so a second process does not grant a second allowance.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, csrf_of, login

from tutela.access.limits import SubjectLimits
from tutela.api.app import create_app
from tutela.bootstrap import Application, build
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.testing.smtp import Inbox

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
ANN = "ann.smith@example.test"


@pytest.fixture
def programme() -> Programme:
    return load_programme(EXAMPLE)


@pytest.fixture
def clients(
    app: FastAPI, application: Application, programme: Programme
) -> Iterator[tuple[TestClient, TestClient]]:
    """A client of ``app`` and one of a second app built anew from the same settings."""
    other = build(dict(application.environ))
    assert other.ledger().engine is not application.ledger().engine  # two pools, one store
    second = create_app(other, programme, limits=SubjectLimits())
    options = {"raise_server_exceptions": False, "follow_redirects": False}
    with TestClient(app, **options) as one, TestClient(second, **options) as two:
        yield one, two
    other.ledger().close()


def _ask(client: TestClient, address: str) -> httpx.Response:
    page = client.get("/preferences")
    response: httpx.Response = client.post(
        "/preferences", data={"csrf": csrf_of(page.text), "email": address}
    )
    return response


def _kept(application: Application) -> str:
    with application.ledger().engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM tutela_rate_window")).all()
    assert rows
    return repr(rows)


def test_login_attempts_on_two_apps_count_in_one_throttle(
    clients: tuple[TestClient, TestClient], application: Application
) -> None:
    one, two = clients
    for client in (one, two, one, two, one):
        assert login(client, "alice", "wrong password here").status_code == 401
    for client in (two, one):  # the right password too: the name's window is full everywhere
        refused = login(client, "alice", PASSWORD)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "alice" not in _kept(application)


def test_ID_2_preference_links_asked_on_two_apps_count_in_one_limit(
    clients: tuple[TestClient, TestClient], application: Application, inbox: tuple[Inbox, int]
) -> None:
    one, two = clients
    for client in (one, two, one, two, one):
        assert _ask(client, ANN).status_code == 303
    refused = _ask(two, ANN)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Too many links" in refused.text
    assert len(inbox[0].to(ANN)) == 5
    kept = _kept(application)
    assert ANN not in kept and "testclient" not in kept
