"""`ecombot` command line: the composition root that hands settings to every part."""

from __future__ import annotations

import sys

import click

from bot import (
    cli_analysis,
    cli_budget,
    cli_data,
    cli_demo,
    cli_examples,
    cli_jobs,
    cli_seed,
    cli_sentiment,
    cli_serve,
)
from bot.cli_context import Context, pass_ctx
from bot.logs import setup_logging


@click.group()
@click.option("--database-url", default=None, help="Overrides DATABASE_URL.")
@click.option("--log-level", default=None, help="DEBUG, INFO, WARNING…")
@click.pass_context
def main(click_ctx: click.Context, database_url: str | None, log_level: str | None) -> None:
    """ecombot — e-commerce operations in Slack."""
    setup_logging(log_level or "INFO")  # until the settings are read, which may set LOG_LEVEL
    overrides = {"database_url": database_url} if database_url else {}
    click_ctx.obj = Context(overrides, log_level)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Create or migrate the schema to the newest revision."""
    from metrics.db import connect, current_revision

    engine = connect(ctx.settings.database_url, migrate=False)
    from metrics.db import upgrade

    upgrade(engine)
    with engine.connect() as conn:
        click.echo(f"schema at revision {current_revision(conn)}")


# Each feature keeps its commands in its own module; the root only lists them.
for _module in (cli_data, cli_seed, cli_serve, cli_demo, cli_jobs, cli_budget, cli_analysis, cli_sentiment,
                cli_examples):
    for _command in _module.COMMANDS:
        main.add_command(_command)


if __name__ == "__main__":
    sys.exit(main())
