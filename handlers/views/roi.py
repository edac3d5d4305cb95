"""ROI message: metrics results in, Block Kit dicts and a chart out. Pure: no Slack calls, no SQL."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pandas as pd
from slack_sdk.models.blocks import (
    MarkdownTextObject,
    SectionBlock,
)

from handlers.views import charts, fmt
from handlers.views.blocks import context_block, header_block
from handlers.views.limits import FIELD_TEXT, MESSAGE_TEXT, SECTION_TEXT, clip
from handlers.views.message import Chart, Message
from handlers.views.texts import t
from metrics.sales import RoiResult


def _basis(result: RoiResult, locale: str) -> str:
    return t("roi.basis.attributed" if result.attributed else "roi.basis.channel", locale)


def _other(result: RoiResult) -> tuple[str, Decimal] | None:
    """The figure on the other basis, when there is one: shown beside, never compared."""
    if result.attributed:
        return ("roi.basis.channel", result.channel_roi) if result.channel_roi is not None else None
    return ("roi.basis.attributed", result.attributed_roi) if result.attributed_roi is not None else None




def channel_roi_view(
    *,
    result: RoiResult,
    previous: RoiResult,
    daily: pd.DataFrame,
    channel_name: str,
    floor: Decimal,
    locale: str,
    tz_name: str,
    footer: str | None,
) -> Message:
    window = str(result.window)
    label = fmt.window_label(result.window.label, locale)
    money = fmt.money_in  # ¥123.5万 in zh, the exact amount in en
    blocks: list[dict[str, Any]] = [
        header_block(t("roi.title", locale, channel=channel_name, window=label))
    ]
    if result.roi is None:
        text = t("roi.no_spend", locale, channel=channel_name, window=window, gmv=money(result.channel_gmv, locale))
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT))).to_dict())
    else:
        basis = _basis(result, locale)
        fields = [
            t("roi.field.roi", locale, roi=fmt.roi(result.roi), basis=basis),
            t("roi.field.spend", locale, spend=money(result.spend, locale)),
            t("roi.field.gmv", locale, gmv=money(result.gmv, locale), basis=basis),
            t("roi.field.cpc", locale, cpc=money(result.cpc, locale)),
            t("roi.field.ctr", locale, ctr=fmt.pct_in(result.ctr, locale, 2)),
            t("roi.field.prev", locale, days=result.window.days, prev=fmt.roi_in(previous.roi, locale),
              now=fmt.roi(result.roi), change=fmt.change_in(result.roi, previous.roi, locale)),
        ]
        if result.attributed:
            fields.insert(3, t("roi.field.channel_gmv", locale, gmv=money(result.channel_gmv, locale)))
        other = _other(result)
        if other is not None:
            fields.append(t("roi.field.other", locale, basis=t(other[0], locale), roi=fmt.roi(other[1])))
        blocks.append(SectionBlock(fields=[MarkdownTextObject(text=clip(f, FIELD_TEXT)) for f in fields]).to_dict())
        text = f"ROI {channel_name} {label}: {fmt.roi(result.roi)}"
        if result.roi < floor:
            warning = t("roi.below_floor", locale, roi=fmt.roi(result.roi), floor=fmt.roi(floor), channel=channel_name)
            blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(warning, SECTION_TEXT))).to_dict())
            text += " — " + warning
    lines = [t("roi.window", locale, window=window, days=result.window.days, tz=tz_name, floor=fmt.roi(floor))]
    if footer:
        lines.append(footer)
    blocks.append(context_block(*lines, limit=FIELD_TEXT))
    chart = None
    title = t("roi.chart_title", locale, channel=channel_name, window=label)
    if result.roi is not None:
        png = charts.daily_roi_chart(
            daily, floor=floor, title=title, floor_label=t("roi.chart_floor", locale, floor=fmt.roi(floor)),
            locale=locale, channel=result.channel, window=(result.window.start, result.window.end),
        )
        chart = Chart(png, f"roi-{result.channel or 'all'}-{result.window.label}.png", title)
    return Message(clip(text, MESSAGE_TEXT), blocks, chart)


def ranking_view(
    *,
    results: Sequence[RoiResult],
    names: dict[str, str],
    floors: dict[str, Decimal],
    locale: str,
    tz_name: str,
    footer: str | None,
) -> Message:
    window = results[0].window
    label = fmt.window_label(window.label, locale)
    blocks: list[dict[str, Any]] = [header_block(t("roi.title_all", locale, window=label))]
    lines = []
    for rank, r in enumerate(results, 1):
        name = names[r.channel or ""]
        if r.roi is None:
            lines.append(t("roi.rank_none", locale, rank=rank, channel=name, gmv=fmt.money_in(r.channel_gmv, locale)))
        else:
            floor = floors[r.channel or ""]
            flag = "  :warning:" if r.roi < floor else ""
            lines.append(t("roi.rank_line", locale, rank=rank, channel=name, roi=fmt.roi(r.roi),
                           spend=fmt.money_in(r.spend, locale), gmv=fmt.money_in(r.gmv, locale), flag=flag))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=clip("\n".join(lines), SECTION_TEXT))).to_dict())
    default_floor = min(floors.values()) if floors else Decimal(2)
    context = [t("roi.window", locale, window=str(window), days=window.days, tz=tz_name, floor=fmt.roi(default_floor)),
               t("roi.basis_line", locale, basis=_basis(results[0], locale))]
    if footer:
        context.append(footer)
    blocks.append(context_block(*context, limit=FIELD_TEXT))
    with_spend = [r for r in results if r.roi is not None]
    title = t("roi.chart_title_all", locale, window=label)
    chart = None
    if with_spend:
        png = charts.ranking_chart(
            [names[r.channel or ""] for r in with_spend],
            [r.roi for r in with_spend],
            floors=[floors[r.channel or ""] for r in with_spend],
            title=title,
            keys=[r.channel for r in with_spend],
            locale=locale,
        )
        chart = Chart(png, f"roi-all-{window.label}.png", title)
    else:
        blocks.insert(1, SectionBlock(text=MarkdownTextObject(
            text=t("roi.no_spend_any", locale, window=str(window)))).to_dict())
    text = "ROI " + ", ".join(f"{names[r.channel or '']} {fmt.roi_in(r.roi, locale)}" for r in results)
    return Message(clip(text, MESSAGE_TEXT), blocks, chart)
