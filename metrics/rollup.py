"""Keeps `daily_sales`, `split_orders` and `buyer_days` equal to what `orders` says, for the days an
import touched."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, and_, case, func, insert, null, select, text

from metrics.buyer_days import CHUNK, LIVE, rebuild_buyers, refresh_buyers
from metrics.schema import daily_sales, orders

_LOCK_KEY = 0x524F4C4C  # "ROLL"


def refresh_daily_sales(conn: Connection, keys: Iterable[tuple[str, date]]) -> None:
    """Recompute the rollup rows of each (channel, date) in `keys`, and the buyer rows of every
    customer with a line on one, in the caller's transaction."""
    if conn.dialect.name == "postgresql":
        # two imports rebuilding one customer's rows from what each sees would leave the rows of the
        # one that saw less: one at a time, the second seeing the first's committed lines
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    by_channel = _by_channel(keys)
    _refresh_days(conn, by_channel)
    refresh_buyers(conn, by_channel)


def _by_channel(keys: Iterable[tuple[str, date]]) -> dict[str, list[date]]:
    out: dict[str, set[date]] = {}
    for channel, day in keys:
        out.setdefault(channel, set()).add(day)
    return {channel: sorted(days) for channel, days in out.items()}


def _refresh_days(conn: Connection, by_channel: dict[str, list[date]]) -> None:
    for channel, day_list in by_channel.items():
        for start in range(0, len(day_list), CHUNK):
            part = day_list[start : start + CHUNK]
            conn.execute(
                daily_sales.delete().where(
                    and_(daily_sales.c.channel == channel, daily_sales.c.date.in_(part))
                )
            )
            src = (
                select(
                    orders.c.order_date,
                    orders.c.channel,
                    func.coalesce(func.sum(case((LIVE, orders.c.paid_cents), else_=0)), 0),
                    func.coalesce(func.sum(orders.c.refund_cents), 0),
                    func.coalesce(func.sum(case((LIVE, orders.c.quantity), else_=0)), 0),
                    func.count(),
                    func.count(func.distinct(case((LIVE, orders.c.order_id), else_=null()))),
                )
                .where(and_(orders.c.channel == channel, orders.c.order_date.in_(part)))
                .group_by(orders.c.order_date, orders.c.channel)
            )
            conn.execute(
                insert(daily_sales).from_select(
                    ["date", "channel", "gmv_cents", "refund_cents", "units", "lines", "orders"], src
                )
            )


def refresh_all(conn: Connection) -> None:
    """Rebuild the whole rollup (after a bulk seed, or to repair)."""
    conn.execute(daily_sales.delete())
    keys = conn.execute(select(orders.c.channel, orders.c.order_date).distinct()).all()
    _refresh_days(conn, _by_channel((k[0], k[1]) for k in keys))
    rebuild_buyers(conn)


__all__ = ["refresh_daily_sales", "refresh_all"]
