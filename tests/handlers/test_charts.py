"""Charts read back from the matplotlib figure each one is drawn on (`charts_style.captured()`), after layout:
date limits and ticks, labels that fit, a figure that keeps off the floor line, one colour per channel."""

from __future__ import annotations

import gc
import io
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from PIL import Image

from handlers.views import charts, charts_style, charts_suite


def _draw(render: Callable[[], bytes]) -> tuple[Figure, Any, bytes]:
    with charts_style.captured() as figures:
        png = render()
    [fig] = figures
    FigureCanvasAgg(fig)  # a canvas to draw again and measure text on, as savefig did
    with Image.open(io.BytesIO(png)) as img:
        assert img.size == (880, 440)  # 8×4 in at 110 dpi: Slack's preview shows it without shrinking text away
    return fig, fig.axes[0], png


def _roi_days(start: date, days: int) -> pd.DataFrame:
    return pd.DataFrame({"date": [start + timedelta(days=i) for i in range(days)], "roi": [2.5 + i * 0.1 for i in
                                                                                          range(days)]})


def _ticks(fig: Figure, ax: Any) -> list[str]:
    fig.canvas.draw()  # tick labels are made while drawing
    lo, hi = ax.get_xlim()
    return [t.get_text() for t in ax.get_xticklabels() if lo <= t.get_position()[0] <= hi and t.get_text()]


def _days(ax: Any) -> tuple[date, date]:
    lo, hi = ax.get_xlim()
    return mdates.num2date(lo).date(), mdates.num2date(hi).date()  # type: ignore[no-untyped-call]


def test_a_single_day_is_a_day_wide_axis_with_a_bar_not_a_dot_on_five_years() -> None:
    day = date(2026, 11, 20)
    fig, ax, _ = _draw(lambda: charts.daily_roi_chart(_roi_days(day, 1), floor=Decimal(2), title="Daily ROI",
                                                      floor_label="floor 1:2.00", window=(day, day)))
    lo, hi = ax.get_xlim()
    assert hi - lo == pytest.approx(1.0)  # half a day either side of the one day
    assert _days(ax) == (day - timedelta(days=1), day)  # 19th 12:00 .. 20th 12:00
    assert _ticks(fig, ax) == ["20"]
    assert ax.get_xlabel() == "Nov 2026"
    assert len(ax.patches) == 1  # a bar for the day


def test_seven_days_at_the_end_of_november_say_november() -> None:
    start = date(2026, 11, 24)
    fig, ax, _ = _draw(lambda: charts.daily_roi_chart(_roi_days(start, 7), floor=Decimal(2), title="Daily ROI",
                                                      floor_label="floor", window=(start, start + timedelta(days=6))))
    assert _ticks(fig, ax) == ["24", "25", "26", "27", "28", "29", "30"]
    assert ax.get_xlabel() == "Nov 2026"  # not 2026-Dec: the limits end at noon on the 30th
    lo, hi = ax.get_xlim()
    assert mdates.num2date(hi).date() == date(2026, 11, 30)  # type: ignore[no-untyped-call]


@pytest.mark.parametrize(("locale", "first", "caption"), [("en", "Dec 1", "Nov – Dec 2026"),
                                                          ("zh", "12月1日", "2026年11月–12月")])
def test_a_week_across_two_months_names_both(locale: str, first: str, caption: str) -> None:
    start = date(2026, 11, 28)
    fig, ax, _ = _draw(lambda: charts_suite.gmv_daily(
        [start + timedelta(days=i) for i in range(7)], {"抖音": [1000.0 * (i + 1) for i in range(7)]}, [],
        title="GMV", previous_label="prev", keys=["douyin"], locale=locale))
    ticks = _ticks(fig, ax)
    assert len(ticks) == 7 and ticks[3] == first
    assert ax.get_xlabel() == caption


def test_a_long_window_keeps_to_eight_ticks_and_the_caption_spans_the_years() -> None:
    start = date(2026, 11, 1)
    dates = [start + timedelta(days=i) for i in range(90)]  # to 2027-01-29
    fig, ax, _ = _draw(lambda: charts.daily_line(dates, [100.0] * 90, title="Daily GMV"))
    assert 3 <= len(_ticks(fig, ax)) <= 9
    assert ax.get_xlabel() == "Nov 2026 – Jan 2027"


def test_the_ranking_figure_keeps_off_the_floor_line_and_channel_names_are_whole() -> None:
    names = ["Douyin", "WeChat Mini Program", "Xiaohongshu"]
    values = [Decimal("2.60"), Decimal("1.95"), Decimal("2.04")]  # just under and just over a floor of 1:2
    fig, ax, _ = _draw(lambda: charts.ranking_chart(names, values, floors=[Decimal(2)] * 3, title="ROI by channel",
                                                    keys=["douyin", "wechat", "xiaohongshu"]))
    fig.canvas.draw()
    assert isinstance(fig.canvas, FigureCanvasAgg)
    renderer = fig.canvas.get_renderer()  # type: ignore[no-untyped-call]
    floor_x = ax.transData.transform((2.0, 0))[0]
    labels = [t for t in ax.texts if t.get_text().startswith("1:")]
    assert [t.get_text() for t in labels] == ["1:2.60", "1:1.95", "1:2.04"]
    for text, value in zip(labels, values, strict=True):
        box = text.get_window_extent(renderer)
        bar_end = ax.transData.transform((float(value), 0))[0]
        assert box.x0 > floor_x and box.x0 > bar_end  # right of the dashed floor mark and of the bar
        assert box.x1 <= ax.get_window_extent(renderer).x1  # and inside the plot
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert [t.replace("\n", " ") for t in ticks] == names  # wrapped, never cut
    assert "WeChat Mini\nProgram" in ticks
    for t in ax.get_yticklabels():
        assert t.get_window_extent(renderer).x0 >= 0  # the label area is wide enough: nothing off the image


def test_a_channel_has_one_colour_in_every_chart() -> None:
    wechat = charts_style.CHANNEL_COLORS["wechat"].lower()
    _, ranking, _ = _draw(lambda: charts.ranking_chart(["WeChat", "Douyin"], [Decimal(3), Decimal(4)],
                                                       floors=[Decimal(2)] * 2, title="t", keys=["wechat", "douyin"]))
    assert to_hex(ranking.patches[0].get_facecolor()) == wechat
    _, bars, _ = _draw(lambda: charts.grouped_bars(["Douyin", "WeChat"], {"d": [1.0, 2.0], "d-1": [1.0, 1.0]},
                                                   title="t", keys=["douyin", "wechat"]))
    assert to_hex(bars.patches[1].get_facecolor()) == wechat
    day = date(2026, 11, 1)
    _, line, _ = _draw(lambda: charts.daily_roi_chart(_roi_days(day, 5), floor=Decimal(2), title="t",
                                                      floor_label="f", channel="wechat"))
    assert to_hex(line.get_lines()[0].get_color()) == wechat
    two = [day, day + timedelta(days=1)]
    _, stack, _ = _draw(lambda: charts_suite.gmv_daily(two, {"a": [1.0, 2.0], "b": [2.0, 1.0]}, [], title="t",
                                                       previous_label="p", keys=["douyin", "wechat"]))
    assert to_hex(stack.collections[1].get_facecolor()[0]) == wechat
    # a channel a deployment adds keeps its colour from run to run
    assert charts_style.channel_color("kuaishou") == charts_style.channel_color("kuaishou")
    assert charts_style.channel_color("kuaishou") in charts_style.EXTRA_COLORS


def test_money_and_percent_axes_per_language() -> None:
    assert charts_style.money_short(1_234_567, "zh") == "¥123.5万"
    assert charts_style.money_short(230_000_000, "zh") == "¥2.3亿"
    assert charts_style.money_short(1_234_567, "en") == "¥1.2M"
    assert charts_style.money_short(4_500, "en") == "¥4.5k"
    assert charts_style.money_short(800, "en") == "¥800"
    fig, ax, _ = _draw(lambda: charts.daily_line([date(2026, 11, 1), date(2026, 11, 2)], [150_000.0, 1_500_000.0],
                                                 title="每日 GMV", locale="zh"))
    fig.canvas.draw()
    assert any(t.get_text().endswith("万") for t in ax.get_yticklabels())
    fig, ax, _ = _draw(lambda: charts_suite.negative_share([date(2026, 11, 1), date(2026, 11, 2)], [0.1, None],
                                                           title="share"))
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["0%", "20%"]


def test_chinese_renders_in_the_bundled_cjk_font() -> None:
    family = charts_style.font_family()
    assert Path(charts_style.cjk_font_path()).is_file()
    fig, ax, _ = _draw(lambda: charts.ranking_chart(["抖音", "微信小程序"], [Decimal(3), Decimal(1)],
                                                    floors=[Decimal(2)] * 2, title="各渠道投产比 · 近7天",
                                                    keys=["douyin", "wechat"], locale="zh"))
    fig.canvas.draw()
    for text in [ax.title, *ax.get_yticklabels(), *ax.get_xticklabels()]:
        assert text.get_fontname() == family


def test_wrap_keeps_words_and_breaks_cjk_between_characters() -> None:
    assert charts_style.wrap("WeChat Mini Program") == "WeChat Mini\nProgram"
    assert charts_style.wrap("微信小程序") == "微信小程序"
    assert charts_style.wrap("微信小程序微信小程序", 8) == "微信小程\n序微信小\n程序"
    assert charts_style.wrap("x" * 500).endswith("…")  # a paragraph, not a name: cut after three lines


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


@pytest.mark.slow
def test_a_thousand_renders_leave_no_figure_open_and_memory_flat() -> None:
    """1,000 renders (ranking, funnel, daily line in turn) in ~60 s; after a warm-up of 100, resident memory
    grows by less than 30 MB and no figure outlives its render."""
    pytest.importorskip("resource")
    import matplotlib.pyplot as plt

    day = date(2026, 11, 1)
    renders: list[Callable[[], bytes]] = [
        lambda: charts.ranking_chart(["Douyin", "WeChat Mini Program"], [Decimal("2.4"), Decimal("1.9")],
                                     floors=[Decimal(2)] * 2, title="ROI", keys=["douyin", "wechat"]),
        lambda: charts_suite.funnel_bars(["访客", "加购", "买家"], [1000, 300, 50], ["", "30.0%", "16.7%"],
                                         title="漏斗"),
        lambda: charts.daily_line([day + timedelta(days=i) for i in range(3)], [1.0, 2.0, 3.0], title="GMV"),
    ]
    for i in range(100):
        renders[i % 3]()
    gc.collect()
    before = _rss_mb()
    for i in range(900):
        assert renders[i % 3]().startswith(b"\x89PNG")
    gc.collect()
    grown = _rss_mb() - before
    assert plt.get_fignums() == []
    assert [o for o in gc.get_objects() if isinstance(o, Figure)] == []
    assert grown < 30, f"resident memory grew {grown:.1f} MB over 900 renders"
