"""Budget requests in the asker's language: what the requester is told follows `--zh` / `--en`, else their
own Slack language; the approval card stays in BOT_LOCALE (approvers read it in a shared channel) and so
does every later edit of it. By slash command and by the form, end to end against the fake Slack."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine

from jobs.budget_expiry import expire_requests
from metrics import budget
from tests.chinese import english_words
from tests.e2e.conftest import NOW, SHOP, block_text
from tests.e2e.test_budget_flow import (
    FANG,
    GENERAL,
    MEI,
    MONTH,
    OLIVER,
    SAM,
    BotFactory,
    BudgetBot,
    _request_values,
    readable,
)
from tests.e2e.test_budget_flow import start_budget_bot as start_budget_bot  # the fixture, shared
from tests.metrics.fixtures import load_shop

CARD = {"en": "*Requested by*", "zh": "*申请人*"}
CONFIRM = {"en": "is posted for approval", "zh": "等待审批"}


def _bot(engine: Engine, start: BotFactory, *, bot_locale: str, mei_slack: str) -> BudgetBot:
    load_shop(engine, SHOP)
    budget.set_period(engine, MONTH, budget.parse_amount("1000000"), share=Decimal("0.20"), actor="cli:test",
                      now=NOW)
    bot = start(engine, locale=bot_locale)
    users = bot.fake.workspace.users
    users[MEI] = dataclasses.replace(users[MEI], locale=mei_slack)  # after start: it sets everyone for zh
    return bot


def _confirmation(bot: BudgetBot, text: str) -> str:
    status, body = bot.command(f"request {text}")
    assert status == 200 and body == ""
    bot.new("chat.postMessage")
    return bot.note()


@pytest.mark.parametrize(("bot_locale", "mei_slack", "flag", "told"), [
    ("en", "zh-CN", "", "zh"),       # her own Slack language
    ("en", "zh-CN", "--en", "en"),   # the flag wins over it
    ("zh", "en-US", "", "en"),
    ("en", "en-US", "--zh", "zh"),
])
def test_the_requester_is_told_in_their_language_and_the_card_is_in_the_bots(
        sqlite_engine: Engine, start_budget_bot: BotFactory, bot_locale: str, mei_slack: str, flag: str,
        told: str) -> None:
    bot = _bot(sqlite_engine, start_budget_bot, bot_locale=bot_locale, mei_slack=mei_slack)
    said = _confirmation(bot, f"50000 douyin KOL slot {flag}".strip())
    assert CONFIRM[told] in said and "¥50,000.00" in said  # an amount to approve is exact in both languages
    assert ("抖音" if told == "zh" else "Douyin") in said
    if told == "zh":
        assert english_words(said, allowed={"KOL"}) == [], said
    card = bot.card()
    assert CARD[bot_locale] in readable(card["blocks"])
    # an approval redraws the card in the language it was posted in
    bot.click("budget_approve", str(_request_id(bot)), user=FANG, ts=str(card["ts"]))
    bot.note()
    bot.new("chat.update")
    assert CARD[bot_locale] in readable(bot.card()["blocks"])


def _request_id(bot: BudgetBot) -> int:
    with bot.deps.engine.connect() as conn:
        [req] = budget.pending_requests(conn)
    return req.id


def test_the_form_opened_with_zh_answers_in_zh_to_the_end(sqlite_engine: Engine,
                                                          start_budget_bot: BotFactory) -> None:
    bot = _bot(sqlite_engine, start_budget_bot, bot_locale="en", mei_slack="en-US")
    assert bot.command("request --zh") == (200, "")
    [opened] = bot.new("views.open")
    form = opened.args["view"]
    assert "抖音" in str(form["blocks"]) and english_words(block_text(form["blocks"])) == []
    view_id = max(bot.fake.workspace.views)
    # a mistake is named under the field in the form's language
    status, body = bot.submit("budget_request_modal", _request_values("1e9", "douyin", "直播"), user=MEI,
                              view_id=view_id)
    errors = json.loads(body)["errors"]
    assert status == 200 and "金额" in errors["amount"] and english_words(errors["amount"]) == [], errors
    status, body = bot.submit("budget_request_modal", _request_values("8000", "douyin", "直播加投"), user=MEI,
                              view_id=view_id)
    assert (status, body) == (200, "")
    bot.new("chat.postMessage")
    [confirmation] = bot.new("chat.postEphemeral")
    assert confirmation.args["channel"] == GENERAL and CONFIRM["zh"] in confirmation.args["text"]
    assert CARD["en"] in readable(bot.card()["blocks"])


def test_clickers_notes_and_the_requesters_dms_are_in_their_own_slack_language(
        sqlite_engine: Engine, start_budget_bot: BotFactory) -> None:
    """An en bot: Mei (zh in Slack) asks, Fang (zh) and Oliver (en) approve. What only one person reads —
    a clicker's note, the requester's DM — is in that person's language; the card stays in the bot's."""
    bot = _bot(sqlite_engine, start_budget_bot, bot_locale="en", mei_slack="zh-CN")
    users = bot.fake.workspace.users
    users[FANG] = dataclasses.replace(users[FANG], locale="zh-CN")
    users[OLIVER] = dataclasses.replace(users[OLIVER], locale="en-US")
    _confirmation(bot, "50000 douyin KOL slot")
    ts = str(bot.card()["ts"])
    request_id = str(_request_id(bot))

    bot.click("budget_approve", request_id, user=FANG, ts=ts)
    fang_note = bot.note()
    assert "你已以" in fang_note and english_words(fang_note) == [], fang_note
    bot.new("chat.update")
    assert any("你的预算申请" in m for m in bot.dms(MEI)), bot.dms(MEI)

    bot.click("budget_approve", request_id, user=OLIVER, ts=ts)
    assert "is released" in bot.note()
    bot.new("chat.update")
    assert any("已拨付" in m and "抖音" in m for m in bot.dms(MEI)), bot.dms(MEI)
    assert all(english_words(m, allowed={"KOL"}) == [] for m in bot.dms(MEI)), bot.dms(MEI)
    assert CARD["en"] in readable(bot.card()["blocks"])


def test_an_outsiders_refused_click_is_told_in_their_language_and_changes_nothing(
        sqlite_engine: Engine, start_budget_bot: BotFactory) -> None:
    bot = _bot(sqlite_engine, start_budget_bot, bot_locale="en", mei_slack="en-US")
    _confirmation(bot, "50000 douyin KOL slot")
    users = bot.fake.workspace.users
    users[SAM] = dataclasses.replace(users[SAM], locale="zh-CN")
    ts = str(bot.card()["ts"])
    before = readable(bot.card()["blocks"])
    bot.click("budget_approve", str(_request_id(bot)), user=SAM, ts=ts)
    note = bot.note()
    assert english_words(note) == [] and note, note
    with bot.deps.engine.connect() as conn:
        [req] = budget.pending_requests(conn)
    assert req.status == budget.PENDING and readable(bot.card()["blocks"]) == before


def test_the_expiry_dm_is_in_the_requesters_language_and_the_card_in_the_bots(
        sqlite_engine: Engine, start_budget_bot: BotFactory) -> None:
    bot = _bot(sqlite_engine, start_budget_bot, bot_locale="en", mei_slack="zh-CN")
    _confirmation(bot, "50000 douyin KOL slot")
    client = WebClient(base_url=bot.fake.api_url, token="xoxb-test")
    bot.clock.now = NOW + timedelta(hours=48)
    assert expire_requests(bot.deps, client) == 1
    bot.new("chat.update")
    [dm] = [m for m in bot.dms(MEI) if "过期" in m]
    assert "抖音" in dm and english_words(dm) == [], dm
    assert CARD["en"] in readable(bot.card()["blocks"]) and "*Expired*" in readable(bot.card()["blocks"])
