"""The sweep's cutoff and erasure's per-row end agree on every row (RT-2, ER-2, issue 18).

A sweep deletes rows whose time is before :func:`tutela.retention.targets.cutoff`; an
erasure keeps a row under a legal obligation until :mod:`tutela.rights.retained` finds its
end passed. Both count from :meth:`Duration.after`, and a row must never be kept by one
and gone for the other.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from tutela.programme.durations import Duration
from tutela.retention.targets import cutoff, date_bound
from tutela.rights.retained import _end, _passed

PERIODS = ["24h", "48h", "90d", "1m", "6m", "13m", "1y", "10y", "2w"]


@pytest.mark.parametrize("text", PERIODS)
def test_RT_2_ER_2_cutoff_and_erasure_agree_on_every_row(text: str) -> None:
    period = Duration.parse(text)
    chance = random.Random(text)
    for _ in range(300):
        now = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(
            seconds=chance.randrange(0, 3 * 366 * 86400), microseconds=chance.randrange(10**6)
        )
        bound = cutoff(period, now)
        for start in (bound - timedelta(microseconds=1), bound, bound + timedelta(days=1)):
            assert (start < bound) == _passed(_end(period, start), now), (text, now, start)


def test_RT_2_month_ends_clamp_so_a_whole_day_ends_together() -> None:
    # 1m after any time on 28 February 2025 is 28 March; after 1 March it is 1 April
    bound = cutoff(Duration.parse("1m"), datetime(2025, 3, 30, 10, tzinfo=UTC))
    assert bound == datetime(2025, 3, 1, tzinfo=UTC)


def test_RT_2_a_date_ends_when_its_midnight_is_before_the_cutoff() -> None:
    assert date_bound(datetime(2025, 3, 1, tzinfo=UTC)) == date(2025, 3, 1)
    assert date_bound(datetime(2025, 3, 1, 0, 0, 1, tzinfo=UTC)) == date(2025, 3, 2)
