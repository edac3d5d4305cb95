from __future__ import annotations

import struct
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
from slack_sdk.models.blocks import Block

from handlers.views import roi as roi_view
from handlers.views.limits import HEADER_TEXT, MAX_BLOCKS, SECTION_FIELDS
from metrics.sales import RoiResult
from metrics.windows import Window

W = Window(date(2026, 11, 18), date(2026, 11, 24), "7d")


def _result(channel: str | None, roi: Decimal | None, spend: Decimal = Decimal("1000.00")) -> RoiResult:
    gmv = (roi or Decimal(0)) * spend
    return RoiResult(channel, W, spend if roi is not None else Decimal(0), gmv, False, roi, gmv,
                     100, 5000, Decimal("10.00"), Decimal("0.02"))


def _daily(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"date": [W.start + timedelta(days=i) for i in range(len(values))],
                         "spend": [Decimal(1)] * len(values), "gmv": [Decimal(1)] * len(values), "roi": values})


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _valid(blocks: list[dict[str, object]]) -> None:
    assert 0 < len(blocks) <= MAX_BLOCKS
    for b in blocks:
        parsed = Block.parse(b)  # type: ignore[arg-type]
        assert parsed is not None
        parsed.validate_json()


def test_channel_view_below_floor_warns_and_charts() -> None:
    view = roi_view.channel_roi_view(
        result=_result("douyin", Decimal("1.7500")), previous=_result("douyin", Decimal("2.5000")),
        daily=_daily([2.5, 2.1, 1.9, float("nan"), 1.5, 1.6, 1.8]), channel_name="抖音",
        floor=Decimal(2), locale="zh", tz_name="Asia/Shanghai", footer="数据截至 orders 2026-11-24",
    )
    _valid(view.blocks)
    flat = str(view.blocks)
    assert "1:1.75" in flat and "1:2.50" in flat and "低于底线" in flat
    assert view.chart is not None
    w, h = png_size(view.chart.png)
    assert 400 <= w <= 2000 and 200 <= h <= 1200


def test_no_spend_says_so_without_chart() -> None:
    view = roi_view.channel_roi_view(
        result=_result("pdd", None), previous=_result("pdd", None), daily=_daily([float("nan")] * 7),
        channel_name="Pinduoduo", floor=Decimal(2), locale="en", tz_name="UTC", footer=None,
    )
    _valid(view.blocks)
    assert view.chart is None
    assert "no ad spend" in str(view.blocks)


def test_oversized_names_are_clipped_to_slack_limits() -> None:
    long_name = "渠道" * 400
    view = roi_view.channel_roi_view(
        result=_result("x", Decimal("3")), previous=_result("x", Decimal("3")), daily=_daily([3.0] * 7),
        channel_name=long_name, floor=Decimal(2), locale="en", tz_name="UTC", footer="f" * 5000,
    )
    _valid(view.blocks)
    header = view.blocks[0]["text"]["text"]  # type: ignore[index]
    assert len(header) <= HEADER_TEXT


def test_ranking_view_keeps_inputs_untouched() -> None:
    results = [_result(c, r) for c, r in (("tmall", Decimal("3.1")), ("douyin", Decimal("1.8")), ("pdd", None))]
    before = list(results)
    view = roi_view.ranking_view(
        results=results, names={"tmall": "Tmall", "douyin": "Douyin", "pdd": "Pinduoduo"},
        floors={"tmall": Decimal(2), "douyin": Decimal(2), "pdd": Decimal(2)}, locale="en", tz_name="UTC",
        footer=None,
    )
    assert results == before
    _valid(view.blocks)
    text = str(view.blocks)
    assert text.index("Tmall") < text.index("Douyin") < text.index("Pinduoduo")
    assert view.chart is not None
    for b in view.blocks:
        assert len(b.get("fields", []) or []) <= SECTION_FIELDS  # type: ignore[arg-type]
