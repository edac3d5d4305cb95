"""The Slack side of HTTP mode: signed requests to the bot's /slack/events, shaped as Slack sends them.

    status, body = slash_command(bot.url + "/slack/events", SECRET, text="douyin", fake=fake)
    status, body = block_action(url, SECRET, "roi_refresh", "douyin", message_ts=ts, fake=fake)
    fields = slash_command_fields(text="douyin", response_url=fake.new_response_url())  # for Socket Mode
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from bot.sandbox.state import APP_ID, TEAM_DOMAIN, TEAM_ID, Json

if TYPE_CHECKING:
    from bot.sandbox.fake_slack import FakeSlack

FORM = "application/x-www-form-urlencoded"
VERIFICATION_TOKEN = "fake-verification-token"  # deprecated by Slack but still sent
_triggers = itertools.count(1)


def signed_headers(
    secret: str, body: str | bytes, timestamp: int | None = None, *, content_type: str = FORM
) -> dict[str, str]:
    """v0 signature: HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    raw = body.decode() if isinstance(body, bytes) else body
    digest = hmac.new(secret.encode(), f"v0:{ts}:{raw}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": content_type}


def new_trigger_id() -> str:
    n = next(_triggers)
    return f"{1000000 + n}.{TEAM_ID[1:]}.{uuid.uuid4().hex}"


def post_signed(
    url: str,
    secret: str,
    body: str,
    *,
    content_type: str = FORM,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
    timeout: float = 10,
) -> tuple[int, str]:
    """POST a signed body; returns (status, body) for 4xx/5xx too, as a test wants to see them."""
    headers = signed_headers(secret, body, timestamp, content_type=content_type)
    if retry_num is not None:
        headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason})
    req = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return int(resp.status), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode()


def _user(user_id: str, user_name: str) -> Json:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": TEAM_ID}


def _response_url(fake: FakeSlack | None, channel_id: str, user_id: str, message_ts: str | None = None) -> str:
    if fake is None:
        return f"https://hooks.slack.com/commands/{TEAM_ID}/1/fake"
    return fake.new_response_url(channel_id=channel_id, user_id=user_id, message_ts=message_ts)


def slash_command_fields(
    command: str = "/roi",
    text: str = "douyin",
    *,
    user_id: str = "U0ALICE",
    user_name: str = "alice",
    channel_id: str = "C0REPORTS",
    channel_name: str = "reports",
    response_url: str = "",
    trigger_id: str | None = None,
) -> dict[str, str]:
    """The form fields Slack posts for a slash command (also the Socket Mode envelope payload)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }


def slash_command(
    bot_url: str,
    secret: str,
    command: str = "/roi",
    text: str = "douyin",
    *,
    fake: FakeSlack | None = None,
    user_id: str = "U0ALICE",
    user_name: str = "alice",
    channel_id: str = "C0REPORTS",
    channel_name: str = "reports",
    response_url: str | None = None,
    trigger_id: str | None = None,
    retry_num: int | None = None,
    timestamp: int | None = None,
) -> tuple[int, str]:
    """POST a signed slash command; the response_url is a fresh one from `fake` unless given."""
    fields = slash_command_fields(
        command,
        text,
        user_id=user_id,
        user_name=user_name,
        channel_id=channel_id,
        channel_name=channel_name,
        response_url=response_url or _response_url(fake, channel_id, user_id),
        trigger_id=trigger_id,
    )
    return post_signed(bot_url, secret, urlencode(fields), retry_num=retry_num, timestamp=timestamp)


def _block_id_of(blocks: list[Json], action_id: str) -> str | None:
    for block in blocks:
        elements = block.get("elements") or ([block["accessory"]] if "accessory" in block else [])
        if any(isinstance(e, dict) and e.get("action_id") == action_id for e in elements):
            return str(block.get("block_id", "")) or None
    return None


def block_action_payload(
    action_id: str,
    value: str = "",
    *,
    user_id: str = "U0ALICE",
    user_name: str = "alice",
    channel_id: str = "C0REPORTS",
    channel_name: str = "reports",
    message_ts: str = "",
    message: Json | None = None,
    block_id: str | None = None,
    response_url: str = "",
    trigger_id: str | None = None,
    is_ephemeral: bool = False,
    action_type: str = "button",
) -> Json:
    """A `block_actions` payload for one clicked button on `message` (its blocks name the block_id)."""
    msg: Json = message or {"type": "message", "ts": message_ts, "text": "", "blocks": []}
    ts = message_ts or str(msg.get("ts", ""))
    action_ts = f"{time.time():.6f}"
    action: Json = {
        "action_id": action_id,
        "block_id": block_id or _block_id_of(msg.get("blocks") or [], action_id) or "b1",
        "text": {"type": "plain_text", "text": value or action_id, "emoji": True},
        "value": value,
        "type": action_type,
        "action_ts": action_ts,
    }
    return {
        "type": "block_actions",
        "user": _user(user_id, user_name),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {"type": "message", "message_ts": ts, "channel_id": channel_id, "is_ephemeral": is_ephemeral},
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": channel_name},
        "message": msg,
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }


def block_action(
    bot_url: str,
    secret: str,
    action_id: str,
    value: str = "",
    *,
    fake: FakeSlack | None = None,
    user_id: str = "U0ALICE",
    channel_id: str = "C0REPORTS",
    message_ts: str = "",
    message: Json | None = None,
    retry_num: int | None = None,
    **fields: Any,
) -> tuple[int, str]:
    """POST a signed button click; with `fake` and `message_ts`, the message is read from the fake."""
    if message is None and fake is not None and message_ts:
        message = fake.message(channel_id, message_ts)
    payload = block_action_payload(
        action_id,
        value,
        user_id=user_id,
        channel_id=channel_id,
        message_ts=message_ts,
        message=message,
        response_url=fields.pop("response_url", None) or _response_url(fake, channel_id, user_id, message_ts or None),
        **fields,
    )
    return post_signed(bot_url, secret, urlencode({"payload": json.dumps(payload)}), retry_num=retry_num)


def view_submission_payload(
    callback_id: str,
    values: dict[str, dict[str, Json]],
    *,
    view: Json | None = None,
    private_metadata: str = "",
    user_id: str = "U0ALICE",
    user_name: str = "alice",
    trigger_id: str | None = None,
) -> Json:
    """A `view_submission` payload; `values` is `{block_id: {action_id: {"type": ..., "value": ...}}}`."""
    v: Json = dict(view or {"id": "V000000001", "type": "modal", "blocks": []})
    v.setdefault("team_id", TEAM_ID)
    v.setdefault("app_id", APP_ID)
    v.setdefault("root_view_id", v.get("id"))
    v.setdefault("hash", f"{int(time.time())}.fake")
    v["callback_id"] = callback_id or v.get("callback_id", "")
    v["private_metadata"] = private_metadata or v.get("private_metadata", "")
    v["state"] = {"values": values}
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "user": _user(user_id, user_name),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": v,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_submission(
    bot_url: str,
    secret: str,
    callback_id: str,
    values: dict[str, dict[str, Json]],
    *,
    fake: FakeSlack | None = None,
    view_id: str | None = None,
    retry_num: int | None = None,
    **fields: Any,
) -> tuple[int, str]:
    """POST a signed modal submission; with `fake` and `view_id`, the opened view is read from the fake."""
    view = fields.pop("view", None)
    if view is None and fake is not None and view_id:
        with fake.workspace.lock:
            if view_id not in fake.workspace.views:
                raise KeyError(f"no view {view_id} was opened on the fake")
            view = dict(fake.workspace.views[view_id])
    payload = view_submission_payload(callback_id, values, view=view, **fields)
    return post_signed(bot_url, secret, urlencode({"payload": json.dumps(payload)}), retry_num=retry_num)


def event_callback(
    bot_url: str, secret: str, event: Json, *, retry_num: int | None = None, event_id: str | None = None
) -> tuple[int, str]:
    """POST a signed Events API `event_callback` (JSON body) wrapping `event`."""
    body = {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_triggers):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": "U0ECOMBOT", "is_bot": True}],
        "is_ext_shared_channel": False,
    }
    return post_signed(bot_url, secret, json.dumps(body), content_type="application/json", retry_num=retry_num)
