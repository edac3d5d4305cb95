"""metrics.clock: one way to turn a moment into the naive UTC the timestamp columns keep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from metrics.clock import utc_naive


def test_an_aware_moment_becomes_naive_utc() -> None:
    shanghai = datetime(2026, 11, 11, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    # Shanghai is UTC+8 all year: half past midnight there is 16:30 the day before in UTC
    assert utc_naive(shanghai) == datetime(2026, 11, 10, 16, 30)
    assert utc_naive(datetime(2026, 3, 1, 9, tzinfo=timezone(timedelta(hours=-5)))) == datetime(2026, 3, 1, 14)
    assert utc_naive(datetime(2026, 3, 1, 9, tzinfo=UTC)).tzinfo is None


def test_a_naive_moment_is_already_utc() -> None:
    # a value read back from a column: not shifted by the host's own zone
    assert utc_naive(datetime(2026, 11, 10, 16, 30)) == datetime(2026, 11, 10, 16, 30)
