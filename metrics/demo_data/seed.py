"""The demo rows into a database, in one transaction, refusing to mix them into a shop's own data.

    counts = seed_demo(engine, today=date(2026, 11, 25), tz=ZoneInfo("Asia/Shanghai"))   # rows per table
    is_empty(engine)     # False now; seed_demo(..., replace=True) clears and reloads
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from metrics import schema
from metrics.clock import utc_naive
from metrics.db import upsert
from metrics.demo_data.dataset import generate
from metrics.rollup import refresh_all
from metrics.tx import write_tx

DEMO_TABLES = (schema.orders, schema.traffic, schema.ad_spend, schema.inventory, schema.reviews,
               schema.experiments)
# what a --force reload clears: the facts, the rollup built from them and the import log about them
REPLACED_TABLES = (schema.daily_sales, *DEMO_TABLES, schema.imports)


class DemoDataExists(RuntimeError):
    """The database already holds shop data; seeding would mix the demo into it."""


_DATE_COLUMN = {"orders": "order_date", "traffic": "date", "ad_spend": "date", "inventory": "as_of",
                "reviews": "created_date", "experiments": "date"}


def is_empty(engine: Engine) -> bool:
    """True when none of the shop's fact tables holds a row (seeding would mix nothing)."""
    with engine.connect() as conn:
        return all(conn.execute(select(t.c[_DATE_COLUMN[t.name]]).limit(1)).first() is None for t in DEMO_TABLES)


def seed_demo(
    engine: Engine,
    *,
    today: date,
    tz: ZoneInfo,
    seed: int = 618,
    days: int = 180,
    progress: bool = False,
    replace: bool = False,
    now: datetime | None = None,
) -> dict[str, int]:
    """Load `generate(...)` in one transaction and rebuild the rollup; returns rows per table.

    Refuses (`DemoDataExists`) when the shop tables hold data, unless `replace`, which first
    deletes their rows (and the rollup and import log) in the same transaction.
    """
    from tqdm import tqdm

    data = generate(today=today, tz=tz, seed=seed, days=days)
    finished = utc_naive(now or datetime.now(UTC))
    counts: dict[str, int] = {}
    # the write lock up front, so the emptiness check below cannot race another writer
    with write_tx(engine) as conn:
        if replace:
            for table in REPLACED_TABLES:
                conn.execute(table.delete())
        else:
            filled = [t.name for t in DEMO_TABLES
                      if conn.execute(select(t.c[_DATE_COLUMN[t.name]]).limit(1)).first() is not None]
            if filled:
                raise DemoDataExists(f"the database already holds {', '.join(filled)}")
        for name, rows in data.tables().items():
            table = schema.metadata.tables[name]
            with tqdm(total=len(rows), unit="rows", desc=f"demo {name}", disable=not progress, leave=False) as bar:
                result = upsert(conn, table, rows, chunk=20000, progress=bar)
            conn.execute(schema.imports.insert().values(
                kind=name, source="demo", finished_at=finished, rows_inserted=result.inserted,
                rows_updated=result.updated, max_date=max((r[_DATE_COLUMN[name]] for r in rows), default=None)))
            counts[name] = len(rows)
            if name == "orders":
                refresh_all(conn)
                counts["daily_sales"] = int(conn.execute(
                    select(func.count()).select_from(schema.daily_sales)).scalar_one())
    return counts
