"""What a job gets (`JobContext`) and what it gives back (`Outcome`).

    def run(ctx: JobContext) -> Outcome:
        ...                                   # read metrics as of ctx.now, post with ctx.poster
        return Outcome.posted(1) if sent else Outcome.empty("nothing below the floor")
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from handlers.delivery import Poster
from metrics.clock import utc_naive
from metrics.runtime import Deps


@dataclass(frozen=True)
class JobContext:
    deps: Deps
    poster: Poster
    now: datetime  # aware, BOT_TIMEZONE: the scheduled time of the firing, or now for a manual run
    send_empty: bool  # post a report even when it has nothing to say
    run_id: int | None = None

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def now_utc(self) -> datetime:
        """Naive UTC, like the timestamp columns."""
        return utc_naive(self.now)

    @property
    def locale(self) -> str:
        return self.deps.locale


@dataclass(frozen=True)
class Outcome:
    status: str  # ok (something was posted) or empty (nothing to say)
    detail: str
    messages: int = 0

    @classmethod
    def posted(cls, messages: int, detail: str = "") -> Outcome:
        return cls("ok", detail or f"{messages} message(s) posted", messages)

    @classmethod
    def empty(cls, detail: str) -> Outcome:
        return cls("empty", detail, 0)
