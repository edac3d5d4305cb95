"""Posting for jobs: paced per channel, retried by the client, failures raised as one `DeliveryError`.

    poster = Poster(web_client(deps))
    ts = poster.post("C0REPORTS", text="Daily report", blocks=blocks)
    poster.upload("C0REPORTS", png, filename="daily.png", title="GMV by channel")
    poster.update("C0REPORTS", ts, text=..., blocks=...)

The WebClient from `bot.app.web_client` already retries 429 (honouring Retry-After), 5xx and
connection resets with backoff; what still fails after that is a delivery failure for the run.
Slack allows about one message per second per channel, so posts to one channel are spaced out
across every job of this process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

PACE_SECONDS = 1.0


class DeliveryError(RuntimeError):
    """Slack refused or kept failing a call; the message names the method, channel and Slack's error."""


class Pacer:
    """At most one call per `interval` seconds per channel (thread-safe, process-wide)."""

    def __init__(self, interval: float = PACE_SECONDS, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def wait(self, channel: str) -> None:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(channel, now))
            self._next[channel] = slot + self.interval
        if slot > now:
            self._sleep(slot - now)


PACER = Pacer()


def _error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError) and exc.response is not None:
        return str(exc.response.get("error") or exc.response.status_code)
    return f"{type(exc).__name__}: {exc}"


class Poster:
    def __init__(self, client: WebClient, *, pacer: Pacer = PACER,
                 before_send: Callable[[], None] | None = None) -> None:
        self.client = client
        self.pacer = pacer
        self.sent = 0
        self._before_send = before_send

    def for_run(self, before_send: Callable[[], None]) -> Poster:
        """A poster for one run: its own `sent`, and `before_send()` ahead of every post or upload
        (the run log counts the post before it is made; raising there stops the post)."""
        return Poster(self.client, pacer=self.pacer, before_send=before_send)

    def _sending(self) -> None:
        if self._before_send is not None:
            self._before_send()

    def _call(self, what: str, channel: str, fn: Callable[[], Any]) -> Any:
        self.pacer.wait(channel)
        try:
            return fn()
        except (SlackApiError, OSError) as exc:
            raise DeliveryError(f"{what} to {channel} failed: {_error(exc)}") from exc

    def post(self, channel: str, *, text: str, blocks: list[dict[str, Any]] | None = None,
             thread_ts: str | None = None, broadcast: bool = False) -> str:
        extra: dict[str, Any] = {"reply_broadcast": True} if broadcast and thread_ts else {}
        self._sending()
        resp = self._call("chat.postMessage", channel, lambda: self.client.chat_postMessage(
            channel=channel, text=text, blocks=blocks, thread_ts=thread_ts, unfurl_links=False, **extra))
        self.sent += 1
        return str(resp["ts"])

    def update(self, channel: str, ts: str, *, text: str, blocks: list[dict[str, Any]]) -> None:
        self._call("chat.update", channel, lambda: self.client.chat_update(
            channel=channel, ts=ts, text=text, blocks=blocks))

    def upload(self, channel: str, png: bytes, *, filename: str, title: str, thread_ts: str | None = None) -> None:
        kwargs: dict[str, Any] = {"channel": channel, "content": png, "filename": filename, "title": title}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        self._sending()
        self._call("files.upload", channel, lambda: self.client.files_upload_v2(**kwargs))
        self.sent += 1
