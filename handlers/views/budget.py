"""Budget messages and modals: metrics.budget results in, Block Kit dicts out. Pure: no Slack calls, no SQL.

    text, blocks = card(request, CardContext(channel_name="Douyin", locale="en", tz=tz, roi_days=3))
    view = request_modal(RequestForm(channels=[("douyin", "Douyin")], month="2026-11", pool_left=Decimal(1)))
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from handlers.views import fmt
from handlers.views.blocks import context_block, header_block, section_block
from handlers.views.limits import FIELD_TEXT, MESSAGE_TEXT, clip
from handlers.views.message import Message
from handlers.views.mrkdwn import mention, unescape
from handlers.views.texts import t
from metrics.budget import FINANCE, OPS, ROLES, BudgetStatus, Decision, Outcome, Outlook, Request

APPROVE, REJECT, OPEN = "budget_approve", "budget_reject", "budget_request_open"
REQUEST_MODAL, REJECT_MODAL = "budget_request_modal", "budget_reject_modal"
DECISION_BLOCK = "budget_decision"
AMOUNT, CHANNEL, REASON = "amount", "channel", "reason"  # block ids of the request modal
INPUT = "value"  # action id of every modal input
PRIVATE_METADATA = 3000

Json = dict[str, Any]


def _when(moment: datetime | None, tz: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _role(role: str, locale: str) -> str:
    return t(f"budget.role.{role}", locale)


def _other(role: str | None) -> str:
    return OPS if role == FINANCE else FINANCE








# -- the approval card ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardContext:
    channel_name: str
    locale: str
    tz: ZoneInfo
    roi_days: int
    pool_left: Decimal | None = None  # the pool now, shown once released
    roi_now: Decimal | None = None  # the channel's ROI recomputed at the latest click
    roi_now_at: datetime | None = None
    outlook: Outlook | None = None  # while pending: the pool now, other pending requests, the guard's pause


def card(request: Request, ctx: CardContext) -> Message:
    """The approval card: who asks, how much, why, the pool, ROI then and now, who approved, and
    Approve/Reject while pending; the final state without buttons."""
    loc, tz = ctx.locale, ctx.tz
    look = ctx.outlook if request.status == "pending" else None
    if look is not None and look.pool_left is not None:
        pool = t("budget.card.pool_now", loc, before=fmt.money(look.pool_left), after=fmt.money(look.after))
    else:
        pool = t("budget.card.pool", loc, before=fmt.money(request.pool_before), after=fmt.money(request.pool_after))
    fields = [
        t("budget.card.requester", loc, user=request.requester),
        t("budget.card.amount", loc, amount=fmt.money(request.amount)),
        t("budget.card.channel", loc, channel=ctx.channel_name),
        pool,
        t("budget.card.roi", loc, days=ctx.roi_days, roi=fmt.roi(request.roi)),
    ]
    if look is not None and look.others_count:
        fields.append(t("budget.card.others", loc, count=look.others_count, amount=fmt.money(look.others)))
    if ctx.roi_now_at is not None:
        fields.append(t("budget.card.roi_now", loc, days=ctx.roi_days, when=_when(ctx.roi_now_at, tz),
                        roi=fmt.roi(ctx.roi_now), then=fmt.roi(request.roi)))
    blocks: list[Json] = [
        header_block(t("budget.card.title", loc, id=request.id)),
        SectionBlock(fields=[MarkdownTextObject(text=clip(f, FIELD_TEXT)) for f in fields]).to_dict(),
        section_block(t("budget.card.reason", loc, reason=request.reason)),
    ]
    if request.alert_link:
        blocks.append(context_block(t("budget.card.alert", loc, link=request.alert_link), limit=FIELD_TEXT))
    warnings = []
    if look is not None and look.paused:
        warnings.append(t("budget.card.paused", loc, channel=ctx.channel_name))
    if look is not None and look.short:
        warnings.append(t("budget.card.short", loc, after=fmt.money(look.after), others=fmt.money(look.others),
                          count=look.others_count))
    if warnings:
        blocks.append(section_block("\n".join(warnings)))
    lines = []
    for role in ROLES:
        a = request.approver(role)
        if a is not None:
            lines.append(t("budget.card.approved", loc, role=_role(role, loc), user=a.user_id,
                           when=_when(a.at, tz), roi=fmt.roi(a.roi)))
        elif request.status == "pending":
            lines.append(t("budget.card.waiting", loc, role=_role(role, loc)))
    if lines:
        blocks.append(section_block("\n".join(lines)))
    if request.status == "released":
        left = ctx.pool_left if ctx.pool_left is not None else request.pool_after
        blocks.append(section_block(t("budget.card.released", loc, amount=fmt.money(request.amount),
                                 channel=ctx.channel_name, when=_when(request.decided_at, tz),
                                 left=fmt.money(left))))
    elif request.status == "rejected":
        blocks.append(section_block(t("budget.card.rejected", loc, user=request.decided_by or "",
                                 when=_when(request.decided_at, tz), reason=request.reject_reason or "")))
    elif request.status == "expired":
        blocks.append(section_block(t("budget.card.expired", loc, when=_when(request.decided_at, tz))))
    else:
        if request.note:
            blocks.append(section_block(t("budget.card.note", loc, note=request.note)))
        blocks.append(ActionsBlock(block_id=DECISION_BLOCK, elements=[
            ButtonElement(text=t("budget.btn.approve", loc), action_id=APPROVE, value=str(request.id),
                          style="primary", confirm=_release_confirm(request, ctx) if request.approvals else None),
            ButtonElement(text=t("budget.btn.reject", loc), action_id=REJECT, value=str(request.id),
                          style="danger"),
        ]).to_dict())
        expires = t("budget.card.expires", loc, when=_when(request.expires_at, tz))
        blocks.append(context_block(expires, limit=FIELD_TEXT))
    text = t("budget.card.text", loc, id=request.id, amount=fmt.money(request.amount), channel=ctx.channel_name,
             user=mention(request.requester), state=t(f"budget.state.{request.status}", loc))
    return Message(clip(text, MESSAGE_TEXT), blocks)


def _release_confirm(request: Request, ctx: CardContext) -> ConfirmObject:
    """The dialog on the Approve that would move the money: one role has approved, so the next
    approval is the release, and a stray click must not be enough for it."""
    loc = ctx.locale
    text = t("budget.release.text", loc, amount=fmt.money(request.amount), channel=ctx.channel_name)
    return ConfirmObject(title=_plain(t("budget.release.title", loc), 100), text=clip(text, 300),
                         confirm=_plain(t("budget.release.confirm", loc), 30),
                         deny=_plain(t("budget.release.deny", loc), 30), style="primary")


# -- what the clicker and the requester are told ---------------------------------------------------------------


def note(decision: Decision, *, channel_name: str, locale: str, pool_left: Decimal | None = None) -> str:
    """The ephemeral line for the person who clicked."""
    r = decision.request
    if r is None:
        return t("budget.note.not_found", locale)
    values: Json = {
        "id": r.id, "amount": fmt.money(r.amount), "channel": channel_name,
        "role": _role(decision.role or FINANCE, locale), "other": _role(_other(decision.role), locale),
        "state": t(f"budget.state.{r.status}", locale), "left": fmt.money(pool_left),
    }
    return t(f"budget.note.{decision.outcome.value}", locale, **values)


def dm(decision: Decision, *, channel_name: str, locale: str, user: str,
       pool_left: Decimal | None = None) -> str | None:
    """What the requester is told in a DM after a change, or None when nothing changed or they heard it already."""
    r = decision.request
    if r is None or not decision.changed or decision.told:
        return None
    return t(f"budget.dm.{decision.outcome.value}", locale, id=r.id, amount=fmt.money(r.amount),
             channel=channel_name, user=user, role=_role(decision.role or FINANCE, locale),
             other=_role(_other(decision.role), locale), reason=r.reject_reason or "", left=fmt.money(pool_left))


def expired_decision(request: Request) -> Decision:
    return Decision(Outcome.EXPIRED, request)


# -- /budget ----------------------------------------------------------------------------------------------------


def status_view(st: BudgetStatus, *, names: dict[str, str], locale: str, roi_days: int) -> Message:
    loc = locale
    blocks: list[Json] = [header_block(t("budget.status.title", loc, month=st.month))]
    if st.period is None:
        text = t("budget.status.none", loc, month=st.month)
        return Message(text, [*blocks, section_block(text)])
    p = st.period
    blocks.append(section_block(t("budget.status.totals", loc, total=fmt.money_in(p.total, loc),
                                  pool=fmt.money_in(p.pool, loc), left=fmt.money_in(p.pool_left, loc))))
    lines = []
    for c in st.channels:
        if not (c.budget or c.spend or c.paused or c.below_floor):
            continue
        extra = t("budget.status.released", loc, released=fmt.money_in(c.released, loc)) if c.released else ""
        if c.paused:
            extra += t("budget.status.paused", loc, roi=fmt.roi(c.roi), floor=fmt.roi(c.floor))
        elif c.below_floor:
            extra += t("budget.status.below_floor", loc, roi=fmt.roi(c.roi), floor=fmt.roi(c.floor))
        lines.append(t("budget.status.channel", loc, channel=names.get(c.channel, c.channel),
                       budget=fmt.money_in(c.budget, loc), spend=fmt.money_in(c.spend, loc),
                       remaining=fmt.money_in(c.remaining, loc),
                       extra=extra))
    if lines:
        blocks.append(section_block("\n".join(lines)))
    if st.pending:
        pend = [t("budget.status.pending", loc, count=len(st.pending), amount=fmt.money_in(st.pending_amount, loc))]
        pend += [t("budget.status.pending_line", loc, id=r.id, amount=fmt.money_in(r.amount, loc),
                   channel=names.get(r.channel, r.channel), user=r.requester, reason=clip(r.reason, 120))
                 for r in st.pending]
        blocks.append(section_block("\n".join(pend)))
    else:
        blocks.append(section_block(t("budget.status.no_pending", loc)))
    blocks.append(context_block(t("budget.status.footer", loc, date=st.spend_through.isoformat(),
                                  unallocated=fmt.money_in(st.unallocated, loc), days=roi_days), limit=FIELD_TEXT))
    text = f"{t('budget.status.title', loc, month=st.month)}: " + t(
        "budget.status.totals", loc, total=fmt.money_in(p.total, loc), pool=fmt.money_in(p.pool, loc),
        left=fmt.money_in(p.pool_left, loc))
    return Message(text.replace("*", ""), blocks)


# -- modals -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestForm:
    channels: Sequence[tuple[str, str]]  # (slug, display name)
    month: str
    pool_left: Decimal | None
    channel: str | None = None
    amount: Decimal | None = None
    reason: str = ""
    alert_summary: str | None = None
    metadata: Json = field(default_factory=dict)  # where it came from: origin channel, alert channel/ts


def _plain(text: str, limit: int = 75) -> PlainTextObject:
    return PlainTextObject(text=clip(unescape(text), limit))


def request_modal(form: RequestForm, locale: str) -> Json:
    options = [Option(value=slug, text=clip(name, 75)) for slug, name in form.channels][:100]
    initial = next((o for o in options if o.value == form.channel), None)
    blocks: list[Any] = [
        SectionBlock(text=MarkdownTextObject(text=t("budget.modal.pool", locale, month=form.month,
                                                    left=fmt.money(form.pool_left)))),
    ]
    if form.alert_summary:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=clip(t("budget.modal.alert", locale, summary=form.alert_summary), FIELD_TEXT))]))
    blocks += [
        InputBlock(block_id=AMOUNT, label=_plain(t("budget.modal.amount", locale), 2000),
                   hint=_plain(t("budget.modal.amount_hint", locale), 2000),
                   element=PlainTextInputElement(action_id=INPUT, max_length=20,
                                                 initial_value=str(form.amount) if form.amount else None)),
        InputBlock(block_id=CHANNEL, label=_plain(t("budget.modal.channel", locale), 2000),
                   element=StaticSelectElement(action_id=INPUT, options=options, initial_option=initial)),
        InputBlock(block_id=REASON, label=_plain(t("budget.modal.reason", locale), 2000),
                   element=PlainTextInputElement(action_id=INPUT, multiline=True, max_length=1000,
                                                 initial_value=clip(form.reason, 1000) or None)),
    ]
    return View(
        type="modal", callback_id=REQUEST_MODAL, title=_plain(t("budget.modal.title", locale), 24),
        submit=_plain(t("budget.modal.submit", locale), 24), close=_plain(t("budget.modal.cancel", locale), 24),
        private_metadata=clip(json.dumps(form.metadata), PRIVATE_METADATA), blocks=blocks,
    ).to_dict()


def reject_modal(request_id: int, metadata: Json, locale: str) -> Json:
    return View(
        type="modal", callback_id=REJECT_MODAL, title=_plain(t("budget.reject.title", locale), 24),
        submit=_plain(t("budget.reject.submit", locale), 24), close=_plain(t("budget.modal.cancel", locale), 24),
        private_metadata=json.dumps({**metadata, "request_id": request_id}),
        blocks=[InputBlock(block_id=REASON, label=_plain(t("budget.reject.label", locale, id=request_id), 2000),
                           element=PlainTextInputElement(action_id=INPUT, multiline=True, max_length=1000))],
    ).to_dict()
