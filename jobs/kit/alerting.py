"""What every alerting job does the same way: post and remember a message, edit it in place,
note in its thread, and hold alerts back while their data is stale.

    if (held := stale_guard(ctx, job="stock-alerts", channel=ch, sources=("inventory", "orders"))) is not None:
        return held                      # suppressed, and said so once
    ts = post_alert(ctx, ch, message)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from handlers.delivery import send
from handlers.views import alerts as views
from handlers.views import footer as footer_view
from handlers.views.blocks import Block
from handlers.views.footer import data_footer, source_names
from handlers.views.message import Message
from handlers.views.texts import t
from jobs.kit.context import JobContext, Outcome
from metrics import alerts
from metrics.freshness import data_as_of, last_imports, stale_sources

log = logging.getLogger(__name__)


def require_channel(ctx: JobContext, setting: str) -> str:
    channel: str | None = getattr(ctx.deps.settings, setting)
    if not channel:
        raise RuntimeError(f"{setting.upper()} is not set: nowhere to post")
    return channel


def local_time(ctx: JobContext, utc_naive: datetime | None) -> str:
    if utc_naive is None:
        return t("stale.never", ctx.locale)
    return utc_naive.replace(tzinfo=UTC).astimezone(ctx.deps.settings.tz).strftime("%Y-%m-%d %H:%M")


def footer(ctx: JobContext, sources: tuple[str, ...]) -> str | None:
    with ctx.deps.engine.connect() as conn:
        return data_footer(data_as_of(conn), ctx.locale, sources)


def post_alert(ctx: JobContext, channel: str, message: Message, *, thread_ts: str | None = None) -> str:
    """Post and keep the body, so a click or a later run can edit it in place."""
    ts = send(ctx.poster, message, channel=channel, thread_ts=thread_ts)
    assert ts is not None, "without a respond, send() posts or raises"
    with ctx.deps.engine.begin() as conn:
        alerts.save_message(conn, channel=channel, ts=ts, text=message.text, blocks=message.blocks,
                            now_utc=ctx.now_utc)
    return ts


def edit(ctx: JobContext, alert: alerts.Alert, change: Callable[[list[Block]], list[Block]]) -> None:
    """Edit the original message of `alert` in place (and keep the new body for the next edit)."""
    if not alert.channel or not alert.ts:
        return
    with ctx.deps.engine.connect() as conn:
        stored = alerts.load_message(conn, channel=alert.channel, ts=alert.ts)
    if stored is None:
        return
    text, blocks = stored
    blocks = change(blocks)
    ctx.poster.update(alert.channel, alert.ts, text=text, blocks=blocks)
    with ctx.deps.engine.begin() as conn:
        alerts.save_message(conn, channel=alert.channel, ts=alert.ts, text=text, blocks=blocks, now_utc=ctx.now_utc)


def mark(ctx: JobContext, alert: alerts.Alert, status: str) -> None:
    """Show `status` instead of the buttons of `alert` on its original message."""
    edit(ctx, alert, lambda blocks: views.with_status(blocks, alert.key, status))


def in_thread(ctx: JobContext, alert: alerts.Alert, text: str) -> None:
    if alert.channel and alert.ts:
        ctx.poster.post(alert.channel, text=text, thread_ts=alert.ts)


def stale_guard(ctx: JobContext, *, job: str, channel: str, sources: Sequence[str]) -> Outcome | None:
    """None when the data is fresh; else the outcome of a suppressed run (the notice is posted once)."""
    hours = ctx.deps.settings.stale_data_hours
    key = f"stale:{job}"
    with ctx.deps.engine.connect() as conn:
        stale = stale_sources(conn, now_utc=ctx.now_utc, max_age_hours=hours, sources=tuple(sources))
        seen = last_imports(conn)
        prev = alerts.get(conn, key)
    names = ", ".join(stale)
    if not stale:
        if prev is not None and prev.active:
            with ctx.deps.engine.begin() as conn:
                alerts.resolve(conn, key, now_utc=ctx.now_utc)
            named = source_names(prev.detail["sources"], ctx.locale)
            in_thread(ctx, prev, t("stale.fresh", ctx.locale, job=job, sources=named))
        return None
    log.warning("job %s suppressed: stale sources %s", job, names)
    if prev is not None and prev.active:
        return Outcome.empty(f"suppressed: stale {names} (already said)")
    last = min((seen.get(s) for s in stale), key=lambda d: d or datetime.min)
    text = t("stale.notice", ctx.locale, job=job, sources=source_names(stale, ctx.locale), hours=hours,
             last=local_time(ctx, last))
    ts = post_alert(ctx, channel, views.note(text))
    with ctx.deps.engine.begin() as conn:
        alerts.raise_alert(conn, key=key, kind="stale", severity="info", channel=channel, ts=ts,
                           detail={"sources": list(stale)}, now_utc=ctx.now_utc)
    return Outcome.posted(1, f"suppressed: stale {names}")


def stale_notes(ctx: JobContext, sources: tuple[str, ...]) -> list[str]:
    """A line for a report whose sources are stale (reports still go out; they say so)."""
    hours = ctx.deps.settings.stale_data_hours
    with ctx.deps.engine.connect() as conn:
        stale = stale_sources(conn, now_utc=ctx.now_utc, max_age_hours=hours, sources=sources)
    return footer_view.stale_notes(stale, ctx.locale, hours)
