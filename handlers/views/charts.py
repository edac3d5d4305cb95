"""Chart style in one place, and the charts themselves: data in, PNG bytes out.

The CJK font comes from the `mplfonts` wheel (Noto Sans CJK SC), never from the host, so
Chinese SKU and channel names render the same on every machine.
"""

from __future__ import annotations

import importlib.util
import io
import threading
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot

import matplotlib.dates as mdates  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

PALETTE = ("#2E6FDB", "#E0592A", "#2BA36B", "#8E5CD9", "#D4A20B", "#C43D7A", "#4A9FB5")
FLOOR_COLOR = "#C62828"
GRID_COLOR = "#E4E7EB"
TEXT_COLOR = "#1F2933"
SIZE = (8.0, 4.0)
DPI = 110

_FONT_FILE = "NotoSansCJKsc-Regular.otf"
_font_lock = threading.Lock()
_font_name: str | None = None


def cjk_font_path() -> Path:
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the mplfonts package (bundled CJK font) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "fonts" / _FONT_FILE


def _font() -> str:
    """Register the bundled CJK font once per process; return its family name."""
    global _font_name
    with _font_lock:
        if _font_name is None:
            path = cjk_font_path()
            font_manager.fontManager.addfont(str(path))
            _font_name = font_manager.FontProperties(fname=str(path)).get_name()
        return _font_name


def _figure() -> tuple[Figure, object]:
    family = _font()
    fig = Figure(figsize=SIZE, dpi=DPI)
    ax = fig.add_subplot()
    # rc-free styling: pyplot's global state is not thread-safe, Figure objects are
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    ax.grid(axis="y", color=GRID_COLOR, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(colors=TEXT_COLOR, labelsize=9)
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_fontfamily(family)
    return fig, ax


def _short(text: str, limit: int) -> str:
    # long titles push tight_layout past the figure edge; a chart title is a label, not prose
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _finish_dates(fig: Any, ax: Any, title: str, family: str) -> bytes:
    """The date axis and title every daily chart shares, then the PNG."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.set_title(_short(title, 70), fontfamily=family, fontsize=12, color=TEXT_COLOR, loc="left")
    return _png(fig)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def daily_roi_chart(daily: pd.DataFrame, *, floor: Decimal, title: str, floor_label: str) -> bytes:
    """Line of daily ROI (GMV/spend) with the floor drawn; days without spend are gaps."""
    family = _font()
    fig, ax = _figure()
    dates = pd.to_datetime(daily["date"])
    values = pd.to_numeric(daily["roi"], errors="coerce")
    ax.plot(dates, values, color=PALETTE[0], linewidth=2, marker="o", markersize=3)  # type: ignore[attr-defined]
    ax.axhline(float(floor), color=FLOOR_COLOR, linestyle="--", linewidth=1.2)  # type: ignore[attr-defined]
    ax.annotate(  # type: ignore[attr-defined]
        floor_label, xy=(1, float(floor)), xycoords=("axes fraction", "data"),
        xytext=(-4, 4), textcoords="offset points", ha="right", color=FLOOR_COLOR,
        fontsize=9, fontfamily=family,
    )
    below = values < float(floor)
    ax.scatter(dates[below], values[below], color=FLOOR_COLOR, zorder=3, s=18)  # type: ignore[attr-defined]
    top = max(float(values.max()) if values.notna().any() else 0.0, float(floor)) * 1.2
    ax.set_ylim(0, top or 1)  # type: ignore[attr-defined]
    ax.yaxis.set_major_formatter(lambda v, _pos: f"1:{v:.1f}")  # type: ignore[attr-defined]
    return _finish_dates(fig, ax, title, family)


def ranking_chart(
    labels: Sequence[str], values: Sequence[Decimal | None], *, floors: Sequence[Decimal], title: str
) -> bytes:
    """Horizontal bars of ROI per channel, best on top, each bar's floor marked."""
    family = _font()
    fig, ax = _figure()
    ys = list(range(len(labels)))[::-1]
    nums = [float(v) if v is not None else 0.0 for v in values]
    colors = [
        FLOOR_COLOR if v is not None and v < f else PALETTE[0] for v, f in zip(values, floors, strict=True)
    ]
    ax.barh(ys, nums, color=colors, height=0.6)  # type: ignore[attr-defined]
    for y, v, f in zip(ys, values, floors, strict=True):
        ax.plot([float(f), float(f)], [y - 0.4, y + 0.4], color=FLOOR_COLOR, linestyle="--")  # type: ignore[attr-defined]
        ax.annotate(  # type: ignore[attr-defined]
            "n/a" if v is None else f"1:{v:.2f}", xy=(float(v or 0), y), xytext=(4, 0),
            textcoords="offset points", va="center", fontsize=9, fontfamily=family, color=TEXT_COLOR,
        )
    ax.set_yticks(ys)  # type: ignore[attr-defined]
    ax.set_yticklabels([_short(x, 16) for x in labels], fontfamily=family)  # type: ignore[attr-defined]
    ax.set_xlim(0, max([*nums, *(float(f) for f in floors), 1.0]) * 1.25)  # type: ignore[attr-defined]
    ax.xaxis.set_major_formatter(lambda v, _pos: f"1:{v:g}")  # type: ignore[attr-defined]
    ax.set_title(_short(title, 70), fontfamily=family, fontsize=12, color=TEXT_COLOR, loc="left")  # type: ignore[attr-defined]
    return _png(fig)


def grouped_bars(labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str) -> bytes:
    """Vertical bars per label, one colour per series (e.g. GMV per channel: yesterday, day before, last week)."""
    family = _font()
    fig, ax = _figure()
    n = max(1, len(series))
    width = 0.8 / n
    for i, (name, values) in enumerate(series.items()):
        xs = [x + (i - (n - 1) / 2) * width for x in range(len(labels))]
        ax.bar(xs, list(values), width=width, color=PALETTE[i % len(PALETTE)], label=_short(name, 24))  # type: ignore[attr-defined]
    ax.set_xticks(list(range(len(labels))))  # type: ignore[attr-defined]
    ax.set_xticklabels([_short(x, 12) for x in labels], fontfamily=family)  # type: ignore[attr-defined]
    ax.yaxis.set_major_formatter(lambda v, _pos: f"¥{v:,.0f}")  # type: ignore[attr-defined]
    if series:  # a legend of nothing warns
        ax.legend(prop={"family": family, "size": 8}, frameon=False)  # type: ignore[attr-defined]
    ax.set_title(_short(title, 70), fontfamily=family, fontsize=12, color=TEXT_COLOR, loc="left")  # type: ignore[attr-defined]
    return _png(fig)


def daily_line(dates: Sequence[object], values: Sequence[float], *, title: str,
               target: float | None = None, target_label: str = "") -> bytes:
    """A line of one figure per day, with an optional horizontal target (e.g. daily GMV vs target pace)."""
    family = _font()
    fig, ax = _figure()
    xs = pd.to_datetime(pd.Series(list(dates)))
    ax.plot(xs, list(values), color=PALETTE[0], linewidth=2, marker="o", markersize=3)  # type: ignore[attr-defined]
    if target is not None:
        ax.axhline(target, color=FLOOR_COLOR, linestyle="--", linewidth=1.2)  # type: ignore[attr-defined]
        ax.annotate(target_label, xy=(1, target), xycoords=("axes fraction", "data"), xytext=(-4, 4),  # type: ignore[attr-defined]
                    textcoords="offset points", ha="right", color=FLOOR_COLOR, fontsize=9, fontfamily=family)
    ax.set_ylim(bottom=0)  # type: ignore[attr-defined]
    ax.yaxis.set_major_formatter(lambda v, _pos: f"¥{v:,.0f}")  # type: ignore[attr-defined]
    return _finish_dates(fig, ax, title, family)
