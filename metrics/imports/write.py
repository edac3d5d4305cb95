"""Checked rows → the database in one transaction: upsert, rollup refresh, and the import log row.

    result = write_rows(engine, kind, df, source="orders.csv", rows_read=len(frame), opts=opts)
"""

from __future__ import annotations

import logging
import time
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Date, Engine, Table, and_, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from metrics import schema
from metrics.buyer_days import settle
from metrics.clock import utc_naive
from metrics.db import upsert
from metrics.imports.kinds import ImportOptions, Kind
from metrics.imports.results import ImportResult
from metrics.rollup import refresh_daily_sales
from metrics.tx import transient, write_tx

log = logging.getLogger(__name__)
ROLLUP_TRIES = 5


def columns_of(kind: Kind, df: pd.DataFrame) -> dict[str, list[Any]]:
    """Column → plain Python values for the drivers (datetime, date, int, str, None)."""
    out: dict[str, list[Any]] = {}
    for name in (c.name for c in kind.table.columns if c.name in df.columns):
        series = df[name]
        if pd.api.types.is_datetime64_any_dtype(series):
            unit = "datetime64[D]" if isinstance(kind.table.c[name].type, Date) else "datetime64[us]"
            # numpy turns datetime64[us]/[D] into datetime/date objects in C; NaT becomes None
            out[name] = series.to_numpy(dtype=unit).astype(object).tolist()
        else:
            values = series.astype(object)
            out[name] = values.where(values.notna(), None).tolist()
    return out


def _max_date(kind: Kind, df: pd.DataFrame) -> date | None:
    column = {"orders": "order_date", "reviews": "created_date", "inventory": "as_of"}.get(kind.name, "date")
    value = df[column].max()
    return None if pd.isna(value) else pd.Timestamp(value).date()


def write_rows(engine: Engine, kind: Kind, df: pd.DataFrame, *, source: str, rows_read: int,
               opts: ImportOptions) -> ImportResult:
    """One transaction: upsert, rollup refresh (old and new order dates), the import log row."""
    from tqdm import tqdm

    columns = columns_of(kind, df)
    count = len(df)
    old_days: set[tuple[str, date]] = set()

    def remember_old_days(conn: Connection, stage: Table) -> None:
        t = schema.orders
        join = and_(*(stage.c[k] == t.c[k] for k in kind.key))
        for channel, day in conn.execute(select(t.c.channel, t.c.order_date).distinct().select_from(
                stage.join(t, join))):
            old_days.add((channel, day if isinstance(day, date) else date.fromisoformat(str(day)[:10])))

    for attempt in range(1, ROLLUP_TRIES + 1):
        old_days.clear()
        try:
            result = _write(engine, kind, df, columns, count, old_days, remember_old_days, source=source,
                            rows_read=rows_read, opts=opts, tqdm=tqdm)
            if kind.name == "orders":
                settle(engine)
            return result
        except DBAPIError as exc:
            # two imports of other orders on the same (channel, day) both rebuild that rollup row: the
            # second insert meets the first's committed row (or the two deadlock on it). The whole
            # transaction rolled back, so run it again: it now sees the other import's orders, and
            # counts only its own rows as inserted.
            rollup_clash = isinstance(exc, IntegrityError) and any(
                t in str(exc) for t in ("daily_sales", "buyer_days", "split_orders"))
            if not (rollup_clash or transient(exc)) or attempt == ROLLUP_TRIES:
                raise
            log.info("import of %s met a concurrent import; retrying (%s)", source, attempt)
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def _write(engine: Engine, kind: Kind, df: pd.DataFrame, columns: dict[str, list[Any]], count: int,
           old_days: set[tuple[str, date]], remember_old_days: Any, *, source: str, rows_read: int,
           opts: ImportOptions, tqdm: Any) -> ImportResult:
    with tqdm(total=count, unit="rows", desc=f"{kind.name} → database", disable=not opts.progress,
              leave=False) as bar, write_tx(engine) as conn:
        # the write lock up front: two imports racing would otherwise both read, then fail to
        # upgrade to writing (SQLITE_BUSY) instead of one waiting for the other
        result = upsert(conn, kind.table, columns, chunk=20000, progress=bar,
                        on_staged=remember_old_days if kind.name == "orders" else None)
        if kind.name == "orders":
            new_days = set(zip(columns["channel"], columns["order_date"], strict=True))
            refresh_daily_sales(conn, new_days | old_days)
        max_date = _max_date(kind, df)
        conn.execute(schema.imports.insert().values(
            kind=kind.name, source=source[:255], finished_at=utc_naive(opts.clock()),
            rows_inserted=result.inserted, rows_updated=result.updated, max_date=max_date))
    return ImportResult(kind.name, source, rows_read, count, result.inserted, result.updated, max_date)
