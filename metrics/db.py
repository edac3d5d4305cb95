"""Engines, migrations and the bulk upsert every import path uses.

    engine = connect("sqlite:///ecombot.db")   # schema created/upgraded on first use
    with engine.begin() as conn:
        upsert(conn, schema.traffic, rows)       # rows: list of dicts keyed by column name
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    MetaData,
    Table,
    create_engine,
    event,
    func,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

_MIGRATED: set[str] = set()
_LOCK = threading.Lock()


def normalize_url(url: str) -> str:
    """Pick the drivers we ship for bare `postgresql://` and `mysql://` URLs."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    elif u.drivername in ("mysql", "mariadb"):
        u = u.set(drivername="mysql+pymysql")
    if u.drivername.startswith("mysql") and "charset" not in u.query:
        u = u.update_query_dict({"charset": "utf8mb4"})
    return u.render_as_string(hide_password=False)


def connect(url: str, *, migrate: bool = True, pool: bool = True) -> Engine:
    """An engine for `url`; with `migrate`, the schema is brought to head once per process."""
    url = normalize_url(url)
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    if not pool:
        kwargs["poolclass"] = NullPool
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate:
        with _LOCK:
            if url not in _MIGRATED:
                upgrade(engine)
                _MIGRATED.add(url)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers (slash commands) run while an import writes
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    # imports merge into tables with several indexes: a larger page cache keeps them in memory
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run Alembic migrations, serialised across processes where the database can lock."""
    cfg = alembic_config()
    with engine.connect() as conn, _migration_lock(conn):
        if revision == "head" and current_revision(conn) == head_revision():
            return
        log.info("migrating database schema to %s", revision)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()


@contextmanager
def _migration_lock(conn: Connection) -> Any:
    name = conn.dialect.name
    key = 0x45434F4D  # "ECOM"
    if name == "postgresql":
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()
    elif name in ("mysql", "mariadb"):
        conn.execute(text("SELECT GET_LOCK('ecombot_migrate', 60)"))
        try:
            yield
        finally:
            conn.execute(text("SELECT RELEASE_LOCK('ecombot_migrate')"))
    else:
        yield


@dataclass(frozen=True)
class UpsertResult:
    inserted: int
    updated: int


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Any]],
    *,
    chunk: int = 5000,
    progress: Any | None = None,
    on_staged: Callable[[Connection, Table], None] | None = None,
) -> UpsertResult:
    """Insert or update `rows` by the table's primary key, as set operations.

    Rows go into a temporary staging table in bulk (COPY on PostgreSQL, executemany
    elsewhere); one INSERT … SELECT … ON CONFLICT/ON DUPLICATE KEY then merges them, so a
    million rows cost a handful of statements, not a million ORM adds. `progress` (a tqdm
    bar or anything with `update(n)`) is advanced per chunk. `on_staged(conn, stage)` runs
    between load and merge, so a caller can read what the rows are about to replace (the
    rollup needs the old order dates of re-imported orders). `rows` may also be columnar
    (column → values), which skips building a dict per row on large imports.
    """
    columns = _columnar(rows)
    if not columns or not len(next(iter(columns.values()))):
        return UpsertResult(0, 0)
    cols = list(columns)
    pk = [c.name for c in table.primary_key.columns]
    with scratch_table(conn, f"stage_{table.name}", *_staging_columns(table, cols)) as stage:
        _bulk_load(conn, stage, cols, columns, chunk, progress)
        existing = conn.execute(
            select(func.count()).select_from(
                stage.join(table, _and_all(stage.c[k] == table.c[k] for k in pk))
            )
        ).scalar_one()
        staged = conn.execute(select(func.count()).select_from(stage)).scalar_one()
        if on_staged is not None:
            on_staged(conn, stage)
        _merge(conn, table, stage, cols, pk)
    return UpsertResult(inserted=int(staged) - int(existing), updated=int(existing))


def _columnar(rows: Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Any]]) -> dict[str, Sequence[Any]]:
    if isinstance(rows, Mapping):
        return dict(rows)
    if not rows:
        return {}
    return {c: [r[c] for r in rows] for c in rows[0]}


def update_by_key(conn: Connection, table: Table, rows: Mapping[str, Sequence[Any]], *, chunk: int = 5000) -> None:
    """Set columns of existing rows, found by the table's primary key (which `rows` carries): staged in
    bulk as upsert does, then one UPDATE … FROM/JOIN. Row-by-row UPDATEs cost a round trip each,
    and PyMySQL does not batch them (MariaDB: 5,000 rows/s)."""
    cols = list(rows)
    if not cols or not len(rows[cols[0]]):
        return
    pk = [c.name for c in table.primary_key.columns]
    with scratch_table(conn, f"stage_{table.name}", *_staging_columns(table, cols)) as stage:
        _bulk_load(conn, stage, cols, rows, chunk, None)
        conn.execute(update(table).where(_and_all(table.c[k] == stage.c[k] for k in pk))
                     .values({c: stage.c[c] for c in cols if c not in pk}))


def _and_all(clauses: Iterable[Any]) -> Any:
    from sqlalchemy import and_

    return and_(*clauses)


_stage_counter = iter(range(1, 1 << 62))


@contextmanager
def scratch_table(conn: Connection, prefix: str, *columns: Column[Any]) -> Iterator[Table]:
    """A temporary table of `columns` for the rest of the transaction's work; dropped on the way out."""
    table = Table(f"{prefix}_{next(_stage_counter)}", MetaData(), *columns, prefixes=["TEMPORARY"])
    table.create(conn)
    try:
        yield table
    finally:
        # plain DROP TABLE commits implicitly on MySQL; DROP TEMPORARY TABLE does not
        conn.execute(text(f"DROP {'TEMPORARY ' if conn.dialect.name == 'mysql' else ''}TABLE {table.name}"))


def _staging_columns(table: Table, cols: list[str]) -> list[Column[Any]]:
    pk = {c.name for c in table.primary_key.columns}
    return [Column(c, table.c[c].type, primary_key=c in pk) for c in cols]


def _bulk_load(
    conn: Connection,
    stage: Table,
    cols: list[str],
    columns: Mapping[str, Sequence[Any]],
    chunk: int,
    progress: Any | None,
) -> None:
    values = [columns[c] for c in cols]
    if conn.dialect.name == "sqlite":
        values = [_sqlite_values(stage.c[c].type, v) for c, v in zip(cols, values, strict=True)]
    total = len(values[0])
    raw = conn.connection.driver_connection
    assert raw is not None
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        with raw.cursor() as cur:  # type: ignore[attr-defined]
            collist = ", ".join(f'"{c}"' for c in cols)
            with cur.copy(f'COPY "{stage.name}" ({collist}) FROM STDIN') as copy:
                for start in range(0, total, chunk):
                    for row in zip(*(v[start : start + chunk] for v in values), strict=True):
                        copy.write_row(row)
                    if progress is not None:
                        progress.update(min(chunk, total - start))
        return
    # executemany straight on the driver: SQLAlchemy's per-row parameter processing would cost
    # more than the database's own work here
    quote = conn.dialect.identifier_preparer.quote
    marks = ", ".join(["?" if conn.dialect.name == "sqlite" else "%s"] * len(cols))
    sql = f"INSERT INTO {quote(stage.name)} ({', '.join(quote(c) for c in cols)}) VALUES ({marks})"
    cur = raw.cursor()
    try:
        for start in range(0, total, chunk):
            cur.executemany(sql, list(zip(*(v[start : start + chunk] for v in values), strict=True)))
            if progress is not None:
                progress.update(min(chunk, total - start))
    finally:
        cur.close()


def _sqlite_values(kind: Any, values: Sequence[Any]) -> Sequence[Any]:
    # SQLAlchemy's own SQLite storage formats, so reads through Core parse them back
    if isinstance(kind, DateTime):
        return [v.isoformat(sep=" ", timespec="microseconds") if isinstance(v, datetime) else v for v in values]
    if isinstance(kind, Date):
        return [v.isoformat() if isinstance(v, date) else v for v in values]
    return values


def _merge(conn: Connection, table: Table, stage: Table, cols: list[str], pk: list[str]) -> None:
    dialect = conn.dialect.name
    non_key = [c for c in cols if c not in pk]
    src = select(*(stage.c[c] for c in cols))
    stmt: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        ins = pg_insert(table).from_select(cols, src)
        stmt = (
            ins.on_conflict_do_update(index_elements=pk, set_={c: ins.excluded[c] for c in non_key})
            if non_key
            else ins.on_conflict_do_nothing(index_elements=pk)
        )
    elif dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert as my_insert

        mins = my_insert(table).from_select(cols, src)
        update = {c: mins.inserted[c] for c in (non_key or pk[:1])}
        stmt = mins.on_duplicate_key_update(**update)
    else:
        from sqlalchemy.dialects.sqlite import insert as lite_insert

        # `WHERE true` resolves SQLite's parse ambiguity between SELECT … and ON CONFLICT
        lins = lite_insert(table).from_select(cols, src.where(text("1")))
        stmt = (
            lins.on_conflict_do_update(index_elements=pk, set_={c: lins.excluded[c] for c in non_key})
            if non_key
            else lins.on_conflict_do_nothing(index_elements=pk)
        )
    conn.execute(stmt)


def reset(engine: Engine, tables: Iterable[Table]) -> None:
    """Delete every row of `tables` (tests, `seed-demo --reset`)."""
    with engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
