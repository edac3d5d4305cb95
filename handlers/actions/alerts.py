"""Alert buttons: Acknowledge, Snooze 24 h, Resolve, Resume (operations approvers only), Keep paused,
Root-cause report filed. Who may press them is `handlers.approvers.may_respond` (ALERT_RESPONDERS);
anyone else is told so, and nothing changes.

Each click changes the alert's state in the database (so no replica re-alerts) and edits the message
it was clicked on: the buttons of that alert give way to who did what, when.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import approvers
from handlers.actions import payload
from handlers.delivery import error_id
from handlers.locales import UserLocales
from handlers.views import alerts as views
from handlers.views.escalation import RCA
from handlers.views.texts import t
from metrics import alerts, escalation
from metrics.clock import utc_naive
from metrics.runtime import Deps

log = logging.getLogger(__name__)

Transition = Callable[[Any, str, str, datetime], alerts.Alert | None]


def _when(deps: Deps, moment: datetime) -> str:
    return moment.astimezone(deps.settings.tz).strftime("%Y-%m-%d %H:%M")


def _status_text(deps: Deps, action: str, alert: alerts.Alert, user: str, now: datetime) -> str:
    locale = deps.locale
    if action == views.SNOOZE and alert.snoozed_until is not None:
        return t("alert.snoozed", locale, user=user, until=_when(deps, alert.snoozed_until.replace(tzinfo=UTC)))
    key = {views.ACK: "alert.ack", views.RESUME: "alert.resumed", views.KEEP: "alert.kept",
           views.RESOLVE: "alert.resolved_by", RCA: "esc.rca_filed"}[action]
    return t(key, locale, user=user, when=_when(deps, now))


def _transition(action: str) -> Transition:
    def ack(conn: Any, key: str, user: str, now: datetime) -> alerts.Alert | None:
        return alerts.acknowledge(conn, key, user=user, now_utc=now)

    def snooze(conn: Any, key: str, user: str, now: datetime) -> alerts.Alert | None:
        return alerts.snooze(conn, key, user=user, now_utc=now, hours=24)

    def resume(conn: Any, key: str, user: str, now: datetime) -> alerts.Alert | None:
        return alerts.resolve(conn, key, user=user, now_utc=now)

    def rca(conn: Any, key: str, user: str, now: datetime) -> alerts.Alert | None:
        return escalation.file_rca(conn, key, user=user, now_utc=now)

    return {views.ACK: ack, views.KEEP: ack, views.SNOOZE: snooze, views.RESUME: resume, views.RESOLVE: resume,
            RCA: rca}[action]


def handle_click(deps: Deps, action_id: str, body: dict[str, Any], client: WebClient, respond: Respond,
                 locales: UserLocales) -> None:
    user = body["user"]["id"]
    key = body["actions"][0]["value"]
    locale = deps.locale  # the message is the channel's
    me = locales.of(client, user, deps.locale)  # a note only the clicker sees is in their language
    if action_id == views.RESUME and not approvers.is_listed(client, user, deps.settings.ops_approvers):
        respond(response_type="ephemeral", replace_original=False, text=t("alert.not_allowed", me))
        return
    with deps.engine.connect() as conn:
        before = alerts.get(conn, key)
    if before is not None and action_id != views.RESUME and not approvers.may_respond(
            deps.settings, client, user, before.kind):
        kind = approvers.responder_kind(before.kind)
        who = approvers.mentions(approvers.responders(deps.settings, before.kind)) or t("alert.nobody", me)
        log.info("alert %s: %s refused for %s (not a %s responder)", key, action_id, user, kind)
        respond(response_type="ephemeral", replace_original=False,
                text=t("alert.not_responder", me, kind=t(f"alert.kind.{kind}", me), who=who))
        return
    now = deps.now()
    now_utc = utc_naive(now)
    with deps.engine.begin() as conn:
        alert = _transition(action_id)(conn, key, user, now_utc)
        current = alert or alerts.get(conn, key)
    channel = str(payload.get(body, "container", "channel_id") or "")
    ts = str(payload.get(body, "container", "message_ts") or "")
    message = body.get("message") or {}
    with deps.engine.connect() as conn:
        stored = alerts.load_message(conn, channel=channel, ts=ts) if channel and ts else None
    if alert is None:
        status = current.status if current is not None else "gone"
        _repair(client, channel, ts, stored, message)
        respond(response_type="ephemeral", replace_original=False, text=t("alert.gone", me, status=status))
        return
    # the stored body is the truth: it holds what earlier clicks did even when their edit never reached Slack
    text, base = stored if stored is not None else (str(message.get("text") or key), message.get("blocks") or [])
    # an incident acknowledged or snoozed is still someone's to resolve: its Resolve button stays
    still_open = alert.kind == escalation.KIND and action_id in (views.ACK, views.SNOOZE)
    keep = views.resolve_button(key, locale, level=int(alert.detail.get("level", 3))) if still_open else None
    blocks = views.with_status(base, key, _status_text(deps, action_id, alert, user, now), keep)
    with deps.engine.begin() as conn:
        alerts.save_message(conn, channel=channel, ts=ts, text=text, blocks=blocks, now_utc=now_utc)
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except (SlackApiError, OSError) as exc:
        # the click counted (the database says so); the message catches up at the next click or scan
        eid = error_id()
        log.warning("alert %s: %s recorded but the message was not updated", key, action_id,
                    exc_info=exc, extra={"error_id": eid})
        respond(response_type="ephemeral", replace_original=False,
                text=t("alert.update_failed", me, error_id=eid))
    log.info("alert %s: %s by %s", key, action_id, user)


def _repair(client: WebClient, channel: str, ts: str, stored: tuple[str, list[Any]] | None,
            shown: dict[str, Any]) -> None:
    """A message whose last edit failed still shows old buttons: put the stored body back (best effort)."""
    if stored is None or not channel or not ts or shown.get("blocks") == stored[1]:
        return
    try:
        client.chat_update(channel=channel, ts=ts, text=stored[0], blocks=stored[1])
        log.info("alert message %s/%s repaired from its stored body", channel, ts)
    except (SlackApiError, OSError):
        log.warning("alert message %s/%s still not repaired", channel, ts)


def _listener(deps: Deps, action_id: str, locales: UserLocales) -> Callable[..., None]:
    def on_click(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        handle_click(deps, action_id, body, client, respond, locales)

    return on_click


def register(app: App, deps: Deps, locales: UserLocales) -> None:
    for action_id in (views.ACK, views.SNOOZE, views.RESUME, views.KEEP, views.RESOLVE, RCA):
        app.action(action_id)(_listener(deps, action_id, locales))
