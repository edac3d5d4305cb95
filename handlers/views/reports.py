"""Daily, weekly and monthly reports rendered: content (`metrics.reports`) in, `Message` out. Pure.

    message = daily_view(daily_content(conn, today=today, channels=registry.channels), locale="en", footer=footer)
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pandas as pd

from handlers.views import charts, charts_style, fmt
from handlers.views.blocks import context_block, header_block, section_block
from handlers.views.message import Chart, Message
from handlers.views.texts import t
from metrics.reports import ChannelDay, DailyReport, MonthlyReport, WeeklyReport

# -- daily ------------------------------------------------------------------------------------------


def _name(row: ChannelDay, locale: str) -> str:
    return row.channel.display(locale) if row.channel is not None else t("report.total", locale)


def _kpis(row: ChannelDay, locale: str) -> str:
    s, f = row.day, fmt.In(locale)
    return t("report.kpis", locale, gmv=f.money(s.gmv), d1=f.change(s.gmv, row.day_before.gmv),
             w1=f.change(s.gmv, row.week_before.gmv), orders=fmt.integer(s.orders), buyers=fmt.integer(s.buyers),
             uv=fmt.integer(s.uv), cvr=f.pct(s.cvr, 2), aov=f.money(s.aov), spend=f.money(s.spend),
             roi=f.roi(s.roi))


def _channel_line(row: ChannelDay, locale: str) -> str:
    s, f = row.day, fmt.In(locale)
    return t("report.channel_line", locale, channel=_name(row, locale), gmv=f.money(s.gmv),
             d1=f.change(s.gmv, row.day_before.gmv), w1=f.change(s.gmv, row.week_before.gmv),
             orders=fmt.integer(s.orders), cvr=f.pct(s.cvr, 2), aov=f.money(s.aov), roi=f.roi(s.roi))


def _top_skus(top: pd.DataFrame, locale: str) -> str:
    lines, f = [t("report.top_skus", locale)], fmt.In(locale)
    for rank, row in enumerate(top.itertuples(index=False), 1):
        lines.append(t("report.sku_line", locale, rank=rank, name=row.name, sku=row.sku,
                       units=fmt.integer(int(row.units)), gmv=f.money(row.gmv)))  # type: ignore[arg-type]
    return "\n".join(lines)


def daily_view(report: DailyReport, *, locale: str, footer: str | None, notes: Sequence[str] = ()) -> Message:
    day, f = report.day.isoformat(), fmt.In(locale)
    blocks = [header_block(t("report.daily.title", locale, date=day)), section_block(_kpis(report.total, locale))]
    if report.channels:
        blocks.append(section_block("\n".join(_channel_line(r, locale) for r in report.channels)))
    if len(report.top_skus):
        blocks.append(section_block(_top_skus(report.top_skus, locale)))
    alerts = report.open_alerts
    other = sum(n for k, n in alerts.items() if k not in ("stock", "roi", "sentiment", "stale"))
    context = [t("report.open_alerts", locale, stock=alerts.get("stock", 0), roi=alerts.get("roi", 0),
                 sentiment=alerts.get("sentiment", 0), other=other),
               *notes]
    if footer:
        context.append(footer)
    blocks.append(context_block(*context))
    title = t("report.chart.daily", locale, date=day)
    chart = None
    if report.channels:
        labels = [_name(r, locale) for r in report.channels]
        chart = charts.grouped_bars(labels, {
            day: [float(r.day.gmv) for r in report.channels],
            report.channels[0].day_before.window.start.isoformat(): [float(r.day_before.gmv) for r in report.channels],
            report.channels[0].week_before.window.start.isoformat(): [float(r.week_before.gmv)
                                                                      for r in report.channels],
        }, title=title, keys=[r.channel.slug if r.channel else None for r in report.channels], locale=locale)
    text = t("report.text.daily", locale, date=day, gmv=f.money(report.total.day.gmv),
             roi=f.roi(report.total.day.roi))
    return Message(text, blocks, None if chart is None else Chart(chart, f"daily-{day}.png", title))


# -- weekly -------------------------------------------------------------------------------------------


def weekly_view(report: WeeklyReport, *, floors: dict[str, Decimal], locale: str, footer: str | None,
                notes: Sequence[str] = ()) -> Message:
    w = report.window
    names = {c.slug: c.display(locale) for c in report.channels}
    start, end = w.start.isoformat(), w.end.isoformat()
    s, f = report.total, fmt.In(locale)
    blocks = [
        header_block(t("report.weekly.title", locale, start=start, end=end)),
        section_block(t("report.week_kpis", locale, gmv=f.money(s.gmv), change=f.change(s.gmv, report.previous.gmv),
                   orders=fmt.integer(s.orders), spend=f.money(s.spend), roi=f.roi(s.roi))),
    ]
    lines = [t("report.ranking", locale)]
    for rank, r in enumerate(report.ranking, 1):
        name = names[r.channel or ""]
        if r.roi is None:
            lines.append(t("report.rank_none", locale, rank=rank, channel=name, gmv=f.money(r.channel_gmv)))
        else:
            flag = "  :warning:" if r.roi < floors[r.channel or ""] else ""
            lines.append(t("report.rank_line", locale, rank=rank, channel=name, roi=f.roi(r.roi),
                           spend=f.money(r.spend), gmv=f.money(r.gmv), flag=flag))
    blocks.append(section_block("\n".join(lines)))
    move = report.reallocation()
    if move is None:
        blocks.append(section_block(t("report.no_realloc", locale)))
    else:
        worst, best, amount = move
        blocks.append(section_block(t("report.realloc", locale, amount=f.money(amount),
                                 worst=names[worst.channel or ""], worst_roi=f.roi(worst.roi),
                                 best=names[best.channel or ""], best_roi=f.roi(best.roi))))
    basis = ([t("roi.basis_line", locale, basis=t(f"roi.basis.{report.ranking[0].basis}", locale))]
             if report.ranking else [])
    context = [*basis, *notes, *([footer] if footer else [])]
    if context:
        blocks.append(context_block(*context))
    title = t("report.chart.weekly", locale, start=start, end=end)
    with_spend = [r for r in report.ranking if r.roi is not None]
    chart = None
    if with_spend:
        chart = charts.ranking_chart([names[r.channel or ""] for r in with_spend], [r.roi for r in with_spend],
                                     floors=[floors[r.channel or ""] for r in with_spend], title=title,
                                     keys=[r.channel for r in with_spend], locale=locale)
    text = t("report.text.weekly", locale, start=start, end=end, gmv=f.money(s.gmv), roi=f.roi(s.roi))
    return Message(text, blocks, None if chart is None else Chart(chart, f"weekly-{start}.png", title))


# -- monthly ------------------------------------------------------------------------------------------


def monthly_view(report: MonthlyReport, *, locale: str, footer: str | None, notes: Sequence[str] = ()) -> Message:
    month = report.window.start.strftime("%Y-%m")
    s, f = report.total, fmt.In(locale)
    if report.target is not None:
        gmv_line = t("report.target", locale, gmv=f.money(s.gmv), target=f.money(report.target),
                     share=f.pct(report.target_share))
    else:
        gmv_line = t("report.no_target", locale, gmv=f.money(s.gmv), change=f.change(s.gmv, report.previous.gmv))
    b = report.buyers
    blocks = [
        header_block(t("report.monthly.title", locale, month=month)),
        section_block(gmv_line),
        section_block(t("report.funnel", locale, uv=fmt.integer(s.uv), cart=fmt.integer(s.cart_users),
                   cart_rate=f.pct(s.cart_rate), buyers=fmt.integer(s.buyers), cvr=f.pct(s.cvr, 2),
                   orders=fmt.integer(s.orders))),
        section_block(t("report.buyers", locale, rate=f.pct(b.repurchase_rate), new=fmt.integer(b.new_buyers),
                   returning=fmt.integer(b.returning_buyers))),
    ]
    context = [*notes, *([footer] if footer else [])]
    if context:
        blocks.append(context_block(*context))
    title = t("report.chart.monthly", locale, month=month)
    pace = None if report.target is None else float(report.target) / max(1, report.window.days)
    chart = charts.daily_line([d for d, _ in report.daily_gmv], [float(v) for _, v in report.daily_gmv], title=title,
                              target=pace, target_label="" if pace is None else charts_style.money_short(pace, locale),
                              locale=locale, window=(report.window.start, report.window.end))
    text = t("report.text.monthly", locale, month=month, gmv=f.money(s.gmv))
    return Message(text, blocks, Chart(chart, f"monthly-{month}.png", title))
