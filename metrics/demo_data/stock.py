"""Two inventory counts per SKU (a week ago and today), placed so the demo has every SPEC §5 status.

    rows = draw_inventory(618, today, catalog(618), sales)   # 7 critical, 7 low, 7 overstock, dead stock
"""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import date, timedelta
from fractions import Fraction

from metrics.demo_data.orders import Sales
from metrics.demo_data.shop import Row, Sku, stream
from metrics.inventory import abc_classes

# target inventory mix (SPEC §5); the rest of the selling SKUs are healthy
STOCK_TARGETS = {"critical": 7, "warning": 7, "overstock": 7}

def _on_hand_range(status: str, avg: Fraction, lead: int, f: Fraction) -> tuple[int, int]:
    """Inclusive on_hand bounds that put a SKU selling `avg` a day into `status`."""
    low = avg * max(7, lead) * f  # under this is low stock
    if status == "critical":
        return 0, math.ceil(avg * lead) - 1
    if status == "warning":
        return math.ceil(avg * lead), math.ceil(low) - 1
    if status == "overstock":
        return math.floor(avg * 30) + 1, math.floor(avg * 120)
    return math.ceil(low), math.floor(avg * 30)


def _place(rng: random.Random, status: str, avg: Fraction, f: Fraction) -> tuple[int, int] | None:
    """(lead_time_days, on_hand) that put a SKU into `status`, or None when its sales leave no room."""
    for _ in range(20):
        if status == "critical":
            lead = rng.randint(7, 30)
        elif status == "warning":
            # a warning band exists only where the low-stock line lies above the lead time
            lead = rng.randint(7, 18) if f > 1 else rng.randint(3, 5)
        elif status == "overstock":
            lead = rng.randint(7, 25)
        else:
            lead = rng.randint(3, 16) if f > 1 else rng.randint(3, 24)
        lo, hi = _on_hand_range(status, avg, lead, f)
        if lo > hi and status == "ok":
            lead = rng.randint(3, 7)  # below a week of lead time the healthy band is never empty
            lo, hi = _on_hand_range(status, avg, lead, f)
        if lo <= hi:
            if status == "overstock":
                return lead, max(lo, min(hi, round(avg * Fraction(rng.randint(40, 110)))))
            return lead, rng.randint(lo, hi)
    return None


def draw_inventory(seed: int, today: date, skus: list[Sku], sales: Sales) -> list[Row]:
    rng = stream(seed, "inventory")
    units_28: Counter[str] = Counter()
    units_7: Counter[str] = Counter()
    gmv_90: Counter[str] = Counter()
    for (code, day), units in sales.units_by_sku_day.items():
        if today - timedelta(days=28) <= day < today:
            units_28[code] += units
        if today - timedelta(days=7) <= day < today:
            units_7[code] += units
    for (code, day), cents in sales.gmv_by_sku_day.items():
        if today - timedelta(days=90) <= day < today:
            gmv_90[code] += cents
    abc = abc_classes({s.code: gmv_90[s.code] for s in skus})
    factor = {s.code: Fraction(3, 2) if abc[s.code] == "A" else Fraction(1) for s in skus}
    placed: dict[str, tuple[int, int]] = {}
    selling = [s.code for s in skus if units_28[s.code] > 0]
    pool = rng.sample(selling, len(selling))
    for status, wanted in STOCK_TARGETS.items():
        count = 0
        for code in pool:
            if count == wanted:
                break
            if code in placed:
                continue
            spot = _place(rng, status, Fraction(units_28[code], 28), factor[code])
            if spot is not None:
                placed[code] = spot
                count += 1
    rows: list[Row] = []
    for sku in skus:
        units = units_28[sku.code]
        if sku.code in placed:
            lead, on_hand = placed[sku.code]
        elif units:
            spot = _place(rng, "ok", Fraction(units, 28), factor[sku.code])
            assert spot is not None  # the healthy band is never empty with a short lead time
            lead, on_hand = spot
        else:
            lead = rng.randint(7, 30)
            # a retired SKU's leftovers are the dead stock; anything else that stopped selling is sold out
            on_hand = rng.randint(80, 600) if sku.code in sales.retired else 0
        unit_cost = round(sku.price_cents * rng.uniform(0.22, 0.45))
        common = {"sku": sku.code, "name": sku.name, "category": sku.category, "lead_time_days": lead,
                  "unit_cost_cents": unit_cost}
        # last week's count: what sold since, nothing received
        rows.append({**common, "as_of": today - timedelta(days=7), "on_hand": on_hand + units_7[sku.code]})
        rows.append({**common, "as_of": today, "on_hand": on_hand})
    return rows
