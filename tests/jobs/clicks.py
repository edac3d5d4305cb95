"""Clicking alert buttons over signed HTTP, and reading the status line a click leaves."""

from __future__ import annotations

from typing import Any

from bot.sandbox import block_action
from tests.jobs.conftest import Bench


def click(bench: Bench, url: str, action: str, key: str, channel: str, ts: str, user: str) -> None:
    status, _ = block_action(url, "secret", action, key, fake=bench.fake, user_id=user, channel_id=channel,
                             message_ts=ts)
    assert status == 200


def status_line(bench: Bench, channel: str, ts: str, key: str) -> dict[str, Any]:
    return next(b for b in bench.fake.message(channel, ts)["blocks"] if b.get("block_id") == f"act:{key}")
