"""/sentiment message: a `SentimentView` in, Block Kit and the daily negative-share chart out. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.views import charts_suite, fmt
from handlers.views.blocks import Block, context_block, header_block, section_block
from handlers.views.limits import FIELD_TEXT
from handlers.views.message import Chart, Message
from handlers.views.suite import esc, window_name
from handlers.views.texts import t
from metrics.review_stats import SentimentReport

LEVELS = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ"}
MAX_INCIDENT_LINES = 15


@dataclass(frozen=True)
class SentimentView:
    report: SentimentReport
    what: str  # channel display name, SKU, or "all channels"
    links: dict[str, str]  # incident key → permalink of its card
    tz: str
    footer: str | None


def _topic(name: str, locale: str) -> str:
    key = f"topic.{name}"
    known = ("quality", "logistics", "price", "service", "counterfeit", "safety", "other")
    return t(key, locale) if name in known else esc(name)


def render(v: SentimentView, locale: str) -> Message:
    r = v.report
    wname = window_name(r.window, locale)
    title = t("sentiment.title", locale, what=v.what, window=wname)
    blocks: list[Block] = [header_block(title)]
    if r.total == 0:
        summary = t("sentiment.none", locale, window=str(r.window))
    else:
        summary = t("sentiment.summary", locale, negative=fmt.integer(r.negative), total=fmt.integer(r.total),
                    share=fmt.pct_in(r.share, locale), days=r.window.days,
                    prev_share=fmt.pct_in(r.previous_share, locale))
    blocks.append(section_block(summary))
    if r.topics:
        lines = [t("sentiment.topic_line", locale, rank=i, topic=_topic(x.topic, locale), count=fmt.integer(x.count),
                   share=fmt.pct_in(x.share, locale)) for i, x in enumerate(r.topics, 1)]
        blocks.append(section_block(t("sentiment.topics", locale, lines="\n".join(lines))))
    elif r.total:
        blocks.append(section_block(t("sentiment.no_topics", locale)))
    if r.incidents:
        counts = {lvl: sum(1 for i in r.incidents if i.level == lvl) for lvl in (1, 2, 3)}
        lines = [t("sentiment.incidents", locale, l1=counts[1], l2=counts[2], l3=counts[3])]
        for inc in r.incidents[:MAX_INCIDENT_LINES]:
            url = v.links.get(inc.key)
            link = t("sentiment.card", locale, url=url) if url else t("sentiment.no_card", locale)
            lines.append(t("sentiment.incident_line", locale, level=LEVELS.get(inc.level, str(inc.level)),
                           what=esc(inc.subject), count=inc.count, status=t(f"status.{inc.status}", locale), link=link))
        if len(r.incidents) > MAX_INCIDENT_LINES:
            lines.append(t("stock.list_more", locale, count=len(r.incidents) - MAX_INCIDENT_LINES))
        blocks.append(section_block("\n".join(lines)))
    else:
        blocks.append(section_block(t("sentiment.no_incidents", locale)))
    context = [t("suite.window", locale, window=str(r.window), days=r.window.days, tz=v.tz,
                 previous=str(r.window.previous()))]
    if r.unscored:
        context.append(t("sentiment.unscored", locale, count=r.unscored))
    if v.footer:
        context.append(v.footer)
    blocks.append(context_block(*context, limit=FIELD_TEXT))
    text = f"{title}: {summary}".replace("*", "")
    if r.total == 0:
        return Message(text, blocks)
    chart_title = t("sentiment.chart_title", locale, what=v.what, window=wname)
    png = charts_suite.negative_share([d.date for d in r.daily],
                                      [None if d.share is None else float(d.share) for d in r.daily], title=chart_title,
                                      locale=locale)
    return Message(text, blocks, Chart(png, f"sentiment-{r.channel or r.sku or 'all'}-{r.window.label}.png"
                                       .replace("/", "_"), chart_title))
