"""End-to-end fixtures: the real Bolt app on the real HTTP server, a fake Slack on loopback, shop data in the DB.

    def test_x(bot: Bot) -> None:                  # fixture shop loaded, HTTP transport, all DB backends
        status, body, _ = bot.command("douyin 30d")
        bot.fake.wait_for("files.completeUploadExternal")

Expected figures are computed in the tests from `make_shop()` rows in plain Python, never by the
functions under test.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import App
from slack_bolt.lazy_listener.thread_runner import ThreadLazyListenerRunner
from sqlalchemy import Engine

from bot.app import create_app
from bot.config import load_settings
from bot.sandbox import FakeSlack, slash_command
from bot.server import HttpServer, wsgi_app
from metrics.channels import ChannelRegistry
from metrics.runtime import Deps
from tests.blocks import assert_valid_blocks as assert_valid_blocks  # re-exported for the e2e tests
from tests.blocks import block_text as block_text
from tests.metrics.fixtures import Shop, load_shop, make_shop

SECRET = "secret"
TZ = ZoneInfo("Asia/Shanghai")
# a fixed "now": 30d ends yesterday (2026-11-20) and covers the whole 20-day fixture shop
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=TZ)
TODAY = NOW.date()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

Json = dict[str, Any]


# -- the running bot ----------------------------------------------------------------------------


@dataclass
class Bot:
    fake: FakeSlack
    app: App
    deps: Deps
    server: HttpServer

    @property
    def events_url(self) -> str:
        return self.server.url + "/slack/events"

    def command(
        self,
        text: str,
        *,
        channel_id: str = "C0GENERAL",
        channel_name: str = "general",
        user_id: str = "U0ALICE",
        secret: str = SECRET,
        timestamp: int | None = None,
    ) -> tuple[int, str, float]:
        """A signed `/roi` as Slack sends it: (HTTP status, body, seconds until the response)."""
        started = time.perf_counter()
        status, body = slash_command(
            self.events_url, secret, "/roi", text, fake=self.fake, user_id=user_id,
            channel_id=channel_id, channel_name=channel_name, timestamp=timestamp,
        )
        return status, body, time.perf_counter() - started

    def drain(self) -> None:
        """Wait until every ack and lazy listener Bolt started has returned (the app takes no more work)."""
        drain(self.app)

    def api_calls(self) -> list[str]:
        """Web API methods, upload URLs and response_urls the bot used (auth.test at start-up and the
        asker's language lookup, users.info, excluded: they say nothing about the answer)."""
        return [c.method for c in self.fake.calls() if c.method not in ("auth.test", "users.info")]


def drain(app: App) -> None:
    """Shut Bolt's pools down after their work: acks (and plain listeners) first, as they start the lazy ones."""
    runner = app.listener_runner
    runner.listener_executor.shutdown(wait=True)
    lazy = runner.lazy_listener_runner
    assert isinstance(lazy, ThreadLazyListenerRunner)
    lazy.executor.shutdown(wait=True)


def settings_for(fake: FakeSlack, engine: Engine, **overrides: Any) -> Any:
    return load_settings(
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=fake.api_url,
        database_url=engine.url.render_as_string(hide_password=False),
        bot_timezone="Asia/Shanghai",
        bot_locale="en",
        _env_file=None,
        **overrides,
    )


def make_deps(fake: FakeSlack, engine: Engine, **overrides: Any) -> Deps:
    return Deps(settings_for(fake, engine, **overrides), engine, ChannelRegistry(), clock=lambda: NOW)


BotFactory = Callable[..., Bot]


@pytest.fixture
def start_bot() -> Iterator[BotFactory]:
    """start_bot(engine, shop=SHOP) → a Bot on its own fake Slack and HTTP server, stopped after the test."""
    with ExitStack() as stack:

        def start(engine: Engine, *, shop: Shop | None = None) -> Bot:
            if shop is not None:
                load_shop(engine, shop)
            fake = stack.enter_context(FakeSlack(port=0, socket_mode=False))
            deps = make_deps(fake, engine)
            app = create_app(deps)
            server = HttpServer(wsgi_app(app, deps), host="127.0.0.1", port=0, threads=4).start()
            bot = Bot(fake, app, deps, server)
            # last in, first out: lazy listeners finish while the server and the fake are still up
            stack.callback(server.stop)
            stack.callback(bot.drain)
            return bot

        yield start


@pytest.fixture
def bot(engine: Engine, start_bot: BotFactory) -> Bot:
    """The app over every configured DB backend, with the fixture shop loaded."""
    return start_bot(engine, shop=SHOP)


@pytest.fixture
def sqlite_bot(sqlite_engine: Engine, start_bot: BotFactory) -> Bot:
    """The app over a private SQLite database with the fixture shop, for tests that need one backend."""
    return start_bot(sqlite_engine, shop=SHOP)


# -- the figures, worked out from the fixture rows --------------------------------------------------

SHOP = make_shop()


def window_days(days: int, today: date = TODAY) -> tuple[date, date]:
    """`Nd`: N whole days ending yesterday."""
    end = today - timedelta(days=1)
    return end - timedelta(days=days - 1), end


def _in(day: date, span: tuple[date, date]) -> bool:
    return span[0] <= day <= span[1]


def spend_of(shop: Shop, channel: str, span: tuple[date, date]) -> Decimal:
    return sum((s.spend for s in shop.spend if s.channel == channel and _in(s.day, span)), Decimal(0))


def gmv_of(shop: Shop, channel: str, span: tuple[date, date]) -> Decimal:
    """Channel GMV: every paid amount of the channel's lines in the window except cancelled ones."""
    return sum(
        (ln.paid for ln in shop.lines if ln.channel == channel and _in(ln.day, span) and ln.status != "cancelled"),
        Decimal(0),
    )


def roi_of(shop: Shop, channel: str, span: tuple[date, date], basis: str = "channel") -> Decimal | None:
    """ROI as the bot defines it on one basis for every channel (ROI_BASIS, default "channel"): channel
    GMV / spend; on the attributed basis attributed GMV / spend, None unless every spend row reports
    attribution. None without spend."""
    rows = [s for s in shop.spend if s.channel == channel and _in(s.day, span)]
    spend = sum((s.spend for s in rows), Decimal(0))
    if spend == 0:
        return None
    if basis == "channel":
        return gmv_of(shop, channel, span) / spend
    if rows and all(s.attributed is not None for s in rows):
        return sum((s.attributed or Decimal(0) for s in rows), Decimal(0)) / spend
    return None


def roi_text(value: Decimal) -> str:
    """How the message writes it: the metric keeps 4 places, the view shows 2 (half up, both times)."""
    kept = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return f"1:{kept.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def money_text(value: Decimal) -> str:
    return f"¥{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def posted(fake: FakeSlack, channel: str) -> list[Json]:
    """The bot's own text messages in `channel` (file shares left out)."""
    return [m for m in fake.messages(channel) if not m.get("files")]


def shared_files(fake: FakeSlack, channel: str) -> list[Json]:
    return [f for m in fake.messages(channel) for f in m.get("files") or []]
