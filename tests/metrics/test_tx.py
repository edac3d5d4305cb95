"""metrics.tx: a write transaction commits or rolls back as a whole; transient failures run it again."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import DBAPIError, OperationalError

from metrics.schema import traffic
from metrics.tx import retrying, transient, write_tx


def _rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(traffic)).scalar_one())


def _row(day: str) -> dict[str, Any]:
    return {"date": date.fromisoformat(day), "channel": "douyin", "uv": 1, "pv": 1}


def test_write_tx_commits_on_exit_and_rolls_back_on_error(engine: Engine) -> None:
    with write_tx(engine) as conn:
        conn.execute(insert(traffic).values(**_row("2026-11-01")))
    assert _rows(engine) == 1
    with pytest.raises(RuntimeError), write_tx(engine) as conn:
        conn.execute(insert(traffic).values(**_row("2026-11-02")))
        raise RuntimeError("boom")
    assert _rows(engine) == 1


class _Orig(Exception):
    def __init__(self, message: str, sqlstate: str | None = None, *args: object) -> None:
        super().__init__(message, *args)
        self.sqlstate = sqlstate


def _error(orig: Exception) -> DBAPIError:
    return OperationalError("UPDATE …", {}, orig)


def test_transient_knows_deadlocks_and_busy_databases() -> None:
    assert transient(_error(_Orig("deadlock detected", "40P01")))
    assert transient(_error(_Orig("could not serialize", "40001")))
    assert transient(_error(Exception(1213, "Deadlock found")))
    assert transient(_error(Exception("database is locked")))
    assert not transient(_error(_Orig("duplicate key", "23505")))


def test_retrying_runs_the_work_again_after_a_deadlock_only(engine: Engine) -> None:
    calls: list[int] = []

    def flaky(conn: Connection) -> str:
        calls.append(1)
        conn.execute(insert(traffic).values(**_row(f"2026-11-0{len(calls)}")))
        if len(calls) < 3:
            raise _error(_Orig("deadlock detected", "40P01"))
        return "done"

    assert retrying(flaky, engine) == "done"
    # the two failed attempts were rolled back: only the third one's row is there
    assert len(calls) == 3 and _rows(engine) == 1

    def broken(conn: Connection) -> None:
        calls.append(1)
        raise _error(_Orig("duplicate key", "23505"))

    calls.clear()
    with pytest.raises(OperationalError):
        retrying(broken, engine)
    assert len(calls) == 1
