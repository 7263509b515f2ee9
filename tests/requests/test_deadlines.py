"""The deadline engine against GDPR.md §1.1 (DL-1 to DL-8) and §2 (CCPA), worked dates verbatim."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutela.requests.deadlines import (
    CCPA,
    GDPR,
    Deadline,
    Urgency,
    classify,
    compute_deadline,
    due_listing,
    extend,
    no_action_deadline,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def gdpr(received: datetime, zone: str = "Europe/Brussels", country: str = "BE") -> Deadline:
    return compute_deadline(received, "gdpr", zone, country)


def ccpa(received: datetime) -> Deadline:
    return compute_deadline(received, "ccpa", "America/Los_Angeles", "US")


def at(
    y: int, m: int, d: int, hour: int = 10, minute: int = 0, tz: ZoneInfo = BRUSSELS
) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=tz)


# DL-1: the clock starts at receipt


def test_DL_1_clock_starts_at_receipt_whatever_the_hour() -> None:
    first = gdpr(datetime(2025, 1, 14, 0, 0, 1, tzinfo=BRUSSELS))
    last = gdpr(datetime(2025, 1, 14, 23, 59, 59, tzinfo=BRUSSELS))
    assert first.due_date == last.due_date == date(2025, 2, 14)
    assert first.clock_start == date(2025, 1, 14)
    assert "the clock starts at receipt (DL-1, DL-4)" in first.explanation


# DL-2: one month, same date or the month's last day, day of receipt not counted


def test_DL_2_31_jan_2025_is_due_28_feb_2025() -> None:
    deadline = gdpr(at(2025, 1, 31))
    assert deadline.due_date == date(2025, 2, 28)
    assert deadline.rule == "DL-2"
    assert deadline.explanation.splitlines() == [
        "received 31 Jan 2025 10:00 Europe/Brussels: the clock starts at receipt (DL-1, DL-4)",
        "1 month after receipt on 31 Jan 2025 (R1182 Art. 3(2)(c)): 28 Feb 2025",
        "28 Feb 2025 is a working day in BE",
        "due by Fri 28 Feb 2025 23:59:59 Europe/Brussels time (DL-4)",
    ]


def test_DL_2_31_jan_2024_is_due_29_feb_2024_in_a_leap_year() -> None:
    deadline = gdpr(at(2024, 1, 31))
    assert deadline.due_date == deadline.period_end == date(2024, 2, 29)


def test_DL_2_same_date_next_month_day_of_receipt_not_counted() -> None:
    deadline = gdpr(at(2025, 1, 14))
    assert deadline.period_end == deadline.due_date == date(2025, 2, 14)


def test_DL_2_30_jan_ends_on_the_last_day_of_february() -> None:
    assert gdpr(at(2025, 1, 30)).period_end == date(2025, 2, 28)
    assert gdpr(at(2025, 12, 31)).period_end == date(2026, 1, 31)


# DL-3: a last day on a weekend or public holiday moves to the next working day


def test_DL_3_saturday_rolls_to_monday() -> None:
    deadline = gdpr(at(2025, 3, 5))
    assert deadline.period_end == date(2025, 4, 5)
    assert deadline.due_date == date(2025, 4, 7)
    assert deadline.rule == "DL-2, DL-3"
    assert "5 Apr 2025 is a Saturday: moved to Mon 7 Apr 2025 (R1182 Art. 3(4))" in (
        deadline.explanation.splitlines()
    )


def test_DL_3_easter_monday_rolls_to_tuesday() -> None:
    deadline = gdpr(at(2025, 3, 21))
    assert deadline.due_date == date(2025, 4, 22)
    assert (
        "21 Apr 2025 is a public holiday in BE (Easter Monday): moved to Tue 22 Apr 2025 "
        "(R1182 Art. 3(4))" in deadline.explanation
    )


def test_DL_3_belgian_national_day_rolls_to_22_jul_2026() -> None:
    deadline = gdpr(at(2026, 6, 21))
    assert deadline.due_date == date(2026, 7, 22)
    assert "21 Jul 2026 is a public holiday in BE (National Day)" in deadline.explanation


def test_DL_3_armistice_rolls_to_12_nov_2026() -> None:
    deadline = gdpr(at(2026, 10, 11))
    assert deadline.due_date == date(2026, 11, 12)
    assert "(Armistice Day): moved to Thu 12 Nov 2026" in deadline.explanation


def test_DL_3_28_feb_2026_saturday_rolls_to_monday_2_mar() -> None:
    deadline = gdpr(at(2026, 1, 31))
    assert deadline.period_end == date(2026, 2, 28)
    assert deadline.due_date == date(2026, 3, 2)
    assert deadline.due_date.weekday() == 0


def test_DL_3_weekend_then_easter_monday_rolls_three_days() -> None:
    deadline = gdpr(at(2025, 3, 19))
    assert deadline.due_date == date(2025, 4, 22)
    assert "19 Apr 2025 is a Saturday: moved to Tue 22 Apr 2025" in deadline.explanation


def test_DL_3_roll_crosses_into_the_next_years_holidays() -> None:
    deadline = gdpr(at(2023, 11, 30))
    assert deadline.period_end == date(2023, 12, 30)
    assert deadline.due_date == date(2024, 1, 2)


def test_DL_3_holidays_are_those_of_the_country_given() -> None:
    assert gdpr(at(2026, 6, 21), country="FR").due_date == date(2026, 7, 21)
    assert "21 Jul 2026 is a working day in FR" in gdpr(at(2026, 6, 21), country="FR").explanation


def test_DL_3_alpha_3_codes_are_read_as_alpha_2() -> None:
    assert gdpr(at(2025, 3, 21), country="BEL").country == "BE"


def test_DL_3_greece_may_be_written_EL_as_in_EU_documents() -> None:
    deadline = gdpr(at(2025, 2, 25), zone="Europe/Athens", country="EL")
    assert deadline.country == "GR"
    assert deadline.due_date == gdpr(at(2025, 2, 25), zone="Europe/Athens", country="GR").due_date


# DL-4: local dates in the controller's zone, end at 23:59:59 local


def test_DL_4_2330_utc_on_31_jan_is_1_feb_in_brussels() -> None:
    received = datetime(2025, 1, 31, 23, 30, tzinfo=UTC)
    deadline = gdpr(received)
    assert deadline.clock_start == date(2025, 2, 1)
    assert deadline.period_end == date(2025, 3, 1)  # a Saturday
    assert deadline.due_date == date(2025, 3, 3)
    assert deadline.due_at == datetime(2025, 3, 3, 23, 59, 59, tzinfo=BRUSSELS)
    assert "received 1 Feb 2025 00:30 Europe/Brussels" in deadline.explanation
    # Counted in UTC, the same instant would still be 31 Jan, hence 28 Feb.
    assert gdpr(received, zone="UTC").due_date == date(2025, 2, 28)


def test_DL_4_the_same_instant_in_any_offset_gives_the_same_deadline() -> None:
    instant = datetime(2025, 1, 31, 23, 30, tzinfo=UTC)
    plus_five = instant.astimezone(timezone(timedelta(hours=5)))
    assert (
        gdpr(instant).due_at == gdpr(plus_five).due_at == gdpr(instant.astimezone(BRUSSELS)).due_at
    )


def test_DL_4_due_moment_is_235959_local_in_summer_time() -> None:
    deadline = gdpr(at(2025, 5, 14))
    assert deadline.due_at.timetz() == time(23, 59, 59, tzinfo=BRUSSELS)
    assert deadline.due_at.utcoffset() == timedelta(hours=2)
    assert deadline.due_at.astimezone(UTC) == datetime(2025, 6, 16, 21, 59, 59, tzinfo=UTC)


def test_DL_4_the_later_235959_ends_a_day_whose_clocks_go_back_at_midnight() -> None:
    # Chile sets its clocks back at 24:00 on Sat 5 Apr 2025: 23:00-23:59 happens twice.
    santiago = ZoneInfo("America/Santiago")
    deadline = compute_deadline(at(2025, 2, 20, tz=santiago), "ccpa", "America/Santiago", "CL")
    assert deadline.due_date == date(2025, 4, 5)
    assert deadline.due_at.utcoffset() == timedelta(hours=-4)
    assert deadline.due_at.astimezone(UTC) == datetime(2025, 4, 6, 3, 59, 59, tzinfo=UTC)


# DL-5: one extension, with a reason, notified before the original (rolled) due date ends


def test_DL_5_extension_notified_in_time_is_accepted() -> None:
    base = gdpr(at(2025, 1, 31))
    extended = extend(base, reason="complex: 14 systems", notice_at=at(2025, 2, 10))
    assert extended.extension is not None
    assert extended.extension.amount == 2
    assert extended.extension.reason == "complex: 14 systems"
    assert extended.base_due_date == base.due_date == date(2025, 2, 28)
    assert extended.due_date == date(2025, 4, 28)
    assert "notified in time on 10 Feb 2025 10:00 Europe/Brussels (DL-5): complex: 14 systems" in (
        extended.explanation
    )
    assert base.extension is None  # results are immutable


def test_DL_5_notice_on_the_rolled_due_date_is_in_time() -> None:
    base = gdpr(at(2026, 1, 31))  # 28 Feb 2026 (Sat) rolled to Mon 2 Mar
    extended = extend(base, reason="number of requests", notice_at=at(2026, 3, 2, 23, 59))
    assert extended.due_date == date(2026, 4, 28)


def test_DL_5_notice_after_the_rolled_due_date_is_refused() -> None:
    base = gdpr(at(2026, 1, 31))
    with pytest.raises(ValueError, match=r"extension refused: notice sent 3 Mar 2026 00:00") as err:
        extend(base, reason="complexity", notice_at=datetime(2026, 3, 3, tzinfo=BRUSSELS))
    message = str(err.value)
    assert "after the original due date Mon 2 Mar 2026 ended; a late notice does not" in message


def test_DL_5_notice_late_in_the_controllers_zone_is_refused_even_if_in_time_in_utc() -> None:
    base = gdpr(at(2026, 1, 31))
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 3 Mar 00:30 in Brussels
    with pytest.raises(ValueError, match="a late notice does not extend"):
        extend(base, reason="complexity", notice_at=late)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_DL_5_extension_without_a_reason_is_refused(reason: object) -> None:
    with pytest.raises(ValueError, match="an extension needs a reason"):
        extend(gdpr(at(2025, 1, 31)), reason=reason, notice_at=at(2025, 2, 1))  # type: ignore[arg-type]


def test_DL_5_second_extension_is_refused() -> None:
    once = extend(gdpr(at(2025, 1, 31)), reason="complexity", notice_at=at(2025, 2, 1), amount=1)
    with pytest.raises(ValueError, match=r"a second extension is refused.*allows one"):
        extend(once, reason="still complex", notice_at=at(2025, 2, 2), amount=1)


@pytest.mark.parametrize("amount", [0, 3, -1, True, 1.5])
def test_DL_5_at_most_two_further_months(amount: object) -> None:
    with pytest.raises(ValueError, match="gdpr extends by 1 to 2 months"):
        extend(gdpr(at(2025, 1, 31)), reason="x", notice_at=at(2025, 2, 1), amount=amount)  # type: ignore[arg-type]


def test_DL_5_one_further_month_takes_the_earlier_reading_too() -> None:
    extended = extend(gdpr(at(2025, 1, 31)), reason="x", notice_at=at(2025, 2, 1), amount=1)
    assert extended.due_date == date(2025, 3, 28)  # not 31 Mar (receipt + 2 months)


def test_DL_5_notice_before_receipt_or_naive_is_refused() -> None:
    base = gdpr(at(2025, 1, 31))
    with pytest.raises(ValueError, match=r"notice_at .* is before receipt"):
        extend(base, reason="x", notice_at=at(2025, 1, 30))
    with pytest.raises(ValueError, match="notice_at is naive"):
        extend(base, reason="x", notice_at=datetime(2025, 2, 1))


# DL-6: "+2 months" is the earlier reading, the roll applies only to the final date


def test_DL_6_31_jan_2025_extended_is_28_apr_2025_not_30_apr() -> None:
    extended = extend(gdpr(at(2025, 1, 31)), reason="complexity", notice_at=at(2025, 2, 3))
    assert extended.due_date == date(2025, 4, 28)
    assert extended.rule == "DL-5, DL-6"
    assert (
        "receipt + 3 months = 30 Apr 2025; 28 Feb 2025 + 2 months = 28 Apr 2025: "
        "the earlier, 28 Apr 2025, applies (Art. 12(3), DL-6)" in extended.explanation
    )


def test_DL_6_31_jan_2026_extended_is_tue_28_apr_2026() -> None:
    # From the unrolled 28 Feb, not from the rolled Mon 2 Mar (which would give 2 May).
    extended = extend(gdpr(at(2026, 1, 31)), reason="complexity", notice_at=at(2026, 2, 3))
    assert extended.due_date == date(2026, 4, 28)
    assert extended.due_date.weekday() == 1
    assert "the earlier, 28 Apr 2026, applies" in extended.explanation


def test_DL_6_both_readings_agree_and_the_final_date_rolls() -> None:
    extended = extend(gdpr(at(2025, 1, 5)), reason="complexity", notice_at=at(2025, 1, 6))
    assert "receipt + 3 months = 5 Apr 2025; 5 Feb 2025 + 2 months = 5 Apr 2025 (" in (
        extended.explanation
    )
    assert extended.due_date == date(2025, 4, 7)
    assert extended.rule == "DL-5, DL-6, DL-3"
    assert extended.due_at == datetime(2025, 4, 7, 23, 59, 59, tzinfo=BRUSSELS)


# DL-7: no action taken, tell the subject within one month


def test_DL_7_no_action_notice_is_due_within_one_month() -> None:
    deadline = no_action_deadline(at(2025, 3, 5), "gdpr", "Europe/Brussels", "BE")
    assert deadline.due_date == date(2025, 4, 7)
    assert deadline.rule.startswith("DL-7")
    assert "complain to an SA and to a judicial remedy (DL-7)" in deadline.explanation


def test_DL_7_an_extension_does_not_move_the_no_action_limit() -> None:
    extended = extend(gdpr(at(2025, 3, 5)), reason="complexity", notice_at=at(2025, 3, 6))
    limit = no_action_deadline(at(2025, 3, 5), GDPR, "Europe/Brussels", "BE")
    assert limit.due_date == extended.base_due_date < extended.due_date


def test_DL_7_has_no_ccpa_counterpart_here() -> None:
    with pytest.raises(ValueError, match="DL-7"):
        no_action_deadline(at(2025, 3, 5), "ccpa", "America/Los_Angeles", "US")


# DL-8: asking for ID does not pause the EU clock; a regime may say otherwise


def test_DL_8_an_id_request_changes_nothing_under_the_gdpr() -> None:
    plain = gdpr(at(2025, 3, 5))
    asked = compute_deadline(
        at(2025, 3, 5), "gdpr", "Europe/Brussels", "BE",
        id_requested_at=at(2025, 3, 6), id_received_at=at(2025, 3, 25),
    )  # fmt: skip
    assert (asked.due_date, asked.due_at, asked.clock_start) == (
        plain.due_date,
        plain.due_at,
        plain.clock_start,
    )
    assert "gdpr does not pause (DL-8)" in asked.explanation


def test_DL_8_a_regime_may_start_the_clock_when_the_id_arrives() -> None:
    uk = dataclasses.replace(GDPR, name="uk-ico", id_pauses_clock=True)
    deadline = compute_deadline(
        at(2025, 1, 31), uk, "Europe/London", "GB",
        id_requested_at=at(2025, 2, 1), id_received_at=at(2025, 3, 10),
    )  # fmt: skip
    assert deadline.clock_start == date(2025, 3, 10)
    assert deadline.due_date == date(2025, 4, 10)
    assert "1 month after the ID's arrival on 10 Mar 2025" in deadline.explanation
    with pytest.raises(ValueError, match="the uk-ico clock has not started"):
        compute_deadline(at(2025, 1, 31), uk, "Europe/London", "GB", id_requested_at=at(2025, 2, 1))


def test_DL_8_id_dates_must_follow_receipt_and_each_other() -> None:
    with pytest.raises(ValueError, match=r"id_requested_at .* is before receipt"):
        compute_deadline(
            at(2025, 1, 31), "gdpr", "Europe/Brussels", "BE", id_requested_at=at(2025, 1, 1)
        )
    with pytest.raises(ValueError, match="id_received_at is given but id_requested_at is not"):
        compute_deadline(
            at(2025, 1, 31), "gdpr", "Europe/Brussels", "BE", id_received_at=at(2025, 2, 1)
        )
    uk = dataclasses.replace(GDPR, name="uk-ico", id_pauses_clock=True)
    with pytest.raises(ValueError, match=r"id_received_at .* is before id_requested_at"):
        compute_deadline(
            at(2025, 1, 31), uk, "Europe/London", "GB",
            id_requested_at=at(2025, 2, 5), id_received_at=at(2025, 2, 4),
        )  # fmt: skip


# CCPA (GDPR.md §2): 45 calendar days, receipt is day 1, one extension of 45 days


def test_CCPA_1_mar_2025_is_due_day_45_on_14_apr() -> None:
    deadline = ccpa(at(2025, 3, 1, tz=LOS_ANGELES))
    assert deadline.due_date == date(2025, 4, 14)
    assert deadline.due_at == datetime(2025, 4, 14, 23, 59, 59, tzinfo=LOS_ANGELES)
    assert "45 calendar days, the day of receipt (1 Mar 2025) as day 1 (CCR §7021(b))" in (
        deadline.explanation
    )


def test_CCPA_counts_calendar_days_without_rolling() -> None:
    assert ccpa(at(2025, 2, 27, tz=LOS_ANGELES)).due_date == date(2025, 4, 12)  # a Saturday
    assert ccpa(at(2025, 5, 21, tz=LOS_ANGELES)).due_date == date(2025, 7, 4)  # Independence Day


def test_CCPA_verification_does_not_pause_the_clock() -> None:
    deadline = compute_deadline(
        at(2025, 3, 1, tz=LOS_ANGELES), CCPA, "America/Los_Angeles", "US",
        id_requested_at=at(2025, 3, 2, tz=LOS_ANGELES),
        id_received_at=at(2025, 4, 1, tz=LOS_ANGELES),
    )  # fmt: skip
    assert deadline.due_date == date(2025, 4, 14)


def test_CCPA_one_extension_of_45_days_notified_within_the_first_45() -> None:
    base = ccpa(at(2025, 3, 1, tz=LOS_ANGELES))
    extended = extend(base, reason="volume", notice_at=at(2025, 4, 14, 23, 0, tz=LOS_ANGELES))
    assert extended.due_date == date(2025, 5, 29)  # day 90
    assert extended.rule == "CCPA extension"
    assert extend(base, reason="volume", notice_at=at(2025, 3, 2), amount=30).due_date == date(
        2025, 5, 14
    )
    with pytest.raises(ValueError, match="a late notice does not extend"):
        extend(base, reason="volume", notice_at=at(2025, 4, 15, 0, 0, tz=LOS_ANGELES))
    with pytest.raises(ValueError, match="ccpa extends by 1 to 45 days, not 46"):
        extend(base, reason="volume", notice_at=at(2025, 3, 2), amount=46)
    with pytest.raises(ValueError, match="a second extension is refused"):
        extend(extended, reason="volume", notice_at=at(2025, 4, 20, tz=LOS_ANGELES))


# Due soon / overdue, for `tutela requests due`


def test_due_soon_within_the_days_given() -> None:
    deadline = gdpr(at(2025, 3, 5))  # due Mon 7 Apr 2025
    status = classify(deadline, at(2025, 4, 1), soon_days=7)
    assert (status.urgency, status.days_left) == (Urgency.DUE_SOON, 6)
    assert status.summary == "due in 6 days (Mon 7 Apr 2025)"
    assert classify(deadline, at(2025, 4, 1), soon_days=5).urgency is Urgency.OPEN
    assert classify(deadline, at(2025, 3, 6)).urgency is Urgency.OPEN


def test_due_today_until_the_last_second_then_overdue() -> None:
    deadline = gdpr(at(2025, 3, 5))
    today = classify(
        deadline, datetime(2025, 4, 7, 23, 59, 59, 999999, tzinfo=BRUSSELS), soon_days=0
    )
    assert (today.urgency, today.summary) == (Urgency.DUE_SOON, "due today (Mon 7 Apr 2025)")
    late = classify(deadline, datetime(2025, 4, 8, tzinfo=BRUSSELS))
    assert (late.urgency, late.days_left) == (Urgency.OVERDUE, -1)
    assert late.summary == "overdue by 1 day (Mon 7 Apr 2025)"


def test_overdue_is_judged_in_the_controllers_zone() -> None:
    deadline = gdpr(at(2025, 3, 5))
    assert classify(deadline, datetime(2025, 4, 7, 22, 30, tzinfo=UTC)).urgency is Urgency.OVERDUE
    assert classify(deadline, datetime(2025, 4, 7, 21, 30, tzinfo=UTC)).urgency is Urgency.DUE_SOON


def test_due_listing_keeps_overdue_and_due_soon_earliest_first() -> None:
    overdue = gdpr(at(2025, 2, 3))  # due Mon 3 Mar 2025
    soon = gdpr(at(2025, 3, 5))  # due Mon 7 Apr 2025
    later = gdpr(at(2025, 3, 28))  # due Mon 28 Apr 2025
    listed = due_listing([later, soon, overdue], at(2025, 4, 2), soon_days=7)
    assert [s.deadline for s in listed] == [overdue, soon]
    assert [s.urgency for s in listed] == [Urgency.OVERDUE, Urgency.DUE_SOON]


@pytest.mark.parametrize("soon_days", [-1, True, 1.5, "7"])
def test_due_soon_window_must_be_whole_days(soon_days: object) -> None:
    with pytest.raises(ValueError, match="soon_days must be a whole number"):
        classify(gdpr(at(2025, 3, 5)), at(2025, 4, 1), soon_days=soon_days)  # type: ignore[arg-type]


def test_classify_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="now is naive"):
        classify(gdpr(at(2025, 3, 5)), datetime(2025, 4, 1))


# Hostile input


def test_naive_or_non_datetime_receipt_is_refused() -> None:
    with pytest.raises(ValueError, match=r"received_at is naive \(2025-01-31T10:00:00\)"):
        gdpr(datetime(2025, 1, 31, 10))
    with pytest.raises(ValueError, match="received_at must be a datetime, not date"):
        gdpr(date(2025, 1, 31))  # type: ignore[arg-type]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd", "/etc/localtime", "Europe"])
def test_unknown_time_zone_is_refused(zone: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        gdpr(at(2025, 1, 31), zone=zone)


@pytest.mark.parametrize("country", ["XX", "be", "", "Belgium", None])
def test_unknown_country_is_refused(country: str) -> None:
    with pytest.raises(ValueError, match="unknown country"):
        gdpr(at(2025, 1, 31), country=country)


@pytest.mark.parametrize("regime", ["lgpd", "GDPR", "", None])
def test_unknown_regime_is_refused(regime: object) -> None:
    with pytest.raises(ValueError, match=r"unknown regime .*: use one of ccpa, gdpr"):
        compute_deadline(at(2025, 1, 31), regime, "Europe/Brussels", "BE")  # type: ignore[arg-type]


def test_year_9999_and_years_without_holiday_data_are_refused() -> None:
    with pytest.raises(ValueError, match="public holidays of BE are known for 1901 to 2100 only"):
        gdpr(datetime(9999, 1, 5, tzinfo=UTC))
    with pytest.raises(ValueError, match="not 1850"):
        gdpr(datetime(1850, 1, 5, tzinfo=UTC))
    with pytest.raises(ValueError, match="past the year 9999"):
        gdpr(datetime(9999, 12, 15, tzinfo=UTC))
    with pytest.raises(ValueError, match="out of range in Europe/Brussels"):
        gdpr(datetime(9999, 12, 31, 23, 30, tzinfo=UTC))
    with pytest.raises(ValueError, match="past the year 9999"):
        ccpa(datetime(9999, 12, 1, tzinfo=UTC))


def test_a_calendar_day_regime_needs_no_holidays_even_in_9999() -> None:
    assert ccpa(datetime(9999, 1, 1, 12, tzinfo=UTC)).due_date == date(9999, 2, 14)


def test_results_are_frozen() -> None:
    deadline = gdpr(at(2025, 1, 31))
    with pytest.raises(dataclasses.FrozenInstanceError):
        deadline.due_date = date(2030, 1, 1)  # type: ignore[misc]


# Property: between receipt + 28 days and receipt + 31 days + the longest roll, a working day

COUNTRIES = ("BE", "DE", "FR", "IE", "GB", "US")
ZONES = ("Europe/Brussels", "UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata")


def _working(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in holidays.country_holidays(country, years=day.year)


@cache
def _longest_roll(country: str) -> int:
    """The longest run of non-working days in 1991-2100 (e.g. Christmas plus a weekend)."""
    longest = run = 0
    day = date(1991, 1, 1)
    table = holidays.country_holidays(country, years=range(1991, 2101))
    while day.year <= 2100:
        run = 0 if day.weekday() < 5 and day not in table else run + 1
        longest = max(longest, run)
        day += timedelta(days=1)
    return longest


@settings(max_examples=300, deadline=None)
@given(
    received=st.datetimes(
        min_value=datetime(1991, 1, 1), max_value=datetime(2099, 11, 30), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
    country=st.sampled_from(COUNTRIES),
)
def test_DL_2_DL_3_due_date_is_bounded_and_a_working_day(
    received: datetime, zone: str, country: str
) -> None:
    deadline = gdpr(received, zone=zone, country=country)
    receipt = received.astimezone(ZoneInfo(zone)).date()
    assert receipt + timedelta(days=28) <= deadline.period_end <= receipt + timedelta(days=31)
    assert deadline.due_date <= receipt + timedelta(days=31 + _longest_roll(country))
    assert _working(deadline.due_date, country)
    rolled = (deadline.due_date - deadline.period_end).days
    between = (deadline.period_end + timedelta(days=n) for n in range(rolled))
    assert not any(_working(day, country) for day in between)
    assert deadline.due_at.astimezone(ZoneInfo(zone)).date() == deadline.due_date
    assert deadline.due_at.astimezone(ZoneInfo(zone)).time() == time(23, 59, 59)


@settings(max_examples=150, deadline=None)
@given(
    received=st.datetimes(
        min_value=datetime(1991, 1, 1), max_value=datetime(2099, 9, 30), timezones=st.just(UTC)
    ),
    months=st.sampled_from((1, 2)),
)
def test_DL_6_extended_date_is_never_later_than_receipt_plus_the_whole_period(
    received: datetime, months: int
) -> None:
    base = gdpr(received)
    extended = extend(base, reason="complexity", notice_at=received, amount=months)
    receipt = extended.clock_start
    latest = base.period_end + timedelta(days=31 * months + _longest_roll("BE"))
    assert base.due_date < extended.due_date <= latest
    assert receipt + timedelta(days=28 + 28 * months) <= extended.due_date
    assert _working(extended.due_date, "BE")
