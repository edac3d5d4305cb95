"""Alert buttons through the real Bolt app over signed HTTP: state in the DB, the original message edited."""

from __future__ import annotations

from datetime import timedelta

from bot.app import create_app
from bot.server import HttpServer, wsgi_app
from handlers.views import alerts as views
from metrics import alerts
from metrics.clock import utc_naive
from tests.jobs.clicks import click, status_line
from tests.jobs.conftest import APPROVER, OPS, SUPPLY, Bench
from tests.jobs.conftest import ROI_SHOP as SHOP
from tests.jobs.stock_shop import load
from tests.metrics.fixtures import load_shop


def test_acknowledge_and_snooze_update_state_and_the_message(sqlite_bench: Bench, events_url: str) -> None:
    bench = sqlite_bench
    load(bench.engine)
    bench.imported("inventory", "orders")
    bench.run("stock-alerts")
    [msg] = bench.posts(SUPPLY)
    click(bench, events_url, views.ACK, "stock:SKU-A", SUPPLY, msg["ts"], APPROVER)
    bench.fake.wait_for("chat.update")
    line = str(status_line(bench, SUPPLY, msg["ts"], "stock:SKU-A"))
    assert f"Acknowledged by <@{APPROVER}> at 2026-11-21 09:00" in line
    click(bench, events_url, views.SNOOZE, "stock:SKU-B", SUPPLY, msg["ts"], APPROVER)
    bench.fake.wait_for("chat.update", 2)
    assert "until 2026-11-22 09:00" in str(status_line(bench, SUPPLY, msg["ts"], "stock:SKU-B"))
    line_a = status_line(bench, SUPPLY, msg["ts"], "stock:SKU-A")
    assert line_a["type"] == "context"  # the first click's edit survived the second
    with bench.engine.connect() as conn:
        a, b = alerts.get(conn, "stock:SKU-A"), alerts.get(conn, "stock:SKU-B")
    assert a is not None and a.status == alerts.ACKNOWLEDGED and a.acted_by == APPROVER
    assert b is not None and b.snoozed_until == utc_naive(bench.clock.now) + timedelta(hours=24)


def test_only_an_operations_approver_can_resume_a_paused_channel(sqlite_bench: Bench, events_url: str) -> None:
    bench = sqlite_bench
    load_shop(bench.engine, SHOP)
    bench.imported("orders", "ad_spend")
    bench.overrides = {"roi_floor": "1000"}
    bench.run("roi-guard")
    msg = bench.posts(OPS)[0]
    key = next(b["block_id"] for b in msg["blocks"] if b.get("block_id", "").startswith("act:"))[4:]
    click(bench, events_url, views.RESUME, key, OPS, msg["ts"], "U0ALICE")
    [refusal] = bench.fake.wait_for("response_url")
    assert "Only operations approvers" in refusal.args["body"]["text"]
    with bench.engine.connect() as conn:
        assert key.removeprefix("roi:") in alerts.paused_channels(conn)
    click(bench, events_url, views.RESUME, key, OPS, msg["ts"], APPROVER)
    bench.fake.wait_for("chat.update")
    assert f"Resumed by <@{APPROVER}>" in str(status_line(bench, OPS, msg["ts"], key))
    with bench.engine.connect() as conn:
        assert key.removeprefix("roi:") not in alerts.paused_channels(conn)


def test_an_operations_approver_listed_through_a_group_can_resume(sqlite_bench: Bench) -> None:
    # budget expanded user groups, the Resume button did not: the same person could release money
    # but not resume a channel
    bench = sqlite_bench
    bench.fake.workspace.usergroups["S0OPSTEAM"] = ["U0OLI"]
    bench.overrides = {"ops_approvers": "S0OPSTEAM", "roi_floor": "1000"}
    load_shop(bench.engine, SHOP)
    bench.imported("orders", "ad_spend")
    bench.run("roi-guard")
    msg = bench.posts(OPS)[0]
    key = next(b["block_id"] for b in msg["blocks"] if b.get("block_id", "").startswith("act:"))[4:]
    deps = bench.deps
    app = create_app(deps)
    server = HttpServer(wsgi_app(app, deps), host="127.0.0.1", port=0, threads=2).start()
    try:
        url = server.url + "/slack/events"
        click(bench, url, views.RESUME, key, OPS, msg["ts"], "U0ALICE")  # not in the group
        [refusal] = bench.fake.wait_for("response_url")
        assert "Only operations approvers" in refusal.args["body"]["text"]
        click(bench, url, views.RESUME, key, OPS, msg["ts"], "U0OLI")
        bench.fake.wait_for("chat.update")
    finally:
        app.listener_runner.listener_executor.shutdown(wait=True)
        server.stop()
    assert "Resumed by <@U0OLI>" in str(status_line(bench, OPS, msg["ts"], key))
    with bench.engine.connect() as conn:
        assert key.removeprefix("roi:") not in alerts.paused_channels(conn)


def test_an_outsider_cannot_acknowledge_or_snooze_an_alert(sqlite_bench: Bench, events_url: str) -> None:
    # tried: a user with no role snoozed alerts; now only the responders of the alert's kind may
    bench = sqlite_bench
    load(bench.engine)
    bench.imported("inventory", "orders")
    bench.run("stock-alerts")
    [msg] = bench.posts(SUPPLY)
    before = bench.fake.message(SUPPLY, msg["ts"])["blocks"]
    for action in (views.ACK, views.SNOOZE):
        click(bench, events_url, action, "stock:SKU-B", SUPPLY, msg["ts"], "U0ALICE")
    refusals = bench.fake.wait_for("response_url", 2)
    assert all("Only the responders for stock alerts" in r.args["body"]["text"] for r in refusals)
    assert f"<@{APPROVER}>" in refusals[0].args["body"]["text"]
    with bench.engine.connect() as conn:
        state = alerts.get(conn, "stock:SKU-B")
    assert state is not None and state.status == alerts.OPEN and state.acted_by is None
    assert state.snoozed_until is None
    assert bench.fake.message(SUPPLY, msg["ts"])["blocks"] == before
    assert bench.fake.calls("chat.update") == []


def test_responders_per_kind_replace_the_default(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    bench.fake.workspace.usergroups["S0STOCK"] = ["U0ALICE"]
    bench.overrides = {"alert_responders": "stock=S0STOCK"}
    load(bench.engine)
    bench.imported("inventory", "orders")
    bench.run("stock-alerts")
    [msg] = bench.posts(SUPPLY)
    deps = bench.deps
    app = create_app(deps)
    server = HttpServer(wsgi_app(app, deps), host="127.0.0.1", port=0, threads=2).start()
    try:
        url = server.url + "/slack/events"
        click(bench, url, views.ACK, "stock:SKU-A", SUPPLY, msg["ts"], APPROVER)  # an approver, not listed
        [refusal] = bench.fake.wait_for("response_url")
        assert "Only the responders" in refusal.args["body"]["text"]
        click(bench, url, views.ACK, "stock:SKU-A", SUPPLY, msg["ts"], "U0ALICE")  # in the stock group
        bench.fake.wait_for("chat.update")
    finally:
        app.listener_runner.listener_executor.shutdown(wait=True)
        server.stop()
    with bench.engine.connect() as conn:
        state = alerts.get(conn, "stock:SKU-A")
    assert state is not None and state.acted_by == "U0ALICE"


def test_a_failed_edit_is_told_and_the_message_repaired_at_the_next_click(sqlite_bench: Bench,
                                                                           events_url: str) -> None:
    # seen: the database changed, chat.update failed, and the card kept its buttons with nobody told
    bench = sqlite_bench
    load(bench.engine)
    bench.imported("inventory", "orders")
    bench.run("stock-alerts")
    [msg] = bench.posts(SUPPLY)
    bench.fake.fail_next("chat.update", error="cant_update_message")
    click(bench, events_url, views.ACK, "stock:SKU-A", SUPPLY, msg["ts"], APPROVER)
    [told] = bench.fake.wait_for("response_url")
    assert "Done and recorded, but Slack did not take the edit" in told.args["body"]["text"]
    assert "act:stock:SKU-A" in {b.get("block_id") for b in bench.fake.message(SUPPLY, msg["ts"])["blocks"]
                                 if b["type"] == "actions"}  # Slack still shows the buttons
    with bench.engine.connect() as conn:
        state = alerts.get(conn, "stock:SKU-A")
    assert state is not None and state.status == alerts.ACKNOWLEDGED
    click(bench, events_url, views.ACK, "stock:SKU-A", SUPPLY, msg["ts"], APPROVER)  # the stale button, again
    bench.fake.wait_for("response_url", 2)
    line = status_line(bench, SUPPLY, msg["ts"], "stock:SKU-A")
    assert line["type"] == "context" and f"Acknowledged by <@{APPROVER}>" in str(line)
