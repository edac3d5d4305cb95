"""The scheduled reports in both languages (BOT_LOCALE): in zh no English word is left in the text, the chart
or the stale-data and "data as of" lines (sources named 订单, 流量, 广告花费), and large amounts are written in
万; in en the same amounts are exact. Two large orders put the day, the week and the month above ¥10万."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from handlers.views import charts_style
from tests.blocks import block_text
from tests.chinese import assert_chart_in_chinese, english_words, wan
from tests.jobs.conftest import REPORTS, TZ, Bench
from tests.metrics.fixtures import load_shop, make_shop

BASE = make_shop()
SHOP = replace(BASE, lines=[
    *BASE.lines,
    replace(BASE.lines[0], channel="douyin", order_id="BIG-1", day=date(2026, 11, 12), paid=Decimal("1234567.00")),
    replace(BASE.lines[0], channel="tmall", order_id="BIG-2", day=date(2026, 11, 20), paid=Decimal("876543.21")),
])
# job, when it runs, the days it covers
RUNS = {
    "daily-report": (datetime(2026, 11, 21, 9, tzinfo=TZ), date(2026, 11, 20), date(2026, 11, 20)),
    "weekly-report": (datetime(2026, 11, 16, 9, tzinfo=TZ), date(2026, 11, 9), date(2026, 11, 15)),
    "monthly-report": (datetime(2026, 12, 1, 9, tzinfo=TZ), date(2026, 11, 1), date(2026, 11, 30)),
}


def _gmv(start: date, end: date) -> Decimal:
    return sum((ln.paid for ln in SHOP.lines if start <= ln.day <= end and ln.status != "cancelled"), Decimal(0))


def _report(bench: Bench, job: str, locale: str) -> tuple[str, list[object]]:
    load_shop(bench.engine, SHOP)
    bench.overrides = {**bench.overrides, "bot_locale": locale}
    bench.clock.set(RUNS[job][0])
    with charts_style.captured() as figures:
        assert bench.run(job).status == "ok"
    [message] = bench.posts(REPORTS)
    return block_text(message["blocks"]) + "\n" + message["text"], list(figures)


@pytest.mark.parametrize("job", list(RUNS))
def test_reports_in_chinese_have_no_english_and_write_large_amounts_in_wan(sqlite_bench: Bench, job: str) -> None:
    text, figures = _report(sqlite_bench, job, "zh")
    _, start, end = RUNS[job]
    total = _gmv(start, end)
    assert total >= 100_000 and wan(total) in text
    assert english_words(text) == [], text
    # nothing was imported: every source is stale, and the note names them as the footer does
    assert "数据过期：订单, 流量, 广告花费" in text and "数据截至 订单 2026-11-20" in text
    assert_chart_in_chinese(figures)  # type: ignore[arg-type]


@pytest.mark.parametrize("job", list(RUNS))
def test_reports_in_english_keep_exact_amounts(sqlite_bench: Bench, job: str) -> None:
    text, _ = _report(sqlite_bench, job, "en")
    _, start, end = RUNS[job]
    total = _gmv(start, end)
    assert f"¥{total:,.2f}" in text and "万" not in text
    assert "Stale data: orders, traffic, ad_spend" in text and "data as of orders 2026-11-20" in text
