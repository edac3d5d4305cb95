"""`ecombot demo`: the whole bot on one machine — demo data, the real bot and a Slack-like page.

    ecombot demo                       # http://127.0.0.1:8080/ opens in the browser; Ctrl-C stops
    ecombot demo --port 0 --no-browser # any free port (printed), e.g. for tests

The bot runs unchanged: it gets SLACK_API_URL pointing at the sandbox, takes signed requests on its
own /slack/events (HTTP transport on a free port) and posts back through the Web API; channel ids
and approvers come from the sandbox team, so an empty `.env` is enough.
"""

from __future__ import annotations

import logging
import math
import signal
import tempfile
import threading
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any

import click

from bot.cli_context import Context, pass_ctx

log = logging.getLogger(__name__)

# what fills the channels before anyone types: SPEC §8 names, each run once if the jobs feature has it
# the alert jobs first: the daily report counts the open alerts the channels then show
DEMO_JOBS = ("stock-alerts", "roi-guard", "sentiment-scan", "daily-report")


@click.command()
@click.option("--port", default=8080, show_default=True, type=int,
              help="Port of the sandbox page (0: any free one); with SLACK_BOT_TOKEN, the bot's HTTP port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface of the sandbox page.")
@click.option("--no-browser", is_flag=True, help="Print the URL only; do not open a browser.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pretend today is this date (demo data ends the day before).")
@click.option("--sandbox", "force_sandbox", is_flag=True,
              help="Use the local sandbox even when SLACK_BOT_TOKEN is set.")
@pass_ctx
def demo(ctx: Context, port: int, host: str, no_browser: bool, today: datetime | None, force_sandbox: bool) -> None:
    """Demo data, the real bot and a local Slack-like sandbox page; Ctrl-C stops everything.

    With real Slack credentials in the environment or .env, the demo data goes into
    DATABASE_URL (if empty) and the bot runs against Slack, as `ecombot serve` does.
    """
    from bot.sandbox.web import Sandbox

    if ctx.settings.slack_bot_token and not force_sandbox:
        from bot.cli_serve import serve

        click.echo("SLACK_BOT_TOKEN is set: the demo runs against your Slack workspace (--sandbox for the local page).")
        _seed(_deps(ctx, today.date() if today else None))
        # --port/--host then name the bot's HTTP endpoint (Slack posts there unless Socket Mode)
        click.get_current_context().invoke(serve, port=port, host=host)
        return

    stop = threading.Event()
    with ExitStack() as stack:
        try:
            sandbox = Sandbox(host=host, port=port, hints=_hints())
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port} ({exc.strerror}); try --port 0") from None
        stack.enter_context(sandbox)
        fresh: dict[str, str] = {}
        if "database_url" not in ctx.settings.model_fields_set:
            # no DATABASE_URL given: a fresh demo database per run, so every run starts with full
            # channels (jobs never re-post what an earlier run's database says was posted)
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="ecombot-demo-"))
            fresh["database_url"] = f"sqlite:///{Path(tmp) / 'demo.db'}"
        demo_ctx = Context({**ctx.overrides, **fresh, **sandbox.bot_settings()})
        deps = _deps(demo_ctx, today.date() if today else None)
        stack.callback(deps.engine.dispose)
        _seed(deps)
        set_budget(deps)
        bot_url = _start_bot(stack, deps)
        sandbox.connect(bot_url + "/slack/events")
        click.echo(f"Bot on {bot_url}/slack/events (HTTP, signed like Slack); Web API at {sandbox.api_url}")
        _run_jobs(demo_ctx)
        _keep_jobs_running(stack, deps, sandbox)
        click.echo(f"\nSandbox ready: {sandbox.url}")
        click.echo("Switch person at the top left; try /roi douyin, /budget, /ecombot help. Ctrl-C stops.")
        if not no_browser:
            _open_browser(sandbox.url)
        with _stop_on_signals(stop):  # Ctrl-C before this point: KeyboardInterrupt, the stack cleans up
            while not stop.wait(0.5):
                pass
        click.echo("Stopping…")
    click.echo("Stopped.")


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT (Ctrl-C) and SIGTERM set `stop`; the previous handlers come back afterwards."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[signal.Signals, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, handler)
        except ValueError:  # not the main thread (e.g. invoked from a test runner thread)
            pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _hints() -> list[tuple[str, str, str]]:
    """The bot's own help table, for the composer's command hints."""
    from handlers.commands import ALL
    from handlers.views.texts import t

    return [(t(row.usage), row.example, t(row.key)) for spec in ALL for row in spec.help]


def _deps(ctx: Context, today: date | None) -> Any:
    from metrics.runtime import build_deps

    clock: Callable[[], datetime] | None = None
    if today is not None:
        now = datetime.now(ctx.settings.tz)
        offset = datetime.combine(today, now.timetz()) - now
        clock = lambda: datetime.now(UTC) + offset  # noqa: E731 - time still flows, from `today`
    return build_deps(ctx.settings, engine=ctx.engine, clock=clock)


def _seed(deps: Any) -> None:
    from metrics.demo_data import is_empty, seed_demo

    click.echo(f"Database {deps.engine.url.render_as_string()}")
    if not is_empty(deps.engine):
        click.echo("  holds data already: kept as it is")
        return
    click.echo("  seeding the demo shop (180 days, six channels)…")
    counts = seed_demo(deps.engine, today=deps.today(), tz=deps.settings.tz, progress=False)
    click.echo("  " + ", ".join(f"{name} {n:,}" for name, n in counts.items()))


def _invoke(command: click.Command, args: list[str], ctx: Context) -> bool:
    """Run a CLI command in-process with the sandbox settings; False (and a line) if it failed."""
    try:
        command.main(args=args, prog_name=command.name, standalone_mode=False, obj=ctx)
        return True
    except click.ClickException as exc:
        click.echo(f"  {command.name} {' '.join(args)}: {exc.format_message()}")
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - one feature failing must not stop the demo
        log.warning("demo step failed", exc_info=exc, extra={"step": f"{command.name} {' '.join(args)}"})
        click.echo(f"  {command.name} {' '.join(args)} failed: {exc}")
    return False


def budget_total(month_spend: Decimal) -> int:
    """A month budget that fits the shop: last 30 days' ad spend plus a quarter, in whole ¥100,000."""
    return max(100_000, math.ceil(month_spend * Decimal("1.25") / 100_000) * 100_000)


def set_budget(deps: Any, say: Callable[[str], None] = click.echo) -> None:
    """This month's budget, sized on the shop's ad spend and allocated like it (kept if already set)."""
    from metrics import budget, sales
    from metrics.windows import parse_window

    today, now, settings = deps.today(), deps.now(), deps.settings
    month = f"{today:%Y-%m}"
    window = parse_window("30d", today=today)
    with deps.engine.connect() as conn:
        if budget.get_period(conn, month) is not None:
            say(f"Budget: {month} already set (kept)")
            return
        by_channel = sales.roi_by_channel(conn, window=window, channels=list(deps.registry.slugs))
    spend = {r.channel: r.spend for r in by_channel if r.channel and r.spend > 0}
    total = budget_total(sum(spend.values(), Decimal(0)))
    try:
        period = budget.set_period(deps.engine, month, Decimal(total), share=settings.contingency_share,
                                   actor="ecombot demo", now=now)
        for channel, amount in allocations(period.total - period.pool, spend).items():
            budget.allocate(deps.engine, month, channel, amount, known=list(deps.registry.slugs),
                            actor="ecombot demo", now=now)
    except budget.BudgetError as exc:
        say(f"Budget: not set ({exc})")
        return
    say(f"Budget: {month} ¥{total:,}, contingency pool ¥{period.pool:,}")


def allocations(available: Decimal, spend: dict[str, Decimal]) -> dict[str, Decimal]:
    """`available` split like the spend, each share rounded down to ¥1,000 (so the sum never exceeds it)."""
    whole = sum(spend.values(), Decimal(0))
    if whole <= 0:
        return {}
    return {ch: (available * s / whole // 1000) * 1000 for ch, s in spend.items()}


def _start_bot(stack: ExitStack, deps: Any) -> str:
    from bot.app import create_app
    from bot.server import HttpServer, wsgi_app

    app = create_app(deps)
    server = HttpServer(wsgi_app(app, deps), host="127.0.0.1", port=0, threads=8).start()
    stack.callback(server.stop)
    # stopped first: lazy listeners still running finish while the server and the sandbox are up
    stack.callback(drain, app)
    return server.url


def drain(app: Any) -> None:
    """Let Bolt's running work finish (acks first: they start the lazy listeners), take no more."""
    runner = app.listener_runner
    runner.listener_executor.shutdown(wait=True, cancel_futures=True)
    lazy = getattr(runner.lazy_listener_runner, "executor", None)
    if lazy is not None:
        lazy.shutdown(wait=True, cancel_futures=True)


def _run_jobs(ctx: Context) -> None:
    from bot.cli_jobs import run_now

    for name in DEMO_JOBS:
        click.echo(f"Running job {name}…")
        _invoke(run_now, [name], ctx)


def _keep_jobs_running(stack: ExitStack, deps: Any, sandbox: Any) -> None:
    """The scheduler, as `serve` runs it (re-escalations and reminders come on time), and the page's
    "run now" list for everything else. No catch-up: the demo has just run what it wanted shown."""
    from bot.app import web_client
    from handlers.delivery import Poster
    from jobs import JOBS
    from jobs.kit.registry import ScheduleError, build_plan
    from jobs.kit.runner import run_job
    from jobs.kit.scheduler import JobScheduler

    try:
        plan = build_plan(deps.settings, JOBS)
    except ScheduleError as exc:
        click.echo(f"Scheduler not started: {exc}")
        return
    poster = Poster(web_client(deps))

    def run(name: str) -> str:
        result = run_job(deps, plan[name], poster=poster, trigger="manual")
        return f"{result.status} — {result.detail}" if result.detail else result.status

    sandbox.offer_jobs([{"name": name, "summary": p.spec.summary, "cron": p.cron} for name, p in plan.items()], run)
    scheduler = JobScheduler(deps, plan=plan, poster=poster)
    scheduler.start(catch_up=False)
    stack.callback(scheduler.shutdown, wait=False)
    click.echo(f"Scheduler running {len(plan)} jobs ({deps.settings.bot_timezone}); the page can run any of them now.")


def _open_browser(url: str) -> None:
    try:
        opened = webbrowser.open(url, new=2)
    except webbrowser.Error:
        opened = False
    if not opened:
        click.echo("(no browser found here: open the URL above yourself)")


__all__ = ["DEMO_JOBS", "allocations", "budget_total", "demo"]

COMMANDS: list[click.Command] = [demo]
