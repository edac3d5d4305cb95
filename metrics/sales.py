"""Sales and advertising metrics of SPEC §4 for a channel (or all) over a window of whole days.

    r = roi(conn, window=parse_window("7d", today=today), channel="douyin")
    r.roi          # Decimal("2.3512") or None when there was no spend
    summary(conn, window=w).cvr

GMV sums read the `daily_sales` rollup; distinct counts (orders, buyers) read `orders`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

import pandas as pd
from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from metrics.money import from_cents, ratio
from metrics.schema import ad_spend, daily_sales, inventory, orders, traffic
from metrics.windows import Window

# ROI on one basis for every channel (ROI_BASIS): "channel" = the channel's whole GMV / spend, which
# every channel has; "attributed" = the ad platform's attributed GMV / spend, which only some report.
Basis = Literal["channel", "attributed"]
BASES: tuple[Basis, ...] = ("channel", "attributed")


@dataclass(frozen=True)
class RoiResult:
    channel: str | None  # None = all channels together
    window: Window
    spend: Decimal
    gmv: Decimal  # the GMV `roi` is computed on: attributed GMV on the attributed basis, else channel GMV
    attributed: bool  # `roi` is on the attributed basis
    roi: Decimal | None  # on `basis`; None without spend, or without attribution on the attributed basis
    channel_gmv: Decimal
    clicks: int
    impressions: int
    cpc: Decimal | None
    ctr: Decimal | None
    basis: Basis = "channel"
    channel_roi: Decimal | None = None  # both figures, so a message can show the other one labelled
    attributed_roi: Decimal | None = None  # None unless every spend row of the window reports attribution
    attributed_gmv: Decimal | None = None


@dataclass(frozen=True)
class SalesSummary:
    channel: str | None
    window: Window
    gmv: Decimal
    refunds: Decimal
    net_sales: Decimal
    orders: int
    buyers: int
    uv: int
    pv: int
    cart_users: int
    cart_rate: Decimal | None
    cvr: Decimal | None
    aov: Decimal | None
    spend: Decimal
    clicks: int
    impressions: int
    cpc: Decimal | None
    ctr: Decimal | None
    roi: Decimal | None
    attributed: bool


@dataclass(frozen=True)
class _Spend:
    spend_cents: int
    clicks: int
    impressions: int
    attributed_cents: int
    rows: int
    attributed_rows: int

    @property
    def attributed(self) -> bool:
        # attributed only when the platform reported attribution for every spend row in the window
        return self.rows > 0 and self.rows == self.attributed_rows


_NO_SPEND = _Spend(0, 0, 0, 0, 0, 0)


def _in_window(column: ColumnElement[date], window: Window) -> ColumnElement[bool]:
    return and_(column >= window.start, column <= window.end)


def _spend_by_channel(conn: Connection, window: Window, channels: Sequence[str] | None) -> dict[str, _Spend]:
    cond = _in_window(ad_spend.c.date, window)
    if channels is not None:
        cond = and_(cond, ad_spend.c.channel.in_(list(channels)))
    stmt = (
        select(
            ad_spend.c.channel,
            func.sum(ad_spend.c.spend_cents),
            func.sum(func.coalesce(ad_spend.c.clicks, 0)),
            func.sum(func.coalesce(ad_spend.c.impressions, 0)),
            func.sum(func.coalesce(ad_spend.c.attributed_gmv_cents, 0)),
            func.count(),
            func.count(ad_spend.c.attributed_gmv_cents),
        )
        .where(cond)
        .group_by(ad_spend.c.channel)
    )
    return {
        row[0]: _Spend(*(int(v or 0) for v in row[1:]))
        for row in conn.execute(stmt)
    }


def _gmv_by_channel(conn: Connection, window: Window, channels: Sequence[str] | None) -> dict[str, tuple[int, int]]:
    """channel → (gmv cents, refund cents) from the rollup."""
    cond = _in_window(daily_sales.c.date, window)
    if channels is not None:
        cond = and_(cond, daily_sales.c.channel.in_(list(channels)))
    stmt = (
        select(daily_sales.c.channel, func.sum(daily_sales.c.gmv_cents), func.sum(daily_sales.c.refund_cents))
        .where(cond)
        .group_by(daily_sales.c.channel)
    )
    return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in conn.execute(stmt)}


def _combine(spends: Sequence[_Spend]) -> _Spend:
    return _Spend(*(sum(getattr(s, f) for s in spends) for f in _Spend.__dataclass_fields__))


def _roi_result(channel: str | None, window: Window, spend: _Spend, gmv_cents: int, basis: Basis) -> RoiResult:
    spend_d = from_cents(spend.spend_cents)
    channel_roi = ratio(gmv_cents, spend.spend_cents)
    attributed_roi = ratio(spend.attributed_cents, spend.spend_cents) if spend.attributed else None
    on_attributed = basis == "attributed"
    return RoiResult(
        channel=channel,
        window=window,
        spend=spend_d,
        gmv=from_cents(spend.attributed_cents if on_attributed and spend.attributed else gmv_cents),
        attributed=on_attributed,
        roi=attributed_roi if on_attributed else channel_roi,
        channel_gmv=from_cents(gmv_cents),
        clicks=spend.clicks,
        impressions=spend.impressions,
        cpc=ratio(spend_d, spend.clicks, places=2),
        ctr=ratio(spend.clicks, spend.impressions),
        basis=basis,
        channel_roi=channel_roi,
        attributed_roi=attributed_roi,
        attributed_gmv=from_cents(spend.attributed_cents) if spend.attributed else None,
    )


def roi(conn: Connection, *, window: Window, channel: str | None = None, basis: Basis = "channel") -> RoiResult:
    channels = None if channel is None else [channel]
    spends = _spend_by_channel(conn, window, channels)
    gmvs = _gmv_by_channel(conn, window, channels)
    if channel is not None:
        return _roi_result(channel, window, spends.get(channel, _NO_SPEND), gmvs.get(channel, (0, 0))[0], basis)
    return _roi_result(None, window, _combine(list(spends.values())), sum(g for g, _ in gmvs.values()), basis)


def roi_by_channel(conn: Connection, *, window: Window, channels: Sequence[str],
                   basis: Basis = "channel") -> list[RoiResult]:
    """One result per channel on one basis, best ROI first; channels without a figure last (by GMV)."""
    spends = _spend_by_channel(conn, window, channels)
    gmvs = _gmv_by_channel(conn, window, channels)
    results = [_roi_result(c, window, spends.get(c, _NO_SPEND), gmvs.get(c, (0, 0))[0], basis) for c in channels]
    return sorted(results, key=lambda r: (r.roi is None, -(r.roi or 0), -r.channel_gmv))


def daily_roi(conn: Connection, *, window: Window, channel: str | None = None,
              basis: Basis = "channel") -> pd.DataFrame:
    """One row per day of the window: date, spend, gmv (Decimal), roi (float, NaN without a figure)."""
    spend_cond = _in_window(ad_spend.c.date, window)
    gmv_cond = _in_window(daily_sales.c.date, window)
    if channel is not None:
        spend_cond = and_(spend_cond, ad_spend.c.channel == channel)
        gmv_cond = and_(gmv_cond, daily_sales.c.channel == channel)
    spend_rows = conn.execute(
        select(
            ad_spend.c.date,
            func.sum(ad_spend.c.spend_cents),
            func.count(),
            func.count(ad_spend.c.attributed_gmv_cents),
            func.sum(func.coalesce(ad_spend.c.attributed_gmv_cents, 0)),
        )
        .where(spend_cond)
        .group_by(ad_spend.c.date)
    ).all()
    gmv_rows = conn.execute(
        select(daily_sales.c.date, func.sum(daily_sales.c.gmv_cents)).where(gmv_cond).group_by(daily_sales.c.date)
    ).all()
    spend = {_as_date(r[0]): (int(r[1] or 0), int(r[2]), int(r[3]), int(r[4] or 0)) for r in spend_rows}
    gmv = {_as_date(r[0]): int(r[1] or 0) for r in gmv_rows}
    # attribution must cover the whole window, as in `roi`; without it the attributed basis has no figure
    total_rows = sum(v[1] for v in spend.values())
    attributed = total_rows > 0 and total_rows == sum(v[2] for v in spend.values())
    out = []
    for d in window.dates():
        s_cents, _, _, attr_cents = spend.get(d, (0, 0, 0, 0))
        used = (attr_cents if attributed else 0) if basis == "attributed" else gmv.get(d, 0)
        r = ratio(used, s_cents) if basis == "channel" or attributed else None
        out.append({"date": d, "spend": from_cents(s_cents), "gmv": from_cents(used),
                    "roi": float(r) if r is not None else float("nan")})
    return pd.DataFrame(out, columns=["date", "spend", "gmv", "roi"])


def daily_gmv(conn: Connection, *, window: Window, channel: str | None = None) -> list[tuple[date, Decimal]]:
    """GMV of every day of the window (0 on days without orders), from the rollup in one query."""
    cond = _in_window(daily_sales.c.date, window)
    if channel is not None:
        cond = and_(cond, daily_sales.c.channel == channel)
    rows = conn.execute(select(daily_sales.c.date, func.sum(daily_sales.c.gmv_cents)).where(cond)
                        .group_by(daily_sales.c.date)).all()
    cents = {_as_date(r[0]): int(r[1] or 0) for r in rows}
    return [(d, from_cents(cents.get(d, 0))) for d in window.dates()]


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _order_counts(
    conn: Connection, window: Window, channels: Sequence[str] | None
) -> dict[str | None, tuple[int, int]]:
    """channel → (distinct orders, distinct buyers) over non-cancelled lines; key None = all channels."""
    cond = and_(_in_window(orders.c.order_date, window), orders.c.status != "cancelled")
    if channels is not None:
        cond = and_(cond, orders.c.channel.in_(list(channels)))
    # an order id is unique within its channel only, so count (channel, order_id) pairs
    per_channel = conn.execute(
        select(
            orders.c.channel,
            func.count(func.distinct(orders.c.order_id)),
            func.count(func.distinct(orders.c.customer_id)),
        )
        .where(cond)
        .group_by(orders.c.channel)
    ).all()
    out: dict[str | None, tuple[int, int]] = {r[0]: (int(r[1]), int(r[2])) for r in per_channel}
    # buyers are people: one customer buying on two channels is still one buyer overall
    all_buyers = conn.execute(select(func.count(func.distinct(orders.c.customer_id))).where(cond)).scalar_one()
    out[None] = (sum(v[0] for v in out.values()), int(all_buyers or 0))
    return out


def _traffic(conn: Connection, window: Window, channels: Sequence[str] | None) -> dict[str, tuple[int, int, int]]:
    cond = _in_window(traffic.c.date, window)
    if channels is not None:
        cond = and_(cond, traffic.c.channel.in_(list(channels)))
    stmt = (
        select(
            traffic.c.channel,
            func.sum(traffic.c.uv),
            func.sum(traffic.c.pv),
            func.sum(func.coalesce(traffic.c.cart_users, 0)),
        )
        .where(cond)
        .group_by(traffic.c.channel)
    )
    return {r[0]: (int(r[1] or 0), int(r[2] or 0), int(r[3] or 0)) for r in conn.execute(stmt)}


def _summary(
    channel: str | None,
    window: Window,
    spend: _Spend,
    gmv_refund: tuple[int, int],
    counts: tuple[int, int],
    tr: tuple[int, int, int],
    basis: Basis = "channel",
) -> SalesSummary:
    gmv = from_cents(gmv_refund[0])
    refunds = from_cents(gmv_refund[1])
    order_count, buyers = counts
    uv, pv, cart = tr
    r = _roi_result(channel, window, spend, gmv_refund[0], basis)
    return SalesSummary(
        channel=channel,
        window=window,
        gmv=gmv,
        refunds=refunds,
        net_sales=gmv - refunds,
        orders=order_count,
        buyers=buyers,
        uv=uv,
        pv=pv,
        cart_users=cart,
        cart_rate=ratio(cart, uv),
        cvr=ratio(buyers, uv),
        aov=ratio(gmv, buyers, places=2),
        spend=r.spend,
        clicks=r.clicks,
        impressions=r.impressions,
        cpc=r.cpc,
        ctr=r.ctr,
        roi=r.roi,
        attributed=r.attributed,
    )


def summary_by_channel(conn: Connection, *, window: Window, channels: Sequence[str],
                       basis: Basis = "channel") -> list[SalesSummary]:
    spends = _spend_by_channel(conn, window, channels)
    gmvs = _gmv_by_channel(conn, window, channels)
    counts = _order_counts(conn, window, channels)
    trs = _traffic(conn, window, channels)
    return [
        _summary(c, window, spends.get(c, _NO_SPEND), gmvs.get(c, (0, 0)), counts.get(c, (0, 0)), trs.get(c, (0, 0, 0)),
                 basis)
        for c in channels
    ]


def summary(conn: Connection, *, window: Window, channel: str | None = None, basis: Basis = "channel") -> SalesSummary:
    channels = None if channel is None else [channel]
    spends = _spend_by_channel(conn, window, channels)
    gmvs = _gmv_by_channel(conn, window, channels)
    counts = _order_counts(conn, window, channels)
    trs = _traffic(conn, window, channels)
    if channel is not None:
        return _summary(channel, window, spends.get(channel, _NO_SPEND), gmvs.get(channel, (0, 0)),
                        counts.get(channel, (0, 0)), trs.get(channel, (0, 0, 0)), basis)
    gmv_total = (sum(g for g, _ in gmvs.values()), sum(r for _, r in gmvs.values()))
    tr_total = tuple(sum(v[i] for v in trs.values()) for i in range(3))
    return _summary(None, window, _combine(list(spends.values())), gmv_total, counts[None],
                    (tr_total[0], tr_total[1], tr_total[2]), basis)


def top_skus(conn: Connection, *, window: Window, channel: str | None = None, limit: int = 10) -> pd.DataFrame:
    """Best-selling SKUs by GMV: sku, name (newest inventory snapshot), units, gmv (Decimal)."""
    cond = and_(_in_window(orders.c.order_date, window), orders.c.status != "cancelled")
    if channel is not None:
        cond = and_(cond, orders.c.channel == channel)
    gmv_col = func.sum(orders.c.paid_cents).label("gmv_cents")
    top = (
        select(orders.c.sku, func.sum(orders.c.quantity).label("units"), gmv_col)
        .where(cond)
        .group_by(orders.c.sku)
        .order_by(gmv_col.desc(), orders.c.sku)
        .limit(limit)
    ).subquery()
    newest = (
        select(inventory.c.sku, func.max(inventory.c.as_of).label("as_of")).group_by(inventory.c.sku).subquery()
    )
    names = (
        select(inventory.c.sku, inventory.c.name)
        .join(newest, and_(newest.c.sku == inventory.c.sku, newest.c.as_of == inventory.c.as_of))
        .subquery()
    )
    rows = conn.execute(
        select(top.c.sku, names.c.name, top.c.units, top.c.gmv_cents)
        .select_from(top.outerjoin(names, names.c.sku == top.c.sku))
        .order_by(top.c.gmv_cents.desc(), top.c.sku)
    ).all()
    return pd.DataFrame(
        [{"sku": r[0], "name": r[1] or r[0], "units": int(r[2] or 0), "gmv": from_cents(r[3])} for r in rows],
        columns=["sku", "name", "units", "gmv"],
    )


def hourly_sales(
    conn: Connection, *, start_utc: datetime, end_utc: datetime, channel: str | None = None
) -> tuple[int, int, Decimal]:
    """(orders, buyers, GMV) of non-cancelled lines with start_utc <= ordered_at < end_utc (naive UTC)."""
    # the order_date range (any offset is within a day) lets the date index narrow the scan
    cond = and_(
        orders.c.order_date >= (start_utc - timedelta(days=1)).date(),
        orders.c.order_date <= (end_utc + timedelta(days=1)).date(),
        orders.c.ordered_at >= start_utc,
        orders.c.ordered_at < end_utc,
        orders.c.status != "cancelled",
    )
    if channel is not None:
        cond = and_(cond, orders.c.channel == channel)
    row = conn.execute(
        select(
            func.count(func.distinct(orders.c.order_id)),
            func.count(func.distinct(orders.c.customer_id)),
            func.sum(case((orders.c.status != "cancelled", orders.c.paid_cents), else_=0)),
        ).where(cond)
    ).one()
    return int(row[0] or 0), int(row[1] or 0), from_cents(row[2])
