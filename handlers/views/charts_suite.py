"""Charts of the command suite, in the one style of `handlers.views.charts_style`: data in, PNG bytes out.

Each builds its own `Figure` (never pyplot's global state) and lets it go when done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

from handlers.views import charts_style as style


def gmv_daily(dates: Sequence[date], series: Mapping[str, Sequence[float]], previous: Sequence[float], *, title: str,
              previous_label: str, total_label: str | None = None, keys: Sequence[str | None] | None = None,
              locale: str = "en") -> bytes:
    """Daily GMV: one channel as a line, several stacked with their total; the previous window dashed,
    laid over the same day positions (its day 1 under this window's day 1). `keys` are the channels'
    slugs, in the order of `series`, for their colours."""
    fig, ax = style.figure()
    xs = list(pd.to_datetime(pd.Series(list(dates))))
    names = list(series)
    colors = style.channel_colors(keys, len(names))
    if len(names) == 1:
        style.daily_series(ax, xs, list(series[names[0]]), color=colors[0], label=names[0])
    else:
        ax.stackplot(xs, *[list(series[n]) for n in names], labels=names, colors=colors, alpha=0.85)
        totals = [sum(v) for v in zip(*series.values(), strict=True)]
        style.daily_series(ax, xs, totals, color=style.TEXT_COLOR, label=total_label or "total", linewidth=1.5)
    prev = list(previous)[: len(xs)]
    if prev:
        style.daily_series(ax, xs[: len(prev)], prev, color=style.MUTED_COLOR, label=previous_label,
                           linestyle="--", linewidth=1.5)
    ax.set_ylim(bottom=0)
    style.money_axis(ax, locale)
    ax.legend(prop={"size": 8}, frameon=False, loc="upper left", ncol=4)
    if xs:
        style.date_axis(ax, *style.span(xs), locale)
    style.title(ax, title)
    return style.png(fig)


def funnel_bars(stages: Sequence[str], values: Sequence[int], rates: Sequence[str], *, title: str) -> bytes:
    """A funnel: one centred bar per stage, widest first, each labelled with its count and stage rate."""
    fig, ax = style.figure()
    ys = list(range(len(stages)))[::-1]
    top = max([*values, 1])
    for i, (y, v) in enumerate(zip(ys, values, strict=True)):
        ax.barh(y, v, left=(top - v) / 2, height=0.7, color=style.PALETTE[i % len(style.PALETTE)])
        label = f"{v:,}  {rates[i]}"
        if v > top * 0.3:
            ax.annotate(label, xy=(top / 2, y), ha="center", va="center", fontsize=10, color="white")
        else:  # a narrow bar cannot hold its label: it goes beside the bar, never across its edge
            ax.annotate(label, xy=((top + v) / 2, y), xytext=(6, 0), textcoords="offset points", ha="left",
                        va="center", fontsize=10, color=style.TEXT_COLOR)
    ax.set_yticks(ys)
    style.category_labels(ax, stages, width=14)
    ax.set_xticks([])
    ax.grid(False)
    ax.set_xlim(0, top)
    style.title(ax, title)
    return style.png(fig)


def units_sparkline(dates: Sequence[date], units: Sequence[int], *, title: str, locale: str = "en") -> bytes:
    """Units sold per day (bars): the 28 days that the average daily sales come from."""
    fig, ax = style.figure()
    xs = list(pd.to_datetime(pd.Series(list(dates))))
    ax.bar(xs, list(units), color=style.PALETTE[0], width=0.8)
    ax.set_ylim(bottom=0)
    if xs:
        style.date_axis(ax, *style.span(xs), locale)
    style.title(ax, title)
    return style.png(fig)


def negative_share(dates: Sequence[date], shares: Sequence[float | None], *, title: str, locale: str = "en") -> bytes:
    """Share of negative reviews per day, as a percentage; days without reviews are gaps."""
    fig, ax = style.figure()
    xs = list(pd.to_datetime(pd.Series(list(dates))))
    ys = [float("nan") if s is None else s * 100 for s in shares]
    style.daily_series(ax, xs, ys, color=style.FLOOR_COLOR)
    ax.set_ylim(0, 100)
    style.percent_axis(ax)
    if xs:
        style.date_axis(ax, *style.span(xs), locale)
    style.title(ax, title)
    return style.png(fig)
