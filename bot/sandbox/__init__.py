"""A local fake Slack for tests and the demo sandbox: Web API, uploads, response_urls, Socket Mode, and
a driver that signs requests to the bot as Slack does.

    with FakeSlack() as fake:
        app = App(client=WebClient(base_url=fake.api_url, token="xoxb-test"), signing_secret=SECRET)
"""

from __future__ import annotations

from bot.sandbox.calls import Call
from bot.sandbox.driver import (
    block_action,
    block_action_payload,
    event_callback,
    signed_headers,
    slash_command,
    slash_command_fields,
    view_submission,
    view_submission_payload,
)
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.responses import Response
from bot.sandbox.socket_mode import FakeSocketMode
from bot.sandbox.state import SlackError, Workspace

__all__ = [
    "Call",
    "FakeSlack",
    "FakeSocketMode",
    "Response",
    "SlackError",
    "Workspace",
    "block_action",
    "block_action_payload",
    "event_callback",
    "signed_headers",
    "slash_command",
    "slash_command_fields",
    "view_submission",
    "view_submission_payload",
]
