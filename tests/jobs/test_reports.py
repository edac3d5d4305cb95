"""Daily, weekly and monthly reports: figures against the fixture rows worked out by hand, charts, empty reports."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from handlers.views import fmt
from tests.jobs.conftest import REPORTS, TZ, Bench
from tests.metrics.fixtures import Line, load_shop, make_shop

SHOP = make_shop()
PNG = b"\x89PNG\r\n\x1a\n"
NAMES = {"douyin": "Douyin", "tmall": "Tmall", "jd": "JD"}


def live(start: date, end: date, channel: str | None = None) -> list[Line]:
    return [ln for ln in SHOP.lines if start <= ln.day <= end and ln.status != "cancelled"
            and (channel is None or ln.channel == channel)]


def gmv(start: date, end: date, channel: str | None = None) -> Decimal:
    return sum((ln.paid for ln in live(start, end, channel)), Decimal(0))


def q(value: Decimal, places: str = "0.0001") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def spend_roi(start: date, end: date, channel: str) -> tuple[Decimal, Decimal]:
    rows = [s for s in SHOP.spend if s.channel == channel and start <= s.day <= end]
    spend = sum((s.spend for s in rows), Decimal(0))
    return spend, q(gmv(start, end, channel) / spend)  # ROI_BASIS=channel, the default


def report_text(bench: Bench) -> str:
    [msg] = bench.posts(REPORTS)
    return str(msg["blocks"])


def chart_png(bench: Bench) -> bytes:
    [upload] = bench.fake.calls("files.completeUploadExternal")
    assert upload.args["channel_id"] == REPORTS
    data = bench.fake.file_bytes(upload.args["files"][0]["id"])
    assert data is not None
    return data


def test_daily_report_figures_changes_top_skus_and_chart(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    load_shop(bench.engine, SHOP)
    day = date(2026, 11, 20)
    before, week = day - timedelta(days=1), day - timedelta(days=7)
    assert bench.run("daily-report").status == "ok"
    text = report_text(bench)
    lines = live(day, day)
    total = gmv(day, day)
    orders = len({(ln.channel, ln.order_id) for ln in lines})
    buyers = len({ln.customer for ln in lines})
    uv = sum(t.uv for t in SHOP.traffic if t.day == day)
    spend = sum((s.spend for s in SHOP.spend if s.day == day), Decimal(0))
    expected = (f"GMV *{fmt.money(total)}* ({fmt.change(total, gmv(before, before))} d/d, "
                f"{fmt.change(total, gmv(week, week))} w/w) · orders {orders:,} · buyers {buyers:,} · UV {uv:,} · "
                f"CVR {q(Decimal(buyers) / uv) * 100:.2f}% · AOV {fmt.money(q(total / buyers, '0.01'))} · "
                f"spend {fmt.money(spend)} · ROI 1:{q(q(total / spend), '0.01')}")
    assert expected in text
    for slug, name in NAMES.items():
        _, roi = spend_roi(day, day, slug)
        assert f"*{name}*  GMV {fmt.money(gmv(day, day, slug))}" in text and f"ROI 1:{q(roi, '0.01')}" in text
    by_sku: dict[str, Decimal] = defaultdict(Decimal)
    for ln in lines:
        by_sku[ln.sku] += ln.paid
    top = max(by_sku, key=lambda s: (by_sku[s], s))
    assert f"1. {top} `{top}`" in text and fmt.money(by_sku[top]) in text
    assert "Open alerts: 0 stock" in text and "data as of orders 2026-11-20" in text
    assert chart_png(bench).startswith(PNG)


def test_weekly_report_ranks_channels_and_suggests_moving_budget(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    load_shop(bench.engine, SHOP)
    bench.clock.set(datetime(2026, 11, 23, 9, 30, tzinfo=TZ))  # Monday: last week is Nov 16–22
    start, end = date(2026, 11, 16), date(2026, 11, 22)
    bench.run("weekly-report")
    text = report_text(bench)
    figures = {c: spend_roi(start, end, c) for c in NAMES}
    ranked = sorted(NAMES, key=lambda c: -figures[c][1])
    positions = [text.index(f"*{NAMES[c]}*  1:{q(figures[c][1], '0.01')}") for c in ranked]
    assert positions == sorted(positions)
    worst, best = ranked[-1], ranked[0]
    amount = q(figures[worst][0] * Decimal("0.10"), "0.01")
    assert f"Consider moving {fmt.money(amount)} (10 % of its weekly spend) from *{NAMES[worst]}*" in text
    assert f"to *{NAMES[best]}*" in text
    assert chart_png(bench).startswith(PNG)


def test_monthly_report_target_funnel_and_buyers(sqlite_bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    bench = sqlite_bench
    load_shop(bench.engine, SHOP)
    monkeypatch.setenv("MONTHLY_GMV_TARGETS", "2026-10=1;2026-11=100000")
    bench.clock.set(datetime(2026, 12, 1, 10, tzinfo=TZ))
    bench.run("monthly-report")
    text = report_text(bench)
    start, end = date(2026, 11, 1), date(2026, 11, 30)
    lines = live(start, end)
    total = gmv(start, end)
    assert f"GMV *{fmt.money(total)}* of target ¥100,000.00 (*{q(total / 100000) * 100:.1f}%*)" in text
    uv = sum(t.uv for t in SHOP.traffic)
    cart = sum(t.cart for t in SHOP.traffic)
    buyers = {ln.customer for ln in lines}
    orders_of: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for ln in lines:
        orders_of[ln.customer].add((ln.channel, ln.order_id))
    orders = len({(ln.channel, ln.order_id) for ln in lines})
    assert (f"UV {uv:,} → cart {cart:,} ({q(Decimal(cart) / uv) * 100:.1f}%) → buyers {len(buyers):,} "
            f"({q(Decimal(len(buyers)) / uv) * 100:.2f}%) → orders {orders:,}") in text
    repeat = sum(1 for c in buyers if len(orders_of[c]) >= 2)
    # the shop opened on Nov 1: every buyer of November is new
    assert (f"Repurchase rate {q(Decimal(repeat) / len(buyers)) * 100:.1f}% · new buyers {len(buyers):,} · "
            "returning 0") in text
    assert chart_png(bench).startswith(PNG)


def test_a_report_with_nothing_to_say_is_not_sent_unless_configured(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    load_shop(bench.engine, SHOP)
    bench.clock.set(datetime(2027, 3, 1, 9, tzinfo=TZ))
    assert bench.run("daily-report").status == "empty"
    assert bench.fake.messages(REPORTS) == []
    bench.overrides = {**bench.overrides, "job_send_empty": "daily-report"}
    assert bench.run("daily-report").status == "ok"
    assert "GMV *¥0.00*" in report_text(bench)
