"""`/stock` end to end over HTTP: one SKU, the low / over lists, capped lists, did-you-mean; both languages."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import Engine

from metrics import schema
from metrics.db import upsert
from metrics.rollup import refresh_daily_sales
from tests.e2e.conftest import TODAY, Bot, BotFactory, assert_valid_blocks, block_text
from tests.e2e.test_gmv_funnel_http import answer, run

# (sku, name, units a day over the 28 days before today, yuan a unit, on hand, lead time, category)
SKUS = [
    ("SKU-A", "保湿面霜", 10, 100, 120, 10, "护肤"),  # class A: 120 < 10×10×1.5 → low; cover 12 ≥ lead 10 → warning
    ("SKU-B", "洁面乳 <新>", 2, 100, 20, 14, "护肤"),  # class B: cover 10 < lead 14 → critical
    ("SKU-C", "旧款礼盒", 0, 50, 40, 7, "礼盒"),  # nothing sold: dead stock
    ("SKU-D", "试用装", 1, 10, 100, 7, "礼盒"),  # cover 100 d → overstock
]
ABC = {"SKU-A": "A", "SKU-B": "B", "SKU-C": "C", "SKU-D": "C"}


def load(engine: Engine, skus: list[tuple[str, str, int, int, int, int, str]] = SKUS) -> None:
    rows = []
    for sku, _, per_day, price, _, _, _ in skus:
        for d in range(1, 29):
            day = TODAY - timedelta(days=d)
            if per_day:
                rows.append({"channel": "tmall", "order_id": f"{sku}-{d}", "line_key": sku, "line_id": None,
                             "ordered_at": datetime(day.year, day.month, day.day, 4), "order_date": day,
                             "sku": sku, "quantity": per_day, "paid_cents": per_day * price * 100,
                             "customer_id": f"c{d}", "status": "paid", "refund_cents": 0})
    with engine.begin() as conn:
        upsert(conn, schema.orders, rows)
        refresh_daily_sales(conn, {("tmall", cast(date, r["order_date"])) for r in rows})
        upsert(conn, schema.inventory, [
            {"sku": sku, "as_of": TODAY, "name": name, "category": cat, "on_hand": on_hand, "lead_time_days": lead,
             "unit_cost_cents": None} for sku, name, _, _, on_hand, lead, cat in skus])


def test_one_sku_shows_cover_class_safety_stock_and_reorder(engine: Engine, start_bot: BotFactory) -> None:
    load(engine)
    bot = start_bot(engine)
    message = answer(bot, "/stock", "SKU-B")
    readable = block_text(message["blocks"])
    avg = 2 * 28 / 28
    assert message["blocks"][0]["text"]["text"] == "Stock · 洁面乳 <新> (SKU-B)"  # plain text: no escaping
    assert "*On hand*\n20" in readable
    assert f"*Avg daily sales (28d)*\n{avg:.2f}" in readable
    assert f"*Days of cover*\n{20 / avg:.1f}" in readable
    assert "*ABC class (90d GMV)*\nB" in readable
    assert f"*Safety stock*\n{avg * 14:.1f}" in readable
    assert f"*Suggested reorder*\n{math.ceil(avg * (14 + 30)) - 20}" in readable
    assert "critical" in readable


def test_name_fragment_and_full_width_sku_find_the_sku(engine: Engine, start_bot: BotFactory) -> None:
    load(engine)
    bot = start_bot(engine)
    message = answer(bot, "/stock", "面霜 --zh")
    readable = block_text(message["blocks"])
    assert message["blocks"][0]["text"]["text"] == "库存 · 保湿面霜（SKU-A）"
    assert "*ABC 分类（90 天 GMV）*\nA" in readable
    assert f"*建议补货量*\n{math.ceil(10 * 40 * 1.5) - 120:,}" in readable
    message = answer(bot, "/stock", "ＳＫＵ－Ｄ")
    assert "(SKU-D)" in message["blocks"][0]["text"]["text"]


def test_low_lists_critical_first_then_warning(engine: Engine, start_bot: BotFactory) -> None:
    load(engine)
    bot = start_bot(engine)
    message = answer(bot, "/stock", "low", chart=False)
    readable = block_text(message["blocks"])
    assert message["blocks"][0]["text"]["text"] == "Low stock · 2 SKUs"
    assert readable.index("`SKU-B`") < readable.index("`SKU-A`")
    assert "洁面乳 &lt;新&gt;" in readable  # product names are escaped in mrkdwn


def test_over_in_chinese_lists_dead_stock_first(engine: Engine, start_bot: BotFactory) -> None:
    load(engine)
    bot = start_bot(engine)
    message = answer(bot, "/stock", "--zh over", chart=False)
    readable = block_text(message["blocks"])
    assert message["blocks"][0]["text"]["text"] == "库存积压 · 2 个 SKU"
    assert readable.index("`SKU-C`") < readable.index("`SKU-D`")
    assert "滞销" in readable and "积压" in readable


def test_a_long_list_is_capped_within_slack_limits(engine: Engine, start_bot: BotFactory) -> None:
    many = [(f"SKU-{i:03d}", "很长的商品名称" * 8, 5, 20, 1, 10, "批量") for i in range(300)]
    load(engine, many)
    bot = start_bot(engine)
    message = answer(bot, "/stock", "low", chart=False)
    blocks = message["blocks"]
    assert_valid_blocks(blocks)
    assert len(blocks) <= 50 and all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    readable = block_text(blocks)
    shown = readable.count("`SKU-")
    assert 0 < shown < 300 and f"…and {300 - shown} more." in readable


def test_unknown_sku_gets_did_you_mean(engine: Engine, start_bot: BotFactory) -> None:
    load(engine)
    bot = start_bot(engine)
    status, body = run(bot, "/stock", "SKU-Q")
    assert (status, body) == (200, "")
    bot.fake.wait_for("response_url", timeout=20)
    bot.drain()
    [response] = bot.fake.responses()
    assert response.response_type == "ephemeral"
    said = response.body
    assert isinstance(said, dict)
    assert "No SKU or category matches `SKU-Q`" in said["text"] and "Did you mean" in said["text"]
    assert "`SKU-" in said["text"]
    assert bot.fake.messages("C0GENERAL") == []


def test_category_lists_its_skus(sqlite_bot: Bot) -> None:
    load(sqlite_bot.deps.engine)
    message = answer(sqlite_bot, "/stock", "礼盒", chart=False)
    assert message["blocks"][0]["text"]["text"] == "Stock · 礼盒 · 2 SKUs"
