"""`ecombot jobs list|run|pause|resume` end to end: config from the environment, Slack at the fake."""

from __future__ import annotations

from datetime import datetime

import time_machine
from click.testing import CliRunner, Result

from bot.cli import main
from metrics import job_runs as runlog
from tests.jobs.conftest import OPS, SUPPLY, TZ, Bench
from tests.jobs.stock_shop import load


def invoke(bench: Bench, *args: str, **env: str) -> Result:
    environ = {"DATABASE_URL": bench.engine.url.render_as_string(hide_password=False), "SLACK_BOT_TOKEN": "xoxb-test",
               "SLACK_API_URL": bench.fake.api_url, "SUPPLY_CHANNEL": SUPPLY, "OPS_CHANNEL": OPS,
               "BOT_TIMEZONE": "Asia/Shanghai", "JOB_SCHEDULES": "", **env}
    return CliRunner().invoke(main, list(args), env=environ)


def test_jobs_run_stock_alerts_twice_posts_once(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    load(bench.engine)
    bench.imported("inventory", "orders")
    with time_machine.travel(datetime(2026, 11, 21, 9, 0, tzinfo=TZ)):
        first = invoke(bench, "jobs", "run", "stock-alerts")
        second = invoke(bench, "jobs", "run", "stock-alerts")
    assert first.exit_code == 0, first.output
    assert "stock-alerts run 1: ok" in first.output and "stock-alerts run 2: empty" in second.output
    assert len(bench.posts(SUPPLY)) == 1


def test_jobs_list_shows_schedules_next_runs_state_and_recent_runs(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    with time_machine.travel(datetime(2026, 11, 23, 9, 10, tzinfo=TZ)):  # a Monday
        assert invoke(bench, "jobs", "pause", "roi-guard").exit_code == 0
        invoke(bench, "jobs", "run", "stock-alerts")  # nothing imported yet: the stale-data guard holds
        out = invoke(bench, "jobs", "list", JOB_SCHEDULES="daily-report=0 8 * * *").output
    assert "time zone Asia/Shanghai; now 2026-11-23 09:10" in out
    assert "daily-report      0 8 * * *        (JOB_SCHEDULES)  next 2026-11-24 08:00  active" in out
    assert "weekly-report     30 9 * * 1       (default)  next 2026-11-23 09:30  active" in out
    assert "roi-guard         0 * * * *        (default)  next 2026-11-23 10:00  PAUSED" in out
    assert "manual   ok       suppressed: stale inventory, orders" in out
    assert invoke(bench, "jobs", "resume", "roi-guard").exit_code == 0
    assert runlog.paused_jobs(bench.engine) == set()


def test_bad_schedule_unknown_job_and_bad_timezone_are_refused_clearly(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    bad_cron = invoke(bench, "jobs", "list", JOB_SCHEDULES="stock-alerts=30 25 * * *")
    assert bad_cron.exit_code == 1
    assert "stock-alerts='30 25 * * *' is not a valid cron expression" in bad_cron.output
    assert "unknown job 'nope'" in invoke(bench, "jobs", "run", "nope").output
    bad_tz = invoke(bench, "jobs", "list", BOT_TIMEZONE="Mars/Base")
    assert bad_tz.exit_code == 1 and "BOT_TIMEZONE: 'Mars/Base' is not an IANA time zone" in bad_tz.output
