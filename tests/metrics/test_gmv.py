"""GMV and funnel figures against the fixture shop, every backend; expected values from the rows in Python."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from metrics.gmv import Figures, figures, funnel_report, gmv_report, high_cart_low_pay
from metrics.money import ratio
from metrics.windows import Window, parse_window
from tests.metrics.fixtures import START, Line, Shop, Traffic, load_shop, make_shop

SHOP = make_shop()
TODAY = START + timedelta(days=21)
CHANNELS = ["douyin", "tmall", "jd"]


def _in(d: date, w: Window) -> bool:
    return w.start <= d <= w.end


def _expected(shop: Shop, w: Window, channel: str | None) -> dict[str, object]:
    lines = [ln for ln in shop.lines if _in(ln.day, w) and (channel is None or ln.channel == channel)]
    live = [ln for ln in lines if ln.status != "cancelled"]
    tr = [t for t in shop.traffic if _in(t.day, w) and (channel is None or t.channel == channel)]
    gmv = sum((ln.paid for ln in live), Decimal(0))
    refunds = sum((ln.refund for ln in lines), Decimal(0))
    buyers = len({ln.customer for ln in live})
    uv = sum(t.uv for t in tr)
    cart = sum(t.cart for t in tr)
    orders = len({(ln.channel, ln.order_id) for ln in live})
    return {"gmv": gmv, "refunds": refunds, "net": gmv - refunds, "orders": orders, "buyers": buyers, "uv": uv,
            "cart": cart}


def _check(f: Figures, e: dict[str, object]) -> None:
    assert (f.gmv, f.refunds, f.net_sales, f.orders, f.buyers, f.uv, f.cart_users) == (
        e["gmv"], e["refunds"], e["net"], e["orders"], e["buyers"], e["uv"], e["cart"])
    assert f.cvr == ratio(f.buyers, f.uv)


@pytest.mark.parametrize("text", ["7d", "14d", "yesterday", "2026-11-03..2026-11-09"])
def test_figures_per_channel_and_all(engine: Engine, text: str) -> None:
    load_shop(engine, SHOP)
    w = parse_window(text, today=TODAY)
    with engine.connect() as conn:
        got = figures(conn, windows=[w, w.previous()], channels=CHANNELS)
    for i, win in enumerate([w, w.previous()]):
        for ch in [*CHANNELS, None]:
            _check(got[(i, ch)], _expected(SHOP, win, ch))
    # a customer buying on two channels is one buyer overall, so the total is below the sum
    assert got[(0, None)].buyers <= sum(got[(0, c)].buyers for c in CHANNELS)


def test_overlapping_windows_are_counted_one_by_one(sqlite_engine: Engine) -> None:
    load_shop(sqlite_engine, SHOP)
    a, b = parse_window("14d", today=TODAY), parse_window("7d", today=TODAY)
    with sqlite_engine.connect() as conn:
        got = figures(conn, windows=[a, b], channels=CHANNELS)
    _check(got[(0, None)], _expected(SHOP, a, None))
    _check(got[(1, None)], _expected(SHOP, b, None))


def test_gmv_report_split_sums_and_names_the_driver(engine: Engine) -> None:
    load_shop(engine, SHOP)
    w = parse_window("7d", today=TODAY)
    with engine.connect() as conn:
        r = gmv_report(conn, window=w, channels=CHANNELS)
    assert r.split.contributions is not None
    assert sum(r.split.contributions.values()) == r.current.gmv - r.previous.gmv
    assert r.last_year is None  # the fixture shop has no data a year back
    assert r.driver is not None
    sign = 1 if r.split.delta > 0 else -1
    assert r.split.contributions[r.driver] * sign == max(v * sign for v in r.split.contributions.values())
    assert [d.date for d in r.daily["douyin"]] == w.dates()
    assert sum(d.gmv for ch in CHANNELS for d in r.daily[ch]) == r.current.gmv
    assert sum(d.gmv for d in r.daily_previous) == r.previous.gmv
    assert [f.channel for f in r.by_channel] == sorted(CHANNELS, key=lambda c: -_expected(SHOP, w, c)["gmv"])  # type: ignore[operator]


def test_year_ago_shows_when_data_exists(sqlite_engine: Engine) -> None:
    day = date(2025, 11, 15)
    shop = Shop([Line("jd", "Y1", "S", day, 1, Decimal("100.00"), "C1"),
                 Line("jd", "N1", "S", date(2026, 11, 15), 1, Decimal("150.00"), "C1")], [],
                [Traffic("jd", day, 10, 30, 2)])
    load_shop(sqlite_engine, shop)
    w = parse_window("2026-11-15", today=TODAY)
    with sqlite_engine.connect() as conn:
        r = gmv_report(conn, window=w, channels=CHANNELS, channel="jd")
    assert r.last_year is not None and r.last_year.gmv == Decimal("100.00")
    assert r.gmv_change_yoy == Decimal("0.5000")


def test_funnel_flags_high_cart_low_pay(sqlite_engine: Engine) -> None:
    d = date(2026, 11, 10)
    # douyin: 1000 UV, 300 in cart (30 %), 30 buyers (10 % of cart); tmall: 1000 UV, 100 cart, 50 buyers
    lines = [Line("douyin", f"D{i}", "S", d, 1, Decimal("10.00"), f"D{i}") for i in range(30)]
    lines += [Line("tmall", f"T{i}", "S", d, 1, Decimal("10.00"), f"T{i}") for i in range(50)]
    shop = Shop(lines, [], [Traffic("douyin", d, 1000, 3000, 300), Traffic("tmall", d, 1000, 3000, 100)])
    load_shop(sqlite_engine, shop)
    with sqlite_engine.connect() as conn:
        r = funnel_report(conn, window=parse_window("2026-11-10", today=TODAY), channels=CHANNELS)
    assert r.flagged == ("douyin",)
    assert r.total.cart_rate == Decimal("0.2000") and r.total.pay_rate == Decimal("0.2000")
    assert high_cart_low_pay(r.rows[0], r.total) or high_cart_low_pay(r.rows[1], r.total)
    jd = next(x for x in r.rows if x.channel == "jd")
    assert jd.cart_rate is None and jd.pay_rate is None  # no traffic: n/a, never an error
