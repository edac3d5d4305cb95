"""`ecombot jobs list|run NAME|pause NAME|resume NAME`: the scheduled jobs from the command line."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from bot.cli_context import Context, pass_ctx

if TYPE_CHECKING:
    from jobs.kit.registry import Planned
    from metrics.job_runs import Run


def _plan(ctx: Context) -> dict[str, Planned]:
    from jobs import JOBS
    from jobs.kit.registry import ScheduleError, build_plan

    try:
        return build_plan(ctx.settings, JOBS)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from None


def _known(ctx: Context, name: str) -> None:
    plan = _plan(ctx)
    if name not in plan:
        raise click.ClickException(f"unknown job {name!r}; known jobs: {', '.join(plan)}")


def _local(ctx: Context, moment: datetime | None, *, seconds: bool = False) -> str:
    if moment is None:
        return "-"
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ctx.settings.tz).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


@click.group()
def jobs() -> None:
    """Scheduled jobs: schedules, run log, run now, pause and resume."""


@jobs.command("list")
@click.option("--runs", default=3, show_default=True, help="Recent runs shown per job.")
@pass_ctx
def list_jobs(ctx: Context, runs: int) -> None:
    """Every job with its schedule, next run time (BOT_TIMEZONE) and recent runs."""
    from jobs.kit.scheduler import next_runs
    from metrics import job_runs as runlog
    from metrics.clock import utc_naive
    from metrics.runtime import build_deps

    plan = _plan(ctx)
    deps = build_deps(ctx.settings, engine=ctx.engine)
    paused = runlog.paused_jobs(deps.engine)
    upcoming = next_runs(plan, deps.now())
    now = utc_naive(deps.now())
    click.echo(f"time zone {ctx.settings.bot_timezone}; now {_local(ctx, deps.now())}")
    for name, planned in plan.items():
        state = "PAUSED" if name in paused else "active"
        source = "JOB_SCHEDULES" if planned.overridden else "default"
        click.echo(f"\n{name:<17} {planned.cron:<16} ({source})  next {_local(ctx, upcoming[name])}  {state}")
        click.echo(f"  {planned.spec.summary}; grace {int(planned.grace.total_seconds() // 60)} min"
                   f"{'; posts when empty' if planned.send_empty else ''}")
        for run in runlog.recent(deps.engine, name, limit=runs):
            click.echo(f"  #{run.id:<6} {_local(ctx, run.started_at)}  {run.trigger:<8} {_outcome(ctx, run, now)}")


def _outcome(ctx: Context, run: Run, now_utc: datetime) -> str:
    """`ok       1 message(s) posted`, `died (no heartbeat since …)`, `failed   [error id …] …`."""
    from metrics import job_runs as runlog

    if run.status == runlog.RUNNING:
        beat = _local(ctx, run.last_sign_of_life, seconds=True)
        if runlog.is_dead(run, now_utc=now_utc, lease=ctx.settings.job_lease):
            # a replica's lease check re-runs or fails it; until then it looks like this
            return f"died (no heartbeat since {beat}; {_posted(run)})"
        return f"running  (heartbeat {beat}; {_posted(run)})"
    what = run.detail
    if run.status == runlog.FAILED:
        what = f"[error id {run.error_id}] {run.error}" if run.error_id else run.error
    again = f" (attempt {run.attempt}: re-run after a dead run)" if run.attempt > 1 else ""
    return f"{run.status:<8} {what or ''}{again}".rstrip()


def _posted(run: Run) -> str:
    return "posts unknown" if run.posted is None else f"{run.posted} post(s) begun"


@jobs.command("run")
@click.argument("name")
@pass_ctx
def run_now(ctx: Context, name: str) -> None:
    """Run one job now: the same code and the same Slack output as its scheduled runs."""
    from bot.app import web_client
    from handlers.delivery import Poster
    from jobs.kit.runner import run_job
    from metrics.runtime import build_deps

    plan = _plan(ctx)
    if name not in plan:
        raise click.ClickException(f"unknown job {name!r}; known jobs: {', '.join(plan)}")
    if not ctx.settings.slack_bot_token:
        raise click.ClickException("SLACK_BOT_TOKEN is not set: a job posts to Slack")
    deps = build_deps(ctx.settings, engine=ctx.engine)
    result = run_job(deps, plan[name], poster=Poster(web_client(deps)))
    click.echo(f"{name} run {result.run_id}: {result.status} — {result.detail}")
    if result.status == "failed":
        raise SystemExit(1)


def _set_paused(ctx: Context, name: str, paused: bool) -> None:
    from metrics import job_runs as runlog
    from metrics.clock import utc_naive

    _known(ctx, name)
    runlog.set_paused(ctx.engine, name, paused, by=getpass.getuser(), now_utc=utc_naive(datetime.now(UTC)))
    click.echo(f"{name} {'paused: scheduled runs are skipped' if paused else 'resumed'} (every replica)")


@jobs.command("pause")
@click.argument("name")
@pass_ctx
def pause(ctx: Context, name: str) -> None:
    """Skip a job's scheduled runs until resumed (its schedule is kept)."""
    _set_paused(ctx, name, True)


@jobs.command("resume")
@click.argument("name")
@pass_ctx
def resume(ctx: Context, name: str) -> None:
    """Run a paused job on its schedule again."""
    _set_paused(ctx, name, False)


COMMANDS: list[click.Command] = [jobs]
