"""`/roi` end to end over Socket Mode: the real app behind `socket_mode_handler`, envelopes from a local WebSocket."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import Engine

from bot.app import create_app
from bot.sandbox import FakeSlack, FakeSocketMode, slash_command_fields
from bot.server import socket_mode_handler
from metrics.runtime import Deps
from tests.e2e.conftest import (
    PNG_SIGNATURE,
    SHOP,
    assert_valid_blocks,
    drain,
    make_deps,
    posted,
    roi_of,
    roi_text,
    shared_files,
    window_days,
)
from tests.metrics.fixtures import load_shop


@dataclass
class SocketBot:
    fake: FakeSlack
    sm: FakeSocketMode
    app: App
    deps: Deps

    def command(self, text: str, *, channel_id: str = "C0GENERAL", channel_name: str = "general") -> str:
        """Send `/roi text` as a slash_commands envelope; returns its envelope_id."""
        fields = slash_command_fields(
            "/roi", text, channel_id=channel_id, channel_name=channel_name,
            response_url=self.fake.new_response_url(channel_id=channel_id, user_id="U0ALICE"),
        )
        return self.sm.send_envelope("slash_commands", fields, accepts_response_payload=True)


@pytest.fixture
def socket_bot(sqlite_engine: Engine) -> Iterator[SocketBot]:
    load_shop(sqlite_engine, SHOP)
    with FakeSlack(port=0, socket_mode=True) as fake:
        assert fake.socket_mode is not None
        deps = make_deps(fake, sqlite_engine, slack_app_token="xapp-test")
        app = create_app(deps)
        handler: Any = socket_mode_handler(app, deps)
        handler.connect()
        try:
            fake.socket_mode.wait_connected(timeout=10)
            yield SocketBot(fake, fake.socket_mode, app, deps)
        finally:
            handler.close()
            drain(app)


def test_roi_over_socket_mode_acks_the_envelope_then_posts_and_uploads(socket_bot: SocketBot) -> None:
    fake = socket_bot.fake
    assert fake.calls("apps.connections.open")[0].headers["Authorization"] == "Bearer xapp-test"

    envelope_id = socket_bot.command("douyin 30d")
    ack = socket_bot.sm.wait_ack(envelope_id, timeout=5)
    assert ack["envelope_id"] == envelope_id
    assert not ack.get("payload")  # a bare ack: the answer goes to the channel

    fake.wait_for("files.completeUploadExternal", timeout=20)
    [message] = posted(fake, "C0GENERAL")
    value = roi_of(SHOP, "douyin", window_days(30))
    assert value is not None
    assert message["text"].startswith(f"ROI Douyin 30d: {roi_text(value)}")
    assert_valid_blocks(message["blocks"])
    # Web API calls carry the bot token, never the app-level one
    assert fake.calls("chat.postMessage")[0].headers["Authorization"] == "Bearer xoxb-test"
    [shared] = shared_files(fake, "C0GENERAL")
    data = fake.file_bytes(shared["id"])
    assert data is not None and data.startswith(PNG_SIGNATURE)


def test_bad_input_over_socket_mode_is_answered_in_the_ack_payload(socket_bot: SocketBot) -> None:
    envelope_id = socket_bot.command("douyn")
    ack = socket_bot.sm.wait_ack(envelope_id, timeout=5)
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "Did you mean `douyin`?" in ack["payload"]["text"]
    drain(socket_bot.app)
    # nothing but the asker's language lookup (users.info) for the ack's wording
    skip = ("auth.test", "apps.connections.open", "users.info")
    assert [c.method for c in socket_bot.fake.calls() if c.method not in skip] == []
