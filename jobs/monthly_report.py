"""monthly-report: last month's GMV (against a target if one is set), funnel, repurchase, new vs returning.

The target comes from `MONTHLY_GMV_TARGETS` (`2026-11=5000000;2026-12=6000000`), read here; a month
without an entry is reported against the month before instead.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from handlers.views.reports import monthly_view
from jobs.kit.alerting import footer, stale_notes
from jobs.kit.context import JobContext, Outcome
from jobs.kit.reporting import SOURCES, publish
from metrics.reports import monthly_content
from metrics.settings import Settings
from metrics.windows import parse_window


def target_for(month: date, settings: Settings) -> Decimal | None:
    """The month's GMV target from MONTHLY_GMV_TARGETS (validated at start-up), if one is set."""
    return settings.monthly_gmv_targets.get(month.strftime("%Y-%m"))


def run(ctx: JobContext) -> Outcome:
    month = parse_window("last-month", today=ctx.today).start
    with ctx.deps.engine.connect() as conn:
        content = monthly_content(conn, today=ctx.today, target=target_for(month, ctx.deps.settings))
    view = monthly_view(content, locale=ctx.locale, footer=footer(ctx, SOURCES), notes=stale_notes(ctx, SOURCES))
    return publish(ctx, view, empty=content.empty, what="monthly report")
