"""Staff batch intake: ``POST /api/v1/staff/requests/batch`` submits, verifies, approves many.

Each request of a batch must leave the ledger steps the three single calls (submit,
verify with evidence, approve) leave: same actions, actor and state digests, in order.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tutela.bootstrap import Application, build
from tutela.ledger.entries import Entry
from tutela.programme.models import Programme
from tutela.requests.intake_batch import BatchItem, BatchRefused
from tutela.requests.records import state_digest
from tutela.store.ledger import open_ledger

from .conftest import bearer

BATCH = "/api/v1/staff/requests/batch"
EVIDENCE = "passport seen at the front desk"
OBJECTION = {"type": "objection", "details": {"purpose": "security"}}


def item(number: int, **more: Any) -> dict[str, Any]:
    body = {"type": "access", "identity": {"email": f"person{number}@example.test"}}
    return body | {"evidence": EVIDENCE, "approve": True} | more


def steps_of(application: Application, request: str) -> list[Entry]:
    return [e for e in application.ledger().entries() if e.request == request]


def three_calls(client: TestClient, key: str, body: dict[str, Any]) -> str:
    """Submit, verify and approve one request through the single endpoints; its id."""
    staff = "/api/v1/staff/requests"
    submit = {k: v for k, v in body.items() if k not in ("evidence", "approve")}
    made = client.post(staff, json=submit, headers=bearer(key))
    assert made.status_code == 201, made.text
    request = made.json()["id"]
    verify = {"evidence": body["evidence"]}
    verified = client.post(f"{staff}/{request}/verify", json=verify, headers=bearer(key))
    assert verified.status_code == 200, verified.text
    approved = client.post(f"{staff}/{request}/approve", headers=bearer(key))
    assert approved.status_code == 200 and approved.json()["state"] == "in_progress"
    return str(request)


def shape(entries: list[Entry]) -> list[tuple[str, str, bool, bool]]:
    """What a request's entries say apart from its id: action, actor, digest chain links."""
    return [
        (e.action, e.actor, e.before is None, i > 0 and e.before == entries[i - 1].after)
        for i, e in enumerate(entries)
    ]


def test_id_4_a_batch_of_50_ends_in_progress_with_the_ledger_of_three_calls(
    client: TestClient, application: Application, keys: dict[str, str]
) -> None:
    key = keys["privacy_officer"]
    single = three_calls(client, key, item(999))
    response = client.post(BATCH, json={"items": [item(n) for n in range(50)]}, headers=bearer(key))
    assert response.status_code == 201, response.text
    made = response.json()
    assert len(made) == 50 and {d["state"] for d in made} == {"in_progress"}
    assert set(made[0]) == {"id", "state", "due"}
    alone = steps_of(application, single)
    assert [e.action for e in alone] == [
        "submitted",
        "awaiting_identity",
        "verified",
        "in_progress",
    ]
    jobs = application.jobs()
    requests = application.request_service()
    for document in made:
        entries = steps_of(application, document["id"])
        assert shape(entries) == shape(alone)
        record = requests.show(document["id"])
        assert entries[-1].after == state_digest(record) and record.reason == EVIDENCE
        assert str(record.due_date) == document["due"]
        assert [(s.step, s.state) for s in jobs.steps(document["id"])] == [("complete", "ready")]
    assert "person1@example.test" not in str(application.ledger().rows())


def test_ob_1_an_objection_in_a_batch_is_weighed_then_approved_as_with_three_calls(
    client: TestClient, application: Application, keys: dict[str, str]
) -> None:
    key = keys["admin"]
    single = three_calls(client, key, item(900, **OBJECTION))
    held = item(901, **OBJECTION) | {"approve": False}
    body = {"items": [item(902, **OBJECTION), held]}
    response = client.post(BATCH, json=body, headers=bearer(key))
    assert response.status_code == 201, response.text
    approved, weighing = response.json()
    assert (approved["state"], weighing["state"]) == ("in_progress", "awaiting_approval")
    alone = steps_of(application, single)
    assert [e.action for e in alone][2:] == ["verified", "awaiting_approval", "in_progress"]
    assert shape(steps_of(application, approved["id"])) == shape(alone)
    assert shape(steps_of(application, weighing["id"])) == shape(alone)[:-1]
    assert application.jobs().steps(weighing["id"]) == []


def test_id_4_one_bad_item_refuses_the_whole_batch_naming_its_index(
    client: TestClient, application: Application, keys: dict[str, str]
) -> None:
    before = len(application.ledger().rows())
    items = [item(n) for n in range(5)]
    items[3] = item(3, details={"ground": "accuracy_contested"})  # an access takes no ground
    response = client.post(BATCH, json={"items": items}, headers=bearer(keys["admin"]))
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "item 3, details" in detail and "nothing of the batch was stored" in detail
    assert "person3" not in detail
    assert application.request_service().list() == []
    assert len(application.ledger().rows()) == before


@pytest.mark.parametrize(
    ("changed", "field"),
    [
        ({"identity": {"email": "not an address"}}, "identity"),
        ({"type": "objection_direct_marketing"}, "evidence"),  # no identity step to verify
        ({"type": "restriction", "details": {"ground": "unlawful"}}, "details"),
    ],
)
def test_id_4_a_refused_item_names_its_field(
    client: TestClient, keys: dict[str, str], changed: dict[str, Any], field: str
) -> None:
    items = [item(0), item(1) | changed]
    response = client.post(BATCH, json={"items": items}, headers=bearer(keys["admin"]))
    assert response.status_code == 422, response.text
    assert f"item 1, {field}:" in response.json()["detail"]


def test_the_batch_needs_requests_decide(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(BATCH, json={"items": [item(0)]}, headers=bearer(keys["agent"]))
    assert response.status_code == 403 and response.json()["scope"] == "requests:decide"
    assert client.post(BATCH, json={"items": [item(0)]}).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"items": [item(n) for n in range(1001)]},
        {"items": []},
        {"items": [item(0) | {"evidence": ""}]},
        {"items": [{k: v for k, v in item(0).items() if k != "evidence"}]},
        {"items": [item(0) | {"approve": "maybe"}]},
        {"items": [item(0) | {"identity": {"email": "x" * 400}}]},
        {"items": [item(0)], "extra": 1},
    ],
)
def test_hostile_batches_are_422_before_anything_runs(
    client: TestClient, application: Application, keys: dict[str, str], body: dict[str, Any]
) -> None:
    response = client.post(BATCH, json=body, headers=bearer(keys["admin"]))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert application.request_service().list() == []


def test_the_workers_are_woken_once_per_batch(
    application: Application, programme: Programme
) -> None:
    woken: list[int] = []
    desk = application.staff_desk(programme)
    desk.requests.wake = lambda: woken.append(1)
    items = [
        BatchItem("access", {"email": f"p{n}@example.test"}, None, None, "seen", True)
        for n in range(3)
    ]
    desk.intake(items, "staff:alice")
    assert woken == [1]
    desk.intake([BatchItem("access", {"email": "q@example.test"}, evidence="seen")], "staff:bo")
    assert woken == [1]  # verified only: nothing for the workers


def test_id_4_the_batch_is_one_transaction_on_every_store(
    database_url: str, environ: dict[str, str], programme: Programme
) -> None:
    open_ledger(database_url).close()
    application = build(environ | {"TUTELA_DATABASE_URL": database_url})
    desk = application.staff_desk(programme)
    good = [
        BatchItem("access", {"email": f"p{n}@example.test"}, "BE", None, "seen", True)
        for n in range(20)
    ]
    made = desk.intake(good, "staff:alice")
    assert {r.state for r in made} == {"in_progress"} and len({r.id for r in made}) == 20
    entries = application.ledger().entries()
    assert [e.seq for e in entries] == list(range(len(entries)))
    assert len(entries) == 80 and all(application.keeping().store.secret(r.id) for r in made)
    jobs = application.jobs()
    assert all(jobs.steps(r.id)[0].state == "ready" for r in made)
    first = jobs.steps(made[0].id)[0]
    with jobs.engine.begin() as connection:  # a step already there is left as it is
        jobs.enqueue_many(
            connection, [(made[0].id, first.ready_at + timedelta(days=1))], "complete"
        )
    assert jobs.steps(made[0].id) == [first]
    bad = BatchItem("access", {"email": "z@example.test"}, "BE", {"ground": "unlawful"}, "seen")
    with pytest.raises(BatchRefused, match="item 1, details"):
        desk.intake([good[0], bad], "staff:alice")
    assert len(application.request_service().list()) == 20
