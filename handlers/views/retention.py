"""`/retention` message: repurchase, new vs returning, the cohort table and LTV, with a heatmap. Pure.

    render(retention.retention(conn, window=w), "en", channel_name="Tmall", names={"tmall": "Tmall", …})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.views import charts_analysis, fmt
from handlers.views.analysis_fmt import code_block, esc, table
from handlers.views.blocks import context_block, header_block, section_block
from handlers.views.limits import FIELD_TEXT, SECTION_TEXT, clip
from handlers.views.message import Chart, Message
from handlers.views.texts import t
from metrics.retention import ALL, LTV_DAYS, RetentionResult

MAX_LTV_ROWS = 12


def _cell(share: Any, locale: str) -> str:
    return fmt.na(locale) if share is None else f"{float(share) * 100:.0f}%"


def render(result: RetentionResult, locale: str, *, channel_name: str, names: Mapping[str, str],
           footer: str | None = None) -> Message:
    window = str(result.window)
    title = t("retention.title", locale, channel=channel_name, window=fmt.window_label(result.window.label, locale))
    blocks: list[dict[str, Any]] = [header_block(title)]
    mix = result.mix
    blocks.append(section_block(t(
        "retention.mix", locale, rate=fmt.pct(mix.repurchase_rate), repeat=fmt.integer(mix.repeat_buyers),
        buyers=fmt.integer(mix.buyers), window=window, new=fmt.integer(mix.new_buyers),
        returning=fmt.integer(mix.returning_buyers))))

    through = result.through.isoformat() if result.through else fmt.na(locale)
    chart = None
    if result.cohorts:
        months = max(len(c.retained) for c in result.cohorts)
        head = t("retention.cohorts.head", locale).split()
        rows = [[*head, *(f"M{k}" for k in range(1, months + 1))]]
        for c in result.cohorts:
            rows.append([c.month.strftime("%Y-%m"), fmt.integer(c.size),
                         *(_cell(c.share(k), locale) for k in range(1, len(c.retained) + 1))])
        body = clip(table(rows), SECTION_TEXT - 400)
        blocks.append(section_block(t("retention.cohorts", locale, through=through) + "\n" + code_block(body)))
    else:
        blocks.append(section_block(t("retention.cohorts.none", locale, through=through)))
    if result.cohorts and max(len(c.retained) for c in result.cohorts) > 0:  # one month only: nothing to shade
        months = max(len(c.retained) for c in result.cohorts)
        chart_title = t("retention.chart_title", locale, channel=channel_name)
        png = charts_analysis.heatmap(
            [f"{c.month:%Y-%m} ({c.size:,})" for c in result.cohorts], [f"M{k}" for k in range(1, months + 1)],
            [[None if c.share(k) is None else float(c.share(k) or 0) for k in range(1, len(c.retained) + 1)]
             for c in result.cohorts],
            title=chart_title, xlabel=t("retention.chart_x", locale))
        chart = Chart(png, f"retention-{result.channel or 'all'}-{result.window.label}.png", chart_title)

    cut = {d: c.isoformat() for d, c in zip(LTV_DAYS, result.ltv_cutoffs, strict=True)}
    ltv_rows = [t("retention.ltv.head", locale).split(" | ")]
    shown = [r for r in result.ltv if r.channel != ALL][:MAX_LTV_ROWS]
    total = [r for r in result.ltv if r.channel == ALL]
    for r in [*shown, *total]:
        label = t("retention.ltv.all", locale) if r.channel == ALL else esc(names.get(r.channel, r.channel))
        ltv_rows.append([label, *(fmt.na(locale) if cell.average is None
                                  else f"{fmt.money(cell.average)} ({cell.buyers:,})" for cell in r.cells)])
    hidden = len([r for r in result.ltv if r.channel != ALL]) - len(shown)
    body = table(ltv_rows)
    if hidden > 0:
        body += "\n" + t("retention.ltv.more", locale, count=hidden)
    blocks.append(section_block(t("retention.ltv", locale, d90=cut[90], d180=cut[180], d365=cut[365]) + "\n"
                                + code_block(clip(body, SECTION_TEXT - 500))))
    notes = [t("retention.method", locale)]
    if footer:
        notes.append(footer)
    blocks.append(context_block(*notes, limit=FIELD_TEXT))
    summary = t("retention.mix", locale, rate=fmt.pct(mix.repurchase_rate), repeat=fmt.integer(mix.repeat_buyers),
                buyers=fmt.integer(mix.buyers), window=window, new=fmt.integer(mix.new_buyers),
                returning=fmt.integer(mix.returning_buyers))
    text = f"{title}: {summary}"
    return Message(text.replace("*", "").replace("\n", " · "), blocks, chart)
