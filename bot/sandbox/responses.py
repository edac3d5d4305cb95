"""`response_url`s the fake hands out with commands and actions, and what the bot posted to them.

    rid = urls.new(channel_id="C0REPORTS", user_id="U0ALICE")            # -> "r00000001"
    urls.post(rid, {"text": "hi", "response_type": "in_channel"})        # -> (200, {"ok": True})
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.state import Json, SlackError, Workspace

# Slack lets a response_url be used five times within thirty minutes
MAX_USES = 5


@dataclass(frozen=True)
class Response:
    """One POST to a response_url: the body as sent, and where it was aimed."""

    id: str
    body: Json
    channel_id: str
    user_id: str
    at: float = field(default_factory=time.time)

    @property
    def text(self) -> str:
        return str(self.body.get("text", ""))

    @property
    def response_type(self) -> str:
        return str(self.body.get("response_type") or "ephemeral")


@dataclass
class _Target:
    channel_id: str
    user_id: str
    message_ts: str | None  # the message a block action came from: replace_original edits it
    uses: int = 0
    ephemeral: bool = False  # message_ts names the user's ephemeral message, not a channel message


class ResponseUrls:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        self._lock = threading.Lock()
        self._targets: dict[str, _Target] = {}
        self._responses: list[Response] = []

    def new(self, *, channel_id: str, user_id: str, message_ts: str | None = None, ephemeral: bool = False) -> str:
        with self._lock:
            rid = f"r{len(self._targets) + 1:08d}"
            self._targets[rid] = _Target(channel_id, user_id, message_ts, ephemeral=ephemeral)
            return rid

    def responses(self) -> list[Response]:
        with self._lock:
            return list(self._responses)

    def reset(self) -> None:
        with self._lock:
            self._responses.clear()

    def post(self, rid: str, body: Any) -> tuple[int, Json]:
        """Apply a response like Slack: ephemeral to the user, in_channel as a message, or edit/delete."""
        with self._lock:
            target = self._targets.get(rid)
            if target is None:
                return 404, {"ok": False, "error": "invalid_token"}
            if target.uses >= MAX_USES:
                return 404, {"ok": False, "error": "used_url"}
            if not isinstance(body, dict):
                return 400, {"ok": False, "error": "invalid_payload"}
            target.uses += 1
            self._responses.append(Response(rid, body, target.channel_id, target.user_id))
        try:
            self._apply(target, body)
        except SlackError as exc:
            return 404 if exc.error == "message_not_found" else 400, {"ok": False, "error": exc.error}
        return 200, {"ok": True}

    def apply(self, *, channel_id: str, user_id: str, body: Json) -> None:
        """Apply a body as if posted to a fresh response_url: how Slack treats a command's ack payload."""
        self._apply(_Target(channel_id, user_id, None), body)

    def _apply(self, target: _Target, body: Json) -> None:
        text, blocks = body.get("text"), body.get("blocks") or None
        if target.ephemeral and (body.get("delete_original") or body.get("replace_original")):
            ts = self._original(target)
            if body.get("delete_original"):
                self._ws.delete_ephemeral(target.channel_id, target.user_id, ts)
            else:
                self._ws.replace_ephemeral(target.channel_id, target.user_id, ts, text=text, blocks=blocks)
        elif body.get("delete_original"):
            self._ws.delete_message(target.channel_id, self._original(target))
        elif body.get("replace_original") and target.message_ts:
            self._ws.update_message(target.channel_id, target.message_ts, text=text, blocks=blocks)
        elif body.get("response_type") == "in_channel":
            # Slack posts in_channel responses on the app's behalf even where the bot is no member
            with self._ws.lock:
                ch = self._ws.channel(target.channel_id)
                member, ch.is_member = ch.is_member, True
                try:
                    self._ws.post_message(ch.id, text=text, blocks=blocks, thread_ts=body.get("thread_ts"))
                finally:
                    ch.is_member = member
        else:
            self._ws.post_ephemeral(target.channel_id, target.user_id, text=text, blocks=blocks, need_member=False)

    @staticmethod
    def _original(target: _Target) -> str:
        if target.message_ts is None:
            raise SlackError("message_not_found")
        return target.message_ts
