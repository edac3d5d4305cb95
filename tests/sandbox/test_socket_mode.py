"""Socket Mode: slack_bolt's SocketModeHandler (slack_sdk's builtin client) against the fake over ws://."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from websockets.sync.client import connect

from bot.sandbox import FakeSlack, FakeSocketMode, block_action_payload, slash_command_fields


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as f:
        yield f


@pytest.fixture
def sm(fake: FakeSlack) -> FakeSocketMode:
    assert fake.socket_mode is not None
    return fake.socket_mode


def test_connections_open_hands_out_a_ws_url(fake: FakeSlack) -> None:
    client = WebClient(base_url=fake.api_url, token="xapp-1-test")
    url = client.apps_connections_open(app_token="xapp-1-test")["url"]
    assert url.startswith("ws://127.0.0.1:") and "/link/?ticket=" in url
    with pytest.raises(Exception, match="not_allowed_token_type"):
        WebClient(base_url=fake.api_url, token="xoxb-test").apps_connections_open(app_token="xoxb-test")


def test_hello_envelope_and_ack_with_a_plain_websocket(sm: FakeSocketMode) -> None:
    with connect(sm.new_url()) as ws:
        hello = json.loads(ws.recv(timeout=5))
        assert hello["type"] == "hello"
        assert hello["connection_info"] == {"app_id": "A0ECOMBOT"}
        eid = sm.send_envelope("events_api", {"event": {"type": "app_mention"}})
        envelope = json.loads(ws.recv(timeout=5))
        assert (envelope["envelope_id"], envelope["type"], envelope["accepts_response_payload"]) == (
            eid,
            "events_api",
            False,
        )
        ws.send(json.dumps({"envelope_id": eid}))
        assert sm.wait_ack(eid, timeout=5) == {"envelope_id": eid}
    with pytest.raises(ValueError):
        sm.send_envelope("nonsense", {})


@pytest.fixture
def handler(fake: FakeSlack) -> Iterator[SocketModeHandler]:
    app = App(client=WebClient(base_url=fake.api_url, token="xoxb-test"))

    @app.command("/roi")
    def roi(ack: Any, say: Any, command: dict[str, Any]) -> None:
        ack(text="working on it")
        say(text=f"ROI for {command['text']}: 2.5")

    @app.action("roi_refresh")
    def refresh(ack: Any, say: Any, body: dict[str, Any]) -> None:
        ack()
        say(text=f"refreshed {body['actions'][0]['value']}")

    h = SocketModeHandler(app, app_token="xapp-1-test")
    h.connect()  # type: ignore[no-untyped-call]
    yield h
    h.close()  # type: ignore[no-untyped-call]


def test_bolt_socket_mode_handler_acks_and_says(fake: FakeSlack, sm: FakeSocketMode, handler: Any) -> None:
    sm.wait_connected(timeout=10)
    assert fake.calls("apps.connections.open")[0].headers["Authorization"] == "Bearer xapp-1-test"

    fields = slash_command_fields("/roi", "douyin", response_url=fake.new_response_url())
    eid = sm.send_envelope("slash_commands", fields, accepts_response_payload=True)
    ack = sm.wait_ack(eid, timeout=10)
    assert ack["envelope_id"] == eid
    assert ack["payload"]["text"] == "working on it"
    fake.wait_for("chat.postMessage", timeout=10)
    assert fake.messages("C0REPORTS")[-1]["text"] == "ROI for douyin: 2.5"

    payload = block_action_payload("roi_refresh", "tmall", response_url=fake.new_response_url())
    eid = sm.send_envelope("interactive", payload)
    assert sm.wait_ack(eid, timeout=10)["envelope_id"] == eid
    fake.wait_for("chat.postMessage", count=2, timeout=10)
    assert fake.messages("C0REPORTS")[-1]["text"] == "refreshed tmall"


def test_disconnect_makes_the_client_reconnect(fake: FakeSlack, sm: FakeSocketMode, handler: Any) -> None:
    sm.wait_connected(timeout=10)
    sm.disconnect()
    sm.wait_connected(count=2, timeout=10)
    assert len(fake.wait_for("apps.connections.open", count=2, timeout=10)) >= 2
    eid = sm.send_envelope("slash_commands", slash_command_fields(response_url=fake.new_response_url()))
    assert sm.wait_ack(eid, timeout=10)["envelope_id"] == eid
