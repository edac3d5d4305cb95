"""Repurchase rate and new vs returning buyers (SPEC §4) for a channel (or all) over a window.

    m = buyer_mix(conn, window=parse_window("30d", today=today), channel="tmall")
    m.repurchase_rate   # Decimal("0.2500"), or None when the window had no buyers
    m.new_buyers, m.returning_buyers

Everything is counted in the database: one row comes back, whatever the number of orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from metrics.money import ratio
from metrics.schema import orders
from metrics.windows import Window


@dataclass(frozen=True)
class BuyerMix:
    channel: str | None  # None = all channels together
    window: Window
    buyers: int
    repeat_buyers: int  # buyers of the window with >= 2 orders up to the window's end
    repurchase_rate: Decimal | None
    new_buyers: int  # first ever order inside the window
    returning_buyers: int


def _live_lines(channel: str | None) -> ColumnElement[bool]:
    cond = orders.c.status != "cancelled"
    if channel is not None:
        cond = and_(cond, orders.c.channel == channel)
    return cond


def buyer_mix(conn: Connection, *, window: Window, channel: str | None = None) -> BuyerMix:
    """Buyers of `window`, how many of them bought twice or more, and how many are new.

    History is read up to the window's end only, so re-running a past window gives the answer it
    gave then. With `channel`, both the buyers and their history are limited to that channel.
    """
    live = _live_lines(channel)
    window_buyers = select(orders.c.customer_id).where(
        and_(live, orders.c.order_date >= window.start, orders.c.order_date <= window.end)
    )
    # an order id is unique within its channel only, so an order is a (channel, order_id) pair;
    # grouping by it first also keeps a multi-line order from counting as several orders
    per_order = (
        select(
            orders.c.customer_id,
            func.min(orders.c.order_date).label("first_day"),
        )
        .where(and_(live, orders.c.order_date <= window.end, orders.c.customer_id.in_(window_buyers)))
        .group_by(orders.c.customer_id, orders.c.channel, orders.c.order_id)
        .subquery()
    )
    per_buyer = (
        select(
            func.count().label("n_orders"),
            func.min(per_order.c.first_day).label("first_day"),
        )
        .group_by(per_order.c.customer_id)
        .subquery()
    )
    row = conn.execute(
        select(
            func.count(),
            func.sum(case((per_buyer.c.n_orders >= 2, 1), else_=0)),
            func.sum(case((per_buyer.c.first_day >= window.start, 1), else_=0)),
        ).select_from(per_buyer)
    ).one()
    buyers, repeat, new = int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)
    return BuyerMix(
        channel=channel,
        window=window,
        buyers=buyers,
        repeat_buyers=repeat,
        repurchase_rate=ratio(repeat, buyers),
        new_buyers=new,
        returning_buyers=buyers - new,
    )


__all__ = ["BuyerMix", "buyer_mix"]
