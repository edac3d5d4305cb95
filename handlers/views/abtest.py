"""`/abtest` messages: an experiment's statistics, or the list of running and recent ones. Pure.

    render(abtest.analyse(conn, "checkout-button", today=today), "en")   # Message with a CI chart
    render(abtest.recent(conn, today=today), "zh")                       # the list, no chart

Experiment and variant names come from imports: every one is escaped before it enters mrkdwn.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from handlers.views import charts_analysis, fmt
from handlers.views.analysis_fmt import code_block, esc, p_text, pct, signed_pct, table
from handlers.views.blocks import context_block, header_block, section_block
from handlers.views.limits import FIELD_TEXT, MESSAGE_TEXT, SECTION_TEXT, clip
from handlers.views.message import Chart, Message
from handlers.views.texts import t
from metrics.abtest import RECENT_DAYS, AbTestResult, ExperimentList, Verdict

MAX_VARIANTS = 12  # rows in the table; a 13-variant test is rare and the chart still shows them all
MAX_LISTED = 20


def render(content: AbTestResult | ExperimentList, locale: str) -> Message:
    if isinstance(content, ExperimentList):
        return render_list(content, locale)
    return render_result(content, locale)


def _short_verdict(verdict: Verdict | None, problem: str | None, locale: str) -> str:
    if verdict is None:
        return t(f"abtest.short.{problem or 'one_variant'}", locale)
    p = p_text(verdict.p_value)
    if verdict.kind == "winner":
        return t("abtest.short.winner", locale, winner=esc(verdict.winner or ""), p=p)
    if verdict.kind == "srm":
        return t("abtest.short.srm", locale, p=p)
    return t("abtest.short.powered" if verdict.kind == "powered_no_difference" else "abtest.short.no_difference",
             locale, p=p)


def render_list(content: ExperimentList, locale: str) -> Message:
    title = t("abtest.list.title", locale)
    blocks: list[dict[str, Any]] = [header_block(title)]
    if not content.experiments:
        key = "abtest.list.none_recent" if content.older else "abtest.list.none"
        said = t(key, locale, days=RECENT_DAYS)
        blocks.append(section_block(said))
        if content.older:
            blocks.append(context_block(t("abtest.list.older", locale, count=content.older, days=RECENT_DAYS)))
        return Message(said, blocks)
    lines = []
    for s in content.experiments[:MAX_LISTED]:
        days = (s.last_day - s.first_day).days + 1
        status = (t("abtest.status.running", locale, start=s.first_day.isoformat(), days=days) if s.running else
                  t("abtest.status.ended", locale, start=s.first_day.isoformat(), end=s.last_day.isoformat(),
                    days=days))
        lines.append(t("abtest.list.line", locale, name=esc(s.name), status=status, variants=s.variants,
                       visitors=fmt.integer(s.visitors), verdict=_short_verdict(s.verdict, s.problem, locale)))
    hidden = len(content.experiments) - MAX_LISTED
    blocks.append(section_block(_fit(lines, hidden, locale, "abtest.list.more")))
    notes = [t("abtest.list.hint", locale)]
    if content.older:
        notes.append(t("abtest.list.older", locale, count=content.older, days=RECENT_DAYS))
    blocks.append(context_block(*notes, limit=FIELD_TEXT))
    text = clip(f"{title}: " + "; ".join(
        f"{esc(s.name)} {_short_verdict(s.verdict, s.problem, locale)}" for s in content.experiments), MESSAGE_TEXT)
    return Message(text, blocks)


def _fit(lines: Sequence[str], hidden: int, locale: str, more_key: str) -> str:
    """Lines joined within one section's limit, ending with "…and N more" for whatever did not fit."""
    kept: list[str] = []
    for i, line in enumerate(lines):
        rest = hidden + len(lines) - i
        tail = t(more_key, locale, count=rest)
        if len("\n".join([*kept, line])) + len(tail) + 1 > SECTION_TEXT:
            return "\n".join([*kept, tail])
        kept.append(line)
    if hidden > 0:
        kept.append(t(more_key, locale, count=hidden))
    return "\n".join(kept)


def _verdict_line(result: AbTestResult, locale: str) -> str:
    v = result.verdict
    p = p_text(v.p_value)
    if v.kind == "srm":
        split = " / ".join(fmt.integer(x.visitors) for x in result.variants)
        intended = t("abtest.even", locale) if result.even_split else t(
            "abtest.intended", locale, shares=" / ".join(f"{s * 100:.0f}%" for s in result.intended))
        return t("abtest.verdict.srm", locale, split=split, intended=intended, p=p)
    if v.kind == "winner":
        return t("abtest.verdict.winner", locale, winner=esc(v.winner or ""), p=p)
    if v.kind == "powered_no_difference":
        return t("abtest.verdict.powered", locale, p=p, visitors=fmt.integer(min(x.visitors for x in result.variants)))
    if v.more_visitors is None:
        return t("abtest.verdict.no_estimate", locale, p=p)
    return t("abtest.verdict.no_difference", locale, p=p, more=fmt.integer(v.more_visitors))


def _rpv(value: Decimal | None) -> str:
    return fmt.money(value) if value is not None else "n/a"


def render_result(result: AbTestResult, locale: str) -> Message:
    name = esc(result.experiment)
    blocks: list[dict[str, Any]] = [header_block(t("abtest.title", locale, name=result.experiment))]
    verdict = _verdict_line(result, locale)
    blocks.append(section_block(verdict))
    head = t("abtest.head_rpv" if result.has_revenue else "abtest.head", locale).split(" | ")
    rows = [head]
    for i, v in enumerate(result.variants[:MAX_VARIANTS]):
        label = esc(v.name) + (f" ({t('abtest.control', locale)})" if i == 0 and v.name.lower() != "control" else "")
        row = [label, fmt.integer(v.visitors), fmt.integer(v.conversions),
               f"{pct(v.rate, 2)} [{pct(v.ci_low, 2)}–{pct(v.ci_high, 2)}]",
               "—" if i == 0 else signed_pct(v.lift),
               "—" if v.p_value is None else p_text(v.p_value).removeprefix("p = ")]
        if result.has_revenue:
            row.append(_rpv(v.revenue_per_visitor))
        rows.append(row)
    body = table(rows)
    hidden = len(result.variants) - MAX_VARIANTS
    if hidden > 0:
        body += "\n" + t("abtest.more_variants", locale, count=hidden)
    blocks.append(section_block(code_block(clip(body, SECTION_TEXT - 8))))
    days = (result.last_day - result.first_day).days + 1
    period = (t("abtest.period.running", locale, start=result.first_day.isoformat(), end=result.last_day.isoformat(),
                days=days) if result.running else
              t("abtest.period.ended", locale, start=result.first_day.isoformat(), end=result.last_day.isoformat(),
                days=days))
    split = t("abtest.even", locale) if result.even_split else t(
        "abtest.intended", locale, shares=" / ".join(f"{s * 100:.0f}%" for s in result.intended))
    control = esc(result.control)
    method = (t("abtest.method.z", locale, control=control, split=split) if result.test == "z" else
              t("abtest.method.chi2", locale, control=control, split=split, count=len(result.variants)))
    notes = [period, method]
    notes.append(t("abtest.rpv_note" if result.has_revenue else "abtest.no_revenue", locale))
    blocks.append(context_block(*notes, limit=FIELD_TEXT))
    title = t("abtest.chart_title", locale, name=result.experiment)
    winner = result.verdict.winner if result.verdict.kind == "winner" else None
    png = charts_analysis.rate_bars([v.name for v in result.variants], [v.rate for v in result.variants],
                                    [v.ci_low for v in result.variants], [v.ci_high for v in result.variants],
                                    title=title, highlight=winner)
    slug = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in result.experiment)[:60] or "experiment"
    text = clip(f"{t('abtest.title', locale, name=name)}: {verdict.replace('*', '')}", MESSAGE_TEXT)
    return Message(text, blocks, Chart(png, f"abtest-{slug}.png", title))
