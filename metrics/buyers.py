"""Distinct buyers of several windows, per channel and over channels, counted on `buyer_days`.

    buyers, people = buyer_counts(conn, [w, w.previous()], ["douyin", "tmall"])
    buyers[(0, "douyin")]   # customers with a live line on douyin in w
    people[0]               # customers with a live line on either channel in w: a person counts once

A customer is counted on their first row in the window, the one whose previous day is before its
start (`metrics.schema.buyer_days`): a count over an index range, however many customers there are.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, and_, case, func, literal, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from metrics.schema import buyer_days, daily_sales, orders
from metrics.windows import Window


def _first_in(prev: ColumnElement[object], w: Window) -> ColumnElement[int]:
    return case((or_(prev.is_(None), prev < w.start), 1), else_=0)


def buyer_counts(conn: Connection, windows: Sequence[Window], chans: Sequence[str]) -> tuple[
        dict[tuple[int, str], int], dict[int, int]]:
    """(window index, channel) → buyers, and window index → people over all of `chans`."""
    bd = buyer_days.c
    stmt = union_all(*(
        select(literal(i).label("b"), bd.channel, func.sum(_first_in(bd.buyer_prev, w)),
               func.sum(_first_in(bd.person_prev, w)))
        .where(and_(bd.order_date >= w.start, bd.order_date <= w.end, bd.channel.in_(list(chans))))
        .group_by(bd.channel)
        for i, w in enumerate(windows)
    ))
    buyers: dict[tuple[int, str], int] = {}
    people: dict[int, int] = {}
    for i, ch, n, first in conn.execute(stmt):
        buyers[(int(i), ch)] = int(n or 0)
        people[int(i)] = people.get(int(i), 0) + int(first or 0)
    if len(chans) > 1 and _others_sold(conn, windows, chans):
        people = _people_on_orders(conn, windows, chans)
    return buyers, people


def _others_sold(conn: Connection, windows: Sequence[Window], chans: Sequence[str]) -> bool:
    """Whether a channel outside `chans` has order lines in a window. A person's previous day may then
    be on that channel, inside the window, and their first row among `chans` would not be counted."""
    ds = daily_sales.c
    inside = or_(*(and_(ds.date >= w.start, ds.date <= w.end) for w in windows))
    return conn.execute(select(ds.channel).where(and_(inside, ds.channel.not_in(list(chans)))).limit(1)).first() \
        is not None


def _people_on_orders(conn: Connection, windows: Sequence[Window], chans: Sequence[str]) -> dict[int, int]:
    """People of each window straight off `orders`: exact for any channel subset, and slow at scale."""
    out: dict[int, int] = {}
    for i, w in enumerate(windows):
        who = (select(orders.c.customer_id)
               .where(and_(orders.c.order_date >= w.start, orders.c.order_date <= w.end,
                           orders.c.channel.in_(list(chans)), orders.c.status != "cancelled"))
               .group_by(orders.c.customer_id).subquery())
        out[i] = int(conn.execute(select(func.count()).select_from(who)).scalar_one())
    return out


__all__ = ["buyer_counts"]
