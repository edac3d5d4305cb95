"""/stock messages: one SKU (figures + 28-day sparkline) or a list, most urgent first, within Slack's limits. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from handlers.views import charts_suite, fmt
from handlers.views.blocks import Block, context_block, header_block, section_block
from handlers.views.limits import FIELD_TEXT, MAX_BLOCKS, SECTION_TEXT, clip
from handlers.views.message import Chart, Message
from handlers.views.suite import esc, fields_block
from handlers.views.texts import t
from metrics.inventory import CLEARANCE, CRITICAL, DEAD, OVERSTOCK, WARNING, StockItem

# lines shown before "and N more": a list longer than this is a spreadsheet, not a message
MAX_LINES = 40
LINES_PER_SECTION = 10


@dataclass(frozen=True)
class StockList:
    kind: str  # "low", "over", "category", "many"
    items: tuple[StockItem, ...]
    category: str | None = None


def _cover(item: StockItem, locale: str) -> str:
    return fmt.na(locale) if item.days_of_cover is None else f"{item.days_of_cover:,.1f}"


def _suggestion(item: StockItem, locale: str) -> str | None:
    if item.suggestion is None:
        return None
    if item.suggestion == CLEARANCE:
        return t("stock.suggest.clearance_c" if item.abc == "C" else "stock.suggest.clearance", locale)
    return t(f"stock.suggest.{item.suggestion}", locale, qty=fmt.integer(item.reorder_qty))


def sku_view(item: StockItem, units: Sequence[tuple[date, int]], locale: str, footer: str | None) -> Message:
    name = esc(item.name)
    title = t("stock.title_sku", locale, name=item.name, sku=item.sku)
    fields = [
        t("stock.field.status", locale, value=t(f"stock.status.{item.status}", locale)),
        t("stock.field.on_hand", locale, value=fmt.integer(item.on_hand)),
        t("stock.field.avg", locale, value=f"{item.avg_daily_sales:,.2f}"),
        t("stock.field.cover", locale, value=_cover(item, locale)),
        t("stock.field.abc", locale, value=item.abc),
        t("stock.field.lead", locale, value=item.lead_time_days),
        t("stock.field.safety", locale, value=f"{item.safety_stock:,.1f}"),
        t("stock.field.reorder", locale, value=fmt.integer(item.reorder_qty)),
    ]
    blocks: list[Block] = [header_block(title), fields_block(fields)]
    advice = _suggestion(item, locale)
    if advice:
        blocks.append(section_block(advice))
    context = [t("stock.as_of", locale, as_of=item.as_of.isoformat(), category=esc(item.category or "—"))]
    if footer:
        context.append(footer)
    blocks.append(context_block(*context, limit=FIELD_TEXT))
    chart_title = t("stock.chart_title", locale, sku=item.sku)
    png = charts_suite.units_sparkline([d for d, _ in units], [n for _, n in units], title=chart_title,
                                      locale=locale)
    text = f"{item.sku} {name}: {t(f'stock.status.{item.status}', locale)}, {fmt.integer(item.on_hand)}"
    return Message(text, blocks, Chart(png, f"stock-{_safe(item.sku)}.png", chart_title))


def _safe(text: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in text)[:60] or "sku"


def _line(item: StockItem, kind: str, locale: str) -> str:
    key = {"low": "stock.line_low", "over": "stock.line_over"}.get(kind, "stock.line_any")
    return t(key, locale, name=esc(item.name), sku=esc(item.sku).replace("`", "'"),
             status=t(f"stock.short.{item.status}", locale),
             on_hand=fmt.integer(item.on_hand), cover=_cover(item, locale), lead=item.lead_time_days, abc=item.abc,
             reorder=fmt.integer(item.reorder_qty))


def list_view(content: StockList, locale: str, footer: str | None) -> Message:
    items = content.items
    count = len(items)
    if content.kind == "low":
        title = t("stock.title_low", locale, count=count)
    elif content.kind == "over":
        title = t("stock.title_over", locale, count=count)
    else:
        title = t("stock.title_category", locale, category=content.category or "…", count=count)
    blocks: list[Block] = [header_block(title)]
    if not items:
        blocks.append(section_block(t("stock.none_low" if content.kind == "low" else "stock.none_over", locale)))
    shown = list(items[:MAX_LINES])
    chunk: list[str] = []
    # header + context + "more" + the sections: never past 50 blocks, each section under 3,000 chars
    room = MAX_BLOCKS - 4
    for item in shown:
        line = clip(_line(item, content.kind, locale), SECTION_TEXT // LINES_PER_SECTION)
        if chunk and (len(chunk) == LINES_PER_SECTION or len("\n".join([*chunk, line])) > SECTION_TEXT):
            blocks.append(section_block("\n".join(chunk)))
            chunk = []
            room -= 1
            if room <= 0:
                break
        chunk.append(line)
    if chunk:
        blocks.append(section_block("\n".join(chunk)))
    listed = sum(b["text"]["text"].count("\n") + 1 for b in blocks[1:] if b["type"] == "section") if items else 0
    if count > listed:
        blocks.append(section_block(t("stock.list_more", locale, count=count - listed)))
    if footer:
        blocks.append(context_block(footer, limit=FIELD_TEXT))
    return Message(f"{title}", blocks)


def statuses(kind: str) -> tuple[str, ...]:
    return (CRITICAL, WARNING) if kind == "low" else (DEAD, OVERSTOCK)
