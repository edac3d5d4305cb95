"""`ecombot budget log` prints the same sentences as `/budget log`, plain; bad months are named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from click.testing import CliRunner, Result
from sqlalchemy import Engine

from bot.cli import main
from metrics import budget
from metrics.budget import FINANCE, OPS, NewRequest
from metrics.channels import ChannelRegistry

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


def invoke(engine: Engine, *args: str) -> Result:
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False), "BOT_TIMEZONE": "Asia/Shanghai",
           "BOT_LOCALE": "en"}
    return CliRunner().invoke(main, list(args), env=env)


def test_budget_log_speaks_like_people(engine: Engine) -> None:
    # before: `period_set`, `allocated … allocation 0.00 → 300000.00`, `douyin`, `<@U0FANG>` as printed
    budget.set_period(engine, "2026-11", Decimal("1000000"), share=Decimal("0.20"), actor="cli:test", now=NOW)
    budget.allocate(engine, "2026-11", "douyin", Decimal("300000"), known=ChannelRegistry().slugs, actor="cli:test",
                    now=NOW)
    req, _ = budget.create_request(engine, NewRequest(month="2026-11", channel="douyin", amount=Decimal("50000"),
                                                      reason="KOL <slot> & more", requester="U0MEI"),
                                   known=ChannelRegistry().slugs, now=NOW, ttl=timedelta(hours=48))
    budget.approve(engine, req.id, user="U0FANG", roles=frozenset({FINANCE}), now=NOW, roi=None)
    budget.approve(engine, req.id, user="U0OLIVER", roles=frozenset({OPS}), now=NOW, roi=None)
    result = invoke(engine, "budget", "log", "2026-11")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2026-11-21 10:00  period set  cli:test · total ¥1,000,000.00 · pool ¥200,000.00"
    assert lines[1] == "2026-11-21 10:00  allocation set  cli:test · Douyin · ¥0.00 → ¥300,000.00"
    assert lines[2] == (f"2026-11-21 10:00  requested  U0MEI · #{req.id} · Douyin · ¥50,000.00 · KOL <slot> & more")
    assert lines[3] == f"2026-11-21 10:00  approved by Finance  U0FANG · #{req.id} · Douyin · ¥50,000.00"
    assert lines[5] == (f"2026-11-21 10:00  released  U0OLIVER · #{req.id} · Douyin · ¥50,000.00 · "
                        "pool ¥200,000.00 → ¥150,000.00")
    for raw in ("period_set", "`", "*", "<@", "&amp;", "douyin"):
        assert raw not in result.output


def test_budget_log_names_a_month_out_of_range(engine: Engine) -> None:
    # before: 9999-12 passed the month check and printed "no budget events for 9999-12"
    result = invoke(engine, "budget", "log", "9999-12")
    assert result.exit_code == 2
    assert "`9999-12` is not a month (YYYY-MM between 2000-01 and 2099-12)" in result.output
