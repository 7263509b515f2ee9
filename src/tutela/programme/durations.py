"""Durations as programmes write them (``24h``, ``30 days``, ``6m``, ``7y``), on the calendar.

One type, :class:`Duration`, for every period tutela reads: retention periods and the
choices a customer has (RT-1), consent lifetimes, cookie lifetimes (CK-3) and the end of
data kept under a legal obligation (ER-2). Months and years are calendar months and years
(DESIGN.md, "Calendar time is one type"): 31 January + 1m is 28 or 29 February, never
"30 days later".

How durations compare (a longer retention is a material change, NT-1): each duration ranks
by the least time it can last from any start. Hours, days and weeks last exactly their
length; ``n`` months (or years) rank as the fewest days ``n`` calendar months span anywhere
in the Gregorian calendar: 1m as 28 days, 12m and 1y as 365 days, 4y as 1460 days. On a
tie the calendar duration ranks longer, since it can last longer. So ``28d < 1m < 29d``,
``1m < 30d < 31d``, ``12m == 1y`` and ``24h == 1d``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache, total_ordering
from typing import Annotated, Final, Literal, TypeVar, overload

from pydantic import AfterValidator

from tutela.programme.types import ShortText

Unit = Literal["hour", "day", "week", "month", "year"]
"""The units a duration counts in; ``m`` is a month, never a minute."""

_UNITS: Final[dict[str, Unit]] = {
    "h": "hour",
    "d": "day",
    "w": "week",
    "m": "month",
    "y": "year",
}
_HOURS_PER: Final[dict[Unit, int]] = {"hour": 1, "day": 24, "week": 24 * 7}
_MONTHS_PER: Final[dict[Unit, int]] = {"month": 1, "year": 12}
_MOST: Final[dict[Unit, int]] = {
    "hour": 8_760_000,
    "day": 365_000,
    "week": 52_000,
    "month": 12_000,
    "year": 1_000,
}
"""The largest amount of each unit: every one is at most 1000 years."""

_DURATION = re.compile(
    r"\s*([0-9]+)\s*(h|hours?|d|days?|w|weeks?|m|months?|y|years?)\s*",
    re.IGNORECASE | re.ASCII,
)
_HOW = (
    "write a number and a unit, e.g. 24h, 30d, 6m, 7y (h hours, d days, w weeks, m months, y years)"
)
_LONGEST = "a duration is at most 1000 years: 1000y, 12000m, 52000w, 365000d or 8760000h"

_CYCLE_MONTHS: Final = 4800
"""Months in one Gregorian cycle of 400 years, after which the calendar repeats."""
_CYCLE_DAYS: Final = 146_097

_Day = TypeVar("_Day", bound=date)


@total_ordering
@dataclass(frozen=True, eq=False)
class Duration:
    """A number of hours, days, weeks, calendar months or calendar years.

    ``amount`` is 0 to at most 1000 years' worth of ``unit``; anything else raises
    ValueError. Equality is by length: ``Duration(12, "month") == Duration(1, "year")``
    and ``Duration(24, "hour") == Duration(1, "day")``; ``str()`` keeps the unit as
    written (``12m``, ``1y``). Ordering is described in the module docstring.
    """

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        """Refuse units and amounts no programme could write."""
        if self.unit not in _MOST:
            raise ValueError(
                f"{self.unit!r} is not a duration unit; use hour, day, week, month or year"
            )
        if type(self.amount) is not int or not 0 <= self.amount <= _MOST[self.unit]:
            raise ValueError(f"{self.amount!r} {self.unit}s is not a duration; {_LONGEST}")

    @classmethod
    def parse(cls, text: str) -> Duration:
        """The duration in ``text`` as programmes write it: ``24h``, ``48 hours``, ``6 Months``.

        A whole number (ASCII digits) and a unit: ``h``/``hour(s)``, ``d``/``day(s)``,
        ``w``/``week(s)``, ``m``/``month(s)``, ``y``/``year(s)``, any case, spaces allowed
        around and between. Raises ValueError, saying how to write it, for anything else and
        for more than 1000 years.
        """
        if not isinstance(text, str):
            raise ValueError(f"{text!r} is not a duration; {_HOW}")
        match = _DURATION.fullmatch(text)
        if match is None:
            raise ValueError(f"{_shown(text)} is not a duration; {_HOW}")
        digits, word = match.groups()
        unit = _UNITS[word[0].lower()]
        if len(digits.lstrip("0")) > 9 or int(digits) > _MOST[unit]:
            raise ValueError(f"{_shown(text)} is too long; {_LONGEST}")
        return cls(int(digits), unit)

    @overload
    def after(self, start: datetime) -> datetime: ...

    @overload
    def after(self, start: date) -> date: ...

    def after(self, start: date) -> date:
        """When this duration ends if it starts at ``start`` (same type, same tzinfo).

        Months and years move the calendar date, keeping the time of day, and clamp to the
        end of a shorter month: 31 Jan + 1m is 28 Feb (29 in a leap year), 29 Feb + 1y is
        28 Feb. Hours, days and weeks are elapsed time: on a timezone-aware datetime they
        are counted in UTC, so 24h is 24 real hours across a daylight-saving change. On a
        ``date``, hours must make whole days (ValueError otherwise). Raises OverflowError
        when the end is past the year 9999.
        """
        if self._months:
            return _add_months(start, self._months)
        elapsed = timedelta(hours=self._hours)
        if isinstance(start, datetime):
            if start.utcoffset() is None:
                return start + elapsed
            return (start.astimezone(UTC) + elapsed).astimezone(start.tzinfo)
        if self._hours % 24:
            raise ValueError(f"{self} is not a whole number of days; give a datetime, not a date")
        return start + elapsed

    @property
    def shortest(self) -> timedelta:
        """The least time this duration can last from any start; what it ranks by.

        Hours, days and weeks: their length. ``n`` months: the fewest days ``n`` calendar
        months span over the 400-year Gregorian cycle (1m: 28 days, 12m: 365 days).
        """
        if self._months:
            return timedelta(days=_fewest_days(self._months))
        return timedelta(hours=self._hours)

    def words(self) -> str:
        """The duration for people: ``24 hours``, ``1 year``, ``6 months``."""
        return _counted(self.amount, self.unit)

    def __str__(self) -> str:
        """The canonical programme form: ``24h``, ``30d``, ``2w``, ``6m``, ``7y``."""
        return f"{self.amount}{self.unit[0]}"

    def __eq__(self, other: object) -> bool:
        """Same length: the same number of calendar months, or the same number of hours."""
        if not isinstance(other, Duration):
            return NotImplemented
        return self._normal == other._normal

    def __hash__(self) -> int:
        """Consistent with equality: ``12m`` and ``1y`` hash alike."""
        return hash(self._normal)

    def __lt__(self, other: Duration) -> bool:
        """Shorter: a smaller :attr:`shortest`, or, on a tie, exact time before calendar time."""
        if not isinstance(other, Duration):
            return NotImplemented
        return self._rank < other._rank

    @property
    def _months(self) -> int:
        return self.amount * _MONTHS_PER.get(self.unit, 0)

    @property
    def _hours(self) -> int:
        return self.amount * _HOURS_PER.get(self.unit, 0)

    @property
    def _normal(self) -> tuple[int, int]:
        return (self._months, self._hours)

    @property
    def _rank(self) -> tuple[timedelta, int]:
        return (self.shortest, self._months)


def durations_in_words(durations: Sequence[Duration], conjunction: str = "or") -> str:
    """Several durations in words, naming a shared unit once: ``24 or 48 hours``.

    Durations in different units are each worded: ``6 months or 1 year``; the plural
    follows the last amount (``1 or 2 hours``, ``2 or 1 hour``); no durations give ``""``.
    """
    units = {duration.unit for duration in durations}
    if len(units) == 1:
        amounts = [str(duration.amount) for duration in durations]
        return f"{_join(amounts[:-1], amounts[-1], conjunction)} {_noun(amounts[-1], units.pop())}"
    words = [duration.words() for duration in durations]
    return _join(words[:-1], words[-1], conjunction) if words else ""


def _valid_duration(text: str) -> str:
    Duration.parse(text)
    return text


DurationText = Annotated[ShortText, AfterValidator(_valid_duration)]
"""A duration field of the programme: kept as written (the statement words it), checked by
:meth:`Duration.parse` when the programme loads, so a bad value is reported at its line."""


def _counted(amount: int, unit: Unit) -> str:
    return f"{amount} {_noun(str(amount), unit)}"


def _noun(amount: str, unit: Unit) -> str:
    return unit if amount == "1" else f"{unit}s"


def _join(head: Sequence[str], last: str, conjunction: str) -> str:
    if not head:
        return last
    return f"{', '.join(head)} {conjunction} {last}"


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else f"{text[:60]}…")


def _add_months(start: _Day, months: int) -> _Day:
    """``start`` moved ``months`` calendar months on, clamped to the end of the month."""
    year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
    if year > 9999:
        raise OverflowError(f"{start.isoformat()} + {months} months is past the year 9999")
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return start.replace(year=year, month=month + 1, day=day)


@cache
def _month_starts() -> tuple[int, ...]:
    """Day numbers of the 1st of each month over two Gregorian cycles from 1 January 2000."""
    origin = date(2000, 1, 1).toordinal()
    return tuple(
        date(2000 + index // 12, index % 12 + 1, 1).toordinal() - origin
        for index in range(2 * _CYCLE_MONTHS + 1)
    )


@cache
def _fewest_days(months: int) -> int:
    """The fewest days ``months`` calendar months span, over every start.

    A start on the 1st of a month gives the shortest span: a later day either lands on the
    same day ``months`` on (the same span) or is clamped to a month's end, which is the span
    from the 1st of the next month.
    """
    cycles, rest = divmod(months, _CYCLE_MONTHS)
    starts = _month_starts()
    fewest = min(starts[index + rest] - starts[index] for index in range(_CYCLE_MONTHS))
    return cycles * _CYCLE_DAYS + fewest
