"""The run path: run log, failures (never half a report, ops told once per streak), retries, pause, retention."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert

from handlers.delivery import Pacer
from handlers.views import charts
from metrics import job_runs as runlog
from metrics.clock import utc_naive
from metrics.schema_jobs import job_runs
from tests.jobs.conftest import OPS, REPORTS, SUPPLY, TZ, Bench
from tests.jobs.stock_shop import load
from tests.metrics.fixtures import load_shop, make_shop


def broken_chart(*_: object, **__: object) -> bytes:
    raise RuntimeError("renderer exploded")


def test_a_job_failing_mid_way_posts_nothing_and_ops_hears_once_per_streak(
    sqlite_bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = sqlite_bench
    load_shop(bench.engine, make_shop())
    monkeypatch.setattr(charts, "grouped_bars", broken_chart)
    first = bench.run("daily-report")
    second = bench.run("daily-report")
    assert first.status == second.status == "failed" and "renderer exploded" in first.detail
    assert bench.fake.messages(REPORTS) == []  # the figures were ready, but half a report is not sent
    [told] = bench.fake.messages(OPS)
    assert "daily-report" in told["text"] and f"run {first.run_id}" in told["text"]
    runs = runlog.recent(bench.engine, "daily-report")
    assert [r.status for r in runs] == ["failed", "failed"] and runs[0].finished_at is not None
    assert runs[0].error == "RuntimeError: renderer exploded"
    monkeypatch.undo()
    assert bench.run("daily-report").status == "ok"  # the next run still happens
    monkeypatch.setattr(charts, "grouped_bars", broken_chart)
    bench.run("daily-report")
    assert len(bench.fake.messages(OPS)) == 2  # a new streak is told again


def test_a_slack_refusal_fails_the_run_without_a_partial_post(bench: Bench) -> None:
    load(bench.engine)
    bench.imported("inventory", "orders")
    bench.fake.fail_next("chat.postMessage", error="not_in_channel")
    result = bench.run("stock-alerts")
    assert result.status == "failed" and f"to {SUPPLY} failed: not_in_channel" in result.detail
    assert bench.posts(SUPPLY) == []
    assert len(bench.fake.messages(OPS)) == 1
    # nothing was recorded as posted, so the next run posts the alerts
    assert bench.run("stock-alerts").status == "ok" and len(bench.posts(SUPPLY)) == 1


def test_rate_limits_and_server_errors_are_retried(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    load(bench.engine)
    bench.imported("inventory", "orders")
    bench.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    bench.fake.fail_next("chat.postMessage", status=503)
    assert bench.run("stock-alerts").status == "ok"
    assert len(bench.posts(SUPPLY)) == 1
    assert len(bench.fake.calls("chat.postMessage")) == 3


def test_paused_job_skips_its_scheduled_runs_but_not_a_manual_one(bench: Bench) -> None:
    bench.overrides = {"supply_channel": None}  # fails fast if it ever runs; the pause is the subject
    slot = datetime(2026, 11, 21, 8, 30, tzinfo=TZ)
    runlog.set_paused(bench.engine, "stock-alerts", True, by="ops", now_utc=utc_naive(slot))
    assert bench.run("stock-alerts", slot=slot, trigger="schedule").status == "skipped"
    assert bench.run("stock-alerts").status == "failed"
    runlog.set_paused(bench.engine, "stock-alerts", False, by="ops", now_utc=utc_naive(slot))
    assert bench.run("stock-alerts", slot=slot + timedelta(hours=6), trigger="schedule").status == "failed"
    assert runlog.paused_jobs(bench.engine) == set()


def test_run_log_keeps_90_days(bench: Bench) -> None:
    bench.overrides = {"reports_channel": REPORTS}
    now = utc_naive(bench.clock.now)
    with bench.engine.begin() as conn:
        for age in (91, 89):
            conn.execute(insert(job_runs).values(job="daily-report", scheduled_for=now - timedelta(days=age),
                                                 trigger="schedule", host="h", status="ok",
                                                 started_at=now - timedelta(days=age)))
    bench.run("roi-guard")
    ages = sorted((now - r.started_at).days for r in runlog.recent(bench.engine, limit=10))
    assert ages == [0, 89]


def test_posts_to_one_channel_are_paced() -> None:
    moments: list[float] = []
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    pacer = Pacer(1.0, clock=lambda: clock[0], sleep=sleep)
    for channel in ("C1", "C1", "C2", "C1"):
        pacer.wait(channel)
        moments.append(clock[0])
    assert moments == [0.0, 1.0, 1.0, 2.0]
