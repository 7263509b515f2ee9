"""The console's consent statistics on every backend: periods and standing counted in SQL.

``choice_counts`` numbers each event's period from a start with each dialect's own time
arithmetic (SQLite seconds, PostgreSQL ``extract(epoch)``, MariaDB ``timestampdiff``);
events exactly on a boundary open the next period. ``consent_standing`` counts each
subject by their latest consent event, so a withdrawal counts at once (CO-3).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tutela.bootstrap import build
from tutela.consent.records import Kind
from tutela.consent.service import Choice, Context
from tutela.programme.loader import load_programme
from tutela.store.consent_stats import PeriodCount, choice_counts, consent_standing
from tutela.store.ledger import open_ledger

START = datetime(2026, 11, 1, tzinfo=UTC)
MARKETING = "direct_marketing"


def test_co3_periods_and_standing_are_counted_alike_on_every_backend(database_url: str) -> None:
    open_ledger(database_url).close()
    application = build({"TUTELA_DATABASE_URL": database_url, "TUTELA_HASH_KEY": "stats-key"})
    programme = load_programme("examples/cloudockit")
    service = application.consent_service(programme)
    context = Context(method="checkbox")
    made = [
        ("ann@example.com", Kind.CONSENT_GIVEN, START - timedelta(seconds=1)),  # before: left out
        ("bob@example.com", Kind.CONSENT_GIVEN, START),  # on the boundary: period 0
        ("cat@example.com", Kind.CONSENT_GIVEN, START + timedelta(hours=23, minutes=59)),
        ("bob@example.com", Kind.CONSENT_WITHDRAWN, START + timedelta(days=1)),  # period 1
        ("dan@example.com", Kind.CONSENT_GIVEN, START + timedelta(days=2, hours=5)),
    ]
    choices = [
        Choice(service.prepare(kind, {"email": who}, MARKETING, context, at), {"email": who})
        for who, kind, at in made
    ]
    service.record(choices, "staff:alice")
    engine = application.ledger().engine
    daily = choice_counts(engine, START, 1, [Kind.CONSENT_GIVEN, Kind.CONSENT_WITHDRAWN])
    assert daily == [
        PeriodCount(MARKETING, "consent_given", 0, 2),
        PeriodCount(MARKETING, "consent_withdrawn", 1, 1),
        PeriodCount(MARKETING, "consent_given", 2, 1),
    ]
    weekly = choice_counts(engine, START, 7, [Kind.CONSENT_GIVEN])
    assert weekly == [PeriodCount(MARKETING, "consent_given", 0, 3)]
    standing = consent_standing(engine)
    assert standing == {MARKETING: {"consent_given": 3, "consent_withdrawn": 1}}
