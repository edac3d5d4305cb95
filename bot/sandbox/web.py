"""The demo sandbox: the fake Slack plus a page where people use the bot as teammates would.

    with Sandbox(port=8080) as sandbox:            # page at sandbox.url, Web API at sandbox.api_url
        settings = load_settings(**sandbox.bot_settings())
        ...start the bot on HTTP...
        sandbox.connect(bot_url + "/slack/events")
        sandbox.send(REQUESTER, REPORTS, "/roi douyin")   # what the page's composer does

The page (bot/sandbox/static) talks JSON to the routes mounted on the fake's own server:

    GET  /                                the page
    GET  /sandbox/api/team                the people the page can act as
    GET  /sandbox/api/state?user=U&since=V&wait=S   what user U sees; waits up to S s for a change
    POST /sandbox/api/send    {user, channel, text}                      slash command or message
    POST /sandbox/api/action  {user, channel, ts, ephemeral, view_id, action}   a click (block_actions)
    POST /sandbox/api/submit  {user, view_id, values}                    a modal (view_submission)
    POST /sandbox/api/close   {user, view_id}                            a modal's Cancel
    POST /sandbox/api/run_job {user, name}                               run a scheduled job now (demo only)

Running jobs is not Slack: it is the sandbox's shortcut to what the scheduler would post later, and is
offered only when the process that owns the bot hands over a runner (`offer_jobs`).
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from types import TracebackType
from typing import Any
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
from bot.sandbox.methods import new_view
from bot.sandbox.state import APP_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, Json, SlackError, Workspace
from bot.sandbox.team import ROLES, SLACKBOT_ID, USERGROUPS, Role, demo_settings, demo_workspace
from bot.sandbox.webapi import PageReply, PageRequest

log = logging.getLogger(__name__)

# Slack waits this long for an ack before it tells the user the app did not answer
ACK_TIMEOUT = 3.0
_STATIC = {"index.html": "text/html", "app.js": "text/javascript", "app.css": "text/css"}
_MAX_WAIT = 25.0


@dataclass(frozen=True)
class Outcome:
    """What came of one thing a person did: the bot's HTTP answer, or Slack's word for its failure."""

    ok: bool
    status: int = 0
    error: str | None = None
    body: Json | None = None

    def to_json(self) -> Json:
        return {"ok": self.ok, "status": self.status, "error": self.error}


class Sandbox:
    """FakeSlack with the demo team, the page, and the Slack side of every click: signed requests to the bot."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        secret: str | None = None,
        workspace: Workspace | None = None,
        roles: tuple[Role, ...] = ROLES,
        hints: list[tuple[str, str, str]] | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.workspace = workspace or demo_workspace()
        self.fake = FakeSlack(workspace=self.workspace, host=host, port=port, socket_mode=False)
        self.secret = secret or secrets.token_hex(16)
        self.events_url: str | None = None
        self.roles = roles
        self.hints = list(hints or [])  # (usage, example, description) rows for the composer
        self.timeout = timeout
        self._lock = threading.Lock()
        self._trigger_users: dict[str, str] = {}
        self._closed: set[str] = set()
        self._view_errors: dict[str, dict[str, str]] = {}
        self._stopping = threading.Event()
        self._jobs: list[Json] = []  # [{name, summary, cron}] when offered
        self._run_job: Callable[[str], str] | None = None
        self._job_status: dict[str, str] = {}
        self.fake.mount("/", self._static)
        self.fake.mount("/static/", self._static)
        self.fake.mount("/favicon.ico", lambda _req: PageReply(204, b"", "image/x-icon"))
        self.fake.mount("/sandbox/api/", self._api)

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> Sandbox:
        self._stopping.clear()
        self.fake.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # long polls return at once
        self.fake.stop()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The page."""
        return self.fake.url + "/"

    @property
    def api_url(self) -> str:
        return self.fake.api_url

    def connect(self, events_url: str) -> None:
        """Where the bot takes Slack's requests (`http://HOST:PORT/slack/events`)."""
        self.events_url = events_url

    def offer_jobs(self, jobs: list[Json], run: Callable[[str], str]) -> None:
        """Let the page run these jobs now; `run(name)` runs one and returns a one-line outcome."""
        self._jobs = [dict(j) for j in jobs]
        self._run_job = run

    def run_job(self, name: str) -> Outcome:
        """Start job `name` in the background (its messages arrive like any others); refused if unknown or busy."""
        run = self._run_job
        if run is None or name not in {j["name"] for j in self._jobs}:
            return Outcome(False, 404, "unknown_job")
        with self._lock:
            if self._job_status.get(name) == "running…":
                return Outcome(False, 409, "already_running")
            self._job_status[name] = "running…"

        def work() -> None:
            try:
                outcome = run(name)
            except Exception as exc:  # noqa: BLE001 - shown on the page; the sandbox keeps serving
                log.warning("sandbox job %s failed", name, exc_info=exc)
                outcome = f"failed: {exc}"
            with self._lock:
                self._job_status[name] = outcome

        threading.Thread(target=work, name=f"sandbox-job-{name}", daemon=True).start()
        return Outcome(True, 202)

    def bot_settings(self) -> dict[str, str]:
        """Settings that make the bot talk to this sandbox, whatever `.env` says."""
        return {
            "slack_bot_token": "xoxb-sandbox",
            "slack_app_token": "",  # HTTP transport: the sandbox signs and POSTs like Slack
            "slack_signing_secret": self.secret,
            "slack_api_url": self.api_url,
            **demo_settings(),
        }

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

    def state(self, user_id: str) -> Json:
        """Everything the page shows `user_id`: channels they can see, their ephemerals and modals."""
        ws = self.workspace
        with ws.lock:
            channels = [
                {**c.info(), "messages": copy.deepcopy(c.messages)}
                for c in ws.channels.values()
                if not c.is_im or c.user == user_id
            ]
            ephemerals = {
                cid: copy.deepcopy(msgs) for (cid, uid), msgs in ws.ephemerals.items() if uid == user_id and msgs
            }
            users = [u.info() for u in ws.users.values()]
        titles = {r.user_id: r.title for r in self.roles}
        return {
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "me": user_id,
            "bot_user_id": BOT_USER_ID,
            "people": [{"id": r.user_id, "title": r.title} for r in self.roles],
            "users": [{**u, "title": titles.get(u["id"], "")} for u in users],
            "usergroups": [{"id": gid, "handle": handle} for gid, handle in USERGROUPS.items()],
            "channels": channels,
            "ephemerals": ephemerals,
            "modals": self.modals(user_id),
            "hints": [{"usage": u, "example": e, "description": d} for u, e, d in self.hints],
            "bot_connected": self.events_url is not None,
            "jobs": self._jobs_state(),
        }

    def _jobs_state(self) -> list[Json]:
        with self._lock:
            return [{**j, "last": self._job_status.get(str(j["name"]), "")} for j in self._jobs]

    def wait_state(self, user_id: str, since: str = "", wait: float = 0) -> Json:
        """`state()` plus its `version`; waits (up to `wait` s) until the version differs from `since`."""
        deadline = time.monotonic() + min(max(wait, 0), _MAX_WAIT)
        while True:
            state = self.state(user_id)
            raw = json.dumps(state, sort_keys=True, default=str).encode()
            version = hashlib.sha1(raw, usedforsecurity=False).hexdigest()[:16]
            if version != since or time.monotonic() >= deadline or self._stopping.wait(0.1):
                return {"version": version, **state}

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

    # -- routes -------------------------------------------------------------------------------

    def _static(self, req: PageRequest) -> PageReply:
        name = req.path.removeprefix("/static/").lstrip("/") or "index.html"
        if name == "cjk.otf":
            return _cjk_font()
        if name not in _STATIC:
            return _json(404, {"ok": False, "error": "not_found"})
        data = resources.files("bot.sandbox").joinpath("static", name).read_bytes()
        return PageReply(200, data, f"{_STATIC[name]}; charset=utf-8", {"Cache-Control": "no-cache"})

    def _api(self, req: PageRequest) -> PageReply:
        endpoint = req.path.removeprefix("/sandbox/api/")
        try:
            if req.method == "GET" and endpoint == "team":
                return _json(200, {"people": [{"id": r.user_id, "title": r.title} for r in self.roles]})
            if req.method == "GET" and endpoint == "state":
                user = self._person(req.query.get("user"))
                wait = float(req.query.get("wait") or 0)
                return _json(200, self.wait_state(user, req.query.get("since", ""), wait))
            if req.method != "POST":
                return _json(405, {"ok": False, "error": "method_not_allowed"})
            data = req.json()
            if not isinstance(data, dict):
                return _json(400, {"ok": False, "error": "invalid_json"})
            user = self._person(data.get("user"))
            if endpoint == "send":
                return _json(200, self.send(user, str(data.get("channel") or ""), str(data.get("text") or ""))
                             .to_json())
            if endpoint == "action":
                outcome = self.click(
                    user,
                    dict(data.get("action") or {}),
                    channel_id=data.get("channel"),
                    message_ts=data.get("ts"),
                    ephemeral=bool(data.get("ephemeral")),
                    view_id=data.get("view_id"),
                    values=data.get("values"),
                )
                return _json(200, outcome.to_json())
            if endpoint == "submit":
                return _json(200, self.submit(user, str(data.get("view_id") or ""), dict(data.get("values") or {}))
                             .to_json())
            if endpoint == "close":
                return _json(200, self.close(user, str(data.get("view_id") or "")).to_json())
            if endpoint == "run_job":
                return _json(200, self.run_job(str(data.get("name") or "")).to_json())
            return _json(404, {"ok": False, "error": "not_found"})
        except SlackError as exc:
            return _json(400, {"ok": False, "error": exc.error})
        except (ValueError, TypeError):
            return _json(400, {"ok": False, "error": "invalid_arguments"})

    def _person(self, user_id: Any) -> str:
        """A user of the team the page may act as (the bot and Slackbot are not)."""
        uid = str(user_id or "")
        if not re.fullmatch(r"[UW][A-Z0-9]+", uid) or uid in (BOT_USER_ID, SLACKBOT_ID):
            raise SlackError("user_not_found")
        return self.workspace.user(uid).id


def _cjk_font() -> PageReply:
    """Noto Sans CJK SC (shipped with mplfonts for the charts), so Chinese names render on any machine;
    the page asks for it only when a CJK character shows up (`unicode-range`)."""
    try:
        data = resources.files("mplfonts").joinpath("fonts", "NotoSansCJKsc-Regular.otf").read_bytes()
    except (ModuleNotFoundError, OSError):
        return _json(404, {"ok": False, "error": "not_found"})
    return PageReply(200, data, "font/otf", {"Cache-Control": "max-age=86400"})


def _json(status: int, data: Any) -> PageReply:
    return PageReply(status, json.dumps(data, default=str).encode())
