"""`/ecombot help | channels | whoami` and a DM to the bot, end to end; the manifest lists every command."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.app import create_app
from bot.sandbox import FakeSlack, slash_command
from bot.sandbox.driver import event_callback
from bot.sandbox.state import User
from bot.server import HttpServer, wsgi_app
from handlers.commands import COMMANDS
from tests.e2e.conftest import SECRET, Bot, block_text, make_deps

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


@pytest.fixture
def approver_bot(sqlite_engine: Engine) -> Iterator[Bot]:
    with ExitStack() as stack:
        fake = stack.enter_context(FakeSlack(port=0, socket_mode=False))
        deps = make_deps(fake, sqlite_engine, finance_approvers="U0ALICE", ops_approvers="U0ALICE,U0BOB")
        app = create_app(deps)
        server = HttpServer(wsgi_app(app, deps), host="127.0.0.1", port=0, threads=4).start()
        bot = Bot(fake, app, deps, server)
        stack.callback(server.stop)
        stack.callback(bot.drain)
        yield bot


def ecombot(bot: Bot, text: str, user_id: str = "U0ALICE") -> dict[str, object]:
    before = len(bot.fake.calls("response_url"))
    status, body = slash_command(bot.events_url, SECRET, "/ecombot", text, fake=bot.fake, user_id=user_id,
                                 channel_id="C0GENERAL", channel_name="general")
    assert (status, body) == (200, "")
    bot.fake.wait_for("response_url", count=before + 1, timeout=20)
    body_ = bot.fake.responses()[-1].body
    assert isinstance(body_, dict)
    return body_


def test_manifest_lists_exactly_the_registered_commands() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    listed = re.findall(r"^\s*- command: (/\S+)", text, flags=re.M)
    assert sorted(listed) == sorted([c.name for c in COMMANDS] + ["/ecombot"])
    hints = re.findall(r"^\s*usage_hint: (.+)$", text, flags=re.M)
    assert len(hints) == len(listed)  # every command has a usage hint
    assert "message.im" in text and "im:history" in text


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_help_lists_exactly_the_registered_commands(approver_bot: Bot, locale: str) -> None:
    said = ecombot(approver_bot, f"help --{locale}")
    readable = block_text(said["blocks"])  # type: ignore[arg-type]
    shown = set(re.findall(r"^`(/[a-z]+)", readable, flags=re.M))
    assert shown == {c.name for c in COMMANDS} | {"/ecombot"}
    assert ("ecombot commands" if locale == "en" else "ecombot 命令") in readable
    assert ("近7天" in readable) is True


def test_channels_lists_slugs_names_aliases_and_floors(approver_bot: Bot) -> None:
    readable = block_text(ecombot(approver_bot, "channels")["blocks"])  # type: ignore[arg-type]
    assert "`douyin` — Douyin / 抖音 · aliases: dy, 抖音, 抖店, 抖音商城, qianchuan, 千川 · ROI floor 1:2" in readable
    assert readable.count("ROI floor") == 6


def test_whoami_names_the_roles(approver_bot: Bot) -> None:
    assert "finance approver, operations approver" in block_text(ecombot(approver_bot, "whoami")["blocks"])  # type: ignore[arg-type]
    assert "operations approver" in block_text(ecombot(approver_bot, "whoami", "U0BOB")["blocks"])  # type: ignore[arg-type]
    said = block_text(ecombot(approver_bot, "whoami --zh", "U0CAROL")["blocks"])  # type: ignore[arg-type]
    assert "没有审批角色" in said


def test_unknown_subcommand_gets_the_help(approver_bot: Bot) -> None:
    readable = block_text(ecombot(approver_bot, "DROP TABLE orders; --")["blocks"])  # type: ignore[arg-type]
    assert "`/gmv [channel] [window]`" in readable


def test_a_direct_message_gets_the_help_in_the_writers_language(approver_bot: Bot) -> None:
    approver_bot.fake.workspace.users["U0WANG"] = User("U0WANG", "wang", "王芳", locale="zh-CN")
    dm = approver_bot.fake.workspace.open_dm("U0WANG").id
    event = {"type": "message", "channel": dm, "channel_type": "im", "user": "U0WANG", "text": "hi",
             "ts": "1763700000.000100"}
    status, _ = event_callback(approver_bot.events_url, SECRET, event)
    assert status == 200
    approver_bot.fake.wait_for("chat.postMessage", timeout=20)
    [message] = approver_bot.fake.messages(dm)
    assert "你好" in message["text"] and "/gmv [渠道] [区间]" in json.dumps(message["blocks"], ensure_ascii=False)
    # the bot's own DM posts and channel chatter are not answered
    for other in ({**event, "bot_id": "B1"}, {**event, "channel_type": "channel", "channel": "C0GENERAL"}):
        assert event_callback(approver_bot.events_url, SECRET, other)[0] == 200
    approver_bot.drain()
    assert len(approver_bot.fake.calls("chat.postMessage")) == 1
