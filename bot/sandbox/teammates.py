"""What people do in the sandbox, and the Slack side of it: each act becomes the signed request Slack sends.

    people = Teammates(workspace, fake, secret=SECRET)
    people.connect(bot_url + "/slack/events")
    people.send(REQUESTER, REPORTS, "/roi douyin")        # Outcome(ok=True, status=200, …)

`Sandbox` (bot/sandbox/web.py) is this plus the page and its HTTP routes.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.sandbox.driver import (
    VERIFICATION_TOKEN,
    block_action_payload,
    new_trigger_id,
    post_signed,
    slash_command_fields,
    view_submission_payload,
)
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.methods_views import new_view
from bot.sandbox.state import APP_ID, TEAM_DOMAIN, TEAM_ID, Json, SlackError, Workspace
from bot.sandbox.team import SLACKBOT_ID

log = logging.getLogger(__name__)

# Slack waits this long for an ack before it tells the user the app did not answer
ACK_TIMEOUT = 3.0


@dataclass(frozen=True)
class Outcome:
    """What came of one thing a person did: the bot's HTTP answer, or Slack's word for its failure."""

    ok: bool
    status: int = 0
    error: str | None = None
    body: Json | None = None

    def to_json(self) -> Json:
        return {"ok": self.ok, "status": self.status, "error": self.error}


class Teammates:
    """The people of a fake workspace acting on the bot: commands, clicks, forms, and what Slack says back."""

    def __init__(self, workspace: Workspace, fake: FakeSlack, *, secret: str, timeout: float = 15.0) -> None:
        self.workspace = workspace
        self.fake = fake
        self.secret = secret
        self.events_url: str | None = None
        self.timeout = timeout
        self._lock = threading.Lock()
        self._trigger_users: dict[str, str] = {}
        self._closed: set[str] = set()
        self._view_errors: dict[str, dict[str, str]] = {}

    def connect(self, events_url: str) -> None:
        """Where the bot takes Slack's requests (`http://HOST:PORT/slack/events`)."""
        self.events_url = events_url

    # -- what a person does -------------------------------------------------------------------

    def send(self, user_id: str, channel_id: str, text: str) -> Outcome:
        """The composer: `/command args` goes to the bot as a slash command, anything else is a message."""
        user = self.workspace.user(user_id)
        channel = self.workspace.channel(channel_id)
        text = text.strip()
        if not text:
            return Outcome(False, error="no_text")
        if not text.startswith("/"):
            self.workspace.post_message(channel.id, text=text, user=user.id)
            return Outcome(True)
        command, _, args = text.partition(" ")
        fields = slash_command_fields(
            command,
            args.strip(),
            user_id=user.id,
            user_name=user.name,
            channel_id=channel.id,
            channel_name="directmessage" if channel.is_im else channel.name,
            response_url=self.fake.new_response_url(channel_id=channel.id, user_id=user.id),
            trigger_id=self._trigger(user.id),
        )
        outcome = self._deliver(urlencode(fields), channel.id, user.id, what=command)
        reply = outcome.body
        if outcome.ok and reply and (reply.get("text") or reply.get("blocks")):
            # an ack with a payload: ephemeral unless it says in_channel, as Slack shows it
            self.fake.apply_response(channel_id=channel.id, user_id=user.id, body=reply)
        return outcome

    def click(
        self,
        user_id: str,
        action: Json,
        *,
        channel_id: str | None = None,
        message_ts: str | None = None,
        ephemeral: bool = False,
        view_id: str | None = None,
        values: dict[str, dict[str, Json]] | None = None,
    ) -> Outcome:
        """A button (or select) in a message, an ephemeral message or an open modal: `block_actions`."""
        user = self.workspace.user(user_id)
        action_id = str(action.get("action_id") or "")
        if not action_id:
            return Outcome(False, error="invalid_action")
        trigger = self._trigger(user.id)
        if view_id is not None:
            view = self._view(view_id)
            view["state"] = {"values": values or {}}
            payload = block_action_payload(
                action_id, str(action.get("value") or ""), user_id=user.id, user_name=user.name,
                block_id=action.get("block_id"), trigger_id=trigger, action_type=str(action.get("type") or "button"),
            )
            for key in ("channel", "message", "response_url"):
                payload.pop(key, None)
            payload["container"] = {"type": "view", "view_id": view_id}
            payload["view"] = view
            channel_for_notice = None
        else:
            if channel_id is None or message_ts is None:
                return Outcome(False, error="invalid_arguments")
            channel = self.workspace.channel(channel_id)
            message = self._message(channel.id, user.id, message_ts, ephemeral)
            payload = block_action_payload(
                action_id,
                str(action.get("value") or ""),
                user_id=user.id,
                user_name=user.name,
                channel_id=channel.id,
                channel_name="directmessage" if channel.is_im else channel.name,
                message_ts=message_ts,
                message=message,
                block_id=action.get("block_id"),
                response_url=self.fake.new_response_url(
                    channel_id=channel.id, user_id=user.id, message_ts=message_ts, ephemeral=ephemeral
                ),
                trigger_id=trigger,
                is_ephemeral=ephemeral,
                action_type=str(action.get("type") or "button"),
            )
            channel_for_notice = channel.id
        sent = payload["actions"][0]
        for key in ("text", "selected_option", "selected_options", "selected_date", "selected_user",
                    "selected_conversation", "selected_channel", "url", "style"):
            if key in action:
                sent[key] = action[key]
        body = urlencode({"payload": json.dumps(payload)})
        return self._deliver(body, channel_for_notice, user.id, what="That button")

    def submit(self, user_id: str, view_id: str, values: dict[str, dict[str, Json]]) -> Outcome:
        """A modal's submit button: `view_submission`, then whatever `response_action` the bot answered."""
        user = self.workspace.user(user_id)
        view = self._view(view_id)
        payload = view_submission_payload(
            str(view.get("callback_id") or ""), values, view=view, user_id=user.id, user_name=user.name,
            trigger_id=self._trigger(user.id),
        )
        outcome = self._deliver(urlencode({"payload": json.dumps(payload)}), None, user.id, what="The form")
        if not outcome.ok:
            with self._lock:
                self._view_errors[view_id] = {"": f"The app did not accept the form ({outcome.error})."}
            return outcome
        reply = outcome.body or {}
        action = reply.get("response_action")
        with self._lock:
            self._view_errors.pop(view_id, None)
        if action == "errors":
            with self._lock:
                self._view_errors[view_id] = {str(k): str(v) for k, v in dict(reply.get("errors") or {}).items()}
        elif action == "update":
            with self.workspace.lock:
                old = self.workspace.views[view_id]
                self.workspace.views[view_id] = new_view(
                    self.workspace, reply.get("view"), view_id=view_id, root=old["root_view_id"]
                )
        elif action == "push":
            with self.workspace.lock:
                pushed = new_view(self.workspace, reply.get("view"))
                self.workspace.views[pushed["id"]] = pushed
                self.workspace.view_triggers[pushed["id"]] = self._trigger(user.id)
        elif action == "clear":
            for open_view in self.modals(user.id):
                self._close(str(open_view["id"]))
        else:
            self._close(view_id)
        return outcome

    def close(self, user_id: str, view_id: str) -> Outcome:
        """A modal's Cancel: closed here; `view_closed` sent when the view asked for it."""
        user = self.workspace.user(user_id)
        view = self._view(view_id)
        self._close(view_id)
        if not view.get("notify_on_close"):
            return Outcome(True)
        payload = {
            "type": "view_closed",
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "view": view,
            "is_cleared": False,
            "is_enterprise_install": False,
        }
        return self._deliver(urlencode({"payload": json.dumps(payload)}), None, user.id, what="Closing")

    # -- what a person sees -------------------------------------------------------------------

    def modals(self, user_id: str) -> list[Json]:
        """The user's open modal stack, bottom first, each with the errors the bot answered."""
        with self._lock:
            owners = dict(self._trigger_users)
            closed = set(self._closed)
            errors = copy.deepcopy(self._view_errors)
        with self.workspace.lock:
            stack = [
                copy.deepcopy(v)
                for vid, v in sorted(self.workspace.views.items())
                if owners.get(self.workspace.view_triggers.get(vid, "")) == user_id and vid not in closed
            ]
        for view in stack:
            view["errors"] = errors.get(view["id"], {})
        return stack

    # -- the Slack side -----------------------------------------------------------------------

    def _trigger(self, user_id: str) -> str:
        trigger = new_trigger_id()
        with self._lock:
            self._trigger_users[trigger] = user_id
        return trigger

    def _close(self, view_id: str) -> None:
        with self._lock:
            self._closed.add(view_id)
            self._view_errors.pop(view_id, None)

    def _view(self, view_id: str) -> Json:
        with self.workspace.lock:
            view = self.workspace.views.get(view_id)
            if view is None:
                raise SlackError("view_not_found")
            return copy.deepcopy(view)

    def _message(self, channel_id: str, user_id: str, ts: str, ephemeral: bool) -> Json:
        if not ephemeral:
            return self.workspace.message(channel_id, ts)
        for msg in self.workspace.ephemeral(channel_id, user_id):
            if msg["ts"] == ts:
                return msg
        raise SlackError("message_not_found")

    def _deliver(self, body: str, channel_id: str | None, user_id: str, *, what: str) -> Outcome:
        """POST a signed request to the bot; failures are told to the user as Slack tells them."""
        if self.events_url is None:
            return self._failed(channel_id, user_id, what, 0, "dispatch_failed")
        started = time.monotonic()
        try:
            status, text = post_signed(self.events_url, self.secret, body, timeout=self.timeout)
        except TimeoutError:
            return self._failed(channel_id, user_id, what, 0, "operation_timeout")
        except OSError:
            return self._failed(channel_id, user_id, what, 0, "dispatch_failed")
        took = time.monotonic() - started
        if status >= 400:
            return self._failed(channel_id, user_id, what, status, "http_service_error" if status >= 500
                                else "http_client_error")
        if took > ACK_TIMEOUT:
            # real Slack would have given up; the sandbox keeps the answer but says so
            log.warning("the bot acked after %.1f s (Slack waits %.0f s)", took, ACK_TIMEOUT)
            if channel_id is not None:
                self._notice(channel_id, user_id, f"_{what} took {took:.1f} s to answer; Slack gives up after "
                                                  f"{ACK_TIMEOUT:.0f} s (`operation_timeout`)._")
        reply: Json | None = None
        if text.strip():
            try:
                parsed = json.loads(text)
                reply = parsed if isinstance(parsed, dict) else None
            except ValueError:
                reply = {"text": text}  # Slack shows a plain-text ack as an ephemeral message
        return Outcome(True, status, None, reply)

    def _failed(self, channel_id: str | None, user_id: str, what: str, status: int, error: str) -> Outcome:
        if channel_id is not None:
            self._notice(channel_id, user_id, f'{what} failed with the error "{error}"')
        return Outcome(False, status, error)

    def _notice(self, channel_id: str, user_id: str, text: str) -> None:
        """An ephemeral line from Slackbot, as Slack answers a command the app did not take."""
        ws = self.workspace
        with ws.lock:
            msg: Json = {"type": "message", "user": SLACKBOT_ID, "text": text, "ts": ws.next_ts()}
            ws.ephemerals.setdefault((channel_id, user_id), []).append(msg)
