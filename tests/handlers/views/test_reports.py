"""Daily, weekly and monthly report views (`handlers.views.reports`) on empty and oversized content."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from handlers.views import reports as view
from tests.blocks import assert_valid_message, block_text
from tests.handlers.views.factories import (
    HUGE,
    HUGE_ZH,
    LOCALES,
    LONG_CHANNEL,
    channels,
    daily_report,
    monthly_report,
    same,
    top_skus,
    weekly_report,
)

NA = {"en": "n/a", "zh": "无"}  # an unknown figure, as each language writes it
NOTES = ("orders: no import for 30 h " * 300, "广告花费：超过 30 小时没有导入 " * 300)


@pytest.mark.parametrize("locale", LOCALES)
def test_daily_of_an_empty_day(locale: str) -> None:
    msg = view.daily_view(daily_report(), locale=locale, footer=None)
    assert_valid_message(msg)
    assert msg.chart is None  # no channels, nothing to compare
    # GMV 0 vs 0 the day before and the week before: both changes n/a; CVR, AOV and ROI unknown too
    assert block_text(msg.blocks[1:2]).count(NA[locale]) == 5
    if locale == "en":
        assert msg.text == "Daily report 2026-11-24: GMV ¥0.00, ROI n/a"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", [HUGE, HUGE_ZH])
def test_daily_with_hundreds_of_channels_and_skus(locale: str, name: str) -> None:
    report = daily_report(channels(300, LONG_CHANNEL), top_skus(500, name), total_gmv=Decimal("123456789.5"))
    msg = view.daily_view(report, locale=locale, footer="f" * 5000, notes=NOTES)
    assert_valid_message(msg)
    assert {"en": "¥123,456,789.50", "zh": "¥1.23亿"}[locale] in msg.text  # 亿 to two places in zh
    assert msg.chart is not None


@pytest.mark.parametrize("locale", LOCALES)
def test_daily_is_pure(locale: str) -> None:
    report = daily_report(channels(3), top_skus(4), total_gmv=Decimal(10))
    before = copy.deepcopy(report)
    first = view.daily_view(report, locale=locale, footer=None, notes=list(NOTES))
    assert same(report, before)
    assert view.daily_view(report, locale=locale, footer=None, notes=list(NOTES)) == first


@pytest.mark.parametrize("locale", LOCALES)
def test_weekly_of_an_empty_week(locale: str) -> None:
    msg = view.weekly_view(weekly_report(), floors={}, locale=locale, footer=None)
    assert_valid_message(msg)
    assert msg.chart is None
    if locale == "en":
        assert msg.text == "Weekly report 2026-11-16–2026-11-22: GMV ¥0.00, ROI n/a"
        assert "Fewer than two channels had spend" in block_text(msg.blocks)


@pytest.mark.parametrize("locale", LOCALES)
def test_weekly_with_hundreds_of_long_named_channels(locale: str) -> None:
    chans = channels(300, LONG_CHANNEL)
    rois = tuple(None if i % 3 == 0 else Decimal(i % 7) for i in range(300))
    msg = view.weekly_view(weekly_report(chans, rois), floors={c.slug: Decimal(2) for c in chans}, locale=locale,
                           footer="f" * 5000, notes=NOTES)
    assert_valid_message(msg)
    assert msg.chart is not None


@pytest.mark.parametrize("locale", LOCALES)
def test_weekly_suggests_a_reallocation(locale: str) -> None:
    chans = channels(2)
    msg = view.weekly_view(weekly_report(chans, (Decimal(4), Decimal(1))), floors={"c0": Decimal(2), "c1": Decimal(2)},
                           locale=locale, footer=None)
    assert_valid_message(msg)
    assert "¥100.00" in block_text(msg.blocks)  # 10 % of the worst channel's ¥1,000.00 spend


@pytest.mark.parametrize("locale", LOCALES)
def test_weekly_is_pure(locale: str) -> None:
    report = weekly_report(channels(3), (Decimal(3), None, Decimal(1)))
    floors = {"c0": Decimal(2), "c1": Decimal(2), "c2": Decimal(2)}
    before, floors_before = copy.deepcopy(report), dict(floors)
    first = view.weekly_view(report, floors=floors, locale=locale, footer=None)
    assert same(report, before) and floors == floors_before
    assert view.weekly_view(report, floors=floors, locale=locale, footer=None) == first


@pytest.mark.parametrize("locale", LOCALES)
def test_monthly_of_an_empty_month(locale: str) -> None:
    msg = view.monthly_view(monthly_report(), locale=locale, footer=None)
    assert_valid_message(msg)  # the chart of no days is still a PNG
    # change vs 0, cart rate, CVR, repurchase rate: all unknown
    assert block_text(msg.blocks).count(NA[locale]) == 4
    if locale == "en":
        assert msg.text == "Monthly report 2026-10: GMV ¥0.00"


@pytest.mark.parametrize("locale", LOCALES)
def test_monthly_with_a_zero_target(locale: str) -> None:
    msg = view.monthly_view(monthly_report(days=1, target=Decimal(0)), locale=locale, footer=None)
    assert_valid_message(msg)
    assert f"*{NA[locale]}*" in block_text(msg.blocks[1:2])  # GMV 0 of a 0 target: no share


@pytest.mark.parametrize("locale", LOCALES)
def test_monthly_target_share(locale: str) -> None:
    msg = view.monthly_view(monthly_report(days=31, target=Decimal(10000), gmv=Decimal(2500)), locale=locale,
                            footer=None)
    assert_valid_message(msg)
    assert "25.0%" in block_text(msg.blocks[1:2])  # 2,500 / 10,000


@pytest.mark.parametrize("locale", LOCALES)
def test_monthly_with_huge_figures_and_notes(locale: str) -> None:
    report = monthly_report(days=31, target=Decimal("1e12"), gmv=Decimal("987654321012.34"))
    msg = view.monthly_view(report, locale=locale, footer=HUGE, notes=NOTES)
    assert_valid_message(msg)
    assert {"en": "¥987,654,321,012.34", "zh": "¥9876.54亿"}[locale] in msg.text


@pytest.mark.parametrize("locale", LOCALES)
def test_monthly_is_pure(locale: str) -> None:
    report = monthly_report(days=5, target=Decimal(1000))
    before = copy.deepcopy(report)
    first = view.monthly_view(report, locale=locale, footer=None)
    assert same(report, before)
    assert view.monthly_view(report, locale=locale, footer=None) == first
