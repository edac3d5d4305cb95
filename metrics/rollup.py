"""Keeps `daily_sales` equal to a GROUP BY over `orders` for the days an import touched."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, and_, case, func, insert, select

from metrics.schema import daily_sales, orders

_NOT_CANCELLED = orders.c.status != "cancelled"


def refresh_daily_sales(conn: Connection, keys: Iterable[tuple[str, date]]) -> None:
    """Recompute the rollup rows of each (channel, date) in `keys`, in the caller's transaction."""
    by_channel: dict[str, set[date]] = {}
    for channel, day in keys:
        by_channel.setdefault(channel, set()).add(day)
    for channel, days in by_channel.items():
        day_list = sorted(days)
        for start in range(0, len(day_list), 500):
            part = day_list[start : start + 500]
            conn.execute(
                daily_sales.delete().where(
                    and_(daily_sales.c.channel == channel, daily_sales.c.date.in_(part))
                )
            )
            src = (
                select(
                    orders.c.order_date,
                    orders.c.channel,
                    func.coalesce(func.sum(case((_NOT_CANCELLED, orders.c.paid_cents), else_=0)), 0),
                    func.coalesce(func.sum(orders.c.refund_cents), 0),
                    func.coalesce(func.sum(case((_NOT_CANCELLED, orders.c.quantity), else_=0)), 0),
                    func.count(),
                )
                .where(and_(orders.c.channel == channel, orders.c.order_date.in_(part)))
                .group_by(orders.c.order_date, orders.c.channel)
            )
            conn.execute(
                insert(daily_sales).from_select(
                    ["date", "channel", "gmv_cents", "refund_cents", "units", "lines"], src
                )
            )


def refresh_all(conn: Connection) -> None:
    """Rebuild the whole rollup (after a bulk seed, or to repair)."""
    conn.execute(daily_sales.delete())
    keys = conn.execute(select(orders.c.channel, orders.c.order_date).distinct()).all()
    refresh_daily_sales(conn, [(k[0], k[1]) for k in keys])


__all__ = ["refresh_daily_sales", "refresh_all"]
