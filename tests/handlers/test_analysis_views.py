"""/abtest, /rfm and /retention views: empty and oversized content stays within Slack's limits, imported names
are escaped, every text exists in both languages with the same placeholders."""

from __future__ import annotations

import string
from datetime import date, timedelta
from decimal import Decimal

import pytest

from handlers.views import abtest as abtest_view
from handlers.views import retention as retention_view
from handlers.views import rfm as rfm_view
from handlers.views.analysis_fmt import esc, p_text, table, width
from handlers.views.texts_analysis import TEXTS
from metrics.abtest import ExperimentList, ExperimentSummary, VariantTotals, Verdict, evaluate
from metrics.customers import BuyerMix
from metrics.retention import LTV_DAYS, Cohort, LtvCell, LtvRow, RetentionResult
from metrics.rfm import SEGMENTS, Edge, RfmResult, SegmentRow
from metrics.windows import Window
from tests.e2e.conftest import assert_valid_blocks, block_text
from tests.handlers.test_roi_view import png_size

TODAY = date(2026, 11, 25)
EVIL = "<!channel> & <script>"


def mrkdwn(blocks: list[dict[str, object]]) -> str:
    """Only the texts Slack parses as mrkdwn (a plain_text header shows `<` as it is, so it needs no escape)."""
    return block_text([b for b in blocks if b["type"] != "header"])


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_text_in_both_languages_with_the_same_placeholders() -> None:
    assert TEXTS["en"].keys() == TEXTS["zh"].keys()
    for key, en in TEXTS["en"].items():
        assert _placeholders(en) == _placeholders(TEXTS["zh"][key]), key


def test_p_values_are_written_with_two_significant_digits() -> None:
    assert [p_text(x) for x in (0.01234, 0.41, 0.5, 2.4788e-10, 1.0, 0.0)] == [
        "p = 0.012", "p = 0.41", "p = 0.50", "p = 2.5e-10", "p = 1.0", "p < 1e-16"]


def test_escaping_and_cjk_alignment() -> None:
    assert esc("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert width("抖音") == 4 and width("JD") == 2
    assert table([["抖音", "1"], ["JD", "22"]]).splitlines() == ["抖音   1", "JD    22"]


# -- /abtest -------------------------------------------------------------------------------------


def _variants(n: int, name: str = "exp") -> list[VariantTotals]:
    return [VariantTotals(name, "control" if i == 0 else f"{EVIL} {i}" * 3, 5000 + i, 150 + 3 * i, Decimal(1000),
                          TODAY - timedelta(days=20), TODAY - timedelta(days=1)) for i in range(n)]


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_abtest_with_many_variants_and_hostile_names_stays_within_limits(locale: str) -> None:
    result = evaluate(_variants(30, name=EVIL), today=TODAY)
    message = abtest_view.render(result, locale)
    assert_valid_blocks(message.blocks)
    readable = mrkdwn(message.blocks)
    assert "<!channel>" not in readable and "<script>" not in readable and "<!channel>" not in message.text
    assert "&lt;!channel&gt; &amp; &lt;script&gt;" in readable
    assert ("…and 18 more variants" if locale == "en" else "……另有 18 个版本") in readable
    assert message.chart is not None and png_size(message.chart.png)[0] >= 600


def test_abtest_srm_verdict_names_the_split() -> None:
    rows = [VariantTotals("e", "control", 4950, 100, None, TODAY, TODAY),
            VariantTotals("e", "B", 5600, 200, None, TODAY, TODAY)]
    message = abtest_view.render(evaluate(rows, today=TODAY), "en")
    assert ("Sample ratio mismatch: traffic split 4,950 / 5,600 deviates from even (p = 2.5e-10); "
            "do not read this result") in block_text(message.blocks)
    assert "wins" not in block_text(message.blocks)
    assert "no revenue in the imported rows" in block_text(message.blocks)


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_abtest_empty_and_long_lists(locale: str) -> None:
    empty = abtest_view.render(ExperimentList(TODAY, (), 0), locale)
    assert_valid_blocks(empty.blocks)
    assert "ecombot import experiments" in block_text(empty.blocks)
    many = tuple(ExperimentSummary(f"{EVIL}-{i}" * 4, TODAY - timedelta(days=30), TODAY, True, 2, 10_000,
                                   Verdict("no_difference", 0.4, more_visitors=100), None) for i in range(200))
    long = abtest_view.render(ExperimentList(TODAY, many, 7), locale)
    assert_valid_blocks(long.blocks)
    readable = mrkdwn(long.blocks)
    assert ("…and " if locale == "en" else "……另有 ") in readable and "<!channel>" not in readable
    assert long.chart is None


# -- /rfm ----------------------------------------------------------------------------------------


def _rfm(buyers: int) -> RfmResult:
    rows = tuple(SegmentRow(s, buyers * (i + 1), buyers * 2, Decimal(1000 * i), Decimal("0.1"), Decimal("0.1"),
                            Decimal("12.34") if buyers else None) for i, s in enumerate(SEGMENTS))
    edges = tuple(Edge(k, k, k * 10, buyers) for k in range(1, 6))
    return RfmResult(TODAY, None, buyers * 55, Decimal(45000), rows, edges, edges,
                     tuple(Edge(k, Decimal(k), Decimal(k * 100), buyers) for k in range(1, 6)))


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize("buyers", [0, 1, 10**9])
def test_rfm_view_within_limits(locale: str, buyers: int) -> None:
    message = rfm_view.render(_rfm(buyers), locale, channel_name="抖音" * 100, footer="data as of orders 2026-11-24")
    assert_valid_blocks(message.blocks)
    readable = block_text(message.blocks)
    if buyers:  # no buyers at all is refused before the view (NoBuyers); the view still stays valid
        assert "高价值沉睡用户" in readable
        assert message.chart is not None and png_size(message.chart.png)[0] >= 600


# -- /retention ----------------------------------------------------------------------------------


def _retention(cohorts: int, channels: int) -> RetentionResult:
    w = Window(date(2026, 10, 26), date(2026, 11, 24), "30d")
    mix = BuyerMix(None, w, 100, 30, Decimal("0.3"), 70, 30)
    table = tuple(Cohort(date(2025, 11, 1) + timedelta(days=31 * i), 1000, tuple([100] * (cohorts - 1 - i)))
                  for i in range(cohorts))
    ltv = tuple(LtvRow(f"{EVIL}{i}", tuple(LtvCell(d, 10, Decimal(100), Decimal(10)) for d in LTV_DAYS))
                for i in range(channels))
    return RetentionResult(None, w, mix, date(2026, 10, 31), table, ltv, (TODAY, TODAY, TODAY))


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize(("cohorts", "channels"), [(0, 0), (1, 1), (12, 60)])
def test_retention_view_within_limits(locale: str, cohorts: int, channels: int) -> None:
    message = retention_view.render(_retention(cohorts, channels), locale, channel_name="all", names={})
    assert_valid_blocks(message.blocks)
    readable = mrkdwn(message.blocks)
    assert "<!channel>" not in readable
    assert (message.chart is not None) == (cohorts > 1)  # a single month has no month after it to shade
    if channels > 12:
        assert ("…and 48 more channels" if locale == "en" else "……另有 48 个渠道") in readable
