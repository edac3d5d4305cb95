"""Wires the plan to APScheduler 3.x: each firing claims its slot in the database, then runs.

    scheduler = JobScheduler(deps, plan=build_plan(settings, JOBS), poster=Poster(web_client(deps)))
    scheduler.start()        # catches up one missed firing per job (within its grace), then runs
    scheduler.shutdown()

Every replica runs the same scheduler; the unique (job, scheduled_for) claim makes each firing
take effect once. A firing that comes late (a busy process, a restart) still runs within the job's
grace time, and several missed firings coalesce into one run of the newest.

A firing whose run died (its process was killed: the claim stays `running` but its heartbeat
stops) is found by the lease check, at start-up and then every lease, on every replica; one of
them re-runs it or fails it (`jobs.kit.runner.recover`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger

from handlers.delivery import Poster
from jobs.kit.registry import Planned
from jobs.kit.runner import RunResult, recover, run_job
from metrics import job_runs as runlog
from metrics.clock import utc_naive
from metrics.runtime import Deps

log = logging.getLogger(__name__)

_STEP = timedelta(microseconds=1)
LEASE_CHECK = "lease-check"  # not a job name: the registry's names have no such entry


def latest_slot(trigger: BaseTrigger, now: datetime, lookback: timedelta) -> datetime | None:
    """The newest fire time in (now - lookback, now], or None: the slot a firing at `now` stands for."""
    found: datetime | None = None
    cursor = now - lookback + _STEP
    previous: datetime | None = None
    while True:
        nxt: datetime | None = trigger.get_next_fire_time(previous, cursor)
        if nxt is None or nxt > now:
            return found
        found = previous = nxt
        cursor = nxt + _STEP


def next_runs(plan: dict[str, Planned], now: datetime) -> dict[str, datetime | None]:
    return {name: p.trigger.get_next_fire_time(None, now) for name, p in plan.items()}


class JobScheduler:
    def __init__(self, deps: Deps, *, plan: dict[str, Planned], poster: Poster) -> None:
        self.deps = deps
        self.plan = plan
        self.poster = poster
        self._aps = BackgroundScheduler(timezone=deps.settings.tz, job_defaults={"max_instances": 1})

    def start(self, *, catch_up: bool = True) -> None:
        """Schedule every job; with `catch_up`, also run each job's newest missed firing once."""
        for name, planned in self.plan.items():
            self._aps.add_job(
                self.fire, planned.trigger, args=[name], id=name, name=name,
                misfire_grace_time=max(1, int(planned.grace.total_seconds())), coalesce=True, max_instances=1,
            )
        lease = self.deps.settings.job_lease_seconds
        # with catch-up, the first check at once (APS's own clock): a run killed with the previous
        # process may be dead already. (APS reads next_run_time=None as "paused", hence the dict.)
        first: dict[str, datetime] = {"next_run_time": datetime.now(self.deps.settings.tz)} if catch_up else {}
        self._aps.add_job(self.check_leases, "interval", seconds=lease, id=LEASE_CHECK, name=LEASE_CHECK,
                          coalesce=True, max_instances=1, misfire_grace_time=max(1, int(lease)), **first)
        self._aps.start()
        for name, slot in (self.missed() if catch_up else {}).items():
            log.info("job %s missed its %s firing while down; running it now", name, slot.isoformat())
            self._aps.add_job(self.run_slot, args=[name, slot, "catch-up"], id=f"catch-up:{name}")
        log.info("scheduler started with %d jobs", len(self.plan))

    def shutdown(self, wait: bool = True) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=wait)

    def missed(self) -> dict[str, datetime]:
        """Per job, the newest firing within its grace time that no replica ran: at most one each."""
        now = self.deps.now()
        out: dict[str, datetime] = {}
        for name, planned in self.plan.items():
            slot = latest_slot(planned.trigger, now, planned.grace)
            if slot is not None and not runlog.has_run(self.deps.engine, name, utc_naive(slot)):
                out[name] = slot
        return out

    def fire(self, name: str) -> RunResult | None:
        """APScheduler's callback: work out which slot this firing is for, then run it once."""
        planned = self.plan[name]
        slot = latest_slot(planned.trigger, self.deps.now(), planned.grace + timedelta(minutes=1))
        if slot is None:
            log.warning("job %s fired outside its grace time; skipped", name)
            return None
        return self.run_slot(name, slot, "schedule")

    def run_slot(self, name: str, slot: datetime, trigger: str) -> RunResult:
        return run_job(self.deps, self.plan[name], poster=self.poster, slot=slot, trigger=trigger)

    def check_leases(self) -> None:
        """Hand every dead run to `recover`, each in its own thread: a re-run may take a while."""
        now = utc_naive(self.deps.now())
        for run in runlog.stale(self.deps.engine, now_utc=now, lease=self.deps.settings.job_lease):
            log.info("job %s run %s has no heartbeat since %s UTC", run.job, run.id,
                     run.last_sign_of_life.isoformat())
            if self._aps.running:
                self._aps.add_job(self.recover, args=[run], id=f"recover:{run.id}:{run.attempt}",
                                  replace_existing=True)
            else:
                self.recover(run)

    def recover(self, run: runlog.Run) -> RunResult:
        return recover(self.deps, self.plan.get(run.job), run, poster=self.poster)
