"""Schedules as data (trigger.get_next_fire_time, no waiting), misfire catch-up and coalescing, bad config."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
import time_machine

from bot.config import ConfigError, load_settings
from jobs import JOBS
from jobs.kit.registry import ScheduleError, build_plan, crontab_dow
from jobs.kit.scheduler import JobScheduler, latest_slot
from metrics import job_runs as runlog
from metrics.channels import ChannelRegistry
from metrics.clock import utc_naive
from metrics.runtime import Deps
from tests.jobs.conftest import TZ, Bench

MON = datetime(2026, 11, 23, tzinfo=TZ)  # a Monday


def plan(**overrides: str) -> dict[str, object]:
    return dict(build_plan(load_settings(_env_file=None, **overrides), JOBS))


def next_fire(name: str, after: datetime, **overrides: str) -> datetime:
    p = build_plan(load_settings(_env_file=None, **overrides), JOBS)[name]
    fire: datetime | None = p.trigger.get_next_fire_time(None, after)
    assert fire is not None
    return fire


@pytest.mark.parametrize(("name", "after", "expected"), [
    ("daily-report", MON.replace(hour=9, minute=1), MON.replace(day=24, hour=9)),
    ("weekly-report", MON.replace(hour=9, minute=31), MON.replace(day=30, hour=9, minute=30)),
    ("weekly-report", MON.replace(day=25), MON.replace(day=30, hour=9, minute=30)),
    ("monthly-report", MON, datetime(2026, 12, 1, 10, tzinfo=TZ)),
    ("stock-alerts", MON.replace(hour=9), MON.replace(hour=14, minute=30)),
    ("stock-alerts", MON.replace(hour=15), MON.replace(day=24, hour=8, minute=30)),
    ("roi-guard", MON.replace(hour=9, minute=5), MON.replace(hour=10)),
    ("campaign-monitor", MON.replace(hour=9, minute=5), MON.replace(hour=10)),
])
def test_default_schedules_in_bot_timezone(name: str, after: datetime, expected: datetime) -> None:
    fire = next_fire(name, after)
    assert fire == expected and fire.utcoffset() == timedelta(hours=8)


def test_crontab_weekdays_count_from_sunday() -> None:
    # APScheduler 3.x counts from Monday = 0; a crontab line means Sunday = 0 (and 7)
    assert next_fire("weekly-report", MON, job_schedules="weekly-report=0 9 * * 0").strftime("%a") == "Sun"
    assert next_fire("weekly-report", MON, job_schedules="weekly-report=0 9 * * 7").strftime("%a") == "Sun"
    assert crontab_dow("1-5") == "mon,tue,wed,thu,fri"
    assert crontab_dow("*/2") == "sun,tue,thu,sat"
    assert crontab_dow("mon-fri") == "mon-fri"


def test_configured_schedule_and_time_zone_win() -> None:
    fire = next_fire("daily-report", MON, job_schedules="daily-report=15 7 * * *", bot_timezone="Europe/London")
    assert (fire.hour, fire.minute, str(fire.tzinfo)) == (7, 15, "Europe/London")


def test_bad_cron_unknown_job_and_bad_timezone_stop_start_up_with_a_clear_message() -> None:
    with pytest.raises(ScheduleError, match=r"stock-alerts='61 8 \* \* \*' is not a valid cron"):
        plan(job_schedules="stock-alerts=61 8 * * *")
    with pytest.raises(ScheduleError, match="unknown job.*dayly-report"):
        plan(job_schedules="dayly-report=0 9 * * *")
    with pytest.raises(ConfigError, match="BOT_TIMEZONE: 'Mars/Base' is not an IANA time zone"):
        load_settings(_env_file=None, bot_timezone="Mars/Base")
    with pytest.raises(ConfigError, match="JOB_GRACE_MINUTES: daily-report='soon' is not a number of minutes"):
        load_settings(_env_file=None, job_grace_minutes="daily-report=soon")
    with pytest.raises(ScheduleError, match="JOB_GRACE_MINUTES: unknown job 'dayly-report'"):
        build_plan(load_settings(_env_file=None, job_grace_minutes="dayly-report=5"), JOBS)


def test_grace_and_send_empty_are_configurable() -> None:
    settings = load_settings(_env_file=None, job_grace_minutes="daily-report=90", job_send_empty="weekly-report")
    p = build_plan(settings, JOBS)
    assert p["daily-report"].grace == timedelta(minutes=90) and p["weekly-report"].send_empty
    assert p["roi-guard"].grace == timedelta(minutes=30) and not p["daily-report"].send_empty
    assert {s.name for s in JOBS} == set(p)


def test_latest_slot_is_the_newest_firing_within_the_lookback() -> None:
    trigger = build_plan(load_settings(_env_file=None), JOBS)["roi-guard"].trigger
    now = MON.replace(hour=8, minute=20)
    assert latest_slot(trigger, now, timedelta(minutes=30)) == MON.replace(hour=8)
    assert latest_slot(trigger, now, timedelta(minutes=10)) is None
    assert latest_slot(trigger, MON.replace(hour=8), timedelta(minutes=1)) == MON.replace(hour=8)


def test_missed_firings_coalesce_into_one_catch_up_within_grace(bench: Bench) -> None:
    # down from 06:10 to 08:20: roi-guard missed 07:00 and 08:00 (grace 30 min) → one run, for 08:00
    bench.clock.set(MON.replace(hour=8, minute=20))
    scheduler = JobScheduler(bench.deps, plan=bench.plan(), poster=bench.poster())
    missed = scheduler.missed()
    assert missed["roi-guard"] == MON.replace(hour=8)
    assert "daily-report" not in missed  # 09:00 yesterday is far outside its hour of grace
    bench.clock.set(MON.replace(hour=9, minute=40))
    assert JobScheduler(bench.deps, plan=bench.plan(), poster=bench.poster()).missed()["daily-report"] == \
        MON.replace(hour=9)
    bench.clock.set(MON.replace(hour=10, minute=1))
    assert "daily-report" not in JobScheduler(bench.deps, plan=bench.plan(), poster=bench.poster()).missed()


def test_catch_up_and_the_regular_firing_of_one_slot_run_once(bench: Bench) -> None:
    bench.overrides = {"ops_channel": None}  # roi-guard fails fast without a channel; the claim is the subject
    bench.clock.set(MON.replace(hour=8, minute=20))
    scheduler = JobScheduler(bench.deps, plan=bench.plan(), poster=bench.poster())
    slot = scheduler.missed()["roi-guard"]
    first = scheduler.run_slot("roi-guard", slot, "catch-up")
    again = scheduler.fire("roi-guard")  # a second replica, or APScheduler's own late firing
    assert first.run_id is not None and again is not None and again.status == "taken"
    assert "roi-guard" not in scheduler.missed()
    assert runlog.has_run(bench.engine, "roi-guard", utc_naive(slot))


def test_the_real_scheduler_fires_on_time(sqlite_bench: Bench) -> None:
    # APScheduler itself, with its clock travelled to a second before 09:00: the firing lands on the slot
    sqlite_bench.overrides = {"reports_channel": None}
    with time_machine.travel(MON.replace(hour=8, minute=59, second=59), tick=True):
        plan = {"daily-report": sqlite_bench.plan()["daily-report"]}
        deps = Deps(sqlite_bench.settings, sqlite_bench.engine, ChannelRegistry())  # the real clock, travelled
        scheduler = JobScheduler(deps, plan=plan, poster=sqlite_bench.poster())
        scheduler.start()
        try:
            deadline = datetime.now(TZ) + timedelta(seconds=5)
            while not runlog.recent(sqlite_bench.engine, "daily-report") and datetime.now(TZ) < deadline:
                time.sleep(0.05)
        finally:
            scheduler.shutdown()
    [run] = runlog.recent(sqlite_bench.engine, "daily-report")
    assert run.scheduled_for == utc_naive(MON.replace(hour=9)) and run.trigger == "schedule"
