"""Expire contingency budget requests that waited longer than BUDGET_REQUEST_TTL_HOURS (SPEC §6).

    expire_requests(deps, client)   # → how many expired; their cards lose the buttons, requesters get a DM

The card is the approvers' channel's, in BOT_LOCALE; the DM is the requester's alone, in their own Slack
language, as the DMs of a click are.

The scheduler calls it; `ecombot budget expire` too. The rule and the locked transaction are in
`metrics.budget.expire_due`; this only tells Slack.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.actions.budget_flow import channel_name
from handlers.locales import UserLocales
from handlers.views import budget as view
from jobs.kit.context import JobContext, Outcome
from metrics import budget
from metrics.runtime import Deps

log = logging.getLogger(__name__)


def expire_requests(deps: Deps, client: WebClient | None) -> int:
    expired = budget.expire_due(deps.engine, now=deps.now())
    locales = UserLocales()
    for request in expired:
        log.info("budget request %s expired", request.id)
        if client is not None:
            _tell(deps, client, request, locales)
    return len(expired)


def _tell(deps: Deps, client: WebClient, request: budget.Request, locales: UserLocales) -> None:
    name = channel_name(deps, request.channel)
    decision = view.expired_decision(request)
    if request.card_channel and request.card_ts:
        card = view.card(request, view.CardContext(
            channel_name=name, locale=deps.locale, tz=deps.settings.tz, roi_days=deps.settings.roi_guard_days))
        try:
            client.chat_update(channel=request.card_channel, ts=request.card_ts, text=card.text, blocks=card.blocks)
        except SlackApiError as exc:
            # marked, so the next click on the card redraws it without its buttons
            log.warning("expired budget request %s: card not updated: %s", request.id, exc.response.get("error"))
            budget.mark_card(deps.engine, request, stale=True, now=deps.now(), detail=exc.response.get("error"))
        else:
            budget.mark_card(deps.engine, request, stale=False, now=deps.now())
    try:
        theirs = locales.of(client, request.requester, deps.locale)
        message = view.dm(decision, channel_name=channel_name(deps, request.channel, theirs), locale=theirs,
                          user=budget.SYSTEM)
        if message:
            dm = client.conversations_open(users=request.requester)
            client.chat_postMessage(channel=dm["channel"]["id"], text=message)
    except SlackApiError as exc:
        log.warning("expired budget request %s: requester not told: %s", request.id, exc.response.get("error"))


def run(ctx: JobContext) -> Outcome:
    """The scheduled job: the same expiry as `ecombot budget expire`, every 10 minutes."""
    expired = expire_requests(ctx.deps, ctx.poster.client)
    return Outcome("ok", f"{expired} request(s) expired") if expired else Outcome.empty("nothing to expire")
