"""The console's consent statistics: choices per purpose over time, chart and table.

``GET /console/consent`` (``requests:read``) shows, for each purpose, how many consents
were given and withdrawn, objections and opt-outs recorded per day over the last
``?days=`` days (1 to 366, default 90; per week past :data:`DAILY_UP_TO` days), counted
by the store in SQL (:mod:`tutela.store.consent_stats`), drawn as an SVG chart with the
same numbers in a table, and how many subjects consent now and how many have withdrawn
(CO-3: a withdrawal counts from the next page load; pages are never cached). Days are
UTC days. ``?days=`` out of range is clamped; anything but digits is refused (400).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response

from tutela.access.keys import Scope
from tutela.consent.records import ALL_PURPOSES, Kind
from tutela.errors import StoreError
from tutela.programme.purposes import LegalBasis
from tutela.store.consent_stats import PeriodCount, choice_counts, consent_standing
from tutela.web.consent_chart import Chart, Series, chart
from tutela.web.console_kit import page, programme, services, staff_session

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tutela.programme.models import Programme
    from tutela.web.console_auth import Session

router = APIRouter(include_in_schema=False)

DEFAULT_DAYS = 90
MOST_DAYS = 366
DAILY_UP_TO = 92
"""Spans up to this many days are counted per day; longer ones per week."""
KINDS = (Kind.CONSENT_GIVEN, Kind.CONSENT_WITHDRAWN, Kind.OBJECTION, Kind.OPT_OUT)
"""The kinds of choice counted, in the table's column order."""
CLASSES = {
    Kind.CONSENT_GIVEN: "given",
    Kind.CONSENT_WITHDRAWN: "withdrawn",
    Kind.OBJECTION: "objection",
    Kind.OPT_OUT: "opt-out",
}


@dataclass(frozen=True)
class Period:
    """One period of the table: its first and last day, and how it is labelled."""

    first: date
    last: date

    @property
    def label(self) -> str:
        """``2026-11-30`` for a day, ``2026-11-23 – 2026-11-29`` for a week."""
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


@dataclass(frozen=True)
class PurposeRow:
    """One purpose: its key and name, counts per kind per period, and its current standing.

    ``consent`` is True for a purpose based on consent (those have a standing).
    """

    key: str
    name: str
    consent: bool
    counts: dict[str, tuple[int, ...]]
    consenting: int
    withdrawn: int

    @property
    def busy(self) -> tuple[int, ...]:
        """The periods (their numbers) with at least one choice: the table's rows."""
        columns = list(self.counts.values())
        return tuple(i for i in range(len(columns[0])) if any(c[i] for c in columns))

    def total(self, kind: str) -> int:
        """Events of ``kind`` over the whole span."""
        return sum(self.counts.get(kind, ()))


@dataclass(frozen=True)
class ConsentStats:
    """What the page shows: the span, its periods, a row per purpose, and the chart."""

    days: int
    weekly: bool
    periods: tuple[Period, ...]
    purposes: tuple[PurposeRow, ...]
    chart: Chart


@router.get("/consent")
def consent(request: Request) -> Response:
    """The consent statistics over ``?days=`` days (refused with 400 unless digits)."""
    session = staff_session(request, Scope.REQUESTS_READ)
    if isinstance(session, Response):
        return session
    days = asked_days(request.query_params.get("days"))
    if days is None:
        return _without_stats(request, session, 400, DEFAULT_DAYS)
    application = services(request).application
    try:
        engine = application.ledger().engine
        stats = consent_stats(engine, programme(request), application.clock.now(), days)
    except StoreError:
        return _without_stats(request, session, 503, days)
    return page(
        request, "console/consent.html", session=session, stats=stats, days=days, unavailable=False
    )


def _without_stats(request: Request, session: Session, status: int, days: int) -> Response:
    """The page refusing ``?days=`` (400), or saying the store cannot be read (503)."""
    return page(
        request,
        "console/consent.html",
        status,
        session=session,
        stats=None,
        days=days,
        unavailable=status == 503,
    )


def asked_days(text: str | None) -> int | None:
    """``?days=``: :data:`DEFAULT_DAYS` when absent; clamped to 1..366; None unless digits."""
    if text is None or text == "":
        return DEFAULT_DAYS
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    return max(1, min(MOST_DAYS, int(text)))


def consent_stats(engine: Engine, chosen: Programme, now: datetime, days: int) -> ConsentStats:
    """The statistics of the ``days`` UTC days up to ``now``'s (see the module doc)."""
    width = 1 if days <= DAILY_UP_TO else 7
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    periods = _periods(first, today, width)
    start = datetime.combine(first, time(0), tzinfo=UTC)
    counts = choice_counts(engine, start, width, KINDS)
    standing = consent_standing(engine)
    rows = _purpose_rows(chosen, counts, standing, len(periods))
    keys = [row.key for row in rows]
    series = [
        Series(row.key, kind.value, row.name, row.counts[kind.value])
        for row in rows
        for kind in KINDS
    ]
    drawn = chart([p.first.isoformat() for p in periods], series, keys)
    return ConsentStats(days, width > 1, periods, tuple(rows), drawn)


def _periods(first: date, last: date, width: int) -> tuple[Period, ...]:
    found, day = [], first
    while day <= last:
        found.append(Period(day, min(last, day + timedelta(days=width - 1))))
        day += timedelta(days=width)
    return tuple(found)


def _purpose_rows(
    chosen: Programme,
    counts: list[PeriodCount],
    standing: dict[str, dict[str, int]],
    periods: int,
) -> list[PurposeRow]:
    """A row per consent purpose of the programme, then per other purpose with events."""
    consent = [p.key for p in chosen.purposes if p.legal_basis is LegalBasis.CONSENT]
    keys = consent + sorted({c.purpose for c in counts} - set(consent))
    table: dict[tuple[str, str], list[int]] = {}
    for count in counts:
        if 0 <= count.period < periods:
            cells = table.setdefault((count.purpose, count.kind), [0] * periods)
            cells[count.period] += count.count
    return [
        PurposeRow(
            key,
            _purpose_name(chosen, key),
            key in consent,
            {k.value: tuple(table.get((key, k.value), [0] * periods)) for k in KINDS},
            standing.get(key, {}).get(Kind.CONSENT_GIVEN.value, 0),
            standing.get(key, {}).get(Kind.CONSENT_WITHDRAWN.value, 0),
        )
        for key in keys
    ]


def _purpose_name(chosen: Programme, key: str) -> str:
    """The purpose's name; "" for every purpose at once (the page words it)."""
    if key == ALL_PURPOSES:
        return ""
    try:
        return chosen.purpose(key).name
    except KeyError:
        return key  # a purpose removed from the programme since: its key
