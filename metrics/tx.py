"""Write transactions that lock before they read, and the retry of the ones a deadlock ended.

    with write_tx(engine) as conn:                   # BEGIN IMMEDIATE on SQLite, BEGIN elsewhere
        conn.execute(...)                            # committed on exit, rolled back on an error
    result = retrying(work, engine)      # work(conn) in a write_tx; run again after a deadlock or a busy DB
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

T = TypeVar("T")


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """One transaction for a change. On SQLite it starts with BEGIN IMMEDIATE: the write lock is taken
    before the first read, so two processes cannot both read the old state and then both write (or both
    fail to upgrade to writing with SQLITE_BUSY instead of one waiting for the other)."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise


def transient(exc: DBAPIError) -> bool:
    """Deadlock, serialisation failure or a busy database: safe to run the transaction again."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in ("40P01", "40001", "55P03"):
        return True
    args = getattr(orig, "args", ())
    if args and args[0] in (1205, 1213):  # MySQL/MariaDB: lock wait timeout, deadlock
        return True
    return "database is locked" in str(orig)


def retrying(work: Callable[[Connection], T], engine: Engine, attempts: int = 5) -> T:
    """`work(conn)` in a `write_tx`, run again (up to `attempts` times) when the database ended it
    for a transient reason; any other error, or the last attempt's, propagates."""
    for attempt in range(1, attempts + 1):
        try:
            with write_tx(engine) as conn:
                return work(conn)
        except DBAPIError as exc:
            if attempt == attempts or not transient(exc):
                raise
            log.warning("write transaction retried after %s (attempt %s)", type(exc.orig).__name__, attempt)
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")
