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
offered only when the process that owns the bot hands over a runner (`offer_jobs`). What a person
does (send, click, submit, close) and how it reaches the bot is `Teammates` (bot/sandbox/teammates.py).
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
from importlib import resources
from types import TracebackType
from typing import Any

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.state import BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, Json, SlackError, Workspace
from bot.sandbox.team import ROLES, SLACKBOT_ID, USERGROUPS, Role, demo_settings, demo_workspace
from bot.sandbox.teammates import ACK_TIMEOUT, Outcome, Teammates
from bot.sandbox.webapi import PageReply, PageRequest

__all__ = ["ACK_TIMEOUT", "Outcome", "Sandbox"]

log = logging.getLogger(__name__)

_STATIC = {"index.html": "text/html", "app.js": "text/javascript", "app.css": "text/css"}
_MAX_WAIT = 25.0


class Sandbox(Teammates):
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
        workspace = workspace or demo_workspace()
        fake = FakeSlack(workspace=workspace, host=host, port=port, socket_mode=False)
        super().__init__(workspace, fake, secret=secret or secrets.token_hex(16), timeout=timeout)
        self.roles = roles
        self.hints = list(hints or [])  # (usage, example, description) rows for the composer
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
    # -- what a person sees -------------------------------------------------------------------

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
