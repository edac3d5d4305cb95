"""campaign-monitor: inside a campaign window (618, 双11 …), watch UV and conversion every 2 h (seed 000).

Configured by these settings:
- `CAMPAIGN_WINDOWS` — `双11=2026-11-01..2026-11-11;618=2026-06-01..2026-06-18` (inclusive, BOT_TIMEZONE days)
- `CAMPAIGN_UV_DROP` (default 0.30) and `CAMPAIGN_CVR_DROP` (default 0.25) — the falls that alert

Traffic is imported per day, so UV and CVR compare the newest traffic day with the day before; the
last 2 h of orders, buyers and GMV (timestamps are per order) are set against the same hours of the
day before. The alert names the driver with the LMDI split of the GMV change (traffic, conversion,
order value). One alert per campaign and day: the runs every 2 h do not repeat it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from handlers.views import alerts as views
from jobs.kit.alerting import footer, post_alert, require_channel, stale_guard
from jobs.kit.context import JobContext, Outcome
from metrics import alerts
from metrics.attribution import gmv_change
from metrics.clock import utc_naive
from metrics.freshness import data_as_of
from metrics.sales import hourly_sales
from metrics.settings import Settings
from metrics.windows import Window

JOB = "campaign-monitor"
KIND = "campaign"
SOURCES = ("orders", "traffic")


@dataclass(frozen=True)
class Campaign:
    name: str
    window: Window


@dataclass(frozen=True)
class Thresholds:
    uv_drop: Decimal = Decimal("0.30")
    cvr_drop: Decimal = Decimal("0.25")


def campaigns(settings: Settings) -> list[Campaign]:
    return [Campaign(c.name, Window(c.start, c.end, c.name)) for c in settings.campaign_windows]


def thresholds(settings: Settings) -> Thresholds:
    return Thresholds(settings.campaign_uv_drop, settings.campaign_cvr_drop)


def drop(now: Decimal | int | None, before: Decimal | int | None) -> Decimal | None:
    """How much `now` fell below `before`, as a share of `before` (None when not comparable)."""
    if now is None or before is None or Decimal(before) <= 0:
        return None
    return (Decimal(before) - Decimal(now)) / Decimal(before)


def _two_hours(ctx: JobContext) -> tuple[datetime, datetime]:
    end = ctx.now.replace(minute=0, second=0, microsecond=0)
    return end - timedelta(hours=2), end


def run(ctx: JobContext) -> Outcome:
    active = [c for c in campaigns(ctx.deps.settings) if c.window.start <= ctx.today <= c.window.end]
    if not active:
        return Outcome.empty("no campaign window today")
    channel = require_channel(ctx, "ops_channel")
    held = stale_guard(ctx, job=JOB, channel=channel, sources=SOURCES)
    if held is not None:
        return held
    limits = thresholds(ctx.deps.settings)
    locale = ctx.locale
    with ctx.deps.engine.connect() as conn:
        newest = data_as_of(conn)["traffic"]
        # today's traffic row is still filling in: compare whole days only
        day = min(newest, ctx.today - timedelta(days=1)) if newest else ctx.today - timedelta(days=1)
        change = gmv_change(conn, window=Window(day, day, day.isoformat()))
        start, end = _two_hours(ctx)
        recent = hourly_sales(conn, start_utc=utc_naive(start), end_utc=utc_naive(end))
        day_ago = timedelta(days=1)
        before = hourly_sales(conn, start_utc=utc_naive(start - day_ago), end_utc=utc_naive(end - day_ago))
    cur, prev = change.current, change.previous
    findings: list[views.Finding] = []
    uv_drop = drop(cur.uv, prev.uv)
    if uv_drop is not None and uv_drop > limits.uv_drop:
        findings.append(views.Finding("uv", uv_drop, prev.uv, cur.uv))
    cvr_drop = drop(cur.cvr, prev.cvr)
    if cvr_drop is not None and cvr_drop > limits.cvr_drop:
        findings.append(views.Finding("cvr", cvr_drop, prev.cvr, cur.cvr))
    if not findings:
        return Outcome.empty(f"no anomaly on {day} (UV {uv_drop} / CVR {cvr_drop} down)")
    sent = 0
    for campaign in active:
        key = f"{KIND}:{campaign.name}:{day.isoformat()}"
        with ctx.deps.engine.connect() as conn:
            if alerts.decide(alerts.get(conn, key), "warning", now_utc=ctx.now_utc) is alerts.Decision.QUIET:
                continue
        anomaly = views.CampaignAnomaly(campaign=campaign.name, day=day, findings=tuple(findings), change=change,
                                        hours=(start, end), recent=recent, day_before=before)
        message = views.campaign_alert(key=key, anomaly=anomaly, footer=footer(ctx, SOURCES), locale=locale)
        ts = post_alert(ctx, channel, message)
        sent += 1
        with ctx.deps.engine.begin() as conn:
            alerts.raise_alert(conn, key=key, kind=KIND, severity="warning", channel=channel, ts=ts,
                               detail={"campaign": campaign.name, "day": day.isoformat(),
                                       "findings": [f.what for f in findings]}, now_utc=ctx.now_utc)
    return Outcome.posted(sent, f"{sent} campaign alert(s) for {day}") if sent else Outcome.empty("already alerted")
