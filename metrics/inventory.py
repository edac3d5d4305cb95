"""Stock status and grouped stock alerts (SPEC §5), all channels together.

    df = stock_status(conn, today=today)     # one row per SKU, most urgent first
    alerts = stock_alerts(conn, today=today) # critical, warning, overstock: one message per scan

Sales are read up to yesterday: today is still filling in, and a half day would make every SKU
look slow in the morning. Thresholds compare exact fractions (units over 28 days), never floats,
so a SKU sitting on a boundary lands on the same side on every run and every database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pandas as pd
from sqlalchemy import Connection, and_, case, func, select

from metrics.money import from_cents
from metrics.schema import inventory, orders

SALES_DAYS = 28
ABC_DAYS = 90
A_SHARE = Fraction(80, 100)
B_SHARE = Fraction(95, 100)
A_FACTOR = Fraction(3, 2)  # class A keeps more safety stock (SPEC §5)
MIN_COVER_DAYS = 7
REORDER_HORIZON_DAYS = 30
OVERSTOCK_COVER_DAYS = 30

CRITICAL, WARNING, OVERSTOCK, DEAD, OK = "critical", "warning", "overstock", "dead", "ok"
# most urgent first; dead stock is overstock with no end in sight, so it leads that group
STATUSES = (CRITICAL, WARNING, DEAD, OVERSTOCK, OK)
# suggestion codes; the wording lives with the views' texts
REORDER, PRESALE, CLEARANCE = "reorder", "presale", "clearance"

COLUMNS = [
    "sku", "name", "category", "on_hand", "lead_time_days", "as_of", "units_28d", "avg_daily_sales",
    "days_of_cover", "gmv_90d", "abc", "status", "safety_stock", "reorder_qty", "suggestion",
]


@dataclass(frozen=True)
class StockItem:
    sku: str
    name: str
    category: str | None
    on_hand: int
    lead_time_days: int
    as_of: date  # the snapshot used: the newest one on or before `today`
    units_28d: int
    avg_daily_sales: float  # for display; decisions use units_28d / 28 exactly
    days_of_cover: float | None  # None when nothing sold in 28 days
    gmv_90d: Decimal
    abc: str
    status: str
    safety_stock: float
    reorder_qty: int  # 0 when nothing needs ordering
    suggestion: str | None


@dataclass(frozen=True)
class StockAlerts:
    today: date
    critical: tuple[StockItem, ...]  # days of cover ascending
    warning: tuple[StockItem, ...]  # days of cover ascending
    overstock: tuple[StockItem, ...]  # status dead (most on hand first), then overstock (most cover first)

    @property
    def items(self) -> tuple[StockItem, ...]:
        """Every alerting SKU, most urgent first."""
        return self.critical + self.warning + self.overstock

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True)
class _Snapshot:
    sku: str
    name: str
    category: str | None
    on_hand: int
    lead_time_days: int
    as_of: date


def _snapshots(conn: Connection, today: date) -> list[_Snapshot]:
    # a snapshot dated after `today` does not exist yet as far as `today` is concerned
    newest = (
        select(inventory.c.sku, func.max(inventory.c.as_of).label("as_of"))
        .where(inventory.c.as_of <= today)
        .group_by(inventory.c.sku)
        .subquery()
    )
    rows = conn.execute(
        select(
            inventory.c.sku,
            inventory.c.name,
            inventory.c.category,
            inventory.c.on_hand,
            inventory.c.lead_time_days,
            inventory.c.as_of,
        ).join(newest, and_(newest.c.sku == inventory.c.sku, newest.c.as_of == inventory.c.as_of))
    ).all()
    return [_Snapshot(r[0], r[1], r[2], int(r[3]), int(r[4]), r[5]) for r in rows]


def _sales(conn: Connection, today: date) -> dict[str, tuple[int, int]]:
    """sku → (units over the last 28 days, GMV cents over the last 90 days), both ending yesterday."""
    yesterday = today - timedelta(days=1)
    start_28 = today - timedelta(days=SALES_DAYS)
    start_90 = today - timedelta(days=ABC_DAYS)
    stmt = (
        select(
            orders.c.sku,
            func.sum(case((orders.c.order_date >= start_28, orders.c.quantity), else_=0)),
            func.sum(orders.c.paid_cents),
        )
        .where(
            and_(
                orders.c.status != "cancelled",
                orders.c.order_date >= start_90,
                orders.c.order_date <= yesterday,
            )
        )
        .group_by(orders.c.sku)
    )
    return {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in conn.execute(stmt)}


def abc_classes(gmv_cents: dict[str, int]) -> dict[str, str]:
    """Pareto classes: A while the GMV before a SKU is under 80 % (the SKU crossing 80 % is A),
    B likewise up to 95 %, C for the rest and for SKUs without sales. Equal GMV: by SKU."""
    total = sum(gmv_cents.values())
    classes: dict[str, str] = {}
    before = 0
    for sku, cents in sorted(gmv_cents.items(), key=lambda kv: (-kv[1], kv[0])):
        if cents > 0 and before < A_SHARE * total:
            classes[sku] = "A"
        elif cents > 0 and before < B_SHARE * total:
            classes[sku] = "B"
        else:
            classes[sku] = "C"
        before += cents
    return classes


def _classify(snap: _Snapshot, units: int, gmv_cents: int, abc: str) -> StockItem:
    avg = Fraction(units, SALES_DAYS)
    f = A_FACTOR if abc == "A" else Fraction(1)
    lead = snap.lead_time_days
    cover = Fraction(snap.on_hand) / avg if avg else None
    if cover is not None and snap.on_hand < avg * max(MIN_COVER_DAYS, lead) * f:
        # a SKU short enough to reorder is never also overstock, even with a lead time over 30 days
        status = CRITICAL if cover < lead else WARNING
    elif cover is not None and cover > OVERSTOCK_COVER_DAYS:
        status = OVERSTOCK
    elif units == 0 and snap.on_hand > 0:
        status = DEAD
    else:
        status = OK
    reorder = max(0, math.ceil(avg * (lead + REORDER_HORIZON_DAYS) * f) - snap.on_hand)
    suggestion: str | None = None
    if status in (CRITICAL, WARNING):
        # a slow seller is sold ahead (presale) rather than restocked on spec
        suggestion = PRESALE if abc == "C" else REORDER
    elif status in (OVERSTOCK, DEAD):
        suggestion = CLEARANCE
    return StockItem(
        sku=snap.sku,
        name=snap.name,
        category=snap.category,
        on_hand=snap.on_hand,
        lead_time_days=lead,
        as_of=snap.as_of,
        units_28d=units,
        avg_daily_sales=float(avg),
        days_of_cover=None if cover is None else float(cover),
        gmv_90d=from_cents(gmv_cents),
        abc=abc,
        status=status,
        safety_stock=float(avg * lead),
        reorder_qty=reorder,
        suggestion=suggestion,
    )


def _urgency(item: StockItem) -> tuple[int, float, str]:
    rank = STATUSES.index(item.status)
    if item.status in (CRITICAL, WARNING):
        return rank, item.days_of_cover or 0.0, item.sku
    if item.status == DEAD:
        return rank, -float(item.on_hand), item.sku
    if item.status == OVERSTOCK:
        return rank, -(item.days_of_cover or 0.0), item.sku
    return rank, 0.0, item.sku


def stock_items(conn: Connection, *, today: date) -> list[StockItem]:
    """Every SKU with a snapshot on or before `today`, most urgent first."""
    sales = _sales(conn, today)
    # shares of the whole shop's GMV: a sold SKU without a snapshot still takes its part of the 80 %
    classes = abc_classes({sku: gmv for sku, (_, gmv) in sales.items()})
    items = []
    for snap in _snapshots(conn, today):
        units, gmv = sales.get(snap.sku, (0, 0))
        items.append(_classify(snap, units, gmv, classes.get(snap.sku, "C")))
    return sorted(items, key=_urgency)


def _frame(items: Iterable[StockItem]) -> pd.DataFrame:
    df = pd.DataFrame([{c: getattr(it, c) for c in COLUMNS} for it in items], columns=COLUMNS)
    # fixed dtypes whatever the rows: an all-None cover column would otherwise be object
    return df.astype({"on_hand": "int64", "lead_time_days": "int64", "units_28d": "int64",
                      "avg_daily_sales": "float64", "days_of_cover": "float64", "safety_stock": "float64",
                      "reorder_qty": "int64"})


def stock_status(conn: Connection, *, today: date) -> pd.DataFrame:
    """One row per SKU (columns `COLUMNS`), most urgent first; days_of_cover is NaN without sales."""
    return _frame(stock_items(conn, today=today))


def stock_alerts(conn: Connection, *, today: date) -> StockAlerts:
    """The SKUs that need attention, grouped for one message per scan."""
    items = stock_items(conn, today=today)
    return StockAlerts(
        today=today,
        critical=tuple(it for it in items if it.status == CRITICAL),
        warning=tuple(it for it in items if it.status == WARNING),
        overstock=tuple(it for it in items if it.status in (OVERSTOCK, DEAD)),
    )


__all__ = [
    "COLUMNS", "STATUSES", "StockAlerts", "StockItem", "abc_classes", "stock_alerts", "stock_items",
    "stock_status",
]
