"""`/report` builds the very message the report jobs post for the same period: text, blocks and chart."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from handlers.commands import report
from handlers.commands.kit import Invocation
from handlers.views.message import Message
from metrics.reports import posting_day
from tests.jobs.conftest import REPORTS, TZ, Bench
from tests.metrics.fixtures import load_shop, make_shop

SHOP = make_shop()


def _command(bench: Bench, text: str, locale: str) -> Message:
    deps = bench.deps
    inv = Invocation.of({"text": text, "user_id": "U0ALICE", "channel_id": "C0GENERAL"}, locale)
    message = report.answer(deps, report.parse(deps, inv.text), inv, None)  # type: ignore[arg-type]
    assert isinstance(message, Message)
    return message


def _posted(bench: Bench) -> tuple[dict[str, Any], bytes]:
    [msg] = bench.posts(REPORTS)
    [upload] = bench.fake.calls("files.completeUploadExternal")
    data = bench.fake.file_bytes(upload.args["files"][0]["id"])
    assert data is not None
    return msg, data


def _without_footer(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The blocks with the "data as of …" element left out: the one part allowed to differ."""
    out = []
    for b in blocks:
        if b["type"] == "context":
            b = {**b, "elements": [e for e in b["elements"]
                                   if not str(e.get("text", "")).startswith(("data as of", "数据截至"))]}
        out.append(b)
    return out


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize(("job", "kind", "posted_at", "as_of"), [
    ("daily-report", "daily", datetime(2026, 11, 16, 9, 0, tzinfo=TZ), date(2026, 11, 15)),
    ("weekly-report", "weekly", datetime(2026, 11, 16, 9, 30, tzinfo=TZ), date(2026, 11, 12)),
    ("monthly-report", "monthly", datetime(2026, 12, 1, 10, 0, tzinfo=TZ), date(2026, 11, 30)),
])
def test_the_command_says_what_the_job_posted(sqlite_bench: Bench, job: str, kind: str, posted_at: datetime,
                                              as_of: date, locale: str) -> None:
    bench = sqlite_bench
    bench.overrides["bot_locale"] = locale
    load_shop(bench.engine, SHOP)
    assert posting_day(kind, as_of) == posted_at.date()  # type: ignore[arg-type]
    bench.clock.set(posted_at)
    assert bench.run(job).status == "ok"
    posted, png = _posted(bench)
    # asked days later, for a date inside the period: the same report
    bench.clock.set(datetime(2026, 12, 3, 15, 0, tzinfo=TZ))
    message = _command(bench, f"{kind} {as_of.isoformat()}", locale)
    assert message.text == posted["text"]
    assert _without_footer(message.blocks) == _without_footer(posted["blocks"])
    assert message.chart is not None and message.chart.png == png


def test_without_a_date_the_command_says_what_the_job_would_post_now(sqlite_bench: Bench) -> None:
    bench = sqlite_bench
    load_shop(bench.engine, SHOP)
    bench.clock.set(datetime(2026, 11, 21, 9, 0, tzinfo=TZ))
    bench.run("daily-report")
    posted, png = _posted(bench)
    message = _command(bench, "daily", "en")
    assert message.text == posted["text"] and message.blocks == posted["blocks"]
    assert "2026-11-20" in message.text
