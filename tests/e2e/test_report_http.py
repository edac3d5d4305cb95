"""`/report` end to end over HTTP: figures worked out from the fixture rows, English and Chinese, and the
sentences for a wrong word, a future day, an unfinished week and a month before the data."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bot.sandbox import slash_command
from tests.e2e.conftest import SECRET, SHOP, Bot, Json, assert_valid_blocks, block_text, money_text, posted, roi_text
from tests.metrics.fixtures import Line


def _send(bot: Bot, text: str) -> tuple[int, str]:
    return slash_command(bot.events_url, SECRET, "/report", text, fake=bot.fake, user_id="U0ALICE",
                         channel_id="C0GENERAL", channel_name="general")


def _answer(bot: Bot, text: str) -> Json:
    status, body = _send(bot, text)
    assert (status, body) == (200, "")
    bot.fake.wait_for("files.completeUploadExternal", timeout=30)
    [message] = posted(bot.fake, "C0GENERAL")
    assert_valid_blocks(message["blocks"])
    [upload] = bot.fake.calls("files.completeUploadExternal")
    assert upload.args["channel_id"] == "C0GENERAL"
    data = bot.fake.file_bytes(upload.args["files"][0]["id"])
    assert data is not None and data.startswith(b"\x89PNG")
    return message


def _live(start: date, end: date, channel: str | None = None) -> list[Line]:
    return [ln for ln in SHOP.lines if start <= ln.day <= end and ln.status != "cancelled"
            and (channel is None or ln.channel == channel)]


def _gmv(start: date, end: date, channel: str | None = None) -> Decimal:
    return sum((ln.paid for ln in _live(start, end, channel)), Decimal(0))


def _spend(start: date, end: date, channel: str | None = None) -> Decimal:
    return sum((s.spend for s in SHOP.spend if start <= s.day <= end and (channel is None or s.channel == channel)),
               Decimal(0))


def _change(now: Decimal, before: Decimal) -> str:
    rel = (now - before) / before * 100
    return f"{'▲' if rel > 0 else '▼' if rel < 0 else '='} {abs(rel):.1f}%"


def test_daily_report_for_a_date(bot: Bot) -> None:
    day = date(2026, 11, 15)
    message = _answer(bot, "daily 2026-11-15")
    text = block_text(message["blocks"])
    total = _gmv(day, day)
    orders = len({(ln.channel, ln.order_id) for ln in _live(day, day)})
    assert message["text"].startswith(f"Daily report 2026-11-15: GMV {money_text(total)}")
    before, week = day - timedelta(days=1), day - timedelta(days=7)
    assert (f"GMV *{money_text(total)}* ({_change(total, _gmv(before, before))} d/d, "
            f"{_change(total, _gmv(week, week))} w/w) · orders {orders:,}") in text
    tmall = _gmv(day, day, "tmall")
    assert f"*Tmall*  GMV {money_text(tmall)}" in text
    assert f"ROI {roi_text(tmall / _spend(day, day, 'tmall'))}" in text


def test_weekly_report_in_chinese_for_the_week_of_a_date(bot: Bot) -> None:
    start, end = date(2026, 11, 9), date(2026, 11, 15)  # Thursday 12th: the week Monday 9th – Sunday 15th
    message = _answer(bot, "周报 2026-11-12 --zh")
    text = block_text(message["blocks"])
    assert "周报 · 2026-11-09 – 2026-11-15" in text
    total, spend = _gmv(start, end), _spend(start, end)
    roi = (total / spend).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    assert f"GMV *{money_text(total)}*" in text and f"投产比 1:{roi.quantize(Decimal('0.01'), ROUND_HALF_UP)}" in text
    best = max(("douyin", "tmall", "jd"), key=lambda c: _gmv(start, end, c) / _spend(start, end, c))
    names = {"douyin": "抖音", "tmall": "天猫", "jd": "京东"}
    assert f"1. *{names[best]}*" in text
    assert "数据截至 订单 2026-11-20" in text


def _refusal(bot: Bot, text: str) -> str:
    status, body = _send(bot, text)
    assert status == 200
    if body:  # told at the ack
        return str(json.loads(body)["text"])
    bot.fake.wait_for("response_url", timeout=20)  # found out with the database: after the ack
    [response] = bot.fake.responses()
    assert response.response_type == "ephemeral" and isinstance(response.body, dict)
    return str(response.body["text"])


def test_wrong_words_future_days_unfinished_weeks_and_months_before_the_data(sqlite_bot: Bot) -> None:
    assert "Usage: `/report daily|weekly|monthly [date]`" in _refusal(sqlite_bot, "yearly")
    assert "Usage:" in _refusal(sqlite_bot, "daily 2026-13-01")
    assert "2026-12-01 is in the future (today is 2026-11-21)" in _refusal(sqlite_bot, "daily 2026-12-01")
    said = _refusal(sqlite_bot, "weekly 2026-11-20")
    assert "The week of 2026-11-20 is not over yet" in said and "2026-11-09 – 2026-11-15" in said
    # today 2026-11-21: the monthly report now would be October, and the data begins on November 1
    said = _refusal(sqlite_bot, "monthly")
    assert "The data begins on 2026-11-01; 2026-10-01 – 2026-10-31 is before it" in said
    assert posted(sqlite_bot.fake, "C0GENERAL") == []
