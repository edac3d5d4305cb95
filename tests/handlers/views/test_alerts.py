"""Alert views (`handlers.views.alerts`): stock, ROI floor, campaign, notes and `with_status`, on empty and
oversized content, in both locales."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from decimal import Decimal

import pytest

from handlers.views import alerts as view
from handlers.views.message import Message
from metrics.attribution import GmvChange, WindowFigures
from metrics.inventory import CRITICAL, DEAD, OVERSTOCK, WARNING, StockItem
from tests.blocks import assert_valid_blocks, assert_valid_message, block_text
from tests.handlers.views.factories import (
    DAY,
    HUGE,
    HUGE_ZH,
    LOCALES,
    LONG_CHANNEL,
    WEEK,
    same,
    stock_item,
)


def _items(n: int, status: str = CRITICAL, name: str = "Face cream") -> list[tuple[str, StockItem]]:
    return [(f"stock:SKU{i}", stock_item(f"SKU{i}", status=status, name=name)) for i in range(n)]


# -- stock -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_stock_message_without_items(locale: str) -> None:
    msg = view.stock_message([], day=DAY, locale=locale, footer=None)
    assert_valid_message(msg)
    assert len(msg.blocks) == 2  # the header and the 0 · 0 · 0 summary
    if locale == "en":
        assert msg.text == "Stock alerts: 0 critical, 0 low, 0 overstock"


@pytest.mark.parametrize("locale", LOCALES)
def test_stock_line_without_sales_says_na(locale: str) -> None:
    items = [("stock:A", stock_item("A", status=WARNING, cover=None)),
             ("stock:B", stock_item("B", status=DEAD, cover=None)),
             ("stock:C", stock_item("C", status=OVERSTOCK, cover=None, suggestion="presale"))]
    msg = view.stock_message(items, day=DAY, locale=locale, footer=None)
    assert_valid_message(msg)
    assert block_text(msg.blocks).count("n/a") == 2  # the warning and the overstock line; dead stock says so


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("footer", "shown"), [(None, 23), ("data as of orders 2026-11-24", 22)])
def test_stock_message_of_300_items_says_how_many_more(locale: str, footer: str | None, shown: int) -> None:
    # 50 blocks: header + summary (+ footer) + one for "and N more" leave 47 (46); one group title, then 2 per item
    items = _items(300, name=HUGE_ZH if locale == "zh" else HUGE)
    msg = view.stock_message(items, day=DAY, locale=locale, footer=footer)
    assert_valid_message(msg)
    assert len(msg.blocks) <= 50
    assert sum(1 for b in msg.blocks if b.get("block_id", "").startswith("alert:")) == shown
    more = msg.blocks[-2 if footer else -1]["text"]["text"]
    assert str(300 - shown) in more and f"`SKU{shown}`" in more
    if locale == "en":
        assert more.startswith(f"…and {300 - shown} more")
    if locale == "en":
        assert msg.text == "Stock alerts: 300 critical, 0 low, 0 overstock"


@pytest.mark.parametrize("locale", LOCALES)
def test_stock_message_of_every_group(locale: str) -> None:
    items = [*_items(100, CRITICAL), *_items(100, WARNING), *_items(100, OVERSTOCK)]
    msg = view.stock_message(items, day=DAY, locale=locale, footer="f" * 5000)
    assert_valid_message(msg)
    if locale == "en":
        assert msg.text == "Stock alerts: 100 critical, 100 low, 100 overstock"


@pytest.mark.parametrize("locale", LOCALES)
def test_stock_repeat_empty_and_oversized(locale: str) -> None:
    assert_valid_message(view.stock_repeat([], locale=locale))
    msg = view.stock_repeat(_items(300, name=HUGE), locale=locale)
    assert_valid_message(msg)


@pytest.mark.parametrize("locale", LOCALES)
def test_stock_views_are_pure(locale: str) -> None:
    items = _items(60, name="面霜")
    before = copy.deepcopy(items)
    first = view.stock_message(items, day=DAY, locale=locale, footer=None)
    repeat = view.stock_repeat(items, locale=locale)
    assert same(items, before)
    assert view.stock_message(items, day=DAY, locale=locale, footer=None) == first
    assert view.stock_repeat(items, locale=locale) == repeat


def test_note_of_a_huge_text() -> None:
    assert_valid_message(view.note(HUGE_ZH))


# -- with_status ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("keep", [False, True])
def test_with_status_replaces_only_its_alert_and_leaves_the_input(locale: str, keep: bool) -> None:
    blocks = view.stock_message(_items(3), day=DAY, locale=locale, footer=None).blocks
    before = copy.deepcopy(blocks)
    button = view.resolve_button("stock:SKU1", locale) if keep else None
    out = view.with_status(blocks, "stock:SKU1", "acknowledged by <@U1> " + HUGE_ZH, button)
    assert blocks == before
    assert_valid_blocks(out)
    changed = [i for i, (a, b) in enumerate(zip(blocks, out, strict=True)) if a != b]
    assert [out[i]["block_id"] for i in changed] == ["act:stock:SKU1"]
    assert view.with_status(blocks, "stock:SKU1", "acknowledged by <@U1> " + HUGE_ZH, button) == out


def test_with_status_of_no_blocks() -> None:
    assert view.with_status([], "stock:SKU1", "resolved") == []


# -- ROI floor ---------------------------------------------------------------------------------------------


def _roi_alert(locale: str, *, name: str = "Douyin", best: tuple[str, Decimal] | None = None,
               webhook: str | None = None, footer: str | None = None, zero: bool = False) -> Message:
    return view.roi_alert(key="roi:douyin", channel_slug="douyin", channel_name=name,
                          roi=Decimal(0) if zero else Decimal("1.4"), floor=Decimal(2), days=3,
                          spend=Decimal(0) if zero else Decimal("500"), gmv=Decimal(0) if zero else Decimal("700"),
                          attributed=False, best=best, webhook=webhook, locale=locale, footer=footer)


@pytest.mark.parametrize("locale", LOCALES)
def test_roi_alert_with_zero_figures_and_no_suggestion(locale: str) -> None:
    msg = _roi_alert(locale, zero=True)
    assert_valid_message(msg)
    assert "1:0.00" in msg.text and "1:2.00" in msg.text
    budget = msg.blocks[2]["elements"][2]["value"]
    assert json.loads(budget) == {"channel": "douyin", "roi": "0", "floor": "2", "spend": "0", "gmv": "0",
                                  "window": "3d"}


@pytest.mark.parametrize("locale", LOCALES)
def test_roi_alert_with_oversized_names(locale: str) -> None:
    msg = _roi_alert(locale, name=LONG_CHANNEL, best=(HUGE_ZH, Decimal("3.2")), webhook=HUGE, footer=HUGE)
    assert_valid_message(msg)
    assert "1:1.40" in msg.text


# -- campaign ----------------------------------------------------------------------------------------------


def _figures(uv: int = 0, gmv: Decimal = Decimal(0)) -> WindowFigures:
    return WindowFigures(window=WEEK, uv=uv, buyers=0, cvr=None, aov=None, gmv=gmv)


def _anomaly(name: str = "Double 11", *, known: bool = False) -> view.CampaignAnomaly:
    """`known=False`: what a first day without history gives: no figures before, no split of the change."""
    findings = (view.Finding("uv", Decimal("0.5"), 1000 if known else None, 500 if known else None),
                view.Finding("cvr", Decimal("0.25"), Decimal("0.04") if known else None,
                             Decimal("0.03") if known else None))
    contributions = {"uv": Decimal("-300.00"), "cvr": Decimal("-100.00"), "aov": Decimal("0")} if known else None
    change = GmvChange(channel=None, current=_figures(), previous=_figures(), delta=Decimal(0),
                       contributions=contributions, reason=None if known else "no_data",
                       leading_factor="uv" if known else None)
    return view.CampaignAnomaly(campaign=name, day=DAY, findings=findings, change=change,
                                hours=(datetime(2026, 11, 24, 8, 0), datetime(2026, 11, 24, 10, 0)),
                                recent=(0, 0, Decimal(0)), day_before=(0, 0, Decimal(0)))


@pytest.mark.parametrize("locale", LOCALES)
def test_campaign_alert_without_figures_before_says_na(locale: str) -> None:
    # a campaign always has at least one finding: the monitor sends nothing without one
    msg = view.campaign_alert(key="campaign:d11", anomaly=_anomaly(), footer=None, locale=locale)
    assert_valid_message(msg)
    assert block_text(msg.blocks[1:2]).count("n/a") == 4  # before and now of UV and of CVR
    assert "50.0%" in msg.text  # the first finding's drop, 0.5


@pytest.mark.parametrize("locale", LOCALES)
def test_campaign_alert_with_known_figures(locale: str) -> None:
    msg = view.campaign_alert(key="campaign:d11", anomaly=_anomaly(known=True), footer=None, locale=locale)
    assert_valid_message(msg)
    body = block_text(msg.blocks[1:2])
    assert "1,000 → 500" in body and "4.00% → 3.00%" in body and "¥-300.00" in body


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", [HUGE, HUGE_ZH])
def test_campaign_alert_with_a_huge_name(locale: str, name: str) -> None:
    msg = view.campaign_alert(key="campaign:d11", anomaly=_anomaly(name, known=True), footer=HUGE, locale=locale)
    assert_valid_message(msg)
    reason = json.loads(msg.blocks[2]["elements"][2]["value"])["reason"]
    assert len(reason) == 280  # the budget form's reason is cut to 280 characters


@pytest.mark.parametrize("locale", LOCALES)
def test_campaign_alert_is_pure(locale: str) -> None:
    anomaly = _anomaly(known=True)
    before = copy.deepcopy(anomaly)
    first = view.campaign_alert(key="campaign:d11", anomaly=anomaly, footer=None, locale=locale)
    assert same(anomaly, before)
    assert view.campaign_alert(key="campaign:d11", anomaly=anomaly, footer=None, locale=locale) == first
