"""A slash command whose answering process died is told to its asker once, through its response_url."""

from __future__ import annotations

from datetime import timedelta

from metrics import command_claims
from metrics.clock import utc_naive
from tests.jobs.conftest import Bench


def test_a_command_left_open_is_told_once_and_a_finished_or_fresh_one_not(bench: Bench) -> None:
    # seen: a /roi whose process died after the figures but before the chart: nobody was told
    now = utc_naive(bench.clock.now)
    url = bench.fake.new_response_url(channel_id="C0GENERAL", user_id="U0ALICE")
    assert command_claims.claim(bench.engine, "cmd:T1", now_utc=now, command="/roi douyin 30d", user_id="U0ALICE",
                                response_url=url)
    assert command_claims.claim(bench.engine, "cmd:T2", now_utc=now, command="/gmv", response_url=url)
    command_claims.finish(bench.engine, "cmd:T2", now_utc=now)  # answered: nothing to say
    assert bench.run("interrupted-commands").status == "empty"  # one minute is no proof of death
    bench.clock.advance(minutes=3)
    assert command_claims.claim(bench.engine, "cmd:T3", now_utc=utc_naive(bench.clock.now), command="/stock low",
                                response_url=url)  # still being answered
    result = bench.run("interrupted-commands")
    assert result.status == "ok" and "1 asker(s) told" in result.detail
    [told] = bench.fake.calls("response_url")
    assert "`/roi douyin 30d` was interrupted" in told.args["body"]["text"]
    assert told.args["body"]["response_type"] == "ephemeral"
    bench.clock.advance(minutes=1)
    bench.run("interrupted-commands")
    assert len(bench.fake.calls("response_url")) == 1  # told once


def test_past_the_response_url_lifetime_nobody_is_told(bench: Bench) -> None:
    now = utc_naive(bench.clock.now)
    command_claims.claim(bench.engine, "cmd:OLD", now_utc=now - timedelta(hours=1), command="/roi",
                         response_url=bench.fake.new_response_url())
    assert bench.run("interrupted-commands").status == "empty"
    assert bench.fake.calls("response_url") == []
