"""Revision 0005 on every backend: runs from before leases become dead runs of unknown posts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import column, insert, table

from metrics import job_runs as runlog
from metrics.db import alembic_config, connect, current_revision, head_revision, upgrade
from tests.dbs import scratch_or_skip


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
    else:
        yield from scratch_or_skip(request.param)


def test_0005_keeps_old_runs_and_treats_a_stuck_one_as_dead(blank_url: str) -> None:
    engine = connect(blank_url, migrate=False)
    upgrade(engine, "0004")
    started = datetime(2026, 11, 23, 1, 0)
    # the table as 0004 left it: the columns of today's schema would not exist yet
    old = table("job_runs", *(column(c) for c in ("job", "scheduled_for", "trigger", "host", "status", "started_at")))
    with engine.begin() as conn:
        conn.execute(insert(old).values(job="daily-report", scheduled_for=started, trigger="schedule", host="old:1",
                                        status="running", started_at=started))
    upgrade(engine)
    [run] = runlog.recent(engine, "daily-report")
    assert (run.heartbeat_at, run.posted, run.attempt, run.error_id) == (started, None, 1, None)
    assert runlog.stale(engine, now_utc=datetime(2026, 11, 23, 2, 0), lease=timedelta(minutes=1)) == [run]
    with engine.connect() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
        conn.commit()
        assert current_revision(conn) == "0004"
    upgrade(engine)
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
    engine.dispose()
