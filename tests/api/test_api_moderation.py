"""Moderation over the API (seed §9): screen a post, the staff queue, decisions ledgered.

Hostile bodies are 422 problem details naming the field; each route needs its scope
(``moderation:write`` to screen, ``moderation:decide`` to read the queue and decide).
The classifier is a fake here but for the last test, which uses the real one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tutela.access.keys import SCOPES, Role, Scope
from tutela.access.limits import SubjectLimits
from tutela.api.app import create_app
from tutela.bootstrap import Application, build
from tutela.discovery.moderation import ModerationSpan, Verdict
from tutela.programme.loader import load_programme
from tutela.store.ledger import open_ledger
from tutela.testing import shopdb

from .conftest import HASH_KEY, STORE_KEY, bearer

HELD = "My colleague Anna is pregnant."
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def fake_moderate(text: str, lang: str | None = None) -> Verdict:
    if "colleague" not in text:
        return Verdict(False, (), (), lang or "en")
    start = text.index("colleague")
    return Verdict(True, ("health",), (ModerationSpan(start, len(text) - 1, "health"),), "en")


@pytest.fixture(scope="module")
def application(tmp_path_factory: pytest.TempPathFactory) -> Application:
    """One store for the module (a shop and SMTP are not needed to moderate)."""
    store = f"sqlite:///{tmp_path_factory.mktemp('moderation') / 'store.sqlite'}"
    open_ledger(store).engine.dispose()
    return build(
        {"TUTELA_DATABASE_URL": store, "TUTELA_HASH_KEY": HASH_KEY, "TUTELA_STORE_KEY": STORE_KEY}
    )


@pytest.fixture(scope="module")
def client(application: Application) -> Iterator[TestClient]:
    programme = load_programme(shopdb.shop_programme_path())
    api = create_app(application, programme, limits=SubjectLimits())
    with TestClient(api, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def keys(application: Application) -> dict[str, str]:
    service = application.key_service()
    roles = ("admin", "privacy_officer", "agent", "auditor")
    return {role: service.create(f"{role}-1", role).key for role in roles}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tutela.discovery.moderation.moderate", fake_moderate)


def _screen(client: TestClient, key: str, text: str = HELD, **extra: Any) -> Any:
    body = {"id": f"post-{uuid.uuid4().hex[:8]}", "text": text, "lang": "en", **extra}
    return client.post("/api/v1/moderation", json=body, headers=bearer(key))


def test_a_held_post_is_queued_shown_decided_and_purged(
    client: TestClient, keys: dict[str, str], application: Application, fake: None
) -> None:
    screened = _screen(client, keys["agent"])
    assert screened.status_code == 200, screened.text
    found = screened.json()
    assert found["hold"] is True and found["classes"] == ["health"]
    assert found["id"].startswith("post-")
    assert found["spans"] == [{"start": 3, "end": len(HELD) - 1, "class": "health"}]
    queue_id, officer = found["queue_id"], bearer(keys["privacy_officer"])
    listed = client.get("/api/v1/staff/moderation?limit=200", headers=officer).json()
    [item] = [item for item in listed["items"] if item["id"] == queue_id]
    assert "text" not in item and item["classes"] == ["health"] and item["status"] == "held"
    shown = client.get(f"/api/v1/staff/moderation/{queue_id}", headers=officer).json()
    assert shown["text"] == HELD and shown["status"] == "held"
    decided = client.post(
        f"/api/v1/staff/moderation/{queue_id}/decide",
        json={"decision": "remove", "reason": "a colleague's health"},
        headers=officer,
    )
    assert decided.status_code == 200 and decided.json()["status"] == "removed"
    assert decided.json()["decided_by"] == "staff:privacy_officer-1"
    shown = client.get(f"/api/v1/staff/moderation/{queue_id}", headers=officer).json()
    assert shown["text"] is None
    entries = [e for e in application.ledger().entries() if e.request == f"moderation:{queue_id}"]
    assert [(e.action, e.actor) for e in entries] == [
        ("moderation_held", "staff:agent-1"),
        ("moderation_removed", "staff:privacy_officer-1"),
    ]


def test_an_allowed_post_is_answered_and_not_queued(
    client: TestClient, keys: dict[str, str], application: Application, fake: None
) -> None:
    admin = bearer(keys["admin"])
    before = client.get("/api/v1/staff/moderation", headers=admin).json()["total"]
    entries = len(application.ledger().entries())
    answer = _screen(client, keys["admin"], "I am pregnant.", lang=None)
    assert answer.status_code == 200
    assert answer.json() == {
        "id": answer.json()["id"],
        "hold": False,
        "classes": [],
        "spans": [],
        "queue_id": None,
    }
    assert client.get("/api/v1/staff/moderation", headers=admin).json()["total"] == before
    assert len(application.ledger().entries()) == entries


def test_a_second_decision_is_the_same_or_a_409(
    client: TestClient, keys: dict[str, str], fake: None
) -> None:
    queue_id = _screen(client, keys["admin"]).json()["queue_id"]
    path, admin = f"/api/v1/staff/moderation/{queue_id}/decide", bearer(keys["admin"])
    first = client.post(path, json={"decision": "allow", "reason": "ok"}, headers=admin)
    again = client.post(path, json={"decision": "allow", "reason": "again"}, headers=admin)
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    other = client.post(path, json={"decision": "remove", "reason": "no"}, headers=admin)
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    assert "a decision is final" in other.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"/api/v1/staff/moderation/{UNKNOWN}"),
        ("post", f"/api/v1/staff/moderation/{UNKNOWN}/decide"),
    ],
)
def test_an_unknown_queue_id_is_404_and_a_malformed_one_422(
    client: TestClient, keys: dict[str, str], method: str, path: str
) -> None:
    body = {"decision": "allow", "reason": "ok"} if method == "post" else None
    admin = bearer(keys["admin"])
    assert client.request(method, path, json=body, headers=admin).status_code == 404
    malformed = path.replace(UNKNOWN, "..%2F..%2Fetc")
    assert client.request(method, malformed, json=body, headers=admin).status_code in (404, 422)
    assert (
        client.request(
            method, path.replace(UNKNOWN, "x" * 36), json=body, headers=admin
        ).status_code
        == 422
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "p", "text": 5, "lang": "en"}, "body.text"),
        ({"id": 5, "text": HELD}, "body.id"),
        ({"id": "p", "text": "a" * 20_001}, "body.text"),
        ({"id": "p", "text": ""}, "body.text"),
        ({"id": "x" * 201, "text": HELD}, "body.id"),
        ({"id": "p", "text": HELD, "lang": "es"}, "body.lang"),
        ({"id": "p", "text": HELD, "lang": 1}, "body.lang"),
        ({"id": "p", "text": HELD, "author": "ann"}, "body.author"),
        ({"text": HELD}, "body.id"),
        ({"id": "p", "text": ["a"]}, "body.text"),
        ([HELD], "body"),
    ],
)
def test_a_hostile_post_is_422_with_problem_details_naming_the_field(
    client: TestClient, keys: dict[str, str], fake: None, body: Any, field: str
) -> None:
    answer = client.post("/api/v1/moderation", json=body, headers=bearer(keys["admin"]))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in answer.json()["errors"]]


@pytest.mark.parametrize(
    "body",
    [
        {"decision": "approve", "reason": "ok"},
        {"decision": "allow"},
        {"decision": "allow", "reason": ""},
        {"decision": "allow", "reason": "x" * 1001},
        {"decision": "allow", "reason": "ok", "notify": True},
        {"decision": True, "reason": "ok"},
    ],
)
def test_a_hostile_decision_is_422_and_leaves_the_post_held(
    client: TestClient, keys: dict[str, str], fake: None, body: dict[str, Any]
) -> None:
    queue_id = _screen(client, keys["admin"]).json()["queue_id"]
    admin = bearer(keys["admin"])
    answer = client.post(f"/api/v1/staff/moderation/{queue_id}/decide", json=body, headers=admin)
    assert answer.status_code == 422 and answer.json()["status"] == 422
    shown = client.get(f"/api/v1/staff/moderation/{queue_id}", headers=admin).json()
    assert shown["status"] == "held" and shown["text"] == HELD


def test_a_body_over_the_limit_is_413_unread(client: TestClient, keys: dict[str, str]) -> None:
    body = '{"id": "p", "text": "' + "a" * 1_100_000 + '"}'
    headers = {**bearer(keys["admin"]), "Content-Type": "application/json"}
    assert client.post("/api/v1/moderation", content=body, headers=headers).status_code == 413


ROUTES = [
    ("post", "/api/v1/moderation", {"id": "p", "text": "hello"}, Scope.MODERATION_WRITE),
    ("get", "/api/v1/staff/moderation", None, Scope.MODERATION_DECIDE),
    ("get", f"/api/v1/staff/moderation/{UNKNOWN}", None, Scope.MODERATION_DECIDE),
    (
        "post",
        f"/api/v1/staff/moderation/{UNKNOWN}/decide",
        {"decision": "allow", "reason": "ok"},
        Scope.MODERATION_DECIDE,
    ),
]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES, ids=lambda v: str(v)[:40])
def test_each_moderation_route_needs_its_scope(
    client: TestClient,
    keys: dict[str, str],
    fake: None,
    role: Role,
    method: str,
    path: str,
    body: dict[str, str] | None,
    scope: Scope,
) -> None:
    answer = client.request(method, path, json=body, headers=bearer(keys[role.value]))
    if scope in SCOPES[role]:
        assert answer.status_code in (200, 404), answer.text
    else:
        assert answer.status_code == 403 and answer.json()["scope"] == scope.value
    assert client.request(method, path, json=body).status_code == 401


def test_the_roles_that_screen_and_decide() -> None:
    deciders = {role for role in Role if Scope.MODERATION_DECIDE in SCOPES[role]}
    screeners = {role for role in Role if Scope.MODERATION_WRITE in SCOPES[role]}
    assert deciders == {Role.ADMIN, Role.PRIVACY_OFFICER}
    assert screeners == {Role.ADMIN, Role.PRIVACY_OFFICER, Role.AGENT}


def test_the_openapi_document_describes_the_moderation_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    operation = paths["/api/v1/moderation"]["post"]
    assert operation["tags"] == ["moderation"] and operation["summary"]
    assert list(operation["responses"]["422"]["content"]) == ["application/problem+json"]
    for path in ("/api/v1/staff/moderation", "/api/v1/staff/moderation/{id}/decide"):
        assert path in paths


@pytest.mark.parametrize(
    ("text", "lang", "kind", "hold"),
    [
        ("My colleague Anna is pregnant.", "en", "health", True),
        ("I am pregnant.", "en", "health", False),
        ("The union negotiated a raise for everyone.", "en", "trade_union", False),
        ("Ma voisine Claire est musulmane, elle prie tous les soirs.", "fr", "religion", True),
        ("Je suis musulmane et fière de l'être.", "fr", "religion", False),
        ("Le cabinet médical est fermé le lundi.", "fr", "health", False),
        ("Mijn collega Joris is homo, wist je dat?", "nl", "sexual_orientation", True),
        ("Ik ben lid van de vakbond.", "nl", "trade_union", False),
        ("Mein Nachbar Thomas wählt die AfD.", "de", "political_opinion", True),
        ("Die Fans des FC Bayern feierten die ganze Nacht.", "de", "political_opinion", False),
    ],
)
def test_the_real_classifier_holds_others_art9_data_and_allows_the_authors_in_four_languages(
    client: TestClient, keys: dict[str, str], text: str, lang: str, kind: str, hold: bool
) -> None:
    answer = _screen(client, keys["admin"], text, lang=lang)
    assert answer.status_code == 200, answer.text
    assert answer.json()["hold"] is hold and (answer.json()["queue_id"] is not None) is hold
    assert (kind in answer.json()["classes"]) is hold
