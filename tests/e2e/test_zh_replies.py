"""`/roi` and `/budget` with `--zh`: no English word is left in the reply, its chart title or its chart's axes,
apart from a small allow-list of product names, metric acronyms, units and slugs; large amounts in 万."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from bot.sandbox import slash_command
from handlers.views import charts_style
from metrics import budget
from tests.chinese import assert_chart_in_chinese, english_words, wan
from tests.e2e.conftest import (
    NOW,
    SECRET,
    SHOP,
    Bot,
    BotFactory,
    Json,
    block_text,
    gmv_of,
    posted,
    shared_files,
    window_days,
)


def _run(bot: Bot, command: str, text: str) -> None:
    status, _ = slash_command(bot.events_url, SECRET, command, text, fake=bot.fake, user_id="U0ALICE",
                              channel_id="C0GENERAL", channel_name="general")
    assert status == 200


def test_roi_for_one_channel_in_chinese(sqlite_engine: Engine, start_bot: BotFactory) -> None:
    # one large order, so the window's GMV is in the hundreds of thousands: written in 万
    first = SHOP.lines[0]
    big = replace(first, channel="douyin", order_id="BIG-1", day=date(2026, 11, 18), paid=Decimal("1234567.00"))
    shop = replace(SHOP, lines=[*SHOP.lines, big])
    sqlite_bot = start_bot(sqlite_engine, shop=shop)
    with charts_style.captured() as figures:
        _run(sqlite_bot, "/roi", "douyin 30d --zh")
        sqlite_bot.fake.wait_for("files.completeUploadExternal", timeout=30)
        sqlite_bot.drain()
    [message] = posted(sqlite_bot.fake, "C0GENERAL")
    readable = block_text(message["blocks"]) + "\n" + message["text"]
    assert english_words(readable) == []
    assert "近30天" in readable and "数据截至 订单 2026-11-20, 广告花费 2026-11-20" in readable
    gmv = gmv_of(shop, "douyin", window_days(30))
    assert gmv >= 100_000 and wan(gmv) in readable  # ¥123.5万, not ¥1,234,567.00
    [shared] = shared_files(sqlite_bot.fake, "C0GENERAL")
    assert english_words(shared["title"]) == []
    assert_chart_in_chinese(figures)


def test_roi_ranking_in_chinese(sqlite_bot: Bot) -> None:
    with charts_style.captured() as figures:
        _run(sqlite_bot, "/roi", "30d --zh")
        sqlite_bot.fake.wait_for("files.completeUploadExternal", timeout=30)
        sqlite_bot.drain()
    [message] = posted(sqlite_bot.fake, "C0GENERAL")
    readable = block_text(message["blocks"]) + "\n" + message["text"]
    assert english_words(readable) == []
    assert "抖音" in readable and "n/a" not in readable
    assert_chart_in_chinese(figures)


def test_budget_status_in_chinese(sqlite_bot: Bot) -> None:
    engine = sqlite_bot.deps.engine
    budget.set_period(engine, "2026-11", budget.parse_amount("1234567"), share=Decimal("0.20"), actor="cli:test",
                      now=NOW)
    budget.allocate(engine, "2026-11", "douyin", budget.parse_amount("300000"), known=sqlite_bot.deps.registry.slugs,
                    actor="cli:test", now=NOW)
    _run(sqlite_bot, "/budget", "--zh")
    sqlite_bot.fake.wait_for("response_url", timeout=20)
    sqlite_bot.drain()
    [response] = sqlite_bot.fake.responses()
    body: Json = response.body  # type: ignore[assignment]
    readable = block_text(body["blocks"]) + "\n" + body["text"]
    assert english_words(readable) == []
    assert "*总预算* ¥123.5万" in readable and "*弹性预算池* ¥24.7万" in readable
    assert "预算 ¥30.0万" in readable and "抖音" in readable


def test_the_allow_list_catches_english() -> None:
    assert english_words("ROI 1:2.35 · 花费 ¥12.3万 · `/invite @ecombot` :warning:") == []
    assert english_words("data as of 订单 2026-11-20") == ["data", "as", "of"]
