"""ROI views (`handlers.views.roi`) on empty and oversized content, in both locales; inputs untouched."""

from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal

import pandas as pd
import pytest

from handlers.views import roi as view
from handlers.views.message import Message
from metrics.sales import RoiResult
from tests.blocks import assert_valid_message, block_text
from tests.handlers.views.factories import HUGE_ZH, LOCALES, LONG_CHANNEL, WEEK, channels, roi_result, same


def _daily(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"date": [WEEK.start + timedelta(days=i) for i in range(len(values))],
                         "spend": [Decimal(1)] * len(values), "gmv": [Decimal(1)] * len(values), "roi": values})


def _channel(locale: str, *, roi: Decimal | None, previous: Decimal | None, daily: pd.DataFrame,
             name: str = "Douyin", footer: str | None = None) -> Message:
    return view.channel_roi_view(result=roi_result("douyin", roi), previous=roi_result("douyin", previous),
                                 daily=daily, channel_name=name, floor=Decimal(2), locale=locale, tz_name="UTC",
                                 footer=footer)


@pytest.mark.parametrize("locale", LOCALES)
def test_channel_without_spend_renders_without_chart(locale: str) -> None:
    msg = _channel(locale, roi=None, previous=None, daily=_daily([]))
    assert_valid_message(msg)
    assert msg.chart is None
    assert "¥0.00" in block_text(msg.blocks)  # the channel GMV it did have


@pytest.mark.parametrize("locale", LOCALES)
def test_channel_with_no_history_says_na(locale: str) -> None:
    # ROI 1:1.50 now, nothing the window before, no daily rows yet, CPC and CTR unknown
    msg = _channel(locale, roi=Decimal("1.5"), previous=None, daily=_daily([]))
    assert_valid_message(msg)
    fields = [f["text"] for f in msg.blocks[1]["fields"]]
    na = "n/a" if locale == "en" else "无"  # zh writes a missing figure as 无
    assert any(f"{na} → 1:1.50" in f for f in fields)  # previous unknown, so the change is n/a too
    assert sum(f.count(na) for f in fields) >= 4  # CPC, CTR, previous ROI, change
    assert msg.chart is not None


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", [LONG_CHANNEL, HUGE_ZH])
def test_channel_with_oversized_name_and_footer_stays_in_limits(locale: str, name: str) -> None:
    msg = _channel(locale, roi=Decimal("1.2"), previous=Decimal("3"), daily=_daily([1.2] * 7), name=name,
                   footer="数据截至 " * 2000)
    assert_valid_message(msg)  # the below-floor warning repeats the name: clipped like every section


@pytest.mark.parametrize("locale", LOCALES)
def test_channel_view_is_pure(locale: str) -> None:
    daily = _daily([2.5, float("nan"), 1.5])
    before = daily.copy(deep=True)
    first = _channel(locale, roi=Decimal("1.9"), previous=Decimal("2.5"), daily=daily)
    assert same(daily, before)
    assert _channel(locale, roi=Decimal("1.9"), previous=Decimal("2.5"), daily=daily) == first


def _ranking(locale: str, results: list[RoiResult], n: int, name: str = "Channel") -> Message:
    chans = channels(n, name)
    return view.ranking_view(results=results,
                             names={c.slug: c.display(locale) for c in chans},
                             floors={c.slug: Decimal(2) for c in chans}, locale=locale, tz_name="UTC", footer=None)


@pytest.mark.parametrize("locale", LOCALES)
def test_ranking_without_any_spend_says_so(locale: str) -> None:
    # ranking_view takes its window from the first result: the registry always has channels, so never empty
    results = [roi_result(c.slug, None) for c in channels(3)]
    msg = _ranking(locale, results, 3)
    assert_valid_message(msg)
    assert msg.chart is None
    assert ("n/a" if locale == "en" else "无") in msg.text  # "ROI Channel 0 n/a, …"


@pytest.mark.parametrize("locale", LOCALES)
def test_ranking_of_hundreds_of_long_named_channels_stays_in_limits(locale: str) -> None:
    n = 300
    results = [roi_result(c.slug, Decimal(i % 5)) for i, c in enumerate(channels(n))]
    msg = _ranking(locale, results, n, name=LONG_CHANNEL)
    assert_valid_message(msg)  # 300 names of 300 characters: 90,000+ characters of fallback text unclipped
    assert msg.chart is not None


@pytest.mark.parametrize("locale", LOCALES)
def test_ranking_is_pure(locale: str) -> None:
    results = [roi_result(c.slug, r) for c, r in zip(channels(3), (Decimal("3.1"), None, Decimal("1.8")),
                                                        strict=True)]
    before = copy.deepcopy(results)
    first = _ranking(locale, results, 3)
    assert same(results, before)
    assert _ranking(locale, results, 3) == first
