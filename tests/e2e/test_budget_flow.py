"""Contingency budget end to end: signed slash commands, button clicks and modal submissions into the real app
on waitress, answers read back from the fake Slack; every backend the `engine` fixture offers.

Expected amounts are worked out here in integer cents; ROI figures from the fixture shop rows.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, func, select

from bot.app import create_app
from bot.sandbox import FakeSlack, block_action, slash_command, view_submission
from bot.sandbox.driver import block_action_payload, post_signed
from bot.sandbox.state import BOT_NAME, BOT_USER_ID, Channel, User, Workspace
from bot.server import HttpServer, wsgi_app
from jobs.budget_expiry import expire_requests
from metrics import budget
from metrics.channels import ChannelRegistry
from metrics.runtime import Deps
from metrics.schema_budget import budget_approvals
from tests.e2e.conftest import (
    NOW,
    SECRET,
    SHOP,
    Json,
    assert_valid_blocks,
    block_text,
    drain,
    money_text,
    roi_of,
    roi_text,
    settings_for,
    window_days,
)
from tests.metrics.fixtures import load_shop
from tests.untrusted import HOSTILE, assert_shown_not_obeyed

APPROVALS, OPS_ALERTS, GENERAL = "C0APPROVALS", "C0OPSALERTS", "C0GENERAL"
MEI, FANG, OLIVER, SAM, BOTH = "U0MEI", "U0FANG", "U0OLIVER", "U0SAM", "U0BOTH"
MONTH = "2026-11"
TOTAL_CENTS = 100_000_000  # ¥1,000,000
POOL_CENTS = TOTAL_CENTS * 20 // 100  # the 20 % contingency share: ¥200,000


def yuan(cents: int) -> str:
    """How a message writes an amount, from integer cents: ¥1,234.50."""
    return f"¥{cents // 100:,}.{cents % 100:02d}"


def dm_id(user: str) -> str:
    return "D" + user[1:]


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class BudgetBot:
    fake: FakeSlack
    deps: Deps
    server: HttpServer
    clock: Clock
    seen: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url + "/slack/events"

    # -- what Slack sends ------------------------------------------------------------------------------

    def command(self, text: str, *, user: str = MEI, retry_num: int | None = None,
                trigger_id: str | None = None) -> tuple[int, str]:
        return slash_command(self.url, SECRET, "/budget", text, fake=self.fake, user_id=user, channel_id=GENERAL,
                             channel_name="general", retry_num=retry_num, trigger_id=trigger_id)

    def click(self, action_id: str, value: str, *, user: str, channel: str = APPROVALS, ts: str = "",
              retry_num: int | None = None) -> tuple[int, str]:
        return block_action(self.url, SECRET, action_id, value, fake=self.fake, user_id=user, channel_id=channel,
                            message_ts=ts, retry_num=retry_num)

    def submit(self, callback_id: str, values: dict[str, dict[str, Json]], *, user: str, view_id: str | None = None,
               retry_num: int | None = None, **fields: Any) -> tuple[int, str]:
        return view_submission(self.url, SECRET, callback_id, values, fake=self.fake, view_id=view_id,
                               user_id=user, retry_num=retry_num, **fields)

    # -- what reached Slack ------------------------------------------------------------------------------

    def new(self, method: str, count: int = 1, timeout: float = 15) -> list[Any]:
        """The next `count` calls of `method` since the last look (waits for them)."""
        before = self.seen.get(method, 0)
        calls = self.fake.wait_for(method, before + count, timeout=timeout)
        self.seen[method] = len(calls)
        return calls[before:]

    def none_new(self, method: str) -> None:
        assert len(self.fake.calls(method)) == self.seen.get(method, 0), f"unexpected {method}"

    def note(self, timeout: float = 15) -> str:
        """The next response_url body: the ephemeral note a click gets."""
        [call] = self.new("response_url", timeout=timeout)
        body = call.args["body"]
        assert body.get("response_type", "ephemeral") == "ephemeral" and not body.get("replace_original")
        return str(body.get("text", ""))

    def card(self) -> Json:
        cards = [m for m in self.fake.messages(APPROVALS) if not m.get("thread_ts")]
        assert cards, "no approval card was posted"
        return cards[-1]

    def dms(self, user: str) -> list[str]:
        try:
            return [m["text"] for m in self.fake.messages(dm_id(user))]
        except Exception:  # noqa: BLE001 - the DM channel does not exist until the bot opens it
            return []

    def pool_left_cents(self) -> int:
        left = budget.pool_left(self.deps.engine, MONTH)
        assert left is not None
        return int(left * 100)

    # -- a request, ready for clicks ---------------------------------------------------------------------

    def request(self, text: str = "50000 douyin KOL slot for 11.11 live", user: str = MEI) -> tuple[int, str]:
        """Ask by slash command; returns (request id, card ts) once the card is posted and confirmed."""
        status, body = self.command(f"request {text}", user=user)
        assert status == 200 and body == ""
        self.new("chat.postMessage")
        confirmation = self.note()
        card = self.card()
        with self.deps.engine.connect() as conn:
            [req] = [r for r in budget.pending_requests(conn) if r.card_ts == card["ts"]]
        assert f"#{req.id}" in confirmation
        return req.id, str(card["ts"])


def _workspace() -> Workspace:
    return Workspace(
        channels=[Channel(APPROVALS, "budget-approvals"), Channel(OPS_ALERTS, "ops-alerts"),
                  Channel(GENERAL, "general")],
        users=[User(MEI, "mei", "Mei Lin"), User(FANG, "fang", "Fang Zhou"), User(OLIVER, "oliver", "Oliver Wu"),
               User(SAM, "sam", "Sam Guest"), User(BOTH, "bo", "Bo Both"),
               User(BOT_USER_ID, BOT_NAME, "ecombot", is_bot=True)],
    )


BotFactory = Callable[..., BudgetBot]


@pytest.fixture
def start_budget_bot() -> Iterator[BotFactory]:
    with ExitStack() as stack:

        def start(engine: Engine, fake: FakeSlack | None = None, locale: str = "en", **overrides: Any) -> BudgetBot:
            if fake is None:
                fake = stack.enter_context(FakeSlack(workspace=_workspace(), port=0, socket_mode=False))
            clock = Clock()
            settings = settings_for(fake, engine, approvals_channel=APPROVALS, finance_approvers=f"{FANG},{BOTH}",
                                    ops_approvers=f"{OLIVER},{BOTH}", **overrides)
            settings = settings.model_copy(update={"bot_locale": locale})
            if locale != "en":  # what the asker sees comes in their own Slack language
                for user_id, user in list(fake.workspace.users.items()):
                    fake.workspace.users[user_id] = dataclasses.replace(user, locale="zh-CN")
            deps = Deps(settings, engine, ChannelRegistry(), clock=clock)
            app = create_app(deps)
            server = HttpServer(wsgi_app(app, deps), host="127.0.0.1", port=0, threads=6).start()
            stack.callback(lambda: threading.Thread(target=server.stop, daemon=True).start())
            stack.callback(drain, app)
            return BudgetBot(fake, deps, server, clock)

        yield start


@pytest.fixture
def bot(engine: Engine, start_budget_bot: BotFactory) -> BudgetBot:
    load_shop(engine, SHOP)
    budget.set_period(engine, MONTH, budget.parse_amount("1000000"), share=Decimal("0.20"), actor="cli:test",
                      now=NOW)
    return start_budget_bot(engine)


def at_once(*clicks: Callable[[], object]) -> None:
    """Send the clicks from threads released together by a barrier; return when all were answered."""
    barrier = threading.Barrier(len(clicks))

    def go(click: Callable[[], object]) -> None:
        barrier.wait(timeout=10)
        click()

    threads = [threading.Thread(target=go, args=(c,)) for c in clicks]
    for th in threads:
        th.start()
    for th in threads:
        th.join()


def readable(blocks: list[Json]) -> str:
    """What a person reads on a message; buttons are checked apart (`_has_buttons`)."""
    return block_text([b for b in blocks if b["type"] != "actions"])


def _has_buttons(message: Json) -> bool:
    return any(b["type"] == "actions" for b in message.get("blocks") or [])


def _roi3() -> str:
    value = roi_of(SHOP, "douyin", window_days(3))
    assert value is not None
    return roi_text(value)


# -- the happy path ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [(FANG, OLIVER), (OLIVER, FANG)], ids=["finance-then-ops", "ops-then-finance"])
def test_request_released_after_both_approvals(bot: BudgetBot, order: tuple[str, str]) -> None:
    request_id, ts = bot.request()
    amount = 5_000_000
    card = bot.card()
    assert_valid_blocks(card["blocks"])
    shown = readable(card["blocks"])
    assert f"*Requested by*\n<@{MEI}>" in shown
    assert f"*Amount*\n{yuan(amount)}" in shown and "*Channel*\nDouyin" in shown
    assert "KOL slot for 11.11 live" in shown
    assert f"{yuan(POOL_CENTS)} → {yuan(POOL_CENTS - amount)}" in shown
    assert f"*ROI (3d) at request*\n{_roi3()}" in shown
    assert _has_buttons(card)

    first, second = order
    assert bot.click("budget_approve", str(request_id), user=first, ts=ts)[0] == 200
    assert "You approved" in bot.note()
    [update] = bot.new("chat.update")
    assert update.args["ts"] == ts
    card = bot.card()
    shown = readable(card["blocks"])
    role = "Finance" if first == FANG else "Operations"
    assert f"{role} approved by <@{first}>" in shown and "Waiting for" in shown
    assert f"{_roi3()}  (at request {_roi3()})" in shown  # ROI recomputed at the click, next to the old one
    assert _has_buttons(card) and bot.pool_left_cents() == POOL_CENTS
    assert any("was approved" in m for m in bot.dms(MEI))

    bot.click("budget_approve", str(request_id), user=second, ts=ts)
    assert "is released" in bot.note()
    bot.new("chat.update")
    card = bot.card()
    assert_valid_blocks(card["blocks"])
    shown = readable(card["blocks"])
    assert "*Released*" in shown and f"Pool left now {yuan(POOL_CENTS - amount)}" in shown
    assert f"<@{FANG}>" in shown and f"<@{OLIVER}>" in shown
    assert not _has_buttons(card)
    assert any("is released" in m for m in bot.dms(MEI))
    assert bot.pool_left_cents() == POOL_CENTS - amount
    with bot.deps.engine.connect() as conn:
        kinds = [e.kind for e in budget.events(conn, MONTH)]
    assert kinds == ["period_set", "requested", "approved", "approved", "released"]

    # a click on the final card (and Slack's retry of it) changes nothing and says so
    for retry in (None, 1):
        bot.click("budget_approve", str(request_id), user=second, ts=ts, retry_num=retry)
        assert "already released" in bot.note()
    bot.none_new("chat.update")
    assert bot.pool_left_cents() == POOL_CENTS - amount


# -- who may click -------------------------------------------------------------------------------------------


def test_self_outsider_and_one_person_in_both_roles_are_refused(bot: BudgetBot) -> None:
    request_id, ts = bot.request("1000 tmall restock ads")
    bot.click("budget_approve", str(request_id), user=MEI, ts=ts)
    assert "your own request" in bot.note()
    bot.click("budget_approve", str(request_id), user=SAM, ts=ts)
    assert "Only finance and operations approvers" in bot.note()
    bot.click("budget_reject", str(request_id), user=SAM, ts=ts)
    assert "Only finance and operations approvers" in bot.note()
    bot.none_new("chat.update")
    bot.none_new("views.open")

    bot.click("budget_approve", str(request_id), user=BOTH, ts=ts)
    assert "You approved" in bot.note()
    bot.new("chat.update")
    bot.click("budget_approve", str(request_id), user=BOTH, ts=ts)
    assert "one person cannot sign for both" in bot.note()
    bot.none_new("chat.update")
    assert _has_buttons(bot.card()) and bot.pool_left_cents() == POOL_CENTS
    with bot.deps.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(budget_approvals)).scalar_one() == 1


def test_requester_who_is_an_approver_cannot_approve_their_own(bot: BudgetBot) -> None:
    request_id, ts = bot.request("1000 jd live room", user=FANG)
    bot.click("budget_approve", str(request_id), user=FANG, ts=ts)
    assert "your own request" in bot.note()
    bot.none_new("chat.update")


# -- reject --------------------------------------------------------------------------------------------------


def test_reject_asks_for_a_reason_and_ends_the_request(bot: BudgetBot) -> None:
    request_id, ts = bot.request()
    bot.click("budget_reject", str(request_id), user=OLIVER, ts=ts)
    [opened] = bot.new("views.open")
    view_id = max(bot.fake.workspace.views)
    assert opened.args["view"]["callback_id"] == "budget_reject_modal"

    status, body = bot.submit("budget_reject_modal", {"reason": {"value": {"type": "plain_text_input",
                                                                            "value": "   "}}},
                              user=OLIVER, view_id=view_id)
    assert status == 200 and json.loads(body)["response_action"] == "errors"
    assert "reason" in json.loads(body)["errors"]
    assert bot.card()["blocks"] and _has_buttons(bot.card())

    values = {"reason": {"value": {"type": "plain_text_input", "value": "ROI below floor, wait a week"}}}
    status, body = bot.submit("budget_reject_modal", values, user=OLIVER, view_id=view_id)
    assert status == 200 and body == ""
    [note] = bot.new("chat.postEphemeral")
    assert "You rejected" in note.args["text"]
    bot.new("chat.update")
    card = bot.card()
    shown = readable(card["blocks"])
    assert f"*Rejected* by <@{OLIVER}>" in shown and "ROI below floor, wait a week" in shown
    assert not _has_buttons(card)
    assert any("rejected" in m and "ROI below floor" in m for m in bot.dms(MEI))

    # Slack retries the submission: nothing changes, a polite note
    status, _ = bot.submit("budget_reject_modal", values, user=OLIVER, view_id=view_id, retry_num=1)
    assert status == 200
    [again] = bot.new("chat.postEphemeral")
    assert "already rejected" in again.args["text"]
    bot.none_new("chat.update")
    bot.click("budget_approve", str(request_id), user=FANG, ts=ts)
    assert "already rejected" in bot.note()
    assert bot.pool_left_cents() == POOL_CENTS


# -- expiry --------------------------------------------------------------------------------------------------


def test_requests_expire_after_48_hours(bot: BudgetBot) -> None:
    request_id, ts = bot.request()
    bot.click("budget_approve", str(request_id), user=FANG, ts=ts)
    bot.note()
    bot.new("chat.update")
    client = WebClient(base_url=bot.fake.api_url, token="xoxb-test")
    bot.clock.now = NOW + timedelta(hours=47, minutes=59)
    assert expire_requests(bot.deps, client) == 0
    bot.clock.now = NOW + timedelta(hours=48)
    assert expire_requests(bot.deps, client) == 1
    bot.new("chat.update")
    card = bot.card()
    assert "*Expired*" in readable(card["blocks"]) and not _has_buttons(card)
    assert any("expired" in m for m in bot.dms(MEI))
    bot.click("budget_approve", str(request_id), user=OLIVER, ts=ts)
    assert "already expired" in bot.note()
    assert expire_requests(bot.deps, client) == 0
    bot.none_new("chat.update")
    assert bot.pool_left_cents() == POOL_CENTS


def test_a_click_after_the_deadline_expires_the_request(bot: BudgetBot) -> None:
    request_id, ts = bot.request()
    bot.clock.now = NOW + timedelta(hours=49)
    bot.click("budget_approve", str(request_id), user=FANG, ts=ts)
    assert "has expired" in bot.note()
    bot.new("chat.update")
    assert not _has_buttons(bot.card())
    assert bot.pool_left_cents() == POOL_CENTS


# -- double clicks and retries -------------------------------------------------------------------------------


def test_double_clicks_and_slack_retries_count_once(bot: BudgetBot) -> None:
    request_id, ts = bot.request()
    at_once(*(lambda n=n: bot.click("budget_approve", str(request_id), user=FANG, ts=ts, retry_num=n)
              for n in (None, None, 1, 2)))
    notes = [c.args["body"]["text"] for c in bot.new("response_url", 4)]
    assert sum("You approved" in n for n in notes) == 1
    assert sum("already approved" in n for n in notes) == 3
    time.sleep(0.3)
    assert len(bot.fake.calls("chat.update")) == 1
    assert sum("was approved" in m for m in bot.dms(MEI)) == 1
    with bot.deps.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(budget_approvals)).scalar_one() == 1


# -- garbage -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "abc", "-1", "1.5", "99999", "1" * 40, '{"id": 1}', "１"])
def test_garbage_button_values_change_nothing(bot: BudgetBot, value: str) -> None:
    request_id, ts = bot.request()
    for action in ("budget_approve", "budget_reject"):
        status, _ = bot.click(action, value, user=FANG, ts=ts)
        assert status == 200
        text = bot.note()
        assert "not valid" in text or "does not exist" in text
    bot.none_new("chat.update")
    bot.none_new("views.open")
    with bot.deps.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(budget_approvals)).scalar_one() == 0
    assert request_id > 0


def test_garbage_payloads_are_refused_without_a_trace(bot: BudgetBot) -> None:
    # envelopes Bolt itself cannot read (not JSON, an empty `actions` list, no user) are refused in front
    # of Bolt (bot/slack_guard.py): a 400 and one warning line, and the app keeps serving
    for raw in ("not json", "{}", json.dumps({"type": "block_actions", "actions": []}),
                json.dumps({"type": "block_actions", "actions": [{"action_id": "budget_approve"}]})):
        status, _ = post_signed(bot.url, SECRET, urlencode({"payload": raw}))
        assert status == 400
    # a click without a user or trigger: the note goes nowhere, nothing breaks, nothing changes
    payload = block_action_payload("budget_request_open", "{", user_id=FANG, channel_id=OPS_ALERTS)
    payload.pop("trigger_id")
    payload["response_url"] = bot.fake.new_response_url(channel_id=OPS_ALERTS, user_id=FANG)
    post_signed(bot.url, SECRET, urlencode({"payload": json.dumps(payload)}))
    assert "not valid" in bot.note()
    # a forged signature never reaches the listeners
    status, _ = post_signed(bot.url, "wrong-secret", urlencode({"payload": json.dumps(payload)}))
    assert status == 401
    time.sleep(0.3)
    bot.none_new("chat.update")
    assert bot.fake.calls("views.open") == []


def test_garbage_modal_submissions_get_errors_not_requests(bot: BudgetBot) -> None:
    cases: list[dict[str, dict[str, Json]]] = [
        {},
        {"amount": {"value": {"type": "plain_text_input", "value": "0.1+0.2"}}},
        {"amount": {"value": {"type": "plain_text_input", "value": "1e3"}},
         "channel": {"value": {"type": "static_select", "selected_option": {"value": "nowhere"}}},
         "reason": {"value": {"type": "plain_text_input", "value": "x"}}},
        {"amount": {"value": {"type": "plain_text_input", "value": "200000.01"}},
         "channel": {"value": {"type": "static_select", "selected_option": {"value": "douyin"}}},
         "reason": {"value": {"type": "plain_text_input", "value": "more than the pool"}}},
        {"amount": {"value": {"type": "plain_text_input", "value": "10"}},
         "channel": {"value": {"type": "static_select", "selected_option": {"value": "douyin"}}},
         "reason": {"value": {"type": "plain_text_input", "value": " "}}},
        {"amount": "nonsense", "channel": [], "reason": {"value": None}},  # type: ignore[dict-item]
    ]
    for values in cases:
        status, body = bot.submit("budget_request_modal", values, user=MEI, private_metadata="{not json")
        assert status == 200
        answer = json.loads(body)
        assert answer["response_action"] == "errors" and answer["errors"]
    over = json.loads(bot.submit("budget_request_modal", cases[3], user=MEI)[1])
    assert f"more than the {yuan(POOL_CENTS)} left" in over["errors"]["amount"]
    status, body = bot.submit("budget_reject_modal", {}, user=FANG, private_metadata="garbage")
    assert json.loads(body)["errors"]["reason"].startswith("This form is out of date")
    with bot.deps.engine.connect() as conn:
        assert budget.pending_requests(conn) == []
    assert bot.fake.messages(APPROVALS) == []


# -- the request modal, decimals -----------------------------------------------------------------------------


def _request_values(amount: str, channel: str, reason: str) -> dict[str, dict[str, Json]]:
    return {"amount": {"value": {"type": "plain_text_input", "value": amount}},
            "channel": {"value": {"type": "static_select", "selected_option": {"value": channel}}},
            "reason": {"value": {"type": "plain_text_input", "value": reason}}}


def _open_form(bot: BudgetBot) -> str:
    status, body = bot.command("request")
    assert status == 200 and body == ""
    [opened] = bot.new("views.open")
    assert opened.args["view"]["callback_id"] == "budget_request_modal"
    assert_valid_blocks(opened.args["view"]["blocks"])
    return max(bot.fake.workspace.views)


def test_the_form_and_amounts_with_floating_point_traps(bot: BudgetBot) -> None:
    for amount in ("0.1", "0.2"):
        view_id = _open_form(bot)
        status, body = bot.submit("budget_request_modal", _request_values(amount, "douyin", "tiny test"),
                                  user=MEI, view_id=view_id)
        assert status == 200 and body == ""
        bot.new("chat.postMessage")
        [confirmation] = bot.new("chat.postEphemeral")
        assert confirmation.args["channel"] == GENERAL and "is posted for approval" in confirmation.args["text"]
        # Slack retries the same submission: one request, no second card
        bot.submit("budget_request_modal", _request_values(amount, "douyin", "tiny test"), user=MEI,
                   view_id=view_id, retry_num=1)
        [again] = bot.new("chat.postEphemeral")
        assert "already submitted" in again.args["text"]
    with bot.deps.engine.connect() as conn:
        pending = budget.pending_requests(conn)
    assert [str(r.amount) for r in pending] == ["0.10", "0.20"]
    for req in pending:
        for user in (FANG, OLIVER):
            bot.click("budget_approve", str(req.id), user=user, ts=str(req.card_ts))
            bot.note()
    assert bot.pool_left_cents() == POOL_CENTS - 10 - 20
    assert f"Pool left now {yuan(POOL_CENTS - 30)}" in readable(bot.card()["blocks"])
    assert yuan(POOL_CENTS - 30) == "¥199,999.70"


# -- from the alert ------------------------------------------------------------------------------------------


def test_alert_button_opens_a_prefilled_form_and_the_card_links_back(bot: BudgetBot) -> None:
    _, alert = bot.fake.workspace.post_message(OPS_ALERTS, text="ROI floor: Douyin 1:1.52 < 1:2")
    figures = {"channel": "抖音", "roi": "1.52", "floor": "2", "spend": "1234.5", "gmv": "1876.44",
               "window": "2026-11-18..2026-11-20"}
    bot.click("budget_request_open", json.dumps(figures), user=MEI, channel=OPS_ALERTS, ts=alert["ts"])
    [opened] = bot.new("views.open")
    view = opened.args["view"]
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["channel"]["element"]["initial_option"]["value"] == "douyin"
    reason = blocks["reason"]["element"]["initial_value"]
    assert "Douyin ROI 1:1.52 is below the floor 1:2.00" in reason and "spend ¥1,234.50" in reason
    assert "GMV ¥1,876.44" in reason

    view_id = max(bot.fake.workspace.views)
    status, _ = bot.submit("budget_request_modal", _request_values("30000", "douyin", reason), user=MEI,
                           view_id=view_id)
    assert status == 200
    bot.new("chat.postMessage", 2)  # the card, and a reply in the alert's thread
    card = bot.card()
    shown = readable(card["blocks"])
    assert f"/archives/{OPS_ALERTS}/p{alert['ts'].replace('.', '')}" in shown
    [reply] = [m for m in bot.fake.thread(OPS_ALERTS, alert["ts"]) if m["ts"] != alert["ts"]]
    assert f"/archives/{APPROVALS}/p{card['ts'].replace('.', '')}" in reply["text"]
    [confirmation] = bot.new("chat.postEphemeral")
    assert confirmation.args["channel"] == OPS_ALERTS and confirmation.args["user"] == MEI


@pytest.mark.parametrize("value", ["", "not json", "[1, 2]", '{"channel": "nowhere", "roi": "NaN"}',
                                   '{"channel": "douyin", "roi": "x", "amount": "1e3"}'])
def test_alert_button_with_garbage_figures_opens_a_blank_form(bot: BudgetBot, value: str) -> None:
    _, alert = bot.fake.workspace.post_message(OPS_ALERTS, text="alert")
    bot.click("budget_request_open", value, user=MEI, channel=OPS_ALERTS, ts=alert["ts"])
    [opened] = bot.new("views.open")
    assert_valid_blocks(opened.args["view"]["blocks"])
    blocks = {b.get("block_id"): b for b in opened.args["view"]["blocks"]}
    assert "initial_value" not in blocks["amount"]["element"]


# -- /budget and /budget log ---------------------------------------------------------------------------------


def test_budget_status_and_log(bot: BudgetBot) -> None:
    budget.allocate(bot.deps.engine, MONTH, "douyin", budget.parse_amount("300000"), known=ChannelRegistry().slugs,
                    actor="cli:test", now=NOW)
    request_id, _ = bot.request("1000 tmall restock ads")
    bot.command("")
    body = bot.note()
    blocks = bot.fake.calls("response_url")[-1].args["body"]["blocks"]
    assert_valid_blocks(blocks)
    shown = readable(blocks)
    assert f"*Total* {yuan(TOTAL_CENTS)}" in shown and f"*Contingency pool* {yuan(POOL_CENTS)}" in shown
    spend = sum((s.spend for s in SHOP.spend if s.channel == "douyin" and s.day.strftime("%Y-%m") == MONTH
                 and s.day < NOW.date()), Decimal(0))
    assert f"*Douyin*  budget {yuan(30_000_000)}  ·  spent {money_text(spend)}" in shown
    assert f"#{request_id} {yuan(100_000)} for Tmall by <@{MEI}>" in shown
    assert "Budget · 2026-11" in body

    bot.command("log")
    bot.note()
    log_blocks = bot.fake.calls("response_url")[-1].args["body"]["blocks"]
    assert_valid_blocks(log_blocks)
    log_text = readable(log_blocks)
    # before: `*period_set*`, `tmall`, `allocation 0.00 → 300000.00`: the database's words, not people's
    for what in ("period set", "allocation set", "requested"):
        assert f"*{what}*" in log_text
    assert f"total {yuan(TOTAL_CENTS)} · pool {yuan(POOL_CENTS)}" in log_text
    assert f"Douyin · {yuan(0)} → {yuan(30_000_000)}" in log_text
    assert f"#{request_id} · Tmall · {yuan(100_000)} · restock ads" in log_text
    for raw in ("period_set", "allocation 0.00", "300000.00", "tmall", "20.000000%"):
        assert raw not in log_text

    for text, expected in (("log 2026-13", "not a month"), ("request 10 nowhere x", "Unknown channel"),
                           ("request 0.001 douyin x", "more than 2 decimal places"), ("bogus words", "Usage")):
        status, ack_body = bot.command(text)
        assert status == 200 and expected in json.loads(ack_body)["text"]


# -- two replicas, one pool ----------------------------------------------------------------------------------


def test_two_replicas_approving_at_once_release_only_what_the_pool_holds(
    engine: Engine, bot: BudgetBot, start_budget_bot: BotFactory
) -> None:
    replica = start_budget_bot(engine, fake=bot.fake)
    a, ts_a = bot.request("120000 douyin KOL slot")
    b, ts_b = bot.request("90000 tmall competitor response")  # together 210,000 > the 200,000 pool
    for request_id, ts in ((a, ts_a), (b, ts_b)):
        bot.click("budget_approve", str(request_id), user=FANG, ts=ts)
        bot.note()
    at_once(lambda: bot.click("budget_approve", str(a), user=OLIVER, ts=ts_a),
            lambda: replica.click("budget_approve", str(b), user=OLIVER, ts=ts_b))
    notes = [c.args["body"]["text"] for c in bot.new("response_url", 2)]
    assert sum("is released" in n for n in notes) == 1
    assert sum("nothing was released" in n for n in notes) == 1
    with engine.connect() as conn:
        released = [e for e in budget.events(conn, MONTH) if e.kind == "released"]
    [won] = released
    won_cents = 12_000_000 if won.request_id == a else 9_000_000
    assert bot.pool_left_cents() == POOL_CENTS - won_cents >= 0


# -- languages ------------------------------------------------------------------------------------------------


def test_every_budget_text_exists_in_both_languages() -> None:
    from handlers.views.texts_budget import TEXTS

    assert set(TEXTS["en"]) == set(TEXTS["zh"])
    for lang, table in TEXTS.items():
        for key, template in table.items():
            other = TEXTS["zh" if lang == "en" else "en"][key]
            # the same placeholders in both languages, so a lookup never fails in one of them
            assert sorted(_fields(template)) == sorted(_fields(other)), key


def _fields(template: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def test_the_card_in_chinese(engine: Engine, start_budget_bot: BotFactory) -> None:
    load_shop(engine, SHOP)
    budget.set_period(engine, MONTH, budget.parse_amount("1000000"), share=Decimal("0.20"), actor="cli:test",
                      now=NOW)
    zh = start_budget_bot(engine, locale="zh")
    request_id, ts = zh.request("50000 抖音 双11直播 KOL 坑位")
    card = zh.card()
    assert_valid_blocks(card["blocks"])
    shown = readable(card["blocks"])
    assert f"弹性预算申请 #{request_id}" in shown and "*渠道*\n抖音" in shown and "双11直播 KOL 坑位" in shown
    zh.click("budget_approve", str(request_id), user=SAM, ts=ts)
    assert "只有财务和运营审批人" in zh.note()


def test_hostile_reasons_are_shown_on_the_card_not_obeyed(bot: BudgetBot) -> None:
    # seen: a budget reason posted an @channel ping and a disguised link onto the approval card
    request_id, ts = bot.request(f"5000 douyin {HOSTILE}")
    assert_shown_not_obeyed(bot.card())
    bot.click("budget_reject", str(request_id), user=OLIVER, ts=ts)
    bot.new("views.open")
    view_id = max(bot.fake.workspace.views)
    values = {"reason": {"value": {"type": "plain_text_input", "value": f"no: {HOSTILE}"}}}
    status, _ = bot.submit("budget_reject_modal", values, user=OLIVER, view_id=view_id)
    assert status == 200
    bot.new("chat.update")
    assert_shown_not_obeyed(bot.card())
    for text in bot.dms(MEI):
        assert "<!channel>" not in text and "<https://evil" not in text


# -- bad input is named, not hidden behind an error id ---------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    # before: `douyin 1e9` blamed `douyin`, the word that is a channel
    ("request douyin 1e9 x", "`1e9` is not an amount"),
    ("request 1e9 douyin x", "`1e9` is not an amount"),
    # before: a NUL reached the database (PostgreSQL refuses it) and came back as an error id
    ("request 5000 douyin \x00", "reason contains a control character"),
    ("request 5000 douyin KOL\x07slot", "reason contains a control character"),
    # before: `9999-12` passed the month check and `date()` failed behind an error id
    ("9999-12", "`9999-12` is not a month (YYYY-MM between 2000-01 and 2099-12)"),
    ("log 9999-12", "`9999-12` is not a month (YYYY-MM between 2000-01 and 2099-12)"),
    ("1999-12", "`1999-12` is not a month"),
])
def test_bad_words_are_named_at_once_and_nothing_is_written(bot: BudgetBot, text: str, expected: str) -> None:
    status, body = bot.command(text)
    assert status == 200 and body, "the ack itself answers a wrong text"
    assert expected in json.loads(body)["text"]
    time.sleep(0.3)  # the lazy listener, had the ack let the text through
    assert not any("Error id" in str(c.args.get("body", {}).get("text")) for c in bot.fake.calls("response_url"))
    with bot.deps.engine.connect() as conn:
        assert budget.pending_requests(conn) == []
        assert [e.kind for e in budget.events(conn)] == ["period_set"]


def test_control_characters_in_the_modal_reason_are_refused(bot: BudgetBot) -> None:
    # before: the modal passed the NUL on to the database
    for reason in ("KOL\x00slot", "\x00", "bell\x07"):
        view_id = _open_form(bot)
        status, body = bot.submit("budget_request_modal", _request_values("5000", "douyin", reason), user=MEI,
                                  view_id=view_id)
        assert status == 200
        answer = json.loads(body)
        assert answer["response_action"] == "errors"
        assert "reason contains a control character" in answer["errors"]["reason"]
    with bot.deps.engine.connect() as conn:
        assert budget.pending_requests(conn) == []
    assert bot.fake.messages(APPROVALS) == []


# -- who may ask -------------------------------------------------------------------------------------------------

ASKERS = "S0BUDGETASKERS"


def test_budget_requesters_limits_who_may_ask(engine: Engine, start_budget_bot: BotFactory) -> None:
    # before: BUDGET_REQUESTERS did not exist; anyone could file a request
    load_shop(engine, SHOP)
    budget.set_period(engine, MONTH, budget.parse_amount("1000000"), share=Decimal("0.20"), actor="cli:test",
                      now=NOW)
    bot = start_budget_bot(engine, budget_requesters=f"{FANG},{ASKERS}")
    bot.fake.workspace.usergroups[ASKERS] = [MEI]
    assert bot.deps.settings.budget_requesters == (FANG, ASKERS)

    status, body = bot.command("request 5000 douyin KOL slot", user=SAM)
    assert status == 200
    assert "not allowed to ask for contingency budget" in bot.note()
    status, body = bot.command("request", user=SAM)
    assert "not allowed to ask for contingency budget" in bot.note()
    _, alert = bot.fake.workspace.post_message(OPS_ALERTS, text="ROI floor")
    bot.click("budget_request_open", '{"channel": "douyin"}', user=SAM, channel=OPS_ALERTS, ts=alert["ts"])
    assert "not allowed to ask for contingency budget" in bot.note()
    # a form opened before the list changed (or forged) is refused at submission too
    status, body = bot.submit("budget_request_modal", _request_values("5000", "douyin", "KOL slot"), user=SAM)
    answer = json.loads(body)
    assert answer["response_action"] == "errors" and "not allowed" in answer["errors"]["reason"]
    time.sleep(0.3)
    bot.none_new("views.open")
    with engine.connect() as conn:
        assert budget.pending_requests(conn) == [] and budget.count_events(conn) == 1
    assert bot.fake.messages(APPROVALS) == []

    # listed by id, or as a member of a listed user group
    bot.request("5000 douyin KOL slot", user=MEI)
    bot.request("6000 tmall restock", user=FANG)
    with engine.connect() as conn:
        assert {r.requester for r in budget.pending_requests(conn)} == {MEI, FANG}


def test_without_budget_requesters_anyone_may_ask(bot: BudgetBot) -> None:
    assert bot.deps.settings.budget_requesters == ()
    bot.request("5000 douyin KOL slot", user=SAM)


# -- the click that releases money asks first ----------------------------------------------------------------------


def _button(card: Json, action_id: str) -> Json:
    buttons: list[Json] = [e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
                           if e["action_id"] == action_id]
    [button] = buttons
    return button


@pytest.mark.parametrize(("locale", "words"), [("en", ("Release", "¥50,000.00", "Douyin")),
                                               ("zh", ("拨付", "¥50,000.00", "抖音"))])
def test_the_approve_that_would_release_asks_for_confirmation(
    engine: Engine, start_budget_bot: BotFactory, locale: str, words: tuple[str, ...]
) -> None:
    # before: the second Approve moved the money on one click, with no dialog
    load_shop(engine, SHOP)
    budget.set_period(engine, MONTH, budget.parse_amount("1000000"), share=Decimal("0.20"), actor="cli:test",
                      now=NOW)
    bot = start_budget_bot(engine, locale=locale)
    request_id, ts = bot.request("50000 douyin KOL slot")
    assert "confirm" not in _button(bot.card(), "budget_approve")  # the first approval moves nothing
    bot.click("budget_approve", str(request_id), user=FANG, ts=ts)
    bot.note()
    bot.new("chat.update")
    card = bot.card()
    assert_valid_blocks(card["blocks"])
    confirm = _button(card, "budget_approve")["confirm"]
    assert {"title", "text", "confirm", "deny"} <= set(confirm)
    assert all(len(confirm[k]["text"]) <= limit for k, limit in (("title", 100), ("text", 300), ("confirm", 30),
                                                                 ("deny", 30)))
    assert words[0] in confirm["title"]["text"] + confirm["confirm"]["text"]
    assert all(w in confirm["text"]["text"] for w in words[1:])
    assert "confirm" not in _button(card, "budget_reject")  # rejecting moves nothing


# -- a card edit that failed ----------------------------------------------------------------------------------------


def test_a_card_edit_that_failed_is_told_and_repaired_at_the_next_click(bot: BudgetBot) -> None:
    # before: the failure was only logged; the card kept its stale buttons until a click changed something
    request_id, ts = bot.request()
    bot.fake.fail_next("chat.update", error="cant_update_message")
    bot.click("budget_approve", str(request_id), user=FANG, ts=ts)
    note = bot.note()
    assert "You approved" in note and "the card could not be updated" in note and "error id `" in note
    bot.new("chat.update")  # the edit Slack refused
    assert f"approved by <@{FANG}>" not in readable(bot.card()["blocks"])

    # any later click, a refused one too, redraws the card from the database
    bot.click("budget_approve", str(request_id), user=SAM, ts=ts)
    assert "Only finance and operations approvers" in bot.note()
    [repair] = bot.new("chat.update")
    assert repair.args["ts"] == ts
    card = bot.card()
    assert f"Finance approved by <@{FANG}>" in readable(card["blocks"])
    assert "confirm" in _button(card, "budget_approve")
    # repaired once is enough: the next refused click edits nothing
    bot.click("budget_reject", str(request_id), user=SAM, ts=ts)
    bot.note()
    time.sleep(0.3)
    bot.none_new("chat.update")

    # the release's edit fails too: the money moved, the clicker is told, the next click removes the buttons
    bot.fake.fail_next("chat.update", error="cant_update_message")
    bot.click("budget_approve", str(request_id), user=OLIVER, ts=ts)
    note = bot.note()
    assert "is released" in note and "the card could not be updated" in note
    bot.new("chat.update")
    assert _has_buttons(bot.card()) and bot.pool_left_cents() == POOL_CENTS - 5_000_000
    bot.click("budget_approve", str(request_id), user=OLIVER, ts=ts)
    assert "already released" in bot.note()
    bot.new("chat.update")
    assert not _has_buttons(bot.card()) and "*Released*" in readable(bot.card()["blocks"])
    bot.click("budget_approve", str(request_id), user=OLIVER, ts=ts)
    bot.note()
    time.sleep(0.3)
    bot.none_new("chat.update")


# -- the card sees the rest of the pool -----------------------------------------------------------------------------


def test_the_card_counts_other_pending_requests(bot: BudgetBot) -> None:
    # before: both cards showed the pool as if the other request did not exist
    a, ts_a = bot.request("120000 douyin KOL slot")
    shown = readable(bot.card()["blocks"])
    assert f"{yuan(POOL_CENTS)} → {yuan(POOL_CENTS - 12_000_000)}" in shown and ":warning:" not in shown
    bot.request("90000 tmall competitor response")
    shown = readable(bot.card()["blocks"])
    assert f"{yuan(POOL_CENTS)} → {yuan(POOL_CENTS - 9_000_000)}" in shown
    assert f"*Other pending requests*\n1 · {yuan(12_000_000)}" in shown
    assert (f"Releasing this leaves {yuan(POOL_CENTS - 9_000_000)}, less than the {yuan(12_000_000)} "
            "the other pending requests ask for") in shown
    # card A is redrawn at its next change and now counts B
    bot.click("budget_approve", str(a), user=FANG, ts=ts_a)
    bot.note()
    [update] = bot.new("chat.update")
    shown = readable(update.args["blocks"])
    assert f"*Other pending requests*\n1 · {yuan(9_000_000)}" in shown
    assert f"leaves {yuan(POOL_CENTS - 12_000_000)}, less than the {yuan(9_000_000)}" in shown


def test_a_request_for_a_paused_channel_says_so_on_the_card(bot: BudgetBot) -> None:
    # before: the card said nothing of the ROI guard's pause
    from metrics import alerts

    with bot.deps.engine.begin() as conn:
        alerts.raise_alert(conn, key="roi:douyin", kind="roi", severity="critical", channel=OPS_ALERTS, ts="1.1",
                           detail={"channel": "douyin"}, now_utc=datetime(2026, 11, 21, 1))
    bot.request("5000 douyin KOL slot")
    assert "Douyin's spend is paused by the ROI guard" in readable(bot.card()["blocks"])
    bot.request("5000 tmall restock")
    assert "paused by the ROI guard" not in readable(bot.card()["blocks"])


def test_pool_short_is_told_to_the_requester_once(bot: BudgetBot) -> None:
    # before: every blocked click sent the requester another "nothing was released" DM
    a, ts_a = bot.request("150000 douyin KOL slot")
    b, ts_b = bot.request("100000 tmall competitor response")
    for request_id, ts in ((a, ts_a), (b, ts_b)):
        bot.click("budget_approve", str(request_id), user=FANG, ts=ts)
        bot.note()
    bot.click("budget_approve", str(a), user=OLIVER, ts=ts_a)
    assert "is released" in bot.note()
    for _ in range(3):
        bot.click("budget_approve", str(b), user=OLIVER, ts=ts_b)
        assert "nothing was released" in bot.note()  # the clicker is told every time
    time.sleep(0.3)
    assert sum("nothing was released" in m for m in bot.dms(MEI)) == 1
    assert bot.pool_left_cents() == POOL_CENTS - 15_000_000


def test_an_expired_card_that_could_not_be_edited_is_redrawn_at_the_next_click(bot: BudgetBot) -> None:
    # before: the expiry job only logged the failure (and skipped the DM); the buttons stayed for good
    request_id, ts = bot.request()
    client = WebClient(base_url=bot.fake.api_url, token="xoxb-test")
    bot.clock.now = NOW + timedelta(hours=48)
    bot.fake.fail_next("chat.update", error="cant_update_message")
    assert expire_requests(bot.deps, client) == 1
    bot.new("chat.update")
    assert _has_buttons(bot.card()) and any("expired" in m for m in bot.dms(MEI))
    bot.click("budget_approve", str(request_id), user=FANG, ts=ts)
    assert "already expired" in bot.note()
    bot.new("chat.update")
    assert not _has_buttons(bot.card()) and "*Expired*" in readable(bot.card()["blocks"])


def test_the_log_speaks_like_people_in_both_languages(engine: Engine, start_budget_bot: BotFactory) -> None:
    # before: `*approved*` with `finance` as a bare detail, `*released*` with "finance U0FANG, ops U0OLIVER"
    load_shop(engine, SHOP)
    budget.set_period(engine, MONTH, budget.parse_amount("1000000"), share=Decimal("0.20"), actor="cli:test",
                      now=NOW)
    expected = {"en": ("approved by Finance", "approved by Operations", "released", "rejected by Operations",
                       "Douyin", f"pool {yuan(POOL_CENTS)} → {yuan(POOL_CENTS - 5_000_000)}", "not now"),
                "zh": ("财务批准", "运营批准", "已拨付", "运营驳回", "抖音",
                       f"预算池 {yuan(POOL_CENTS)} → {yuan(POOL_CENTS - 5_000_000)}", "not now")}
    for locale, words in expected.items():
        with engine.begin() as conn:
            conn.execute(budget_approvals.delete())
        bot = start_budget_bot(engine, locale=locale)
        a, ts_a = bot.request("50000 douyin KOL slot")
        for user in (FANG, OLIVER):
            bot.click("budget_approve", str(a), user=user, ts=ts_a)
            bot.note()
        b, _ = bot.request("1000 douyin small test")
        budget.reject(engine, b, user=OLIVER, roles=frozenset({budget.OPS}), reason="not now", now=NOW)
        bot.command("log")
        bot.note()
        shown = readable(bot.fake.calls("response_url")[-1].args["body"]["blocks"])
        for word in words:
            assert word in shown, (locale, word)
        assert f"<@{FANG}>" in shown and "finance U0FANG" not in shown
        budget.set_period(engine, MONTH, budget.parse_amount("1000000"), share=Decimal("0.20"),
                          actor="cli:test", now=NOW)  # the pool back for the next language
