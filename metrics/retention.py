"""Retention: repurchase rate, new vs returning (SPEC §4), monthly cohorts and a simple LTV.

    r = retention(conn, window=parse_window("30d", today=today), channel=None)
    r.cohorts[0].month, r.cohorts[0].size, r.cohorts[0].share(1)   # bought again in month 1 after
    r.ltv[0].channel, r.ltv[0].cells[0].average                     # 90-day revenue per buyer

- Cohort = calendar month of a buyer's first non-cancelled order (in the channel, when one is
  given). Month k after = the k-th calendar month after that; a buyer counts once per month in
  which they ordered. Only complete months are shown: the table ends with the last month that
  ended on or before the window's end, and shows the 12 cohorts up to it (fewer when the data
  starts later; the first month of data holds buyers whose earlier orders were never imported).
- LTV(N) = average net revenue (paid − refunded) per buyer from orders within N days of the first
  order (day 0 … N − 1), by the channel of the first order, in any channel when none is given.
  A cohort counts only when every buyer of it has had the full N days by the window's end.

All aggregation happens in SQL; at most a few hundred rows come back.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Connection, and_, case, extract, func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from metrics.customers import BuyerMix, buyer_mix
from metrics.money import from_cents, ratio
from metrics.schema import orders
from metrics.windows import Window

COHORTS = 12
LTV_DAYS = (90, 180, 365)
ALL = "all"


@dataclass(frozen=True)
class Cohort:
    month: date  # first day of the cohort's month
    size: int
    retained: tuple[int, ...]  # buyers ordering again in month 1, 2, … after (complete months only)

    def share(self, k: int) -> Decimal | None:
        """Share of the cohort that ordered in month `k` after its first; None when that month is not over."""
        if not 1 <= k <= len(self.retained):
            return None
        return ratio(self.retained[k - 1], self.size)


@dataclass(frozen=True)
class LtvCell:
    days: int
    buyers: int  # buyers of the cohorts old enough for `days`
    revenue: Decimal
    average: Decimal | None  # None when no cohort is old enough yet


@dataclass(frozen=True)
class LtvRow:
    channel: str  # the first order's channel slug, or ALL
    cells: tuple[LtvCell, ...]  # one per LTV_DAYS


@dataclass(frozen=True)
class RetentionResult:
    channel: str | None
    window: Window
    mix: BuyerMix
    through: date | None  # the last complete month's last day; None when no month ended in the data's range
    cohorts: tuple[Cohort, ...]  # oldest first
    ltv: tuple[LtvRow, ...]  # per first-order channel, largest 365-day base first; the ALL row last
    ltv_cutoffs: tuple[date, ...]  # per LTV_DAYS: first orders before this date are counted


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def last_complete_month_end(end: date) -> date:
    """`end` itself when it closes its month, else the end of the month before."""
    return end if end == month_end(end) else month_start(end) - timedelta(days=1)


def ltv_cutoff(end: date, days: int) -> date:
    """First day of the month after the newest cohort whose every buyer has had `days` days by `end`.

    A cohort month M qualifies when its last buyer (first order on M's last day) has days 0 … days − 1
    on or before `end`: month_end(M) ≤ end − (days − 1).
    """
    return last_complete_month_end(end - timedelta(days=days - 1)) + timedelta(days=1)


def _live(channel: str | None, through: date) -> ColumnElement[bool]:
    cond = and_(orders.c.status != "cancelled", orders.c.order_date <= through)
    return and_(cond, orders.c.channel == channel) if channel is not None else cond


def _month_index(col: ColumnElement[date]) -> ColumnElement[int]:
    return extract("year", col) * 12 + extract("month", col)


def _plus_days(conn: Connection, col: ColumnElement[date], days: int) -> ColumnElement[date]:
    """`col` + `days` days; date arithmetic is the one thing the three dialects spell differently."""
    name = conn.dialect.name
    if name == "sqlite":
        return func.date(col, f"+{int(days)} days")
    if name in ("mysql", "mariadb"):
        return func.date_add(col, literal_column(f"INTERVAL {int(days)} DAY"))
    return col + literal_column(str(int(days)))  # PostgreSQL: date + integer is a date


def cohorts(conn: Connection, *, through: date, channel: str | None = None, count: int = COHORTS
            ) -> tuple[Cohort, ...]:
    """The `count` monthly cohorts ending with `through`'s month, activity counted up to `through`."""
    last = month_start(through)
    oldest = add_months(last, -(count - 1))
    live = _live(channel, through)
    first = (
        select(orders.c.customer_id, func.min(orders.c.order_date).label("first_day"))
        .where(live)
        .group_by(orders.c.customer_id)
        .having(func.min(orders.c.order_date) >= oldest)
        .subquery("first")
    )
    month = _month_index(orders.c.order_date).label("ym")
    active = (
        select(orders.c.customer_id, month)
        .where(and_(live, orders.c.order_date >= oldest))
        .group_by(orders.c.customer_id, month)
        .subquery("active")
    )
    cohort_ym = _month_index(first.c.first_day)
    offset = (active.c.ym - cohort_ym).label("offset")
    cohort = cohort_ym.label("cohort")
    rows = conn.execute(
        select(cohort, offset, func.count())
        .select_from(first.join(active, active.c.customer_id == first.c.customer_id))
        .group_by(cohort, offset)
    ).all()
    counts: dict[tuple[int, int], int] = {(int(c), int(o)): int(n) for c, o, n in rows}
    out = []
    last_index = last.year * 12 + last.month
    for i in range(count):
        m = add_months(oldest, i)
        index = m.year * 12 + m.month
        size = counts.get((index, 0), 0)
        retained = tuple(counts.get((index, k), 0) for k in range(1, last_index - index + 1))
        out.append(Cohort(m, size, retained))
    # months before the first buyer (the data starts later) are not cohorts of size 0
    while out and out[0].size == 0:
        out.pop(0)
    return tuple(out)


def ltv(conn: Connection, *, end: date, channel: str | None = None) -> tuple[tuple[LtvRow, ...], tuple[date, ...]]:
    """LTV_DAYS revenue per buyer, by first-order channel (the ALL row last), and the cohort cutoffs."""
    cutoffs = tuple(ltv_cutoff(end, d) for d in LTV_DAYS)
    live = _live(channel, end)
    # one sort of the lines by buyer and time gives each line its buyer's first day and first channel
    # (the earliest line's; ties by channel, then order id); joins back to a per-buyer table misled
    # PostgreSQL's estimates into nested loops, 2–3x slower at 1M lines
    by_buyer, in_time = orders.c.customer_id, (orders.c.ordered_at, orders.c.channel, orders.c.order_id)
    lines = select(
        orders.c.customer_id, orders.c.order_date, (orders.c.paid_cents - orders.c.refund_cents).label("net"),
        func.first_value(orders.c.order_date).over(partition_by=by_buyer, order_by=in_time).label("first_day"),
        func.first_value(orders.c.channel).over(partition_by=by_buyer, order_by=in_time).label("first_channel"),
    ).where(live).subquery("lines")
    per_buyer = (
        select(
            lines.c.first_channel, lines.c.first_day,
            *(func.sum(case((lines.c.order_date < _plus_days(conn, lines.c.first_day, d), lines.c.net), else_=0))
              .label(f"rev{d}") for d in LTV_DAYS),
        )
        .where(lines.c.first_day < max(cutoffs))
        .group_by(lines.c.customer_id, lines.c.first_channel, lines.c.first_day)
        .subquery("per_buyer")
    )
    aggregates = []
    for d, cutoff in zip(LTV_DAYS, cutoffs, strict=True):
        eligible = per_buyer.c.first_day < cutoff
        aggregates += [func.sum(case((eligible, 1), else_=0)),
                       func.sum(case((eligible, per_buyer.c[f"rev{d}"]), else_=0))]
    rows = conn.execute(select(per_buyer.c.first_channel, *aggregates).group_by(per_buyer.c.first_channel)).all()
    by_channel: dict[str, list[tuple[int, int]]] = {}
    for row in rows:
        values = [int(v or 0) for v in row[1:]]
        by_channel[str(row[0])] = [(values[2 * i], values[2 * i + 1]) for i in range(len(LTV_DAYS))]
    total = [(sum(v[i][0] for v in by_channel.values()), sum(v[i][1] for v in by_channel.values()))
             for i in range(len(LTV_DAYS))]

    def row_of(name: str, pairs: list[tuple[int, int]]) -> LtvRow:
        return LtvRow(name, tuple(
            LtvCell(d, n, from_cents(cents), None if n == 0 else (from_cents(cents) / n).quantize(Decimal("0.01")))
            for d, (n, cents) in zip(LTV_DAYS, pairs, strict=True)))

    ranked = sorted(by_channel, key=lambda c: (-by_channel[c][-1][0], -by_channel[c][0][0], c))
    return (*(row_of(c, by_channel[c]) for c in ranked), row_of(ALL, total)), cutoffs


def retention(conn: Connection, *, window: Window, channel: str | None = None) -> RetentionResult:
    through = last_complete_month_end(window.end)
    ltv_rows, cutoffs = ltv(conn, end=window.end, channel=channel)
    return RetentionResult(
        channel=channel, window=window, mix=buyer_mix(conn, window=window, channel=channel), through=through,
        cohorts=cohorts(conn, through=through, channel=channel), ltv=ltv_rows, ltv_cutoffs=cutoffs,
    )


__all__ = [
    "ALL", "COHORTS", "LTV_DAYS", "Cohort", "LtvCell", "LtvRow", "RetentionResult", "add_months", "cohorts",
    "last_complete_month_end", "ltv", "ltv_cutoff", "month_end", "month_start", "retention",
]
