"""The sandbox page's API without a browser: what the composer, buttons, modals and user switcher send
reaches a real Bolt app as signed Slack requests, and what the app answers shows up in the page state."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.cli_demo import allocations, budget_total
from bot.sandbox.team import APPROVALS, FINANCE_HEAD, OPS_HEAD, OUTSIDER, REPORTS, REQUESTER, SLACKBOT_ID
from bot.sandbox.web import Sandbox
from bot.server import HttpServer

Json = dict[str, Any]


@dataclass
class Page:
    """What the page's JavaScript does, over HTTP."""

    sandbox: Sandbox

    def get(self, path: str) -> tuple[int, bytes, str]:
        try:
            with urllib.request.urlopen(self.sandbox.url + path.lstrip("/"), timeout=30) as resp:
                return int(resp.status), resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            return int(exc.code), exc.read(), exc.headers.get("Content-Type", "")

    def state(self, user: str, since: str = "", wait: float = 0) -> Json:
        status, body, _ = self.get(f"sandbox/api/state?user={user}&since={since}&wait={wait}")
        assert status == 200, body
        data: Json = json.loads(body)
        return data

    def post(self, endpoint: str, **body: Any) -> Json:
        req = urllib.request.Request(
            self.sandbox.url + "sandbox/api/" + endpoint,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                data: Json = json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            data = json.loads(exc.read())
        return data

    def until(self, user: str, check: Callable[[Json], Any], timeout: float = 10) -> Json:
        """Long-poll the state like the page does until `check(state)` is truthy."""
        deadline = time.monotonic() + timeout
        state = self.state(user)
        while not check(state):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"state never matched; last: {json.dumps(state)[:2000]}")
            state = self.state(user, since=state["version"], wait=min(left, 2))
        return state


def channel(state: Json, channel_id: str) -> Json:
    found: Json = next(c for c in state["channels"] if c["id"] == channel_id)
    return found


def texts(state: Json, channel_id: str) -> list[str]:
    return [str(m["text"]) for m in channel(state, channel_id)["messages"]]


def ephemeral_texts(state: Json, channel_id: str) -> list[str]:
    return [str(m["text"]) for m in state["ephemerals"].get(channel_id, [])]


FORM_VIEW: Json = {
    "type": "modal",
    "callback_id": "amount_form",
    "title": {"type": "plain_text", "text": "Request"},
    "submit": {"type": "plain_text", "text": "Send"},
    "private_metadata": "from-test",
    "blocks": [
        {
            "type": "input",
            "block_id": "amount",
            "label": {"type": "plain_text", "text": "Amount"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}


def demo_app(client: WebClient, secret: str) -> App:
    """A small app using what ecombot uses: ack payloads, chat.postMessage, response_url, views.open."""
    app = App(client=client, signing_secret=secret, token_verification_enabled=False)

    @app.command("/hello")
    def hello(ack: Ack, command: Json, client: WebClient) -> None:
        ack()
        client.chat_postMessage(
            channel=command["channel_id"],
            text=f"Hello <@{command['user_id']}>: {command['text']}",
            blocks=[
                {"type": "header", "text": {"type": "plain_text", "text": "Hello"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*asked* {command['text']}"}},
                {"type": "actions", "block_id": "decide", "elements": [
                    {"type": "button", "action_id": "approve", "value": "42", "style": "primary",
                     "text": {"type": "plain_text", "text": "Approve"}},
                ]},
            ],
        )

    @app.command("/secret")
    def secret_command(ack: Ack) -> None:
        ack(text="only you see this")

    @app.action("approve")
    def approve(ack: Ack, body: Json, respond: Respond) -> None:
        ack()
        action = body["actions"][0]
        respond(replace_original=True, text=f"approved {action['value']} by <@{body['user']['id']}>")

    @app.command("/form")
    def form(ack: Ack, body: Json, client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=FORM_VIEW)

    @app.view("amount_form")
    def submitted(ack: Ack, body: Json, view: Json, client: WebClient) -> None:
        value = view["state"]["values"]["amount"]["value"]["value"] or ""
        if not value.isdigit():
            ack(response_action="errors", errors={"amount": "a whole number, please"})
            return
        ack()
        client.chat_postMessage(
            channel=REPORTS, text=f"{body['user']['id']} asked for {value} ({view['private_metadata']})"
        )

    return app


@pytest.fixture
def page() -> Iterator[Page]:
    with Sandbox(hints=[("/hello [text]", "/hello world", "says hello")]) as sandbox:
        client = WebClient(base_url=sandbox.api_url, token=sandbox.bot_settings()["slack_bot_token"])
        app = demo_app(client, sandbox.secret)
        server = HttpServer(SlackRequestHandler(app), host="127.0.0.1", port=0, threads=4).start()
        sandbox.connect(server.url + "/slack/events")
        try:
            yield Page(sandbox)
        finally:
            app.listener_runner.listener_executor.shutdown(wait=True)
            server.stop()


def test_the_page_and_its_assets_are_served(page: Page) -> None:
    status, body, ctype = page.get("/")
    assert status == 200 and ctype.startswith("text/html")
    assert b'id="composer-input"' in body and b"/static/app.js" in body
    for name, kind in [("app.js", "text/javascript"), ("app.css", "text/css")]:
        status, body, ctype = page.get(f"/static/{name}")
        assert status == 200 and ctype.startswith(kind) and body
    for bad in ["/static/../web.py", "/static/web.py", "/static/%2e%2e/web.py"]:
        assert page.get(bad)[0] == 404
    team = json.loads(page.get("/sandbox/api/team")[1])
    assert [p["id"] for p in team["people"]] == [REQUESTER, FINANCE_HEAD, OPS_HEAD, OUTSIDER]


def test_slash_command_from_the_composer_reaches_the_bot_and_the_reply_appears(page: Page) -> None:
    before = page.state(REQUESTER)
    assert before["bot_connected"] is True
    assert page.post("send", user=REQUESTER, channel=REPORTS, text="/hello  big  world ") == {
        "ok": True, "status": 200, "error": None,
    }
    state = page.until(REQUESTER, lambda s: texts(s, REPORTS))
    assert state["version"] != before["version"]
    [message] = channel(state, REPORTS)["messages"]
    assert message["text"] == f"Hello <@{REQUESTER}>: big  world"
    assert [b["type"] for b in message["blocks"]] == ["header", "section", "actions"]
    assert message["bot_id"]
    # the signed request carried who typed it, where, and a response_url and trigger_id of the sandbox
    call = page.sandbox.fake.calls("chat.postMessage")[0]
    assert call.args["channel"] == REPORTS
    # everyone in the channel sees a channel message
    assert texts(page.state(OUTSIDER), REPORTS) == [message["text"]]


def test_an_ack_payload_is_ephemeral_and_a_plain_message_is_posted_as_the_user(page: Page) -> None:
    assert page.post("send", user=REQUESTER, channel=REPORTS, text="/secret")["ok"]
    assert page.post("send", user=REQUESTER, channel=REPORTS, text="hi *team*")["ok"]
    mine = page.until(REQUESTER, lambda s: ephemeral_texts(s, REPORTS))
    assert ephemeral_texts(mine, REPORTS) == ["only you see this"]
    theirs = page.state(FINANCE_HEAD)
    assert ephemeral_texts(theirs, REPORTS) == []
    [posted] = channel(theirs, REPORTS)["messages"]
    assert posted["user"] == REQUESTER and posted["text"] == "hi *team*" and "bot_id" not in posted


def test_a_button_sends_block_actions_and_the_bot_replaces_the_message(page: Page) -> None:
    page.post("send", user=REQUESTER, channel=REPORTS, text="/hello budget")
    state = page.until(REQUESTER, lambda s: texts(s, REPORTS))
    [message] = channel(state, REPORTS)["messages"]
    action = {"action_id": "approve", "block_id": "decide", "type": "button", "value": "42",
              "text": {"type": "plain_text", "text": "Approve"}}
    # another person clicks: the payload names them, the response_url edits the message in place
    result = page.post("action", user=FINANCE_HEAD, channel=REPORTS, ts=message["ts"], action=action)
    assert result["ok"], result
    state = page.until(OUTSIDER, lambda s: "approved" in texts(s, REPORTS)[0])
    [edited] = channel(state, REPORTS)["messages"]
    assert edited["ts"] == message["ts"]
    assert edited["text"] == f"approved 42 by <@{FINANCE_HEAD}>"
    [response] = page.sandbox.fake.responses()
    assert response.user_id == FINANCE_HEAD and response.body["replace_original"] is True


def test_switching_user_changes_what_the_page_shows(page: Page) -> None:
    page.post("send", user=REQUESTER, channel=APPROVALS, text="/secret")
    mei = page.until(REQUESTER, lambda s: s["ephemerals"])
    fang = page.state(FINANCE_HEAD)
    assert mei["me"] == REQUESTER and fang["me"] == FINANCE_HEAD
    assert mei["version"] != fang["version"]
    # each sees the team's channels and only their own DM with the bot
    dms = {u: [c["user"] for c in page.state(u)["channels"] if c["is_im"]] for u in (REQUESTER, FINANCE_HEAD)}
    assert dms == {REQUESTER: [REQUESTER], FINANCE_HEAD: [FINANCE_HEAD]}
    names = [c["name"] for c in fang["channels"] if not c["is_im"]]
    assert {"ecom-reports", "ecom-ops", "supply-chain", "crisis", "budget-approvals"} <= set(names)
    assert ephemeral_texts(mei, APPROVALS) == ["only you see this"] and fang["ephemerals"] == {}
    titles = {p["id"]: p["title"] for p in fang["people"]}
    assert "finance" in titles[FINANCE_HEAD].lower() and "operations" in titles[OPS_HEAD].lower()
    # the bot and Slackbot are not people one can be
    for nobody in ("U0ECOMBOT", SLACKBOT_ID, "U0NOBODY", ""):
        assert page.get(f"/sandbox/api/state?user={nobody}")[0] == 400
        assert page.post("send", user=nobody, channel=REPORTS, text="/hello")["ok"] is False


def test_a_modal_opens_for_whoever_ran_the_command_and_submits_view_submission(page: Page) -> None:
    assert page.post("send", user=OPS_HEAD, channel=REPORTS, text="/form")["ok"]
    state = page.until(OPS_HEAD, lambda s: s["modals"])
    [view] = state["modals"]
    assert view["title"]["text"] == "Request" and view["errors"] == {}
    assert page.state(REQUESTER)["modals"] == []

    bad = {"amount": {"value": {"type": "plain_text_input", "value": "lots"}}}
    assert page.post("submit", user=OPS_HEAD, view_id=view["id"], values=bad)["ok"]
    [still] = page.state(OPS_HEAD)["modals"]
    assert still["errors"] == {"amount": "a whole number, please"}

    good = {"amount": {"value": {"type": "plain_text_input", "value": "500"}}}
    assert page.post("submit", user=OPS_HEAD, view_id=view["id"], values=good)["ok"]
    state = page.until(OPS_HEAD, lambda s: texts(s, REPORTS))
    assert state["modals"] == []
    assert texts(state, REPORTS) == [f"{OPS_HEAD} asked for 500 (from-test)"]


def test_cancel_closes_a_modal(page: Page) -> None:
    page.post("send", user=REQUESTER, channel=REPORTS, text="/form")
    [view] = page.until(REQUESTER, lambda s: s["modals"])["modals"]
    assert page.post("close", user=REQUESTER, view_id=view["id"])["ok"]
    assert page.state(REQUESTER)["modals"] == []


def test_failures_are_told_like_slack_does(page: Page) -> None:
    # a command the app does not handle: Bolt answers 404, Slack says so to the user alone
    result = page.post("send", user=REQUESTER, channel=REPORTS, text="/nope x")
    assert result == {"ok": False, "status": 404, "error": "http_client_error"}
    [notice] = page.state(REQUESTER)["ephemerals"][REPORTS]
    assert notice["user"] == SLACKBOT_ID and notice["text"] == '/nope failed with the error "http_client_error"'
    # the bot gone: dispatch_failed
    page.sandbox.connect("http://127.0.0.1:9/slack/events")
    assert page.post("send", user=REQUESTER, channel=REPORTS, text="/hello")["error"] == "dispatch_failed"
    assert page.post("send", user=REQUESTER, channel="C0NOPE", text="/hello")["error"] == "channel_not_found"


def test_a_long_poll_answers_as_soon_as_something_changes(page: Page) -> None:
    first = page.state(REQUESTER)
    got: list[Json] = []
    waiter = threading.Thread(target=lambda: got.append(page.state(REQUESTER, since=first["version"], wait=20)))
    started = time.monotonic()
    waiter.start()
    time.sleep(0.3)
    assert not got  # nothing changed yet: still waiting
    page.post("send", user=FINANCE_HEAD, channel=REPORTS, text="anyone?")
    waiter.join(timeout=10)
    assert got and time.monotonic() - started < 5
    assert texts(got[0], REPORTS) == ["anyone?"]
    # unchanged: the same version comes back after the wait
    again = page.state(REQUESTER, since=got[0]["version"], wait=0.3)
    assert again["version"] == got[0]["version"]


def test_demo_budget_fits_the_shop() -> None:
    assert budget_total(Decimal("468123.45")) == 600_000
    assert budget_total(Decimal(0)) == 100_000
    split = allocations(Decimal(480_000), {"douyin": Decimal(300), "tmall": Decimal(100), "jd": Decimal(200)})
    assert split == {"douyin": Decimal(240_000), "tmall": Decimal(80_000), "jd": Decimal(160_000)}
    assert sum(allocations(Decimal(100_000), {"a": Decimal(1), "b": Decimal(2)}).values()) <= 100_000


def test_jobs_offered_by_the_demo_run_from_the_page_and_report_back(page: Page) -> None:
    sandbox = page.sandbox
    assert page.post("run_job", user=REQUESTER, name="daily-report")["error"] == "unknown_job"  # none offered yet
    release = threading.Event()
    runs: list[str] = []

    def run(name: str) -> str:
        # what a job does: post through the sandbox's Web API, then say how it went
        release.wait(10)
        client = WebClient(base_url=sandbox.api_url, token=sandbox.bot_settings()["slack_bot_token"])
        client.chat_postMessage(channel=REPORTS, text=f"{name} ran")
        runs.append(name)
        return "ok — 1 message(s) posted"

    sandbox.offer_jobs([{"name": "daily-report", "summary": "yesterday's figures", "cron": "0 9 * * *"}], run)
    state = page.state(REQUESTER)
    assert state["jobs"] == [{"name": "daily-report", "summary": "yesterday's figures", "cron": "0 9 * * *",
                              "last": ""}]
    assert page.post("run_job", user=REQUESTER, name="daily-report") == {"ok": True, "status": 202, "error": None}
    busy = page.post("run_job", user=REQUESTER, name="daily-report")
    assert busy["ok"] is False and busy["error"] == "already_running"  # a second click while it runs
    assert page.post("run_job", user=REQUESTER, name="nope")["error"] == "unknown_job"
    release.set()
    state = page.until(REQUESTER, lambda s: s["jobs"][0]["last"].startswith("ok"))
    assert "daily-report ran" in texts(state, REPORTS) and runs == ["daily-report"]


def test_a_failing_job_says_so_on_the_page(page: Page) -> None:
    def run(name: str) -> str:
        raise RuntimeError("REPORTS_CHANNEL is not set")

    page.sandbox.offer_jobs([{"name": "weekly-report", "summary": "", "cron": "30 9 * * 1"}], run)
    assert page.post("run_job", user=REQUESTER, name="weekly-report")["ok"] is True
    state = page.until(REQUESTER, lambda s: s["jobs"][0]["last"].startswith("failed"))
    assert "REPORTS_CHANNEL is not set" in state["jobs"][0]["last"]
