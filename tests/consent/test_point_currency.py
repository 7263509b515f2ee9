"""The decision point hears every change: late commits and PostgreSQL NOTIFY (CO-3)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tutela.consent.point import DecisionPoint
from tutela.consent.records import ChoiceEvent, Kind, Method, subject_ref
from tutela.programme.loader import load_programme
from tutela.store.consent import SqlChoiceStore
from tutela.store.consent_listen import listen
from tutela.store.ledger import open_ledger

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
ANN = subject_ref("email", "ann@example.test", b"k")


@dataclass(frozen=True)
class FixedClock:
    """A clock that says ``at``."""

    at: datetime

    def now(self) -> datetime:
        """The time given."""
        return self.at


def choice(n: int, kind: Kind, at: datetime, purpose: str = "direct_marketing") -> ChoiceEvent:
    """Event ``n`` of Ann for ``purpose``."""
    return ChoiceEvent(f"e{n}", ANN, purpose, kind, at, Method.API)


@dataclass
class Rows:
    """Numbered events, each visible once committed: numbers taken at insert."""

    rows: dict[int, ChoiceEvent] = field(default_factory=dict)
    committed: set[int] = field(default_factory=set)

    def events(self, subject: str | None = None, since_id: int | None = None) -> list[ChoiceEvent]:
        """The committed events after ``since_id``, in number order."""
        seen = sorted(n for n in self.committed if n > (since_id or 0))
        return [self.rows[n] for n in seen]

    def changes_since(self, after: int) -> tuple[int, int]:
        """The highest committed number, and how many committed are numbered after ``after``."""
        return max(self.committed, default=0), sum(n > after for n in self.committed)


def test_co_3_a_row_committed_after_a_higher_one_is_still_folded_in() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    rows = Rows({1: choice(1, Kind.CONSENT_GIVEN, now)}, {1})
    point = DecisionPoint(rows, load_programme(EXAMPLE), FixedClock(now), refresh=0)
    assert point.decide(ANN, "direct_marketing").allow
    later = now + timedelta(seconds=1)
    rows.rows |= {
        2: choice(2, Kind.CONSENT_WITHDRAWN, later),
        3: choice(3, Kind.OBJECTION, now, "analytics"),
    }
    rows.committed.add(3)  # row 3 commits first: the point sees 3 as the latest
    assert point.decide(ANN, "direct_marketing").allow
    rows.committed.add(2)  # then row 2, numbered before the latest seen
    point.clock = FixedClock(later)
    assert point.decide(ANN, "direct_marketing").reasons == ("consent:withdrawn",)
    assert point.decide(ANN, "analytics").reasons == ("objection",)
    assert len(point.table().subjects[ANN]) == 3  # each folded in once


@pytest.mark.postgres
def test_co_3_postgresql_notify_reaches_a_point_that_does_not_poll(postgres_url: str) -> None:
    ledger = open_ledger(postgres_url)
    store = SqlChoiceStore(ledger.engine, ledger)
    now = datetime.now(UTC)
    point = DecisionPoint(store, load_programme(EXAMPLE), FixedClock(now), refresh=3600)
    store.record([choice(1, Kind.CONSENT_GIVEN, now)], "system")
    assert point.decide(ANN, "direct_marketing").allow
    listener = listen(ledger.engine, point.changed)
    assert listener is not None
    try:
        assert listener.ready.wait(10)
        store.record([choice(2, Kind.CONSENT_WITHDRAWN, now)], "system")
        deadline = time.monotonic() + 10
        while point.decide(ANN, "direct_marketing").allow:
            assert time.monotonic() < deadline, "the notification never came"
            time.sleep(0.01)
        assert point.decide(ANN, "direct_marketing").reasons == ("consent:withdrawn",)
    finally:
        listener.stop()
        ledger.close()


def test_other_databases_have_no_listener(sqlite_url: str) -> None:
    ledger = open_ledger(sqlite_url)
    assert listen(ledger.engine, lambda: None) is None


def test_co_1_an_announced_change_asks_consent_again_at_the_effective_date(
    sqlite_url: str,
) -> None:
    from tutela.bootstrap import build
    from tutela.consent.announcements import Announcement
    from tutela.consent.service import Context

    open_ledger(sqlite_url).close()
    app = build({"TUTELA_DATABASE_URL": sqlite_url, "TUTELA_HASH_KEY": "renewal-key"})
    programme = load_programme(EXAMPLE)
    ann = {"email": "ann@example.test"}
    consent = app.consent_service(programme)
    consent.give(ann, "direct_marketing", Context("web_form", notice_version="1.0"), actor="system")
    now = datetime.now(UTC)
    effective = now + timedelta(days=30)
    terms = Announcement("2027.1", effective, {"direct_marketing": "2.0"}, ("purposes",), now)
    app.announcements().save(terms, "system")
    point = app.decision_point(programme)
    assert point.decide(ann, "direct_marketing").allow
    later = point.decide(ann, "direct_marketing", effective + timedelta(hours=1))
    assert later.reasons == ("consent:renewal",)
    consent.give(ann, "direct_marketing", Context("web_form", notice_version="2.0"), actor="system")
    point.changed()
    assert point.decide(ann, "direct_marketing", effective + timedelta(hours=1)).allow


def test_events_after_a_row_are_read_page_by_page(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tutela.store import consent as store_consent

    monkeypatch.setattr(store_consent, "PAGE", 7)
    ledger = open_ledger(sqlite_url)
    store = SqlChoiceStore(ledger.engine, ledger)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    store.record([choice(n, Kind.CONSENT_GIVEN, now) for n in range(30)], "system")
    assert [e.id for e in store.events(since_id=0)] == [f"e{n}" for n in range(30)]
    assert [e.id for e in store.events(since_id=16)] == [f"e{n}" for n in range(16, 30)]
    assert store.events(since_id=30) == []
    ledger.close()


def test_a_service_point_freezes_its_compiled_table_out_of_the_collector(
    sqlite_url: str,
) -> None:
    import gc

    ledger = open_ledger(sqlite_url)
    store = SqlChoiceStore(ledger.engine, ledger)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    store.record([choice(n, Kind.CONSENT_GIVEN, now) for n in range(3)], "system")
    point = DecisionPoint(store, load_programme(EXAMPLE), FixedClock(now), freeze=True)
    gc.unfreeze()
    try:
        assert point.decide(ANN, "direct_marketing").allow
        assert gc.get_freeze_count() > 0
        assert len(point.table().subjects[ANN]) == 3  # the events were remembered first
        point.changed()
        assert len(point.table().subjects[ANN]) == 3  # nothing folded in twice
    finally:
        gc.unfreeze()
        ledger.close()
