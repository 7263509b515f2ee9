"""When a data-subject request is due: R1182 counting for the GDPR, calendar days for the CCPA.

GDPR.md §1.1 and §2 as pure functions (``now`` is passed in, never read). DL-1, DL-8: the clock
starts at receipt, not at acknowledgement or verification; whether asking for ID stops it is a
regime setting, off for the GDPR and the CCPA. DL-2 to DL-4: one month in the controller's zone
(R1182 Art. 3(1), 3(2)(c)), the last day rolled to a working day (Art. 3(4)), ending 23:59:59
local (:mod:`tutela.requests.periods`). DL-5, DL-6: one extension of at most two months, with a
reason, notified by the original (rolled) due moment; "+2 months" is the earlier of receipt + 3
months and the unrolled 1-month end + 2 months. DL-7: :func:`no_action_deadline`. CCPA (CCR
§7021(b)): 45 calendar days, the day of receipt being day 1 (the earlier reading, GDPR.md
§13.4), no roll; one extension of up to 45 days, notified within the first 45.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

from tutela.requests import periods as r1182
from tutela.requests.periods import aware, fmt_date, fmt_moment, fmt_weekday, not_before, plural


@dataclass(frozen=True)
class DeadlineRules:
    """How a regime counts its response period (GDPR.md §1.1 and §2).

    ``unit`` is ``months`` (R1182: the day of receipt not counted) or ``days`` (calendar days,
    the day of receipt being day 1). ``extension`` is the most one extension may add. With
    ``id_pauses_clock`` (UK ICO practice, DL-8) asking for ID stops the clock, which starts
    afresh when the ID arrives.
    """

    name: str
    unit: Literal["months", "days"]
    period: int
    extension: int
    rolls_to_working_day: bool
    id_pauses_clock: bool
    source: str


GDPR = DeadlineRules("gdpr", "months", 1, 2, True, False, "R1182 Art. 3(2)(c)")
CCPA = DeadlineRules("ccpa", "days", 45, 45, False, False, "CCR §7021(b)")
REGIMES: Mapping[str, DeadlineRules] = MappingProxyType({"gdpr": GDPR, "ccpa": CCPA})


@dataclass(frozen=True)
class Extension:
    """An extension granted (DL-5): by how much (the regime's unit), why, when notified."""

    amount: int
    reason: str
    notice_at: datetime


@dataclass(frozen=True)
class Deadline:
    """When a request is due, and why (GDPR.md §11: base, extended, rule applied).

    ``clock_start`` is the local date the period runs from (receipt, or the ID's arrival under
    a regime that pauses). ``period_end`` is the unrolled last day of the original period;
    ``base_due_*`` the original due date after the roll, which an extension notice must not
    pass (DL-5); ``due_*`` the date in force. ``explanation`` has one line per step.
    """

    rules: DeadlineRules
    received_at: datetime
    clock_start: date
    zone: str
    country: str
    period_end: date
    base_due_date: date
    base_due_at: datetime
    due_date: date
    due_at: datetime
    rule: str
    explanation: str
    extension: Extension | None = None


class Urgency(StrEnum):
    """Where a request stands against its deadline."""

    OVERDUE = "overdue"
    DUE_SOON = "due soon"
    OPEN = "open"


@dataclass(frozen=True)
class DueStatus:
    """A deadline classified at ``now``: ``days_left`` counts local dates (negative: late)."""

    deadline: Deadline
    urgency: Urgency
    days_left: int
    summary: str


def compute_deadline(
    received_at: datetime,
    regime: str | DeadlineRules,
    zone: str,
    country: str,
    *,
    id_requested_at: datetime | None = None,
    id_received_at: datetime | None = None,
) -> Deadline:
    """The due date and moment of a request received at ``received_at`` (DL-1 to DL-4, DL-8).

    ``zone`` is the controller's IANA time zone, ``country`` the ISO code whose public holidays
    apply (the handling establishment's, R1182 Art. 2(1)). Raises ValueError on a naive or
    out-of-range datetime, an unknown regime, zone or country, or years without holiday data.
    """
    rules, tz = _rules(regime), r1182.zone_info(zone)
    code, received = r1182.country_code(country), aware(received_at, "received_at")
    start, since, lines = _clock_start(received, rules, tz, id_requested_at, id_received_at)
    day = r1182.local(start, tz).date()
    if rules.unit == "months":
        end, rule = r1182.add_months(day, rules.period), "DL-2"
        counted = f"{plural(rules.period, 'month')} after {since} on {fmt_date(day)}"
    else:
        end, rule = r1182.add_days(day, rules.period - 1), f"{rules.name.upper()} days"
        counted = f"{rules.period} calendar days, the day of {since} ({fmt_date(day)}) as day 1"
    lines.append(f"{counted} ({rules.source}): {fmt_date(end)}")
    due, rule = _finish(end, rules, code, tz, lines, rule)
    due_at = r1182.end_of_day(due, tz)
    return Deadline(
        rules=rules,
        received_at=received,
        clock_start=day,
        zone=zone,
        country=code,
        period_end=end,
        base_due_date=due,
        base_due_at=due_at,
        due_date=due,
        due_at=due_at,
        rule=rule,
        explanation="\n".join(lines),
    )


def extend(
    deadline: Deadline, *, reason: str, notice_at: datetime, amount: int | None = None
) -> Deadline:
    """The deadline extended once (DL-5, DL-6; CCPA: by up to 45 days, CCR §7021(b)).

    Refused (ValueError, saying why) for a second extension, a blank reason, an amount over the
    regime's maximum, or a notice sent after the original due moment: a late notice does not
    extend (Art. 12(3)). A notice is in time until the rolled due date ends, local time.
    """
    rules, tz = deadline.rules, r1182.zone_info(deadline.zone)
    notice, size = _check_extension(deadline, reason, notice_at, amount, tz)
    unit = "month" if rules.unit == "months" else "day"
    lines = [deadline.explanation, f"extended by {plural(size, unit)}, notified in time on "]
    lines[-1] += f"{fmt_moment(notice, tz)} (DL-5): {reason.strip()}"
    if rules.unit == "months":
        end, rule = _extended_months(deadline, size, lines)
    else:
        end, rule = r1182.add_days(deadline.period_end, size), f"{rules.name.upper()} extension"
        lines.append(f"{fmt_date(deadline.period_end)} + {size} days: {fmt_date(end)}")
    due, rule = _finish(end, rules, deadline.country, tz, lines, rule)
    return replace(
        deadline,
        due_date=due,
        due_at=r1182.end_of_day(due, tz),
        rule=rule,
        explanation="\n".join(lines),
        extension=Extension(size, reason.strip(), notice),
    )


def no_action_deadline(
    received_at: datetime, regime: str | DeadlineRules, zone: str, country: str
) -> Deadline:
    """By when to tell the subject that no action is taken, with the reasons (DL-7).

    Art. 12(4): without delay and within one month of receipt at the latest, whatever any
    extension; the notice names the reasons, the right to complain to a supervisory authority
    and the right to a judicial remedy. Only for regimes counted in months (the GDPR).
    """
    rules = _rules(regime)
    if rules.unit != "months":
        raise ValueError(f"DL-7 (GDPR Art. 12(4)) has no counterpart in regime {rules.name!r}")
    base = compute_deadline(received_at, rules, zone, country)
    note = f"no action taken: tell the subject by {fmt_weekday(base.due_date)} at the latest, "
    note += "with the reasons and the rights to complain to an SA and to a judicial remedy (DL-7)"
    return replace(base, rule=f"DL-7, {base.rule}", explanation=f"{base.explanation}\n{note}")


def classify(deadline: Deadline, now: datetime, *, soon_days: int = 7) -> DueStatus:
    """Overdue (due date past at ``now``, local), due soon (``soon_days`` or fewer left), open."""
    if isinstance(soon_days, bool) or not isinstance(soon_days, int) or soon_days < 0:
        raise ValueError(f"soon_days must be a whole number of days >= 0, not {soon_days!r}")
    today = r1182.local(aware(now, "now"), r1182.zone_info(deadline.zone)).date()
    left = (deadline.due_date - today).days
    when = fmt_weekday(deadline.due_date)
    if left < 0:
        late = f"overdue by {plural(-left, 'day')} ({when})"
        return DueStatus(deadline, Urgency.OVERDUE, left, late)
    urgency = Urgency.DUE_SOON if left <= soon_days else Urgency.OPEN
    summary = "due today" if left == 0 else f"due in {plural(left, 'day')}"
    return DueStatus(deadline, urgency, left, f"{summary} ({when})")


def due_listing(
    deadlines: Iterable[Deadline], now: datetime, *, soon_days: int = 7
) -> tuple[DueStatus, ...]:
    """The overdue and due-soon requests at ``now``, earliest due first (``requests due``)."""
    statuses = (classify(d, now, soon_days=soon_days) for d in deadlines)
    listed = [s for s in statuses if s.urgency is not Urgency.OPEN]
    return tuple(sorted(listed, key=lambda s: s.deadline.due_at.astimezone(UTC)))


def _clock_start(
    received: datetime,
    rules: DeadlineRules,
    tz: ZoneInfo,
    id_requested_at: datetime | None,
    id_received_at: datetime | None,
) -> tuple[datetime, str, list[str]]:
    """Where the period runs from (DL-1, DL-8), what that is, and the lines saying so."""
    lines = [f"received {fmt_moment(received, tz)}: the clock starts at receipt (DL-1, DL-4)"]
    if id_requested_at is None:
        if id_received_at is not None:
            raise ValueError("id_received_at is given but id_requested_at is not")
        return received, "receipt", lines
    asked = not_before(id_requested_at, received, "id_requested_at", "receipt")
    if not rules.id_pauses_clock:
        lines.append(f"ID asked for {fmt_moment(asked, tz)}: {rules.name} does not pause (DL-8)")
        return received, "receipt", lines
    if id_received_at is None:
        raise ValueError(f"the {rules.name} clock has not started: the ID has not arrived (DL-8)")
    arrived = not_before(id_received_at, asked, "id_received_at", "id_requested_at")
    lines[0] = f"received {fmt_moment(received, tz)} (DL-4); ID asked for {fmt_moment(asked, tz)}"
    lines.append(f"ID arrived {fmt_moment(arrived, tz)}: {rules.name} starts the clock then (DL-8)")
    return arrived, "the ID's arrival", lines


def _check_extension(
    deadline: Deadline, reason: str, notice_at: datetime, amount: int | None, tz: ZoneInfo
) -> tuple[datetime, int]:
    """The notice and the size of an extension that may be granted (DL-5), or a ValueError."""
    rules = deadline.rules
    if deadline.extension is not None:
        raise ValueError(
            "a second extension is refused: the deadline was already extended on "
            f"{fmt_moment(deadline.extension.notice_at, tz)}, and {rules.name} allows one (DL-5)"
        )
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("an extension needs a reason: complexity or number of requests (DL-5)")
    notice = not_before(notice_at, deadline.received_at, "notice_at", "receipt")
    size = rules.extension if amount is None else amount
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= rules.extension:
        raise ValueError(
            f"{rules.name} extends by 1 to {rules.extension} {rules.unit}, not {size!r}"
        )
    if r1182.local(notice, tz).date() > deadline.base_due_date:
        raise ValueError(
            f"extension refused: notice sent {fmt_moment(notice, tz)}, after the original due date "
            f"{fmt_weekday(deadline.base_due_date)} ended; a late notice does not extend (DL-5)"
        )
    return notice, size


def _extended_months(deadline: Deadline, months: int, lines: list[str]) -> tuple[date, str]:
    """DL-6: the earlier of receipt + (period + months) and the unrolled end + months."""
    total = deadline.rules.period + months
    whole = r1182.add_months(deadline.clock_start, total)
    chained = r1182.add_months(deadline.period_end, months)
    end = min(whole, chained)
    first = f"receipt + {plural(total, 'month')} = {fmt_date(whole)}"
    second = f"{fmt_date(deadline.period_end)} + {plural(months, 'month')} = {fmt_date(chained)}"
    chosen = "" if whole == chained else f": the earlier, {fmt_date(end)}, applies"
    lines.append(f"{first}; {second}{chosen} (Art. 12(3), DL-6)")
    return end, "DL-5, DL-6"


def _finish(
    end: date, rules: DeadlineRules, country: str, tz: ZoneInfo, lines: list[str], rule: str
) -> tuple[date, str]:
    """Roll ``end`` to a working day where the regime does (DL-3), and say when it ends."""
    day, line = r1182.roll(end, country) if rules.rolls_to_working_day else (end, "")
    lines.append(line or "calendar days: no move to a working day")
    lines.append(f"due by {fmt_weekday(day)} 23:59:59 {tz.key} time (DL-4)")
    return day, f"{rule}, DL-3" if day != end else rule


def _rules(regime: str | DeadlineRules) -> DeadlineRules:
    if isinstance(regime, DeadlineRules):
        return regime
    if isinstance(regime, str) and regime in REGIMES:
        return REGIMES[regime]
    raise ValueError(f"unknown regime {regime!r}: use one of {', '.join(sorted(REGIMES))}")
