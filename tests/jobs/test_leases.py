"""Job runs are leased: a run killed mid-way is re-run once (nothing posted) or failed and told once.

The first tests kill a real scheduler process with SIGKILL while its job hangs, then start two
replicas as a restart would, and look at what reached the fake Slack and the run log.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine

from bot.sandbox import FakeSlack
from jobs.kit.registry import JobSpec, Planned, build_plan
from jobs.kit.runner import run_job
from jobs.kit.scheduler import JobScheduler
from metrics import job_runs as runlog
from metrics.channels import ChannelRegistry
from metrics.clock import utc_naive
from metrics.runtime import Deps
from tests.jobs import lease_replica
from tests.jobs.conftest import OPS, REPORTS, TZ, Bench
from tests.jobs.test_cli_jobs import invoke

ROOT = Path(__file__).resolve().parents[2]
RESTART_SECONDS = 6  # the lease (1.5 s) runs out and the lease check comes round, with room to spare


def _replica(url: str, fake: FakeSlack, slot: datetime, mode: str, seconds: float,
             marker: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "JOB_"))}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.jobs.lease_replica", url, fake.api_url, str(slot.timestamp()), mode,
         str(seconds), str(marker)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_when_hanging(proc: subprocess.Popen[str], marker: Path) -> None:
    deadline = time.monotonic() + 20
    while not marker.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            _, err = proc.communicate()
            pytest.fail(f"the job never started hanging:\n{err[-3000:]}")
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def _restart(url: str, fake: FakeSlack, slot: datetime, tmp_path: Path) -> None:
    """Two replicas come up after the crash; both see the dead run."""
    replicas = [_replica(url, fake, slot, "run", RESTART_SECONDS, tmp_path / f"unused-{i}") for i in range(2)]
    for proc in replicas:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err[-3000:]


def _slot() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def test_a_job_killed_before_posting_runs_once_after_the_restart(
    db_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path
) -> None:
    slot = _slot()
    marker = tmp_path / "hanging"
    _kill_when_hanging(_replica(db_url, fake, slot, "hang", 60, marker), marker)
    [dead] = runlog.recent(engine, "report")
    assert dead.status == "running"  # what the kill leaves behind

    _restart(db_url, fake, slot, tmp_path)
    assert [m["text"] for m in fake.messages(REPORTS)] == [f"report {slot.astimezone(TZ).isoformat()}"]
    assert fake.messages(OPS) == []
    [run] = runlog.recent(engine, "report")
    assert (run.id, run.status, run.attempt, run.posted) == (dead.id, "ok", 2, 1)


def test_a_job_killed_after_posting_is_failed_and_ops_are_told_once(
    db_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path
) -> None:
    slot = _slot()
    marker = tmp_path / "hanging"
    _kill_when_hanging(_replica(db_url, fake, slot, "post-then-hang", 60, marker), marker)
    _restart(db_url, fake, slot, tmp_path)

    assert len(fake.messages(REPORTS)) == 1  # the part that was posted before the kill, never a second copy
    [told] = fake.messages(OPS)  # once, though two replicas found the dead run
    [run] = runlog.recent(engine, "report")
    assert "`report` failed" in told["text"] and f"error id {run.error_id}" in told["text"]
    assert (run.status, run.attempt, run.posted) == ("failed", 1, 1)
    assert run.error is not None and run.error.startswith("died: no heartbeat since")
    assert "running it again could post twice" in run.error


# -- the same rules in one process, on a movable clock ---------------------------------------------

MON = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


def report_plan(bench: Bench) -> dict[str, Planned]:
    spec = JobSpec("report", "0 9 * * *", lease_replica.run, grace=timedelta(minutes=30))
    return build_plan(bench.settings, (spec,))


def dead_claim(bench: Bench, job: str = "report") -> runlog.Run:
    """A claim of the 09:00 firing whose process died at once (nothing beats for it)."""
    run_id = runlog.claim(bench.engine, job, scheduled_for=utc_naive(MON), trigger="schedule", now_utc=utc_naive(MON))
    assert run_id is not None
    [run] = runlog.recent(bench.engine, job)
    return run


def test_a_firing_that_finds_its_slot_held_by_a_dead_run_runs_it(bench: Bench) -> None:
    plan = report_plan(bench)
    dead_claim(bench)
    bench.clock.set(MON + timedelta(seconds=30))  # within the lease (60 s): the holder may be alive
    assert run_job(bench.deps, plan["report"], poster=bench.poster(), slot=MON, trigger="schedule").status == "taken"
    bench.clock.set(MON + timedelta(minutes=2))
    result = run_job(bench.deps, plan["report"], poster=bench.poster(), slot=MON, trigger="schedule")
    assert result.status == "ok"
    assert [m["text"] for m in bench.posts(REPORTS)] == [f"report {MON.isoformat()}"]
    # a second replica's firing of the same slot finds it done
    assert run_job(bench.deps, plan["report"], poster=bench.poster(), slot=MON, trigger="schedule").status == "taken"
    assert len(bench.posts(REPORTS)) == 1


def test_of_two_replicas_seeing_one_dead_run_only_one_acts(bench: Bench) -> None:
    run = dead_claim(bench)
    later = utc_naive(MON + timedelta(minutes=2))
    first = runlog.take_over(bench.engine, run, now_utc=later)
    assert first == runlog.Lease(run.id, 2)
    assert runlog.take_over(bench.engine, run, now_utc=later) is None
    assert not runlog.fail_dead(bench.engine, run, now_utc=later, error="died", error_id="x")
    # the dead owner, should it wake up, can no longer post, beat or finish
    assert not runlog.begin_post(bench.engine, runlog.Lease(run.id))
    assert not runlog.beat(bench.engine, runlog.Lease(run.id), now_utc=later)
    assert not runlog.finish(bench.engine, runlog.Lease(run.id), status="ok", now_utc=later)
    assert runlog.beat(bench.engine, first, now_utc=later)


def test_a_dead_run_past_its_grace_is_failed_and_told_once(bench: Bench) -> None:
    plan = report_plan(bench)
    dead_claim(bench)
    bench.clock.set(MON + timedelta(minutes=31))
    scheduler = JobScheduler(bench.deps, plan=plan, poster=bench.poster())
    scheduler.check_leases()
    scheduler.check_leases()  # the next round finds nothing left to do
    assert bench.posts(REPORTS) == []
    [run] = runlog.recent(bench.engine, "report")
    assert run.status == "failed" and run.error is not None and "grace of 30 min has passed" in run.error
    [told] = bench.posts(OPS)
    assert f"error id {run.error_id}" in told["text"] and "died mid-run after 0 post(s)" in told["text"]


def test_a_live_run_keeps_its_lease_by_beating(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real clock and a 1.5 s lease: a 3 s job is never taken for dead."""
    monkeypatch.setattr(lease_replica, "MODE", "slow")
    bench.overrides = {"job_lease_seconds": 1.5}
    plan = report_plan(bench)
    deps = Deps(bench.settings, bench.engine, ChannelRegistry())
    slot = datetime.now(TZ).replace(microsecond=0)
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(run_job, deps, plan["report"], poster=bench.poster(), slot=slot, trigger="schedule")
        while not runlog.recent(bench.engine, "report"):
            time.sleep(0.05)
        looks: list[int] = []
        while not running.done():
            looks.append(len(runlog.stale(bench.engine, now_utc=utc_naive(datetime.now(UTC)),
                                          lease=deps.settings.job_lease)))
            time.sleep(0.2)
        assert running.result().status == "ok"
    assert len(looks) > 5 and set(looks) == {0}
    [run] = runlog.recent(bench.engine, "report")
    assert run.heartbeat_at is not None and run.heartbeat_at > run.started_at


def test_jobs_list_shows_a_dead_run(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    run = dead_claim(bench, "daily-report")
    with time_machine.travel(MON + timedelta(minutes=10)):
        out = invoke(bench, "jobs", "list", JOB_SCHEDULES="").output
    line = f"#{run.id:<6} 2026-11-23 09:00  schedule died (no heartbeat since 2026-11-23 09:00:00; 0 post(s) begun)"
    assert line in out
