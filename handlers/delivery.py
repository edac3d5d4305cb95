"""Delivering messages to Slack, for commands, buttons and jobs alike: `send()` and the `Poster`.

    poster = Poster(web_client(deps))                    # jobs: paced per channel
    ts = send(poster, message, channel="C0REPORTS")      # post, then upload the chart
    send(Poster(client, pacer=UNPACED), message, channel=cmd["channel_id"], respond=respond, locale="zh")
    poster.update("C0REPORTS", ts, text=..., blocks=...)

With a `respond` (a command or a click), what the bot cannot post in the conversation is answered
through the response_url instead, and a chart that fails to upload is told with an error id;
without one (a job), every failure is a `DeliveryError` for the run to record. A command typed in a
direct message is answered, chart and all, in the bot's own DM with the person (`conversations.open`).

The WebClient from `bot.app.web_client` already retries 429 (honouring Retry-After), 5xx and
connection resets with backoff; what still fails after that is a delivery failure for the run.
Slack allows about one message per second per channel, so posts to one channel are spaced out
across every job of this process.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.views.blocks import section_block
from handlers.views.message import Message
from handlers.views.texts import t

log = logging.getLogger(__name__)

PACE_SECONDS = 1.0


class DeliveryError(RuntimeError):
    """Slack refused or kept failing a call; the message names the method, channel and Slack's error."""

    def __init__(self, message: str, slack_error: str | None = None) -> None:
        super().__init__(message)
        self.slack_error = slack_error


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
# A person who typed a command waits for the answer; Slack's own rate limit (429) is retried by the client
UNPACED = Pacer(0)

# Slack's answers that mean "the bot cannot post here": answer through the response_url instead
CANNOT_POST = frozenset({"not_in_channel", "channel_not_found", "is_archived", "restricted_action"})


def _slack_error(exc: Exception) -> str | None:
    if isinstance(exc, SlackApiError) and exc.response is not None:
        return str(exc.response.get("error") or exc.response.status_code)
    return None


def _error(exc: Exception) -> str:
    return _slack_error(exc) or f"{type(exc).__name__}: {exc}"


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
            raise DeliveryError(f"{what} to {channel} failed: {_error(exc)}", _slack_error(exc)) from exc

    def post(self, channel: str, *, text: str, blocks: list[dict[str, Any]] | None = None,
             thread_ts: str | None = None, broadcast: bool = False) -> str:
        extra: dict[str, Any] = {"reply_broadcast": True} if broadcast and thread_ts else {}
        self._sending()
        resp = self._call("chat.postMessage", channel, lambda: self.client.chat_postMessage(
            channel=channel, text=text, blocks=blocks, thread_ts=thread_ts, unfurl_links=False, **extra))
        self.sent += 1
        return str(resp["ts"])

    def open_dm(self, user: str) -> str:
        """The id of the bot's direct conversation with `user` (opened if need be)."""
        resp = self._call("conversations.open", user, lambda: self.client.conversations_open(users=user))
        return str(resp["channel"]["id"])

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


def error_id() -> str:
    """A short id that a user quotes and an admin finds in the log."""
    return uuid.uuid4().hex[:8]


def is_direct(channel: str) -> bool:
    return channel.startswith("D")


def send(
    poster: Poster,
    message: Message,
    *,
    channel: str,
    thread_ts: str | None = None,
    broadcast: bool = False,
    respond: Callable[..., Any] | None = None,
    locale: str = "en",
    command: str = "",
    user: str = "",
) -> str | None:
    """Post `message` into `channel`, then its chart; the ts of the message, or None when it went elsewhere.

    Everything is built before this is called, so a failure here never leaves half an answer behind
    that the caller does not know about. A command typed in a DM (`channel` D…, `user` who typed it)
    is posted into the bot's own DM with `user`: a DM between two people is one the bot cannot post
    in, and its answer through the response_url could not carry the chart.
    """
    if respond is not None and is_direct(channel):
        dm = _own_dm(poster, user)
        if dm is None:
            respond(response_type="ephemeral", text=message.text,
                    blocks=message.blocks + [section_block(t("send.dm", locale, command=command))])
            return None
        if dm != channel:  # typed in a DM with someone else: say where the answer went
            respond(response_type="ephemeral", text=t("send.dm_elsewhere", locale))
        channel = dm
    try:
        ts = poster.post(channel, text=message.text, blocks=message.blocks, thread_ts=thread_ts, broadcast=broadcast)
    except DeliveryError as exc:
        if respond is None or exc.slack_error not in CANNOT_POST:
            raise
        _cannot_post(respond, message, channel, exc, locale, command)
        return None
    if message.chart is None:
        return ts
    chart = message.chart
    try:
        poster.upload(channel, chart.png, filename=chart.filename, title=chart.title, thread_ts=thread_ts)
    except DeliveryError as exc:
        if respond is None:
            raise
        if exc.slack_error in CANNOT_POST:  # e.g. posting allowed by chat:write.public, files not
            _cannot_post(respond, message, channel, exc, locale, command)
        else:
            eid = error_id()
            log.warning("chart upload failed", exc_info=exc, extra={"error_id": eid, "channel": channel})
            respond(response_type="ephemeral", text=t("send.chart_failed", locale, error_id=eid))
    return ts


def _own_dm(poster: Poster, user: str) -> str | None:
    """The bot's DM with `user`, or None when Slack will not open it (no im:write, user gone)."""
    if not user:
        return None
    try:
        return poster.open_dm(user)
    except DeliveryError as exc:
        log.info("conversations.open failed, answering via response_url", extra={"slack_error": exc.slack_error})
        return None


def _cannot_post(respond: Callable[..., Any], message: Message, channel: str, exc: DeliveryError, locale: str,
                 command: str = "") -> None:
    log.info("cannot post in channel, answering via response_url",
             extra={"channel": channel, "slack_error": exc.slack_error})
    note = "send.dm" if is_direct(channel) else "send.invite"  # inviting the bot into a DM means nothing
    respond(response_type="ephemeral", text=message.text,
            blocks=message.blocks + [section_block(t(note, locale, command=command))])
