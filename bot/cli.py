"""`ecombot` command line: the composition root that hands settings to every part."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property

import click
from sqlalchemy import Engine

from bot.config import ConfigError, load_settings
from bot.logs import setup_logging
from metrics.settings import Settings


@dataclass
class Context:
    """Settings and the engine, loaded lazily so `--help` works with a broken config."""

    overrides: dict[str, str]
    log_level: str | None = None  # --log-level wins over LOG_LEVEL

    @cached_property
    def settings(self) -> Settings:
        try:
            settings = load_settings(**self.overrides)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        setup_logging(self.log_level or settings.log_level)
        return settings

    @cached_property
    def engine(self) -> Engine:
        from metrics.db import connect

        try:
            return connect(self.settings.database_url)
        except Exception as exc:  # noqa: BLE001 - a bad URL or a down server is a user error here
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise click.ClickException(f"cannot open DATABASE_URL: {first}") from None


pass_ctx = click.make_pass_decorator(Context)


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


_COMMAND_MODULES = ("bot.cli_data", "bot.cli_seed", "bot.cli_serve", "bot.cli_demo", "bot.cli_jobs", "bot.cli_budget",
                    "bot.cli_sentiment")


def _register() -> None:
    # Each feature keeps its commands in its own module; the root only lists them.
    import importlib

    for name in _COMMAND_MODULES:
        for command in importlib.import_module(name).COMMANDS:
            main.add_command(command)


_register()


if __name__ == "__main__":
    sys.exit(main())
