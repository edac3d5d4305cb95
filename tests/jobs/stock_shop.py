"""The stock-alert shop: four SKUs whose classes, cover and alerts are worked out by hand below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import Engine

from metrics import schema
from metrics.db import upsert
from metrics.rollup import refresh_daily_sales

TODAY = date(2026, 11, 21)


@dataclass(frozen=True)
class Sku:
    sku: str
    name: str
    per_day: int  # units sold every day of the 28 before today
    price: int  # yuan per unit
    on_hand: int
    lead: int


# GMV over 90 days: A 28,000 (83 % → class A), B 5,600 (→ B), D 280 (→ C); C never sold (→ C)
SKUS = [
    Sku("SKU-A", "保湿面霜", 10, 100, 120, 10),  # A: 120 < 10×10×1.5 = 150, cover 12 ≥ lead 10 → warning
    Sku("SKU-B", "洁面乳", 2, 100, 20, 14),  # B: 20 < 2×14 = 28, cover 10 < lead 14 → critical
    Sku("SKU-C", "旧款礼盒", 0, 50, 40, 7),  # no sales, on hand → dead stock
    Sku("SKU-D", "试用装", 1, 10, 100, 7),  # cover 100 d > 30 → overstock
]
ABC = {"SKU-A": "A", "SKU-B": "B", "SKU-C": "C", "SKU-D": "C"}
FACTOR = {"A": 1.5, "B": 1.0, "C": 1.0}


def load(engine: Engine) -> None:
    rows = []
    for s in SKUS:
        for d in range(1, 29):
            day = TODAY - timedelta(days=d)
            if s.per_day:
                rows.append({"channel": "tmall", "order_id": f"{s.sku}-{d}", "line_key": s.sku, "line_id": None,
                             "ordered_at": datetime(day.year, day.month, day.day, 4), "order_date": day,
                             "sku": s.sku, "quantity": s.per_day, "paid_cents": s.per_day * s.price * 100,
                             "customer_id": f"c{d}", "status": "paid", "refund_cents": 0})
    with engine.begin() as conn:
        upsert(conn, schema.orders, rows)
        refresh_daily_sales(conn, {("tmall", cast(date, r["order_date"])) for r in rows})
        upsert(conn, schema.inventory, [
            {"sku": s.sku, "as_of": TODAY, "name": s.name, "category": None, "on_hand": s.on_hand,
             "lead_time_days": s.lead, "unit_cost_cents": None} for s in SKUS])
