"""Alert messages: stock, ROI floor, campaign anomalies, stale data — figures in, Block Kit out. Pure.

    msg = stock_message([("stock:SKU1", item)], day=today, locale="en", footer=footer)
    blocks = with_status(msg.blocks, "stock:SKU1", t("alert.ack", "en", user="U1", when="10:02"))

Every alert in a message owns two blocks: `alert:<key>` (what is wrong) and `act:<key>` (its buttons,
replaced by a status line once someone acted or the alert resolved), so any alert of a grouped
message can be edited in place without touching the others.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from slack_sdk.models.blocks import (
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)

from handlers.views import fmt
from handlers.views.blocks import (
    Block,
    actions_block,
    button,
    confirm_dialog,
    context_block,
    header_block,
    section_block,
)
from handlers.views.limits import MAX_BLOCKS, SECTION_TEXT, clip
from handlers.views.message import Message
from handlers.views.mrkdwn import escape
from handlers.views.texts import t
from metrics.attribution import GmvChange
from metrics.inventory import CRITICAL, DEAD, OVERSTOCK, WARNING, StockItem

ACK, SNOOZE, RESUME, KEEP, BUDGET = "alert_ack", "alert_snooze", "roi_resume", "roi_keep_paused", "budget_request_open"
RESOLVE = "alert_resolve"


def actions_for(key: str, buttons: Sequence[ButtonElement]) -> Block:
    """The buttons of alert `key`: the block a click replaces with who did what."""
    return actions_block(f"act:{key}", buttons)


def ack_snooze(key: str, locale: str, extra: Sequence[ButtonElement] = ()) -> Block:
    return actions_for(key, [button(ACK, t("alert.btn.ack", locale), key, "primary"),
                          button(SNOOZE, t("alert.btn.snooze", locale), key), *extra])


def with_status(blocks: Sequence[Block], key: str, status: str, keep: ButtonElement | None = None) -> list[Block]:
    """A copy of `blocks` with the buttons of alert `key` replaced by a status line (or the line updated);
    `keep` stays beside the line, for an alert that still needs a later click (Resolve after Acknowledge)."""
    line = (context_block(status, block_id=f"act:{key}") if keep is None else
            SectionBlock(text=MarkdownTextObject(text=clip(status, SECTION_TEXT)), block_id=f"act:{key}",
                         accessory=keep).to_dict())
    return [line if block.get("block_id") == f"act:{key}" else block for block in blocks]


def resolve_button(key: str, locale: str, *, level: int = 3) -> ButtonElement:
    """Resolve; on a Level Ⅰ incident Slack asks first: it ends the crisis for everyone."""
    sure = None
    if level == 1:
        sure = confirm_dialog(t("esc.confirm.title", locale), t("esc.confirm.text", locale),
                              t("esc.confirm.yes", locale), t("esc.confirm.no", locale))
    return button(RESOLVE, t("esc.btn.resolve", locale), key, confirm=sure)


def key_of(block_id: str) -> str:
    return block_id.split(":", 1)[1] if ":" in block_id else block_id


# -- stock ---------------------------------------------------------------------------------------------


def _cover(item: StockItem) -> str:
    return fmt.NA if item.days_of_cover is None else f"{item.days_of_cover:.1f}"


def stock_line(item: StockItem, locale: str) -> str:
    if item.status in (CRITICAL, WARNING):
        return t("stock.line.low", locale, name=item.name, sku=item.sku, on_hand=fmt.integer(item.on_hand),
                 cover=_cover(item), lead=item.lead_time_days, abc=item.abc, reorder=fmt.integer(item.reorder_qty))
    advice = t(f"stock.advice.{item.suggestion or 'clearance'}", locale)
    cover = t("stock.dead", locale) if item.status == DEAD else _cover(item)
    return t("stock.line.over", locale, name=item.name, sku=item.sku, on_hand=fmt.integer(item.on_hand),
             cover=cover, abc=item.abc, advice=advice)


def _group(status: str) -> str:
    return OVERSTOCK if status in (OVERSTOCK, DEAD) else status


def _alert_rows(items: Sequence[tuple[str, StockItem]], locale: str, room: int) -> tuple[list[Block], int]:
    """Grouped lines with buttons, most urgent first, within `room` blocks; returns blocks and how many fit."""
    blocks: list[Block] = []
    shown = 0
    group: str | None = None
    for key, item in items:
        need = 2 + (1 if _group(item.status) != group else 0)
        if len(blocks) + need > room:
            break
        if _group(item.status) != group:
            group = _group(item.status)
            blocks.append(section_block(t(f"stock.group.{group}", locale)))
        blocks.append(section_block(stock_line(item, locale), f"alert:{key}"))
        blocks.append(ack_snooze(key, locale))
        shown += 1
    return blocks, shown


def stock_message(
    items: Sequence[tuple[str, StockItem]], *, day: date, locale: str, footer: str | None
) -> Message:
    """One grouped message per scan: critical, then low, then overstock; a line and two buttons each."""
    counts = {s: sum(1 for _, it in items if _group(it.status) == s) for s in (CRITICAL, WARNING, OVERSTOCK)}
    head = [header_block(t("stock.title", locale, date=day.isoformat())),
            context_block(t("stock.summary", locale, critical=counts[CRITICAL], warning=counts[WARNING],
                       overstock=counts[OVERSTOCK]))]
    tail = [context_block(footer)] if footer else []
    room = MAX_BLOCKS - len(head) - len(tail) - 1  # one block kept for "…and N more"
    rows, shown = _alert_rows(items, locale, room)
    if shown < len(items):
        rest = ", ".join(f"`{escape(it.sku)}`" for _, it in items[shown:])
        rows.append(section_block(t("stock.more", locale, n=len(items) - shown) + "\n" + rest))
    text = t("stock.text", locale, critical=counts[CRITICAL], warning=counts[WARNING], overstock=counts[OVERSTOCK])
    return Message(text, head + rows + tail)


def stock_repeat(items: Sequence[tuple[str, StockItem]], *, locale: str) -> Message:
    """A thread reply under the original message: alerts whose snooze ended and still fire."""
    rows, shown = _alert_rows(items, locale, MAX_BLOCKS - 2)
    blocks = [section_block(t("stock.repeat", locale)), *rows]
    text = t("stock.repeat", locale) + " " + ", ".join(escape(it.sku) for _, it in items[:shown])
    return Message(text, blocks)


def note(text: str) -> Message:
    return Message(text, [section_block(text)])


# -- ROI floor ---------------------------------------------------------------------------------------------


def roi_alert(
    *,
    key: str,
    channel_slug: str,
    channel_name: str,
    roi: Decimal,
    floor: Decimal,
    days: int,
    spend: Decimal,
    gmv: Decimal,
    attributed: bool,
    best: tuple[str, Decimal] | None,
    webhook: str | None,
    locale: str,
    footer: str | None,
    other_roi: Decimal | None = None,
) -> Message:
    basis = t("roi.basis.attributed" if attributed else "roi.basis.channel", locale)
    other_basis = t("roi.basis.channel" if attributed else "roi.basis.attributed", locale)
    lines = [t("roi_guard.body", locale, channel=channel_name, days=days, roi=fmt.roi(roi), floor=fmt.roi(floor),
               spend=fmt.money(spend), gmv=fmt.money(gmv), basis=basis)]
    if other_roi is not None:
        lines.append(t("roi_guard.other", locale, basis=other_basis, roi=fmt.roi(other_roi)))
    if best is not None:
        lines.append(t("roi_guard.suggest", locale, best=best[0], best_roi=fmt.roi(best[1])))
    else:
        lines.append(t("roi_guard.no_suggest", locale))
    if webhook:
        lines.append(webhook)
    budget_value = json.dumps({"channel": channel_slug, "roi": str(roi), "floor": str(floor), "spend": str(spend),
                               "gmv": str(gmv), "window": f"{days}d"})
    blocks = [
        header_block(t("roi_guard.title", locale, channel=channel_name)),
        section_block("\n".join(lines), f"alert:{key}"),
        actions_for(key, [button(RESUME, t("alert.btn.resume", locale), key, "danger"),
                       button(KEEP, t("alert.btn.keep", locale), key),
                       button(BUDGET, t("alert.btn.budget", locale), budget_value)]),
    ]
    if footer:
        blocks.append(context_block(footer))
    text = t("roi_guard.text", locale, channel=channel_name, roi=fmt.roi(roi), floor=fmt.roi(floor))
    return Message(text, blocks)


# -- campaign ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    what: str  # uv or cvr
    drop: Decimal  # share of the day before
    before: int | Decimal | None
    now: int | Decimal | None


@dataclass(frozen=True)
class CampaignAnomaly:
    campaign: str
    day: date
    findings: tuple[Finding, ...]
    change: GmvChange
    hours: tuple[datetime, datetime]  # the last 2 h, local
    recent: tuple[int, int, Decimal]  # orders, buyers, GMV in those hours
    day_before: tuple[int, int, Decimal]  # the same hours the day before


def _figure(f: Finding, value: int | Decimal | None) -> str:
    if f.what == "uv":
        return fmt.integer(None if value is None else int(value))
    return fmt.pct(None if value is None else Decimal(value), 2)


def campaign_alert(*, key: str, anomaly: CampaignAnomaly, footer: str | None, locale: str) -> Message:
    a, change = anomaly, anomaly.change
    lines = [t("campaign.body", locale, name=a.campaign, what=t(f"campaign.{f.what}", locale), drop=fmt.pct(f.drop),
               before=_figure(f, f.before), now=_figure(f, f.now), day=a.day.isoformat()) for f in a.findings]
    if change.leading_factor and change.contributions:
        lines.append(t("campaign.driver", locale, driver=t(f"campaign.factor.{change.leading_factor}", locale),
                       amount=fmt.money(change.contributions[change.leading_factor])))
    start, end = a.hours
    lines.append(t("campaign.hours", locale, hours=f"{start:%H:%M}–{end:%H:%M}", orders=a.recent[0],
                   buyers=a.recent[1], gmv=fmt.money(a.recent[2]), orders0=a.day_before[0], buyers0=a.day_before[1],
                   gmv0=fmt.money(a.day_before[2])))
    what = ", ".join(t(f"campaign.{f.what}", locale) for f in a.findings)
    title = t("campaign.title", locale, name=a.campaign)
    text = t("campaign.text", locale, name=a.campaign, what=what, drop=fmt.pct(a.findings[0].drop))
    # from alert to money in one thread: the request form opens with the finding as its reason
    budget_value = json.dumps({"reason": f"{title}: {lines[0]}"[:280] if lines else title}, ensure_ascii=False)
    budget = button(BUDGET, t("alert.btn.budget", locale), budget_value)
    blocks = [header_block(title), section_block("\n".join(lines), f"alert:{key}"), ack_snooze(key, locale, [budget])]
    if footer:
        blocks.append(context_block(footer))
    return Message(text, blocks)
