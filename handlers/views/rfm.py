"""`/rfm` message: segment sizes, revenue shares, AOV and the suggested action per segment. Pure.

    render(rfm.segments(conn, as_of=today), "zh", channel_name="全部渠道")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.views import charts_analysis, fmt
from handlers.views.blocks import context_block, header_block, section_block
from handlers.views.limits import FIELD_TEXT, MESSAGE_TEXT, clip
from handlers.views.message import Chart, Message
from handlers.views.texts import t
from metrics.rfm import Edge, RfmResult, Segment


def segment_label(segment: Segment, locale: str) -> str:
    """"Can't lose (高价值沉睡用户)" / "高价值沉睡用户（Can't lose）": both names, for teams that use either."""
    # en keeps the Chinese name the team's CRM uses; zh needs no English beside it
    return segment.zh if locale == "zh" else f"{segment.en} ({segment.zh})"


def _edges(edges: Sequence[Edge], unit: str = "", money: bool = False) -> str:
    parts = []
    for e in sorted(edges, key=lambda x: -x.score):
        if money:
            low, high = fmt.money(e.low), fmt.money(e.high)  # type: ignore[arg-type]
        else:
            low, high = f"{e.low}", f"{e.high}{unit}"
        parts.append(f"{e.score} = {high}" if e.low == e.high else f"{e.score} = {low}–{high}")
    return " · ".join(parts) or "n/a"


def render(result: RfmResult, locale: str, *, channel_name: str, footer: str | None = None) -> Message:
    date = result.as_of.isoformat()
    title = t("rfm.title", locale, channel=channel_name, date=date)
    blocks: list[dict[str, Any]] = [header_block(title)]
    blocks.append(section_block(t("rfm.summary", locale, buyers=fmt.integer(result.buyers),
                                  revenue=fmt.money(result.revenue), date=date)))
    empty = []
    for row in result.rows:
        if row.buyers == 0:
            empty.append(row.segment.name(locale))
            continue
        blocks.append(section_block(t(
            "rfm.line", locale, name=segment_label(row.segment, locale), buyers=fmt.integer(row.buyers),
            buyer_share=fmt.pct(row.buyer_share), revenue_share=fmt.pct(row.revenue_share), aov=fmt.money(row.aov),
            action=t(f"rfm.action.{row.segment.slug}", locale))))
    if empty:
        blocks.append(context_block(t("rfm.empty", locale, names=", ".join(empty)), limit=FIELD_TEXT))
    blocks.append(section_block(t("rfm.scores", locale, r=_edges(result.recency_edges, t("unit.days", locale)),
                                  f=_edges(result.frequency_edges), m=_edges(result.monetary_edges, money=True))))
    notes = [t("rfm.method", locale)]
    if footer:
        notes.append(footer)
    blocks.append(context_block(*notes, limit=FIELD_TEXT))
    filled = [row for row in result.rows if row.buyers]
    chart_title = t("rfm.chart_title", locale, channel=channel_name, date=date)
    png = charts_analysis.share_bars(
        [row.segment.name(locale) for row in filled],
        {t("rfm.chart_buyers", locale): [float(row.buyer_share or 0) for row in filled],
         t("rfm.chart_revenue", locale): [float(row.revenue_share or 0) for row in filled]},
        title=chart_title)
    text = clip(f"{title}: " + ", ".join(f"{row.segment.name(locale)} {fmt.integer(row.buyers)}" for row in filled),
                MESSAGE_TEXT)
    slug = result.channel or "all"
    return Message(text, blocks, Chart(png, f"rfm-{slug}-{date}.png", chart_title))
