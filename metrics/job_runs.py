"""Claims, the run log and pause state of jobs, in the database every replica shares.

    run_id = claim(engine, "daily-report", scheduled_for=slot, trigger="schedule", now_utc=now)
    if run_id is None: ...                  # another replica took this firing
    finish(engine, run_id, status="ok", detail="1 message", now_utc=later)

A claim is an INSERT into `job_runs`, unique on (job, scheduled_for): of two replicas firing the
same slot, exactly one insert succeeds on every backend, with no lock held while the job runs.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, delete, desc, insert, select, update
from sqlalchemy.exc import IntegrityError

from metrics.schema_jobs import job_runs, job_state

log = logging.getLogger(__name__)

RETENTION = timedelta(days=90)
RUNNING, OK, EMPTY, SKIPPED, FAILED = "running", "ok", "empty", "skipped", "failed"
_ERROR_CHARS = 4000


@dataclass(frozen=True)
class Run:
    id: int
    job: str
    scheduled_for: datetime | None
    trigger: str
    host: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    detail: str | None
    error: str | None


def host_id() -> str:
    """Which replica did a run: host name and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def claim(engine: Engine, job: str, *, scheduled_for: datetime | None, trigger: str, now_utc: datetime) -> int | None:
    """Insert the run row; None when another replica already claimed this (job, scheduled_for)."""
    try:
        with engine.begin() as conn:
            result = conn.execute(insert(job_runs).values(
                job=job, scheduled_for=scheduled_for, trigger=trigger, host=host_id(), status=RUNNING,
                started_at=now_utc,
            ))
            pk = result.inserted_primary_key
            assert pk is not None
            return int(pk[0])
    except IntegrityError:
        return None


def finish(engine: Engine, run_id: int, *, status: str, now_utc: datetime, detail: str | None = None,
           error: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(update(job_runs).where(job_runs.c.id == run_id).values(
            status=status, finished_at=now_utc, detail=(detail or None) and detail[:500],
            error=(error or None) and error[:_ERROR_CHARS],
        ))


def _run(row: object) -> Run:
    m = row._mapping  # type: ignore[attr-defined]
    return Run(**{k: m[k] for k in Run.__dataclass_fields__})


def recent(engine: Engine, job: str | None = None, *, limit: int = 5) -> list[Run]:
    stmt = select(job_runs).order_by(desc(job_runs.c.started_at), desc(job_runs.c.id)).limit(limit)
    if job is not None:
        stmt = stmt.where(job_runs.c.job == job)
    with engine.connect() as conn:
        return [_run(r) for r in conn.execute(stmt)]


def previous_outcome(engine: Engine, job: str, *, before_id: int) -> str | None:
    """Status of the last finished run of `job` before run `before_id` (None if there is none)."""
    stmt = (select(job_runs.c.status)
            .where(and_(job_runs.c.job == job, job_runs.c.id < before_id,
                        job_runs.c.status.in_([OK, EMPTY, FAILED])))
            .order_by(desc(job_runs.c.id)).limit(1))
    with engine.connect() as conn:
        return conn.execute(stmt).scalar_one_or_none()


def has_run(engine: Engine, job: str, scheduled_for: datetime) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(job_runs.c.id).where(
            and_(job_runs.c.job == job, job_runs.c.scheduled_for == scheduled_for))).first() is not None


def prune(engine: Engine, *, now_utc: datetime) -> int:
    """Keep 90 days of run log."""
    with engine.begin() as conn:
        return conn.execute(delete(job_runs).where(job_runs.c.started_at < now_utc - RETENTION)).rowcount or 0


# -- pause / resume --------------------------------------------------------------------------------


def is_paused(engine: Engine, job: str) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(select(job_state.c.paused).where(job_state.c.job == job)).scalar_one_or_none())


def paused_jobs(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(select(job_state.c.job).where(job_state.c.paused.is_(True)))}


def set_paused(engine: Engine, job: str, paused: bool, *, by: str, now_utc: datetime) -> None:
    with engine.begin() as conn:
        values = {"paused": paused, "changed_by": by[:64], "changed_at": now_utc}
        if conn.execute(update(job_state).where(job_state.c.job == job).values(**values)).rowcount == 0:
            conn.execute(insert(job_state).values(job=job, **values))
