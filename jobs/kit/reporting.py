"""What the three report jobs share: where they post, when they stay silent, how a report is delivered.

    return publish(ctx, view, empty=content.empty, what="daily report")
"""

from __future__ import annotations

from handlers.delivery import send
from handlers.views.message import Message
from jobs.kit.alerting import require_channel
from jobs.kit.context import JobContext, Outcome
from metrics.reports import SOURCES

__all__ = ["SOURCES", "publish"]  # SOURCES: one list for the jobs and /report, kept in metrics.reports


def publish(ctx: JobContext, view: Message, *, empty: bool, what: str) -> Outcome:
    """Post a fully built report (message, then its chart) unless it has nothing to say.

    Everything is computed before the first call to Slack, so a failure while building never
    leaves half a report in the channel.
    """
    channel = require_channel(ctx, "reports_channel")
    if empty and not ctx.send_empty:
        return Outcome.empty(f"{what}: no data for the period")
    send(ctx.poster, view, channel=channel)
    return Outcome.posted(ctx.poster.sent, what)
