"""Run one job once: claim, pause check, run under a lease, log the outcome, tell ops about failures.

    result = run_job(deps, plan["stock-alerts"], poster=poster)                 # `ecombot jobs run`
    result = run_job(deps, planned, poster=poster, slot=slot, trigger="schedule")  # the scheduler
    result = recover(deps, planned, dead_run, poster=poster)                     # a killed run's firing

Scheduled and manual runs take the same path, so they post the same thing. While a job runs, a
thread refreshes its heartbeat and the run log counts each Slack post before it is made. A run
whose heartbeat stopped (the process was killed) is re-run by `recover` when it posted nothing and
its grace has not passed; otherwise it is marked failed and ops are told, once across replicas.

Failure notices in Slack name the error's class and an error id, never its message: a database
error's message carries the SQL and its parameters. The id leads to the details in the log and in
the run row (`ecombot jobs list`).
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType

from handlers.delivery import Poster
from handlers.views import texts
from jobs.kit.context import JobContext, Outcome
from jobs.kit.registry import Planned
from metrics import command_claims
from metrics import job_runs as runlog
from metrics.alerts import prune_messages
from metrics.clock import utc_naive
from metrics.runtime import Deps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    job: str
    run_id: int | None  # None: another replica had claimed this firing
    status: str  # ok, empty, skipped, failed, or "taken" when not claimed (or the lease was lost)
    detail: str


class LeaseLost(RuntimeError):
    """Another replica took this run over (its heartbeat had stopped): this process must not post."""


def new_error_id() -> str:
    return secrets.token_hex(4)


def run_job(
    deps: Deps,
    planned: Planned,
    *,
    poster: Poster,
    slot: datetime | None = None,
    trigger: str = "manual",
) -> RunResult:
    """`slot` is the aware scheduled time of the firing (None for a manual run, which always runs)."""
    name = planned.spec.name
    started = deps.now()
    scheduled = None if slot is None else utc_naive(slot)
    run_id = runlog.claim(deps.engine, name, scheduled_for=scheduled, trigger=trigger, now_utc=utc_naive(started))
    if run_id is None:
        assert scheduled is not None  # a manual run has no scheduled time, so it never collides
        holder = runlog.find(deps.engine, name, scheduled)
        if holder is not None and runlog.is_dead(holder, now_utc=utc_naive(deps.now()), lease=deps.settings.job_lease):
            return recover(deps, planned, holder, poster=poster)
        log.info("job %s firing %s already claimed by another replica", name, slot)
        return RunResult(name, None, "taken", "claimed by another replica")
    return _execute(deps, planned, runlog.Lease(run_id), poster=poster, slot=slot, trigger=trigger)


def recover(deps: Deps, planned: Planned | None, run: runlog.Run, *, poster: Poster) -> RunResult:
    """A run whose heartbeat stopped: run its firing again or fail it, whichever one replica wins.

    Re-run when it posted nothing and its grace has not passed (a report a day late is worse than
    none only when half of it is already there); otherwise failed, with one notice to ops.
    `planned` is None when the job is no longer in the plan.
    """
    name = run.job
    now = utc_naive(deps.now())
    if not runlog.is_dead(run, now_utc=now, lease=deps.settings.job_lease):
        return RunResult(name, None, "taken", "running elsewhere")
    since = run.last_sign_of_life
    in_grace = planned is not None and run.scheduled_for is not None and now <= run.scheduled_for + planned.grace
    if planned is not None and run.scheduled_for is not None and run.posted == 0 and in_grace:
        lease = runlog.take_over(deps.engine, run, now_utc=now)
        if lease is None:
            return RunResult(name, None, "taken", "another replica took over the dead run")
        log.warning("job %s run %s died (no heartbeat since %s UTC, on %s) before posting anything; running "
                    "its firing again", name, run.id, since.isoformat(), run.host)
        slot = run.scheduled_for.replace(tzinfo=UTC).astimezone(deps.settings.tz)
        return _execute(deps, planned, lease, poster=poster, slot=slot, trigger=run.trigger)
    if run.posted is None:
        why = "it may have posted (a run from before heartbeats)"
    elif run.posted:
        why = f"it had begun {run.posted} Slack post(s), so running it again could post twice"
    elif run.scheduled_for is None:
        why = "a manual run is not repeated"
    elif planned is None:
        why = "the job is no longer scheduled"
    else:
        why = f"its grace of {_minutes(planned.grace)} min has passed"
    error_id = new_error_id()
    error = f"died: no heartbeat since {since.isoformat()} UTC on {run.host}; not run again: {why}"
    if not runlog.fail_dead(deps.engine, run, now_utc=now, error=error, error_id=error_id):
        return RunResult(name, None, "taken", "another replica handled the dead run")
    log.error("job %s run %s %s (error id %s)", name, run.id, error, error_id,
              extra={"job": name, "run_id": run.id, "error_id": error_id})
    posted = "?" if run.posted is None else str(run.posted)
    _post_notice(deps, poster, name, run.id, f"died mid-run after {posted} post(s); not run again "
                                             f"(error id {error_id})")
    return RunResult(name, run.id, runlog.FAILED, error)


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def _execute(deps: Deps, planned: Planned, lease: runlog.Lease, *, poster: Poster, slot: datetime | None,
             trigger: str) -> RunResult:
    name = planned.spec.name
    run_id = lease.run_id
    if slot is not None and runlog.is_paused(deps.engine, name):
        runlog.finish(deps.engine, lease, status=runlog.SKIPPED, detail="paused", now_utc=utc_naive(deps.now()))
        return RunResult(name, run_id, runlog.SKIPPED, "paused")

    def count_post() -> None:
        if not runlog.begin_post(deps.engine, lease):
            raise LeaseLost(f"run {run_id} was taken over by another replica")

    now = (slot or deps.now()).astimezone(deps.settings.tz)
    ctx = JobContext(deps=deps, poster=poster.for_run(count_post), now=now, send_empty=planned.send_empty,
                     run_id=run_id)
    log.info("job %s run %s started (%s)", name, run_id, trigger)
    try:
        with Heartbeat(deps, lease):
            outcome: Outcome = planned.spec.run(ctx)
    except (KeyboardInterrupt, SystemExit):
        # Ctrl-C on `ecombot jobs run`, or shutdown: not a death for another replica to find later
        try:
            runlog.finish(deps.engine, lease, status=runlog.FAILED, error="interrupted", now_utc=utc_naive(deps.now()))
        except Exception:  # noqa: BLE001 - the lease check fails the run later; the interrupt goes on
            log.exception("could not record that job %s run %s was interrupted", name, run_id)
        raise
    except Exception as exc:  # noqa: BLE001 - any failure is logged, recorded and reported, never fatal
        error_id = new_error_id()
        error = f"{type(exc).__name__}: {exc}"
        log.exception("job %s run %s failed (error id %s)", name, run_id, error_id,
                      extra={"job": name, "run_id": run_id, "error_id": error_id})
        if not runlog.finish(deps.engine, lease, status=runlog.FAILED, error=error, error_id=error_id,
                             now_utc=utc_naive(deps.now())):
            return _lost(name, run_id)
        _tell_ops(deps, poster, name, run_id, f"{type(exc).__name__} (error id {error_id})")
        return RunResult(name, run_id, runlog.FAILED, f"{error} (error id {error_id})")
    if not runlog.finish(deps.engine, lease, status=outcome.status, detail=outcome.detail,
                         now_utc=utc_naive(deps.now())):
        return _lost(name, run_id)
    log.info("job %s run %s %s: %s", name, run_id, outcome.status, outcome.detail)
    _housekeeping(deps)
    return RunResult(name, run_id, outcome.status, outcome.detail)


def _lost(name: str, run_id: int) -> RunResult:
    # the replica that took the run over records its outcome and tells ops if need be
    log.error("job %s run %s lost its lease while running (another replica took it over); its outcome is "
              "not recorded here", name, run_id)
    return RunResult(name, run_id, "taken", "lease lost to another replica")


class Heartbeat:
    """Refreshes a run's heartbeat every third of the lease, from a thread, while the job runs."""

    def __init__(self, deps: Deps, lease: runlog.Lease) -> None:
        self.deps = deps
        self.lease = lease
        self.every = deps.settings.job_lease_seconds / 3
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{lease.run_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                alive = runlog.beat(self.deps.engine, self.lease, now_utc=utc_naive(self.deps.now()))
            except Exception as exc:  # noqa: BLE001 - a database hiccup: the next beat tries again
                log.warning("heartbeat of job run %s failed: %s", self.lease.run_id, type(exc).__name__)
                continue
            if not alive:
                log.warning("job run %s is no longer ours (taken over or finished elsewhere); heartbeat stops",
                            self.lease.run_id)
                return


def _tell_ops(deps: Deps, poster: Poster, name: str, run_id: int, error: str) -> None:
    """Once per failure streak: only when the run before this one did not fail too."""
    if runlog.previous_outcome(deps.engine, name, before_id=run_id) == runlog.FAILED:
        return
    _post_notice(deps, poster, name, run_id, error)


def _post_notice(deps: Deps, poster: Poster, name: str, run_id: int, error: str) -> None:
    """`error` is what Slack may see: a class name, an id, our own words; never an exception's text."""
    channel = deps.settings.ops_channel
    if not channel:
        log.warning("job %s failed and OPS_CHANNEL is not set: nobody is told in Slack", name)
        return
    text = texts.t("jobs.failed", deps.locale, job=name, run_id=run_id, error=error)
    try:
        poster.post(channel, text=text)
    except Exception:  # noqa: BLE001 - the failure is already in the log and the run row
        log.exception("could not tell the ops channel that job %s failed", name)


def _housekeeping(deps: Deps) -> None:
    now = utc_naive(deps.now())
    try:
        runlog.prune(deps.engine, now_utc=now)
        command_claims.prune(deps.engine, now_utc=now)
        with deps.engine.begin() as conn:
            prune_messages(conn, before_utc=now - runlog.RETENTION)
    except Exception:  # noqa: BLE001 - retention is best effort; the next run tries again
        log.exception("pruning the run log failed")
