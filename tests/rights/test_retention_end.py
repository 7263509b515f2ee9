"""The end date an erasure answer gives for data kept under a legal obligation (ER-2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tutela.rights.models import Retention
from tutela.rights.results import retention_end


def _kept_for(period: str | None, criterion: str | None = None) -> Retention:
    return Retention("accounting", "legal_obligation", period, criterion)


@pytest.mark.parametrize("period", ["6m", "6 months", "6 Months"])
def test_ER_2_six_months_from_aug_31_end_on_the_last_day_of_february(period: str) -> None:
    start = datetime(2025, 8, 31, 14, 30, tzinfo=UTC)
    end = retention_end(start, _kept_for(period))
    assert end == datetime(2026, 2, 28, 14, 30, tzinfo=UTC)
    assert end != start + timedelta(days=180)


def test_ER_2_six_months_end_on_29_february_in_a_leap_year() -> None:
    start = datetime(2023, 8, 31, tzinfo=UTC)
    assert retention_end(start, _kept_for("6m")) == datetime(2024, 2, 29, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "end"),
    [
        ("7y", datetime(2031, 2, 28, 9, tzinfo=UTC)),
        ("84m", datetime(2031, 2, 28, 9, tzinfo=UTC)),
        ("1y", datetime(2025, 2, 28, 9, tzinfo=UTC)),
        ("90d", datetime(2024, 5, 29, 9, tzinfo=UTC)),
        ("48h", datetime(2024, 3, 2, 9, tzinfo=UTC)),
    ],
)
def test_ER_2_years_are_calendar_years_and_days_are_exact(period: str, end: datetime) -> None:
    assert retention_end(datetime(2024, 2, 29, 9, tzinfo=UTC), _kept_for(period)) == end


def test_ER_2_a_criterion_gives_no_end_date() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    assert retention_end(start, _kept_for(None, "Until the claim is settled.")) is None
