"""`/abtest`, `/rfm`, `/retention` end to end over HTTP: signed requests into the real app, answers read back
from the fake Slack, in English and Chinese. Expected figures are worked out here from the fixture rows."""

from __future__ import annotations

import dataclasses
import io
import json
import math
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date, timedelta
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import Engine

from bot.app import create_app
from bot.sandbox import FakeSlack, slash_command
from bot.server import HttpServer, wsgi_app
from metrics import schema
from metrics.db import upsert
from tests.e2e.conftest import (
    PNG_SIGNATURE,
    SECRET,
    TODAY,
    Bot,
    Json,
    assert_valid_blocks,
    block_text,
    make_deps,
    posted,
    shared_files,
)
from tests.metrics.fixtures import Shop, load_shop
from tests.metrics.test_retention import _random_lines
from tests.metrics.test_rfm import pandas_rfm

LINES = _random_lines()
JUNE = "2026-06-01..2026-06-30"
EXPERIMENT_DAY = TODAY - timedelta(days=14)
# checkout-button: B converts at 3.6 % vs 3.0 % over 14 days of 1,500 visitors a day per variant
CHECKOUT = [(v, EXPERIMENT_DAY + timedelta(days=i), 1500, c, c * 9900)
            for i in range(14) for v, c in (("control", 45 + i % 3), ("B", 54 + i % 4))]


def _load(engine: Engine) -> None:
    load_shop(engine, Shop(LINES, [], []))
    rows: list[tuple[str, str, date, int, int, int | None]] = [
        ("checkout-button", v, d, n, c, r) for v, d, n, c, r in CHECKOUT]
    rows += [("coupon-199", "control", EXPERIMENT_DAY, 800, 20, None),
             ("solo-banner", "control", EXPERIMENT_DAY, 500, 10, None)]
    with engine.begin() as conn:
        upsert(conn, schema.experiments, [
            {"experiment": e, "variant": v, "date": d, "visitors": n, "conversions": c, "revenue_cents": r}
            for e, v, d, n, c, r in rows])


@dataclasses.dataclass
class AnalysisBot:
    bot: Bot

    def run(self, command: str, text: str, *, channel_id: str = "C0GENERAL") -> tuple[int, str]:
        return slash_command(self.bot.events_url, SECRET, command, text, fake=self.bot.fake,
                             channel_id=channel_id, channel_name="general")

    def answer(self) -> Json:
        """The one message posted in #general after its chart was uploaded."""
        self.bot.fake.wait_for("files.completeUploadExternal", timeout=30)
        [message] = posted(self.bot.fake, "C0GENERAL")
        assert_valid_blocks(message["blocks"])
        [shared] = shared_files(self.bot.fake, "C0GENERAL")
        data = self.bot.fake.file_bytes(shared["id"])
        assert data is not None and data.startswith(PNG_SIGNATURE)
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
        return message

    def ephemeral(self) -> str:
        """The one response_url answer (a refusal found with the database at hand); nothing is posted."""
        self.bot.fake.wait_for("response_url", timeout=30)
        self.bot.drain()
        [response] = self.bot.fake.responses()
        assert response.response_type == "ephemeral"
        assert posted(self.bot.fake, "C0GENERAL") == [] and shared_files(self.bot.fake, "C0GENERAL") == []
        body = response.body
        assert isinstance(body, dict)
        return str(body["text"])


Factory = Callable[..., AnalysisBot]


@pytest.fixture
def start() -> Iterator[Factory]:
    with ExitStack() as stack:

        def go(engine: Engine, locale: str = "en") -> AnalysisBot:
            _load(engine)
            fake = stack.enter_context(FakeSlack(port=0, socket_mode=False))
            deps = make_deps(fake, engine)
            deps = dataclasses.replace(deps, settings=deps.settings.model_copy(update={"bot_locale": locale}))
            if locale == "zh":  # the asker's own Slack language answers what they asked
                for user_id, user in list(fake.workspace.users.items()):
                    fake.workspace.users[user_id] = dataclasses.replace(user, locale="zh-CN")
            app = create_app(deps)
            server = HttpServer(wsgi_app(app, deps), host="127.0.0.1", port=0, threads=4).start()
            bot = Bot(fake, app, deps, server)
            stack.callback(server.stop)
            stack.callback(bot.drain)
            return AnalysisBot(bot)

        yield go


def _p(c1: int, n1: int, c0: int, n0: int) -> str:
    pooled = (c1 + c0) / (n1 + n0)
    z = (c1 / n1 - c0 / n0) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    return f"p = {math.erfc(abs(z) / math.sqrt(2)):#.2g}".replace("e-0", "e-")


def _checkout_totals() -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for v, _, n, c, _ in CHECKOUT:
        a, b = out.get(v, (0, 0))
        out[v] = (a + n, b + c)
    return out


# -- /abtest ---------------------------------------------------------------------------------------


def test_abtest_names_the_winner_with_its_p_value(engine: Engine, start: Factory) -> None:
    bot = start(engine)
    assert bot.run("/abtest", "checkout-button") == (200, "")
    message = bot.answer()
    totals = _checkout_totals()
    (n0, c0), (n1, c1) = totals["control"], totals["B"]
    p = _p(c1, n1, c0, n0)
    readable = block_text(message["blocks"])
    assert f"*B wins ({p})*" in readable
    assert message["text"] == f"A/B test · checkout-button: B wins ({p})"
    lift = (c1 / n1) / (c0 / n0) - 1
    assert f"{lift * 100:+.1f}%" in readable and f"{n1:,}" in readable and f"{c0 / n0 * 100:.2f}%" in readable
    assert "¥" in readable  # revenue per visitor


def test_abtest_in_chinese_and_the_list(sqlite_engine: Engine, start: Factory) -> None:
    bot = start(sqlite_engine, "zh")
    assert bot.run("/abtest", "checkout-button") == (200, "")
    message = bot.answer()
    totals = _checkout_totals()
    p = _p(totals["B"][1], totals["B"][0], totals["control"][1], totals["control"][0])
    assert f"*B 胜出（{p}）*" in block_text(message["blocks"])
    bot.bot.fake.reset()
    assert bot.run("/abtest", "") == (200, "")
    bot.bot.fake.wait_for("chat.postMessage", timeout=30)
    listing = posted(bot.bot.fake, "C0GENERAL")[-1]  # reset() forgets the calls, not the channel's history
    readable = block_text(listing["blocks"])
    assert "*checkout-button* — 进行中" in readable and f"B 胜出（{p}）" in readable
    assert "*solo-banner*" in readable and "只有一个版本" in readable


@pytest.mark.parametrize(("typed", "said"), [
    ("checkout-buton", "Unknown experiment `checkout-buton`. Did you mean `checkout-button`? Known experiments: "
                       "`checkout-button`, `coupon-199`, `solo-banner`."),
    ("solo-banner", "Experiment `solo-banner` has one variant only (`control`); an A/B test needs at least two"),
])
def test_abtest_refusals_are_ephemeral(sqlite_engine: Engine, start: Factory, typed: str, said: str) -> None:
    bot = start(sqlite_engine)
    assert bot.run("/abtest", typed) == (200, "")
    assert said in bot.ephemeral()


def test_abtest_refusal_in_chinese(sqlite_engine: Engine, start: Factory) -> None:
    bot = start(sqlite_engine, "zh")
    bot.run("/abtest", "checkout-buton")
    assert "未知实验 `checkout-buton`。你是想输入 `checkout-button` 吗？" in bot.ephemeral()


# -- /rfm ------------------------------------------------------------------------------------------


SEGMENT_EN = {"cant-lose": "Can't lose (高价值沉睡用户)", "lost": "Lost (已流失用户)", "loyal": "Loyal (忠诚用户)"}
SEGMENT_ZH = {"cant-lose": "高价值沉睡用户", "lost": "已流失用户", "loyal": "忠诚用户"}  # no English beside them in zh


def test_rfm_segments_match_pandas(engine: Engine, start: Factory) -> None:
    bot = start(engine)
    assert bot.run("/rfm", "2026-06-30") == (200, "")
    message = bot.answer()
    expected = pandas_rfm(LINES, date(2026, 6, 30))
    counts = expected["segment"].value_counts()
    readable = block_text(message["blocks"])
    assert f"*{len(expected):,}* buyers" in readable
    for slug, label in SEGMENT_EN.items():
        if slug in counts:
            assert f"*{label}* · {counts[slug]:,} buyers" in readable
    assert "High-value sleeping: a new-product trial coupon" in readable
    assert "equal values share a score" in readable


def test_rfm_in_chinese_for_one_channel(sqlite_engine: Engine, start: Factory) -> None:
    bot = start(sqlite_engine, "zh")
    assert bot.run("/rfm", "天猫 2026-06-30") == (200, "")
    message = bot.answer()
    expected = pandas_rfm(LINES, date(2026, 6, 30), "tmall")["segment"].value_counts()
    readable = block_text(message["blocks"])
    assert "RFM 分层 · 天猫 · 截至 2026-06-30" in message["text"]
    for slug, label in SEGMENT_ZH.items():
        if slug in expected:
            assert f"*{label}* · {expected[slug]:,} 人" in readable
    assert "凑单满减券" in readable or "新品体验券" in readable


def test_rfm_before_any_order_is_refused(sqlite_engine: Engine, start: Factory) -> None:
    bot = start(sqlite_engine)
    bot.run("/rfm", "2020-01-01")
    first = min(ln.day for ln in LINES if ln.status != "cancelled")
    assert bot.ephemeral() == (f"No orders on or before 2020-01-01, so there are no buyers to score. "
                               f"The first order is on {first}.")


@pytest.mark.parametrize(("typed", "said"), [
    ("douyn", "Did you mean `douyin`?"),
    ("2030-01-01", "`2030-01-01` is in the future"),
    ("2026-02-30", "`2026-02-30` is not a date"),
    ("tmall 2026-01-01 x", "too many arguments"),
])
def test_rfm_bad_text_is_answered_in_the_ack(sqlite_engine: Engine, start: Factory, typed: str, said: str) -> None:
    bot = start(sqlite_engine)
    status, body = bot.run("/rfm", typed)
    assert status == 200
    answer = json.loads(body)
    assert answer["response_type"] == "ephemeral" and said in answer["text"]
    bot.bot.drain()
    assert bot.bot.api_calls() == []


# -- /retention ------------------------------------------------------------------------------------


def _june_mix() -> tuple[int, int, int]:
    live = [ln for ln in LINES if ln.status != "cancelled" and ln.day <= date(2026, 6, 30)]
    buyers = {ln.customer for ln in live if ln.day >= date(2026, 6, 1)}
    orders: dict[str, set[tuple[str, str]]] = {}
    first: dict[str, date] = {}
    for ln in live:
        orders.setdefault(ln.customer, set()).add((ln.channel, ln.order_id))
        first[ln.customer] = min(first.get(ln.customer, ln.day), ln.day)
    return len(buyers), sum(len(orders[c]) >= 2 for c in buyers), sum(first[c] >= date(2026, 6, 1) for c in buyers)


def _june_cohort_size() -> int:
    live = [ln for ln in LINES if ln.status != "cancelled"]
    first: dict[str, date] = {}
    for ln in live:
        first[ln.customer] = min(first.get(ln.customer, ln.day), ln.day)
    return sum(1 for d in first.values() if (d.year, d.month) == (2026, 6))


def test_retention_repurchase_cohorts_and_ltv(engine: Engine, start: Factory) -> None:
    _check_retention(start(engine), "en")


def test_retention_in_chinese(sqlite_engine: Engine, start: Factory) -> None:
    _check_retention(start(sqlite_engine, "zh"), "zh")


def _check_retention(bot: AnalysisBot, locale: str) -> None:
    assert bot.run("/retention", JUNE) == (200, "")
    message = bot.answer()
    buyers, repeat, new = _june_mix()
    rate = f"{Decimal(repeat) / buyers * 100:.1f}%"
    readable = block_text(message["blocks"])
    if locale == "en":
        assert f"*Repurchase rate* {rate} — {repeat} of {buyers} buyers in {JUNE}" in readable
        assert f"*New buyers* {new} · *returning* {buyers - new}" in readable
        assert "first orders before 2026-04-01 / 2026-01-01 / 2025-07-01" in readable
    else:
        assert f"*复购率* {rate} — {JUNE} 的 {buyers} 名买家中有 {repeat} 人" in readable
        assert "首单早于 2026-04-01 / 2026-01-01 / 2025-07-01" in readable
    june = next(line for line in readable.splitlines() if line.startswith("2026-06 "))
    assert june.split()[1] == f"{_june_cohort_size():,}"
