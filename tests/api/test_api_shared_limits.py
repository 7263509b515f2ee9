"""Two API processes on one store share the subjects' submission limits (ID-2).

Each app is built anew from the same settings, so each has its own engine and pool on
the one store, as two uvicorn workers or two hosts behind a balancer do.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tutela.access.limits import SubjectLimits, Window
from tutela.api.app import create_app
from tutela.bootstrap import build
from tutela.programme.models import Programme
from tutela.store.rate_windows import SqlRateWindows

BODY = {"type": "objection_direct_marketing", "identity": {"email": "ann@example.test"}}


@pytest.fixture
def clients(
    environ: dict[str, str], programme: Programme
) -> Iterator[tuple[TestClient, TestClient]]:
    limits = SubjectLimits(per_address=Window(7, timedelta(hours=1)))
    applications = [build(environ), build(environ)]
    apps = [create_app(found, programme, limits=limits) for found in applications]
    for app in apps:
        assert isinstance(app.state.services.subjects.windows, SqlRateWindows)
    options = {"raise_server_exceptions": False}
    with TestClient(apps[0], **options) as one, TestClient(apps[1], **options) as two:
        yield one, two
    for found in applications:
        found.ledger().close()


def test_ID_2_submissions_to_two_processes_count_in_one_limit_per_identity(
    clients: tuple[TestClient, TestClient],
) -> None:
    one, two = clients
    statuses = [c.post("/api/v1/requests", json=BODY).status_code for c in (one, two) * 3]
    assert statuses == [201] * 5 + [429]
    refused = one.post("/api/v1/requests", json=BODY)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.json()["retry_after"] == int(refused.headers["Retry-After"])


def test_ID_2_submissions_to_two_processes_count_in_one_limit_per_address(
    clients: tuple[TestClient, TestClient], environ: dict[str, str]
) -> None:
    one, two = clients
    statuses = []
    for index, client in enumerate((one, two) * 4):
        body = {**BODY, "identity": {"email": f"person{index}@example.test"}}
        statuses.append(client.post("/api/v1/requests", json=body).status_code)
    assert statuses == [201] * 7 + [429]
    engine = sa.create_engine(environ["TUTELA_DATABASE_URL"])
    with engine.connect() as connection:
        kept = repr(connection.execute(sa.text("SELECT * FROM tutela_rate_window")).all())
    engine.dispose()
    assert "example.test" not in kept and "testclient" not in kept
