"""`/roi` end to end over HTTP: signed requests into the real app on waitress, answers read back from the fake Slack."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import Engine, select, text

from bot.sandbox.driver import slash_command
from metrics.schema_jobs import command_claims
from metrics.windows import GRAMMAR
from tests.e2e.conftest import (
    PNG_SIGNATURE,
    SECRET,
    SHOP,
    Bot,
    BotFactory,
    Json,
    assert_valid_blocks,
    block_text,
    gmv_of,
    money_text,
    posted,
    roi_of,
    roi_text,
    shared_files,
    spend_of,
    window_days,
)
from tests.metrics.fixtures import START, Line, Shop

UPLOAD_FLOW = ["files.getUploadURLExternal", "upload_url", "files.completeUploadExternal"]


def _expected_channel_roi(channel: str, days: int) -> str:
    value = roi_of(SHOP, channel, window_days(days))
    assert value is not None
    return roi_text(value)


def _assert_png_chart(bot: Bot, channel: str) -> None:
    [shared] = shared_files(bot.fake, channel)
    data = bot.fake.file_bytes(shared["id"])
    assert data is not None and data.startswith(PNG_SIGNATURE)
    assert shared["mimetype"] == "image/png" and shared["name"].endswith(".png")
    assert 10_000 < len(data) < 1_000_000
    with Image.open(io.BytesIO(data)) as img:
        img.verify()
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        width, height = img.size
    assert 600 <= width <= 2000 and 300 <= height <= 1200


# -- the happy path ---------------------------------------------------------------------------------


def test_roi_for_one_channel_posts_figures_and_a_png_chart(bot: Bot) -> None:
    status, body, seconds = bot.command("douyin 30d")
    assert status == 200 and seconds < 1.0
    assert body == ""  # a bare ack: the answer goes to the channel, not to the user alone

    bot.fake.wait_for("files.completeUploadExternal", timeout=20)
    [message] = posted(bot.fake, "C0GENERAL")
    expected = _expected_channel_roi("douyin", 30)
    span = window_days(30)
    assert message["text"].startswith(f"ROI Douyin 30d: {expected}")
    assert_valid_blocks(message["blocks"])
    readable = block_text(message["blocks"])
    # one basis for every channel (ROI_BASIS=channel); douyin's attributed figure stands beside it, labelled
    assert f"*ROI*\n{expected}  _(whole-channel)_" in readable
    assert f"*Spend*\n{money_text(spend_of(SHOP, 'douyin', span))}" in readable
    assert f"*GMV (whole-channel)*\n{money_text(gmv_of(SHOP, 'douyin', span))}" in readable
    attributed = roi_of(SHOP, "douyin", span, basis="attributed")
    assert attributed is not None and f"*ROI (attributed)*\n{roi_text(attributed)}" in readable
    assert f"Window {span[0]}..{span[1]} (30 days, Asia/Shanghai)" in readable
    assert "inf" not in readable.lower() and "nan" not in readable.lower()

    # the chart took Slack's external upload flow into the same channel
    assert [m for m in bot.api_calls() if m != "chat.postMessage"] == UPLOAD_FLOW
    [complete] = bot.fake.calls("files.completeUploadExternal")
    assert complete.args["channel_id"] == "C0GENERAL"
    _assert_png_chart(bot, "C0GENERAL")
    assert bot.fake.responses() == []


def test_roi_without_channel_ranks_every_channel(bot: Bot) -> None:
    status, _, _ = bot.command("")
    assert status == 200
    bot.fake.wait_for("files.completeUploadExternal", timeout=20)
    [message] = posted(bot.fake, "C0GENERAL")
    assert_valid_blocks(message["blocks"])
    readable = block_text(message["blocks"])

    span = window_days(7)  # the default window
    rois = {c: roi_of(SHOP, c, span) for c in ("douyin", "tmall", "jd")}
    names = {"douyin": "Douyin", "tmall": "Tmall", "jd": "JD"}
    ranked = sorted(rois, key=lambda c: -(rois[c] or 0))
    lines = [ln for ln in readable.splitlines() if re.match(r"^\d+\. \*", ln)]
    assert len(lines) == 6  # every registered channel has a line
    for rank, channel in enumerate(ranked, 1):
        value = rois[channel]
        assert value is not None
        assert lines[rank - 1].startswith(f"{rank}. *{names[channel]}*  {roi_text(value)}  ·  spend ")
    # tmall has no attribution: whole-channel GMV over spend, both written out in its line
    tmall = next(ln for ln in lines if "*Tmall*" in ln)
    assert f"spend {money_text(spend_of(SHOP, 'tmall', span))}" in tmall
    assert f"GMV {money_text(gmv_of(SHOP, 'tmall', span))}" in tmall
    for name in ("Pinduoduo", "Xiaohongshu", "WeChat Mini Program"):
        assert any(f"*{name}*  no spend" in ln for ln in lines[3:])
    _assert_png_chart(bot, "C0GENERAL")


def test_chinese_channel_name_works_like_the_slug(sqlite_bot: Bot) -> None:
    status, body, _ = sqlite_bot.command("抖音 7d")
    assert (status, body) == (200, "")
    sqlite_bot.fake.wait_for("files.completeUploadExternal", timeout=20)
    [message] = posted(sqlite_bot.fake, "C0GENERAL")
    assert message["text"].startswith(f"ROI Douyin 7d: {_expected_channel_roi('douyin', 7)}")
    assert_valid_blocks(message["blocks"])


# -- bad input: answered in the ack, nothing else happens ------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("douyn", ["Unknown channel `douyn`", "douyin"]),
        ("douyin 13x", ["`13x` is not a window", GRAMMAR]),
        ("13x", ["`13x` is not a window", GRAMMAR]),
        ("douyin 7d 30d", ["too many arguments", "Usage: `/roi [channel] [window]`"]),
    ],
)
def test_bad_input_gets_one_ephemeral_answer_in_the_ack(sqlite_bot: Bot, typed: str, expected: list[str]) -> None:
    status, body, seconds = sqlite_bot.command(typed)
    assert status == 200 and seconds < 1.0
    answer = json.loads(body)
    assert answer["response_type"] == "ephemeral"
    for part in expected:
        assert part in answer["text"]
    sqlite_bot.drain()  # the lazy listener ran (Bolt starts it even after an error ack) and returned
    assert sqlite_bot.api_calls() == []  # no message, no chart, no second "Sorry…" via response_url
    assert sqlite_bot.fake.messages("C0GENERAL") == []


def test_did_you_mean_suggests_the_channel(sqlite_bot: Bot) -> None:
    _, body, _ = sqlite_bot.command("douyn")
    assert "Did you mean `douyin`?" in json.loads(body)["text"]


# -- no spend -------------------------------------------------------------------------------------


def _pdd_only_shop() -> Shop:
    lines = [
        Line("pdd", f"P{i}", "SKU1-0", START + timedelta(days=i), 1, Decimal("59.90") + i, f"C{i}")
        for i in range(10)
    ]
    return Shop(lines, [], [])


def test_channel_with_orders_but_no_spend_says_so(engine: Engine, start_bot: BotFactory) -> None:
    shop = _pdd_only_shop()
    bot = start_bot(engine, shop=shop)
    status, _, _ = bot.command("拼多多 30d")
    assert status == 200
    bot.fake.wait_for("chat.postMessage", timeout=20)
    bot.drain()
    [message] = posted(bot.fake, "C0GENERAL")
    assert_valid_blocks(message["blocks"])
    readable = block_text(message["blocks"])
    gmv = money_text(gmv_of(shop, "pdd", window_days(30)))
    assert f"Pinduoduo had no ad spend in 2026-10-22..2026-11-20, so there is no ROI to show (GMV {gmv})" in readable
    assert "inf" not in readable.lower() and "nan" not in readable.lower()
    assert bot.api_calls() == ["chat.postMessage"]  # nothing to chart
    assert bot.fake.responses() == []


def test_ranking_without_any_spend_says_so(sqlite_engine: Engine, start_bot: BotFactory) -> None:
    bot = start_bot(sqlite_engine, shop=_pdd_only_shop())
    assert bot.command("30d")[0] == 200
    bot.fake.wait_for("chat.postMessage", timeout=20)
    bot.drain()
    [message] = posted(bot.fake, "C0GENERAL")
    assert_valid_blocks(message["blocks"])
    readable = block_text(message["blocks"])
    assert "No channel had ad spend in 2026-10-22..2026-11-20" in readable
    assert "*Pinduoduo*  no spend" in readable
    assert bot.api_calls() == ["chat.postMessage"]


# -- where the bot cannot post ---------------------------------------------------------------------


def _only_response(bot: Bot, *, drain: bool = True) -> Json:
    """The one response_url answer; with `drain`, after every listener returned (the app is done then)."""
    bot.fake.wait_for("response_url", timeout=20)
    if drain:
        bot.drain()
    [response] = bot.fake.responses()
    assert response.response_type == "ephemeral"
    body = response.body
    assert isinstance(body, dict)
    return body


def test_channel_the_bot_is_not_in_answers_via_response_url(sqlite_bot: Bot) -> None:
    status, _, _ = sqlite_bot.command("douyin 30d", channel_id="C0RANDOM", channel_name="random")
    assert status == 200
    body = _only_response(sqlite_bot)
    assert_valid_blocks(body["blocks"])
    readable = block_text(body["blocks"])
    assert _expected_channel_roi("douyin", 30) in readable
    assert "/invite @ecombot" in readable
    assert sqlite_bot.api_calls() == ["chat.postMessage", "response_url"]  # no upload attempt
    assert sqlite_bot.fake.messages("C0RANDOM") == []
    [ephemeral] = sqlite_bot.fake.ephemerals("C0RANDOM", "U0ALICE")
    assert "/invite" in block_text(ephemeral["blocks"])


def test_channel_not_found_answers_via_response_url(sqlite_bot: Bot) -> None:
    sqlite_bot.fake.fail_next("chat.postMessage", error="channel_not_found")
    assert sqlite_bot.command("douyin 30d")[0] == 200
    body = _only_response(sqlite_bot)
    assert _expected_channel_roi("douyin", 30) in block_text(body["blocks"])
    assert "/invite" in block_text(body["blocks"])
    assert posted(sqlite_bot.fake, "C0GENERAL") == []


def test_roi_typed_in_a_dm_is_posted_there_with_its_chart(sqlite_bot: Bot) -> None:
    dm = sqlite_bot.fake.workspace.open_dm("U0ALICE").id
    status, body, _ = sqlite_bot.command("douyin 30d", channel_id=dm, channel_name="directmessage")
    assert status == 200 and body == ""
    sqlite_bot.fake.wait_for("files.completeUploadExternal", timeout=20)
    sqlite_bot.drain()
    [message] = posted(sqlite_bot.fake, dm)
    assert message["text"].startswith(f"ROI Douyin 30d: {_expected_channel_roi('douyin', 30)}")
    assert_valid_blocks(message["blocks"])
    readable = block_text(message["blocks"])
    assert f"*Spend*\n{money_text(spend_of(SHOP, 'douyin', window_days(30)))}" in readable
    _assert_png_chart(sqlite_bot, dm)
    [opened] = sqlite_bot.fake.calls("conversations.open")
    assert opened.args["users"] == "U0ALICE"
    assert sqlite_bot.api_calls() == ["conversations.open", "chat.postMessage", *UPLOAD_FLOW]
    assert sqlite_bot.fake.responses() == []


def test_roi_typed_in_a_dm_with_someone_else_goes_to_the_bots_dm(sqlite_bot: Bot) -> None:
    # a DM between two people: the bot is not in it, so the answer goes to its own DM with the asker
    status, _, _ = sqlite_bot.command("douyin 30d", channel_id="D0PEOPLE", channel_name="directmessage")
    assert status == 200
    own = sqlite_bot.fake.workspace.open_dm("U0ALICE").id
    sqlite_bot.fake.wait_for("files.completeUploadExternal", timeout=20)
    body = _only_response(sqlite_bot)
    assert "direct message" in body["text"]
    [message] = posted(sqlite_bot.fake, own)
    assert message["text"].startswith(f"ROI Douyin 30d: {_expected_channel_roi('douyin', 30)}")
    _assert_png_chart(sqlite_bot, own)


def test_dm_that_cannot_be_opened_answers_via_response_url(sqlite_bot: Bot) -> None:
    sqlite_bot.fake.fail_next("conversations.open", error="missing_scope")
    dm = sqlite_bot.fake.workspace.open_dm("U0ALICE").id
    status, _, _ = sqlite_bot.command("douyin 30d", channel_id=dm, channel_name="directmessage")
    assert status == 200
    body = _only_response(sqlite_bot)
    assert_valid_blocks(body["blocks"])
    readable = block_text(body["blocks"])
    assert _expected_channel_roi("douyin", 30) in readable
    assert "run `/roi` in a channel" in readable
    assert sqlite_bot.api_calls() == ["conversations.open", "response_url"]
    assert posted(sqlite_bot.fake, dm) == []


# -- Slack failing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500])
def test_rate_limited_or_failing_post_is_retried(sqlite_bot: Bot, status: int) -> None:
    sqlite_bot.fake.fail_next("chat.postMessage", status=status, retry_after=1)
    assert sqlite_bot.command("douyin 30d")[0] == 200
    sqlite_bot.fake.wait_for("files.completeUploadExternal", timeout=20)
    assert len(sqlite_bot.fake.calls("chat.postMessage")) == 2
    [message] = posted(sqlite_bot.fake, "C0GENERAL")
    assert message["text"].startswith(f"ROI Douyin 30d: {_expected_channel_roi('douyin', 30)}")
    assert len(shared_files(sqlite_bot.fake, "C0GENERAL")) == 1


def test_rate_limited_upload_is_retried(sqlite_bot: Bot) -> None:
    sqlite_bot.fake.fail_next("files.completeUploadExternal", status=429, retry_after=1)
    assert sqlite_bot.command("douyin 30d")[0] == 200
    sqlite_bot.fake.wait_for("files.completeUploadExternal", count=2, timeout=20)
    sqlite_bot.drain()
    _assert_png_chart(sqlite_bot, "C0GENERAL")


def test_failed_upload_keeps_the_figures_and_tells_the_user(sqlite_bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    sqlite_bot.fake.fail_next("upload_url", status=500)
    with caplog.at_level(logging.WARNING):
        assert sqlite_bot.command("douyin 30d")[0] == 200
        body = _only_response(sqlite_bot, drain=False)
    # the figures are in the channel; only the chart is missing, and the user hears why
    [message] = posted(sqlite_bot.fake, "C0GENERAL")
    assert message["text"].startswith(f"ROI Douyin 30d: {_expected_channel_roi('douyin', 30)}")
    assert shared_files(sqlite_bot.fake, "C0GENERAL") == []
    error_id = re.search(r"[Ee]rror id `([0-9a-f]{8})`", body["text"])
    assert error_id is not None and "chart" in body["text"]
    assert any(getattr(r, "error_id", None) == error_id.group(1) for r in caplog.records)
    # and the app still works
    sqlite_bot.fake.reset()
    assert sqlite_bot.command("douyin 7d")[0] == 200
    sqlite_bot.fake.wait_for("files.completeUploadExternal", timeout=20)


def test_upload_into_channel_closed_to_files_falls_back_to_invite(sqlite_bot: Bot) -> None:
    sqlite_bot.fake.fail_next("files.completeUploadExternal", error="not_in_channel")
    assert sqlite_bot.command("douyin 30d")[0] == 200
    body = _only_response(sqlite_bot)
    assert "/invite" in block_text(body["blocks"])
    assert len(posted(sqlite_bot.fake, "C0GENERAL")) == 1


def test_other_slack_error_gets_an_apology_not_silence(sqlite_bot: Bot) -> None:
    sqlite_bot.fake.fail_next("chat.postMessage", error="invalid_blocks")
    assert sqlite_bot.command("douyin 30d")[0] == 200
    body = _only_response(sqlite_bot)
    assert re.search(r"Error id `[0-9a-f]{8}`", body["text"])
    assert "Traceback" not in json.dumps(body)


# -- our own failure -------------------------------------------------------------------------------


def test_failing_metric_query_gets_a_short_apology_with_an_error_id(
    sqlite_engine: Engine, start_bot: BotFactory, caplog: pytest.LogCaptureFixture
) -> None:
    bot = start_bot(sqlite_engine, shop=SHOP)
    with sqlite_engine.begin() as conn:
        conn.execute(text("DROP TABLE ad_spend"))
    with caplog.at_level(logging.ERROR):
        status, body, _ = bot.command("douyin 30d")
        assert (status, body) == (200, "")
        answer = _only_response(bot)
    said = json.dumps(answer, ensure_ascii=False)
    match = re.fullmatch(
        r"Sorry, I couldn't compute that\. Error id `([0-9a-f]{8})` — an admin can look it up in the logs\.",
        answer["text"],
    )
    assert match is not None, answer["text"]
    for leak in ("Traceback", "ad_spend", "sqlite", "OperationalError", 'File "'):
        assert leak not in said
    assert bot.api_calls() == ["response_url"]
    # the same id is in the log, with the stack trace, for the admin
    [record] = [r for r in caplog.records if getattr(r, "error_id", None) == match.group(1)]
    assert record.exc_info is not None


# -- request verification --------------------------------------------------------------------------


def test_bad_or_stale_signatures_are_refused(sqlite_bot: Bot) -> None:
    assert sqlite_bot.command("douyin 30d", secret="not-the-secret")[0] == 401
    stale = int(time.time()) - 6 * 60
    assert sqlite_bot.command("douyin 30d", timestamp=stale)[0] == 401
    future = int(time.time()) + 6 * 60
    assert sqlite_bot.command("douyin 30d", timestamp=future)[0] == 401
    sqlite_bot.drain()
    assert sqlite_bot.api_calls() == []
    assert sqlite_bot.fake.messages("C0GENERAL") == []


def test_acks_do_not_wait_behind_slow_answers(sqlite_bot: Bot) -> None:
    """Five answers stuck in Slack's Retry-After must not hold up the next command's ack (Slack gives up at 3 s)."""
    fake = sqlite_bot.fake
    fake.fail_next("chat.postMessage", status=429, retry_after=2, times=5)
    for _ in range(5):
        assert sqlite_bot.command("douyin 30d")[:2] == (200, "")
    # the five answers are running or queued (Bolt submitted them before each ack returned); the
    # first ones now sleep out their Retry-After
    fake.wait_for("chat.postMessage", count=1, timeout=10)
    status, body, seconds = sqlite_bot.command("tmall 7d")
    assert (status, body) == (200, "")
    assert seconds < 1.0, f"ack took {seconds:.2f} s behind the lazy listeners"
    fake.wait_for("files.completeUploadExternal", count=6, timeout=20)
    assert len(posted(fake, "C0GENERAL")) == 6


def test_a_retried_or_replayed_command_is_answered_once(bot: Bot) -> None:
    # seen: one /roi retried by Slack and replayed within the signature window gave 4 posts and 4 charts
    trigger = "T-once-123.456"
    for retry in (None, 1, 2, None):
        status, _ = slash_command(bot.events_url, SECRET, "/roi", "douyin 7d", fake=bot.fake, user_id="U0ALICE",
                                  channel_id="C0GENERAL", channel_name="general", trigger_id=trigger,
                                  retry_num=retry)
        assert status == 200
    bot.fake.wait_for("files.completeUploadExternal", timeout=20)
    # the other three are acked at once and then stay quiet; a new command is the marker that they had time
    status, _ = slash_command(bot.events_url, SECRET, "/roi", "jd 7d", fake=bot.fake, channel_id="C0GENERAL",
                              channel_name="general")
    bot.fake.wait_for("files.completeUploadExternal", 2, timeout=20)
    bot.drain()
    assert len(posted(bot.fake, "C0GENERAL")) == 2
    assert len(bot.fake.calls("files.completeUploadExternal")) == 2
    with bot.deps.engine.connect() as conn:  # answered, so closed: the interrupted-commands sweep leaves it be
        row = conn.execute(select(command_claims.c.done_at).where(command_claims.c.key == f"cmd:{trigger}")).one()
    assert row.done_at is not None
