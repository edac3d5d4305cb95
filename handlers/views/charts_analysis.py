"""Charts of the analysis views, in the house style of `handlers.views.charts`: data in, PNG bytes out.

Figures are built with the object API (`charts_style.figure`), never registered with pyplot, so there is no
global figure to close and rendering is thread-safe.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from handlers.views import charts_style as style
from handlers.views.charts_style import GRID_COLOR, PALETTE, TEXT_COLOR


def rate_bars(labels: Sequence[str], rates: Sequence[float], lows: Sequence[float], highs: Sequence[float], *,
              title: str, highlight: str | None = None) -> bytes:
    """Conversion rate per variant with its (asymmetric) confidence interval as error bars."""
    family = style.font_family()
    fig, ax = style.figure()
    xs = list(range(len(labels)))
    colors = [PALETTE[1] if label == highlight else PALETTE[0] for label in labels]
    below = [max(0.0, r - lo) for r, lo in zip(rates, lows, strict=True)]
    above = [max(0.0, hi - r) for r, hi in zip(rates, highs, strict=True)]
    ax.bar(xs, [r * 100 for r in rates], color=colors, width=0.55,  # type: ignore[attr-defined]
           yerr=[[b * 100 for b in below], [a * 100 for a in above]], capsize=6, ecolor=TEXT_COLOR)
    for x, r, hi in zip(xs, rates, highs, strict=True):
        ax.annotate(f"{r * 100:.2f}%", xy=(x, hi * 100), xytext=(0, 4), textcoords="offset points",  # type: ignore[attr-defined]
                    ha="center", fontsize=9, fontfamily=family, color=TEXT_COLOR)
    ax.set_xticks(xs)  # type: ignore[attr-defined]
    ax.set_xticklabels([style.wrap(x, 14) for x in labels], fontfamily=family)  # type: ignore[attr-defined]
    ax.set_ylim(0, max([*highs, 0.001]) * 100 * 1.2)  # type: ignore[attr-defined]
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.1f}%")  # type: ignore[attr-defined]
    ax.set_title(style.wrap(title, 70), fontfamily=family, fontsize=12, color=TEXT_COLOR, loc="left")  # type: ignore[attr-defined]
    return style.png(fig)


def share_bars(labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str) -> bytes:
    """Horizontal bars of shares (0–1) per label, one colour per series, first label on top."""
    family = style.font_family()
    fig, ax = style.figure()
    n = max(1, len(series))
    height = 0.8 / n
    ys = list(range(len(labels)))[::-1]
    for i, (name, values) in enumerate(series.items()):
        pos = [y + ((n - 1) / 2 - i) * height for y in ys]
        ax.barh(pos, [v * 100 for v in values], height=height, color=PALETTE[i % len(PALETTE)],  # type: ignore[attr-defined]
                label=name)
        for y, v in zip(pos, values, strict=True):
            if v > 0:
                ax.annotate(f"{v * 100:.0f}%", xy=(v * 100, y), xytext=(3, 0), textcoords="offset points",  # type: ignore[attr-defined]
                            va="center", fontsize=7, fontfamily=family, color=TEXT_COLOR)
    ax.set_yticks(ys)  # type: ignore[attr-defined]
    ax.set_yticklabels([style.wrap(x, 14) for x in labels], fontfamily=family)  # type: ignore[attr-defined]
    ax.grid(axis="x", color=GRID_COLOR, linewidth=0.8)  # type: ignore[attr-defined]
    ax.grid(axis="y", visible=False)  # type: ignore[attr-defined]
    top = max([v for values in series.values() for v in values] + [0.01]) * 100
    ax.set_xlim(0, top * 1.15)  # type: ignore[attr-defined]
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}%")  # type: ignore[attr-defined]
    ax.legend(prop={"family": family, "size": 8}, frameon=False, loc="lower right")  # type: ignore[attr-defined]
    ax.set_title(style.wrap(title, 70), fontfamily=family, fontsize=12, color=TEXT_COLOR, loc="left")  # type: ignore[attr-defined]
    return style.png(fig)


def heatmap(rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[float | None]], *, title: str,
            xlabel: str) -> bytes:
    """A retention triangle: one row per cohort, one column per month after; None cells stay blank."""
    family = style.font_family()
    fig, ax = style.figure()
    grid = [[math.nan if v is None else v * 100 for v in row] + [math.nan] * (len(columns) - len(row))
            for row in values]
    finite = [v for row in grid for v in row if not math.isnan(v)]
    top = max(finite + [1.0])
    image = ax.imshow(grid or [[math.nan]], cmap="Blues", vmin=0, vmax=top, aspect="auto")  # type: ignore[attr-defined]
    for y, row in enumerate(grid):
        for x, v in enumerate(row):
            if not math.isnan(v):
                ax.text(x, y, f"{v:.0f}%", ha="center", va="center", fontsize=7, fontfamily=family,  # type: ignore[attr-defined]
                        color="white" if v > top * 0.6 else TEXT_COLOR)
    ax.set_xticks(list(range(len(columns))))  # type: ignore[attr-defined]
    ax.set_xticklabels(list(columns), fontfamily=family, fontsize=8)  # type: ignore[attr-defined]
    ax.set_yticks(list(range(len(rows))))  # type: ignore[attr-defined]
    ax.set_yticklabels(list(rows), fontfamily=family, fontsize=8)  # type: ignore[attr-defined]
    ax.set_xlabel(xlabel, fontfamily=family, fontsize=9, color=TEXT_COLOR)  # type: ignore[attr-defined]
    ax.grid(False)  # type: ignore[attr-defined]
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)  # type: ignore[arg-type]
    bar.ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}%")
    bar.ax.tick_params(labelsize=8)
    ax.set_title(style.wrap(title, 70), fontfamily=family, fontsize=12, color=TEXT_COLOR, loc="left")  # type: ignore[attr-defined]
    return style.png(fig)
