"""The ROI and report charts: data in, PNG bytes out, in the one style of `handlers.views.charts_style`.

    png = ranking_chart(["Douyin", "WeChat Mini Program"], [Decimal("2.4"), None], floors=[...], title="…",
                        keys=["douyin", "wechat"], locale="zh")
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pandas as pd
from matplotlib.patches import Patch

from handlers.views import charts_style as style
from handlers.views import fmt

# a value label starts this far right of whichever ends later, its bar or its floor mark
LABEL_GAP_POINTS = 5


def daily_roi_chart(daily: pd.DataFrame, *, floor: Decimal, title: str, floor_label: str, locale: str = "en",
                    channel: str | None = None, window: tuple[date, date] | None = None) -> bytes:
    """Line of daily ROI (GMV/spend) with the floor drawn; days without spend are gaps."""
    fig, ax = style.figure()
    dates = pd.to_datetime(daily["date"])
    values = pd.to_numeric(daily["roi"], errors="coerce")
    style.daily_series(ax, list(dates), list(values), color=style.channel_color(channel))
    ax.axhline(float(floor), color=style.FLOOR_COLOR, linestyle="--", linewidth=1.2)
    ax.annotate(floor_label, xy=(1, float(floor)), xycoords=("axes fraction", "data"), xytext=(-4, 4),
                textcoords="offset points", ha="right", color=style.FLOOR_COLOR, fontsize=style.LABEL_SIZE)
    below = values < float(floor)
    ax.scatter(dates[below], values[below], color=style.FLOOR_COLOR, zorder=3, s=18)
    top = max(float(values.max()) if values.notna().any() else 0.0, float(floor)) * 1.2
    ax.set_ylim(0, top or 1)
    style.roi_axis(ax)
    start, end = window or style.span(list(dates))
    style.date_axis(ax, start, end, locale)
    style.title(ax, title)
    return style.png(fig)


def ranking_chart(labels: Sequence[str], values: Sequence[Decimal | None], *, floors: Sequence[Decimal], title: str,
                  keys: Sequence[str | None] | None = None, locale: str = "en") -> bytes:
    """Horizontal bars of ROI per channel (its own colour), best on top, each bar's floor marked;
    a bar below its floor is hatched and its figure red. Names wrap, never cut."""
    fig, ax = style.figure()
    ys = list(range(len(labels)))[::-1]
    nums = [float(v) if v is not None else 0.0 for v in values]
    colors = style.channel_colors(keys, len(labels))
    right = max([*nums, *(float(f) for f in floors), 1.0])
    for y, v, f, num, color in zip(ys, values, floors, nums, colors, strict=True):
        below = v is not None and v < f
        ax.barh(y, num, color=color, height=0.6, hatch="//" if below else None,
                edgecolor=style.FLOOR_COLOR if below else color, linewidth=1.2 if below else 0)
        ax.plot([float(f), float(f)], [y - 0.4, y + 0.4], color=style.FLOOR_COLOR, linestyle="--")
        # right of the bar and of the floor mark alike, so the figure never sits on the dashed line
        # rounded as the message rounds it (half up): a bar never reads 1:7.18 beside a text saying 1:7.19
        ax.annotate("—" if v is None else fmt.roi(v), xy=(max(num, float(f)), y), xytext=(LABEL_GAP_POINTS, 0),
                    textcoords="offset points", va="center", fontsize=style.LABEL_SIZE,
                    color=style.FLOOR_COLOR if below else style.TEXT_COLOR)
    ax.set_yticks(ys)
    style.category_labels(ax, labels)
    ax.set_xlim(0, right * 1.3)  # room for the label right of the longest bar
    style.roi_axis(ax, axis="x")
    ax.grid(False)
    ax.grid(axis="x", color=style.GRID_COLOR, linewidth=0.8)
    style.title(ax, title)
    return style.png(fig)


# how much of the channel's colour each period gets: the day itself full, the days it is compared with fainter
PERIOD_ALPHAS = (1.0, 0.5, 0.25)


def grouped_bars(labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str,
                 keys: Sequence[str | None] | None = None, locale: str = "en") -> bytes:
    """Vertical bars per channel (its own colour), one bar per period in `series` (e.g. yesterday, the day
    before, a week before), the periods told apart by shade and explained in the legend."""
    fig, ax = style.figure()
    n = max(1, len(series))
    width = 0.8 / n
    colors = style.channel_colors(keys, len(labels))
    legend = []
    for i, (name, values) in enumerate(series.items()):
        alpha = PERIOD_ALPHAS[min(i, len(PERIOD_ALPHAS) - 1)]
        xs = [x + (i - (n - 1) / 2) * width for x in range(len(labels))]
        ax.bar(xs, list(values), width=width, color=colors, alpha=alpha, edgecolor=style.TEXT_COLOR,
               linewidth=0.3)
        # the legend explains the shade, not a channel: a neutral swatch of this period's alpha
        legend.append(Patch(facecolor=style.MUTED_COLOR, alpha=alpha, edgecolor=style.TEXT_COLOR, linewidth=0.3,
                            label=name[:24]))
    ax.set_xticks(list(range(len(labels))))
    style.category_labels(ax, labels, axis="x", width=12)
    style.money_axis(ax, locale)
    if legend:  # a legend of nothing warns
        ax.legend(handles=legend, prop={"size": 8}, frameon=False)
    style.title(ax, title)
    return style.png(fig)


def daily_line(dates: Sequence[object], values: Sequence[float], *, title: str, target: float | None = None,
               target_label: str = "", locale: str = "en", window: tuple[date, date] | None = None) -> bytes:
    """A line of one figure per day, with an optional horizontal target (e.g. daily GMV vs target pace)."""
    fig, ax = style.figure()
    xs = list(pd.to_datetime(pd.Series(list(dates))))
    style.daily_series(ax, xs, list(values), color=style.channel_color(None))
    if target is not None:
        ax.axhline(target, color=style.FLOOR_COLOR, linestyle="--", linewidth=1.2)
        ax.annotate(target_label, xy=(1, target), xycoords=("axes fraction", "data"), xytext=(-4, 4),
                    textcoords="offset points", ha="right", color=style.FLOOR_COLOR, fontsize=style.LABEL_SIZE)
    ax.set_ylim(bottom=0)
    style.money_axis(ax, locale)
    if window is not None or xs:
        start, end = window or style.span(xs)
        style.date_axis(ax, start, end, locale)
    style.title(ax, title)
    return style.png(fig)
