"""The scheduled jobs (SPEC §8), one module each; `JOBS` is the list the scheduler plans.

A new job is one module with `run(ctx: JobContext) -> Outcome` and one `JobSpec` line below.
The machinery they stand on is in `jobs/kit/`.
"""

from __future__ import annotations

from datetime import timedelta

from jobs import (
    budget_expiry,
    campaign_monitor,
    daily_report,
    escalation_timers,
    interrupted_commands,
    monthly_report,
    roi_guard,
    sentiment_scan,
    stock_alerts,
    weekly_report,
)
from jobs.kit.registry import JobSpec

JOBS: tuple[JobSpec, ...] = (
    JobSpec("daily-report", "0 9 * * *", daily_report.run, summary="yesterday's figures → reports channel"),
    JobSpec("weekly-report", "30 9 * * 1", weekly_report.run, summary="last week, ROI ranking → reports channel"),
    JobSpec("monthly-report", "0 10 1 * *", monthly_report.run, summary="last month → reports channel"),
    JobSpec("stock-alerts", "30 8,14 * * *", stock_alerts.run, summary="low/over stock → supply-chain channel"),
    JobSpec("roi-guard", "0 * * * *", roi_guard.run, grace=timedelta(minutes=30),
            summary="ROI floor, pause mark → ops channel"),
    JobSpec("campaign-monitor", "0 */2 * * *", campaign_monitor.run, grace=timedelta(minutes=30),
            summary="campaign-window anomalies → ops channel"),
    JobSpec("sentiment-scan", "*/10 * * * *", sentiment_scan.run, grace=timedelta(minutes=10),
            summary="negative-review incidents by level → crisis / ops / cs channels"),
    JobSpec("escalation-timers", "*/5 * * * *", escalation_timers.run, grace=timedelta(minutes=10),
            summary="re-escalation after 1 h, 24 h solution and 72 h root-cause reminders"),
    JobSpec("budget-expiry", "*/10 * * * *", budget_expiry.run, grace=timedelta(minutes=30),
            summary="expire budget requests after their TTL"),
    JobSpec("interrupted-commands", "*/2 * * * *", interrupted_commands.run, grace=timedelta(minutes=5),
            summary="tell the asker of a slash command whose answer died with its process"),
)
