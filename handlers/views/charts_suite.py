"""Charts of the command suite, in the style of `handlers.views.charts`: data in, PNG bytes out.

Each builds its own `Figure` (never pyplot's global state) and lets it go when done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

from handlers.views.charts import (
    FLOOR_COLOR,
    PALETTE,
    TEXT_COLOR,
    _figure,
    _finish_dates,
    _font,
    _png,
    _short,
)

PREVIOUS_COLOR = "#9AA5B1"


def _yuan(v: float, _pos: object = None) -> str:
    return f"¥{v / 10_000:,.1f}万" if abs(v) >= 100_000 else f"¥{v:,.0f}"


def gmv_daily(dates: Sequence[date], series: Mapping[str, Sequence[float]], previous: Sequence[float], *, title: str,
              previous_label: str, total_label: str | None = None) -> bytes:
    """Daily GMV: one channel as a line, several stacked with their total; the previous window dashed,
    laid over the same day positions (its day 1 under this window's day 1)."""
    family = _font()
    fig, ax = _figure()
    xs = pd.to_datetime(pd.Series(list(dates)))
    names = list(series)
    if len(names) == 1:
        ax.plot(xs, list(series[names[0]]), color=PALETTE[0], linewidth=2, marker="o", markersize=3,  # type: ignore[attr-defined]
                label=names[0])
    else:
        ax.stackplot(xs, *[list(series[n]) for n in names], labels=[_short(n, 14) for n in names],  # type: ignore[attr-defined]
                     colors=[PALETTE[i % len(PALETTE)] for i in range(len(names))], alpha=0.85)
        totals = [sum(v) for v in zip(*series.values(), strict=True)]
        ax.plot(xs, totals, color=TEXT_COLOR, linewidth=1.5, label=total_label or "total")  # type: ignore[attr-defined]
    ax.plot(xs[: len(previous)], list(previous)[: len(xs)], color=PREVIOUS_COLOR, linewidth=1.5, linestyle="--",  # type: ignore[attr-defined]
            label=previous_label)
    ax.set_ylim(bottom=0)  # type: ignore[attr-defined]
    ax.yaxis.set_major_formatter(_yuan)  # type: ignore[attr-defined]
    ax.legend(prop={"family": family, "size": 8}, frameon=False, loc="upper left", ncol=4)  # type: ignore[attr-defined]
    return _finish_dates(fig, ax, title, family)


def funnel_bars(stages: Sequence[str], values: Sequence[int], rates: Sequence[str], *, title: str) -> bytes:
    """A funnel: one centred bar per stage, widest first, each labelled with its count and stage rate."""
    family = _font()
    fig, ax = _figure()
    ys = list(range(len(stages)))[::-1]
    top = max([*values, 1])
    for i, (y, v) in enumerate(zip(ys, values, strict=True)):
        ax.barh(y, v, left=(top - v) / 2, height=0.7, color=PALETTE[i % len(PALETTE)])  # type: ignore[attr-defined]
        ax.annotate(f"{v:,}  {rates[i]}", xy=(top / 2, y), ha="center", va="center", fontsize=10,  # type: ignore[attr-defined]
                    fontfamily=family, color="white" if v > top * 0.3 else TEXT_COLOR)
    ax.set_yticks(ys)  # type: ignore[attr-defined]
    ax.set_yticklabels([_short(s, 14) for s in stages], fontfamily=family)  # type: ignore[attr-defined]
    ax.set_xticks([])  # type: ignore[attr-defined]
    ax.grid(False)  # type: ignore[attr-defined]
    ax.set_xlim(0, top)  # type: ignore[attr-defined]
    ax.set_title(_short(title, 70), fontfamily=family, fontsize=12, color=TEXT_COLOR, loc="left")  # type: ignore[attr-defined]
    return _png(fig)


def units_sparkline(dates: Sequence[date], units: Sequence[int], *, title: str) -> bytes:
    """Units sold per day (bars): the 28 days that the average daily sales come from."""
    family = _font()
    fig, ax = _figure()
    xs = pd.to_datetime(pd.Series(list(dates)))
    ax.bar(xs, list(units), color=PALETTE[0], width=0.8)  # type: ignore[attr-defined]
    ax.set_ylim(bottom=0)  # type: ignore[attr-defined]
    return _finish_dates(fig, ax, title, family)


def negative_share(dates: Sequence[date], shares: Sequence[float | None], *, title: str) -> bytes:
    """Share of negative reviews per day, as a percentage; days without reviews are gaps."""
    family = _font()
    fig, ax = _figure()
    xs = pd.to_datetime(pd.Series(list(dates)))
    ys = [float("nan") if s is None else s * 100 for s in shares]
    ax.plot(xs, ys, color=FLOOR_COLOR, linewidth=2, marker="o", markersize=3)  # type: ignore[attr-defined]
    ax.set_ylim(0, 100)  # type: ignore[attr-defined]
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}%")  # type: ignore[attr-defined]
    return _finish_dates(fig, ax, title, family)
