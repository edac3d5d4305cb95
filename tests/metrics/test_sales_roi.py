from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Engine

from metrics import sales
from metrics.windows import Window
from tests.metrics.fixtures import START, Line, Shop, load_shop, make_shop

W = Window(START + timedelta(days=3), START + timedelta(days=12), "10d")


def _in(day: date, w: Window) -> bool:
    return w.start <= day <= w.end


def _gmv(shop: Shop, channel: str | None, w: Window) -> Decimal:
    return sum((ln.paid for ln in shop.lines
                if (channel is None or ln.channel == channel) and _in(ln.day, w) and ln.status != "cancelled"),
               Decimal(0))


def _lines(shop: Shop, channel: str | None, w: Window) -> list[Line]:
    return [ln for ln in shop.lines if (channel is None or ln.channel == channel) and _in(ln.day, w)]


def test_roi_whole_channel_and_attributed(engine: Engine) -> None:
    shop = make_shop()
    load_shop(engine, shop)
    with engine.connect() as conn:
        tm = sales.roi(conn, window=W, channel="tmall", basis="attributed")
        dy = sales.roi(conn, window=W, channel="douyin", basis="attributed")
        dy_channel = sales.roi(conn, window=W, channel="douyin")  # ROI_BASIS=channel, the default
    tm_spend = sum((s.spend for s in shop.spend if s.channel == "tmall" and _in(s.day, W)), Decimal(0))
    assert tm.spend == tm_spend
    # tmall reports no attribution: on the attributed basis it has no ROI, never a whole-channel one in disguise
    assert tm.attributed is True and tm.roi is None and tm.attributed_roi is None
    assert tm.channel_gmv == _gmv(shop, "tmall", W)
    assert tm.channel_roi == (tm.channel_gmv / tm_spend).quantize(Decimal("0.0001"))

    dy_rows = [s for s in shop.spend if s.channel == "douyin" and _in(s.day, W)]
    attributed = sum((s.attributed or Decimal(0) for s in dy_rows), Decimal(0))
    dy_spend = sum((s.spend for s in dy_rows), Decimal(0))
    assert dy.attributed is True
    assert dy.gmv == attributed
    assert dy.channel_gmv == _gmv(shop, "douyin", W)
    assert abs(dy.roi - attributed / dy_spend) < Decimal("0.0001")  # type: ignore[operator]
    assert dy_channel.attributed is False and dy_channel.gmv == dy.channel_gmv
    assert dy_channel.roi == (dy.channel_gmv / dy_spend).quantize(Decimal("0.0001"))
    assert dy_channel.attributed_roi == dy.roi  # the other figure rides along, labelled by the view
    clicks = sum(s.clicks for s in dy_rows)
    assert dy.clicks == clicks
    assert abs(dy.cpc - dy_spend / clicks) < Decimal("0.01")  # type: ignore[operator]
    assert abs(dy.ctr - Decimal(clicks) / sum(s.impressions for s in dy_rows)) < Decimal("0.0001")  # type: ignore[operator]


def test_no_spend_gives_none_not_an_error(engine: Engine) -> None:
    shop = make_shop()
    load_shop(engine, shop)
    empty = Window(date(2025, 1, 1), date(2025, 1, 7), "7d")
    with engine.connect() as conn:
        r = sales.roi(conn, window=empty, channel="douyin")
        s = sales.summary(conn, window=empty, channel="pdd")
    assert r.roi is None and r.cpc is None and r.ctr is None and r.spend == 0
    assert s.cvr is None and s.aov is None and s.roi is None and s.gmv == 0


def test_ranking_and_all_channels_total(engine: Engine) -> None:
    shop = make_shop()
    load_shop(engine, shop)
    with engine.connect() as conn:
        ranked = sales.roi_by_channel(conn, window=W, channels=["douyin", "tmall", "jd", "pdd"])
        total = sales.roi(conn, window=W)
    assert [r.channel for r in ranked][-1] == "pdd"  # no spend → last
    rois = [r.roi for r in ranked if r.roi is not None]
    assert rois == sorted(rois, reverse=True)
    # mixed attribution across channels → the total falls back to whole-channel GMV
    all_spend = sum((s.spend for s in shop.spend if _in(s.day, W)), Decimal(0))
    assert total.attributed is False
    assert total.spend == all_spend
    assert total.gmv == _gmv(shop, None, W)


def test_daily_roi_is_zero_filled(engine: Engine) -> None:
    shop = make_shop(days=5)  # data only on the first 5 days of a 10-day window
    load_shop(engine, shop)
    w = Window(START, START + timedelta(days=9), "10d")
    with engine.connect() as conn:
        daily = sales.daily_roi(conn, window=w, channel="tmall")
    assert list(daily["date"]) == w.dates()
    for row in cast(Any, daily).itertuples():
        day_spend = sum((s.spend for s in shop.spend if s.channel == "tmall" and s.day == row.date), Decimal(0))
        day_gmv = _gmv(shop, "tmall", Window(row.date, row.date, "d"))
        assert row.spend == day_spend
        if day_spend:
            assert math.isclose(row.roi, float(day_gmv / day_spend), rel_tol=1e-3)
        else:
            assert math.isnan(row.roi)


def test_summary_counts(engine: Engine) -> None:
    shop = make_shop()
    load_shop(engine, shop)
    with engine.connect() as conn:
        s = sales.summary(conn, window=W, channel="jd")
        everything = sales.summary(conn, window=W)
    lines = [ln for ln in _lines(shop, "jd", W) if ln.status != "cancelled"]
    assert s.orders == len({ln.order_id for ln in lines})
    assert s.buyers == len({ln.customer for ln in lines})
    assert s.refunds == sum((ln.refund for ln in _lines(shop, "jd", W)), Decimal(0))
    assert s.net_sales == s.gmv - s.refunds
    uv = sum(t.uv for t in shop.traffic if t.channel == "jd" and _in(t.day, W))
    assert s.uv == uv
    assert s.cvr == (Decimal(s.buyers) / uv).quantize(Decimal("0.0001"))
    all_lines = [ln for ln in _lines(shop, None, W) if ln.status != "cancelled"]
    assert everything.buyers == len({ln.customer for ln in all_lines})
    assert everything.orders == len({(ln.channel, ln.order_id) for ln in all_lines})


def test_top_skus(engine: Engine) -> None:
    shop = make_shop()
    load_shop(engine, shop)
    with engine.connect() as conn:
        top = sales.top_skus(conn, window=W, limit=3)
    by_sku: dict[str, Decimal] = {}
    for ln in _lines(shop, None, W):
        if ln.status != "cancelled":
            by_sku[ln.sku] = by_sku.get(ln.sku, Decimal(0)) + ln.paid
    expected = sorted(by_sku.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    assert [(r.sku, r.gmv) for r in cast(Any, top).itertuples()] == expected
