"""The fake workspace: channels, users, messages, threads, ephemerals, files, modals — behind one lock.

    ws = Workspace()
    msg = ws.post_message("C0REPORTS", text="hi")            # raises SlackError("not_in_channel") etc.
    ws.snapshot()                                            # JSON-able dict, e.g. for a demo page
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass, field
from typing import Any

TEAM_ID = "T0ECOM"
TEAM_DOMAIN = "ecom-ops"
TEAM_NAME = "Ecom Ops"
APP_ID = "A0ECOMBOT"
BOT_ID = "B0ECOMBOT"
BOT_USER_ID = "U0ECOMBOT"
BOT_NAME = "ecombot"

Json = dict[str, Any]


class SlackError(Exception):
    """A Web API error as Slack names it (`not_in_channel`, `channel_not_found`, ...)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class Channel:
    id: str
    name: str
    is_member: bool = True
    is_private: bool = False
    is_im: bool = False
    user: str | None = None  # the other party of a DM
    messages: list[Json] = field(default_factory=list)

    def info(self) -> Json:
        data: Json = {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private and not self.is_im,
            "is_group": self.is_private,
            "is_im": self.is_im,
            "is_private": self.is_private or self.is_im,
            "is_member": self.is_member,
            "is_archived": False,
            "context_team_id": TEAM_ID,
        }
        if self.user is not None:
            data["user"] = self.user
        return data


@dataclass(frozen=True)
class User:
    id: str
    name: str
    real_name: str
    tz: str = "Asia/Shanghai"
    tz_offset: int = 8 * 3600
    is_bot: bool = False
    locale: str = "en-US"  # sent only when users.info is asked with include_locale, as Slack does

    def info(self) -> Json:
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": False,
            "tz": self.tz,
            "tz_offset": self.tz_offset,
            "is_bot": self.is_bot,
            "is_admin": False,
            "profile": {"real_name": self.real_name, "display_name": self.name, "team": TEAM_ID},
        }


def default_channels() -> list[Channel]:
    """Channels the bot is in, one public it is not in, one private it cannot join."""
    return [
        Channel("C0REPORTS", "reports"),
        Channel("C0ALERTS", "ops-alerts"),
        Channel("C0GENERAL", "general"),
        Channel("C0RANDOM", "random", is_member=False),
        Channel("G0LEADERS", "leadership", is_member=False, is_private=True),
    ]


def default_users() -> list[User]:
    return [
        User("U0ALICE", "alice", "Alice Wang"),
        User("U0BOB", "bob", "Bob Li"),
        User("U0CAROL", "carol", "Carol Chen", tz="Europe/London", tz_offset=0),
        User(BOT_USER_ID, BOT_NAME, "ecombot", is_bot=True),
    ]


@dataclass
class StoredFile:
    id: str
    filename: str
    length: int
    title: str = ""
    data: bytes | None = None  # None until the upload URL received the bytes
    shared_in: list[str] = field(default_factory=list)
    created: int = 0


class Workspace:
    """Thread-safe state of one fake Slack team; every mutator takes the lock.

    `epoch` is the seconds part of the first message ts; later ts values grow by 100 µs each,
    so they are unique, ordered and look like Slack's ("1732500000.000100").
    """

    def __init__(
        self,
        *,
        channels: list[Channel] | None = None,
        users: list[User] | None = None,
        usergroups: dict[str, list[str]] | None = None,
        epoch: int | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.channels: dict[str, Channel] = {c.id: c for c in (channels or default_channels())}
        self.users: dict[str, User] = {u.id: u for u in (users or default_users())}
        self.usergroups: dict[str, list[str]] = dict(usergroups or {})  # S… → member user ids
        self.ephemerals: dict[tuple[str, str], list[Json]] = {}
        self.files: dict[str, StoredFile] = {}
        self.views: dict[str, Json] = {}
        self.view_triggers: dict[str, str] = {}  # view id -> the trigger_id views.open/push was given
        self.home_views: dict[str, Json] = {}
        self._micros = (epoch if epoch is not None else int(time.time())) * 1_000_000
        self._ids = 0

    # -- ids ----------------------------------------------------------------------------------

    def next_ts(self) -> str:
        with self.lock:
            self._micros += 100
            return f"{self._micros // 1_000_000}.{self._micros % 1_000_000:06d}"

    def next_id(self, prefix: str) -> str:
        with self.lock:
            self._ids += 1
            return f"{prefix}0{self._ids:08d}"

    # -- lookups ------------------------------------------------------------------------------

    def channel(self, ref: str) -> Channel:
        """By id, `#name` or name; a user id means the DM with that user (opened on demand)."""
        with self.lock:
            if not ref:
                raise SlackError("channel_not_found")
            if ref in self.channels:
                return self.channels[ref]
            if ref.startswith(("U", "W")) and ref in self.users:
                return self.open_dm(ref)
            name = ref.lstrip("#")
            for ch in self.channels.values():
                if ch.name == name:
                    return ch
            raise SlackError("channel_not_found")

    def user(self, user_id: str) -> User:
        with self.lock:
            if user_id not in self.users:
                raise SlackError("user_not_found")
            return self.users[user_id]

    def open_dm(self, user_id: str) -> Channel:
        with self.lock:
            self.user(user_id)
            dm_id = "D" + user_id[1:]
            if dm_id not in self.channels:
                self.channels[dm_id] = Channel(dm_id, dm_id, is_im=True, user=user_id)
            return self.channels[dm_id]

    def find_message(self, channel_id: str, ts: str) -> Json:
        """The stored message itself, for mutators; readers want `message()`, a copy."""
        with self.lock:
            for msg in self.channel(channel_id).messages:
                if msg["ts"] == ts:
                    return msg
            raise SlackError("message_not_found")

    def message(self, channel_id: str, ts: str) -> Json:
        """A copy of one message (SlackError("message_not_found") if absent)."""
        with self.lock:
            return copy.deepcopy(self.find_message(channel_id, ts))

    def messages(self, channel_id: str) -> list[Json]:
        """Top-level messages and replies alike, oldest first (copies)."""
        with self.lock:
            return copy.deepcopy(self.channel(channel_id).messages)

    def thread(self, channel_id: str, thread_ts: str) -> list[Json]:
        """The parent then its replies, oldest first (copies)."""
        with self.lock:
            msgs = self.channel(channel_id).messages
            return copy.deepcopy([m for m in msgs if m["ts"] == thread_ts or m.get("thread_ts") == thread_ts])

    def ephemeral(self, channel_id: str, user_id: str) -> list[Json]:
        with self.lock:
            return copy.deepcopy(self.ephemerals.get((channel_id, user_id), []))

    # -- mutators -----------------------------------------------------------------------------

    def post_message(
        self,
        channel_ref: str,
        *,
        text: str | None = None,
        blocks: list[Json] | None = None,
        thread_ts: str | None = None,
        user: str = BOT_USER_ID,
        extra: Json | None = None,
    ) -> tuple[Channel, Json]:
        """Append a message as the bot (or `user`); returns the channel and a copy of the message."""
        with self.lock:
            ch = self.channel(channel_ref)
            if user == BOT_USER_ID and not ch.is_member:
                raise SlackError("not_in_channel")
            if not text and not blocks and not (extra or {}).get("files"):
                raise SlackError("no_text")
            msg: Json = {"type": "message", "user": user, "text": text or "", "ts": self.next_ts(), "team": TEAM_ID}
            if user == BOT_USER_ID:
                msg.update(bot_id=BOT_ID, app_id=APP_ID)
            if blocks:
                msg["blocks"] = blocks
            if thread_ts:
                parent = self.find_message(ch.id, thread_ts)
                msg["thread_ts"] = thread_ts
                parent.setdefault("thread_ts", thread_ts)
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["latest_reply"] = msg["ts"]
            msg.update(extra or {})
            ch.messages.append(msg)
            return ch, copy.deepcopy(msg)

    def update_message(self, channel_id: str, ts: str, *, text: str | None, blocks: list[Json] | None) -> Json:
        with self.lock:
            msg = self.find_message(channel_id, ts)
            if text is not None:
                msg["text"] = text
            if blocks is not None:
                msg["blocks"] = blocks
            msg["edited"] = {"user": BOT_USER_ID, "ts": self.next_ts()}
            return copy.deepcopy(msg)

    def delete_message(self, channel_id: str, ts: str) -> None:
        with self.lock:
            msg = self.find_message(channel_id, ts)
            self.channel(channel_id).messages.remove(msg)

    def post_ephemeral(
        self,
        channel_ref: str,
        user_id: str,
        *,
        text: str | None,
        blocks: list[Json] | None,
        need_member: bool = True,
    ) -> str:
        """chat.postEphemeral needs the bot in the channel; a response_url (need_member=False) does not."""
        with self.lock:
            ch = self.channel(channel_ref)
            if need_member and not ch.is_member:
                raise SlackError("not_in_channel")
            if user_id not in self.users:
                raise SlackError("user_not_in_channel")
            if not text and not blocks:
                raise SlackError("no_text")
            msg: Json = {"type": "message", "user": BOT_USER_ID, "text": text or "", "ts": self.next_ts()}
            if blocks:
                msg["blocks"] = blocks
            self.ephemerals.setdefault((ch.id, user_id), []).append(msg)
            return str(msg["ts"])

    def _find_ephemeral(self, channel_id: str, user_id: str, ts: str) -> tuple[list[Json], Json]:
        msgs = self.ephemerals.get((self.channel(channel_id).id, user_id), [])
        for msg in msgs:
            if msg["ts"] == ts:
                return msgs, msg
        raise SlackError("message_not_found")

    def replace_ephemeral(
        self, channel_id: str, user_id: str, ts: str, *, text: str | None, blocks: list[Json] | None
    ) -> None:
        """What `replace_original` does to an ephemeral message: new text and blocks, same place."""
        with self.lock:
            _, msg = self._find_ephemeral(channel_id, user_id, ts)
            msg["text"] = text or ""
            if blocks:
                msg["blocks"] = blocks
            else:
                msg.pop("blocks", None)

    def delete_ephemeral(self, channel_id: str, user_id: str, ts: str) -> None:
        with self.lock:
            msgs, msg = self._find_ephemeral(channel_id, user_id, ts)
            msgs.remove(msg)

    def snapshot(self) -> Json:
        """Everything, JSON-serialisable, for a demo page or a failing test's message."""
        with self.lock:
            return copy.deepcopy(
                {
                    "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN, "name": TEAM_NAME},
                    "channels": [{**c.info(), "messages": c.messages} for c in self.channels.values()],
                    "users": [u.info() for u in self.users.values()],
                    "ephemerals": [
                        {"channel": c, "user": u, "messages": m} for (c, u), m in self.ephemerals.items()
                    ],
                    "files": [
                        {"id": f.id, "name": f.filename, "title": f.title, "size": len(f.data or b""),
                         "shared_in": f.shared_in}
                        for f in self.files.values()
                    ],
                    "views": list(self.views.values()),
                    "home_views": self.home_views,
                }
            )
