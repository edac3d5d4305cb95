"""Reading Slack payloads where anything may be missing or of the wrong type: None or "" instead of a KeyError.

    user_of(body), where(body), request_id(first_action(body).get("value")), text_input(body, "reason", "input")
"""

from __future__ import annotations

import json
from typing import Any

Json = dict[str, Any]


def get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def first_action(body: Json) -> Json:
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    return first if isinstance(first, dict) else {}


def request_id(raw: Any) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def where(body: Json) -> str | None:
    channel = get(body, "container", "channel_id") or get(body, "channel", "id")
    return str(channel) if channel else None


def user_of(body: Json) -> str | None:
    user = get(body, "user", "id")
    return str(user) if isinstance(user, str) and user else None


def metadata(body: Json) -> Json:
    raw = get(body, "view", "private_metadata")
    try:
        data = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def input_of(body: Json, block: str, element: str) -> Any:
    return get(body, "view", "state", "values", block, element)


def text_input(body: Json, block: str, element: str) -> str:
    value = get(input_of(body, block, element), "value")
    return value if isinstance(value, str) else ""
