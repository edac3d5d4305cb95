"""What every `ecombot` subcommand gets: the settings and the engine, loaded lazily.

    @click.command()
    @pass_ctx
    def mine(ctx: Context) -> None: ctx.settings.database_url, ctx.engine
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import click

from bot.config import ConfigError, load_settings
from bot.logs import setup_logging
from metrics.settings import Settings

if TYPE_CHECKING:  # SQLAlchemy is imported when a command opens the database, not by every command
    from sqlalchemy import Engine


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
