"""`/stock [sku | category | low | over]`: one SKU's cover and reorder advice, or the lists of SPEC §5."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from handlers.commands.args import ArgError
from handlers.commands.kit import CommandSpec, Ephemeral, HelpRow, Invocation
from handlers.views import stock as view
from handlers.views.blocks import section_block
from handlers.views.footer import data_footer
from handlers.views.message import Message
from handlers.views.suite import esc
from handlers.views.texts import t
from metrics.freshness import data_as_of
from metrics.inventory import stock_items
from metrics.runtime import Deps
from metrics.stock_lookup import daily_units, find
from metrics.windows import echo, normalise

LISTS = {"low": "low", "低": "low", "低库存": "low", "缺货": "low", "over": "over", "overstock": "over",
         "积压": "over", "滞销": "over"}
MAX_TERM = 100  # longer than any SKU or product name


@dataclass(frozen=True)
class StockQuery:
    list: str | None  # "low" / "over", or None for a search
    term: str


def parse(deps: Deps, text: str) -> StockQuery:
    term = " ".join(text.split())
    key = normalise(term)
    if not key:
        return StockQuery("low", "")
    if key in LISTS:
        return StockQuery(LISTS[key], "")
    if len(term) > MAX_TERM:
        raise ArgError(f"`{echo(term)}` is longer than any SKU or name")
    return StockQuery(None, term)


def answer(deps: Deps, q: StockQuery, inv: Invocation, client: WebClient) -> Message | Ephemeral:
    locale = inv.locale
    today = deps.today()
    with deps.engine.connect() as conn:
        items = stock_items(conn, today=today)
        footer = data_footer(data_as_of(conn), locale, sources=("inventory", "orders"))
        if not items:
            return Ephemeral(Message(t("stock.empty", locale), [section_block(t("stock.empty", locale))]))
        if q.list is not None:
            wanted = view.statuses(q.list)
            return view.list_view(view.StockList(q.list, tuple(it for it in items if it.status in wanted)), locale,
                                  footer)
        match = find(items, q.term)
        if match.kind == "sku":
            item = match.items[0]
            return view.sku_view(item, daily_units(conn, sku=item.sku, today=today), locale, footer)
    if match.kind in ("category", "many"):
        return view.list_view(view.StockList(match.kind, match.items, match.category or q.term), locale, footer)
    names = ", ".join(f"`{esc(s).replace('`', '')}`" for s in match.suggestions)
    hint = t("stock.did_you_mean", locale, names=names) if names else ""
    said = t("stock.unknown", locale, text=esc(echo(q.term)), hint=hint)
    return Ephemeral(Message(said, [section_block(said)]))


SPEC = CommandSpec("/stock", parse=parse, answer=answer,
                   help=(HelpRow("usage.stock", "/stock low", "help.stock"),))
