"""The demo shop: every claim about its realism is recounted here from the rows, in plain Python."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from metrics import schema
from metrics.demo_data import DemoData, DemoDataExists, generate, seed_demo

TODAY = date(2026, 11, 25)
YESTERDAY = TODAY - timedelta(days=1)
TZ = ZoneInfo("Asia/Shanghai")
CHANNELS = {"douyin", "tmall", "jd", "pdd", "xiaohongshu", "wechat"}
CJK = re.compile(r"[\u4e00-\u9fff]")

Row = dict[str, Any]


@pytest.fixture(scope="module")
def shop() -> DemoData:
    return generate(today=TODAY, tz=TZ)


def live(orders: list[Row]) -> list[Row]:
    return [r for r in orders if r["status"] != "cancelled"]


def gmv_by_day(orders: list[Row], channel: str | None = None) -> dict[date, int]:
    out: Counter[date] = Counter()
    for r in live(orders):
        if channel is None or r["channel"] == channel:
            out[r["order_date"]] += r["paid_cents"]
    return dict(out)


# --- determinism and shape ----------------------------------------------------------------------


def test_same_inputs_give_the_same_rows_and_another_seed_another_shop() -> None:
    first = generate(today=TODAY, tz=TZ, days=40)
    again = generate(today=TODAY, tz=TZ, days=40)
    other = generate(today=TODAY, tz=TZ, days=40, seed=7)
    assert first == again
    assert first.orders != other.orders
    assert first.reviews != other.reviews


def test_six_channels_of_different_sizes(shop: DemoData) -> None:
    assert {r["channel"] for r in shop.orders} == CHANNELS
    assert {r["channel"] for r in shop.traffic} == CHANNELS
    assert {r["channel"] for r in shop.ad_spend} == CHANNELS
    gmv: Counter[str] = Counter()
    for r in live(shop.orders):
        gmv[r["channel"]] += r["paid_cents"]
    ranked = [c for c, _ in gmv.most_common()]
    assert set(ranked[:2]) == {"douyin", "tmall"}
    assert ranked[-1] == "wechat"


def test_catalogue_of_about_150_chinese_skus(shop: DemoData) -> None:
    current = [r for r in shop.inventory if r["as_of"] == TODAY]
    assert 140 <= len(current) <= 160
    assert len({r["sku"] for r in current}) == len(current)
    assert all(re.fullmatch(r"SKU-\d{4}", r["sku"]) for r in current)
    assert all(CJK.search(r["name"]) for r in current)
    assert {r["category"] for r in current} >= {"护肤", "彩妆", "个护", "食品", "母婴", "家居"}
    assert {r["sku"] for r in shop.orders} <= {r["sku"] for r in current}
    # a face mask costs tens of yuan, not thousands: list prices per unit stay in a shop's range
    unit_yuan = [r["paid_cents"] / r["quantity"] / 100 for r in shop.orders]
    assert 15 < min(unit_yuan) and max(unit_yuan) < 600


def test_orders_cover_exactly_the_days_ending_yesterday(shop: DemoData) -> None:
    for days, data in ((180, shop), (30, generate(today=TODAY, tz=TZ, days=30))):
        first = TODAY - timedelta(days=days)
        for rows, column in ((data.orders, "order_date"), (data.traffic, "date"), (data.ad_spend, "date")):
            dates = {r[column] for r in rows}
            assert min(dates) == first and max(dates) == YESTERDAY and len(dates) == days


def test_ordered_at_is_naive_utc_of_the_local_order_date_with_an_evening_peak(shop: DemoData) -> None:
    hours: Counter[int] = Counter()
    for r in shop.orders:
        assert r["ordered_at"].tzinfo is None
        local = r["ordered_at"].replace(tzinfo=UTC).astimezone(TZ)
        assert local.date() == r["order_date"]
        hours[local.hour] += 1
    evening = sum(hours[h] for h in range(19, 23))
    morning = sum(hours[h] for h in range(6, 10))
    assert evening > 2 * morning
    assert hours.most_common(1)[0][0] in range(19, 24)


# --- sales patterns -----------------------------------------------------------------------------


def test_weekends_sell_more_than_weekdays(shop: DemoData) -> None:
    gmv = gmv_by_day(shop.orders)
    weekend = [v for d, v in gmv.items() if d.weekday() >= 5]
    weekday = [v for d, v in gmv.items() if d.weekday() < 5]
    assert statistics.mean(weekend) > 1.1 * statistics.mean(weekday)


@pytest.mark.parametrize("peak, window_start", [(date(2026, 11, 11), date(2026, 10, 20)),
                                                (date(2026, 6, 18), date(2026, 6, 1))])
def test_festival_peaks(shop: DemoData, peak: date, window_start: date) -> None:
    gmv = gmv_by_day(shop.orders)
    assert gmv[peak] > 2 * statistics.median(gmv.values())
    window = {d: v for d, v in gmv.items() if window_start <= d <= peak}
    assert max(window, key=lambda d: window[d]) == peak


def test_a_range_without_festivals_has_no_spike() -> None:
    data = generate(today=date(2026, 4, 1), tz=TZ, days=60)
    gmv = gmv_by_day(data.orders)
    assert max(gmv.values()) < 2 * statistics.median(gmv.values())


def test_statuses_lines_and_returning_buyers(shop: DemoData) -> None:
    orders: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in shop.orders:
        orders[r["channel"], r["order_id"]].append(r)
    assert 60_000 <= len(shop.orders) <= 120_000
    status = Counter(lines[0]["status"] for lines in orders.values())
    n = len(orders)
    assert status["paid"] / n > 0.85
    assert 0.03 < status["refunded"] / n < 0.10
    assert 0.005 < status["cancelled"] / n < 0.04
    for lines in orders.values():
        assert len({ln["status"] for ln in lines}) == 1
        assert len({ln["line_key"] for ln in lines}) == len(lines)
    multi = sum(1 for lines in orders.values() if len(lines) > 1)
    assert 0.1 < multi / n < 0.35
    for r in shop.orders:
        assert r["refund_cents"] == (r["paid_cents"] if r["status"] == "refunded" else 0)
        assert r["quantity"] >= 1
    prefix = {"douyin": "dy", "tmall": "tm", "jd": "jd", "pdd": "pdd", "xiaohongshu": "xhs", "wechat": "wx"}
    assert all(re.fullmatch(rf"{prefix[r['channel']]}-C\d{{6}}", r["customer_id"]) for r in shop.orders)
    per_buyer: dict[str, set[str]] = defaultdict(set)
    for r in live(shop.orders):
        per_buyer[r["customer_id"]].add(r["order_id"])
    returning = sum(1 for ids in per_buyer.values() if len(ids) >= 2)
    assert 0.25 <= returning / len(per_buyer) <= 0.35


def test_money_is_non_negative_integer_cents(shop: DemoData) -> None:
    seen = 0
    for rows in shop.tables().values():
        for r in rows:
            for key, value in r.items():
                if key.endswith("_cents"):
                    nullable = key == "attributed_gmv_cents"
                    assert (value is None and nullable) or (type(value) is int and value >= 0), (key, value)
                    seen += 1
    assert seen > 100_000


# --- traffic and ads ----------------------------------------------------------------------------


def test_traffic_agrees_with_orders(shop: DemoData) -> None:
    buyers: dict[tuple[str, date], set[str]] = defaultdict(set)
    for r in live(shop.orders):
        buyers[r["channel"], r["order_date"]].add(r["customer_id"])
    assert len(shop.traffic) == 6 * 180
    for t in shop.traffic:
        b = len(buyers[t["channel"], t["date"]])
        assert 0 < b <= t["cart_users"] <= t["uv"]
        assert 0.015 <= b / t["uv"] <= 0.06
        assert 2.5 * t["uv"] - 1 <= t["pv"] <= 4 * t["uv"] + 1
        assert 0.08 * t["uv"] - 1 <= t["cart_users"] <= 0.15 * t["uv"] + 1 or t["cart_users"] == b


def test_campaigns_clicks_and_attribution(shop: DemoData) -> None:
    campaigns: dict[str, set[str]] = defaultdict(set)
    for r in shop.ad_spend:
        campaigns[r["channel"]].add(r["campaign"])
        assert 0.01 <= r["clicks"] / r["impressions"] <= 0.05
        assert 0.5 <= r["spend_cents"] / 100 / r["clicks"] <= 3.0
        assert (r["attributed_gmv_cents"] is not None) == (r["channel"] in ("douyin", "tmall"))
    assert all(2 <= len(names) <= 3 for names in campaigns.values())
    assert any(CJK.search(name) for names in campaigns.values() for name in names)


def roi_by_day(shop: DemoData, channel: str) -> dict[date, float]:
    spend: Counter[date] = Counter()
    attributed: Counter[date] = Counter()
    for r in shop.ad_spend:
        if r["channel"] == channel:
            spend[r["date"]] += r["spend_cents"]
            attributed[r["date"]] += r["attributed_gmv_cents"] or 0
    return {d: attributed[d] / spend[d] for d in spend}


def test_douyin_falls_below_the_roi_floor_on_the_last_five_days_only(shop: DemoData) -> None:
    roi = roi_by_day(shop, "douyin")
    last_five = {YESTERDAY - timedelta(days=i) for i in range(5)}
    assert all(roi[d] < 2 for d in last_five)
    assert all(roi[d] > 2.2 for d in roi if d not in last_five)


def test_douyin_is_under_the_floor_on_the_whole_channel_basis_too(shop: DemoData) -> None:
    # ROI_BASIS=channel is the default: the demo's slump must show on it (GMV of the orders / spend)
    spend: Counter[date] = Counter()
    gmv: Counter[date] = Counter()
    for r in shop.ad_spend:
        if r["channel"] == "douyin":
            spend[r["date"]] += r["spend_cents"]
    for o in shop.orders:
        if o["channel"] == "douyin" and o["status"] != "cancelled":
            gmv[o["order_date"]] += o["paid_cents"]
    last_five = {YESTERDAY - timedelta(days=i) for i in range(5)}
    assert all(gmv[d] / spend[d] < 2 for d in last_five)
    assert sum(gmv[d] for d in last_five) / sum(spend[d] for d in last_five) < 2


def test_other_channels_earn_well_above_the_floor(shop: DemoData) -> None:
    start = TODAY - timedelta(days=30)
    for channel in CHANNELS - {"douyin"}:
        rows = [r for r in shop.ad_spend if r["channel"] == channel and r["date"] >= start]
        spend = sum(r["spend_cents"] for r in rows)
        if all(r["attributed_gmv_cents"] is not None for r in rows):
            returned = sum(r["attributed_gmv_cents"] for r in rows)
        else:
            returned = sum(v for d, v in gmv_by_day(shop.orders, channel).items() if d >= start)
        assert returned / spend > 2.5, channel


# --- inventory ----------------------------------------------------------------------------------


def spec_stock_classes(shop: DemoData) -> Counter[str]:
    """SPEC §5 on the newest snapshot, worked out from the orders with no help from metrics/."""
    units: Counter[str] = Counter()
    gmv: Counter[str] = Counter()
    for r in live(shop.orders):
        if TODAY - timedelta(days=28) <= r["order_date"] <= YESTERDAY:
            units[r["sku"]] += r["quantity"]
        if TODAY - timedelta(days=90) <= r["order_date"] <= YESTERDAY:
            gmv[r["sku"]] += r["paid_cents"]
    total = sum(gmv.values())
    top, running = set(), 0
    for sku, cents in sorted(gmv.items(), key=lambda kv: (-kv[1], kv[0])):
        if running < 0.8 * total:
            top.add(sku)
        running += cents
    out: Counter[str] = Counter()
    for r in shop.inventory:
        if r["as_of"] != TODAY:
            continue
        avg = units[r["sku"]] / 28
        lead, on_hand = r["lead_time_days"], r["on_hand"]
        f = 1.5 if r["sku"] in top else 1.0
        if avg > 0 and on_hand < avg * max(7, lead) * f:
            out["critical" if on_hand / avg < lead else "warning"] += 1
        elif avg > 0 and on_hand / avg > 30:
            out["overstock"] += 1
        elif avg == 0 and on_hand > 0:
            out["dead"] += 1
        else:
            out["ok"] += 1
    return out


def test_stock_mix_per_spec(shop: DemoData) -> None:
    classes = spec_stock_classes(shop)
    assert 5 <= classes["critical"] <= 10
    assert 5 <= classes["warning"] <= 10
    assert 5 <= classes["overstock"] <= 10
    assert 3 <= classes["dead"] <= 5
    assert classes["ok"] > 100
    for r in shop.inventory:
        assert 3 <= r["lead_time_days"] <= 30
        assert r["on_hand"] >= 0
    assert {r["as_of"] for r in shop.inventory} == {TODAY, TODAY - timedelta(days=7)}


# --- reviews and the experiment -----------------------------------------------------------------


def test_reviews_are_chinese_mostly_positive_and_scored(shop: DemoData) -> None:
    reviews = shop.reviews
    assert 2000 <= len(reviews) <= 6000
    assert len({r["review_id"] for r in reviews}) == len(reviews)
    rated = [r["rating"] for r in reviews if r["rating"] is not None]
    assert sum(1 for x in rated if x >= 4) / len(rated) > 0.7
    assert set(rated) == {1, 2, 3, 4, 5}
    for r in reviews:
        assert CJK.search(r["text"])
        assert 0 <= r["sentiment"] <= 1
        local = r["created_at"].replace(tzinfo=UTC).astimezone(TZ)
        assert local.date() == r["created_date"]
        # only the incident runs on into today's first hour, so a scan at any hour finds it live
        assert local.date() <= YESTERDAY or ("-X" in r["review_id"] and local.hour == 0)
    social = [r for r in reviews if r["channel"] in ("weibo", "xiaohongshu") and r["sku"] is None]
    assert len(social) >= 50 and all(r["author_followers"] is not None for r in social)
    assert {r["channel"] for r in reviews if r["sku"] is not None} <= CHANNELS
    # the classifier and the ratings agree on the clear cases
    assert statistics.mean(r["sentiment"] for r in reviews if r["rating"] == 5) > 0.8
    assert statistics.mean(r["sentiment"] for r in reviews if r["rating"] == 1) < 0.2


def test_a_burst_of_complaints_about_one_sku_in_the_last_two_days(shop: DemoData) -> None:
    recent = [r for r in shop.reviews if r["created_date"] >= TODAY - timedelta(days=2)
              and r["rating"] is not None and r["rating"] <= 2 and r["sku"] is not None]
    by_sku = Counter(r["sku"] for r in recent)
    sku, n = by_sku.most_common(1)[0]
    assert n >= 25
    burst = [r for r in recent if r["sku"] == sku]
    assert sum(1 for r in burst if r["topic"] == "safety") >= 20
    assert any(r["author_followers"] and 10_000 <= r["author_followers"] <= 500_000 for r in burst)
    assert any(r["author_followers"] and r["author_followers"] >= 100_000 for r in burst)
    assert by_sku.most_common(2)[1][1] < 10  # one incident, not background noise everywhere
    name = next(r["name"] for r in shop.inventory if r["sku"] == sku)
    assert "面霜" in name


def test_the_experiment_favours_b(shop: DemoData) -> None:
    rows = shop.experiments
    assert {r["variant"] for r in rows} == {"control", "B"}
    assert len({r["experiment"] for r in rows}) == 1
    assert {r["date"] for r in rows} == {YESTERDAY - timedelta(days=i) for i in range(14)}
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in rows:
        assert 0 <= r["conversions"] <= r["visitors"]
        t = totals[r["variant"]]
        t[0] += r["visitors"]
        t[1] += r["conversions"]
        t[2] += r["revenue_cents"]
    assert totals["B"][1] / totals["B"][0] > 1.1 * totals["control"][1] / totals["control"][0]
    assert totals["B"][2] > totals["control"][2]


# --- loading ------------------------------------------------------------------------------------


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in (schema.orders, schema.daily_sales, schema.traffic, schema.ad_spend, schema.inventory,
                          schema.reviews, schema.experiments, schema.imports)}


def test_seed_loads_every_row_and_the_rollup(engine: Engine) -> None:
    data = generate(today=TODAY, tz=TZ, days=30)
    now = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    counts = seed_demo(engine, today=TODAY, tz=TZ, days=30, now=now)
    in_db = table_counts(engine)
    for name, rows in data.tables().items():
        assert in_db[name] == len(rows) == counts[name], name
    assert in_db["daily_sales"] == counts["daily_sales"] == 6 * 30
    expected_gmv = sum(r["paid_cents"] for r in live(data.orders))
    with engine.connect() as conn:
        assert int(conn.execute(select(func.sum(schema.daily_sales.c.gmv_cents))).scalar_one()) == expected_gmv
        imports = conn.execute(select(schema.imports.c.kind, schema.imports.c.source, schema.imports.c.finished_at,
                                      schema.imports.c.rows_inserted, schema.imports.c.max_date)).all()
        text = conn.execute(select(schema.reviews.c.text).where(schema.reviews.c.topic == "safety").limit(1))
        assert CJK.search(text.scalar_one())
    assert sorted(r[0] for r in imports) == sorted(data.tables())
    for kind, source, finished, inserted, max_date in imports:
        assert source == "demo" and finished == now.replace(tzinfo=None)
        assert inserted == len(data.tables()[kind])
        assert max_date == (TODAY if kind in ("inventory", "reviews") else YESTERDAY)
    with pytest.raises(DemoDataExists):
        seed_demo(engine, today=TODAY, tz=TZ, days=30)
    assert table_counts(engine) == in_db


def test_replace_reloads_in_place(sqlite_engine: Engine) -> None:
    seed_demo(sqlite_engine, today=TODAY, tz=TZ, days=20)
    again = seed_demo(sqlite_engine, today=TODAY, tz=TZ, days=10, seed=5, replace=True)
    in_db = table_counts(sqlite_engine)
    assert in_db["orders"] == again["orders"] == len(generate(today=TODAY, tz=TZ, days=10, seed=5).orders)
    assert in_db["imports"] == 6
    with sqlite_engine.connect() as conn:
        first = conn.execute(select(func.min(schema.orders.c.order_date))).scalar_one()
    assert first == TODAY - timedelta(days=10)


def test_cli_seed_demo(tmp_path: Path) -> None:
    from bot.cli import main

    url = f"sqlite:///{tmp_path}/x.db"
    runner = CliRunner()
    ok = runner.invoke(main, ["--database-url", url, "seed-demo", "--today", "2026-11-25"])
    assert ok.exit_code == 0, ok.output
    assert "2026-05-29 … 2026-11-24" in ok.output
    from metrics.db import connect

    engine = connect(url)
    before = table_counts(engine)
    assert before["orders"] > 60_000 and f"{before['orders']:,}" in ok.output
    refused = runner.invoke(main, ["--database-url", url, "seed-demo", "--today", "2026-11-25"])
    assert refused.exit_code == 1
    assert "already holds orders" in refused.output and "--force" in refused.output
    assert table_counts(engine) == before
    forced = runner.invoke(main, ["--database-url", url, "seed-demo", "--today", "2026-11-25", "--days", "14",
                                  "--force"])
    assert forced.exit_code == 0, forced.output
    assert table_counts(engine)["traffic"] == 6 * 14
    engine.dispose()
