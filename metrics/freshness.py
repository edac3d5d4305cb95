"""How fresh the data is: newest business date per source and the last import per kind.

    data_as_of(conn)["orders"]    # date(2026, 11, 24)
    stale_sources(conn, now_utc=now, max_age_hours=36)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Connection, func, select

from metrics.schema import ad_spend, imports, inventory, orders, reviews, traffic

SOURCES = {
    "orders": orders.c.order_date,
    "traffic": traffic.c.date,
    "ad_spend": ad_spend.c.date,
    "inventory": inventory.c.as_of,
    "reviews": reviews.c.created_date,
}
# import kinds as typed on the command line → the source they feed
KIND_SOURCE = {"orders": "orders", "traffic": "traffic", "ad-spend": "ad_spend", "ad_spend": "ad_spend",
               "inventory": "inventory", "reviews": "reviews"}


def data_as_of(conn: Connection) -> dict[str, date | None]:
    """Newest business date per source (None when a source has no rows)."""
    out: dict[str, date | None] = {}
    for name, column in SOURCES.items():
        value = conn.execute(select(func.max(column))).scalar_one()
        out[name] = value if value is None or isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return out


def data_since(conn: Connection, sources: tuple[str, ...] = tuple(SOURCES)) -> date | None:
    """The oldest business date of any of `sources` (None when none has rows): before it there is no data."""
    found: list[date] = []
    for name in sources:
        value = conn.execute(select(func.min(SOURCES[name]))).scalar_one()
        if value is not None:
            found.append(value if isinstance(value, date) else date.fromisoformat(str(value)[:10]))
    return min(found) if found else None


def last_imports(conn: Connection) -> dict[str, datetime]:
    """Source → newest import time (naive UTC)."""
    rows = conn.execute(select(imports.c.kind, func.max(imports.c.finished_at)).group_by(imports.c.kind)).all()
    out: dict[str, datetime] = {}
    for kind, finished in rows:
        source = KIND_SOURCE.get(kind, kind)
        if finished is not None and (source not in out or finished > out[source]):
            out[source] = finished
    return out


def stale_sources(
    conn: Connection, *, now_utc: datetime, max_age_hours: int, sources: tuple[str, ...] = ()
) -> list[str]:
    """Sources with no import within `max_age_hours` of `now_utc` (naive UTC).

    A source that was never imported counts as stale: an alert computed on no data would be
    a false low, which is exactly what the guard exists to prevent.
    """
    cutoff = now_utc - timedelta(hours=max_age_hours)
    seen = last_imports(conn)
    return [s for s in (sources or tuple(SOURCES)) if s not in seen or seen[s] < cutoff]
