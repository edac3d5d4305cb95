"""/funnel message: a `FunnelView` in, Block Kit and the funnel chart out. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.views import charts_suite, fmt
from handlers.views.blocks import Block, context_block, header_block, section_block
from handlers.views.limits import FIELD_TEXT
from handlers.views.message import Chart, Message
from handlers.views.suite import channel_or_all, window_name
from handlers.views.texts import t
from metrics.gmv import Figures, FunnelReport


@dataclass(frozen=True)
class FunnelView:
    report: FunnelReport
    names: dict[str, str]
    channel: str | None  # the one channel asked for, or None for every channel
    tz: str
    footer: str | None


def _values(f: Figures, locale: str) -> dict[str, str]:
    return {"uv": fmt.integer(f.uv), "cart": fmt.integer(f.cart_users), "cart_rate": fmt.pct_in(f.cart_rate, locale),
            "buyers": fmt.integer(f.buyers), "pay_rate": fmt.pct_in(f.pay_rate, locale),
            "cvr": fmt.pct_in(f.cvr, locale, 2)}


def render(v: FunnelView, locale: str) -> Message:
    r = v.report
    # every channel asked for by name; in the overview only those with traffic or buyers
    rows = [f for f in r.rows if f.channel == v.channel or v.channel is None and (f.uv or f.buyers)]
    name = channel_or_all(v.names.get(v.channel) if v.channel else None, locale)
    wname = window_name(r.window, locale)
    title = t("funnel.title", locale, channel=name, window=wname)
    blocks: list[Block] = [header_block(title)]
    lines = []
    for f in rows:
        flag = t("funnel.flag", locale) if f.channel in r.flagged else ""
        lines.append(t("funnel.line", locale, channel=v.names.get(f.channel or "", f.channel or ""), flag=flag,
                       **_values(f, locale)))
    lines.append(t("funnel.total", locale, **_values(r.total, locale)))
    blocks.append(section_block("\n".join(lines)))
    for slug in r.flagged:
        if v.channel is not None and slug != v.channel:
            continue
        f = next(x for x in r.rows if x.channel == slug)
        blocks.append(section_block(t("funnel.flag_note", locale, channel=v.names.get(slug, slug),
                                      cart_rate=fmt.pct_in(f.cart_rate, locale),
                                      pay_rate=fmt.pct_in(f.pay_rate, locale),
                                      all_cart=fmt.pct_in(r.total.cart_rate, locale),
                                      all_pay=fmt.pct_in(r.total.pay_rate, locale))))
    if r.total.uv and not r.total.cart_users:
        blocks.append(section_block(t("funnel.no_cart", locale, window=str(r.window))))
    context = [t("suite.window", locale, window=str(r.window), days=r.window.days, tz=v.tz,
                 previous=str(r.window.previous()))]
    if v.footer:
        context.append(v.footer)
    blocks.append(context_block(*context, limit=FIELD_TEXT))
    shown = rows[0] if v.channel is not None and rows else r.total
    text = f"{title}: " + t("funnel.total", locale, **_values(shown, locale)).replace("*", "")
    if not shown.uv:
        return Message(text, blocks)
    chart_title = t("funnel.chart_title", locale, channel=name, window=wname)
    png = charts_suite.funnel_bars(
        [t("funnel.stage.uv", locale), t("funnel.stage.cart", locale), t("funnel.stage.buyers", locale)],
        [shown.uv, shown.cart_users, shown.buyers],
        ["100%", fmt.pct_in(shown.cart_rate, locale), fmt.pct_in(shown.pay_rate, locale)], title=chart_title)
    return Message(text, blocks, Chart(png, f"funnel-{v.channel or 'all'}-{r.window.label}.png", chart_title))
