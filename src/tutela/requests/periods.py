"""R1182 periods, dates and time limits: calendar months, working days, local dates (DL-2 to DL-4).

What :mod:`tutela.requests.deadlines` counts with. Regulation 1182/71: a period in months ends
on the same date of its last month, or on that month's last day (Art. 3(2)(c)); working days
are all days but Saturdays, Sundays and the public holidays (Art. 2(2)) of the country where
the act is done (Art. 2(1)), here those of the ``holidays`` package; a day ends at 23:59:59 in
the controller's time zone (GDPR.md DL-4). Every failure is a ValueError in words.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKEND = {5: "a Saturday", 6: "a Sunday"}
_END_OF_DAY = time(23, 59, 59)
_COUNTRY_ALIASES = {"EL": "GR"}  # EU documents write EL for Greece (GDPR.md §10)


def zone_info(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (DL-4), or a ValueError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise ValueError(
            f"unknown time zone {name!r}: give an IANA name such as Europe/Brussels"
        ) from None


def country_code(code: str) -> str:
    """The ISO 3166 alpha-2 code whose public holidays apply (DL-3), or a ValueError.

    Alpha-3 codes are read as their alpha-2 code, and EL (Greece in EU documents) as GR.
    """
    key = _COUNTRY_ALIASES.get(code, code) if isinstance(code, str) else ""
    if key not in _known_countries():
        raise ValueError(f"unknown country {code!r}: give an ISO 3166 code such as BE")
    return _holiday_country(key)


@lru_cache(maxsize=256)
def _holiday_country(key: str) -> str:
    """The ``holidays`` package's code for ``key`` (building its calendar once per code)."""
    return str(holidays.country_holidays(key).country)


@lru_cache(maxsize=1)
def _known_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


def aware(value: datetime, what: str) -> datetime:
    """``value`` if it is a timezone-aware datetime (DL-4), else a ValueError naming ``what``."""
    if not isinstance(value, datetime):
        raise ValueError(f"{what} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} is naive ({value.isoformat()}): give a timezone-aware datetime")
    return value


def not_before(value: datetime, earlier: datetime, what: str, earlier_what: str) -> datetime:
    """``value``, aware and not before ``earlier`` (both named in the ValueError otherwise)."""
    if aware(value, what).astimezone(UTC) < earlier.astimezone(UTC):
        raise ValueError(
            f"{what} ({value.isoformat()}) is before {earlier_what} ({earlier.isoformat()})"
        )
    return value


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` on the clocks of ``tz`` (DL-4); ValueError past the years 1 to 9999."""
    try:
        return moment.astimezone(tz)
    except OverflowError:
        raise ValueError(f"{moment.isoformat()} is out of range in {tz.key}") from None


def add_months(day: date, months: int) -> date:
    """Same date ``months`` later, or that month's last day (R1182 Art. 3(2)(c), DL-2)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    if year > 9999:
        raise ValueError(f"{plural(months, 'month')} after {fmt_date(day)} is past the year 9999")
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def add_days(day: date, days: int) -> date:
    """``days`` calendar days after ``day``; ValueError past the year 9999."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise ValueError(
            f"{plural(days, 'day')} after {fmt_date(day)} is past the year 9999"
        ) from None


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last second of ``day`` in ``tz``: when a period ends (R1182 Art. 3(2)(c), DL-4).

    Where 23:59:59 happens twice (a clock set back at midnight), the later one ends the day.
    """
    first = datetime.combine(day, _END_OF_DAY, tzinfo=tz)
    later = first.replace(fold=1)
    return later if later.utcoffset() != first.utcoffset() else first


def why_not_working(day: date, country: str) -> str:
    """Why ``day`` is not a working day in ``country`` (R1182 Art. 2(2)), or '' if it is one."""
    name = public_holidays(country, day.year).get(day)
    holiday = f"a public holiday in {country} ({name})" if name else ""
    return " and ".join(p for p in (_WEEKEND.get(day.weekday(), ""), holiday) if p)


def roll(day: date, country: str) -> tuple[date, str]:
    """The first working day from ``day`` on (R1182 Art. 3(4), DL-3), and the words saying so."""
    why, rolled = why_not_working(day, country), day
    while why_not_working(rolled, country):
        rolled = add_days(rolled, 1)
    if not why:
        return day, f"{fmt_date(day)} is a working day in {country}"
    return rolled, f"{fmt_date(day)} is {why}: moved to {fmt_weekday(rolled)} (R1182 Art. 3(4))"


@lru_cache(maxsize=256)
def public_holidays(country: str, year: int) -> Mapping[date, str]:
    """The public holidays of ``country`` in ``year``, named in English where the data allows.

    The ``holidays`` package answers nothing, silently, for years outside its data: those are
    refused here, since a missed holiday would give a wrong deadline.
    """
    english = "en_US" in holidays.country_holidays(country).supported_languages
    language = "en_US" if english else None
    table = holidays.country_holidays(country, years=year, language=language)
    if not table.start_year <= year <= table.end_year:
        raise ValueError(
            f"the public holidays of {country} are known for {table.start_year} to "
            f"{table.end_year} only, not {year}: no deadline can be computed (DL-3)"
        )
    return MappingProxyType(dict(table))


def fmt_date(day: date) -> str:
    """``31 Jan 2025``, whatever the locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def fmt_weekday(day: date) -> str:
    """``Fri 31 Jan 2025``, whatever the locale."""
    return f"{_WEEKDAYS[day.weekday()]} {fmt_date(day)}"


def fmt_moment(moment: datetime, tz: ZoneInfo) -> str:
    """``31 Jan 2025 14:05 Europe/Brussels``: ``moment`` on the controller's clocks."""
    there = local(moment, tz)
    return f"{fmt_date(there.date())} {there:%H:%M} {tz.key}"


def plural(count: int, unit: str) -> str:
    """``1 month``, ``2 months``."""
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"
