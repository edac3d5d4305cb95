"""/gmv message: a `GmvView` (metrics report + names) in, Block Kit and the daily GMV chart out. Pure.

    render(GmvView(report, names={"douyin": "抖音"}, tz="Asia/Shanghai", footer=None), "zh")
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from handlers.views import charts_suite, fmt
from handlers.views.blocks import Block, context_block, header_block, section_block
from handlers.views.limits import FIELD_TEXT
from handlers.views.message import Chart, Message
from handlers.views.suite import channel_or_all, fields_block, rel, signed_money, signed_pct, window_name
from handlers.views.texts import t
from metrics.gmv import GmvReport, change

_FACTOR_NAMES = {"uv": "UV", "cvr": "CVR", "aov": "AOV"}


@dataclass(frozen=True)
class GmvView:
    report: GmvReport
    names: dict[str, str]  # slug → display name in the reply's language
    tz: str
    footer: str | None


def driver_sentence(r: GmvReport, locale: str) -> str:
    """"GMV −12.0%: mostly traffic (UV −15.0%)", or why there is no split."""
    days = r.current.window.days
    if r.split.contributions is None:
        return t("gmv.no_split", locale, change=signed_pct(r.gmv_change, locale), days=days,
                 reason=t("gmv.reason.zero", locale))
    if r.driver is None:
        return t("gmv.flat", locale, change=signed_pct(r.gmv_change, locale), days=days)
    return t("gmv.driver", locale, change=signed_pct(r.gmv_change, locale), factor=t(f"gmv.factor.{r.driver}", locale),
             name=_FACTOR_NAMES[r.driver], factor_change=signed_pct(r.driver_change, locale))


def _fields(r: GmvReport, locale: str) -> list[str]:
    now, before = r.current, r.previous
    yoy = t("gmv.field.yoy", locale, change=rel(r.gmv_change_yoy, locale)) if r.last_year is not None else ""
    money = fmt.money_in

    def ch(a: Decimal | int | None, b: Decimal | int | None) -> str:
        return rel(change(a, b), locale)

    return [
        t("gmv.field.gmv", locale, value=money(now.gmv, locale), change=rel(r.gmv_change, locale),
          vs=t("suite.vs_prev", locale, days=now.window.days), yoy=yoy),
        t("gmv.field.orders", locale, value=fmt.integer(now.orders), change=ch(now.orders, before.orders)),
        t("gmv.field.buyers", locale, value=fmt.integer(now.buyers), change=ch(now.buyers, before.buyers)),
        t("gmv.field.uv", locale, value=fmt.integer(now.uv), change=rel(r.factor_changes["uv"], locale)),
        t("gmv.field.cvr", locale, value=fmt.pct_in(now.cvr, locale, 2), change=rel(r.factor_changes["cvr"], locale)),
        t("gmv.field.aov", locale, value=money(now.aov, locale), change=rel(r.factor_changes["aov"], locale)),
        t("gmv.field.refunds", locale, value=money(now.refunds, locale), change=ch(now.refunds, before.refunds)),
        t("gmv.field.net", locale, value=money(now.net_sales, locale), change=ch(now.net_sales, before.net_sales)),
    ]


def _channel_lines(r: GmvReport, v: GmvView, locale: str) -> str:
    prev = {f.channel: f for f in r.previous_by_channel}
    lines = []
    for f in r.by_channel:
        before = prev.get(f.channel)
        if not f.has_data and (before is None or not before.has_data):
            continue  # a registered channel the shop does not sell on (yet)
        lines.append(t("gmv.channel_line", locale, channel=v.names.get(f.channel or "", f.channel or ""),
                       gmv=fmt.money_in(f.gmv, locale),
                       change=rel(change(f.gmv, before.gmv) if before else None, locale),
                       orders=fmt.integer(f.orders), buyers=fmt.integer(f.buyers), cvr=fmt.pct_in(f.cvr, locale, 2),
                       aov=fmt.money_in(f.aov, locale)))
    lines.append(t("gmv.total_line", locale, gmv=fmt.money_in(r.current.gmv, locale), change=rel(r.gmv_change, locale),
                   orders=fmt.integer(r.current.orders), buyers=fmt.integer(r.current.buyers)))
    return "\n".join(lines)


def render(v: GmvView, locale: str) -> Message:
    r = v.report
    name = channel_or_all(v.names.get(r.channel) if r.channel else None, locale)
    wname = window_name(r.current.window, locale)
    title = t("gmv.title", locale, channel=name, window=wname)
    blocks: list[Block] = [header_block(title)]
    if not r.current.has_data and not r.previous.has_data:
        blocks.append(section_block(t("gmv.none", locale, window=str(r.current.window))))
        blocks.append(context_block(*_context(v, locale), limit=FIELD_TEXT))
        return Message(f"{title}: {t('gmv.none', locale, window=str(r.current.window))}", blocks)
    sentence = driver_sentence(r, locale)
    blocks.append(section_block(sentence))
    blocks.append(fields_block(_fields(r, locale)))
    if r.split.contributions is not None:
        c = r.split.contributions
        blocks.append(context_block(t("gmv.split", locale, delta=signed_money(r.split.delta, locale),
                                      uv=signed_money(c["uv"], locale), cvr=signed_money(c["cvr"], locale),
                                      aov=signed_money(c["aov"], locale))))
    if r.channel is None:
        blocks.append(section_block(_channel_lines(r, v, locale)))
    blocks.append(context_block(*_context(v, locale), limit=FIELD_TEXT))
    chart_title = t("gmv.chart_title", locale, channel=name, window=wname)
    # biggest channel at the bottom of the stack, where its band is easiest to read
    order = [f.channel or "" for f in r.by_channel] if r.channel is None else [r.channel]
    series = {v.names.get(ch, ch): [float(d.gmv) for d in r.daily[ch]] for ch in order}
    png = charts_suite.gmv_daily(
        r.current.window.dates(), series, [float(d.gmv) for d in r.daily_previous], title=chart_title,
        previous_label=t("gmv.chart_prev", locale), total_label=t("gmv.chart_total", locale), keys=order,
        locale=locale)
    text = f"{title}: {fmt.money_in(r.current.gmv, locale)} — {_plain(sentence)}"
    return Message(text, blocks, Chart(png, f"gmv-{r.channel or 'all'}-{r.current.window.label}.png", chart_title))


def _plain(text: str) -> str:
    return text.replace("*", "")


def _context(v: GmvView, locale: str) -> list[str]:
    w = v.report.current.window
    lines = [t("suite.window", locale, window=str(w), days=w.days, tz=v.tz, previous=str(w.previous()))]
    if v.footer:
        lines.append(v.footer)
    return lines
