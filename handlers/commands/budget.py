"""`/budget [YYYY-MM]`, `/budget request [AMOUNT CHANNEL REASON]`, `/budget log [YYYY-MM]`.

    /budget                                   this month: total, channels, spend, pool, pending requests
    /budget request 50000 douyin KOL slot     a request, posted to APPROVALS_CHANNEL for dual sign-off
    /budget request                           the same as a form (modal)
    /budget log 2026-11                       the audit log

The ack checks what can be checked without the database and answers mistakes at once; the lazy
listener does the rest and answers through the response_url.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers.actions import budget as flow
from handlers.commands.roi import error_text
from handlers.views import budget as view
from handlers.views.texts import t
from metrics import budget, sales
from metrics.budget import BudgetError, NewRequest
from metrics.channels import UnknownChannel
from metrics.runtime import Deps
from metrics.windows import parse_window

log = logging.getLogger(__name__)


class UsageError(ValueError):
    pass


@dataclass(frozen=True)
class Parsed:
    action: str  # status, request, form, log
    month: str | None = None
    amount: Decimal | None = None
    channel: str | None = None
    reason: str = ""


def parse(deps: Deps, text: str) -> Parsed:
    """Read the command text (raises BudgetError, UnknownChannel or UsageError)."""
    words = text.split(None, 1)
    if not words:
        return Parsed("status")
    head, rest = words[0].lower(), (words[1] if len(words) > 1 else "")
    if head in ("request", "req", "申请"):
        if not rest.strip():
            return Parsed("form")
        parts = rest.split(None, 2)
        if len(parts) < 3:
            raise UsageError("usage")
        first, second, reason = parts
        try:
            amount, name = budget.parse_amount(first), second
        except BudgetError as exc:
            # `/budget request douyin 50000 …` reads as well; otherwise the first word's error is the one
            try:
                amount, name = budget.parse_amount(second), first
            except BudgetError:
                raise exc from None
        return Parsed("request", amount=amount, channel=deps.registry.resolve(name).slug,
                      reason=budget.validate_reason(reason))
    if head in ("log", "日志"):
        return Parsed("log", month=budget.parse_month(rest) if rest.strip() else None)
    if head in ("help", "帮助") or rest.strip():
        raise UsageError("usage")
    return Parsed("status", month=budget.parse_month(head))


def _error(deps: Deps, exc: Exception) -> str:
    if isinstance(exc, BudgetError):
        return flow.budget_error_text(deps, exc)
    if isinstance(exc, UnknownChannel):
        return error_text(deps, exc)
    return t("budget.usage", deps.locale)


def register(app: App, deps: Deps) -> None:
    def ack_budget(ack: Ack, command: dict[str, Any]) -> None:
        try:
            parse(deps, str(command.get("text") or ""))
        except (BudgetError, UnknownChannel, UsageError) as exc:
            ack(response_type="ephemeral", text=_error(deps, exc))
            return
        ack()

    def run_budget(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        try:
            parsed = parse(deps, str(command.get("text") or ""))
        except (BudgetError, UnknownChannel, UsageError):
            return  # answered by the ack
        try:
            answer(deps, parsed, command, client, respond)
        except BudgetError as exc:
            respond(response_type="ephemeral", text=_error(deps, exc))
        except Exception:
            eid = flow.error_id()
            log.exception("budget command failed", extra={"error_id": eid})
            respond(response_type="ephemeral", text=t("err.internal", deps.locale, error_id=eid))

    app.command("/budget")(ack=ack_budget, lazy=[run_budget])


def answer(deps: Deps, parsed: Parsed, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
    locale = deps.locale
    month = parsed.month or budget.month_of(deps.today())
    if parsed.action == "status":
        text, blocks = status(deps, month)
        respond(response_type="ephemeral", text=text, blocks=blocks)
    elif parsed.action == "log":
        with deps.engine.connect() as conn:
            events = budget.events(conn, month, limit=view.LOG_LINES)
            total = budget.count_events(conn, month)
        text, blocks = view.log_view(events, total=total, month=month, locale=locale, tz=deps.settings.tz)
        respond(response_type="ephemeral", text=text, blocks=blocks)
    elif parsed.action == "form":
        if not deps.settings.approvals_channel:
            raise BudgetError("no_approvals_channel", "APPROVALS_CHANNEL is not configured")
        client.views_open(trigger_id=command["trigger_id"],
                          view=view.request_modal(flow.form(deps, metadata={"origin": command.get("channel_id")}),
                                                  locale))
    else:
        assert parsed.channel is not None and parsed.amount is not None
        user = str(command.get("user_id") or "")
        trigger = command.get("trigger_id")
        new = NewRequest(month=month, channel=parsed.channel, amount=parsed.amount, reason=parsed.reason,
                         requester=user, roi=flow.channel_roi(deps, parsed.channel),
                         client_key=f"cmd:{trigger}" if trigger else None,
                         origin_channel=command.get("channel_id"))
        request, created = flow.create(deps, new)
        flow.deliver(deps, client, request, created, user=user, respond=respond)


def status(deps: Deps, month: str) -> tuple[str, list[dict[str, Any]]]:
    settings = deps.settings
    slugs = list(deps.registry.slugs)
    window = parse_window(f"{settings.roi_guard_days}d", today=deps.today())
    with deps.engine.connect() as conn:
        rois = {r.channel or "": r.roi for r in sales.roi_by_channel(conn, window=window, channels=slugs)}
        st = budget.status(conn, month, today=deps.today(), channels=slugs,
                           floors={s: settings.floor_for(s) for s in slugs}, roi=rois)
    names = {c.slug: c.display(deps.locale) for c in deps.registry}
    return view.status_view(st, names=names, locale=deps.locale, roi_days=settings.roi_guard_days)
