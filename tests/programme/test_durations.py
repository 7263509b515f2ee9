"""Durations: one grammar, calendar arithmetic and one order for every period (RT-1, ER-2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tutela.programme.durations import Duration, Unit, durations_in_words
from tutela.programme.models import ConsentNotice, RetentionRule

BRUSSELS = ZoneInfo("Europe/Brussels")
LONGEST: dict[Unit, int] = {
    "hour": 8_760_000,
    "day": 365_000,
    "week": 52_000,
    "month": 12_000,
    "year": 1_000,
}

# --- parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("24h", 24, "hour"),
        ("48 hours", 48, "hour"),
        ("1 hour", 1, "hour"),
        ("30d", 30, "day"),
        ("30 days", 30, "day"),
        ("1 day", 1, "day"),
        ("2w", 2, "week"),
        ("2 weeks", 2, "week"),
        ("6m", 6, "month"),
        ("6 months", 6, "month"),
        ("1 Month", 1, "month"),
        ("7y", 7, "year"),
        ("1 year", 1, "year"),
        ("7 YEARS", 7, "year"),
        ("  12 M  ", 12, "month"),
        ("24\th", 24, "hour"),
        ("\n3\n y \n", 3, "year"),
        ("007d", 7, "day"),
        ("0h", 0, "hour"),
        ("1000y", 1000, "year"),
        ("12000m", 12000, "month"),
        ("52000w", 52000, "week"),
        ("365000d", 365000, "day"),
        ("8760000h", 8760000, "hour"),
    ],
)
def test_RT_1_programme_durations_parse(text: str, amount: int, unit: Unit) -> None:
    parsed = Duration.parse(text)
    assert (parsed.amount, parsed.unit) == (amount, unit)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "0x",
        "10 fortnights",
        "24",
        "h",
        "-1d",
        "+1d",
        "1.5d",
        "1,5d",
        "1e3d",
        "1_000d",
        "0x10d",
        "24 h h",
        "24 hours ago",
        "24h\n7d",
        "2 mins",
        "1 hr",
        "5 minutes",
        "\u0663d",  # ARABIC-INDIC DIGIT THREE
        "\uff13d",  # FULLWIDTH DIGIT THREE
        "\u0661\u0662m",
        "24\u00a0h",  # a no-break space is not ASCII whitespace
        "1 hour\u017f",  # LATIN SMALL LETTER LONG S folds to s under Unicode IGNORECASE
        "None",
        "null",
        "~",
        "session",
    ],
)
def test_RT_1_bad_durations_say_how_to_write_them(text: str) -> None:
    with pytest.raises(
        ValueError, match=r"is not a duration; write a number and a unit, e\.g\. 24h"
    ):
        Duration.parse(text)


@pytest.mark.parametrize(
    "text", ["999999999y", "1001y", "12001m", "52001w", "365001d", "8760001h", "9" * 400 + "d"]
)
def test_RT_1_durations_longer_than_1000_years_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="too long; a duration is at most 1000 years") as caught:
        Duration.parse(text)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize("value", [None, 24, b"24h", ["24h"]])
def test_non_text_is_not_a_duration(value: object) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        Duration.parse(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "unit"),
    [(-1, "day"), (1001, "year"), (True, "day"), (1.5, "day"), (1, "fortnight"), (1, "minute")],
)
def test_durations_cannot_be_built_out_of_range(amount: object, unit: str) -> None:
    with pytest.raises(ValueError):
        Duration(amount, unit)  # type: ignore[arg-type]


@given(st.text(max_size=30))
def test_parse_only_ever_raises_value_error(text: str) -> None:
    try:
        parsed = Duration.parse(text)
    except ValueError:
        return
    assert str(Duration.parse(str(parsed))) == str(parsed)


@pytest.mark.parametrize(
    ("text", "canonical", "words"),
    [
        ("48 hours", "48h", "48 hours"),
        ("1 hour", "1h", "1 hour"),
        ("30 days", "30d", "30 days"),
        ("1 week", "1w", "1 week"),
        ("6 months", "6m", "6 months"),
        ("1 YEAR", "1y", "1 year"),
        ("0d", "0d", "0 days"),
    ],
)
def test_canonical_form_and_words(text: str, canonical: str, words: str) -> None:
    assert str(Duration.parse(text)) == canonical
    assert Duration.parse(text).words() == words


@pytest.mark.parametrize(
    ("texts", "conjunction", "words"),
    [
        (["24h", "48h"], "or", "24 or 48 hours"),
        (["24h", "48 hours"], "or", "24 or 48 hours"),
        (["1h", "2h", "3h"], "and", "1, 2 and 3 hours"),
        (["2h", "1h"], "or", "2 or 1 hour"),
        (["6m", "1y"], "or", "6 months or 1 year"),
        (["12m", "1y"], "or", "12 months or 1 year"),
        (["1d"], "or", "1 day"),
        ([], "or", ""),
    ],
)
def test_RT_1_several_durations_share_their_unit(
    texts: list[str], conjunction: str, words: str
) -> None:
    assert durations_in_words([Duration.parse(t) for t in texts], conjunction) == words


def test_RT_1_a_bad_choice_is_reported_at_its_own_index() -> None:
    with pytest.raises(ValidationError) as caught:
        RetentionRule(key="scan", name="Scan data", period="24h", choices=["24h", "2 fortnights"])
    (error,) = caught.value.errors()
    assert error["loc"] == ("choices", 1)
    assert "is not a duration; write a number and a unit" in error["msg"]


def test_consent_lifetime_is_checked_and_kept_as_written() -> None:
    notice = ConsentNotice(
        notice="n", methods=["checkbox"], withdrawal="w", expires_after="2 Years"
    )
    assert notice.expires_after == "2 Years"
    with pytest.raises(ValidationError, match="is not a duration"):
        ConsentNotice(notice="n", methods=["checkbox"], withdrawal="w", expires_after="forever")


# --- calendar arithmetic -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("1m", date(2025, 1, 31), date(2025, 2, 28)),
        ("1m", date(2024, 1, 31), date(2024, 2, 29)),
        ("1m", date(2025, 3, 31), date(2025, 4, 30)),
        ("1m", date(2025, 12, 31), date(2026, 1, 31)),
        ("13m", date(2024, 12, 15), date(2026, 1, 15)),
        ("6m", date(2025, 8, 31), date(2026, 2, 28)),
        ("6m", date(2023, 8, 31), date(2024, 2, 29)),
        ("1y", date(2024, 2, 29), date(2025, 2, 28)),
        ("4y", date(2024, 2, 29), date(2028, 2, 29)),
        ("12m", date(2024, 2, 29), date(2025, 2, 28)),
        ("1y", date(2099, 3, 1), date(2100, 3, 1)),
        ("0m", date(2025, 1, 31), date(2025, 1, 31)),
        ("30d", date(2025, 1, 31), date(2025, 3, 2)),
        ("2w", date(2025, 12, 25), date(2026, 1, 8)),
        ("48h", date(2024, 2, 28), date(2024, 3, 1)),
    ],
)
def test_RT_1_months_and_years_are_calendar_months_and_years(
    text: str, start: date, end: date
) -> None:
    result = Duration.parse(text).after(start)
    assert result == end and type(result) is date


def test_hours_on_a_date_must_make_whole_days() -> None:
    with pytest.raises(ValueError, match="whole number of days; give a datetime"):
        Duration.parse("36h").after(date(2025, 1, 1))


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("48h", datetime(2025, 12, 31, 12), datetime(2026, 1, 2, 12)),
        ("1m", datetime(2025, 1, 31, 23, 59, 59), datetime(2025, 2, 28, 23, 59, 59)),
        ("1y", datetime(2024, 2, 29, 8, 30, tzinfo=UTC), datetime(2025, 2, 28, 8, 30, tzinfo=UTC)),
        ("6h", datetime(2025, 1, 1, 22, tzinfo=UTC), datetime(2025, 1, 2, 4, tzinfo=UTC)),
    ],
)
def test_datetimes_keep_their_time_of_day(text: str, start: datetime, end: datetime) -> None:
    assert Duration.parse(text).after(start) == end


def test_calendar_units_keep_the_wall_clock_of_the_zone() -> None:
    start = datetime(2026, 3, 15, 9, 0, tzinfo=BRUSSELS)  # winter time, +01:00
    end = Duration.parse("1m").after(start)
    assert end.tzinfo is BRUSSELS
    assert (end.day, end.hour, end.utcoffset()) == (15, 9, timedelta(hours=2))


def test_exact_units_are_elapsed_time_across_a_daylight_saving_change() -> None:
    start = datetime(2026, 3, 28, 12, 0, tzinfo=BRUSSELS)  # clocks go forward on 29 March
    for text in ("24h", "1d"):
        end = Duration.parse(text).after(start)
        assert end.tzinfo is BRUSSELS
        assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)
        assert (end.day, end.hour) == (29, 13)


def test_an_end_past_the_year_9999_overflows() -> None:
    with pytest.raises(OverflowError):
        Duration.parse("1000y").after(date(9500, 1, 1))
    with pytest.raises(OverflowError):
        Duration.parse("365000d").after(date(9500, 1, 1))


# --- ordering ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("same", "as_"),
    [("12m", "1y"), ("24h", "1d"), ("7d", "1w"), ("168h", "1w"), ("24m", "2y"), ("0m", "0h")],
)
def test_NT_1_equal_lengths_are_equal(same: str, as_: str) -> None:
    assert Duration.parse(same) == Duration.parse(as_)
    assert hash(Duration.parse(same)) == hash(Duration.parse(as_))
    assert not Duration.parse(same) < Duration.parse(as_)


@pytest.mark.parametrize(
    ("shorter", "longer"),
    [
        ("1m", "1y"),
        ("23h", "1d"),
        ("28d", "1m"),
        ("1m", "29d"),
        ("1m", "30d"),
        ("1m", "31d"),
        ("11m", "1y"),
        ("365d", "1y"),
        ("1y", "366d"),
        ("1y", "13m"),
        ("1460d", "4y"),
        ("6d", "1w"),
    ],
)
def test_NT_1_a_month_ranks_by_the_fewest_days_it_can_last(shorter: str, longer: str) -> None:
    assert Duration.parse(shorter) < Duration.parse(longer)
    assert Duration.parse(longer) > Duration.parse(shorter)
    assert Duration.parse(shorter) != Duration.parse(longer)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("1m", 28),
        ("2m", 59),
        ("12m", 365),
        ("1y", 365),
        ("4y", 1460),
        ("5y", 1825),
        ("400y", 146097),
    ],
)
def test_shortest_is_the_least_time_a_calendar_duration_lasts(text: str, days: int) -> None:
    assert Duration.parse(text).shortest == timedelta(days=days)


def test_max_picks_the_longest_period() -> None:
    periods = [Duration.parse(text) for text in ("30d", "1m", "4w", "720h")]
    assert str(max(periods)) == "30d"
    assert [str(d) for d in sorted(periods)] == ["4w", "1m", "30d", "720h"]


# --- properties --------------------------------------------------------------------------------


def _durations(unit: Unit) -> st.SearchStrategy[Duration]:
    return st.builds(Duration, st.integers(0, LONGEST[unit]), st.just(unit))


durations = st.sampled_from(list(LONGEST)).flatmap(_durations)
short_durations = st.builds(
    Duration, st.integers(0, 300), st.sampled_from(["hour", "day", "week", "month", "year"])
)
starts = st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(8900, 12, 31))
zones: st.SearchStrategy[tzinfo] = st.sampled_from(
    [UTC, BRUSSELS, ZoneInfo("America/Sao_Paulo"), timezone(timedelta(hours=-5))]
)


@given(durations)
def test_RT_1_parse_reads_back_str_and_words(duration: Duration) -> None:
    assert Duration.parse(str(duration)) == duration
    assert str(Duration.parse(str(duration))) == str(duration)
    assert Duration.parse(duration.words()) == duration


@given(durations, starts)
def test_after_never_goes_backwards_nor_below_the_shortest(
    duration: Duration, start: datetime
) -> None:
    end = duration.after(start)
    assert end >= start
    assert end - start >= duration.shortest


@given(short_durations, starts, zones)
def test_aware_datetimes_keep_their_zone(duration: Duration, start: datetime, zone: tzinfo) -> None:
    aware = start.replace(tzinfo=zone)
    end = duration.after(aware)
    assert end.tzinfo is zone and end >= aware


@given(st.integers(0, 6000), st.integers(0, 6000), starts)
def test_RT_1_more_months_end_later_and_rank_longer(a: int, b: int, start: datetime) -> None:
    fewer, more = Duration(min(a, b), "month"), Duration(max(a, b), "month")
    assert fewer <= more
    assert fewer.after(start) <= more.after(start)
    assert (fewer < more) == (a != b)


@given(st.integers(0, 900), st.integers(0, 1200), starts)
def test_years_are_twelve_months(years: int, extra: int, start: datetime) -> None:
    assert Duration(years, "year") == Duration(12 * years, "month")
    assert Duration(years, "year").after(start) == Duration(12 * years, "month").after(start)
    assert Duration(years, "year") <= Duration(12 * years + extra, "month")


@settings(max_examples=300)
@given(durations, durations)
def test_NT_1_the_order_is_total_and_agrees_with_equality(a: Duration, b: Duration) -> None:
    assert [a < b, a == b, a > b].count(True) == 1
    assert (a <= b) == (a < b or a == b)
    if a == b:
        assert hash(a) == hash(b)


@given(durations, durations, durations)
def test_NT_1_the_order_is_transitive(a: Duration, b: Duration, c: Duration) -> None:
    if a <= b and b <= c:
        assert a <= c
