"""Malformed or unsigned requests at /slack/events: refused with 4xx before parsing, with one quiet log line.

Over real HTTP into the real app; every case asserts the status and that nothing was logged at
ERROR or with a traceback (a flood of bad requests must not bury real errors).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

import pytest

from bot.sandbox.driver import signed_headers
from bot.server import HttpServer
from bot.slack_guard import GuardedRequestHandler
from tests.e2e.conftest import SECRET, Bot, BotFactory

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def bare_bot(sqlite_engine: object, start_bot: BotFactory) -> Bot:
    return start_bot(sqlite_engine)


def send(bot: Bot, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    req = urllib.request.Request(bot.events_url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def signed(bot: Bot, body: bytes, *, content_type: str = FORM) -> tuple[int, bytes]:
    return send(bot, body, signed_headers(SECRET, body.decode(), content_type=content_type))


def form(payload: str) -> bytes:
    return urllib.parse.urlencode({"payload": payload}).encode()


def assert_quiet(caplog: pytest.LogCaptureFixture) -> None:
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert loud == [], [r.getMessage() for r in loud]


UNSIGNED = [
    ("timestamp not a number", form("{}"), {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"}),
    ("no signature", form("{not json"), {}),
    ("unsigned list payload", form("[]"), {}),
    ("timestamp of full-width digits", form("{}"), {"X-Slack-Request-Timestamp": "17²³000000",
                                                    "X-Slack-Signature": "v0=00"}),
    ("stale timestamp", form("{}"), {"X-Slack-Request-Timestamp": "1000000000", "X-Slack-Signature": "v0=00"}),
    ("body not UTF-8", b"payload=%7B%7D\xff\xfe", {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"}),
]


@pytest.mark.parametrize("what,body,headers", UNSIGNED, ids=[u[0] for u in UNSIGNED])
def test_unsigned_or_badly_signed_requests_get_401(
    bare_bot: Bot, caplog: pytest.LogCaptureFixture, what: str, body: bytes, headers: dict[str, str]
) -> None:
    caplog.set_level(logging.INFO)
    status, _ = send(bare_bot, body, {"Content-Type": FORM, **headers})
    assert status in (400, 401), what
    assert_quiet(caplog)
    assert bare_bot.api_calls() == []


MALFORMED = [
    ("payload not JSON", form("{not json"), FORM),
    ("payload a list", form("[]"), FORM),
    ("payload a string", form('"hi"'), FORM),
    ("two payloads", b"payload=%7B%7D&payload=%7B%7D", FORM),
    ("event body a list", b"[]", "application/json"),
    ("event body not JSON", b"{not json", "application/json"),
    ("event without a type", json.dumps({"type": "event_callback", "event": {}}).encode(), "application/json"),
    ("deeply nested", b"payload=" + b"%5B" * 100_000, FORM),
    ("block action without action_id", form(json.dumps({"type": "block_actions", "user": {"id": "U0"},
                                                         "actions": [{"value": "x"}]})), FORM),
    ("interaction without a user", form(json.dumps({"type": "block_actions",
                                                     "actions": [{"action_id": "alert_ack", "value": "x"}]})), FORM),
    ("team id a number", form(json.dumps({"type": "view_submission", "team": 1, "user": {"id": "U0"},
                                           "view": {"type": "modal", "callback_id": "x"}})), FORM),
]


@pytest.mark.parametrize("what,body,content_type", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_signed_but_malformed_bodies_get_400(
    bare_bot: Bot, caplog: pytest.LogCaptureFixture, what: str, body: bytes, content_type: str
) -> None:
    caplog.set_level(logging.INFO)
    status, _ = signed(bare_bot, body, content_type=content_type)
    assert status == 400, what
    assert_quiet(caplog)


@pytest.mark.parametrize("view", [{}, {"id": "V1"}, {"type": 7}, None, []], ids=["empty", "no-type", "type-int",
                                                                               "null", "list"])
def test_a_signed_view_submission_without_a_view_type_is_refused_quietly(
    bare_bot: Bot, caplog: pytest.LogCaptureFixture, view: object
) -> None:
    caplog.set_level(logging.INFO)
    payload = {"type": "view_submission", "team": {"id": "T0"}, "user": {"id": "U0ALICE"}, "view": view}
    status, body = signed(bare_bot, form(json.dumps(payload)))
    assert status == 400 or (status == 200 and body == b"")
    assert_quiet(caplog)


def test_good_requests_still_reach_bolt(bare_bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"}).encode()
    status, answer = signed(bare_bot, body, content_type="application/json")
    assert status == 200 and b"c-123" in answer
    status, _, _ = bare_bot.command("help")
    assert status == 200
    assert_quiet(caplog)


def test_bolts_own_parsing_answers_400_where_the_gate_would_not_see_it(
    bare_bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    """The adapter alone, without the gate: Bolt reading a user id out of a number must not raise."""
    caplog.set_level(logging.INFO)
    server = HttpServer(GuardedRequestHandler(bare_bot.app), host="127.0.0.1", port=0, threads=1).start()
    try:
        body = form(json.dumps({"type": "block_actions", "user": 1, "actions": [{"action_id": "x"}]}))
        req = urllib.request.Request(server.url + "/slack/events", data=body, method="POST",
                                     headers=signed_headers(SECRET, body.decode()))
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(req, timeout=10)
        assert refused.value.code == 400
    finally:
        server.stop()
    assert_quiet(caplog)
