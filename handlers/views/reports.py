"""Daily, weekly and monthly reports: content (metrics results in a frozen object) and view (Block Kit + PNG).

    content = daily_content(conn, today=today, channels=registry.channels)   # read once
    view = daily_view(content, locale="en", footer=footer)                    # pure
    view.text, view.blocks, view.chart

Content is built here, next to its view, so both a scheduled job and a `/report` command use one
definition of each report; building reads metrics only (no Slack), rendering reads content only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from handlers.views import charts, fmt
from handlers.views.blocks import context_block, header_block, section_block
from handlers.views.texts import t
from metrics import sales
from metrics.alerts import count_active
from metrics.channels import Channel
from metrics.customers import BuyerMix, buyer_mix
from metrics.money import ratio
from metrics.sales import RoiResult, SalesSummary
from metrics.windows import Window, parse_window

Block = dict[str, Any]
REALLOC_SHARE = Decimal("0.10")


@dataclass(frozen=True)
class ReportView:
    text: str
    blocks: list[Block]
    chart: bytes | None
    chart_name: str
    chart_title: str








def _active(s: SalesSummary) -> bool:
    return bool(s.gmv or s.orders or s.uv or s.spend)


# -- daily ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelDay:
    name: str
    day: SalesSummary
    day_before: SalesSummary
    week_before: SalesSummary


@dataclass(frozen=True)
class DailyReport:
    day: date
    total: ChannelDay
    channels: tuple[ChannelDay, ...]
    top_skus: pd.DataFrame
    open_alerts: dict[str, int]

    @property
    def empty(self) -> bool:
        return not _active(self.total.day)


def _one_day(d: date) -> Window:
    return Window(d, d, d.isoformat())


def daily_content(conn: Connection, *, today: date, channels: Sequence[Channel], locale: str) -> DailyReport:
    """Yesterday, the day before and the same weekday a week earlier, in total and per channel."""
    day = today - timedelta(days=1)
    windows = [_one_day(day), _one_day(day - timedelta(days=1)), _one_day(day - timedelta(days=7))]
    slugs = [c.slug for c in channels]
    totals = [sales.summary(conn, window=w) for w in windows]
    per = [sales.summary_by_channel(conn, window=w, channels=slugs) for w in windows]
    rows = tuple(ChannelDay(c.display(locale), per[0][i], per[1][i], per[2][i]) for i, c in enumerate(channels))
    return DailyReport(
        day=day,
        total=ChannelDay(t("report.total", locale), *totals),
        channels=tuple(r for r in rows if _active(r.day) or _active(r.day_before)),
        top_skus=sales.top_skus(conn, window=windows[0], limit=5),
        open_alerts=count_active(conn),
    )


def _kpis(row: ChannelDay, locale: str) -> str:
    s = row.day
    return t("report.kpis", locale, gmv=fmt.money(s.gmv), d1=fmt.change(s.gmv, row.day_before.gmv),
             w1=fmt.change(s.gmv, row.week_before.gmv), orders=fmt.integer(s.orders), buyers=fmt.integer(s.buyers),
             uv=fmt.integer(s.uv), cvr=fmt.pct(s.cvr, 2), aov=fmt.money(s.aov), spend=fmt.money(s.spend),
             roi=fmt.roi(s.roi))


def _channel_line(row: ChannelDay, locale: str) -> str:
    s = row.day
    return t("report.channel_line", locale, channel=row.name, gmv=fmt.money(s.gmv),
             d1=fmt.change(s.gmv, row.day_before.gmv), w1=fmt.change(s.gmv, row.week_before.gmv),
             orders=fmt.integer(s.orders), cvr=fmt.pct(s.cvr, 2), aov=fmt.money(s.aov), roi=fmt.roi(s.roi))


def _top_skus(top: pd.DataFrame, locale: str) -> str:
    lines = [t("report.top_skus", locale)]
    for rank, row in enumerate(top.itertuples(index=False), 1):
        lines.append(t("report.sku_line", locale, rank=rank, name=row.name, sku=row.sku,
                       units=fmt.integer(int(row.units)), gmv=fmt.money(row.gmv)))  # type: ignore[arg-type]
    return "\n".join(lines)


def daily_view(report: DailyReport, *, locale: str, footer: str | None, notes: Sequence[str] = ()) -> ReportView:
    day = report.day.isoformat()
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
        labels = [r.name for r in report.channels]
        chart = charts.grouped_bars(labels, {
            day: [float(r.day.gmv) for r in report.channels],
            report.channels[0].day_before.window.start.isoformat(): [float(r.day_before.gmv) for r in report.channels],
            report.channels[0].week_before.window.start.isoformat(): [float(r.week_before.gmv)
                                                                      for r in report.channels],
        }, title=title)
    text = t("report.text.daily", locale, date=day, gmv=fmt.money(report.total.day.gmv),
             roi=fmt.roi(report.total.day.roi))
    return ReportView(text, blocks, chart, f"daily-{day}.png", title)


# -- weekly -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyReport:
    window: Window
    total: SalesSummary
    previous: SalesSummary
    ranking: tuple[RoiResult, ...]  # best ROI first, channels without spend last
    names: dict[str, str]

    @property
    def empty(self) -> bool:
        return not _active(self.total)

    def reallocation(self) -> tuple[RoiResult, RoiResult, Decimal] | None:
        """(from the lowest-ROI channel, to the highest, amount) among channels with spend."""
        with_spend = [r for r in self.ranking if r.roi is not None]
        if len(with_spend) < 2 or with_spend[0].roi == with_spend[-1].roi:
            return None
        worst = with_spend[-1]
        return worst, with_spend[0], (worst.spend * REALLOC_SHARE).quantize(Decimal("0.01"))


def weekly_content(conn: Connection, *, today: date, channels: Sequence[Channel], locale: str) -> WeeklyReport:
    window = parse_window("last-week", today=today)
    slugs = [c.slug for c in channels]
    return WeeklyReport(
        window=window,
        total=sales.summary(conn, window=window),
        previous=sales.summary(conn, window=window.previous()),
        ranking=tuple(sales.roi_by_channel(conn, window=window, channels=slugs)),
        names={c.slug: c.display(locale) for c in channels},
    )


def weekly_view(report: WeeklyReport, *, floors: dict[str, Decimal], locale: str, footer: str | None,
                notes: Sequence[str] = ()) -> ReportView:
    w = report.window
    start, end = w.start.isoformat(), w.end.isoformat()
    s = report.total
    blocks = [
        header_block(t("report.weekly.title", locale, start=start, end=end)),
        section_block(t("report.week_kpis", locale, gmv=fmt.money(s.gmv), change=fmt.change(s.gmv, report.previous.gmv),
                   orders=fmt.integer(s.orders), spend=fmt.money(s.spend), roi=fmt.roi(s.roi))),
    ]
    lines = [t("report.ranking", locale)]
    for rank, r in enumerate(report.ranking, 1):
        name = report.names[r.channel or ""]
        if r.roi is None:
            lines.append(t("report.rank_none", locale, rank=rank, channel=name, gmv=fmt.money(r.channel_gmv)))
        else:
            flag = "  :warning:" if r.roi < floors[r.channel or ""] else ""
            lines.append(t("report.rank_line", locale, rank=rank, channel=name, roi=fmt.roi(r.roi),
                           spend=fmt.money(r.spend), gmv=fmt.money(r.gmv), flag=flag))
    blocks.append(section_block("\n".join(lines)))
    move = report.reallocation()
    if move is None:
        blocks.append(section_block(t("report.no_realloc", locale)))
    else:
        worst, best, amount = move
        blocks.append(section_block(t("report.realloc", locale, amount=fmt.money(amount),
                                 worst=report.names[worst.channel or ""], worst_roi=fmt.roi(worst.roi),
                                 best=report.names[best.channel or ""], best_roi=fmt.roi(best.roi))))
    context = [*notes, *([footer] if footer else [])]
    if context:
        blocks.append(context_block(*context))
    title = t("report.chart.weekly", locale, start=start, end=end)
    with_spend = [r for r in report.ranking if r.roi is not None]
    chart = None
    if with_spend:
        chart = charts.ranking_chart([report.names[r.channel or ""] for r in with_spend], [r.roi for r in with_spend],
                                     floors=[floors[r.channel or ""] for r in with_spend], title=title)
    text = t("report.text.weekly", locale, start=start, end=end, gmv=fmt.money(s.gmv), roi=fmt.roi(s.roi))
    return ReportView(text, blocks, chart, f"weekly-{start}.png", title)


# -- monthly ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyReport:
    window: Window
    total: SalesSummary
    previous: SalesSummary
    buyers: BuyerMix
    daily_gmv: tuple[tuple[date, Decimal], ...]
    target: Decimal | None

    @property
    def empty(self) -> bool:
        return not _active(self.total)

    @property
    def target_share(self) -> Decimal | None:
        return None if self.target is None else ratio(self.total.gmv, self.target)


def monthly_content(conn: Connection, *, today: date, target: Decimal | None) -> MonthlyReport:
    window = parse_window("last-month", today=today)
    before = parse_window("last-month", today=window.start)
    return MonthlyReport(
        window=window,
        total=sales.summary(conn, window=window),
        previous=sales.summary(conn, window=before),
        buyers=buyer_mix(conn, window=window),
        daily_gmv=tuple((d, sales.summary(conn, window=_one_day(d)).gmv) for d in window.dates()),
        target=target,
    )


def monthly_view(report: MonthlyReport, *, locale: str, footer: str | None, notes: Sequence[str] = ()) -> ReportView:
    month = report.window.start.strftime("%Y-%m")
    s = report.total
    if report.target is not None:
        gmv_line = t("report.target", locale, gmv=fmt.money(s.gmv), target=fmt.money(report.target),
                     share=fmt.pct(report.target_share))
    else:
        gmv_line = t("report.no_target", locale, gmv=fmt.money(s.gmv), change=fmt.change(s.gmv, report.previous.gmv))
    b = report.buyers
    blocks = [
        header_block(t("report.monthly.title", locale, month=month)),
        section_block(gmv_line),
        section_block(t("report.funnel", locale, uv=fmt.integer(s.uv), cart=fmt.integer(s.cart_users),
                   cart_rate=fmt.pct(s.cart_rate), buyers=fmt.integer(s.buyers), cvr=fmt.pct(s.cvr, 2),
                   orders=fmt.integer(s.orders))),
        section_block(t("report.buyers", locale, rate=fmt.pct(b.repurchase_rate), new=fmt.integer(b.new_buyers),
                   returning=fmt.integer(b.returning_buyers))),
    ]
    context = [*notes, *([footer] if footer else [])]
    if context:
        blocks.append(context_block(*context))
    title = t("report.chart.monthly", locale, month=month)
    pace = None if report.target is None else float(report.target) / max(1, report.window.days)
    chart = charts.daily_line([d for d, _ in report.daily_gmv], [float(v) for _, v in report.daily_gmv], title=title,
                              target=pace, target_label=fmt.money_short(None if pace is None else Decimal(str(pace))))
    text = t("report.text.monthly", locale, month=month, gmv=fmt.money(s.gmv))
    return ReportView(text, blocks, chart, f"monthly-{month}.png", title)
