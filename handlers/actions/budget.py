"""Budget buttons and modals: Approve / Reject on the approval card, the reject-reason modal, the request
modal, and the "Request contingency budget" button of ROI-floor and campaign alerts.

Every click is acked at once; the lazy listener does the work. The database decides (metrics.budget,
one locked transaction per click), then the card is edited in place, the requester gets a DM and the
clicker an ephemeral note. Double clicks and Slack retries find nothing left to change and say so.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import approvers
from handlers.delivery import UNPACED, DeliveryError, Poster, send
from handlers.views import budget as view
from handlers.views import fmt
from handlers.views.message import Message
from handlers.views.texts import t
from metrics import budget, sales
from metrics.budget import BudgetError, Decision, NewRequest, Outcome, Request
from metrics.channels import UnknownChannel
from metrics.runtime import Deps
from metrics.windows import parse_window

log = logging.getLogger(__name__)

Json = dict[str, Any]
# the code of a BudgetError → the modal input it belongs to
_ERROR_BLOCK = {"amount_over_pool": view.AMOUNT, "bad_amount": view.AMOUNT, "amount_places": view.AMOUNT,
                "amount_positive": view.AMOUNT, "no_period": view.AMOUNT, "unknown_channel": view.CHANNEL,
                "no_reason": view.REASON, "reason_too_long": view.REASON}


# -- who is who ----------------------------------------------------------------------------------------------


def roles_of(deps: Deps, client: WebClient, user: str) -> frozenset[str]:
    return approvers.roles_of(deps.settings, client, user)


def channel_name(deps: Deps, slug: str) -> str:
    try:
        return deps.registry.get(slug).display(deps.locale)
    except UnknownChannel:
        return slug


def channel_roi(deps: Deps, slug: str) -> Decimal | None:
    """The channel's ROI over the ROI-guard window (trailing whole days), computed now."""
    window = parse_window(f"{deps.settings.roi_guard_days}d", today=deps.today())
    with deps.engine.connect() as conn:
        return sales.roi(conn, window=window, channel=slug).roi


def error_id() -> str:
    return uuid.uuid4().hex[:8]


def budget_error_text(deps: Deps, exc: BudgetError) -> str:
    params = {k: fmt.money(v) if isinstance(v, Decimal) else v for k, v in exc.params.items()}
    try:
        return t(f"budget.err.{exc.code}", deps.locale, **params)
    except KeyError:
        return str(exc)


# -- Slack side effects -------------------------------------------------------------------------------------------


def card_message(deps: Deps, request: Request, *, roi_now: Decimal | None = None,
                 roi_now_at: datetime | None = None) -> Message:
    pool_left = budget.pool_left(deps.engine, request.month) if request.status == budget.RELEASED else None
    ctx = view.CardContext(channel_name=channel_name(deps, request.channel), locale=deps.locale,
                           tz=deps.settings.tz, roi_days=deps.settings.roi_guard_days, pool_left=pool_left,
                           roi_now=roi_now, roi_now_at=roi_now_at)
    return view.card(request, ctx)


def update_card(deps: Deps, client: WebClient, request: Request, **roi: Any) -> None:
    """Edit the card in place (chat.update); a card that cannot be edited is logged, not fatal."""
    if not (request.card_channel and request.card_ts):
        return
    card = card_message(deps, request, **roi)
    try:
        client.chat_update(channel=request.card_channel, ts=request.card_ts, text=card.text, blocks=card.blocks)
    except SlackApiError as exc:
        log.warning("budget card %s not updated: %s", request.id, exc.response.get("error"))


def direct_message(client: WebClient, user: str, text: str) -> None:
    try:
        dm = client.conversations_open(users=user)
        client.chat_postMessage(channel=dm["channel"]["id"], text=text)
    except SlackApiError as exc:
        log.warning("cannot DM %s: %s", user, exc.response.get("error"))


def tell(client: WebClient, *, user: str, channel: str | None, text: str) -> None:
    """An ephemeral line for `user` in `channel`, or a DM when there is no channel or the bot can't post there."""
    if channel and not channel.startswith("D"):
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
            return
        except SlackApiError as exc:
            log.info("ephemeral in %s failed (%s), sending a DM", channel, exc.response.get("error"))
    direct_message(client, user, text)


def publish(deps: Deps, client: WebClient, request: Request) -> Request:
    """Post the approval card to APPROVALS_CHANNEL, remember where it is, and point the alert's thread at it."""
    channel = deps.settings.approvals_channel
    assert channel, "checked before the request was created"
    card = card_message(deps, request)
    ts = send(Poster(client, pacer=UNPACED), card, channel=channel)
    assert ts is not None, "without a respond, send() posts or raises"
    budget.set_card(deps.engine, request.id, channel=channel, ts=ts)
    if request.alert_channel and request.alert_ts:
        try:
            link = client.chat_getPermalink(channel=channel, message_ts=ts)
            client.chat_postMessage(channel=request.alert_channel, thread_ts=request.alert_ts,
                                    text=f"{card.text} — {link['permalink']}")
        except SlackApiError as exc:
            log.info("alert thread not told about request %s: %s", request.id, exc.response.get("error"))
    got = budget.load_request(deps.engine, request.id)
    return got or request


def alert_link(client: WebClient, channel: str | None, ts: str | None) -> str | None:
    if not (channel and ts):
        return None
    try:
        return str(client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
    except SlackApiError:
        return None


def confirm(deps: Deps, request: Request, created: bool) -> str:
    if not created:
        return t("budget.confirm_again", deps.locale, id=request.id)
    return t("budget.confirm", deps.locale, id=request.id, amount=fmt.money(request.amount),
             channel=channel_name(deps, request.channel), approvals=deps.settings.approvals_channel or "")


def create(deps: Deps, new: NewRequest) -> tuple[Request, bool]:
    """Validate and store (raises BudgetError); the card is `publish`ed after the ack."""
    if not deps.settings.approvals_channel:
        raise BudgetError("no_approvals_channel", "APPROVALS_CHANNEL is not configured")
    return budget.create_request(
        deps.engine, new, known=deps.registry.slugs, now=deps.now(),
        ttl=timedelta(hours=deps.settings.budget_request_ttl_hours))


def after_decision(deps: Deps, client: WebClient, decision: Decision, *, user: str,
                   roi_now: Decimal | None = None, roi_now_at: datetime | None = None) -> None:
    """A change shows on the card and reaches the requester; nothing changed means nothing is sent."""
    request = decision.request
    if request is None or not decision.changed:
        return
    update_card(deps, client, request, roi_now=roi_now, roi_now_at=roi_now_at)
    pool_left = budget.pool_left(deps.engine, request.month)
    text = view.dm(decision, channel_name=channel_name(deps, request.channel), locale=deps.locale, user=user,
                   pool_left=pool_left)
    if text:
        direct_message(client, request.requester, text)


# -- payload reading (anything may be missing or wrong) ----------------------------------------------------------


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _action(body: Json) -> Json:
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    return first if isinstance(first, dict) else {}


def _request_id(raw: Any) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _where(body: Json) -> str | None:
    channel = _get(body, "container", "channel_id") or _get(body, "channel", "id")
    return str(channel) if channel else None


def _user(body: Json) -> str | None:
    user = _get(body, "user", "id")
    return str(user) if isinstance(user, str) and user else None


def _metadata(body: Json) -> Json:
    raw = _get(body, "view", "private_metadata")
    try:
        data = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _input(body: Json, block: str) -> Any:
    return _get(body, "view", "state", "values", block, view.INPUT)


def _text_input(body: Json, block: str) -> str:
    value = _get(_input(body, block), "value")
    return value if isinstance(value, str) else ""


def _answer(respond: Respond | None, client: WebClient, body: Json, text: str) -> None:
    """The clicker's ephemeral note: via the response_url when there is one, else chat.postEphemeral."""
    if respond is not None:
        try:
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        except Exception:  # noqa: BLE001 - a dead response_url must not hide the note
            log.info("response_url failed; posting the note as an ephemeral message")
    user = _user(body)
    if user:
        tell(client, user=user, channel=_where(body), text=text)


def _clicked(deps: Deps, body: Json, client: WebClient, respond: Respond | None) -> tuple[str, Request] | None:
    """Who clicked which request's button; None (and a note) for a payload that names no request."""
    user, request_id = _user(body), _request_id(_action(body).get("value"))
    request = budget.load_request(deps.engine, request_id) if request_id is not None else None
    if user is None or request is None:
        key = "budget.note.bad_button" if request_id is None or user is None else "budget.note.not_found"
        _answer(respond, client, body, t(key, deps.locale))
        return None
    return user, request


def _guarded(deps: Deps, name: str, work: Callable[..., None]) -> Callable[..., None]:
    """Run a lazy listener; a failure becomes one line with an error id for the clicker, the trace goes to the log."""

    def run(body: Json, client: WebClient, respond: Respond | None = None) -> None:
        try:
            work(body, client, respond)
        except Exception:
            eid = error_id()
            log.exception("%s failed", name, extra={"error_id": eid})
            _answer(respond, client, body, t("budget.note.failed", deps.locale, error_id=eid))

    run.__name__ = f"run_{name}"
    return run


# -- listeners ------------------------------------------------------------------------------------------------------


def register(app: App, deps: Deps) -> None:
    def ack_only(ack: Ack) -> None:
        ack()

    def approve(body: Json, client: WebClient, respond: Respond | None) -> None:
        clicked = _clicked(deps, body, client, respond)
        if clicked is None:
            return
        user, request = clicked
        roles = roles_of(deps, client, user)
        now = deps.now()
        roi = channel_roi(deps, request.channel) if request.status == budget.PENDING and roles else None
        decision = budget.approve(deps.engine, request.id, user=user, roles=roles, now=now, roi=roi)
        after_decision(deps, client, decision, user=user, roi_now=roi, roi_now_at=now)
        pool_left = budget.pool_left(deps.engine, request.month)
        _answer(respond, client, body, view.note(decision, channel_name=channel_name(deps, request.channel),
                                                 locale=deps.locale, pool_left=pool_left))

    def open_reject(body: Json, client: WebClient, respond: Respond | None) -> None:
        clicked = _clicked(deps, body, client, respond)
        if clicked is None:
            return
        user, request = clicked
        now = deps.now()
        why = budget.refusal(request, user=user, roles=roles_of(deps, client, user), now=now)
        if why is Outcome.EXPIRED:
            for expired in budget.expire_due(deps.engine, now=now):
                after_decision(deps, client, Decision(Outcome.EXPIRED, expired), user=budget.SYSTEM)
        if why is not None:
            _answer(respond, client, body, view.note(Decision(why, request), locale=deps.locale,
                                                     channel_name=channel_name(deps, request.channel)))
            return
        trigger = body.get("trigger_id")
        if not isinstance(trigger, str) or not trigger:
            _answer(respond, client, body, t("budget.note.bad_button", deps.locale))
            return
        client.views_open(trigger_id=trigger, view=view.reject_modal(request.id, {"origin": _where(body)},
                                                                     deps.locale))

    def open_request(body: Json, client: WebClient, respond: Respond | None) -> None:
        trigger = body.get("trigger_id")
        if not isinstance(trigger, str) or not trigger:
            _answer(respond, client, body, t("budget.note.bad_button", deps.locale))
            return
        origin = _where(body)
        metadata = {"origin": origin, "alert_channel": origin,
                    "alert_ts": _get(body, "container", "message_ts") or _get(body, "message", "ts")}
        client.views_open(trigger_id=trigger, view=view.request_modal(
            prefill(deps, _action(body).get("value"), metadata), deps.locale))

    app.action(view.APPROVE)(ack=ack_only, lazy=[_guarded(deps, "budget_approve", approve)])
    app.action(view.REJECT)(ack=ack_only, lazy=[_guarded(deps, "budget_reject", open_reject)])
    app.action(view.OPEN)(ack=ack_only, lazy=[_guarded(deps, "budget_request_open", open_request)])

    def submit_request(ack: Ack, body: Json, client: WebClient) -> None:
        handle_request_submission(deps, ack, body, client)

    def submit_reject(ack: Ack, body: Json, client: WebClient) -> None:
        handle_reject_submission(deps, ack, body, client)

    app.view(view.REQUEST_MODAL)(submit_request)
    app.view(view.REJECT_MODAL)(submit_reject)


# -- the request modal ---------------------------------------------------------------------------------------------


def form(deps: Deps, **values: Any) -> view.RequestForm:
    month = budget.month_of(deps.today())
    return view.RequestForm(
        channels=[(c.slug, c.display(deps.locale)) for c in deps.registry], month=month,
        pool_left=budget.pool_left(deps.engine, month), **values)


def prefill(deps: Deps, raw: Any, metadata: Json) -> view.RequestForm:
    """The request form filled from an alert button's value (JSON: channel, roi, floor, spend, gmv, window,
    amount); whatever is missing or malformed is simply left blank."""
    try:
        data = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    slug = None
    try:
        slug = deps.registry.resolve(str(data.get("channel") or "")).slug
    except UnknownChannel:
        pass
    amount = None
    try:
        amount = budget.parse_amount(str(data["amount"])) if data.get("amount") is not None else None
    except BudgetError:
        pass

    def dec(key: str) -> Decimal | None:
        try:
            value = Decimal(str(data[key]))
            return value if value.is_finite() else None
        except (KeyError, ArithmeticError, ValueError):
            return None

    summary = ""
    if slug is not None and dec("roi") is not None:
        figures = ""
        if dec("spend") is not None or dec("gmv") is not None:
            figures = t("budget.prefill.figures", deps.locale, spend=fmt.money(dec("spend")),
                        gmv=fmt.money(dec("gmv")), window=str(data.get("window") or "")[:40])
        summary = t("budget.prefill", deps.locale, channel=channel_name(deps, slug), roi=fmt.roi(dec("roi")),
                    floor=fmt.roi(dec("floor") or deps.settings.floor_for(slug)), figures=figures)
    # an alert without a channel (e.g. the campaign monitor) sends its finding as the reason
    reason = summary or str(data.get("reason") or "")[:300]
    return form(deps, channel=slug, amount=amount, reason=reason, alert_summary=reason or None,
                metadata={k: v for k, v in metadata.items() if isinstance(v, str) and len(v) < 100})


def handle_request_submission(deps: Deps, ack: Ack, body: Json, client: WebClient) -> None:
    """Validate in the ack (errors show under the inputs), then post the card and confirm."""
    user = _user(body)
    metadata = _metadata(body)
    raw_amount = _text_input(body, view.AMOUNT)
    slug = _get(_input(body, view.CHANNEL), "selected_option", "value")
    reason = _text_input(body, view.REASON)
    errors: dict[str, str] = {}
    if not isinstance(slug, str) or slug not in deps.registry.slugs:
        errors[view.CHANNEL] = t("budget.err.no_channel", deps.locale)
    amount: Decimal | None = None
    try:
        amount = budget.parse_amount(raw_amount)
    except BudgetError as exc:
        errors[view.AMOUNT] = budget_error_text(deps, exc)
    if user is None:
        errors[view.REASON] = t("budget.err.stale_form", deps.locale)
    if errors or amount is None or user is None or not isinstance(slug, str):
        ack(response_action="errors", errors=errors)
        return
    alert_channel, alert_ts = metadata.get("alert_channel"), metadata.get("alert_ts")
    view_id = _get(body, "view", "id")
    new = NewRequest(
        month=budget.month_of(deps.today()), channel=slug, amount=amount, reason=reason, requester=user,
        roi=channel_roi(deps, slug), client_key=f"view:{view_id}" if isinstance(view_id, str) else None,
        origin_channel=metadata.get("origin"), alert_channel=alert_channel, alert_ts=alert_ts,
        alert_link=alert_link(client, alert_channel, alert_ts),
    )
    try:
        request, created = create(deps, new)
    except BudgetError as exc:
        ack(response_action="errors", errors={_ERROR_BLOCK.get(exc.code, view.AMOUNT): budget_error_text(deps, exc)})
        return
    ack()
    deliver(deps, client, request, created, user=user)


def post_new(deps: Deps, client: WebClient, request: Request, created: bool) -> str:
    """Post the card of a request just created (not of a retry); what to tell the requester."""
    if not created:
        return confirm(deps, request, created)
    try:
        publish(deps, client, request)
    except (SlackApiError, DeliveryError):
        eid = error_id()
        log.exception("budget card for request %s not posted", request.id, extra={"error_id": eid})
        return t("budget.note.failed", deps.locale, error_id=eid)
    return confirm(deps, request, created)


def deliver(deps: Deps, client: WebClient, request: Request, created: bool, *, user: str,
            respond: Callable[..., Any] | None = None) -> None:
    """Post the card of a new request and confirm to the requester (respond, or ephemeral where they asked)."""
    text = post_new(deps, client, request, created)
    if respond is not None:
        respond(text=text, response_type="ephemeral")
    else:
        tell(client, user=user, channel=request.origin_channel, text=text)


def handle_reject_submission(deps: Deps, ack: Ack, body: Json, client: WebClient) -> None:
    user = _user(body)
    request_id = _request_id(_metadata(body).get("request_id"))
    reason = _text_input(body, view.REASON)
    if user is None or request_id is None:
        ack(response_action="errors", errors={view.REASON: t("budget.err.stale_form", deps.locale)})
        return
    try:
        decision = budget.reject(deps.engine, request_id, user=user, roles=roles_of(deps, client, user),
                                 reason=reason, now=deps.now())
    except BudgetError as exc:
        ack(response_action="errors", errors={view.REASON: budget_error_text(deps, exc)})
        return
    ack()
    after_decision(deps, client, decision, user=user)
    request = decision.request
    name = channel_name(deps, request.channel) if request is not None else ""
    where = request.card_channel if request is not None else None
    tell(client, user=user, channel=where or _metadata(body).get("origin"),
         text=view.note(decision, channel_name=name, locale=deps.locale))
