"""GMV and funnel figures of SPEC §4 for several windows at once, per channel and for all channels.

    f = figures(conn, windows=[w, w.previous()], channels=["douyin", "tmall"])
    f[(0, "douyin")].buyers          # distinct customers of douyin over the whole of `w`
    f[(0, None)].buyers              # distinct customers over every channel (a person counts once)
    r = gmv_report(conn, window=w, channels=registry.slugs)   # what /gmv shows
    r.driver, r.driver_change        # "uv", Decimal("-0.1500"): GMV fell mostly because traffic fell

Sums (GMV, refunds, UV, cart users, orders) come from the daily rollup and the traffic table, each
row put in its window's bucket by a CASE on the indexed date; the few orders with live lines on
several days are taken off the order sum once per extra day, and buyers are counted on `buyer_days`
(`metrics.buyers`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from sqlalchemy import Connection, and_, case, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from metrics.attribution import FACTORS, Lmdi, lmdi
from metrics.buyers import buyer_counts
from metrics.money import from_cents, ratio
from metrics.schema import daily_sales, orders, split_orders, traffic
from metrics.windows import Window

_PRECISION = 50


@dataclass(frozen=True)
class Figures:
    """One channel (None = all channels) over one window."""

    channel: str | None
    window: Window
    gmv: Decimal
    refunds: Decimal
    net_sales: Decimal
    orders: int
    buyers: int
    uv: int
    cart_users: int
    cvr: Decimal | None  # buyers / UV
    aov: Decimal | None  # GMV / buyers
    cart_rate: Decimal | None  # cart users / UV
    pay_rate: Decimal | None  # buyers / cart users (cart → buyer)
    has_data: bool  # any order line, rollup row or traffic row in the window

    def factors(self) -> dict[str, Decimal | None]:
        """UV, CVR, AOV unrounded (their product is GMV exactly), for the LMDI split."""
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            return {
                "uv": Decimal(self.uv),
                "cvr": Decimal(self.buyers) / self.uv if self.uv else None,
                "aov": self.gmv / self.buyers if self.buyers else None,
            }


@dataclass(frozen=True)
class _Raw:
    gmv_cents: int = 0
    refund_cents: int = 0
    orders: int = 0
    buyers: int = 0
    uv: int = 0
    cart: int = 0
    rows: int = 0


def _bucket(column: ColumnElement[date], windows: Sequence[Window]) -> ColumnElement[int]:
    return case(*((and_(column >= w.start, column <= w.end), literal(i)) for i, w in enumerate(windows)),
                else_=literal(-1))


def _any(column: ColumnElement[date], windows: Sequence[Window]) -> ColumnElement[bool]:
    return or_(*(and_(column >= w.start, column <= w.end) for w in windows))


def _overlap(windows: Sequence[Window]) -> bool:
    spans = sorted((w.start, w.end) for w in windows)
    return any(b[0] <= a[1] for a, b in zip(spans, spans[1:], strict=False))


def figures(conn: Connection, *, windows: Sequence[Window], channels: Sequence[str]) -> dict[tuple[int, str | None],
                                                                                             Figures]:
    """(window index, channel) → Figures, for every window and channel, plus channel None = all of them."""
    if _overlap(windows):
        # a row belongs to one CASE bucket only: overlapping windows (a 2-year window and its
        # year-ago twin) are counted one by one
        out: dict[tuple[int, str | None], Figures] = {}
        for i, w in enumerate(windows):
            out.update({(i, k[1]): v for k, v in figures(conn, windows=[w], channels=channels).items()})
        return out
    raw: dict[tuple[int, str | None], dict[str, int]] = {}

    def add(key: tuple[int, str | None], **values: int) -> None:
        slot = raw.setdefault(key, {})
        for name, v in values.items():
            slot[name] = slot.get(name, 0) + int(v or 0)

    chans = list(channels)
    b = _bucket(daily_sales.c.date, windows).label("b")
    for i, ch, gmv, refund, orders_n, n in conn.execute(
        select(b, daily_sales.c.channel, func.sum(daily_sales.c.gmv_cents), func.sum(daily_sales.c.refund_cents),
               func.sum(daily_sales.c.orders), func.count())
        .where(and_(_any(daily_sales.c.date, windows), daily_sales.c.channel.in_(chans)))
        .group_by(b, daily_sales.c.channel)
    ):
        # an order id is unique within its channel: orders add up over channels, and over days
        # but for the split orders taken off below
        add((int(i), ch), gmv_cents=gmv, refund_cents=refund, orders=orders_n, rows=n)
        add((int(i), None), gmv_cents=gmv, refund_cents=refund, orders=orders_n, rows=n)
    b = _bucket(traffic.c.date, windows).label("b")
    for i, ch, uv, cart, n in conn.execute(
        select(b, traffic.c.channel, func.sum(traffic.c.uv), func.sum(func.coalesce(traffic.c.cart_users, 0)),
               func.count())
        .where(and_(_any(traffic.c.date, windows), traffic.c.channel.in_(chans)))
        .group_by(b, traffic.c.channel)
    ):
        add((int(i), ch), uv=uv, cart=cart, rows=n)
        add((int(i), None), uv=uv, cart=cart, rows=n)
    for i, ch, extra in _split_repeats(conn, windows, chans):
        add((int(i), ch), orders=-extra)
        add((int(i), None), orders=-extra)
    buyers, people = buyer_counts(conn, windows, chans)
    for (i, ch), n in buyers.items():
        add((i, ch), buyers=n)
    for i, n in people.items():
        add((i, None), buyers=n)  # buyers are people: one customer on two channels is one
    result: dict[tuple[int, str | None], Figures] = {}
    for i, w in enumerate(windows):
        for ch in [*chans, None]:
            result[(i, ch)] = _figures(ch, w, _Raw(**raw.get((i, ch), {})))
    return result


def _split_repeats(conn: Connection, windows: Sequence[Window], chans: list[str]) -> list[tuple[int, str, int]]:
    """(window index, channel, days counted too many) of the orders with live lines on several days."""
    b = _bucket(orders.c.order_date, windows).label("b")
    per_order = (
        select(b, orders.c.channel, (func.count(func.distinct(orders.c.order_date)) - 1).label("extra"))
        .select_from(split_orders.join(orders, and_(orders.c.channel == split_orders.c.channel,
                                                     orders.c.order_id == split_orders.c.order_id)))
        .where(and_(_any(orders.c.order_date, windows), split_orders.c.channel.in_(chans),
                    orders.c.status != "cancelled"))
        .group_by(b, orders.c.channel, orders.c.order_id)
        .subquery()
    )
    return [(int(i), ch, int(n)) for i, ch, n in conn.execute(
        select(per_order.c.b, per_order.c.channel, func.sum(per_order.c.extra))
        .group_by(per_order.c.b, per_order.c.channel))]


def _figures(channel: str | None, window: Window, r: _Raw) -> Figures:
    gmv, refunds = from_cents(r.gmv_cents), from_cents(r.refund_cents)
    return Figures(
        channel=channel, window=window, gmv=gmv, refunds=refunds, net_sales=gmv - refunds, orders=r.orders,
        buyers=r.buyers, uv=r.uv, cart_users=r.cart, cvr=ratio(r.buyers, r.uv), aov=ratio(gmv, r.buyers, places=2),
        cart_rate=ratio(r.cart, r.uv), pay_rate=ratio(r.buyers, r.cart), has_data=r.rows > 0 or r.orders > 0,
    )


def change(now: Decimal | int | None, before: Decimal | int | None) -> Decimal | None:
    """Relative change (0.12 = +12 %), None when there is nothing to compare with."""
    if now is None or before is None or before == 0:
        return None
    return ratio(Decimal(now) - Decimal(before), before)


@dataclass(frozen=True)
class Day:
    date: date
    gmv: Decimal


@dataclass(frozen=True)
class GmvReport:
    channel: str | None  # None: every channel, `by_channel` holds each
    current: Figures
    previous: Figures
    last_year: Figures | None  # None when the year-ago window has no data
    split: Lmdi  # ΔGMV vs previous into UV, CVR, AOV
    gmv_change: Decimal | None  # vs previous, relative
    gmv_change_yoy: Decimal | None
    driver: str | None  # the factor that moved GMV most in the direction it moved
    driver_change: Decimal | None  # that factor's own relative change
    factor_changes: dict[str, Decimal | None]
    by_channel: tuple[Figures, ...]  # current window per channel, biggest GMV first (all-channel view only)
    previous_by_channel: tuple[Figures, ...]  # the previous window, same channels
    daily: dict[str, tuple[Day, ...]]  # channel → GMV per day of the current window
    daily_previous: tuple[Day, ...]  # total (of the asked channels) per day of the previous window


def _daily(conn: Connection, window: Window, channels: Sequence[str]) -> dict[str, dict[date, Decimal]]:
    out: dict[str, dict[date, Decimal]] = {}
    for d, ch, cents in conn.execute(
        select(daily_sales.c.date, daily_sales.c.channel, func.sum(daily_sales.c.gmv_cents))
        .where(and_(daily_sales.c.date >= window.start, daily_sales.c.date <= window.end,
                    daily_sales.c.channel.in_(list(channels))))
        .group_by(daily_sales.c.date, daily_sales.c.channel)
    ):
        day = d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
        out.setdefault(ch, {})[day] = from_cents(cents)
    return out


def gmv_report(conn: Connection, *, window: Window, channels: Sequence[str], channel: str | None = None) -> GmvReport:
    """/gmv for one channel, or (channel None) for all of `channels` together and each of them."""
    chans = [channel] if channel is not None else list(channels)
    windows = [window, window.previous(), window.last_year()]
    f = figures(conn, windows=windows, channels=chans)
    key = channel  # None = the all-channel figures
    current, previous, year_ago = f[(0, key)], f[(1, key)], f[(2, key)]
    split = lmdi(previous.gmv, current.gmv, previous.factors(), current.factors())
    factor_changes = {"uv": change(current.uv, previous.uv), "cvr": change(current.cvr, previous.cvr),
                      "aov": change(current.aov, previous.aov)}
    driver = None
    if split.contributions is not None and split.delta != 0:
        sign = 1 if split.delta > 0 else -1
        # FACTORS order breaks ties: traffic first, then conversion, then order value (seed 003)
        driver = max(FACTORS, key=lambda n: (sign * (split.contributions or {})[n], -FACTORS.index(n)))
        if sign * split.contributions[driver] <= 0:
            driver = None
    daily_now = _daily(conn, window, chans)
    daily_before = _daily(conn, window.previous(), chans)
    daily = {ch: tuple(Day(d, daily_now.get(ch, {}).get(d, Decimal("0.00"))) for d in window.dates()) for ch in chans}
    before = tuple(Day(d, sum((daily_before.get(ch, {}).get(d, Decimal(0)) for ch in chans), Decimal("0.00")))
                   for d in window.previous().dates())
    by_channel = tuple(sorted((f[(0, ch)] for ch in chans), key=lambda x: (-x.gmv, chans.index(x.channel or ""))))
    return GmvReport(
        channel=channel, current=current, previous=previous, last_year=year_ago if year_ago.has_data else None,
        split=split, gmv_change=change(current.gmv, previous.gmv),
        gmv_change_yoy=change(current.gmv, year_ago.gmv) if year_ago.has_data else None,
        driver=driver, driver_change=factor_changes.get(driver) if driver else None,
        factor_changes=factor_changes, by_channel=by_channel if channel is None else (),
        previous_by_channel=tuple(f[(1, ch)] for ch in chans) if channel is None else (), daily=daily,
        daily_previous=before,
    )


@dataclass(frozen=True)
class FunnelReport:
    window: Window
    rows: tuple[Figures, ...]  # per channel, most UV first
    total: Figures  # every channel; buyers are distinct people across channels
    flagged: tuple[str, ...]  # channels with a high cart rate but a low payment rate (seed 003)


def high_cart_low_pay(row: Figures, total: Figures) -> bool:
    """Cart rate above the all-channel rate while cart → buyer is below it: buyers stall at payment."""
    return (row.cart_rate is not None and total.cart_rate is not None and row.pay_rate is not None
            and total.pay_rate is not None and row.cart_rate > total.cart_rate and row.pay_rate < total.pay_rate)


def funnel_report(conn: Connection, *, window: Window, channels: Sequence[str]) -> FunnelReport:
    chans = list(channels)
    f = figures(conn, windows=[window], channels=chans)
    total = f[(0, None)]
    rows = tuple(sorted((f[(0, ch)] for ch in chans), key=lambda x: (-x.uv, chans.index(x.channel or ""))))
    flagged = tuple(r.channel for r in rows if r.channel is not None and high_cart_low_pay(r, total))
    return FunnelReport(window=window, rows=rows, total=total, flagged=flagged)


__all__ = ["Day", "Figures", "FunnelReport", "GmvReport", "change", "figures", "funnel_report", "gmv_report",
           "high_cart_low_pay"]
