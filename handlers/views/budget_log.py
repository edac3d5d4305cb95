"""The budget audit log in words: one formatter of events for `/budget log` (mrkdwn) and `ecombot budget log`
(plain text).

    event_line(e, tz=tz, locale="en", names={"douyin": "Douyin"})
    # "`2026-11-21 10:00` *approved by Finance* <@U0FANG> · #3 · Douyin · ¥50,000.00"
    event_line(e, tz=tz, locale="en", names=names, plain=True)
    # "2026-11-21 10:00  approved by Finance  U0FANG · #3 · Douyin · ¥50,000.00"
    log_view(events, total=n, month="2026-11", locale="en", tz=tz, names=names)   # the Slack message

The ledger keeps machine words (`period_set`, detail `finance: reason`); they are read here and only here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from handlers.views import fmt
from handlers.views.blocks import context_block, header_block, section_block
from handlers.views.limits import FIELD_TEXT, MAX_BLOCKS, SECTION_TEXT, clip
from handlers.views.message import Message
from handlers.views.mrkdwn import Mrkdwn, escape, mention, unescape
from handlers.views.texts import t
from metrics.budget import ROLES, SYSTEM, Event

Json = dict[str, Any]
LOG_LINES = 40
REASON_CHARS = 120
# the detail `allocated` has always been written with: "allocation 0.00 → 14000.00"
_ALLOCATION = re.compile(r"^allocation (-?\d+(?:\.\d+)?) → (-?\d+(?:\.\d+)?)$")
# events whose detail is a role, or starts with one ("ops: not now")
_BY_ROLE = frozenset({"approved", "rejected"})


def _when(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _role_and_rest(detail: str | None) -> tuple[str | None, str]:
    head, sep, rest = (detail or "").partition(":")
    if head in ROLES:
        return head, rest.strip() if sep else ""
    return None, detail or ""


def _what(e: Event, locale: str) -> str:
    role, _ = _role_and_rest(e.detail)
    if e.kind in _BY_ROLE and role is not None:
        return t(f"budget.event.{e.kind}_by", locale, role=t(f"budget.role.{role}", locale))
    try:
        return t(f"budget.event.{e.kind}", locale)
    except KeyError:
        return escape(e.kind)  # a kind this version does not know: shown as it is stored


def _who(actor: str, locale: str, plain: bool) -> str:
    if actor == SYSTEM:
        return t("budget.log.system", locale)
    if plain or actor[:1] not in ("U", "W"):
        return escape(actor)
    return mention(actor)


def _money_of(text: str) -> str:
    try:
        return fmt.money(Decimal(text))
    except InvalidOperation:
        return escape(text)


def _parts(e: Event, locale: str, names: Mapping[str, str]) -> list[str]:
    """What follows who: request, channel, amounts, pool, and the words a person wrote."""
    out: list[str] = []
    if e.request_id is not None:
        out.append(t("budget.log.request", locale, id=e.request_id))
    if e.channel:
        out.append(escape(names.get(e.channel, e.channel)))
    allocation = _ALLOCATION.match(e.detail or "") if e.kind == "allocated" else None
    if e.kind == "period_set":
        out.append(t("budget.log.total", locale, amount=fmt.money(e.amount)))
    elif allocation is not None:
        out.append(f"{_money_of(allocation.group(1))} → {_money_of(allocation.group(2))}")
    elif e.amount is not None:
        out.append(fmt.money(e.amount))
    if e.kind == "period_set" and e.pool_before is None:
        out.append(t("budget.log.pool_set", locale, after=fmt.money(e.pool_after)))
    elif e.pool_before is not None and e.pool_before == e.pool_after and e.kind != "period_set":
        if e.kind != "requested":  # a request moves nothing; its pool is on the card
            out.append(t("budget.log.pool_left", locale, left=fmt.money(e.pool_after)))
    elif e.pool_before is not None or e.pool_after is not None:
        out.append(t("budget.log.pool", locale, before=fmt.money(e.pool_before), after=fmt.money(e.pool_after)))
    _, rest = _role_and_rest(e.detail)
    if e.kind in ("requested", "rejected", "card_stale") and rest:
        out.append(escape(clip(rest, REASON_CHARS)))
    return out


def event_line(e: Event, *, tz: ZoneInfo, locale: str, names: Mapping[str, str], plain: bool = False) -> str:
    """One event as a person says it: when, what (in words), who, request, channel name, ¥ amounts, pool."""
    when, what, who = _when(e.at, tz), _what(e, locale), _who(e.actor, locale, plain)
    rest = "".join(f" · {p}" for p in _parts(e, locale, names))
    if plain:
        return unescape(f"{when}  {what}  {who}{rest}")
    return Mrkdwn(f"`{when}` *{what}* {who}{rest}")


def log_view(events: Sequence[Event], *, total: int, month: str, locale: str, tz: ZoneInfo,
             names: Mapping[str, str]) -> Message:
    """The newest events, grouped into sections under Slack's size limits; says when some are left out."""
    blocks: list[Json] = [header_block(t("budget.log.title", locale, month=month))]
    if not events:
        text = t("budget.log.empty", locale, month=month)
        return Message(text, [*blocks, section_block(text)])
    chunk: list[str] = []
    size = 0
    for line in (event_line(e, tz=tz, locale=locale, names=names) for e in events[-LOG_LINES:]):
        if size + len(line) + 1 > SECTION_TEXT and chunk:
            blocks.append(section_block("\n".join(chunk)))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        blocks.append(section_block("\n".join(chunk)))
    shown = min(len(events), LOG_LINES)
    if total > shown:
        more = t("budget.log.more", locale, shown=shown, total=total, month=month)
        blocks.append(context_block(more, limit=FIELD_TEXT))
    return Message(t("budget.log.title", locale, month=month), blocks[:MAX_BLOCKS])
