"""escalation-timers: the clocks of SPEC §7 — each reminder is said once, in the incident's thread.

- Level Ⅰ not acknowledged within 1 h → re-escalated: the crisis group and the operations approvers
  are mentioned and the reply is also sent to the channel.
- Level Ⅰ/Ⅱ still unresolved 24 h after it was raised → the solution target has passed.
- Level Ⅰ/Ⅱ resolved by someone → that person owns the root-cause report, due 72 h later (seed 001):
  told at once (with a "filed" button), reminded 24 h before the due time, and told when overdue.
What was said is recorded in the alert's detail, so a re-run or a second replica says nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers import approvers
from handlers.views import escalation as views
from handlers.views.mrkdwn import Mrkdwn
from handlers.views.texts import t
from jobs.kit.alerting import local_time, post_alert
from jobs.kit.context import JobContext, Outcome
from jobs.sentiment_scan import mention
from metrics import alerts
from metrics.escalation import ACK_WITHIN, KIND, RCA_WITHIN, SOLVE_WITHIN

RCA_REMIND_BEFORE = timedelta(hours=24)
# an owner who never clicked "filed" is not nagged forever
RCA_GIVE_UP = RCA_WITHIN + timedelta(days=7)


def run(ctx: JobContext) -> Outcome:
    with ctx.deps.engine.connect() as conn:
        known = alerts.of_kind(conn, KIND, active_only=False)
    said = 0
    for alert in sorted(known.values(), key=lambda a: a.opened_at):
        if int(alert.detail.get("level", 3)) > 2 or not alert.channel or not alert.ts:
            continue
        if alert.active:
            said += _sla(ctx, alert)
        elif alert.status == alerts.RESOLVED and alert.acted_by and alert.acted_at is not None:
            said += _rca(ctx, alert, alert.acted_by, alert.acted_at)
    return Outcome.posted(said, f"{said} reminder(s)") if said else Outcome.empty("no timer due")


def _say(ctx: JobContext, alert: alerts.Alert, flag: str, text: str, *, broadcast: bool = False,
         with_button: bool = False) -> int:
    """Post `text` in the thread unless `flag` was recorded; record it first-come on the alert."""
    assert alert.channel and alert.ts
    with ctx.deps.engine.begin() as conn:
        current = alerts.get(conn, alert.key)
        if current is None or current.detail.get(flag) or current.opened_at != alert.opened_at:
            return 0
        alerts.update_detail(conn, alert.key, {flag: ctx.now_utc.isoformat()}, now_utc=ctx.now_utc)
    if with_button:
        post_alert(ctx, alert.channel, views.rca_message(alert.key, text, ctx.locale), thread_ts=alert.ts)
    else:
        ctx.poster.post(alert.channel, text=text, thread_ts=alert.ts, broadcast=broadcast)
    return 1


def _mentions(ctx: JobContext) -> Mrkdwn:
    people = approvers.mentions(ctx.deps.settings.ops_approvers)
    return Mrkdwn(f"{mention(ctx)} {people}".strip())


def _sla(ctx: JobContext, alert: alerts.Alert) -> int:
    age = ctx.now_utc - alert.opened_at
    posted = local_time(ctx, alert.opened_at)
    said = 0
    if int(alert.detail.get("level", 3)) == 1 and alert.status == alerts.OPEN and age >= ACK_WITHIN:
        said += _say(ctx, alert, "reescalated_at", t("esc.reescalate", ctx.locale, posted=posted,
                                                     mentions=_mentions(ctx)), broadcast=True)
    if age >= SOLVE_WITHIN:
        owner = approvers.mention(alert.acted_by) if alert.acted_by else _mentions(ctx)
        said += _say(ctx, alert, "solve_reminded_at", t("esc.solve_overdue", ctx.locale, posted=posted,
                                                        mentions=owner))
    return said


def _rca(ctx: JobContext, alert: alerts.Alert, owner: str, resolved_at: datetime) -> int:
    if alert.detail.get("rca_filed_at") or ctx.now_utc - resolved_at > RCA_GIVE_UP:
        return 0
    due_at = resolved_at + RCA_WITHIN
    due = local_time(ctx, due_at)
    said = _say(ctx, alert, "rca_noted_at", t("esc.rca_due", ctx.locale, user=owner, due=due), with_button=True)
    if ctx.now_utc >= due_at:
        said += _say(ctx, alert, "rca_overdue_at", t("esc.rca_overdue", ctx.locale, user=owner, due=due),
                     with_button=True)
    elif ctx.now_utc >= due_at - RCA_REMIND_BEFORE:
        said += _say(ctx, alert, "rca_reminded_at", t("esc.rca_reminder", ctx.locale, user=owner, due=due),
                     with_button=True)
    return said
