"""Chart style in one place: colours (one per sales channel), fonts, titles, date/money/percent axes, PNG.

    fig, ax = figure()
    ax.bar(xs, ys, color=channel_color("douyin"))
    date_axis(ax, start, end, locale="zh")          # explicit limits, day ticks, a 2026年11月 caption
    money_axis(ax, locale="zh")                     # ¥12.3万
    title(ax, "各渠道 GMV · 2026-11-20")
    return png(fig)

Every chart module uses these public names, so the same channel has the same colour in every chart
and every chart reads the same at Slack's preview size. The CJK font comes from the `mplfonts` wheel
(Noto Sans CJK SC), never from the host, so Chinese names render the same on every machine.
Tests see the figure a chart is drawn on with `captured()`.
"""

from __future__ import annotations

import importlib.util
import io
import math
import threading
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot

import matplotlib.dates as mdates  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

# The six channels of SPEC §2 keep these for good; none is the floor's red, so a breach stays readable
CHANNEL_COLORS = {
    "douyin": "#2E6FDB",
    "tmall": "#E0592A",
    "jd": "#8E5CD9",
    "pdd": "#D4A20B",
    "xiaohongshu": "#C43D7A",
    "wechat": "#2BA36B",
}
# a channel a deployment adds (kuaishou…) gets one of these, picked by its slug: stable across charts and runs
EXTRA_COLORS = ("#4A9FB5", "#7A8B2E", "#B5651D", "#5C6BC0", "#00897B", "#8D6E63")
PALETTE = ("#2E6FDB", "#E0592A", "#2BA36B", "#8E5CD9", "#D4A20B", "#C43D7A", "#4A9FB5")  # things not channels
FLOOR_COLOR = "#C62828"
GRID_COLOR = "#E4E7EB"
TEXT_COLOR = "#1F2933"
MUTED_COLOR = "#9AA5B1"  # the previous window, the day before
SIZE = (8.0, 4.0)  # inches; at DPI 110 that is 880×440, which Slack shows without scaling text away
DPI = 110
TITLE_SIZE = 12
LABEL_SIZE = 9
TITLE_WIDTH = 70  # display columns (a CJK character counts two) before a title wraps
LABEL_WIDTH = 16  # display columns of a category label (a channel name) before it wraps

_FONT_FILE = "NotoSansCJKsc-Regular.otf"
_font_lock = threading.Lock()
_font_name: str | None = None


def cjk_font_path() -> Path:
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the mplfonts package (bundled CJK font) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "fonts" / _FONT_FILE


def font_family() -> str:
    """Register the bundled CJK font once per process and make it the default; return its family name.

    Set once, before any chart is drawn: tick labels matplotlib creates while drawing (a 12月 date
    tick) then use it too. Per-chart styling stays on the Figure, whose state is not shared."""
    global _font_name
    with _font_lock:
        if _font_name is None:
            path = cjk_font_path()
            font_manager.fontManager.addfont(str(path))
            name = font_manager.FontProperties(fname=str(path)).get_name()
            matplotlib.rcParams["font.family"] = "sans-serif"
            matplotlib.rcParams["font.sans-serif"] = [name, *matplotlib.rcParams["font.sans-serif"]]
            _font_name = name
        return _font_name


def channel_color(slug: str | None) -> str:
    """The colour of a sales channel, the same in every chart; None (all channels) is the text colour."""
    if slug is None:
        return TEXT_COLOR
    if slug in CHANNEL_COLORS:
        return CHANNEL_COLORS[slug]
    return EXTRA_COLORS[zlib.crc32(slug.encode("utf-8")) % len(EXTRA_COLORS)]


def channel_colors(slugs: Sequence[str | None] | None, count: int) -> list[str]:
    """Colours for `count` channels: by slug when known, else the palette in order."""
    if slugs is not None:
        return [channel_color(s) for s in slugs]
    return [PALETTE[i % len(PALETTE)] for i in range(count)]


# -- text -------------------------------------------------------------------------------------------


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def wrap(text: str, width: int = LABEL_WIDTH, max_lines: int = 3) -> str:
    """`text` on the lines it needs of at most `width` display columns: a real name is never cut.

    Latin words stay whole ("WeChat Mini" / "Program"); CJK breaks between characters. Only text longer
    than `max_lines` lines (a pasted paragraph, not a name) ends in "…", or the layout has no room left."""
    tokens: list[str] = []
    for part in text.split(" "):
        word = ""
        for c in part:
            if unicodedata.east_asian_width(c) in ("W", "F"):
                if word:
                    tokens.append(word)
                    word = ""
                tokens.append(c)
            else:
                word += c
        while _columns(word) > width:  # one word wider than a line (an SKU code): break it, do not overflow
            tokens.append(word[:width])
            word = word[width:]
        if word:
            tokens.append(word)
        tokens.append(" ")
    lines: list[str] = []
    line = ""
    for tok in tokens[:-1]:
        if tok == " ":
            if line:
                line += " "
            continue
        if line.strip() and _columns(line + tok) > width:
            lines.append(line.rstrip())
            line = ""
        line += tok
    lines.append(line.rstrip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and _columns(last) > width - 1:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last + "…"]
    return "\n".join(lines)


def title(ax: Any, text: str) -> None:
    ax.set_title(wrap(text, TITLE_WIDTH, max_lines=2), fontsize=TITLE_SIZE, color=TEXT_COLOR, loc="left")


def category_labels(ax: Any, labels: Sequence[str], *, axis: str = "y", width: int = LABEL_WIDTH) -> None:
    """Channel or stage names on the category axis, wrapped to fit; tight_layout widens the margin for them."""
    wrapped = [wrap(x, width) for x in labels]
    if axis == "y":
        ax.set_yticklabels(wrapped, fontsize=LABEL_SIZE)
    else:
        ax.set_xticklabels(wrapped, fontsize=LABEL_SIZE)


# -- the figure -------------------------------------------------------------------------------------


def figure() -> tuple[Figure, Any]:
    """A figure of its own (never pyplot's global one) with one styled axes."""
    font_family()
    fig = Figure(figsize=SIZE, dpi=DPI)
    ax = fig.add_subplot()
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    ax.grid(axis="y", color=GRID_COLOR, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(colors=TEXT_COLOR, labelsize=LABEL_SIZE)
    return fig, ax


_capture_lock = threading.Lock()
_captures: list[list[Figure]] = []


@contextmanager
def captured() -> Iterator[list[Figure]]:
    """Tests: every figure `png()` renders inside the block (in any thread: a command renders in Bolt's
    worker), after layout, for reading back."""
    seen: list[Figure] = []
    with _capture_lock:
        _captures.append(seen)
    try:
        yield seen
    finally:
        with _capture_lock:
            _captures.remove(seen)


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    # tight_layout leaves a placeholder layout engine behind, and savefig lays out (a whole draw pass
    # without pixels) again for any engine: a third of a chart's time, for the same image
    fig.set_layout_engine(None)
    fig.savefig(buf, format="png")
    if _captures:  # only ever inside a test's `captured()`
        with _capture_lock:
            for seen in _captures:
                seen.append(fig)
    return buf.getvalue()


# -- value axes -------------------------------------------------------------------------------------


def money_short(value: float, locale: str) -> str:
    """¥800 / ¥4.5k / ¥1.2M in en; ¥800 / ¥4,500 / ¥12.3万 / ¥1.2亿 in zh, as the team reads them."""
    v = abs(value)
    sign = "-" if value < 0 else ""
    if locale == "zh":
        if v >= 1e8:
            return f"{sign}¥{v / 1e8:.1f}亿".replace(".0亿", "亿")
        if v >= 1e4:
            return f"{sign}¥{v / 1e4:.1f}万".replace(".0万", "万")
        return f"{sign}¥{v:,.0f}"
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= size:
            return f"{sign}¥{v / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{sign}¥{v:,.0f}"


def money_axis(ax: Any, locale: str, *, axis: str = "y") -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _pos: money_short(v, locale)))


def percent_axis(ax: Any, *, axis: str = "y") -> None:
    """Values already in percent (12.5 → 12.5%)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))


def roi_axis(ax: Any, *, axis: str = "y") -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _pos: f"1:{v:g}"))


# -- the date axis ----------------------------------------------------------------------------------

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month(d: date, locale: str) -> str:
    return f"{d.month}月" if locale == "zh" else _EN_MONTHS[d.month - 1]


def date_caption(start: date, end: date, locale: str) -> str:
    """The month(s) and year(s) under a date axis, from the data's own first and last day."""
    if locale == "zh":
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.year}年{start.month}月"
        if start.year == end.year:
            return f"{start.year}年{start.month}月–{end.month}月"
        return f"{start.year}年{start.month}月–{end.year}年{end.month}月"
    if (start.year, start.month) == (end.year, end.month):
        return f"{_month(start, locale)} {start.year}"
    if start.year == end.year:
        return f"{_month(start, locale)} – {_month(end, locale)} {start.year}"
    return f"{_month(start, locale)} {start.year} – {_month(end, locale)} {end.year}"


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    to_pydatetime = getattr(value, "to_pydatetime", None)  # a pandas Timestamp
    if to_pydatetime is not None:
        return _as_date(to_pydatetime())
    raise TypeError(f"not a date: {value!r}")


def span(dates: Sequence[object]) -> tuple[date, date]:
    """First and last day of a series of dates (datetime, Timestamp or date)."""
    days = [_as_date(d) for d in dates]
    if not days:  # nothing to draw yet (a window with no rows): an empty one-day axis, not an error
        today = date.today()
        return today, today
    return min(days), max(days)


def date_axis(ax: Any, start: date, end: date, locale: str) -> None:
    """Whole days from `start` to `end`, each day centred in its slot: explicit limits (half a day
    either side, so a single day is a day, not a point on a five-year axis), at most ~8 ticks,
    day numbers with the month named on its 1st, and the month/year caption of those same days."""
    days = (end - start).days + 1
    lo = datetime.combine(start, datetime.min.time()) - timedelta(hours=12)
    hi = datetime.combine(end, datetime.min.time()) + timedelta(hours=12)
    ax.set_xlim(mdates.date2num(lo), mdates.date2num(hi))  # type: ignore[no-untyped-call]
    if days > 120:
        locator: Any = mdates.MonthLocator(interval=max(1, math.ceil(days / 30 / 8)))  # type: ignore[no-untyped-call]

        def label(v: float, _pos: object) -> str:
            d = mdates.num2date(v).date()  # type: ignore[no-untyped-call]
            return _month(d, locale) if d.month != 1 else (f"{d.year}年" if locale == "zh" else str(d.year))
    else:
        step = max(1, math.ceil(days / 8))
        locator = mdates.DayLocator(interval=step)  # type: ignore[no-untyped-call]

        def label(v: float, _pos: object) -> str:
            d = mdates.num2date(v).date()  # type: ignore[no-untyped-call]
            if d.day == 1:
                return f"{d.month}月1日" if locale == "zh" else f"{_month(d, locale)} 1"
            return f"{d.day}日" if locale == "zh" else str(d.day)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(FuncFormatter(label))
    ax.set_xlabel(date_caption(start, end, locale), fontsize=LABEL_SIZE, color=TEXT_COLOR)


def daily_series(ax: Any, xs: Sequence[object], ys: Sequence[float], *, color: str, label: str | None = None,
                 linestyle: str = "-", linewidth: float = 2.0) -> None:
    """One figure per day: a line with markers, or a bar when there is a single day (a lone dot says little)."""
    if len(xs) <= 1:
        ax.bar(list(xs), list(ys), width=0.6, color=color, label=label)
        return
    ax.plot(list(xs), list(ys), color=color, linewidth=linewidth, linestyle=linestyle, marker="o", markersize=3,
            label=label)
