"""The fake Slack, driven by the real slack_sdk WebClient and a real Bolt App over HTTP."""

from __future__ import annotations

import json
import struct
import threading
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

from bot.sandbox import FakeSlack, block_action, signed_headers, slash_command, view_submission

SECRET = "test-signing-secret"


def png_bytes() -> bytes:
    """A valid 1x1 PNG built by hand, so the test needs no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0\xff\0\0")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as f:
        yield f


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.api_url, token="xoxb-test")


# -- Web API ------------------------------------------------------------------------------------


def test_auth_test_and_token_checks(fake: FakeSlack, client: WebClient) -> None:
    assert client.auth_test()["user_id"] == "U0ECOMBOT"
    assert fake.calls("auth.test")[0].headers["Authorization"] == "Bearer xoxb-test"
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=fake.api_url).auth_test()
    assert err.value.response["error"] == "not_authed"
    with pytest.raises(SlackApiError) as err:
        client.api_call("no.such.method")
    assert err.value.response["error"] == "unknown_method"


def test_post_update_thread_ephemeral_delete(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "block_id": "s1", "text": {"type": "mrkdwn", "text": "*ROI* 2.5"}}]
    posted = client.chat_postMessage(channel="C0REPORTS", text="ROI 2.5", blocks=blocks)
    assert posted["channel"] == "C0REPORTS"
    assert posted["message"]["blocks"] == blocks
    ts = posted["ts"]

    reply = client.chat_postMessage(channel="#reports", text="details", thread_ts=ts)
    assert reply["ts"] > ts
    thread = fake.thread("C0REPORTS", ts)
    assert [m["text"] for m in thread] == ["ROI 2.5", "details"]
    assert thread[0]["reply_count"] == 1

    updated = client.chat_update(channel="C0REPORTS", ts=ts, text="ROI 2.6", blocks=[])
    assert updated["message"]["text"] == "ROI 2.6"
    assert fake.messages("C0REPORTS")[0]["text"] == "ROI 2.6"

    eph = client.chat_postEphemeral(channel="C0REPORTS", user="U0BOB", text="only you")
    assert eph["message_ts"]
    assert [m["text"] for m in fake.ephemerals("C0REPORTS", "U0BOB")] == ["only you"]

    link = client.chat_getPermalink(channel="C0REPORTS", message_ts=ts)
    assert link["permalink"].endswith("/archives/C0REPORTS/p" + ts.replace(".", ""))

    client.reactions_add(channel="C0REPORTS", timestamp=ts, name="white_check_mark")
    assert fake.message("C0REPORTS", ts)["reactions"] == [
        {"name": "white_check_mark", "users": ["U0ECOMBOT"], "count": 1}
    ]

    client.chat_delete(channel="C0REPORTS", ts=reply["ts"])
    assert [m["ts"] for m in fake.messages("C0REPORTS")] == [ts]
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C0REPORTS", ts="1.000000", text="x")
    assert err.value.response["error"] == "message_not_found"


def test_form_encoded_request_with_token_field(fake: FakeSlack) -> None:
    body = "token=xoxb-form&channel=C0ALERTS&text=hello&blocks=" + urllib.parse.quote(
        json.dumps([{"type": "divider"}])
    )
    req = urllib.request.Request(fake.api_url + "chat.postMessage", data=body.encode(), method="POST")
    with urllib.request.urlopen(req) as resp:
        data = json.loads(resp.read())
    assert data["ok"] and data["message"]["blocks"] == [{"type": "divider"}]
    assert "token" not in fake.calls("chat.postMessage")[0].args


def test_channel_errors_and_join(client: WebClient) -> None:
    for channel, error in [("C0RANDOM", "not_in_channel"), ("C0NOPE", "channel_not_found")]:
        with pytest.raises(SlackApiError) as err:
            client.chat_postMessage(channel=channel, text="x")
        assert err.value.response["error"] == error
    with pytest.raises(SlackApiError) as err:
        client.chat_postEphemeral(channel="C0RANDOM", user="U0ALICE", text="x")
    assert err.value.response["error"] == "not_in_channel"
    assert client.conversations_info(channel="C0RANDOM")["channel"]["is_member"] is False
    client.conversations_join(channel="C0RANDOM")
    assert client.chat_postMessage(channel="C0RANDOM", text="now I can")["ok"]
    with pytest.raises(SlackApiError) as err:
        client.conversations_join(channel="G0LEADERS")
    assert err.value.response["error"] == "method_not_supported_for_channel_type"


def test_dm_and_users(fake: FakeSlack, client: WebClient) -> None:
    dm = client.conversations_open(users="U0CAROL")["channel"]["id"]
    assert dm.startswith("D")
    client.chat_postMessage(channel=dm, text="your report")
    assert fake.messages(dm)[0]["text"] == "your report"
    user = client.users_info(user="U0CAROL")["user"]
    assert (user["name"], user["real_name"], user["tz"]) == ("carol", "Carol Chen", "Europe/London")
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U0NOBODY")
    assert err.value.response["error"] == "user_not_found"


def test_views_open_push_update(client: WebClient) -> None:
    modal = {"type": "modal", "callback_id": "budget", "title": {"type": "plain_text", "text": "Budget"}, "blocks": []}
    opened = client.views_open(trigger_id="123.456.abc", view=modal)["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "budget"
    pushed = client.views_push(trigger_id="123.456.abc", view={**modal, "callback_id": "step2"})["view"]
    assert pushed["id"] != opened["id"]
    updated = client.views_update(view_id=opened["id"], view={**modal, "private_metadata": "x"})["view"]
    assert (updated["id"], updated["private_metadata"]) == (opened["id"], "x")
    with pytest.raises(SlackApiError) as err:
        client.views_update(view_id="V_NOPE", view=modal)
    assert err.value.response["error"] == "not_found"


def test_files_upload_v2_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    png = png_bytes()
    result = client.files_upload_v2(
        channel="C0REPORTS", content=png, filename="roi.png", title="ROI chart", initial_comment="Daily ROI"
    )
    file_id = result["file"]["id"]
    assert fake.file_bytes(file_id) == png
    assert fake.calls("upload_url")[0].args["length"] == len(png)
    message = fake.messages("C0REPORTS")[-1]
    assert message["text"] == "Daily ROI"
    assert [(f["id"], f["title"], f["mimetype"]) for f in message["files"]] == [(file_id, "ROI chart", "image/png")]
    with urllib.request.urlopen(message["files"][0]["url_private"]) as resp:
        assert resp.headers["Content-Type"] == "image/png"
        assert resp.read() == png


def test_files_upload_v2_into_channel_bot_is_not_in(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.files_upload_v2(channel="C0RANDOM", content=b"x", filename="a.txt")
    assert err.value.response["error"] == "not_in_channel"


# -- recording and faults -----------------------------------------------------------------------


def test_injected_error_then_recovery(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", error="not_in_channel")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C0REPORTS", text="x")
    assert err.value.response.status_code == 200
    assert err.value.response["error"] == "not_in_channel"
    assert client.chat_postMessage(channel="C0REPORTS", text="x")["ok"]


def test_429_with_retry_after_is_retried(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=0)
    client = WebClient(base_url=fake.api_url, token="xoxb-test", retry_handlers=[RateLimitErrorRetryHandler(1)])
    assert client.chat_postMessage(channel="C0REPORTS", text="eventually")["ok"]
    assert len(fake.calls("chat.postMessage")) == 2
    assert len(fake.messages("C0REPORTS")) == 1

    fake.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=fake.api_url, token="xoxb-test").chat_postMessage(channel="C0REPORTS", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    assert err.value.response["error"] == "ratelimited"


def test_500_is_retried_by_server_error_handler(fake: FakeSlack) -> None:
    fake.fail_next("chat.update", status=500)
    client = WebClient(base_url=fake.api_url, token="xoxb-test", retry_handlers=[ServerErrorRetryHandler(1)])
    ts = client.chat_postMessage(channel="C0REPORTS", text="a")["ts"]
    assert client.chat_update(channel="C0REPORTS", ts=ts, text="b")["ok"]
    assert len(fake.calls("chat.update")) == 2


def test_wait_for_blocks_until_calls_arrive_then_times_out(fake: FakeSlack, client: WebClient) -> None:
    threading.Timer(0.05, lambda: client.chat_postMessage(channel="C0REPORTS", text="late")).start()
    [call] = fake.wait_for("chat.postMessage", timeout=5)
    assert call.args["text"] == "late"
    with pytest.raises(TimeoutError, match="chat.delete"):
        fake.wait_for("chat.delete", timeout=0.05)
    fake.reset()
    assert fake.calls() == []


# -- response_url -------------------------------------------------------------------------------


def _post_json(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req) as resp:
        return resp.status, json.loads(resp.read())


def test_response_url_ephemeral_in_channel_and_replace(fake: FakeSlack, client: WebClient) -> None:
    url = fake.new_response_url(channel_id="C0REPORTS", user_id="U0ALICE")
    assert url.startswith(fake.url + "/response/")
    assert _post_json(url, {"text": "just you"}) == (200, {"ok": True})
    _post_json(url, {"text": "everyone", "response_type": "in_channel"})
    assert [r.response_type for r in fake.responses()] == ["ephemeral", "in_channel"]
    assert [m["text"] for m in fake.ephemerals("C0REPORTS", "U0ALICE")] == ["just you"]
    assert [m["text"] for m in fake.messages("C0REPORTS")] == ["everyone"]

    elsewhere = fake.new_response_url(channel_id="C0RANDOM", user_id="U0BOB")
    _post_json(elsewhere, {"text": "fallback"})
    assert [m["text"] for m in fake.ephemerals("C0RANDOM", "U0BOB")] == ["fallback"]

    ts = client.chat_postMessage(channel="C0REPORTS", text="with buttons")["ts"]
    action_url = fake.new_response_url(channel_id="C0REPORTS", user_id="U0ALICE", message_ts=ts)
    _post_json(action_url, {"text": "clicked", "replace_original": True})
    assert fake.message("C0REPORTS", ts)["text"] == "clicked"
    _post_json(action_url, {"delete_original": True})
    assert ts not in [m["ts"] for m in fake.messages("C0REPORTS")]


# -- driver -------------------------------------------------------------------------------------


class _Recorder:
    """A tiny WSGI app that remembers the last request, to look at what the driver sent."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.body = b""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        self.headers["Content-Type"] = environ.get("CONTENT_TYPE", "")
        self.body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b""]


@pytest.fixture
def serve() -> Iterator[Any]:
    """serve(wsgi_app) -> http://127.0.0.1:PORT, on waitress like production."""
    from bot.server import HttpServer

    servers: list[HttpServer] = []

    def start(application: Any) -> str:
        # HttpServer.stop closes from waitress's own loop; closing from here races its select()
        server = HttpServer(application, host="127.0.0.1", port=0, threads=4)
        server.start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


def test_signed_headers_verify_with_slack_sdk() -> None:
    body = "command=%2Froi&text=douyin"
    headers = signed_headers(SECRET, body)
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)


def test_slash_command_sends_real_form_fields(fake: FakeSlack, serve: Any) -> None:
    rec = _Recorder()
    status, _ = slash_command(serve(rec) + "/slack/events", SECRET, "/roi", "douyin 7d", fake=fake, retry_num=1)
    assert status == 200
    assert SignatureVerifier(SECRET).is_valid_request(rec.body, rec.headers)
    assert rec.headers["X-Slack-Retry-Num"] == "1"
    form = dict(urllib.parse.parse_qsl(rec.body.decode()))
    assert {
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    } <= form.keys()
    assert (form["command"], form["text"]) == ("/roi", "douyin 7d")
    assert form["response_url"].startswith(fake.url + "/response/")


def test_block_action_payload_comes_from_the_message(fake: FakeSlack, client: WebClient, serve: Any) -> None:
    blocks = [
        {
            "type": "actions",
            "block_id": "roi_actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "roi_refresh",
                    "value": "douyin",
                    "text": {"type": "plain_text", "text": "↻"},
                }
            ],
        }
    ]
    ts = client.chat_postMessage(channel="C0REPORTS", text="ROI", blocks=blocks)["ts"]
    rec = _Recorder()
    block_action(serve(rec), SECRET, "roi_refresh", "douyin", fake=fake, message_ts=ts)
    payload = json.loads(dict(urllib.parse.parse_qsl(rec.body.decode()))["payload"])
    assert payload["type"] == "block_actions"
    assert payload["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": "C0REPORTS",
        "is_ephemeral": False,
    }
    assert payload["message"]["blocks"] == blocks
    [action] = payload["actions"]
    assert (action["action_id"], action["block_id"], action["value"], action["type"]) == (
        "roi_refresh",
        "roi_actions",
        "douyin",
        "button",
    )
    assert payload["response_url"].startswith(fake.url) and payload["trigger_id"]


# -- a real Bolt app over HTTP --------------------------------------------------------------------


@pytest.fixture
def bolt_app(fake: FakeSlack) -> App:
    app = App(client=WebClient(base_url=fake.api_url, token="xoxb-test"), signing_secret=SECRET)

    @app.command("/roi")
    def roi(ack: Any, say: Any, respond: Any, command: dict[str, Any]) -> None:
        ack()
        say(
            text=f"ROI for {command['text']}: 2.5",
            blocks=[
                {
                    "type": "actions",
                    "block_id": "roi",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "roi_refresh",
                            "value": command["text"],
                            "text": {"type": "plain_text", "text": "Refresh"},
                        }
                    ],
                }
            ],
        )
        respond(text="done", response_type="ephemeral")

    @app.action("roi_refresh")
    def refresh(ack: Any, respond: Any, body: dict[str, Any]) -> None:
        ack()
        respond(text=f"refreshed {body['actions'][0]['value']}", replace_original=True)

    @app.view("budget")
    def budget(ack: Any, view: dict[str, Any]) -> None:
        amount = view["state"]["values"]["amount"]["input"]["value"]
        ack(response_action="errors", errors={"amount": "too much"}) if int(amount) > 100 else ack()

    return app


def test_bolt_app_answers_a_signed_slash_command(fake: FakeSlack, bolt_app: App, serve: Any) -> None:
    url = serve(SlackRequestHandler(bolt_app)) + "/slack/events"
    status, _ = slash_command(url, SECRET, "/roi", "douyin", fake=fake)
    assert status == 200
    [call] = fake.wait_for("chat.postMessage", timeout=10)
    assert call.args["channel"] == "C0REPORTS"
    message = fake.messages("C0REPORTS")[-1]
    assert message["text"] == "ROI for douyin: 2.5"
    fake.wait_for("response_url", timeout=10)
    assert [r.text for r in fake.responses()] == ["done"]

    status, _ = block_action(url, SECRET, "roi_refresh", "douyin", fake=fake, message_ts=message["ts"])
    assert status == 200
    fake.wait_for("response_url", count=2, timeout=10)
    assert fake.message("C0REPORTS", message["ts"])["text"] == "refreshed douyin"


def test_bolt_rejects_a_bad_signature_and_answers_view_submission(fake: FakeSlack, bolt_app: App, serve: Any) -> None:
    url = serve(SlackRequestHandler(bolt_app)) + "/slack/events"
    assert slash_command(url, "wrong-secret", fake=fake)[0] == 401
    status, body = view_submission(
        url, SECRET, "budget", {"amount": {"input": {"type": "plain_text_input", "value": "500"}}}
    )
    assert status == 200
    assert json.loads(body) == {"response_action": "errors", "errors": {"amount": "too much"}}


# -- state --------------------------------------------------------------------------------------


def test_concurrent_posts_get_unique_ordered_ts(fake: FakeSlack, client: WebClient) -> None:
    def post(i: int) -> None:
        client.chat_postMessage(channel="C0ALERTS", text=f"alert {i}")

    threads = [threading.Thread(target=post, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    stamps = [m["ts"] for m in fake.messages("C0ALERTS")]
    assert len(stamps) == len(set(stamps)) == 20
    assert stamps == sorted(stamps, key=lambda ts: tuple(map(int, ts.split("."))))


def test_multipart_upload_and_state_json(fake: FakeSlack, client: WebClient) -> None:
    got = client.files_getUploadURLExternal(filename="a.csv", length=3)
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\nA,B\r\n--{boundary}--\r\n"
    ).encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    with urllib.request.urlopen(urllib.request.Request(got["upload_url"], body, headers, method="POST")) as resp:
        assert resp.read() == b"OK - 3"
    assert fake.file_bytes(got["file_id"]) == b"A,B"

    with pytest.raises(SlackApiError) as err:
        client.files_completeUploadExternal(files=[{"id": "F_NEVER_UPLOADED"}], channel_id="C0REPORTS")
    assert err.value.response["error"] == "file_not_found"

    with urllib.request.urlopen(fake.url + "/state.json") as resp:
        state = json.loads(resp.read())
    assert {c["id"]: c["is_member"] for c in state["channels"]}["C0RANDOM"] is False
    assert [f["size"] for f in state["files"]] == [3]


def test_upload_url_fault_fails_files_upload_v2(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("upload_url", status=500)
    # slack_sdk posts the bytes with plain urllib, so a 5xx from the upload host surfaces as HTTPError
    with pytest.raises(urllib.error.HTTPError):
        client.files_upload_v2(channel="C0REPORTS", content=b"x", filename="a.txt")
    assert fake.calls("files.completeUploadExternal") == []
