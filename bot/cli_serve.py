"""`ecombot serve`: the bot on Slack (Socket Mode or HTTP), and the job scheduler (SPEC §8)."""

from __future__ import annotations

import logging
import signal
import threading

import click

from bot.cli_context import Context, pass_ctx

log = logging.getLogger(__name__)


@click.command()
@click.option("--port", default=3000, show_default=True, help="HTTP port (ignored in Socket Mode).")
@click.option("--host", default="0.0.0.0", show_default=True)
@pass_ctx
def serve(ctx: Context, port: int, host: str) -> None:
    """Run the bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on /slack/events."""
    from bot.app import create_app, settle_heap, web_client
    from bot.server import HttpServer, socket_mode_handler, wsgi_app
    from handlers.delivery import Poster
    from jobs import JOBS
    from jobs.kit.registry import ScheduleError, build_plan
    from jobs.kit.scheduler import JobScheduler
    from metrics.runtime import build_deps

    settings = ctx.settings
    if not settings.slack_bot_token:
        raise click.ClickException("SLACK_BOT_TOKEN is not set (for a local try without Slack: `ecombot demo`)")
    if not settings.slack_app_token and not settings.slack_signing_secret:
        raise click.ClickException("HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode)")
    try:
        plan = build_plan(settings, JOBS)  # a bad cron or time zone stops start-up here, before anything runs
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from None
    deps = build_deps(settings)
    app = create_app(deps)
    scheduler = JobScheduler(deps, plan=plan, poster=Poster(web_client(deps)))
    settle_heap()
    log.info("starting", extra={"settings": str(settings.redacted())})
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    http = HttpServer(wsgi_app(app, deps), host=host, port=port)
    if settings.slack_app_token:
        handler = socket_mode_handler(app, deps)
        handler.connect()
        http.start()  # /healthz stays available in Socket Mode
        log.info("socket mode connected; health on %s/healthz", http.url)
    else:
        http.start()
        log.info("listening on %s/slack/events", http.url)
    # every replica runs the scheduler; each firing is claimed in the database and runs once
    scheduler.start()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown(wait=False)
        http.stop()


COMMANDS: list[click.Command] = [serve]
