"""Web API methods of the fake: arguments in, Slack's response shape out (or `SlackError`).

    result = call_method(ws, ApiRequest("chat.postMessage", {"channel": "C0REPORTS", "text": "hi"}, ...))
    # {"ok": True, "channel": "C0REPORTS", "ts": "1732500000.000100", "message": {...}}
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.sandbox.state import (
    BOT_ID,
    BOT_NAME,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    TEAM_NAME,
    Json,
    SlackError,
    StoredFile,
    Workspace,
)


@dataclass(frozen=True)
class ApiRequest:
    method: str
    args: dict[str, Any]
    token: str
    base_url: str  # http://127.0.0.1:PORT, for upload and file URLs
    socket_url: Callable[[], str] | None = None  # issues a Socket Mode URL


Handler = Callable[[Workspace, ApiRequest], Json]
METHODS: dict[str, Handler] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        METHODS[name] = fn
        return fn

    return register


def call_method(ws: Workspace, req: ApiRequest) -> Json:
    """Check the token type, run the method; errors come back as `{"ok": false, "error": ...}`."""
    handler = METHODS.get(req.method)
    if handler is None:
        return {"ok": False, "error": "unknown_method"}
    if not req.token:
        return {"ok": False, "error": "not_authed"}
    app_level = req.method == "apps.connections.open"
    if req.token.startswith("xapp-") != app_level:
        return {"ok": False, "error": "not_allowed_token_type"}
    if not req.token.startswith(("xoxb-", "xoxp-", "xapp-")):
        return {"ok": False, "error": "invalid_auth"}
    try:
        with ws.lock:  # a method is atomic, as a page rendering the state would expect
            return {"ok": True, **handler(ws, req)}
    except SlackError as exc:
        return {"ok": False, "error": exc.error}


def _need(args: dict[str, Any], name: str, error: str = "invalid_arguments") -> str:
    value = args.get(name)
    if value in (None, ""):
        raise SlackError(error)
    return str(value)


def _blocks(args: dict[str, Any]) -> list[Json] | None:
    blocks = args.get("blocks")
    if blocks in (None, "", []):
        return None
    if not isinstance(blocks, list) or not all(isinstance(b, dict) and "type" in b for b in blocks):
        raise SlackError("invalid_blocks")
    return blocks


def _text(args: dict[str, Any]) -> str | None:
    text = args.get("text")
    return None if text is None else str(text)


@method("auth.test")
def auth_test(ws: Workspace, req: ApiRequest) -> Json:
    return {
        "url": f"https://{TEAM_DOMAIN}.slack.com/",
        "team": TEAM_NAME,
        "user": BOT_NAME,
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


@method("chat.postMessage")
def chat_post_message(ws: Workspace, req: ApiRequest) -> Json:
    a = req.args
    thread_ts = a.get("thread_ts") or None
    # a reply "also sent to the channel" is marked as Slack marks it
    broadcast = thread_ts is not None and str(a.get("reply_broadcast", "")).lower() in ("true", "1")
    ch, msg = ws.post_message(
        _need(a, "channel", "channel_not_found"), text=_text(a), blocks=_blocks(a), thread_ts=thread_ts,
        extra={"subtype": "thread_broadcast"} if broadcast else None,
    )
    return {"channel": ch.id, "ts": msg["ts"], "message": msg}


@method("chat.update")
def chat_update(ws: Workspace, req: ApiRequest) -> Json:
    a = req.args
    ch = ws.channel(_need(a, "channel", "channel_not_found"))
    ts = _need(a, "ts", "message_not_found")
    if a.get("text") is None and a.get("blocks") is None:
        raise SlackError("no_text")
    msg = ws.update_message(ch.id, ts, text=_text(a), blocks=_blocks(a))
    return {"channel": ch.id, "ts": ts, "text": msg["text"], "message": msg}


@method("chat.postEphemeral")
def chat_post_ephemeral(ws: Workspace, req: ApiRequest) -> Json:
    a = req.args
    ch = ws.channel(_need(a, "channel", "channel_not_found"))
    ts = ws.post_ephemeral(ch.id, _need(a, "user", "user_not_in_channel"), text=_text(a), blocks=_blocks(a))
    return {"message_ts": ts}


@method("chat.delete")
def chat_delete(ws: Workspace, req: ApiRequest) -> Json:
    ch = ws.channel(_need(req.args, "channel", "channel_not_found"))
    ts = _need(req.args, "ts", "message_not_found")
    ws.delete_message(ch.id, ts)
    return {"channel": ch.id, "ts": ts}


@method("chat.getPermalink")
def chat_get_permalink(ws: Workspace, req: ApiRequest) -> Json:
    ch = ws.channel(_need(req.args, "channel", "channel_not_found"))
    ts = _need(req.args, "message_ts", "message_not_found")
    ws.find_message(ch.id, ts)
    return {"channel": ch.id, "permalink": f"https://{TEAM_DOMAIN}.slack.com/archives/{ch.id}/p{ts.replace('.', '')}"}


@method("conversations.open")
def conversations_open(ws: Workspace, req: ApiRequest) -> Json:
    users = [u for u in str(req.args.get("users") or req.args.get("user") or "").split(",") if u]
    if len(users) != 1:  # multi-person DMs are not modelled
        raise SlackError("users_list_not_supplied" if not users else "not_supported")
    return {"channel": {"id": ws.open_dm(users[0]).id}}


@method("conversations.info")
def conversations_info(ws: Workspace, req: ApiRequest) -> Json:
    return {"channel": ws.channel(_need(req.args, "channel", "channel_not_found")).info()}


@method("conversations.join")
def conversations_join(ws: Workspace, req: ApiRequest) -> Json:
    ch = ws.channel(_need(req.args, "channel", "channel_not_found"))
    if ch.is_private or ch.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    result: Json = {}
    if ch.is_member:
        result["warning"] = "already_in_channel"
    ch.is_member = True
    return {"channel": ch.info(), **result}


@method("conversations.history")
def conversations_history(ws: Workspace, req: ApiRequest) -> Json:
    ch = ws.channel(_need(req.args, "channel", "channel_not_found"))
    if not ch.is_member:
        raise SlackError("not_in_channel")
    top = [m for m in ws.messages(ch.id) if m.get("thread_ts") in (None, m["ts"])]
    return {"messages": list(reversed(top)), "has_more": False}  # Slack lists newest first


@method("conversations.replies")
def conversations_replies(ws: Workspace, req: ApiRequest) -> Json:
    ch = ws.channel(_need(req.args, "channel", "channel_not_found"))
    msgs = ws.thread(ch.id, _need(req.args, "ts", "thread_not_found"))
    if not msgs:
        raise SlackError("thread_not_found")
    return {"messages": msgs, "has_more": False}


def _reaction_target(ws: Workspace, req: ApiRequest) -> tuple[Json, str]:
    ch = ws.channel(_need(req.args, "channel", "channel_not_found"))
    msg = ws.find_message(ch.id, _need(req.args, "timestamp", "message_not_found"))
    return msg, _need(req.args, "name", "invalid_name")


@method("reactions.add")
def reactions_add(ws: Workspace, req: ApiRequest) -> Json:
    msg, name = _reaction_target(ws, req)
    reactions: list[Json] = msg.setdefault("reactions", [])
    found = next((r for r in reactions if r["name"] == name), None)
    if found is None:
        reactions.append({"name": name, "users": [BOT_USER_ID], "count": 1})
    elif BOT_USER_ID in found["users"]:
        raise SlackError("already_reacted")
    else:
        found["users"].append(BOT_USER_ID)
        found["count"] += 1
    return {}


@method("reactions.remove")
def reactions_remove(ws: Workspace, req: ApiRequest) -> Json:
    msg, name = _reaction_target(ws, req)
    reactions: list[Json] = msg.get("reactions", [])
    found = next((r for r in reactions if r["name"] == name and BOT_USER_ID in r["users"]), None)
    if found is None:
        raise SlackError("no_reaction")
    found["users"].remove(BOT_USER_ID)
    found["count"] -= 1
    msg["reactions"] = [r for r in reactions if r["count"] > 0]
    return {}


@method("users.info")
def users_info(ws: Workspace, req: ApiRequest) -> Json:
    user = ws.user(_need(req.args, "user", "user_not_found"))
    info = user.info()
    if str(req.args.get("include_locale", "")).lower() in ("1", "true"):
        info["locale"] = user.locale
    return {"user": info}


@method("usergroups.users.list")
def usergroups_users_list(ws: Workspace, req: ApiRequest) -> Json:
    group = _need(req.args, "usergroup", "no_such_subteam")
    with ws.lock:
        if group not in ws.usergroups:
            raise SlackError("no_such_subteam")
        return {"users": list(ws.usergroups[group])}


def file_info(f: StoredFile, base_url: str) -> Json:
    mimetype = "image/png" if f.filename.lower().endswith(".png") else "application/octet-stream"
    url = f"{base_url}/files/{f.id}"
    return {
        "id": f.id,
        "created": f.created,
        "timestamp": f.created,
        "name": f.filename,
        "title": f.title or f.filename,
        "mimetype": mimetype,
        "filetype": f.filename.rsplit(".", 1)[-1].lower() if "." in f.filename else "binary",
        "user": BOT_USER_ID,
        "size": len(f.data or b""),
        "url_private": url,
        "url_private_download": url,
        "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{BOT_USER_ID}/{f.id}/{f.filename}",
        "channels": [c for c in f.shared_in if c.startswith("C")],
        "groups": [c for c in f.shared_in if c.startswith("G")],
        "ims": [c for c in f.shared_in if c.startswith("D")],
    }


@method("files.getUploadURLExternal")
def files_get_upload_url_external(ws: Workspace, req: ApiRequest) -> Json:
    filename = _need(req.args, "filename")
    try:
        length = int(_need(req.args, "length"))
    except ValueError:
        raise SlackError("invalid_arguments") from None
    f = StoredFile(ws.next_id("F"), filename, length, created=int(time.time()))
    ws.files[f.id] = f
    return {"upload_url": f"{req.base_url}/upload/v1/{f.id}", "file_id": f.id}


@method("files.completeUploadExternal")
def files_complete_upload_external(ws: Workspace, req: ApiRequest) -> Json:
    a = req.args
    items = a.get("files")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) and "id" in i for i in items):
        raise SlackError("invalid_arguments")
    stored: list[StoredFile] = []
    for item in items:
        f = ws.files.get(str(item["id"]))
        if f is None or f.data is None:  # never uploaded to the URL: Slack says the same
            raise SlackError("file_not_found")
        f.title = str(item.get("title") or f.filename)
        stored.append(f)
    channels = [c for c in [a.get("channel_id"), *str(a.get("channels") or "").split(",")] if c]
    for ref in channels:
        ch = ws.channel(str(ref))
        infos = [file_info(f, req.base_url) for f in stored]
        ws.post_message(
            ch.id,
            text=_text({"text": a.get("initial_comment")}),
            thread_ts=a.get("thread_ts") or None,
            extra={"files": infos, "upload": True, "display_as_bot": False},
        )
        for f in stored:
            f.shared_in.append(ch.id)
    return {"files": [file_info(f, req.base_url) for f in stored]}


@method("files.info")
def files_info(ws: Workspace, req: ApiRequest) -> Json:
    f = ws.files.get(_need(req.args, "file", "file_not_found"))
    if f is None:
        raise SlackError("file_not_found")
    return {"file": file_info(f, req.base_url)}


@method("apps.connections.open")
def apps_connections_open(ws: Workspace, req: ApiRequest) -> Json:
    if req.socket_url is None:
        raise SlackError("socket_mode_not_available")
    return {"url": req.socket_url()}


def decode_json_fields(args: dict[str, Any]) -> dict[str, Any]:
    """Form-encoded requests carry blocks/view/files as JSON strings; JSON bodies carry them as-is."""
    out = dict(args)
    for name in ("blocks", "attachments", "view", "files", "users_list"):
        value = out.get(name)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                out[name] = json.loads(value)
            except ValueError:
                pass  # left a string: the method answers invalid_arguments / invalid_blocks
    return out
