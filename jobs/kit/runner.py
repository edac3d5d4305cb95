"""Run one job once: claim, pause check, run, log the outcome, tell ops about a new failure streak.

    result = run_job(deps, plan["stock-alerts"], poster=poster)                 # `ecombot jobs run`
    result = run_job(deps, planned, poster=poster, slot=slot, trigger="schedule")  # the scheduler

Scheduled and manual runs take the same path, so they post the same thing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from handlers.delivery import Poster
from handlers.views import texts
from jobs.kit.context import JobContext, Outcome
from jobs.kit.registry import Planned
from metrics import job_runs as runlog
from metrics.alerts import prune_messages
from metrics.clock import utc_naive
from metrics.runtime import Deps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    job: str
    run_id: int | None  # None: another replica had claimed this firing
    status: str  # ok, empty, skipped, failed, or "taken" when not claimed
    detail: str


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
    run_id = runlog.claim(deps.engine, name, scheduled_for=None if slot is None else utc_naive(slot),
                          trigger=trigger, now_utc=utc_naive(started))
    if run_id is None:
        log.info("job %s firing %s already claimed by another replica", name, slot)
        return RunResult(name, None, "taken", "claimed by another replica")
    if slot is not None and runlog.is_paused(deps.engine, name):
        runlog.finish(deps.engine, run_id, status=runlog.SKIPPED, detail="paused", now_utc=utc_naive(deps.now()))
        return RunResult(name, run_id, runlog.SKIPPED, "paused")
    ctx = JobContext(deps=deps, poster=poster, now=(slot or started).astimezone(deps.settings.tz),
                     send_empty=planned.send_empty, run_id=run_id)
    log.info("job %s run %s started (%s)", name, run_id, trigger)
    try:
        outcome: Outcome = planned.spec.run(ctx)
    except Exception as exc:  # noqa: BLE001 - any failure is logged, recorded and reported, never fatal
        error = f"{type(exc).__name__}: {exc}"
        log.exception("job %s run %s failed", name, run_id, extra={"job": name, "run_id": run_id})
        runlog.finish(deps.engine, run_id, status=runlog.FAILED, error=error, now_utc=utc_naive(deps.now()))
        _tell_ops(deps, poster, name, run_id, error)
        return RunResult(name, run_id, runlog.FAILED, error)
    runlog.finish(deps.engine, run_id, status=outcome.status, detail=outcome.detail, now_utc=utc_naive(deps.now()))
    log.info("job %s run %s %s: %s", name, run_id, outcome.status, outcome.detail)
    _housekeeping(deps)
    return RunResult(name, run_id, outcome.status, outcome.detail)


def _tell_ops(deps: Deps, poster: Poster, name: str, run_id: int, error: str) -> None:
    """Once per failure streak: only when the run before this one did not fail too."""
    if runlog.previous_outcome(deps.engine, name, before_id=run_id) == runlog.FAILED:
        return
    channel = deps.settings.ops_channel
    if not channel:
        log.warning("job %s failed and OPS_CHANNEL is not set: nobody is told in Slack", name)
        return
    text = texts.t("jobs.failed", deps.locale, job=name, run_id=run_id, error=error[:500])
    try:
        poster.post(channel, text=text)
    except Exception:  # noqa: BLE001 - the failure is already in the log and the run row
        log.exception("could not tell the ops channel that job %s failed", name)


def _housekeeping(deps: Deps) -> None:
    now = utc_naive(deps.now())
    try:
        runlog.prune(deps.engine, now_utc=now)
        with deps.engine.begin() as conn:
            prune_messages(conn, before_utc=now - runlog.RETENTION)
    except Exception:  # noqa: BLE001 - retention is best effort; the next run tries again
        log.exception("pruning the run log failed")
