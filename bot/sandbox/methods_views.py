"""The fake's `views.*` methods: modals and the App Home, stored as Slack returns them.

    view = new_view(ws, {"type": "modal", "title": …, "blocks": […]})
"""

from __future__ import annotations

import copy
import time
from typing import Any

from bot.sandbox.methods import ApiRequest, _need, method
from bot.sandbox.state import APP_ID, BOT_ID, TEAM_ID, SlackError, Workspace

Json = dict[str, Any]


def new_view(ws: Workspace, raw: Any, *, view_id: str | None = None, root: str | None = None) -> Json:
    """A stored view as Slack returns it, from the `view` a bot sent (SlackError if it is not one)."""
    if not isinstance(raw, dict) or raw.get("type") not in ("modal", "home"):
        raise SlackError("invalid_arguments")
    vid = view_id or ws.next_id("V")
    return {
        "id": vid,
        "team_id": TEAM_ID,
        "type": raw["type"],
        "title": raw.get("title"),
        "submit": raw.get("submit"),
        "close": raw.get("close"),
        "blocks": raw.get("blocks", []),
        "private_metadata": raw.get("private_metadata", ""),
        "callback_id": raw.get("callback_id", ""),
        "external_id": raw.get("external_id", ""),
        "state": {"values": {}},
        "hash": f"{int(time.time())}.{ws.next_id('h')}",
        "clear_on_close": bool(raw.get("clear_on_close", False)),
        "notify_on_close": bool(raw.get("notify_on_close", False)),
        "root_view_id": root or vid,
        "previous_view_id": None,
        "app_id": APP_ID,
        "bot_id": BOT_ID,
    }


@method("views.open")
def views_open(ws: Workspace, req: ApiRequest) -> Json:
    trigger = _need(req.args, "trigger_id", "invalid_trigger_id")
    view = new_view(ws, req.args.get("view"))
    ws.views[view["id"]] = view
    ws.view_triggers[view["id"]] = trigger  # whose screen it opens on: the user the trigger came from
    return {"view": copy.deepcopy(view)}


@method("views.push")
def views_push(ws: Workspace, req: ApiRequest) -> Json:
    trigger = _need(req.args, "trigger_id", "invalid_trigger_id")
    view = new_view(ws, req.args.get("view"))
    ws.views[view["id"]] = view
    ws.view_triggers[view["id"]] = trigger
    return {"view": copy.deepcopy(view)}


@method("views.update")
def views_update(ws: Workspace, req: ApiRequest) -> Json:
    a = req.args
    old = ws.views.get(str(a.get("view_id") or ""))
    if old is None and a.get("external_id"):
        old = next((v for v in ws.views.values() if v["external_id"] == a["external_id"]), None)
    if old is None:
        raise SlackError("not_found")
    if a.get("hash") and a["hash"] != old["hash"]:
        raise SlackError("hash_conflict")
    view = new_view(ws, a.get("view"), view_id=old["id"], root=old["root_view_id"])
    ws.views[view["id"]] = view
    return {"view": copy.deepcopy(view)}


@method("views.publish")
def views_publish(ws: Workspace, req: ApiRequest) -> Json:
    user_id = ws.user(_need(req.args, "user_id", "user_not_found")).id
    view = new_view(ws, req.args.get("view"))
    ws.home_views[user_id] = view
    return {"view": copy.deepcopy(view)}
