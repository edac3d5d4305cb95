"""daily-report: yesterday in total and per channel, changes, top SKUs, open alerts, a chart (SPEC §8)."""

from __future__ import annotations

from handlers.views.reports import daily_content, daily_view
from jobs.alerting import footer, stale_notes
from jobs.context import JobContext, Outcome
from jobs.reporting import SOURCES, publish


def run(ctx: JobContext) -> Outcome:
    with ctx.deps.engine.connect() as conn:
        content = daily_content(conn, today=ctx.today, channels=ctx.deps.registry.channels, locale=ctx.locale)
    view = daily_view(content, locale=ctx.locale, footer=footer(ctx, SOURCES), notes=stale_notes(ctx, SOURCES))
    return publish(ctx, view, empty=content.empty, what="daily report")
