"""Half a year of order lines per channel: weekdays, hours, festivals, repeat buyers, refunds.

    rows, sales = draw_orders(618, today, tz, 180, catalog(618))
    # `sales` (GMV, buyers, units per SKU and day, review candidates) is what the other tables follow
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from metrics.clock import utc_naive
from metrics.demo_data.shop import BURST_PRODUCT, CHANNELS, Row, Sku, cum, festival, pick, stream

WEEKDAY_FACTOR = (0.92, 0.90, 0.93, 0.97, 1.05, 1.22, 1.20)  # Monday first: weekends sell more
# local hour of day → relative order volume: lunch break and an evening peak
HOUR_WEIGHT = (3, 2, 1, 0.5, 0.4, 0.5, 1, 2, 3, 4, 5, 5.5, 6, 5, 4.5, 4.5, 5, 5.5, 6, 7.5, 9, 10, 9, 6)
LIVE_HOURS = range(19, 24)  # Douyin's live rooms sell most in the evening
LINES_PER_ORDER = ((1, 78), (2, 16), (3, 6))

DEAD_SKUS = 4

def _utc(day: date, seconds: int, tz: ZoneInfo) -> datetime:
    local = datetime.combine(day, time()) + timedelta(seconds=seconds)
    return utc_naive(local.replace(tzinfo=tz))


@dataclass
class Sales:
    """What the other tables are derived from, gathered while the orders are drawn."""

    gmv: Counter[tuple[str, date]]
    buyers: dict[tuple[str, date], set[str]]
    units_by_sku_day: Counter[tuple[str, date]]
    gmv_by_sku_day: Counter[tuple[str, date]]
    review_candidates: list[tuple[str, str, datetime, bool]]  # channel, sku, local ordered_at, refunded
    retired: dict[str, date]  # discontinued SKU → its last day on sale


def draw_orders(seed: int, today: date, tz: ZoneInfo, days: int, skus: list[Sku]) -> tuple[list[Row], Sales]:
    rng = stream(seed, "orders")
    review_rng = stream(seed, "review-picks")
    start = today - timedelta(days=days)
    by_code = {s.code: s for s in skus}
    # a few slow sellers were discontinued a month or two ago: the dead stock of the demo
    slow = sorted(skus, key=lambda s: s.popularity)[10:40]
    retired = {s.code: today - timedelta(days=rng.randint(35, 60)) for s in rng.sample(slow, DEAD_SKUS)
               if not s.name.startswith(BURST_PRODUCT)}
    hour_cum = cum(HOUR_WEIGHT)
    live_cum = cum([w * (1.8 if h in LIVE_HOURS else 1.0) for h, w in enumerate(HOUR_WEIGHT)])
    # festival peaks start at midnight, when the deposits are paid off
    peak_cum = cum([w * (6.0 if h == 0 else 1.0) for h, w in enumerate(HOUR_WEIGHT)])
    lines_cum = cum([w for _, w in LINES_PER_ORDER])
    rows: list[Row] = []
    sales = Sales(Counter(), {}, Counter(), Counter(), [], retired)
    for ch in CHANNELS:
        boost = dict(ch.category_boost)
        sku_cum = cum([s.popularity * boost.get(s.category, 1.0) for s in skus])
        customers: list[str] = []
        for i in range(days):
            day = start + timedelta(days=i)
            volume, price_factor = festival(day)
            trend = 1 + 0.15 * i / days
            special = 1.6 if ch.slug == "douyin" and rng.random() < 0.04 else 1.0  # an influencer's live show
            mean = ch.orders_per_day * WEEKDAY_FACTOR[day.weekday()] * volume * trend * special
            mean *= rng.uniform(0.92, 1.08)
            n = max(0, round(rng.gauss(mean, math.sqrt(mean))))
            is_peak = volume >= 4
            cum_hours = peak_cum if is_peak else live_cum if ch.slug == "douyin" else hour_cum
            for seq in range(1, n + 1):
                if customers and rng.random() < ch.repeat_share:
                    customer = rng.choice(customers)
                else:
                    customer = f"{ch.customer_prefix}-C{len(customers) + 1:06d}"
                    customers.append(customer)
                u = rng.random()
                status = "refunded" if u < ch.refund_rate else "cancelled" if u < ch.refund_rate + 0.02 else "paid"
                seconds = pick(rng, cum_hours) * 3600 + rng.randrange(3600)
                ordered_at = _utc(day, seconds, tz)
                order_id = f"{ch.order_prefix}{day:%y%m%d}{seq:05d}"
                n_lines = LINES_PER_ORDER[pick(rng, lines_cum)][0]
                chosen: list[str] = []
                while len(chosen) < n_lines:
                    sku = skus[pick(rng, sku_cum)]
                    if sku.code in chosen or (sku.code in retired and day > retired[sku.code]):
                        continue
                    chosen.append(sku.code)
                for j, code in enumerate(chosen, 1):
                    sku = by_code[code]
                    q = rng.random()
                    multi = 0.35 if sku.category == "食品" else 0.2
                    quantity = 1 if q >= multi else 2 if q >= multi / 3 else 3
                    paid = round(sku.price_cents * quantity * ch.price_factor * price_factor)
                    rows.append({
                        "channel": ch.slug, "order_id": order_id, "line_key": f"{order_id}-{j}",
                        "line_id": f"{order_id}-{j}", "ordered_at": ordered_at, "order_date": day,
                        "sku": code, "quantity": quantity, "paid_cents": paid, "customer_id": customer,
                        "status": status, "refund_cents": paid if status == "refunded" else 0,
                    })
                    if status != "cancelled":
                        sales.gmv[ch.slug, day] += paid
                        sales.units_by_sku_day[code, day] += quantity
                        sales.gmv_by_sku_day[code, day] += paid
                if status != "cancelled":
                    sales.buyers.setdefault((ch.slug, day), set()).add(customer)
                    if review_rng.random() < 0.045:
                        local = datetime.combine(day, time()) + timedelta(seconds=seconds)
                        sales.review_candidates.append((ch.slug, chosen[0], local, status == "refunded"))
    return rows, sales
