"""weekly-report: last week (Monday–Sunday), channel ROI ranking, a budget reallocation suggestion, a chart."""

from __future__ import annotations

from handlers.views.reports import weekly_view
from jobs.kit.alerting import footer, stale_notes
from jobs.kit.context import JobContext, Outcome
from jobs.kit.reporting import SOURCES, publish
from metrics.reports import weekly_content


def run(ctx: JobContext) -> Outcome:
    settings = ctx.deps.settings
    with ctx.deps.engine.connect() as conn:
        content = weekly_content(conn, today=ctx.today, channels=ctx.deps.registry.channels,
                                 basis=settings.roi_basis)
    floors = {c.slug: settings.floor_for(c.slug) for c in ctx.deps.registry}
    view = weekly_view(content, floors=floors, locale=ctx.locale, footer=footer(ctx, SOURCES),
                       notes=stale_notes(ctx, SOURCES))
    return publish(ctx, view, empty=content.empty, what="weekly report")
