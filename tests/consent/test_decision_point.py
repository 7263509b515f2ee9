"""The decision point kept current from the store, and served over HTTP (CO-1, CO-3)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.consent.test_decisions import ALICE, BOB, T0, event, programme

from tutela.api.app import create_app
from tutela.bootstrap import Application, build
from tutela.consent.decisions import DecisionTable
from tutela.consent.point import DecisionPoint
from tutela.consent.records import ALL_PURPOSES, ChoiceEvent, Kind, Method
from tutela.consent.service import ConsentService, Context
from tutela.programme.loader import load_programme
from tutela.store.consent import SqlChoiceStore
from tutela.store.ledger import SqlLedger, open_ledger

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
HASH_KEY = b"point-test-hash-key"
ANN = {"email": "ann@example.test"}
ROLES = ("admin", "privacy_officer", "agent", "auditor")
WEB = Context(Method.WEB_FORM, notice_version=None)


@dataclass
class MovingClock:
    """A clock the test moves."""

    now_at: datetime = T0

    def now(self) -> datetime:
        """The time the test set."""
        return self.now_at


def _history() -> list[ChoiceEvent]:
    return [
        event(Kind.CONSENT_GIVEN, "direct_marketing", 1),
        event(Kind.OBJECTION, "analytics", 2),
        event(Kind.CONSENT_GIVEN, "partner_ads", 3, subject=BOB),
        event(Kind.RESTRICTION, ALL_PURPOSES, 4, ends_at=T0 + timedelta(hours=6)),
        event(Kind.CONSENT_WITHDRAWN, "direct_marketing", 5),
        event(Kind.OPT_OUT, ALL_PURPOSES, 5, subject=BOB),
        event(Kind.OBJECTION_LIFTED, "analytics", 7),
        event(Kind.CONSENT_GIVEN, "direct_marketing", 7),
        event(Kind.CONSENT_WITHDRAWN, "direct_marketing", 7),
        event(Kind.CONSENT_GIVEN, "no_such_purpose", 8),
    ]


@pytest.mark.parametrize("cut", [0, 1, 3, 5, 8, 10])
def test_co_3_apply_gives_the_table_compile_gives(cut: int) -> None:
    events = _history()
    compiled = DecisionTable.compile(programme(), events)
    applied = DecisionTable.compile(programme(), events[:cut]).apply(events[cut:])
    assert applied.subjects == compiled.subjects
    for hours in (0, 2, 4, 5, 6, 7, 9):
        at = T0 + timedelta(hours=hours)
        for purpose in ("direct_marketing", "analytics", "partner_ads", "data_sharing"):
            for subject in (ALICE, BOB):
                assert applied.decide(subject, purpose, at) == compiled.decide(subject, purpose, at)


def test_apply_without_events_is_the_same_table() -> None:
    table = DecisionTable.compile(programme(), _history())
    assert table.apply([]) is table
    assert table.apply([event(Kind.CONSENT_GIVEN, "no_such_purpose", 9)]) is table


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[SqlLedger]:
    opened = open_ledger(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield opened
    opened.close()


def _point(ledger: SqlLedger, clock: MovingClock, refresh: float) -> DecisionPoint:
    store = SqlChoiceStore(ledger.engine, ledger)
    return DecisionPoint(store, load_programme(EXAMPLE), clock, refresh, hash_key=HASH_KEY)


def test_co_3_a_withdrawal_in_one_process_is_honoured_by_another_within_refresh(
    ledger: SqlLedger,
) -> None:
    clock = MovingClock()
    service = ConsentService(
        SqlChoiceStore(ledger.engine, ledger), load_programme(EXAMPLE), HASH_KEY, clock
    )
    first, second = _point(ledger, clock, 0.2), _point(ledger, clock, 0.2)
    assert second.decide(ANN, "direct_marketing").reasons == ("consent:missing",)
    service.give(ANN, "direct_marketing", WEB, actor="system")
    clock.now_at += timedelta(seconds=1)
    assert first.decide(ANN, "direct_marketing").allow
    assert second.decide(ANN, "direct_marketing").allow
    service.withdraw(ANN, "direct_marketing", WEB, actor="system")
    clock.now_at += timedelta(seconds=0.1)
    assert second.decide(ANN, "direct_marketing").allow  # within refresh: not yet read
    clock.now_at += timedelta(seconds=0.1)
    found = second.decide_many([(ANN, "direct_marketing", None), (ANN, "analytics", None)])
    assert [d.reasons for d in found] == [("consent:withdrawn",), ("basis:legitimate_interests",)]
    assert first.decide(ANN, "direct_marketing").reasons == ("consent:withdrawn",)


def test_co_3_an_event_read_twice_is_folded_in_once(ledger: SqlLedger) -> None:
    clock = MovingClock()
    store = SqlChoiceStore(ledger.engine, ledger)
    service = ConsentService(store, load_programme(EXAMPLE), HASH_KEY, clock)
    point = _point(ledger, clock, 0)
    service.give(ANN, "direct_marketing", WEB, actor="system")
    assert point.decide(ANN, "direct_marketing").allow
    point._window, point._token = 0, (0, 0)  # as if the event came after the last look
    service.withdraw(ANN, "direct_marketing", WEB, actor="system")
    clock.now_at += timedelta(seconds=1)
    steps = point.table().subjects[point.subject(ANN)]
    assert [s[2] for s in steps] == [Kind.CONSENT_GIVEN, Kind.CONSENT_WITHDRAWN]


def test_a_reference_decides_without_a_hash_key_and_an_identity_needs_one(
    ledger: SqlLedger,
) -> None:
    point = DecisionPoint(
        SqlChoiceStore(ledger.engine, ledger), load_programme(EXAMPLE), MovingClock()
    )
    assert point.decide("ref", "direct_marketing").reasons == ("consent:missing",)
    with pytest.raises(Exception, match="no hash key"):
        point.decide(ANN, "direct_marketing")


@pytest.fixture
def application(tmp_path: Path) -> Application:
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_ledger(store).close()
    return build({"TUTELA_DATABASE_URL": store, "TUTELA_HASH_KEY": HASH_KEY.decode()})


@pytest.fixture
def client(application: Application) -> Iterator[TestClient]:
    api = create_app(application, load_programme(EXAMPLE))
    with TestClient(api, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def keys(application: Application) -> dict[str, dict[str, str]]:
    service = application.key_service()
    made = {role: service.create(f"{role}-1", role).key for role in ROLES}
    return {role: {"Authorization": f"Bearer {key}"} for role, key in made.items()}


def test_co_1_api_decides_one_and_a_batch_for_every_role(
    application: Application, client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    consent = application.consent_service(load_programme(EXAMPLE))
    consent.give(ANN, "direct_marketing", WEB, actor="system")
    for role in ROLES:
        body = {"identity": ANN, "purpose": "direct_marketing"}
        answer = client.post("/api/v1/decisions", json=body, headers=keys[role])
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "decision": "allow",
            "reasons": ["consent:given"],
            "purpose": "direct_marketing",
            "basis": "consent",
        }
    items = [
        {"identity": ANN, "purpose": "direct_marketing", "at": "2020-01-01T00:00:00Z"},
        {"identity": {"email": "bob@example.test"}, "purpose": "direct_marketing"},
        {"identity": ANN, "purpose": "nope"},
    ]
    answer = client.post("/api/v1/decisions/batch", json={"items": items}, headers=keys["agent"])
    assert answer.status_code == 200, answer.text
    found = [(d["decision"], d["reasons"], d["basis"]) for d in answer.json()]
    assert found == [
        ("deny", ["consent:missing"], "consent"),
        ("deny", ["consent:missing"], "consent"),
        ("deny", ["purpose:unknown"], None),
    ]
    assert "ann@example.test" not in answer.text


def test_api_without_a_key_is_401_and_without_the_scope_is_403(
    application: Application, client: TestClient
) -> None:
    body = {"identity": ANN, "purpose": "direct_marketing"}
    assert client.post("/api/v1/decisions", json=body).status_code == 401
    key = application.key_service().create("other-1", "auditor").key
    without = {"Authorization": f"Bearer {key}"}
    from tutela.access import keys as access_keys

    granted = access_keys.SCOPES[access_keys.Role.AUDITOR]
    access_keys.SCOPES[access_keys.Role.AUDITOR] = granted - {access_keys.Scope.DECISIONS_READ}
    try:
        answer = client.post("/api/v1/decisions/batch", json={"items": [body]}, headers=without)
    finally:
        access_keys.SCOPES[access_keys.Role.AUDITOR] = granted
    assert answer.status_code == 403
    assert answer.json()["scope"] == "decisions:read"
    assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"identity": {}, "purpose": "direct_marketing"},
        {"identity": ANN},
        {"identity": ANN, "purpose": "x" * 65},
        {"identity": ANN, "purpose": "direct_marketing", "extra": 1},
        {"identity": ANN, "purpose": "direct_marketing", "at": "2026-01-01T00:00:00"},
        {"identity": ANN, "purpose": "direct_marketing", "at": "yesterday"},
        {"identity": {"email": "x" * 321}, "purpose": "direct_marketing"},
        {"identity": {"email": "ann-at-example"}, "purpose": "direct_marketing"},
        {"identity": dict.fromkeys([f"n{i}" for i in range(9)], "v"), "purpose": "a"},
        [1, 2],
        "text",
    ],
)
def test_hostile_bodies_are_422(
    client: TestClient, keys: dict[str, dict[str, str]], body: object
) -> None:
    answer = client.post("/api/v1/decisions", json=body, headers=keys["auditor"])
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "ann-at-example" not in answer.text


def test_hostile_batches_are_422(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    one = {"identity": ANN, "purpose": "direct_marketing"}
    for items in ([], [one] * 1001, [one, {"identity": ANN}]):
        answer = client.post(
            "/api/v1/decisions/batch", json={"items": items}, headers=keys["admin"]
        )
        assert answer.status_code == 422, answer.text
    answer = client.post(
        "/api/v1/decisions/batch", json={"items": [one] * 1000}, headers=keys["admin"]
    )
    assert answer.status_code == 200
    assert len(answer.json()) == 1000
