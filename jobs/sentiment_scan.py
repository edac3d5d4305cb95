"""sentiment-scan: SPEC §7 negative-review incidents, escalated by level, each posted once.

Level Ⅰ goes to the crisis channel with the crisis group mentioned, Level Ⅱ to the ops channel, Level Ⅲ
into one digest per scan for customer service. Later reviews of a posted incident are told in its
thread and its card is edited to the new count; a rise in level posts a new card in the higher
channel (the old one says so). While an incident is active its level never drops, so a quiet hour
does not turn into a "new" Level Ⅱ card the next. A resolved incident speaks again only when
reviews newer than its resolution arrive. A scan with nothing new posts nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from handlers import approvers
from handlers.views import escalation as views
from handlers.views.mrkdwn import Mrkdwn
from handlers.views.texts import t
from jobs.kit.alerting import edit, footer, in_thread, local_time, mark, post_alert
from jobs.kit.context import JobContext, Outcome
from metrics import alerts
from metrics.escalation import (
    ACK_WITHIN,
    FIRST_RESPONSE_WITHIN,
    KIND,
    SEVERITY,
    SOLVE_WITHIN,
    Incident,
    Limits,
    find_incidents,
    new_since,
    product_names,
)

log = logging.getLogger(__name__)

JOB = "sentiment-scan"
SOURCES = ("reviews",)
# where each level goes, first configured wins (SPEC §7; ops stands in when a team has no crisis channel)
ROUTES = {1: ("crisis_channel", "ops_channel"), 2: ("ops_channel",), 3: ("cs_channel", "ops_channel")}


def key_for(incident: Incident) -> str:
    return f"{KIND}:{incident.key}"


def channel_for(ctx: JobContext, level: int) -> str:
    for setting in ROUTES[level]:
        channel: str | None = getattr(ctx.deps.settings, setting)
        if channel:
            return channel
    names = " or ".join(s.upper() for s in ROUTES[level])
    raise RuntimeError(f"{names} is not set: nowhere to post Level {level} incidents")


def mention(ctx: JobContext) -> Mrkdwn:
    group = ctx.deps.settings.crisis_group
    # without a configured crisis group a Level Ⅰ still has to wake someone
    return approvers.mention(group) if group else Mrkdwn("<!here>")


def deadlines(ctx: JobContext, opened_utc: datetime) -> views.Deadlines:
    return views.Deadlines(*(local_time(ctx, opened_utc + d) for d in (ACK_WITHIN, FIRST_RESPONSE_WITHIN,
                                                                          SOLVE_WITHIN)))


def _channels(ctx: JobContext, incident: Incident) -> str:
    names = []
    for slug in incident.channels:
        try:
            names.append(ctx.deps.registry.get(slug).display(ctx.locale))
        except ValueError:
            names.append(slug)  # social sources (weibo…) are not sales channels
    return ", ".join(names)


def _level(severity: str) -> int:
    return next(level for level, sev in SEVERITY.items() if sev == severity)


def _detail(incident: Incident, subject: str) -> dict[str, object]:
    return {"level": incident.level, "count": incident.count, "last_at": incident.last_at.isoformat(),
            "sku": incident.sku, "topic": incident.topic, "subject": subject}


def _seen_until(alert: alerts.Alert) -> datetime:
    raw = alert.detail.get("last_at")
    return datetime.fromisoformat(raw) if isinstance(raw, str) else alert.opened_at


def run(ctx: JobContext) -> Outcome:
    limits = Limits.from_settings(ctx.deps.settings)
    locale, now = ctx.locale, ctx.now_utc
    with ctx.deps.engine.connect() as conn:
        found = find_incidents(conn, now_utc=now, limits=limits)
        known = alerts.of_kind(conn, KIND, active_only=False)
        names = product_names(conn, [i.sku for i in found if i.sku])
    posted, grown, digest = 0, 0, []
    firing: set[str] = set()
    for incident in found:
        key = key_for(incident)
        firing.add(key)
        prev = known.get(key)
        subject = views.subject(incident, names.get(incident.sku or ""), locale, ctx.deps.settings.sentiment_topics)
        if prev is not None and not prev.active and prev.acted_at is not None and incident.last_at <= prev.acted_at:
            continue  # resolved, and nothing arrived since
        active = prev if prev is not None and prev.active else None
        # an active incident keeps its highest level: only a rise above it is news
        held = incident.level if active is None else min(incident.level, _level(active.severity))
        decision = alerts.decide(active, SEVERITY[held], now_utc=now)
        if decision in (alerts.Decision.NEW, alerts.Decision.WORSE):
            if held == 3:
                digest.append((key, incident, subject))
                continue
            _post_card(ctx, key, incident, subject, limits)
            posted += 1
            if active is not None:
                mark(ctx, active, t("alert.worse", locale, when=local_time(ctx, now), severity=t(
                    f"esc.level.{held}", locale)))
            continue
        assert active is not None
        if decision is alerts.Decision.REPEAT:
            if active.channel and active.ts:
                post_alert(ctx, active.channel, views.repeat_message(
                    key, t("esc.repeat", locale, count=incident.count), locale, int(active.detail.get("level", 3))),
                    thread_ts=active.ts)
            with ctx.deps.engine.begin() as conn:
                alerts.reopen(conn, key, now_utc=now)
            posted += 1
        if incident.last_at > _seen_until(active):
            _tell_growth(ctx, active, incident, limits)
            grown += 1
    if digest:
        message = views.digest_message(digest, locale=locale, footer=footer(ctx, SOURCES),
                                       topics=ctx.deps.settings.sentiment_topics)
        channel = channel_for(ctx, 3)
        ts = post_alert(ctx, channel, message)
        posted += 1
        with ctx.deps.engine.begin() as conn:
            for key, incident, subject in digest:
                alerts.raise_alert(conn, key=key, kind=KIND, severity=SEVERITY[3], channel=channel, ts=ts,
                                   detail=_detail(incident, subject), now_utc=now)
    closed = _close_quiet(ctx, known, firing)
    sent = posted + grown
    # "live" is what the channels show as open: the alert state after this scan, not what the SQL found
    with ctx.deps.engine.connect() as conn:
        live = len(alerts.of_kind(conn, KIND, active_only=True))
    detail = f"{posted} posted, {grown} updated, {closed} closed; {live} live incident(s)"
    return Outcome.posted(sent, detail) if sent else Outcome.empty(f"nothing new ({live} live)")


def _post_card(ctx: JobContext, key: str, incident: Incident, subject: str, limits: Limits) -> None:
    channel = channel_for(ctx, incident.level)
    message = views.incident_message(
        key=key, incident=incident, subject_text=subject, mention=mention(ctx), deadlines=deadlines(ctx, ctx.now_utc),
        channels=_channels(ctx, incident), limits=limits, locale=ctx.locale, footer=footer(ctx, SOURCES),
        topics=ctx.deps.settings.sentiment_topics)
    ts = post_alert(ctx, channel, message)
    with ctx.deps.engine.begin() as conn:
        alerts.raise_alert(conn, key=key, kind=KIND, severity=incident.severity, channel=channel, ts=ts,
                           detail=_detail(incident, subject), now_utc=ctx.now_utc)
    log.info("sentiment incident %s posted at level %s (%s reviews)", key, incident.level, incident.count)


def _tell_growth(ctx: JobContext, alert: alerts.Alert, incident: Incident, limits: Limits) -> None:
    """More reviews of a posted incident: a line in its thread, and its card shows the new count."""
    with ctx.deps.engine.connect() as conn:
        new = new_since(conn, incident.key, _seen_until(alert), now_utc=ctx.now_utc)
    in_thread(ctx, alert, views.grew_note(incident, max(new, 1), ctx.locale))
    # a digest line keeps its first words (the thread has the news); a card shows the live count
    if alert.severity != SEVERITY[3]:
        body = views.body_block(alert.key, incident, channels=_channels(ctx, incident), limits=limits,
                                locale=ctx.locale, topics=ctx.deps.settings.sentiment_topics)
        edit(ctx, alert, lambda blocks: views.replace_block(blocks, body))
    with ctx.deps.engine.begin() as conn:
        alerts.update_detail(conn, alert.key, {"count": incident.count, "last_at": incident.last_at.isoformat()},
                             now_utc=ctx.now_utc)


def _close_quiet(ctx: JobContext, known: dict[str, alerts.Alert], firing: set[str]) -> int:
    """Level Ⅲ incidents with no negative review in 24 h close by themselves; Ⅰ and Ⅱ wait for a person."""
    closed = 0
    for key, alert in known.items():
        # not firing = no negative review of it in the trailing 24 h
        if key in firing or not alert.active or alert.severity != SEVERITY[3]:
            continue
        with ctx.deps.engine.begin() as conn:
            alerts.resolve(conn, key, now_utc=ctx.now_utc)
        mark(ctx, alert, t("esc.quiet", ctx.locale, when=local_time(ctx, ctx.now_utc)))
        closed += 1
    return closed
