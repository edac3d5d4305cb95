"""Job fixtures: a fake Slack with the team's channels, a movable clock, and `Bench.run(name)`.

    def test_x(bench: Bench) -> None:
        bench.clock.set(datetime(2026, 11, 21, 8, 30, tzinfo=TZ))
        result = bench.run("stock-alerts")
        bench.fake.messages(SUPPLY)

Expected figures are worked out in each test from the fixture rows in plain Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert

from bot.app import create_app, web_client
from bot.config import Settings, load_settings
from bot.sandbox import FakeSlack, Workspace
from bot.sandbox.state import Channel, default_channels
from bot.server import HttpServer, wsgi_app
from handlers.delivery import Pacer, Poster
from jobs import JOBS
from jobs.kit.registry import Planned, build_plan
from jobs.kit.runner import RunResult, run_job
from metrics import schema
from metrics.channels import ChannelRegistry
from metrics.runtime import Deps
from tests.metrics.fixtures import make_shop

TZ = ZoneInfo("Asia/Shanghai")
ROI_SHOP = make_shop()  # the shop of tests/metrics/fixtures.py, built once for every job test
REPORTS, OPS, SUPPLY = "C0REPORTS", "C0OPS", "C0SUPPLY"
CRISIS, CS, CRISIS_GROUP = "C0CRISIS", "C0CS", "S0CRISIS"
APPROVER = "U0BOB"


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


def workspace() -> Workspace:
    return Workspace(channels=[*default_channels(), Channel(OPS, "ops"), Channel(SUPPLY, "supply-chain"),
                               Channel(CRISIS, "crisis"), Channel(CS, "customer-service")])


def job_settings(fake: FakeSlack, engine: Engine, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-test", "slack_signing_secret": "secret", "slack_api_url": fake.api_url,
        "database_url": engine.url.render_as_string(hide_password=False), "bot_timezone": "Asia/Shanghai",
        "bot_locale": "en", "reports_channel": REPORTS, "ops_channel": OPS, "supply_channel": SUPPLY,
        "ops_approvers": APPROVER, "crisis_channel": CRISIS, "cs_channel": CS, "crisis_group": CRISIS_GROUP,
    }
    values.update(overrides)
    return load_settings(_env_file=None, **values)


@dataclass
class Bench:
    fake: FakeSlack
    engine: Engine
    clock: Clock
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return job_settings(self.fake, self.engine, **self.overrides)

    @property
    def deps(self) -> Deps:
        return Deps(self.settings, self.engine, ChannelRegistry(), clock=self.clock)

    def plan(self) -> dict[str, Planned]:
        return build_plan(self.settings, JOBS)

    def poster(self) -> Poster:
        return Poster(web_client(self.deps), pacer=Pacer(0))

    def run(self, name: str, *, slot: datetime | None = None, trigger: str = "manual") -> RunResult:
        return run_job(self.deps, self.plan()[name], poster=self.poster(), slot=slot, trigger=trigger)

    def posts(self, channel: str) -> list[dict[str, Any]]:
        """Top-level messages in `channel` (thread replies and file shares excluded)."""
        return [m for m in self.fake.messages(channel)
                if m.get("thread_ts") in (None, m["ts"]) and not m.get("upload")]

    def replies(self, channel: str) -> list[dict[str, Any]]:
        return [m for m in self.fake.messages(channel) if m.get("thread_ts") not in (None, m["ts"])]

    def imported(self, *kinds: str, hours_ago: float = 1) -> None:
        """Mark sources as freshly imported (the stale-data guard reads the imports log)."""
        at = (self.clock.now - timedelta(hours=hours_ago)).astimezone(UTC).replace(tzinfo=None)
        with self.engine.begin() as conn:
            for kind in kinds:
                conn.execute(insert(schema.imports).values(kind=kind, source="test", finished_at=at,
                                                           rows_inserted=1, rows_updated=0, max_date=None))


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(workspace=workspace(), socket_mode=False) as f:
        yield f


@pytest.fixture
def bench(fake: FakeSlack, engine: Engine) -> Bench:
    return Bench(fake, engine, Clock(datetime(2026, 11, 21, 9, 0, tzinfo=TZ)))


@pytest.fixture
def sqlite_bench(fake: FakeSlack, sqlite_engine: Engine) -> Bench:
    """For tests whose subject is not the database (rendering, charts): SQLite only."""
    return Bench(fake, sqlite_engine, Clock(datetime(2026, 11, 21, 9, 0, tzinfo=TZ)))


@pytest.fixture
def events_url(sqlite_bench: Bench) -> Iterator[str]:
    """The real Bolt app on HTTP for the bench's workspace: click buttons at this URL."""
    deps = sqlite_bench.deps
    app = create_app(deps)
    server = HttpServer(wsgi_app(app, deps), host="127.0.0.1", port=0, threads=2).start()
    yield server.url + "/slack/events"
    app.listener_runner.listener_executor.shutdown(wait=True)
    server.stop()
