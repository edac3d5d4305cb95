"""Small hand-made shop data for metric tests, inserted through the real bulk path.

Expected figures are worked out in each test from these rows in plain Python, never from the
functions under test.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from metrics import schema
from metrics.db import upsert
from metrics.money import to_cents
from metrics.rollup import refresh_daily_sales

START = date(2026, 11, 1)


@dataclass(frozen=True)
class Line:
    channel: str
    order_id: str
    sku: str
    day: date
    quantity: int
    paid: Decimal
    customer: str
    status: str = "paid"
    refund: Decimal = Decimal(0)


@dataclass(frozen=True)
class Spend:
    channel: str
    campaign: str
    day: date
    spend: Decimal
    impressions: int
    clicks: int
    attributed: Decimal | None


@dataclass(frozen=True)
class Traffic:
    channel: str
    day: date
    uv: int
    pv: int
    cart: int


@dataclass(frozen=True)
class Shop:
    lines: list[Line]
    spend: list[Spend]
    traffic: list[Traffic]


def make_shop(seed: int = 7, days: int = 20) -> Shop:
    rng = random.Random(seed)
    lines: list[Line] = []
    for i in range(400):
        channel = rng.choice(["douyin", "tmall", "jd"])
        day = START + timedelta(days=rng.randrange(days))
        status = rng.choices(["paid", "refunded", "cancelled"], [85, 10, 5])[0]
        paid = Decimal(rng.randrange(990, 39900)) / 100
        refund = paid if status == "refunded" else Decimal(0)
        for j in range(rng.choice([1, 1, 2])):
            lines.append(Line(channel, f"O{i}", f"SKU{rng.randrange(12)}-{j}", day, rng.randint(1, 3),
                              paid, f"C{rng.randrange(150)}", status, refund))
    spend: list[Spend] = []
    for d in range(days):
        day = START + timedelta(days=d)
        for channel, campaigns in (("douyin", ["live", "short-video"]), ("tmall", ["ztc"]), ("jd", ["kuaiche"])):
            for campaign in campaigns:
                s = Decimal(rng.randrange(10000, 90000)) / 100
                imps = rng.randrange(1000, 20000)
                clicks = rng.randrange(0, imps // 20)
                # only douyin reports attributed GMV, as the real ad platform does
                attributed = Decimal(rng.randrange(10000, 300000)) / 100 if channel == "douyin" else None
                spend.append(Spend(channel, campaign, day, s, imps, clicks, attributed))
    traffic = [
        Traffic(c, START + timedelta(days=d), uv := rng.randrange(500, 3000), uv * 3, uv // 10)
        for d in range(days) for c in ("douyin", "tmall", "jd")
    ]
    return Shop(lines, spend, traffic)


def load_shop(engine: Engine, shop: Shop) -> None:
    with engine.begin() as conn:
        upsert(conn, schema.orders, [
            {"channel": ln.channel, "order_id": ln.order_id, "line_key": ln.sku, "line_id": None,
             "ordered_at": datetime.combine(ln.day, datetime.min.time()) + timedelta(hours=2),
             "order_date": ln.day, "sku": ln.sku, "quantity": ln.quantity, "paid_cents": to_cents(ln.paid),
             "customer_id": ln.customer, "status": ln.status, "refund_cents": to_cents(ln.refund)}
            for ln in shop.lines
        ])
        refresh_daily_sales(conn, {(ln.channel, ln.day) for ln in shop.lines})
        upsert(conn, schema.ad_spend, [
            {"date": s.day, "channel": s.channel, "campaign": s.campaign, "spend_cents": to_cents(s.spend),
             "impressions": s.impressions, "clicks": s.clicks,
             "attributed_gmv_cents": None if s.attributed is None else to_cents(s.attributed)}
            for s in shop.spend
        ])
        upsert(conn, schema.traffic, [
            {"date": t.day, "channel": t.channel, "uv": t.uv, "pv": t.pv, "cart_users": t.cart}
            for t in shop.traffic
        ])
