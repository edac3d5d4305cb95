"""`/sentiment` end to end over HTTP: negative share, topics, open incidents with card links; both languages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import Engine

from metrics import alerts, schema
from metrics.db import upsert
from tests.e2e.conftest import NOW, Bot, BotFactory, block_text
from tests.e2e.test_gmv_funnel_http import answer, run

TZ = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


def review(rid: str, when_utc: datetime, *, channel: str = "douyin", sku: str | None = "SKU-1",
           rating: int | None = None, sentiment: float | None = 0.9, topic: str | None = None) -> dict[str, Any]:
    return {"review_id": rid, "channel": channel, "sku": sku, "created_at": when_utc,
            "created_date": when_utc.replace(tzinfo=UTC).astimezone(TZ).date(), "text": f"评价 {rid} <b>&",
            "rating": rating, "author_followers": 0, "sentiment": sentiment, "topic": topic}


ROWS = [
    # 2026-11-19 16:30 UTC is 11-20 00:30 in Shanghai: inside the 7 days that end on the 20th
    review("R1", datetime(2026, 11, 19, 16, 30), rating=1, topic="logistics"),
    review("R2", datetime(2026, 11, 19, 3, 0), sentiment=0.1, topic="logistics"),
    review("R3", datetime(2026, 11, 18, 3, 0), rating=5, sentiment=0.1),  # rating ≥ 4 overrides the text
    review("R4", datetime(2026, 11, 17, 3, 0), sentiment=0.2, topic="quality"),
    review("R5", datetime(2026, 11, 16, 3, 0)),
    review("R6", datetime(2026, 11, 16, 3, 0), sentiment=None),  # not scored yet: left out
    review("R7", datetime(2026, 11, 20, 16, 30), rating=1, topic="price"),  # 11-21 local: after the window
    review("R8", datetime(2026, 11, 15, 3, 0), channel="tmall", rating=2, topic="service"),
]


def _load(engine: Engine) -> None:
    with engine.begin() as conn:
        upsert(conn, schema.reviews, ROWS)


def _negative(r: dict[str, Any]) -> bool:
    if r["rating"] is not None and r["rating"] <= 2:
        return True
    if r["rating"] is not None and r["rating"] >= 4:
        return False
    return r["sentiment"] is not None and r["sentiment"] < 0.5


def _share(n: int, d: int) -> str:
    return f"{(Decimal(n) / Decimal(d)).quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP) * 100:.1f}%"


def test_sentiment_for_a_channel_counts_local_days_and_lists_topics(engine: Engine, start_bot: BotFactory) -> None:
    _load(engine)
    bot = start_bot(engine)
    message = answer(bot, "/sentiment", "douyin 7d")
    readable = block_text(message["blocks"])
    lo, hi = date(2026, 11, 14), date(2026, 11, 20)
    inside = [r for r in ROWS if r["channel"] == "douyin" and lo <= r["created_date"] <= hi]
    scored = [r for r in inside if r["sentiment"] is not None or r["rating"] is not None]
    negative = [r for r in scored if _negative(r)]
    assert (len(scored), len(negative)) == (5, 3)
    assert f"*{len(negative)}* of *{len(scored)}* reviews negative ({_share(len(negative), len(scored))})" in readable
    assert f"1. logistics — 2 ({_share(2, 3)})" in readable and "2. quality — 1" in readable
    assert "1 reviews are not scored yet" in readable
    assert "*Open incidents*\nnone" in readable


def test_sentiment_in_chinese_shows_open_incidents_with_card_links(engine: Engine, start_bot: BotFactory) -> None:
    _load(engine)
    bot = start_bot(engine)
    card = WebClient(base_url=bot.fake.api_url, token="xoxb-test").chat_postMessage(channel="C0ALERTS", text="card")
    now = NOW.astimezone(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        alerts.raise_alert(conn, key="sentiment:sku:SKU-1", kind="sentiment", severity="critical",
                           channel="C0ALERTS", ts=str(card["ts"]),
                           detail={"level": 1, "count": 22, "sku": "SKU-1", "subject": "保湿面霜 <SKU-1>"},
                           now_utc=now - timedelta(hours=1))
        alerts.raise_alert(conn, key="sentiment:social:price", kind="sentiment", severity="info", channel=None,
                           ts=None, detail={"level": 3, "count": 2, "subject": "price"}, now_utc=now)
    message = answer(bot, "/sentiment", "--zh")
    readable = block_text(message["blocks"])
    assert message["blocks"][0]["text"]["text"] == "评价情绪 · 全部渠道 · 近7天"
    assert "*未关闭舆情*  Ⅰ级：1 · Ⅱ级：0 · Ⅲ级：1" in readable
    assert "Ⅰ级 · 保湿面霜 &lt;SKU-1&gt; · 差评 22 · 待处理 · <https://" in readable
    assert "|查看卡片>" in readable
    assert "Ⅲ级 · price · 差评 2 · 待处理 · 无卡片" in readable


def test_sentiment_for_an_unknown_word_is_a_sku_and_a_typo_is_a_channel(sqlite_bot: Bot) -> None:
    message = answer(sqlite_bot, "/sentiment", "SKU-404 30d", chart=False)
    assert "No reviews in" in block_text(message["blocks"])
    status, body = run(sqlite_bot, "/sentiment", "douyn")
    assert status == 200 and "Did you mean `douyin`?" in body
