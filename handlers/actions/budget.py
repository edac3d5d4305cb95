"""Budget buttons and modals: Approve / Reject on the approval card, the reject-reason modal, the request
modal, and the "Request contingency budget" button of ROI-floor and campaign alerts.

Every click is acked at once; the lazy listener does the work. The database decides (metrics.budget,
one locked transaction per click), then the card is edited in place, the requester gets a DM and the
clicker an ephemeral note. Double clicks and Slack retries find nothing left to change and say so.
"""


from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers import approvers
from handlers.actions import payload
from handlers.actions.budget_flow import (
    after_decision,
    channel_name,
    channel_roi,
    repair_card,
    roles_of,
    tell,
    with_card_failure,
)
from handlers.actions.budget_modal import handle_reject_submission, handle_request_submission, prefill
from handlers.delivery import error_id
from handlers.locales import UserLocales
from handlers.views import budget as view
from handlers.views.texts import t
from metrics import budget
from metrics.budget import Decision, Outcome, Request
from metrics.runtime import Deps

log = logging.getLogger(__name__)

Json = dict[str, Any]


def _answer(respond: Respond | None, client: WebClient, body: Json, text: str) -> None:
    """The clicker's ephemeral note: via the response_url when there is one, else chat.postEphemeral."""
    if respond is not None:
        try:
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        except Exception:  # noqa: BLE001 - a dead response_url must not hide the note
            log.info("response_url failed; posting the note as an ephemeral message")
    user = payload.user_of(body)
    if user:
        tell(client, user=user, channel=payload.where(body), text=text)


def _clicker_locale(deps: Deps, locales: UserLocales, client: WebClient, body: Json) -> str:
    """The language of the clicker's own notes and forms: theirs in Slack (only they see them)."""
    return locales.of(client, payload.user_of(body) or "", deps.locale)


def _clicked(deps: Deps, body: Json, client: WebClient, respond: Respond | None,
             locale: str) -> tuple[str, Request] | None:
    """Who clicked which request's button; None (and a note) for a payload that names no request."""
    user, request_id = payload.user_of(body), payload.request_id(payload.first_action(body).get("value"))
    request = budget.load_request(deps.engine, request_id) if request_id is not None else None
    if user is None or request is None:
        key = "budget.note.bad_button" if request_id is None or user is None else "budget.note.not_found"
        _answer(respond, client, body, t(key, locale))
        return None
    return user, request


def _guarded(deps: Deps, locales: UserLocales, name: str, work: Callable[..., None]) -> Callable[..., None]:
    """Run a lazy listener; a failure becomes one line with an error id for the clicker, the trace goes to the log."""

    def run(body: Json, client: WebClient, respond: Respond | None = None) -> None:
        try:
            work(body, client, respond)
        except Exception:
            eid = error_id()
            log.exception("%s failed", name, extra={"error_id": eid})
            _answer(respond, client, body, t("budget.note.failed", _clicker_locale(deps, locales, client, body),
                                             error_id=eid))

    run.__name__ = f"run_{name}"
    return run


# -- listeners ------------------------------------------------------------------------------------------------------


def register(app: App, deps: Deps, locales: UserLocales) -> None:
    def ack_only(ack: Ack) -> None:
        ack()

    def approve(body: Json, client: WebClient, respond: Respond | None) -> None:
        me = _clicker_locale(deps, locales, client, body)
        clicked = _clicked(deps, body, client, respond, me)
        if clicked is None:
            return
        user, request = clicked
        roles = roles_of(deps, client, user)
        now = deps.now()
        roi = channel_roi(deps, request.channel) if request.status == budget.PENDING and roles else None
        decision = budget.approve(deps.engine, request.id, user=user, roles=roles, now=now, roi=roi)
        failed = after_decision(deps, client, decision, user=user, locales=locales, roi_now=roi, roi_now_at=now)
        pool_left = budget.pool_left(deps.engine, request.month)
        text = view.note(decision, channel_name=channel_name(deps, request.channel, me), locale=me,
                         pool_left=pool_left)
        _answer(respond, client, body, with_card_failure(text, failed, me))

    def open_reject(body: Json, client: WebClient, respond: Respond | None) -> None:
        me = _clicker_locale(deps, locales, client, body)
        clicked = _clicked(deps, body, client, respond, me)
        if clicked is None:
            return
        user, request = clicked
        now = deps.now()
        why = budget.refusal(request, user=user, roles=roles_of(deps, client, user), now=now)
        if why is Outcome.EXPIRED:
            for expired in budget.expire_due(deps.engine, now=now):
                after_decision(deps, client, Decision(Outcome.EXPIRED, expired), user=budget.SYSTEM, locales=locales)
        else:
            repair_card(deps, client, request)
        if why is not None:
            _answer(respond, client, body, view.note(Decision(why, request), locale=me,
                                                     channel_name=channel_name(deps, request.channel, me)))
            return
        trigger = body.get("trigger_id")
        if not isinstance(trigger, str) or not trigger:
            _answer(respond, client, body, t("budget.note.bad_button", me))
            return
        metadata = {"origin": payload.where(body), "locale": me}
        client.views_open(trigger_id=trigger, view=view.reject_modal(request.id, metadata, me))

    def open_request(body: Json, client: WebClient, respond: Respond | None) -> None:
        me = _clicker_locale(deps, locales, client, body)
        trigger = body.get("trigger_id")
        if not isinstance(trigger, str) or not trigger:
            _answer(respond, client, body, t("budget.note.bad_button", me))
            return
        user = payload.user_of(body)
        if user is None or not approvers.may_request(deps.settings, client, user):
            key = "budget.note.bad_button" if user is None else "budget.err.not_requester"
            _answer(respond, client, body, t(key, me))
            return
        origin = payload.where(body)
        metadata = {"origin": origin, "alert_channel": origin, "locale": me,
                    "alert_ts": payload.get(body, "container", "message_ts") or payload.get(body, "message", "ts")}
        client.views_open(trigger_id=trigger, view=view.request_modal(
            prefill(deps, payload.first_action(body).get("value"), metadata, me), me))

    app.action(view.APPROVE)(ack=ack_only, lazy=[_guarded(deps, locales, "budget_approve", approve)])
    app.action(view.REJECT)(ack=ack_only, lazy=[_guarded(deps, locales, "budget_reject", open_reject)])
    app.action(view.OPEN)(ack=ack_only, lazy=[_guarded(deps, locales, "budget_request_open", open_request)])

    def submit_request(ack: Ack, body: Json, client: WebClient) -> None:
        handle_request_submission(deps, ack, body, client)

    def submit_reject(ack: Ack, body: Json, client: WebClient) -> None:
        handle_reject_submission(deps, ack, body, client, locales)

    app.view(view.REQUEST_MODAL)(submit_request)
    app.view(view.REJECT_MODAL)(submit_reject)
