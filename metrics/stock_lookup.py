"""What /stock needs beyond `metrics.inventory`: find SKUs by a typed word, and one SKU's daily units.

    match = find(stock_items(conn, today=today), "面霜")   # Match(kind="sku"|"category"|"many"|"none", ...)
    daily_units(conn, sku="SKU-1", today=today)          # 28 (date, units) pairs ending yesterday
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, and_, func, select

from metrics.inventory import SALES_DAYS, StockItem
from metrics.schema import orders


@dataclass(frozen=True)
class Match:
    kind: str  # "sku": exactly one; "category": a category's SKUs; "many": several names match; "none"
    items: tuple[StockItem, ...]
    term: str
    suggestions: tuple[str, ...] = ()  # did-you-mean, for "none"
    category: str | None = None


def find(items: Sequence[StockItem], term: str) -> Match:
    """Exact SKU, then exact category, then SKU or name containing the term; else close spellings."""
    # NFKC: full-width letters and digits typed with a Chinese IME find the same SKU as ASCII ones
    key = unicodedata.normalize("NFKC", term).strip().casefold()
    exact = [it for it in items if it.sku.casefold() == key]
    if exact:
        return Match("sku", (exact[0],), term)
    in_category = [it for it in items if (it.category or "").casefold() == key]
    if in_category:
        return Match("category", tuple(in_category), term, category=in_category[0].category)
    containing = [it for it in items if key and (key in it.sku.casefold() or key in it.name.casefold())]
    if len(containing) == 1:
        return Match("sku", (containing[0],), term)
    if containing:
        return Match("many", tuple(containing), term)
    names = sorted({it.sku for it in items} | {it.name for it in items} | {it.category for it in items if it.category})
    by_fold = {n.casefold(): n for n in names}
    close = difflib.get_close_matches(key, list(by_fold), n=3, cutoff=0.5)
    return Match("none", (), term, suggestions=tuple(by_fold[c] for c in close))


def daily_units(conn: Connection, *, sku: str, today: date) -> list[tuple[date, int]]:
    """Units sold (non-cancelled) per day over the 28 days the average comes from, ending yesterday."""
    start = today - timedelta(days=SALES_DAYS)
    rows = conn.execute(
        select(orders.c.order_date, func.sum(orders.c.quantity))
        .where(and_(orders.c.sku == sku, orders.c.status != "cancelled", orders.c.order_date >= start,
                    orders.c.order_date < today))
        .group_by(orders.c.order_date)
    ).all()
    got = {(d if isinstance(d, date) else date.fromisoformat(str(d)[:10])): int(n or 0) for d, n in rows}
    return [(start + timedelta(days=i), got.get(start + timedelta(days=i), 0)) for i in range(SALES_DAYS)]
