"""Keeps `buyer_days` and `split_orders` equal to what `orders` says, in the import's transaction.

    refresh_buyers(conn, {"douyin": [date(2026, 11, 24)]})   # after the upsert, with the rollup
    rebuild_buyers(conn)                                       # after a bulk seed, or to repair

A buyer row's previous days depend on the customer's other rows, so every customer with a line on
a touched (channel, day), before or after the import, gets all their rows rebuilt. Whether an order
is split depends on its own lines only, and an order whose lines changed has one on a touched day
(the day a line moved to is touched as well as the one it left), so those orders are rechecked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import Column, Connection, Engine, Select, String, and_, func, insert, select, text
from sqlalchemy.sql.elements import ColumnElement

from metrics.db import scratch_table
from metrics.schema import buyer_days, daily_sales, orders, split_orders

LIVE = orders.c.status != "cancelled"
CHUNK = 500  # days per IN list, as the rollup does


def _day_parts(by_channel: Mapping[str, Sequence[date]]) -> list[tuple[str, list[date]]]:
    return [(channel, sorted(days)[i : i + CHUNK]) for channel, days in by_channel.items()
            for i in range(0, len(days), CHUNK)]


def _rows(where: ColumnElement[bool]) -> Select[tuple[object, ...]]:
    """buyer_days rows of the live lines matching `where`, previous days from the same rows."""
    day = orders.c.order_date
    return (
        select(orders.c.customer_id, orders.c.channel, day,
               func.lag(day).over(partition_by=[orders.c.channel, orders.c.customer_id], order_by=day),
               func.lag(day).over(partition_by=orders.c.customer_id, order_by=[day, orders.c.channel]))
        .where(and_(LIVE, where))
        .group_by(orders.c.customer_id, orders.c.channel, day)
    )


def _split(where: ColumnElement[bool]) -> Select[tuple[object, ...]]:
    return (select(orders.c.channel, orders.c.order_id).where(and_(LIVE, where))
            .group_by(orders.c.channel, orders.c.order_id)
            .having(func.min(orders.c.order_date) < func.max(orders.c.order_date)))


_COLUMNS = ["customer_id", "channel", "order_date", "buyer_prev", "person_prev"]


def refresh_buyers(conn: Connection, by_channel: Mapping[str, Sequence[date]]) -> None:
    """Rebuild the rows of every customer and order with a line on one of the (channel, days)."""
    parts = _day_parts(by_channel)
    if not parts:
        return
    if _every_day(conn, by_channel):
        # a first load or a full re-import touches every customer: one pass over `orders`, not one
        # per touched (channel, days) and an IN over all customers
        rebuild_buyers(conn)
        return
    with scratch_table(conn, "touched_buyers", Column("customer_id", String(64))) as touched:
        for channel, days in parts:
            on_days = and_(orders.c.channel == channel, orders.c.order_date.in_(days))
            # duplicates across parts are harmless: the table is only ever read through IN
            conn.execute(insert(touched).from_select(["customer_id"], select(orders.c.customer_id).where(
                on_days).distinct()))
            conn.execute(insert(touched).from_select(["customer_id"], select(buyer_days.c.customer_id).where(
                and_(buyer_days.c.channel == channel, buyer_days.c.order_date.in_(days))).distinct()))
            ids = select(orders.c.order_id).where(on_days)
            conn.execute(split_orders.delete().where(
                and_(split_orders.c.channel == channel, split_orders.c.order_id.in_(ids))))
            conn.execute(insert(split_orders).from_select(
                ["channel", "order_id"], _split(and_(orders.c.channel == channel, orders.c.order_id.in_(ids)))))
        who = select(touched.c.customer_id)
        conn.execute(buyer_days.delete().where(buyer_days.c.customer_id.in_(who)))
        conn.execute(insert(buyer_days).from_select(_COLUMNS, _rows(orders.c.customer_id.in_(who))))


def _every_day(conn: Connection, by_channel: Mapping[str, Sequence[date]]) -> bool:
    """Whether the touched days are every (channel, day) with order lines (the rollup, just refreshed)."""
    touched = {(channel, str(day)) for channel, days in by_channel.items() for day in days}
    return all((channel, str(day)[:10]) in touched
               for channel, day in conn.execute(select(daily_sales.c.channel, daily_sales.c.date)))


def settle(engine: Engine) -> None:
    """After an orders import commits, on PostgreSQL: mark the new rows all-visible and refresh the
    statistics, so window counts are index-only scans now, not once autovacuum (if it runs) gets there.
    VACUUM visits only the pages the import changed."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) buyer_days, split_orders"))


def rebuild_buyers(conn: Connection) -> None:
    conn.execute(buyer_days.delete())
    conn.execute(split_orders.delete())
    everything = orders.c.order_id.is_not(None)
    conn.execute(insert(buyer_days).from_select(_COLUMNS, _rows(everything)))
    conn.execute(insert(split_orders).from_select(["channel", "order_id"], _split(everything)))


__all__ = ["rebuild_buyers", "refresh_buyers", "settle"]
