"""`/budget [YYYY-MM]`, `/budget request [AMOUNT CHANNEL REASON]`, `/budget log [YYYY-MM]`.

    /budget                                   this month: total, channels, spend, pool, pending requests
    /budget request 50000 douyin KOL slot     a request, posted to APPROVALS_CHANNEL for dual sign-off
    /budget request                           the same as a form (modal)
    /budget log 2026-11                       the audit log

The ack checks what can be checked without the database and answers mistakes at once; the answer
(status and log only to the one who asked) comes through the response_url.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from slack_sdk import WebClient

from handlers.actions import budget_flow as flow
from handlers.actions.budget_modal import form
from handlers.commands.kit import Answer, CommandSpec, Ephemeral, HelpRow, Invocation, UsageError
from handlers.views import budget as view
from handlers.views import budget_log
from handlers.views.message import Message
from handlers.views.texts import t
from metrics import budget, sales
from metrics.budget import BudgetError, NewRequest
from metrics.channels import UnknownChannel
from metrics.runtime import Deps
from metrics.windows import parse_window

log = logging.getLogger(__name__)


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
            # `/budget request douyin 50000 …` reads as well; when neither word is an amount, the one to
            # blame is the word that is not the channel (`douyin 1e9` names `1e9`)
            try:
                amount, name = budget.parse_amount(second), first
            except BudgetError as other:
                raise (other if _is_channel(deps, first) else exc) from None
        return Parsed("request", amount=amount, channel=deps.registry.resolve(name).slug,
                      reason=budget.validate_reason(reason))
    if head in ("log", "日志"):
        return Parsed("log", month=budget.parse_month(rest) if rest.strip() else None)
    if head in ("help", "帮助") or rest.strip():
        raise UsageError("usage")
    return Parsed("status", month=budget.parse_month(head))


def _is_channel(deps: Deps, word: str) -> bool:
    try:
        deps.registry.resolve(word)
    except UnknownChannel:
        return False
    return True


def describe(deps: Deps, exc: Exception, locale: str) -> str | None:
    if isinstance(exc, BudgetError):
        return flow.budget_error_text(deps, exc, locale)
    if isinstance(exc, UsageError):
        return t("budget.usage", locale)
    return None  # unknown channel: the kit's sentence


def answer(deps: Deps, parsed: Parsed, inv: Invocation, client: WebClient) -> Answer:
    locale = inv.locale
    month = parsed.month or budget.month_of(deps.today())
    if parsed.action == "status":
        return Ephemeral(status(deps, month, locale))
    if parsed.action == "log":
        with deps.engine.connect() as conn:
            events = budget.events(conn, month, limit=budget_log.LOG_LINES)
            total = budget.count_events(conn, month)
        names = {c.slug: c.display(locale) for c in deps.registry}
        return Ephemeral(budget_log.log_view(events, total=total, month=month, locale=locale, tz=deps.settings.tz,
                                             names=names))
    if parsed.action == "form":
        if not deps.settings.approvals_channel:
            raise BudgetError("no_approvals_channel", "APPROVALS_CHANNEL is not configured")
        flow.check_requester(deps, client, inv.user_id)
        request_form = form(deps, locale, metadata={"origin": inv.channel_id, "locale": locale})
        client.views_open(trigger_id=inv.trigger_id, view=view.request_modal(request_form, locale))
        return None
    assert parsed.channel is not None and parsed.amount is not None
    new = NewRequest(month=month, channel=parsed.channel, amount=parsed.amount, reason=parsed.reason,
                     requester=inv.user_id, roi=flow.channel_roi(deps, parsed.channel),
                     client_key=f"cmd:{inv.trigger_id}" if inv.trigger_id else None,
                     origin_channel=inv.channel_id or None)
    request, created = flow.create(deps, client, new)
    return Ephemeral(Message(flow.post_new(deps, client, request, created, locale)))


SPEC = CommandSpec(
    "/budget", parse=parse, answer=answer, user_errors=(BudgetError,), describe=describe,
    help=(
        HelpRow("usage.budget", "/budget", "help.budget"),
        HelpRow("usage.budget_request", "/budget request 50000 douyin KOL slot for 11.11 live", "help.budget_request"),
        HelpRow("usage.budget_log", "/budget log 2026-11", "help.budget_log"),
    ),
)


def status(deps: Deps, month: str, locale: str | None = None) -> Message:
    """The month's budget status in `locale` (the asker's; the bot's default when None)."""
    locale = locale or deps.locale
    settings = deps.settings
    slugs = list(deps.registry.slugs)
    window = parse_window(f"{settings.roi_guard_days}d", today=deps.today())
    with deps.engine.connect() as conn:
        rois = {r.channel or "": r.roi for r in sales.roi_by_channel(conn, window=window, channels=slugs,
                                                                      basis=settings.roi_basis)}
        st = budget.status(conn, month, today=deps.today(), channels=slugs,
                           floors={s: settings.floor_for(s) for s in slugs}, roi=rois)
    names = {c.slug: c.display(locale) for c in deps.registry}
    return view.status_view(st, names=names, locale=locale, roi_days=settings.roi_guard_days)
