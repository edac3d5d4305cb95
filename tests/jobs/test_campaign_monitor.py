"""campaign-monitor: only inside a campaign window; UV / CVR falls beyond the thresholds, with the driver."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from handlers.views import fmt
from metrics import schema
from metrics.db import upsert
from metrics.rollup import refresh_daily_sales
from tests.jobs.conftest import OPS, TZ, Bench

D0, D1 = date(2026, 11, 19), date(2026, 11, 20)
UV = {D0: 1000, D1: 600}
BUYERS = {D0: 50, D1: 30}  # CVR 5 % both days: only traffic fell


def load(bench: Bench) -> None:
    rows = []
    for day, n in BUYERS.items():
        for i in range(n):
            # 01:30 UTC = 09:30 in Shanghai: inside the 08:00–10:00 window checked at 10:00
            at = datetime(day.year, day.month, day.day, 1, 30) + timedelta(seconds=i)
            rows.append({"channel": "douyin", "order_id": f"{day}-{i}", "line_key": "S1", "line_id": None,
                         "ordered_at": at, "order_date": day, "sku": "S1", "quantity": 1, "paid_cents": 10000,
                         "customer_id": f"{day}-{i}", "status": "paid", "refund_cents": 0})
    with bench.engine.begin() as conn:
        upsert(conn, schema.orders, rows)
        refresh_daily_sales(conn, {("douyin", d) for d in BUYERS})
        upsert(conn, schema.traffic, [{"date": d, "channel": "douyin", "uv": uv, "pv": uv * 3, "cart_users": None}
                                      for d, uv in UV.items()])
    bench.clock.set(datetime(2026, 11, 21, 10, 0, tzinfo=TZ))
    bench.imported("orders", "traffic")


def test_uv_fall_inside_the_window_is_alerted_once_with_its_driver(bench: Bench,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_WINDOWS", "双11=2026-11-01..2026-11-21;618=2026-06-01..2026-06-18")
    load(bench)
    assert bench.run("campaign-monitor").status == "ok"
    [msg] = bench.posts(OPS)
    text = str(msg["blocks"])
    fall = (Decimal(UV[D0]) - UV[D1]) / UV[D0]
    assert f"*双11*: UV fell *{fall * 100:.1f}%* vs the day before (1,000 → 600, 2026-11-20)" in text
    assert "conversion rate fell" not in text
    gmv_change = Decimal(BUYERS[D1] - BUYERS[D0]) * 100  # all of it traffic: CVR and AOV unchanged
    assert f"Leading driver of the GMV change: *traffic (UV)* ({fmt.money(gmv_change)})" in text
    assert "Last 2 h (08:00–10:00): 0 orders" in text and f"before: {BUYERS[D1]} orders" in text
    bench.clock.advance(hours=2)
    bench.imported("orders", "traffic")
    assert bench.run("campaign-monitor").status == "empty"
    assert len(bench.posts(OPS)) == 1


def test_quiet_outside_campaign_windows_and_below_thresholds(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    load(bench)
    monkeypatch.setenv("CAMPAIGN_WINDOWS", "618=2026-06-01..2026-06-18")
    assert bench.run("campaign-monitor").detail == "no campaign window today"
    monkeypatch.setenv("CAMPAIGN_WINDOWS", "双11=2026-11-01..2026-11-21")
    monkeypatch.setenv("CAMPAIGN_UV_DROP", "0.5")
    assert bench.run("campaign-monitor").status == "empty"
    assert bench.fake.messages(OPS) == []
