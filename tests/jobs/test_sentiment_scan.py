"""sentiment-scan and escalation-timers (SPEC §7): levels and routes, posted once, growth, re-escalation, RCA.

Expected counts come from the fixture rows in plain Python (`negative_in_window`), not from the job.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.config import ConfigError, load_settings
from handlers.views import alerts as alert_views
from handlers.views import escalation as views
from metrics import alerts, schema, sentiment
from metrics.clock import utc_naive
from metrics.db import upsert
from metrics.escalation import Limits
from tests.jobs.clicks import click, status_line
from tests.jobs.conftest import APPROVER, CRISIS, CRISIS_GROUP, CS, OPS, TZ, Bench
from tests.untrusted import HOSTILE, assert_shown_not_obeyed

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=TZ)
COMPLAINT = "质量太差了，做工粗糙，用了一周就坏了"  # topic: quality
ALLERGY = "用了两天就过敏了，脸上起红疹"  # topic: safety
LATE = "物流太慢了，等了一个星期"  # topic: logistics


def review(rid: str, *, sku: str | None, hours_ago: float, text: str = COMPLAINT, rating: int | None = 1,
           followers: int | None = None, channel: str = "tmall") -> dict[str, Any]:
    local = NOW - timedelta(hours=hours_ago)
    return {"review_id": rid, "channel": channel, "sku": sku, "created_at": local.astimezone(UTC).replace(tzinfo=None),
            "created_date": local.date(), "text": text, "rating": rating, "author_followers": followers,
            "sentiment": sentiment.score(text), "topic": sentiment.topic(text)}


def add(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        upsert(conn, schema.reviews, rows)


def name_skus(engine: Engine, names: dict[str, str]) -> None:
    with engine.begin() as conn:
        upsert(conn, schema.inventory, [{"sku": sku, "as_of": NOW.date(), "name": name, "category": None,
                                         "on_hand": 100, "lead_time_days": 7, "unit_cost_cents": None}
                                        for sku, name in names.items()])


def negative_in_window(rows: list[dict[str, Any]], sku: str, now: datetime) -> int:
    """The SPEC rule, by hand: rating ≤ 2 negative, ≥ 4 not, otherwise the text score decides."""
    end = now.astimezone(UTC).replace(tzinfo=None)
    start = end - timedelta(hours=24)

    def negative(r: dict[str, Any]) -> bool:
        if r["rating"] is not None and r["rating"] != 3:
            return bool(r["rating"] <= 2)
        return bool(r["sentiment"] < 0.5)

    return sum(1 for r in rows if r["sku"] == sku and start < r["created_at"] <= end and negative(r))


def block_text(message: dict[str, Any]) -> str:
    return str(message.get("text", "")) + " " + str(message.get("blocks", ""))


def card_count(message: dict[str, Any], key: str) -> str:
    body = next(b for b in message["blocks"] if b.get("block_id") == f"alert:{key}")
    return str(body["text"]["text"])


# -- routes and levels ---------------------------------------------------------------------------------------


def incident_rows() -> list[dict[str, Any]]:
    rows = [review(f"A{i}", sku="SKU-A", hours_ago=i * 0.9) for i in range(1, 23)]  # 22 in 24 h → Level Ⅰ
    rows += [review("A-old", sku="SKU-A", hours_ago=30)]  # outside the window
    rows += [review("A-happy", sku="SKU-A", hours_ago=2, text="很好用，非常满意", rating=5)]
    rows += [review(f"B{i}", sku="SKU-B", hours_ago=i, text=LATE) for i in range(1, 7)]  # 6 → Level Ⅱ
    rows += [review("B-3star", sku="SKU-B", hours_ago=1.5, text="还可以吧，中规中矩", rating=3)]
    rows += [review(f"C{i}", sku="SKU-C", hours_ago=i, rating=2) for i in (1, 5)]  # 2 → Level Ⅲ
    rows += [review(f"D{i}", sku="SKU-D", hours_ago=i, text=LATE) for i in (2, 3)]  # 2 → Level Ⅲ
    return rows


def test_each_level_goes_to_its_channel_once(bench: Bench) -> None:
    rows = incident_rows()
    add(bench.engine, rows)
    name_skus(bench.engine, {"SKU-A": "保湿面霜 50g", "SKU-B": "洁面乳"})
    result = bench.run("sentiment-scan")
    assert result.status == "ok", result.detail

    [card] = bench.posts(CRISIS)
    a_count = negative_in_window(rows, "SKU-A", NOW)
    assert a_count == 22
    assert f"<!subteam^{CRISIS_GROUP}>" in card["text"]  # the notification pages the crisis group
    assert "保湿面霜 50g (SKU-A)" in card["blocks"][0]["text"]["text"]
    assert f"*{a_count}* negative reviews" in card_count(card, "sentiment:sku:SKU-A")
    assert "20" in card_count(card, "sentiment:sku:SKU-A")  # says which threshold made it Level Ⅰ
    text = block_text(card)
    assert "Acknowledge by *2026-11-21 10:00* (1 h)" in text
    assert "first response by 2026-11-21 13:00" in text and "solution by 2026-11-22 09:00" in text
    assert "Pre-approved response · quality" in text and "replace or refund it within 24 hours" in text
    actions = next(b for b in card["blocks"] if b.get("block_id") == "act:sentiment:sku:SKU-A")
    assert [e["action_id"] for e in actions["elements"]] == [alert_views.ACK, alert_views.RESOLVE, alert_views.SNOOZE]
    assert all(e["value"] == "sentiment:sku:SKU-A" for e in actions["elements"])

    [ops_card] = bench.posts(OPS)
    assert f"*{negative_in_window(rows, 'SKU-B', NOW)}* negative reviews" in card_count(ops_card, "sentiment:sku:SKU-B")
    assert "subteam" not in block_text(ops_card)
    assert "Pre-approved response · logistics" in block_text(ops_card)

    [digest] = bench.posts(CS)
    lines = [b for b in digest["blocks"] if str(b.get("block_id", "")).startswith("alert:")]
    assert [b["block_id"] for b in lines] == ["alert:sentiment:sku:SKU-C", "alert:sentiment:sku:SKU-D"]
    assert "2 minor" in digest["text"]

    calls = len(bench.fake.calls("chat.postMessage"))
    again = bench.run("sentiment-scan")
    assert again.status == "empty"
    assert len(bench.fake.calls("chat.postMessage")) == calls  # nothing changed: nothing posted
    with bench.engine.connect() as conn:
        state = alerts.of_kind(conn, "sentiment")
    assert {k: a.severity for k, a in state.items()} == {
        "sentiment:sku:SKU-A": "critical", "sentiment:sku:SKU-B": "warning",
        "sentiment:sku:SKU-C": "info", "sentiment:sku:SKU-D": "info"}


@pytest.mark.parametrize(("case", "rows", "level"), [
    ("one safety complaint", [review("S1", sku="SKU-S", hours_ago=1, text=ALLERGY)], 1),
    ("an author with 120k followers", [review("F1", sku="SKU-F", hours_ago=1, followers=120_000)], 1),
    ("an author with 12k followers", [review("F1", sku="SKU-F", hours_ago=1, followers=12_000)], 2),
    ("a social post, no SKU", [review("W1", sku=None, hours_ago=1, rating=None, channel="weibo",
                                      text="这家的面霜用了烂脸，过敏了", followers=300)], 1),
])
def test_the_other_level_rules(sqlite_bench: Bench, case: str, rows: list[dict[str, Any]], level: int) -> None:
    add(sqlite_bench.engine, rows)
    sqlite_bench.run("sentiment-scan")
    channel = {1: CRISIS, 2: OPS}[level]
    assert len(sqlite_bench.posts(channel)) == 1, case
    other = {1: OPS, 2: CRISIS}[level]
    assert sqlite_bench.posts(other) == [], case


def test_thresholds_come_from_the_environment(sqlite_bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    add(sqlite_bench.engine, [review(f"B{i}", sku="SKU-B", hours_ago=i, text=LATE) for i in range(1, 4)])
    monkeypatch.setenv("SENTIMENT_L2_COUNT", "3")
    sqlite_bench.run("sentiment-scan")
    [card] = sqlite_bench.posts(OPS)
    assert "(threshold 3)" in block_text(card)


def test_a_bad_threshold_stops_start_up_with_its_name(sqlite_bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    # it used to pass start-up and fail every run; the same line in .env was ignored altogether
    monkeypatch.setenv("SENTIMENT_L1_COUNT", "lots")
    with pytest.raises(ConfigError, match="SENTIMENT_L1_COUNT: expected a whole number"):
        sqlite_bench.run("sentiment-scan")
    assert sqlite_bench.fake.messages(CRISIS) == []


def test_thresholds_in_dotenv_are_read(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("SENTIMENT_L2_COUNT=3\nJOB_SEND_EMPTY=daily-report\nCAMPAIGN_UV_DROP=0.4\n"
                      "MONTHLY_GMV_TARGETS=2026-11=100000\nLOG_LEVEL=debug\n", encoding="utf-8")
    settings = load_settings(_env_file=dotenv)
    assert Limits.from_settings(settings).l2_count == 3
    assert settings.job_send_empty == ("daily-report",) and settings.campaign_uv_drop == Decimal("0.4")
    assert settings.monthly_gmv_targets == {"2026-11": Decimal(100000)} and settings.log_level == "DEBUG"


def test_no_channel_to_post_to_is_a_clear_failure(sqlite_bench: Bench) -> None:
    add(sqlite_bench.engine, [review("S1", sku="SKU-S", hours_ago=1, text=ALLERGY)])
    sqlite_bench.overrides = {"crisis_channel": None, "ops_channel": None}
    result = sqlite_bench.run("sentiment-scan")
    assert result.status == "failed" and "CRISIS_CHANNEL or OPS_CHANNEL is not set" in result.detail


# -- later reviews ---------------------------------------------------------------------------------------------


def level_two(bench: Bench) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Six late-delivery complaints: a Level Ⅱ card in ops; ten minutes later."""
    rows = [review(f"B{i}", sku="SKU-B", hours_ago=i, text=LATE) for i in range(1, 7)]
    add(bench.engine, rows)
    bench.run("sentiment-scan")
    [card] = bench.posts(OPS)
    bench.clock.advance(minutes=10)
    return rows, card


def test_later_reviews_update_the_card_and_its_thread(bench: Bench) -> None:
    rows, card = level_two(bench)
    more = [review(f"B-new{i}", sku="SKU-B", hours_ago=-0.05 * (i + 1), text=LATE) for i in range(3)]
    add(bench.engine, more)
    bench.run("sentiment-scan")
    assert len(bench.posts(OPS)) == 1  # no second card
    [note] = bench.replies(OPS)
    assert note["thread_ts"] == card["ts"]
    now_count = negative_in_window(rows + more, "SKU-B", bench.clock.now)
    assert "3 more negative review(s)" in note["text"] and f"{now_count} in the last 24 h" in note["text"]
    edited = bench.fake.message(OPS, card["ts"])
    assert f"*{now_count}* negative reviews" in card_count(edited, "sentiment:sku:SKU-B")
    calls = len(bench.fake.calls("chat.postMessage"))
    bench.clock.advance(minutes=10)
    bench.run("sentiment-scan")
    assert len(bench.fake.calls("chat.postMessage")) == calls


def test_a_rise_in_level_posts_a_new_card_in_the_crisis_channel(bench: Bench) -> None:
    rows, ops_card = level_two(bench)
    more = [review(f"B-new{i}", sku="SKU-B", hours_ago=-0.1, text=LATE) for i in range(15)]
    add(bench.engine, more)
    assert negative_in_window(rows + more, "SKU-B", bench.clock.now) >= 20
    bench.run("sentiment-scan")
    [crisis_card] = bench.posts(CRISIS)
    assert "Level Ⅰ" in crisis_card["blocks"][0]["text"]["text"]
    status = next(b for b in bench.fake.message(OPS, ops_card["ts"])["blocks"]
                  if b.get("block_id") == "act:sentiment:sku:SKU-B")
    assert status["type"] == "context" and "Level Ⅰ" in str(status)


def test_an_active_incident_does_not_drop_a_level_as_reviews_age(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    add(bench.engine, [review(f"A{i}", sku="SKU-A", hours_ago=0.1 * i) for i in range(1, 21)])
    bench.run("sentiment-scan")
    assert len(bench.posts(CRISIS)) == 1
    bench.clock.advance(hours=23, minutes=55)
    add(bench.engine, [review("A-late", sku="SKU-A", hours_ago=-23.9)])  # now only 1 in the window
    bench.run("sentiment-scan")
    assert len(bench.posts(CRISIS)) == 1 and bench.posts(OPS) == [] and bench.posts(CS) == []
    assert len(bench.replies(CRISIS)) == 1  # the new review is told in the thread
    with bench.engine.connect() as conn:
        state = alerts.get(conn, "sentiment:sku:SKU-A")
    assert state is not None and state.severity == "critical"


def test_a_resolved_incident_speaks_again_only_for_newer_reviews(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    add(bench.engine, [review(f"B{i}", sku="SKU-B", hours_ago=i, text=LATE) for i in range(1, 7)])
    bench.run("sentiment-scan")
    with bench.engine.begin() as conn:
        alerts.resolve(conn, "sentiment:sku:SKU-B", user="U0ALICE", now_utc=NOW.astimezone(UTC).replace(tzinfo=None))
    bench.clock.advance(minutes=10)
    bench.run("sentiment-scan")
    assert len(bench.posts(OPS)) == 1
    add(bench.engine, [review("B-again", sku="SKU-B", hours_ago=-0.1, text=LATE)])
    bench.clock.advance(minutes=10)
    bench.run("sentiment-scan")
    assert len(bench.posts(OPS)) == 2


def test_level_three_closes_by_itself_after_a_quiet_day(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    add(bench.engine, [review("C1", sku="SKU-C", hours_ago=1, rating=2)])
    bench.run("sentiment-scan")
    [digest] = bench.posts(CS)
    bench.clock.advance(hours=22)  # the review is 23 h old: still live
    bench.run("sentiment-scan")
    with bench.engine.connect() as conn:
        state = alerts.get(conn, "sentiment:sku:SKU-C")
        assert state is not None and state.active
    bench.clock.advance(hours=1, minutes=10)
    bench.run("sentiment-scan")
    with bench.engine.connect() as conn:
        state = alerts.get(conn, "sentiment:sku:SKU-C")
        assert state is not None and state.status == alerts.RESOLVED
    assert "No new negative reviews" in str(bench.fake.message(CS, digest["ts"])["blocks"])


# -- timers ------------------------------------------------------------------------------------------------------


def level_one(bench: Bench) -> dict[str, Any]:
    add(bench.engine, [review("S1", sku="SKU-S", hours_ago=0.5, text=ALLERGY)])
    bench.run("sentiment-scan")
    [card] = bench.posts(CRISIS)
    return card


def test_level_one_unacknowledged_for_an_hour_is_re_escalated_once(bench: Bench) -> None:
    card = level_one(bench)
    bench.clock.advance(minutes=59)
    assert bench.run("escalation-timers").status == "empty"
    bench.clock.advance(minutes=2)
    assert bench.run("escalation-timers").status == "ok"
    [again] = bench.replies(CRISIS)
    assert again["thread_ts"] == card["ts"] and again.get("subtype") == "thread_broadcast"
    assert f"<!subteam^{CRISIS_GROUP}>" in again["text"] and f"<@{APPROVER}>" in again["text"]
    bench.clock.advance(minutes=5)
    assert bench.run("escalation-timers").status == "empty"
    assert len(bench.replies(CRISIS)) == 1


def test_an_acknowledged_incident_is_not_re_escalated(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    level_one(bench)
    with bench.engine.begin() as conn:
        alerts.acknowledge(conn, "sentiment:sku:SKU-S", user="U0ALICE",
                           now_utc=NOW.astimezone(UTC).replace(tzinfo=None) + timedelta(minutes=20))
    bench.clock.advance(hours=2)
    assert bench.run("escalation-timers").status == "empty"
    bench.clock.advance(hours=23)
    bench.run("escalation-timers")
    [late] = bench.replies(CRISIS)
    assert "24 h" in late["text"] and "<@U0ALICE>" in late["text"]  # the owner hears the solution target passed


def test_root_cause_report_reminders_after_resolution(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    card = level_one(bench)
    resolved_at = NOW.astimezone(UTC).replace(tzinfo=None) + timedelta(minutes=30)
    with bench.engine.begin() as conn:
        alerts.resolve(conn, "sentiment:sku:SKU-S", user="U0CAROL", now_utc=resolved_at)
    bench.clock.advance(minutes=35)
    bench.run("escalation-timers")
    [due] = bench.replies(CRISIS)
    assert due["thread_ts"] == card["ts"] and "<@U0CAROL>" in due["text"]
    assert "2026-11-24 09:30" in due["text"]  # resolved 09:30 local + 72 h
    assert any(e["action_id"] == views.RCA for b in due["blocks"] for e in b.get("elements", []) if "action_id" in e)
    bench.clock.advance(hours=47, minutes=50)  # 09:25 on the 23rd: not yet
    assert bench.run("escalation-timers").status == "empty"
    bench.clock.advance(minutes=10)  # within 24 h of the due time: reminded
    bench.run("escalation-timers")
    assert len(bench.replies(CRISIS)) == 2 and "reminder" in bench.replies(CRISIS)[1]["text"]
    bench.clock.advance(hours=24)
    bench.run("escalation-timers")
    assert "overdue" in bench.replies(CRISIS)[2]["text"]
    bench.clock.advance(hours=1)
    assert bench.run("escalation-timers").status == "empty"


def test_a_filed_report_stops_the_reminders(sqlite_bench: Bench) -> None:
    from metrics.escalation import file_rca

    bench = sqlite_bench
    level_one(bench)
    at = NOW.astimezone(UTC).replace(tzinfo=None)
    with bench.engine.begin() as conn:
        alerts.resolve(conn, "sentiment:sku:SKU-S", user="U0CAROL", now_utc=at)
    bench.run("escalation-timers")
    with bench.engine.begin() as conn:
        assert file_rca(conn, "sentiment:sku:SKU-S", user="U0CAROL", now_utc=at) is not None
        assert file_rca(conn, "sentiment:sku:SKU-S", user="U0CAROL", now_utc=at) is None  # once
    bench.clock.advance(hours=80)
    assert bench.run("escalation-timers").status == "empty"


# -- buttons, through the real Bolt app over signed HTTP ----------------------------------------------------


def test_resolve_then_root_cause_filed_by_button(sqlite_bench: Bench, events_url: str) -> None:
    bench = sqlite_bench
    bench.fake.workspace.usergroups[CRISIS_GROUP] = ["U0CAROL"]  # review incidents: the crisis group responds
    card = level_one(bench)
    key = "sentiment:sku:SKU-S"
    click(bench, events_url, alert_views.ACK, key, CRISIS, card["ts"], "U0CAROL")
    bench.fake.wait_for("chat.update")
    acked = status_line(bench, CRISIS, card["ts"], key)
    assert "Acknowledged by <@U0CAROL>" in str(acked)
    assert acked["accessory"]["action_id"] == alert_views.RESOLVE  # still someone's to resolve
    click(bench, events_url, alert_views.RESOLVE, key, CRISIS, card["ts"], "U0CAROL")
    bench.fake.wait_for("chat.update", 2)
    assert "Resolved by <@U0CAROL>" in str(status_line(bench, CRISIS, card["ts"], key))
    with bench.engine.connect() as conn:
        state = alerts.get(conn, key)
    assert state is not None and state.status == alerts.RESOLVED and state.acted_by == "U0CAROL"
    bench.clock.advance(minutes=5)
    bench.run("escalation-timers")
    [due] = bench.replies(CRISIS)
    click(bench, events_url, views.RCA, key, CRISIS, due["ts"], "U0CAROL")
    bench.fake.wait_for("chat.update", 3)
    assert "Root-cause report filed by <@U0CAROL>" in str(status_line(bench, CRISIS, due["ts"], key))
    click(bench, events_url, views.RCA, key, CRISIS, due["ts"], "U0CAROL")  # a second click changes nothing
    [told] = bench.fake.wait_for("response_url")
    assert "already" in told.args["body"]["text"]
    bench.clock.advance(hours=80)
    assert bench.run("escalation-timers").status == "empty"


def test_a_snoozed_incident_comes_back_in_its_thread_with_buttons(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    card = level_one(bench)
    with bench.engine.begin() as conn:
        alerts.snooze(conn, "sentiment:sku:SKU-S", user="U0ALICE", now_utc=NOW.astimezone(UTC).replace(tzinfo=None))
    bench.clock.advance(hours=12)
    add(bench.engine, [review("S2", sku="SKU-S", hours_ago=-11, text=ALLERGY)])  # still live 12 h later
    bench.run("sentiment-scan")
    assert [m["ts"] for m in bench.posts(CRISIS)] == [card["ts"]]
    assert all("snooze" not in r["text"] for r in bench.replies(CRISIS))  # told as growth, still snoozed
    bench.clock.advance(hours=12, minutes=10)  # the 24 h snooze is over and the incident is live
    add(bench.engine, [review("S3", sku="SKU-S", hours_ago=-24, text=ALLERGY)])
    bench.run("sentiment-scan")
    back = next(r for r in bench.replies(CRISIS) if "snooze ended" in r["text"])
    assert back["thread_ts"] == card["ts"]
    actions = next(b for b in back["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [alert_views.ACK, alert_views.RESOLVE, alert_views.SNOOZE]
    with bench.engine.connect() as conn:
        state = alerts.get(conn, "sentiment:sku:SKU-S")
    assert state is not None and state.status == alerts.OPEN


def test_re_escalation_mentions_a_group_of_approvers_as_a_group(sqlite_bench: Bench) -> None:
    # an OPS_APPROVERS entry that is a user group used to be written <@S…>, which pings nobody
    bench = sqlite_bench
    bench.overrides = {"ops_approvers": f"S0OPSTEAM,{APPROVER}"}
    level_one(bench)
    bench.clock.advance(minutes=61)
    bench.run("escalation-timers")
    [again] = bench.replies(CRISIS)
    assert "<!subteam^S0OPSTEAM>" in again["text"] and "<@S0OPSTEAM>" not in again["text"]
    assert f"<@{APPROVER}>" in again["text"]


def test_a_hostile_review_is_shown_in_the_crisis_card_not_obeyed(sqlite_bench: Bench) -> None:
    # seen: a review posted an @channel ping and a disguised link into #crisis
    bench = sqlite_bench
    add(bench.engine, [review("H1", sku="SKU-H", hours_ago=0.5, text=HOSTILE)])
    name_skus(bench.engine, {"SKU-H": "面霜 <!here>"})
    bench.run("sentiment-scan")
    [card] = bench.posts(CRISIS)
    assert_shown_not_obeyed(card)
    assert f"<!subteam^{CRISIS_GROUP}>" in card["text"]  # the bot's own mention still pings


def test_an_outsider_cannot_snooze_a_level_one_incident(sqlite_bench: Bench, events_url: str) -> None:
    # tried: a user with no role snoozed an allergy incident for 24 h
    bench = sqlite_bench
    bench.fake.workspace.usergroups[CRISIS_GROUP] = ["U0CAROL"]
    card = level_one(bench)
    key = "sentiment:sku:SKU-S"
    click(bench, events_url, alert_views.SNOOZE, key, CRISIS, card["ts"], "U0SAM")
    [refusal] = bench.fake.wait_for("response_url")
    assert "Only the responders for review-incident alerts" in refusal.args["body"]["text"]
    assert f"<!subteam^{CRISIS_GROUP}>" in refusal.args["body"]["text"]
    with bench.engine.connect() as conn:
        state = alerts.get(conn, key)
    assert state is not None and state.status == alerts.OPEN and state.snoozed_until is None
    assert bench.fake.calls("chat.update") == []


def test_resolving_a_level_one_incident_asks_first(sqlite_bench: Bench) -> None:
    card = level_one(sqlite_bench)
    [resolve] = [e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e["action_id"] == alert_views.RESOLVE]
    assert resolve["confirm"]["title"]["text"] == "Resolve this incident?"
    assert "Level Ⅰ" in resolve["confirm"]["text"]["text"]


def test_live_incidents_are_those_still_open(sqlite_bench: Bench) -> None:
    # seen: the scan's "4 live" stayed after two incidents were resolved
    bench = sqlite_bench
    add(bench.engine, [review("S1", sku="SKU-S", hours_ago=0.5, text=ALLERGY),
                       review("S2", sku="SKU-T", hours_ago=0.5, text=ALLERGY)])
    assert "2 live" in bench.run("sentiment-scan").detail
    with bench.engine.begin() as conn:
        alerts.resolve(conn, "sentiment:sku:SKU-S", user=APPROVER, now_utc=utc_naive(bench.clock.now))
    bench.clock.advance(minutes=10)
    assert "(1 live)" in bench.run("sentiment-scan").detail
