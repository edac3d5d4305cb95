"""The budget request modal and the reject-reason modal: prefilled forms in, validated submissions out.

    form(deps, channel="douyin", reason="ROI alert …")     # what the modal opens with
    handle_request_submission(deps, ack, body, client)    # field errors shown under the fields, or the card posted
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from handlers.actions import payload
from handlers.actions.budget_flow import (
    after_decision,
    alert_link,
    budget_error_text,
    channel_name,
    channel_roi,
    create,
    deliver,
    roles_of,
    tell,
    with_card_failure,
)
from handlers.locales import UserLocales
from handlers.views import budget as view
from handlers.views import fmt
from handlers.views.texts import LOCALES, t
from metrics import budget
from metrics.budget import BudgetError, NewRequest
from metrics.channels import UnknownChannel
from metrics.runtime import Deps

log = logging.getLogger(__name__)

Json = dict[str, Any]

# the code of a BudgetError → the modal input it belongs to
_ERROR_BLOCK = {"amount_over_pool": view.AMOUNT, "bad_amount": view.AMOUNT, "amount_places": view.AMOUNT,
                "amount_positive": view.AMOUNT, "no_period": view.AMOUNT, "unknown_channel": view.CHANNEL,
                "no_reason": view.REASON, "reason_too_long": view.REASON,
                "reason_control": view.REASON, "not_requester": view.REASON}


# -- the request modal ---------------------------------------------------------------------------------------------


def form(deps: Deps, locale: str | None = None, **values: Any) -> view.RequestForm:
    """The request form, its channel names in `locale` (the asker's; BOT_LOCALE when None)."""
    month = budget.month_of(deps.today())
    return view.RequestForm(
        channels=[(c.slug, c.display(locale or deps.locale)) for c in deps.registry], month=month,
        pool_left=budget.pool_left(deps.engine, month), **values)


def prefill(deps: Deps, raw: Any, metadata: Json, locale: str | None = None) -> view.RequestForm:
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
            figures = t("budget.prefill.figures", locale or deps.locale, spend=fmt.money(dec("spend")),
                        gmv=fmt.money(dec("gmv")), window=str(data.get("window") or "")[:40])
        summary = t("budget.prefill", locale or deps.locale, channel=channel_name(deps, slug, locale),
                    roi=fmt.roi(dec("roi")),
                    floor=fmt.roi(dec("floor") or deps.settings.floor_for(slug)), figures=figures)
    # an alert without a channel (e.g. the campaign monitor) sends its finding as the reason
    reason = summary or str(data.get("reason") or "")[:300]
    return form(deps, locale, channel=slug, amount=amount, reason=reason, alert_summary=reason or None,
                metadata={k: v for k, v in metadata.items() if isinstance(v, str) and len(v) < 100})


def form_locale(deps: Deps, metadata: Json) -> str:
    """The language a form was opened in (kept in its metadata), so its errors and answers stay in it."""
    asked = metadata.get("locale")
    return asked if isinstance(asked, str) and asked in LOCALES else deps.locale


def handle_request_submission(deps: Deps, ack: Ack, body: Json, client: WebClient) -> None:
    """Validate in the ack (errors show under the inputs), then post the card and confirm, in the language
    the form was opened in (`/budget request --zh` keeps zh to the end)."""
    user = payload.user_of(body)
    metadata = payload.metadata(body)
    locale = form_locale(deps, metadata)
    raw_amount = payload.text_input(body, view.AMOUNT, view.INPUT)
    slug = payload.get(payload.input_of(body, view.CHANNEL, view.INPUT), "selected_option", "value")
    reason = payload.text_input(body, view.REASON, view.INPUT)
    errors: dict[str, str] = {}
    if not isinstance(slug, str) or slug not in deps.registry.slugs:
        errors[view.CHANNEL] = t("budget.err.no_channel", locale)
    amount: Decimal | None = None
    try:
        amount = budget.parse_amount(raw_amount)
    except BudgetError as exc:
        errors[view.AMOUNT] = budget_error_text(deps, exc, locale)
    if user is None:
        errors[view.REASON] = t("budget.err.stale_form", locale)
    if errors or amount is None or user is None or not isinstance(slug, str):
        ack(response_action="errors", errors=errors)
        return
    alert_channel, alert_ts = metadata.get("alert_channel"), metadata.get("alert_ts")
    view_id = payload.get(body, "view", "id")
    new = NewRequest(
        month=budget.month_of(deps.today()), channel=slug, amount=amount, reason=reason, requester=user,
        roi=channel_roi(deps, slug), client_key=f"view:{view_id}" if isinstance(view_id, str) else None,
        origin_channel=metadata.get("origin"), alert_channel=alert_channel, alert_ts=alert_ts,
        alert_link=alert_link(client, alert_channel, alert_ts),
    )
    try:
        request, created = create(deps, client, new)
    except BudgetError as exc:
        block = _ERROR_BLOCK.get(exc.code, view.AMOUNT)
        ack(response_action="errors", errors={block: budget_error_text(deps, exc, locale)})
        return
    ack()
    deliver(deps, client, request, created, user=user, locale=locale)


def handle_reject_submission(deps: Deps, ack: Ack, body: Json, client: WebClient, locales: UserLocales) -> None:
    user = payload.user_of(body)
    metadata = payload.metadata(body)
    locale = form_locale(deps, metadata)
    request_id = payload.request_id(metadata.get("request_id"))
    reason = payload.text_input(body, view.REASON, view.INPUT)
    if user is None or request_id is None:
        ack(response_action="errors", errors={view.REASON: t("budget.err.stale_form", locale)})
        return
    try:
        decision = budget.reject(deps.engine, request_id, user=user, roles=roles_of(deps, client, user),
                                 reason=reason, now=deps.now())
    except BudgetError as exc:
        ack(response_action="errors", errors={view.REASON: budget_error_text(deps, exc, locale)})
        return
    ack()
    failed = after_decision(deps, client, decision, user=user, locales=locales)
    request = decision.request
    name = channel_name(deps, request.channel, locale) if request is not None else ""
    where = request.card_channel if request is not None else None
    tell(client, user=user, channel=where or metadata.get("origin"),
         text=with_card_failure(view.note(decision, channel_name=name, locale=locale), failed, locale))
