"""What every handler and job needs, built once by the composition root (`bot/app.py`, `bot/cli.py`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Engine

from metrics.channels import ChannelRegistry
from metrics.settings import Settings


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Engine
    registry: ChannelRegistry
    # the clock is injected so tests and jobs can travel in time
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def now(self) -> datetime:
        """Aware current time in BOT_TIMEZONE."""
        return self.clock().astimezone(self.settings.tz)

    def today(self) -> date:
        return self.now().date()

    @property
    def locale(self) -> str:
        return self.settings.bot_locale


def build_deps(
    settings: Settings, *, engine: Engine | None = None, clock: Callable[[], datetime] | None = None
) -> Deps:
    from metrics.db import connect

    return Deps(
        settings=settings,
        engine=engine if engine is not None else connect(settings.database_url),
        registry=ChannelRegistry.load(settings.channels_file),
        clock=clock or (lambda: datetime.now(UTC)),
    )
