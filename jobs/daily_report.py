"""daily-report: yesterday in total and per channel, changes, top SKUs, open alerts, a chart (SPEC §8)."""

from __future__ import annotations

from handlers.views.reports import daily_view
from jobs.kit.alerting import footer, stale_notes
from jobs.kit.context import JobContext, Outcome
from jobs.kit.reporting import SOURCES, publish
from metrics.reports import daily_content


def run(ctx: JobContext) -> Outcome:
    with ctx.deps.engine.connect() as conn:
        content = daily_content(conn, today=ctx.today, channels=ctx.deps.registry.channels,
                                basis=ctx.deps.settings.roi_basis)
    view = daily_view(content, locale=ctx.locale, footer=footer(ctx, SOURCES), notes=stale_notes(ctx, SOURCES))
    return publish(ctx, view, empty=content.empty, what="daily report")
