"""roi-guard: SPEC §6 ROI floor — trailing-window ROI per channel below its floor pauses the channel.

A paused channel (alert open or kept paused) is not alerted again. After an operations approver
resumes it, the guard leaves it alone until a whole fresh window (`ROI_GUARD_DAYS` days after the
resume day) has been measured, so the resume is not undone by the same bad days an hour later.
The optional webhook (`ROI_GUARD_WEBHOOK_URL`) gets a JSON body, is retried, and its failure is
written into the alert; it never fails the job.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC
from decimal import Decimal

from handlers.views import alerts as views
from handlers.views.texts import t
from jobs.kit.alerting import footer, post_alert, require_channel, stale_guard
from jobs.kit.context import JobContext, Outcome
from metrics import alerts, sales
from metrics.windows import parse_window

log = logging.getLogger(__name__)

JOB = "roi-guard"
KIND = "roi"
SOURCES = ("orders", "ad_spend")
WEBHOOK_TRIES = 3
WEBHOOK_BACKOFF = 0.5  # seconds, doubled per retry


def key_for(channel: str) -> str:
    return f"{KIND}:{channel}"


def call_webhook(url: str, body: dict[str, object], *, tries: int = WEBHOOK_TRIES, backoff: float = WEBHOOK_BACKOFF,
                 sleep: Callable[[float], None] = time.sleep) -> str | None:
    """POST `body` as JSON; retried on errors and 5xx. None on success, else the last error."""
    data = json.dumps(body, ensure_ascii=False).encode()
    error = "not called"
    for attempt in range(tries):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                if 200 <= resp.status < 300:
                    return None
                error = f"HTTP {resp.status}"
        except urllib.error.HTTPError as exc:
            error = f"HTTP {exc.code}"
            if exc.code < 500 and exc.code != 429:
                break  # the receiver refused the request itself: retrying will not help
        except OSError as exc:
            error = f"{type(exc).__name__}: {exc}"
        log.warning("roi-guard webhook attempt %s failed: %s", attempt + 1, error)
    return error


def run(ctx: JobContext) -> Outcome:
    channel = require_channel(ctx, "ops_channel")
    held = stale_guard(ctx, job=JOB, channel=channel, sources=SOURCES)
    if held is not None:
        return held
    settings, locale = ctx.deps.settings, ctx.locale
    window = parse_window(f"{settings.roi_guard_days}d", today=ctx.today)
    slugs = list(ctx.deps.registry.slugs)
    with ctx.deps.engine.connect() as conn:
        ranking = sales.roi_by_channel(conn, window=window, channels=slugs, basis=settings.roi_basis)
        states = {s: alerts.get(conn, key_for(s)) for s in slugs}
    below = [r for r in ranking if r.roi is not None and r.channel and r.roi < settings.floor_for(r.channel)]
    above = [r for r in ranking if r.roi is not None and r.channel and r.roi >= settings.floor_for(r.channel)]
    names = {c.slug: c.display(locale) for c in ctx.deps.registry}
    sent = 0
    for result in below:
        slug = result.channel or ""
        prev = states[slug]
        if prev is not None and prev.active:
            continue  # still paused: said already
        if prev is not None and prev.acted_at is not None and prev.acted_by:
            resumed_day = prev.acted_at.replace(tzinfo=UTC).astimezone(settings.tz).date()
            if window.start <= resumed_day:
                continue  # resumed by an approver; wait for a window measured wholly after that
        assert result.roi is not None
        floor = settings.floor_for(slug)
        best = next(((names[r.channel or ""], r.roi) for r in above if r.channel != slug and r.roi), None)
        webhook_note = _webhook(ctx, slug, result.roi, floor, window=str(window))
        message = views.roi_alert(
            key=key_for(slug), channel_slug=slug, channel_name=names[slug], roi=result.roi, floor=floor,
            days=window.days, spend=result.spend, gmv=result.gmv, attributed=result.attributed, best=best,
            other_roi=result.attributed_roi if result.basis == "channel" else result.channel_roi,
            webhook=webhook_note, locale=locale, footer=footer(ctx, SOURCES),
        )
        ts = post_alert(ctx, channel, message)
        sent += 1
        with ctx.deps.engine.begin() as conn:
            alerts.raise_alert(conn, key=key_for(slug), kind=KIND, severity="critical", channel=channel, ts=ts,
                               detail={"channel": slug, "roi": str(result.roi), "floor": str(floor),
                                       "window": str(window)}, now_utc=ctx.now_utc)
    if sent:
        return Outcome.posted(sent, f"{sent} channel(s) paused")
    return Outcome.empty(f"no new channel below its floor ({len(below)} below)")


def _webhook(ctx: JobContext, slug: str, roi: Decimal, floor: Decimal, *, window: str) -> str | None:
    url = ctx.deps.settings.roi_guard_webhook_url
    if not url:
        return None
    body: dict[str, object] = {"event": "roi_floor_pause", "channel": slug, "roi": str(roi), "floor": str(floor),
                               "paused_at": ctx.now.isoformat(), "window": window}
    error = call_webhook(url, body, tries=WEBHOOK_TRIES, backoff=WEBHOOK_BACKOFF)
    if error is None:
        return t("roi_guard.webhook_ok", ctx.locale)
    return t("roi_guard.webhook_failed", ctx.locale, tries=WEBHOOK_TRIES, error=error)
