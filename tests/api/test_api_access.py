"""Staff keys over HTTP: each role's scopes, revoked and unknown keys, and problem details."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tutela.access.keys import SCOPES, Role, Scope, key_prefix, new_key
from tutela.access.limits import SlidingWindows, Window
from tutela.bootstrap import Application

from .conftest import bearer

UNKNOWN = "00000000-0000-4000-8000-000000000000"
ROUTES = [
    ("get", "/api/v1/staff/requests", None, Scope.REQUESTS_READ),
    ("get", "/api/v1/staff/due", None, Scope.REQUESTS_READ),
    ("get", "/api/v1/staff/complaints", None, Scope.REQUESTS_READ),
    ("post", f"/api/v1/staff/requests/{UNKNOWN}/approve", None, Scope.REQUESTS_DECIDE),
    ("post", f"/api/v1/staff/requests/{UNKNOWN}/deny", {"reason": "x"}, Scope.REQUESTS_DECIDE),
    ("post", f"/api/v1/staff/requests/{UNKNOWN}/verify", {"evidence": "id"}, Scope.REQUESTS_WRITE),
    ("post", "/api/v1/ledger/checkpoint", None, Scope.LEDGER_WRITE),
    ("get", "/api/v1/ledger/checkpoint", None, Scope.LEDGER_READ),
]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES, ids=lambda v: str(v)[:40])
def test_each_role_gets_only_its_scopes_and_a_403_names_the_missing_one(
    client: TestClient,
    keys: dict[str, str],
    role: Role,
    method: str,
    path: str,
    body: dict[str, str] | None,
    scope: Scope,
) -> None:
    response = client.request(method, path, json=body, headers=bearer(keys[role.value]))
    if scope in SCOPES[role]:
        assert response.status_code != 403, response.text
    else:
        assert response.status_code == 403
        assert response.json()["scope"] == scope.value and scope.value in response.json()["detail"]
    assert response.headers["content-type"].split(";")[0] in (
        "application/json",
        "application/problem+json",
    )


def test_the_auditor_reads_but_decides_nothing() -> None:
    assert SCOPES[Role.AUDITOR] == {Scope.REQUESTS_READ, Scope.LEDGER_READ, Scope.DECISIONS_READ}
    assert Scope.REQUESTS_DECIDE not in SCOPES[Role.AGENT]
    assert SCOPES[Role.ADMIN] == set(Scope)


def test_a_revoked_key_is_refused_with_401(
    client: TestClient, application: Application, keys: dict[str, str]
) -> None:
    service = application.key_service()
    made = service.create("temp", "admin")
    assert client.get("/api/v1/staff/requests", headers=bearer(made.key)).status_code == 200
    service.revoke(made.record.id)
    response = client.get("/api/v1/staff/requests", headers=bearer(made.key))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401
    actions = [e.action for e in application.ledger().entries() if e.request == made.record.id]
    assert actions == ["key_created", "key_revoked"]
    assert all(e.actor == "staff:temp" for e in application.ledger().entries()[-2:])


def test_unknown_and_malformed_keys_are_401_and_take_the_same_time(
    client: TestClient, keys: dict[str, str]
) -> None:
    admin = keys["admin"]
    unknown = new_key()[1]
    wrong_secret = admin[:16] + ("A" if admin[16] != "A" else "B") + admin[17:]
    for presented in (unknown, wrong_secret, "tk_short", "' OR 1=1 --", "x" * 5000):
        response = client.get("/api/v1/staff/requests", headers=bearer(presented))
        assert response.status_code == 401, presented[:20]
    assert client.get("/api/v1/staff/requests").status_code == 401
    timed = {"unknown": _timed(client, unknown), "wrong": _timed(client, wrong_secret)}
    assert timed["unknown"] > 0.3 * timed["wrong"]  # an unknown prefix still hashes


def _timed(client: TestClient, key: str) -> float:
    started = time.perf_counter()
    for _ in range(5):
        client.get("/api/v1/staff/requests", headers=bearer(key))
    return time.perf_counter() - started


def test_keys_are_stored_hashed_and_shown_once(application: Application) -> None:
    made = application.key_service().create("alice", "auditor")
    assert key_prefix(made.key) == made.record.prefix
    assert made.record.hash.startswith("$argon2id$") and made.key not in made.record.hash
    listed = application.key_service().list()
    assert made.key not in repr(listed)


@pytest.mark.parametrize(
    ("name", "role"), [("alice smith", "admin"), ("a@b.c", "admin"), ("ok", "root")]
)
def test_a_bad_key_name_or_role_is_refused(application: Application, name: str, role: str) -> None:
    from tutela.access.keys import AccessError

    with pytest.raises(AccessError):
        application.key_service().create(name, role)


def test_problem_details_for_404_409_and_422(client: TestClient, keys: dict[str, str]) -> None:
    admin = bearer(keys["admin"])
    missing = client.get(f"/api/v1/staff/requests/{UNKNOWN}", headers=admin)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert set(missing.json()) >= {"type", "title", "status", "detail"}
    invalid = client.post("/api/v1/requests", json={"type": "access", "identity": {}})
    assert invalid.status_code == 422
    assert any(e["field"] == "body.identity" for e in invalid.json()["errors"])
    no_route = client.get("/api/v1/nothing")
    assert no_route.status_code == 404 and no_route.json()["status"] == 404
    no_checkpoint = client.get("/api/v1/ledger/checkpoint", headers=admin)
    assert no_checkpoint.status_code == 409


def test_a_bug_is_a_500_problem_without_its_text(api: FastAPI) -> None:
    def boom() -> None:
        raise ValueError("postgresql://app:S3cret@db/shop is down")

    api.add_api_route("/boom", boom)
    with TestClient(api, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "S3cret" not in response.text and "ValueError" not in response.text


def test_id_2_submissions_are_rate_limited_per_identity_with_retry_after(
    client: TestClient,
) -> None:
    body = {"type": "objection_direct_marketing", "identity": {"email": "ann@example.test"}}
    statuses = [client.post("/api/v1/requests", json=body).status_code for _ in range(6)]
    assert statuses == [201] * 5 + [429]
    refused = client.post("/api/v1/requests", json=body)
    assert int(refused.headers["Retry-After"]) > 0
    assert "ann@example.test" not in refused.text


def test_submissions_are_rate_limited_per_address() -> None:
    windows = SlidingWindows()
    now = datetime(2025, 3, 5, 10, tzinfo=UTC)
    limit = {"address:1.2.3.4": Window(2, timedelta(minutes=1))}
    assert [windows.attempt(limit, now) for _ in range(3)] == [0, 0, 60]
    assert windows.attempt(limit, now + timedelta(seconds=61)) == 0


HOSTILE = [
    b'{"type": "access", "identity": {"email": "' + b"a" * 100_000 + b'@x.y"}}',
    b'{"type": 12, "identity": ["email"]}',
    b'{"type": "access", "identity": {"email": "x\' OR 1=1 --"}}',
    b'{"type": "access", "identity": {"email": "a@b.c"}, "residence": "Atlantis"}',
    b'{"type": "access", "identity": {"email": "a@b.c"}, "extra": 1}',
    b'{"type": "access", "identity": {"e mail": "a@b.c"}}',
    b'{"type": "access", "identity": {"email": "a\\u0000@b.c"}}',
    b'{"type": "access", "identity": {"email": "a@b.c"}, "details": {"ground": "x"}}',
    b'{"type": "access", "identity": {"email": "a@b.c"',
    b"\xff\xfe\x00garbage",
    b"null",
    b"[]",
    b"x" * 2_000_000,
]


@pytest.mark.parametrize("body", HOSTILE, ids=lambda b: repr(b[:30]))
def test_hostile_bodies_are_4xx_problem_details_without_a_traceback(
    client: TestClient, body: bytes, keys: dict[str, str]
) -> None:
    headers = {"Content-Type": "application/json", **bearer(keys["admin"])}
    for path in ("/api/v1/requests", "/api/v1/staff/requests"):
        response = client.post(path, content=body, headers=headers)
        assert 400 <= response.status_code < 500, response.text[:300]
        assert response.headers["content-type"] == "application/problem+json"
        document = response.json()
        assert document["status"] == response.status_code and "title" in document
        text = json.dumps(document)
        assert "Traceback" not in text and 'File "' not in text and "a" * 1000 not in text
