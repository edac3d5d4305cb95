"""The budget feature's Slack side: who is who, the approval card posted and edited, the requester told.

    request, created = create(deps, new)            # validated and stored (BudgetError)
    text = post_new(deps, client, request, created)  # the card in APPROVALS_CHANNEL; what to tell the requester
    after_decision(deps, client, decision, user=u, locales=locales)  # card edited (or repaired), requester DMed
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import approvers
from handlers.delivery import UNPACED, DeliveryError, Poster, error_id, send
from handlers.locales import UserLocales
from handlers.views import budget as view
from handlers.views import fmt
from handlers.views.message import Message
from handlers.views.texts import t
from metrics import budget, sales
from metrics.budget import BudgetError, Decision, NewRequest, Request
from metrics.channels import UnknownChannel
from metrics.runtime import Deps
from metrics.windows import parse_window

log = logging.getLogger(__name__)

Json = dict[str, Any]


# -- who is who ----------------------------------------------------------------------------------------------


def roles_of(deps: Deps, client: WebClient, user: str) -> frozenset[str]:
    return approvers.roles_of(deps.settings, client, user)


def channel_name(deps: Deps, slug: str, locale: str | None = None) -> str:
    try:
        return deps.registry.get(slug).display(locale or deps.locale)
    except UnknownChannel:
        return slug


def channel_roi(deps: Deps, slug: str) -> Decimal | None:
    """The channel's ROI over the ROI-guard window (trailing whole days), computed now."""
    window = parse_window(f"{deps.settings.roi_guard_days}d", today=deps.today())
    with deps.engine.connect() as conn:
        return sales.roi(conn, window=window, channel=slug, basis=deps.settings.roi_basis).roi


def budget_error_text(deps: Deps, exc: BudgetError, locale: str | None = None) -> str:
    """The sentence for a refused budget action, in `locale` (the asker's) or BOT_LOCALE; amounts exact."""
    params = {k: fmt.money(v) if isinstance(v, Decimal) else v for k, v in exc.params.items()}
    try:
        return t(f"budget.err.{exc.code}", locale or deps.locale, **params)
    except KeyError:
        return str(exc)


# -- Slack side effects -------------------------------------------------------------------------------------------


def card_message(deps: Deps, request: Request, *, roi_now: Decimal | None = None,
                 roi_now_at: datetime | None = None) -> Message:
    pool_left = budget.pool_left(deps.engine, request.month) if request.status == budget.RELEASED else None
    outlook = None
    if request.status == budget.PENDING:
        with deps.engine.connect() as conn:
            outlook = budget.outlook(conn, request)
    ctx = view.CardContext(channel_name=channel_name(deps, request.channel), locale=deps.locale,
                           tz=deps.settings.tz, roi_days=deps.settings.roi_guard_days, pool_left=pool_left,
                           roi_now=roi_now, roi_now_at=roi_now_at, outlook=outlook)
    return view.card(request, ctx)


def update_card(deps: Deps, client: WebClient, request: Request, **roi: Any) -> str | None:
    """Edit the card in place (chat.update). When Slack refuses, the card is marked stale in the ledger,
    so the next click on it redraws it (`repair_card`), and the error id is returned for the clicker."""
    if not (request.card_channel and request.card_ts):
        return None
    card = card_message(deps, request, **roi)
    try:
        client.chat_update(channel=request.card_channel, ts=request.card_ts, text=card.text, blocks=card.blocks)
    except (SlackApiError, OSError) as exc:
        eid = error_id()
        why = exc.response.get("error") if isinstance(exc, SlackApiError) else exc
        log.warning("budget card %s not updated: %s", request.id, why, extra={"error_id": eid})
        budget.mark_card(deps.engine, request, stale=True, now=deps.now(), detail=f"error id {eid}")
        return eid
    budget.mark_card(deps.engine, request, stale=False, now=deps.now())
    return None


def repair_card(deps: Deps, client: WebClient, request: Request | None) -> None:
    """A click that changed nothing still redraws, from the database, a card whose last edit failed:
    otherwise its buttons and figures would stay as they were before the change."""
    if request is not None and budget.is_card_stale(deps.engine, request.id):
        update_card(deps, client, request)


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


def confirm(deps: Deps, request: Request, created: bool, locale: str) -> str:
    if not created:
        return t("budget.confirm_again", locale, id=request.id)
    return t("budget.confirm", locale, id=request.id, amount=fmt.money(request.amount),
             channel=channel_name(deps, request.channel, locale), approvals=deps.settings.approvals_channel or "")


def check_requester(deps: Deps, client: WebClient, user: str) -> None:
    """Raise BudgetError unless `user` may ask for money (BUDGET_REQUESTERS); before any form opens and
    again before anything is written, so a form opened earlier or a forged submission is refused too."""
    if not approvers.may_request(deps.settings, client, user):
        raise BudgetError("not_requester", f"{user} is not in BUDGET_REQUESTERS")


def create(deps: Deps, client: WebClient, new: NewRequest) -> tuple[Request, bool]:
    """Validate and store (raises BudgetError); the card is `publish`ed after the ack."""
    if not deps.settings.approvals_channel:
        raise BudgetError("no_approvals_channel", "APPROVALS_CHANNEL is not configured")
    check_requester(deps, client, new.requester)
    return budget.create_request(
        deps.engine, new, known=deps.registry.slugs, now=deps.now(),
        ttl=timedelta(hours=deps.settings.budget_request_ttl_hours))


def after_decision(deps: Deps, client: WebClient, decision: Decision, *, user: str, locales: UserLocales,
                   roi_now: Decimal | None = None, roi_now_at: datetime | None = None) -> str | None:
    """A change shows on the card (BOT_LOCALE, the approvers' channel) and reaches the requester (in their
    own Slack language: the DM is theirs alone); nothing changed sends nothing, but a card that missed an
    earlier edit is redrawn. Returns the error id when the card could not be edited."""
    request = decision.request
    if request is None or not decision.changed:
        repair_card(deps, client, request)
        return None
    failed = update_card(deps, client, request, roi_now=roi_now, roi_now_at=roi_now_at)
    pool_left = budget.pool_left(deps.engine, request.month)
    theirs = locales.of(client, request.requester, deps.locale)
    text = view.dm(decision, channel_name=channel_name(deps, request.channel, theirs), locale=theirs, user=user,
                   pool_left=pool_left)
    if text:
        direct_message(client, request.requester, text)
    return failed


def with_card_failure(text: str, failed: str | None, locale: str) -> str:
    """The clicker's note, and when the database changed but the card did not, that too with its error id."""
    return text if failed is None else f"{text} {t('budget.note.card_failed', locale, error_id=failed)}"


def post_new(deps: Deps, client: WebClient, request: Request, created: bool, locale: str) -> str:
    """Post the card of a request just created (not of a retry); what to tell the requester, in `locale`
    (theirs). The card itself is in BOT_LOCALE: the approvers read it in a shared channel, and every later
    edit of it redraws it in the same language without having to remember one."""
    if not created:
        return confirm(deps, request, created, locale)
    try:
        publish(deps, client, request)
    except (SlackApiError, DeliveryError):
        eid = error_id()
        log.exception("budget card for request %s not posted", request.id, extra={"error_id": eid})
        return t("budget.note.failed", locale, error_id=eid)
    return confirm(deps, request, created, locale)


def deliver(deps: Deps, client: WebClient, request: Request, created: bool, *, user: str, locale: str,
            respond: Callable[..., Any] | None = None) -> None:
    """Post the card of a new request and confirm to the requester (respond, or ephemeral where they asked)."""
    text = post_new(deps, client, request, created, locale)
    if respond is not None:
        respond(text=text, response_type="ephemeral")
    else:
        tell(client, user=user, channel=request.origin_channel, text=text)
