"""Alert buttons through the real Bolt app over signed HTTP: state in the DB, the original message edited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.sandbox import block_action
from handlers.views import alerts as views
from jobs.context import utc_naive
from metrics import alerts
from tests.jobs.conftest import APPROVER, OPS, SUPPLY, Bench
from tests.jobs.test_roi_guard import SHOP
from tests.jobs.test_stock_alerts import load
from tests.metrics.fixtures import load_shop


def click(bench: Bench, url: str, action: str, key: str, channel: str, ts: str, user: str) -> None:
    status, _ = block_action(url, "secret", action, key, fake=bench.fake, user_id=user, channel_id=channel,
                             message_ts=ts)
    assert status == 200


def status_line(bench: Bench, channel: str, ts: str, key: str) -> dict[str, Any]:
    return next(b for b in bench.fake.message(channel, ts)["blocks"] if b.get("block_id") == f"act:{key}")


def test_acknowledge_and_snooze_update_state_and_the_message(sqlite_bench: Bench, events_url: str) -> None:
    bench = sqlite_bench
    load(bench.engine)
    bench.imported("inventory", "orders")
    bench.run("stock-alerts")
    [msg] = bench.posts(SUPPLY)
    click(bench, events_url, views.ACK, "stock:SKU-A", SUPPLY, msg["ts"], "U0ALICE")
    bench.fake.wait_for("chat.update")
    assert "Acknowledged by <@U0ALICE> at 2026-11-21 09:00" in str(status_line(bench, SUPPLY, msg["ts"], "stock:SKU-A"))
    click(bench, events_url, views.SNOOZE, "stock:SKU-B", SUPPLY, msg["ts"], "U0ALICE")
    bench.fake.wait_for("chat.update", 2)
    assert "until 2026-11-22 09:00" in str(status_line(bench, SUPPLY, msg["ts"], "stock:SKU-B"))
    line_a = status_line(bench, SUPPLY, msg["ts"], "stock:SKU-A")
    assert line_a["type"] == "context"  # the first click's edit survived the second
    with bench.engine.connect() as conn:
        a, b = alerts.get(conn, "stock:SKU-A"), alerts.get(conn, "stock:SKU-B")
    assert a is not None and a.status == alerts.ACKNOWLEDGED and a.acted_by == "U0ALICE"
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
