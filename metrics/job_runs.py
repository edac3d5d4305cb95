"""Claims, the run log and pause state of jobs, in the database every replica shares.

    run_id = claim(engine, "daily-report", scheduled_for=slot, trigger="schedule", now_utc=now)
    if run_id is None: ...                  # another replica took this firing
    finish(engine, run_id, status="ok", detail="1 message", now_utc=later)

A claim is an INSERT into `job_runs`, unique on (job, scheduled_for): of two replicas firing the
same slot, exactly one insert succeeds on every backend, with no lock held while the job runs.

A claim is also a lease. Its owner refreshes `heartbeat_at` (`beat`) and counts each Slack post in
`posted` before making it (`begin_post`); a run whose heartbeat is older than the lease is dead
(`is_dead`: the process was killed, or hangs). Whoever finds a dead run changes it with one
conditional UPDATE on the heartbeat it saw (`take_over`, `fail_dead`), so of two replicas that
find the same dead run exactly one acts. Every later write of the owner names its `Lease` (run id
and attempt): once a takeover bumped the attempt, a dead owner that wakes up again writes nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, and_, delete, desc, insert, or_, select, update
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
    heartbeat_at: datetime | None
    posted: int | None  # Slack posts begun; None: unknown (a run from before leases existed)
    attempt: int
    error_id: str | None

    @property
    def last_sign_of_life(self) -> datetime:
        return self.heartbeat_at or self.started_at


@dataclass(frozen=True)
class Lease:
    """The right to write to a running row: its id and the attempt that owns it."""

    run_id: int
    attempt: int = 1


def host_id() -> str:
    """Which replica did a run: host name and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def claim(engine: Engine, job: str, *, scheduled_for: datetime | None, trigger: str, now_utc: datetime) -> int | None:
    """Insert the run row; None when another replica already claimed this (job, scheduled_for)."""
    try:
        with engine.begin() as conn:
            result = conn.execute(insert(job_runs).values(
                job=job, scheduled_for=scheduled_for, trigger=trigger, host=host_id(), status=RUNNING,
                started_at=now_utc, heartbeat_at=now_utc, posted=0, attempt=1,
            ))
            pk = result.inserted_primary_key
            assert pk is not None
            return int(pk[0])
    except IntegrityError:
        return None


def _owned(lease: Lease) -> ColumnElement[bool]:
    return and_(job_runs.c.id == lease.run_id, job_runs.c.attempt == lease.attempt, job_runs.c.status == RUNNING)


def finish(engine: Engine, run: int | Lease, *, status: str, now_utc: datetime, detail: str | None = None,
           error: str | None = None, error_id: str | None = None) -> bool:
    """Record the outcome; False when the lease was lost (the run was taken over, nothing written)."""
    lease = run if isinstance(run, Lease) else Lease(run)
    with engine.begin() as conn:
        return conn.execute(update(job_runs).where(_owned(lease)).values(
            status=status, finished_at=now_utc, detail=(detail or None) and detail[:500],
            error=(error or None) and error[:_ERROR_CHARS], error_id=error_id,
        )).rowcount == 1


def beat(engine: Engine, lease: Lease, *, now_utc: datetime) -> bool:
    """The owner is alive; False when it no longer owns the run."""
    with engine.begin() as conn:
        return conn.execute(update(job_runs).where(_owned(lease)).values(heartbeat_at=now_utc)).rowcount == 1


def begin_post(engine: Engine, lease: Lease) -> bool:
    """Count a Slack post before it is made (a kill during the call still counts); False: lease lost."""
    with engine.begin() as conn:
        return conn.execute(update(job_runs).where(_owned(lease)).values(
            posted=job_runs.c.posted + 1)).rowcount == 1


def is_dead(run: Run, *, now_utc: datetime, lease: timedelta) -> bool:
    return run.status == RUNNING and run.last_sign_of_life < now_utc - lease


def _as_seen(run: Run) -> ColumnElement[bool]:
    """The row exactly as `run` saw it: no heartbeat, takeover or finish since."""
    hb = job_runs.c.heartbeat_at
    seen = hb.is_(None) if run.heartbeat_at is None else hb == run.heartbeat_at
    return and_(job_runs.c.id == run.id, job_runs.c.status == RUNNING, job_runs.c.attempt == run.attempt, seen)


def take_over(engine: Engine, run: Run, *, now_utc: datetime) -> Lease | None:
    """Claim a dead run to run it again; None when another replica got there first (or it came back)."""
    with engine.begin() as conn:
        taken = conn.execute(update(job_runs).where(_as_seen(run)).values(
            attempt=run.attempt + 1, host=host_id(), heartbeat_at=now_utc, posted=0,
        )).rowcount == 1
    return Lease(run.id, run.attempt + 1) if taken else None


def fail_dead(engine: Engine, run: Run, *, now_utc: datetime, error: str, error_id: str) -> bool:
    """Mark a dead run failed; True for exactly one of the replicas that try (that one tells ops)."""
    with engine.begin() as conn:
        return conn.execute(update(job_runs).where(_as_seen(run)).values(
            status=FAILED, finished_at=now_utc, error=error[:_ERROR_CHARS], error_id=error_id,
        )).rowcount == 1


def find(engine: Engine, job: str, scheduled_for: datetime) -> Run | None:
    with engine.connect() as conn:
        row = conn.execute(select(job_runs).where(
            and_(job_runs.c.job == job, job_runs.c.scheduled_for == scheduled_for))).first()
    return None if row is None else _run(row)


def stale(engine: Engine, *, now_utc: datetime, lease: timedelta) -> list[Run]:
    """Running rows whose heartbeat is older than the lease: their process is gone or stuck."""
    cutoff = now_utc - lease
    stmt = select(job_runs).where(and_(job_runs.c.status == RUNNING, or_(
        job_runs.c.heartbeat_at < cutoff, and_(job_runs.c.heartbeat_at.is_(None), job_runs.c.started_at < cutoff),
    ))).order_by(job_runs.c.id)
    with engine.connect() as conn:
        return [_run(r) for r in conn.execute(stmt)]


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
