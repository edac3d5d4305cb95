"""Charts (`handlers.views.charts`): every chart on empty data, one point, NaN, huge values, many categories and
long CJK labels gives a PNG of a sensible size; inputs are left alone; figures do not pile up."""

from __future__ import annotations

import copy
import gc
import resource
import struct
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from handlers.views import charts
from tests.handlers.views.factories import HUGE_ZH, LONG_CHANNEL, same

NAN = float("nan")
START = date(2026, 11, 1)
CJK = HUGE_ZH[:200]  # a 200-character Chinese label


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a PNG must start with."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def assert_chart(data: bytes) -> None:
    width, height = png_size(data)
    assert 600 <= width <= 2000 and 300 <= height <= 2000, (width, height)
    assert data.endswith(b"IEND\xaeB`\x82")


def _days(n: int) -> list[date]:
    return [START + timedelta(days=i) for i in range(n)]


# -- daily ROI ----------------------------------------------------------------------------------------------


def _roi_frame(values: list[float]) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame({"date": _days(n), "spend": [Decimal(1)] * n, "gmv": [Decimal(1)] * n, "roi": values})


@pytest.mark.parametrize("values", [[], [2.5], [NAN], [NAN] * 7, [2.5, NAN, 1.5], [1e12, 3e12, 2.0],
                                    [float(i % 5) for i in range(366)]], ids=[
    "empty", "one", "nan", "all-nan", "gap", "huge", "a-year"])
def test_daily_roi_chart(values: list[float]) -> None:
    daily = _roi_frame(values)
    before = daily.copy(deep=True)
    png = charts.daily_roi_chart(daily, floor=Decimal(2), title=CJK, floor_label="底线 1:2.00" * 20)
    assert_chart(png)
    assert same(daily, before)


# -- ranking ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("labels", "values"), [
    ([], []),
    (["Douyin"], [Decimal("2.5")]),
    (["Douyin", "Tmall"], [None, Decimal("1.5")]),  # a channel without ROI is the ranking's NaN: drawn "n/a"
    (["Douyin", "Tmall"], [Decimal("1e12"), Decimal("0.0001")]),
    ([f"{LONG_CHANNEL}{i}" for i in range(300)], [Decimal(i % 7) for i in range(300)]),
    ([CJK, CJK], [Decimal(3), Decimal(1)]),
], ids=["empty", "one", "none", "huge", "300-long-names", "cjk"])
def test_ranking_chart(labels: list[str], values: list[Decimal | None]) -> None:
    floors = [Decimal(2)] * len(labels)
    args = copy.deepcopy((labels, values, floors))
    assert_chart(charts.ranking_chart(labels, values, floors=floors, title=CJK))
    assert (labels, values, floors) == args


# -- grouped bars ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("labels", "series"), [
    ([], {}),
    ([], {"2026-11-24": []}),
    (["Douyin"], {"2026-11-24": [120.0], "2026-11-23": [90.0], "2026-11-17": [100.0]}),
    (["Douyin", "Tmall"], {"2026-11-24": [NAN, 1.0], "2026-11-23": [2.0, NAN]}),
    (["Douyin", "Tmall"], {"2026-11-24": [1e15, 3e14]}),
    ([f"{LONG_CHANNEL}{i}" for i in range(300)], {"a": [float(i) for i in range(300)],
                                                  "b": [float(300 - i) for i in range(300)]}),
    ([CJK] * 6, {CJK: [1.0] * 6, CJK[1:]: [2.0] * 6, CJK[2:]: [3.0] * 6}),
], ids=["empty", "empty-series", "one", "nan", "huge", "300-long-names", "cjk-labels-and-legend"])
def test_grouped_bars(labels: list[str], series: dict[str, Sequence[float]]) -> None:
    args = copy.deepcopy((labels, series))
    assert_chart(charts.grouped_bars(labels, series, title=CJK))
    assert (labels, series) == args


# -- daily line ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("values", "target"), [
    ([], None), ([], 100.0), ([120.0], None), ([120.0], 100.0), ([1.0, NAN, 3.0], 2.0), ([NAN] * 5, None),
    ([1e15, 2e15, 5e14], 1e15), ([float(i) for i in range(366)], 200.0),
], ids=["empty", "empty-target", "one", "one-target", "nan", "all-nan", "huge", "a-year"])
def test_daily_line(values: list[float], target: float | None) -> None:
    dates, before = _days(len(values)), copy.deepcopy(values)
    assert_chart(charts.daily_line(dates, values, title=CJK, target=target, target_label="目标 ¥1.00M" * 10))
    assert same(values, before) and dates == _days(len(values))


def test_same_input_same_png() -> None:
    daily = _roi_frame([2.5, NAN, 1.5])
    first = charts.daily_roi_chart(daily, floor=Decimal(2), title="ROI", floor_label="floor")
    assert charts.daily_roi_chart(daily, floor=Decimal(2), title="ROI", floor_label="floor") == first


# -- no figures left behind ----------------------------------------------------------------------------------


def _rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


RENDERS: dict[str, tuple[int, Callable[[], bytes]]] = {
    # 1,000 renders took ~65 ms each even of the cheapest chart (over a minute on two shared cores), so:
    # 250 of the cheapest (grouped bars) and 40 of each other chart, 370 renders, ~30 s in all
    "grouped_bars": (250, lambda: charts.grouped_bars(["抖音", "天猫"], {"a": [1.0, 2.0], "b": [2.0, 1.0]},
                                                       title="GMV")),
    "daily_roi_chart": (40, lambda: charts.daily_roi_chart(_roi_frame([2.5, 1.5, NAN, 2.0, 3.0, 1.0, 2.2]),
                                                           floor=Decimal(2), title="ROI", floor_label="floor")),
    "ranking_chart": (40, lambda: charts.ranking_chart(["抖音", "天猫", "京东"], [Decimal(3), None, Decimal(1)],
                                                        floors=[Decimal(2)] * 3, title="ROI")),
    "daily_line": (40, lambda: charts.daily_line(_days(31), [float(i) for i in range(31)], title="GMV",
                                                  target=15.0, target_label="target")),
}


@pytest.mark.slow
def test_figures_are_closed_and_memory_stays_flat() -> None:
    """Peak RSS may grow by at most 100 MiB over the 370 renders after a warm-up: a figure kept alive holds at
    least its drawn 880×440 RGBA canvas (880 × 440 × 4 bytes ≈ 1.5 MiB), so 370 leaked figures would pass 500."""
    for _, render in RENDERS.values():
        render()  # warm-up: fonts, caches
    gc.collect()
    start, t0 = _rss_mib(), time.monotonic()
    for name, (n, render) in RENDERS.items():
        for _ in range(n):
            render()
        assert plt.get_fignums() == [], name
    gc.collect()
    grown = _rss_mib() - start
    assert grown < 100, f"peak RSS grew by {grown:.0f} MiB"
    assert time.monotonic() - t0 < 120  # a guard on the suite's time, not a benchmark: ~30 s expected
