"""The request service on the store: deadlines, one ledger entry per change, no identity."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tutela.errors import ConfigurationError, RequestError
from tutela.ledger.checkpoint import Checkpoint, generate_key, sign_checkpoint
from tutela.ledger.merkle import tree_head
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.requests.records import state_digest
from tutela.requests.service import RequestService
from tutela.requests.states import IllegalTransition
from tutela.store import migrate
from tutela.store.ledger import SqlLedger, open_ledger
from tutela.store.ledger_audit import audit_rows
from tutela.store.requests import SqlRequestStore

MINISHOP = Path(__file__).resolve().parents[1] / "rights" / "fixtures" / "minishop"
EMAIL = "Ann.Peeters@Example.test"
RECEIVED = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)
NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


@pytest.fixture(scope="module")
def programme() -> Programme:
    return load_programme(MINISHOP)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ledger(request: pytest.FixtureRequest) -> Iterator[SqlLedger]:
    url = str(
        request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    )
    opened = open_ledger(url)
    yield opened
    opened.close()


@pytest.fixture
def store(ledger: SqlLedger) -> SqlRequestStore:
    return SqlRequestStore(ledger.engine, ledger)


@pytest.fixture
def service(store: SqlRequestStore, programme: Programme) -> RequestService:
    return RequestService(store, programme, b"test-key", FixedClock(NOW))


def _all_text(engine: sa.Engine) -> str:
    """Every value of every table of the store, as text."""
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as connection:
        return "\n".join(
            str(row) for table in meta.sorted_tables for row in connection.execute(table.select())
        )


def test_the_migration_creates_the_request_table(ledger: SqlLedger) -> None:
    assert migrate.revision(ledger.engine) == migrate.head()
    migrate.upgrade(ledger.engine)  # again: nothing to do
    assert "tutela_request" in sa.inspect(ledger.engine).get_table_names()


def test_submit_computes_the_deadline_and_keeps_only_a_keyed_digest(
    service: RequestService, ledger: SqlLedger
) -> None:
    made = service.submit("erasure", {"email": EMAIL}, RECEIVED)
    assert (made.state, made.regime, made.due_date) == ("received", "gdpr", date(2025, 4, 7))
    assert "Saturday" in made.due_rule and made.zone == "Europe/Brussels"
    assert made.subject.startswith("h:") and service.show(made.id) == made
    again = service.submit("access", {"email": EMAIL.upper()}, RECEIVED)
    assert again.subject == made.subject  # the e-mail is written in lower case first
    text = _all_text(ledger.engine)
    assert EMAIL.lower() not in text.lower() and "example.test" not in text.lower()
    entries = ledger.entries()
    assert [(e.action, e.request, e.before) for e in entries] == [
        ("submitted", made.id, None),
        ("submitted", again.id, None),
    ]
    assert entries[0].after == state_digest(made)


def test_each_transition_appends_one_entry_and_the_ledger_audits(
    service: RequestService, ledger: SqlLedger
) -> None:
    erasure = service.submit("erasure", {"email": EMAIL}, RECEIVED)
    opt_out = service.submit("consent_withdrawal", {"customer_id": "42"}, RECEIVED)
    steps = [
        lambda: service.extend(erasure.id, "many requests", NOW),
        lambda: service.deny(erasure.id, "manifestly unfounded"),
        lambda: service.approve(opt_out.id),
        lambda: service.withdraw(opt_out.id),
    ]
    for step in steps:
        count = len(ledger.rows())
        before = service.show(step().id)
        assert len(ledger.rows()) == count + 1
        assert ledger.entries()[-1].after == state_digest(before)
    shown = service.show(erasure.id)
    assert (shown.state, shown.extended, shown.due_date) == ("denied", True, date(2025, 6, 5))
    assert [e.action for e in ledger.entries()] == [
        "submitted",
        "submitted",
        "extended",
        "denied",
        "in_progress",
        "withdrawn",
    ]
    key = generate_key("tutela.test/ledger")
    note = sign_checkpoint(
        Checkpoint("tutela.test/ledger", 6, tree_head(ledger.leaf_hashes())), key
    )
    assert audit_rows(ledger.rows(), note, key.verifier, origin="tutela.test/ledger").ok


@pytest.mark.parametrize(
    ("kind", "act", "why"),
    [
        ("erasure", lambda s, i: s.approve(i), "must pass its identity step first"),
        ("consent_withdrawal", lambda s, i: s.deny(i, "no"), "cannot be refused"),
        ("erasure", lambda s, i: s.deny(i, "  "), "needs a reason"),
        ("erasure", lambda s, i: s.extend(i, "late", datetime(2025, 4, 8, tzinfo=UTC)), "late"),
    ],
)
def test_a_refused_change_stores_nothing(
    service: RequestService, ledger: SqlLedger, kind: str, act: Any, why: str
) -> None:
    made = service.submit(kind, {"email": EMAIL}, RECEIVED)
    rows = ledger.rows()
    with pytest.raises(RequestError, match=why):
        act(service, made.id)
    assert service.show(made.id) == made and ledger.rows() == rows


def test_a_final_request_has_no_way_out(service: RequestService) -> None:
    made = service.submit("erasure", {"email": EMAIL}, RECEIVED)
    service.withdraw(made.id)
    with pytest.raises(IllegalTransition, match="withdrawn is final"):
        service.deny(made.id, "too late")
    with pytest.raises(RequestError, match="final"):
        service.extend(made.id, "complex")


def test_a_failure_after_the_change_rolls_back_the_row_and_the_entry(
    service: RequestService, store: SqlRequestStore, ledger: SqlLedger, monkeypatch: Any
) -> None:
    made = service.submit("erasure", {"email": EMAIL}, RECEIVED)
    rows = ledger.rows()
    append = ledger.append

    def append_then_fail(connection: sa.Connection, entries: Any) -> Any:
        append(connection, entries)
        raise RuntimeError("the process died before the commit")

    monkeypatch.setattr(store.ledger, "append", append_then_fail)
    with pytest.raises(RuntimeError):
        service.deny(made.id, "manifestly unfounded")
    monkeypatch.undo()
    assert service.show(made.id) == made and ledger.rows() == rows


def test_a_change_from_a_stale_read_is_refused(
    service: RequestService, store: SqlRequestStore
) -> None:
    made = service.submit("erasure", {"email": EMAIL}, RECEIVED)
    service.withdraw(made.id)
    stale = service.show(made.id).__class__(**{**made.__dict__, "state": "denied"})
    with pytest.raises(RequestError, match="changed meanwhile"):
        store.update(made, stale, _step())


def _step() -> Any:
    from tutela.requests.records import LedgerStep

    return LedgerStep(NOW, "system", "denied", None, "ab" * 32)


def test_due_lists_overdue_and_due_soon_and_list_filters(service: RequestService) -> None:
    late = service.submit("erasure", {"email": EMAIL}, datetime(2025, 1, 6, 9, tzinfo=UTC))
    soon = service.submit("access", {"email": EMAIL}, datetime(2025, 2, 12, 9, tzinfo=UTC))
    service.submit("access", {"email": EMAIL}, RECEIVED)
    closed = service.submit("access", {"email": EMAIL}, datetime(2025, 1, 2, 9, tzinfo=UTC))
    service.withdraw(closed.id)
    listed = service.due(NOW, soon_days=7)
    assert [(r.id, s.urgency.value) for r, s in listed] == [
        (late.id, "overdue"),
        (soon.id, "due soon"),
    ]
    assert [r.id for r in service.list(state="withdrawn")] == [closed.id]
    assert [r.id for r in service.list(kind="erasure")] == [late.id]
    assert [r.id for r in service.list(due_before=date(2025, 3, 12))] == [closed.id, late.id]
    with pytest.raises(RequestError, match="unknown request state"):
        service.list(state="lost")


@pytest.mark.parametrize(
    ("kind", "identity", "received", "why"),
    [
        ("forget_me", {"email": EMAIL}, None, "unknown request type"),
        ("delete", {"email": EMAIL}, None, "offers no ccpa"),
        ("erasure", {}, None, "needs an identity"),
        ("erasure", {"email": "x" * 5000}, None, "5000 characters"),
        ("erasure", {"Email Address": EMAIL}, None, "lower-case word"),
        ("erasure", {"email": "not-an-address"}, None, "not an e-mail"),
        ("erasure", {"email": EMAIL}, datetime(2025, 3, 5, 10), "no UTC offset"),
        ("erasure", {"email": EMAIL}, datetime(2026, 1, 1, tzinfo=UTC), "future"),
    ],
)
def test_submit_refuses_malformed_requests_without_echoing_the_identity(
    service: RequestService,
    ledger: SqlLedger,
    kind: str,
    identity: dict[str, str],
    received: datetime | None,
    why: str,
) -> None:
    with pytest.raises(RequestError, match=why) as refused:
        service.submit(kind, identity, received)
    assert "xxxxx" not in str(refused.value) and "not-an-address" not in str(refused.value)
    assert ledger.rows() == [] and service.list() == []


def test_submit_needs_the_hash_key_and_show_an_existing_request(
    store: SqlRequestStore, programme: Programme, service: RequestService
) -> None:
    with pytest.raises(ConfigurationError, match="MINISHOP_HASH_KEY"):
        RequestService(store, programme, None, FixedClock(NOW)).submit("erasure", {"email": EMAIL})
    with pytest.raises(RequestError, match="no request 00000000-"):
        service.show("00000000-0000-0000-0000-000000000000")
    with pytest.raises(RequestError, match="not a request id"):
        service.show("'; DROP TABLE tutela_request; --")
