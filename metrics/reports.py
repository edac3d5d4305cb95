"""The content of the daily, weekly and monthly reports: metrics read once into frozen objects.

    content = daily_content(conn, today=today, channels=registry.channels)
    handlers.views.reports.daily_view(content, locale="zh", footer=footer)   # renders, runs no SQL

A scheduled job and a `/report` command build the same content, so both say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import pandas as pd
from sqlalchemy import Connection

from metrics import sales
from metrics.alerts import count_active
from metrics.channels import Channel
from metrics.customers import BuyerMix, buyer_mix
from metrics.money import ratio
from metrics.sales import Basis, RoiResult, SalesSummary
from metrics.windows import Window, parse_window

# What a report is computed from: its footer and its stale-data note name these
SOURCES = ("orders", "traffic", "ad_spend")
# The weekly report suggests moving this share of the worst channel's spend to the best one
REALLOC_SHARE = Decimal("0.10")


Kind = Literal["daily", "weekly", "monthly"]
KINDS: tuple[Kind, ...] = ("daily", "weekly", "monthly")


def posting_day(kind: Kind, as_of: date) -> date:
    """The day the scheduled job posts the report that covers `as_of`: the `today` its content is built for.

    daily: the day after; weekly: the Monday after the Monday–Sunday week of `as_of`; monthly: the 1st
    of the month after."""
    if kind == "daily":
        return as_of + timedelta(days=1)
    if kind == "weekly":
        return as_of - timedelta(days=as_of.weekday()) + timedelta(days=7)
    return (as_of.replace(day=28) + timedelta(days=4)).replace(day=1)


def period(kind: Kind, today: date) -> Window:
    """The days a report posted on `today` covers."""
    if kind == "daily":
        return _one_day(today - timedelta(days=1))
    return parse_window("last-week" if kind == "weekly" else "last-month", today=today)


def _active(s: SalesSummary) -> bool:
    return bool(s.gmv or s.orders or s.uv or s.spend)


def _one_day(d: date) -> Window:
    return Window(d, d, d.isoformat())


# -- daily ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelDay:
    channel: Channel | None  # None: the total over every channel
    day: SalesSummary
    day_before: SalesSummary
    week_before: SalesSummary


@dataclass(frozen=True)
class DailyReport:
    day: date
    total: ChannelDay
    channels: tuple[ChannelDay, ...]
    top_skus: pd.DataFrame
    open_alerts: dict[str, int]

    @property
    def empty(self) -> bool:
        return not _active(self.total.day)


def daily_content(conn: Connection, *, today: date, channels: Sequence[Channel],
                  basis: Basis = "channel") -> DailyReport:
    """Yesterday, the day before and the same weekday a week earlier, in total and per channel."""
    day = today - timedelta(days=1)
    windows = [_one_day(day), _one_day(day - timedelta(days=1)), _one_day(day - timedelta(days=7))]
    slugs = [c.slug for c in channels]
    totals = [sales.summary(conn, window=w) for w in windows]
    per = [sales.summary_by_channel(conn, window=w, channels=slugs, basis=basis) for w in windows]
    rows = tuple(ChannelDay(c, per[0][i], per[1][i], per[2][i]) for i, c in enumerate(channels))
    return DailyReport(
        day=day,
        total=ChannelDay(None, *totals),
        channels=tuple(r for r in rows if _active(r.day) or _active(r.day_before)),
        top_skus=sales.top_skus(conn, window=windows[0], limit=5),
        open_alerts=count_active(conn),
    )


# -- weekly -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyReport:
    window: Window
    total: SalesSummary
    previous: SalesSummary
    ranking: tuple[RoiResult, ...]  # best ROI first, channels without spend last
    channels: tuple[Channel, ...]

    @property
    def empty(self) -> bool:
        return not _active(self.total)

    def reallocation(self) -> tuple[RoiResult, RoiResult, Decimal] | None:
        """(from the lowest-ROI channel, to the highest, amount) among channels with spend."""
        with_spend = [r for r in self.ranking if r.roi is not None]
        if len(with_spend) < 2 or with_spend[0].roi == with_spend[-1].roi:
            return None
        worst = with_spend[-1]
        return worst, with_spend[0], (worst.spend * REALLOC_SHARE).quantize(Decimal("0.01"))


def weekly_content(conn: Connection, *, today: date, channels: Sequence[Channel],
                   basis: Basis = "channel") -> WeeklyReport:
    window = parse_window("last-week", today=today)
    slugs = [c.slug for c in channels]
    return WeeklyReport(
        window=window,
        total=sales.summary(conn, window=window),
        previous=sales.summary(conn, window=window.previous()),
        ranking=tuple(sales.roi_by_channel(conn, window=window, channels=slugs, basis=basis)),
        channels=tuple(channels),
    )


# -- monthly ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyReport:
    window: Window
    total: SalesSummary
    previous: SalesSummary
    buyers: BuyerMix
    daily_gmv: tuple[tuple[date, Decimal], ...]
    target: Decimal | None

    @property
    def empty(self) -> bool:
        return not _active(self.total)

    @property
    def target_share(self) -> Decimal | None:
        return None if self.target is None else ratio(self.total.gmv, self.target)


def monthly_content(conn: Connection, *, today: date, target: Decimal | None) -> MonthlyReport:
    window = parse_window("last-month", today=today)
    before = parse_window("last-month", today=window.start)
    return MonthlyReport(
        window=window,
        total=sales.summary(conn, window=window),
        previous=sales.summary(conn, window=before),
        buyers=buyer_mix(conn, window=window),
        daily_gmv=tuple(sales.daily_gmv(conn, window=window)),
        target=target,
    )
