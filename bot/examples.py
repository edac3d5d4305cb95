"""Example replies of every command: the real bot on the demo shop, asked through the local fake Slack.

    with ExampleBot(today=date(2026, 11, 30)) as bot:
        reply = bot.ask("/roi douyin 30d --zh")     # Reply: what the asker reads, and the chart PNG

`ecombot examples` writes them to docs/examples/ for the README; the tests ask the same bot with `--zh`
to find English left in Chinese replies. Nothing is stubbed: signed requests go to the bot's HTTP
endpoint, and the reply is read back from the Web API calls the bot made.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import select

from bot.sandbox import FakeSlack, slash_command
from bot.sandbox.calls import Call
from bot.sandbox.team import REPORTS, REQUESTER, demo_settings, demo_workspace

Json = dict[str, Any]
# a fixed day the demo shop ends before, so the examples (and the README) do not move with the calendar
TODAY = date(2026, 11, 30)
ANSWER_SECONDS = 60.0


@dataclass(frozen=True)
class Reply:
    asked: str  # "/roi douyin 30d"
    text: str  # what the asker reads: the answer, the note, the form, as a person reads them
    png: bytes | None  # the chart, when the answer had one
    elsewhere: tuple[tuple[str, str], ...] = ()  # (channel, text) posted for others, e.g. an approval card


def readable(blocks: list[Json]) -> str:
    """A message's blocks as lines of text: headers, sections and their fields, context; buttons named."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("header", "section") and block.get("text"):
            lines.append(str(block["text"].get("text", "")))
        lines += [str(f.get("text", "")) for f in block.get("fields") or []]
        if kind == "context":
            lines.append("  ".join(str(e.get("text", "")) for e in block.get("elements") or [] if "text" in e))
        if kind == "actions":
            lines.append("  ".join(f"[{e['text']['text']}]" for e in block.get("elements") or []
                                   if isinstance(e.get("text"), dict)))
        if kind == "input" and isinstance(block.get("label"), dict):
            lines.append(f"{block['label'].get('text', '')}: ____")
    return "\n".join(line for line in lines if line)


class ExampleBot:
    """The bot over a fresh SQLite demo shop (seeded for `today`, budget set) and a fake Slack with the demo team."""

    def __init__(self, today: date = TODAY, **settings: str) -> None:
        self.today = today
        self._overrides = settings
        self._stack = ExitStack()

    def __enter__(self) -> ExampleBot:
        from bot.app import create_app
        from bot.cli_demo import drain, set_budget
        from bot.config import load_settings
        from bot.server import HttpServer, wsgi_app
        from metrics.db import connect
        from metrics.demo_data import seed_demo
        from metrics.runtime import build_deps

        stack = self._stack
        try:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ecombot-examples-")))
            self.fake = stack.enter_context(FakeSlack(workspace=demo_workspace(), port=0, socket_mode=False))
            self.secret = secrets.token_hex(16)
            settings = load_settings(
                _env_file=None, database_url=f"sqlite:///{tmp / 'demo.db'}", slack_bot_token="xoxb-examples",
                slack_signing_secret=self.secret, slack_api_url=self.fake.api_url, slack_app_token="",
                **{**demo_settings(), **self._overrides})
            now = datetime.combine(self.today, clock_time(10, 0), tzinfo=settings.tz)
            engine = connect(settings.database_url)
            stack.callback(engine.dispose)
            self.deps = build_deps(settings, engine=engine, clock=lambda: now)
            seed_demo(engine, today=self.today, tz=settings.tz, progress=False)
            set_budget(self.deps, say=lambda _line: None)
            app = create_app(self.deps)
            server = HttpServer(wsgi_app(app, self.deps), host="127.0.0.1", port=0, threads=4).start()
            stack.callback(server.stop)
            stack.callback(drain, app)  # last in, first out: the answers still running finish first
            self.url = server.url + "/slack/events"
        except BaseException:
            stack.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stack.close()

    def ask(self, asked: str, *, user: str = REQUESTER, channel: str = REPORTS) -> Reply:
        """Type `asked` ("/roi douyin 30d") as `user` in `channel`; what the bot sent for it once it has answered."""
        command, _, text = asked.partition(" ")
        before = len(self.fake.calls())
        trigger = f"examples.{secrets.token_hex(8)}"
        status, body = slash_command(self.url, self.secret, command, text, fake=self.fake, user_id=user,
                                     channel_id=channel, channel_name=channel.lower(), trigger_id=trigger)
        if status != 200:
            raise RuntimeError(f"{asked}: HTTP {status} {body[:200]}")
        if body:  # answered at the ack: a mistake in the text
            import json

            return Reply(asked, str(json.loads(body).get("text", "")), None)
        self._wait(f"cmd:{trigger}")
        return self._reply(asked, self.fake.calls()[before:], channel)

    def _wait(self, key: str) -> None:
        """Until the command's claim is closed: the answer, chart and all, has reached Slack."""
        from metrics.schema_jobs import command_claims

        deadline = time.monotonic() + ANSWER_SECONDS
        while time.monotonic() < deadline:
            with self.deps.engine.connect() as conn:
                done = conn.execute(select(command_claims.c.done_at).where(command_claims.c.key == key)).scalar()
            if done is not None:
                return
            time.sleep(0.05)
        raise TimeoutError(f"no answer to {key} within {ANSWER_SECONDS:.0f} s")

    def _reply(self, asked: str, calls: list[Call], channel: str) -> Reply:
        texts: list[str] = []
        elsewhere: list[tuple[str, str]] = []
        png: bytes | None = None
        for call in calls:
            body = call.args.get("body") if call.method == "response_url" else call.args
            if call.method in ("chat.postMessage", "chat.postEphemeral", "response_url") and isinstance(body, dict):
                said = readable(body.get("blocks") or []) or str(body.get("text") or "")
                where = str(body.get("channel") or channel)
                if where == channel:
                    texts.append(said)
                else:
                    elsewhere.append((where, said))
            elif call.method == "views.open":
                texts.append(readable(call.args["view"].get("blocks") or []))
            elif call.method == "files.completeUploadExternal" and png is None:
                png = self.fake.file_bytes(call.args["files"][0]["id"])
        return Reply(asked, "\n\n".join(t for t in texts if t), png, tuple(elsewhere))


def examples() -> Iterator[str]:
    """Every example the help shows, in the help's order: one per syntax of every registered command."""
    from handlers.commands import ALL

    for spec in ALL:
        for row in spec.help:
            yield row.example
