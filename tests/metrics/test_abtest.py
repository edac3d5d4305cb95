"""A/B statistics, checked against formulas written out here, published textbook answers, and the three backends."""

from __future__ import annotations

import csv
import math
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from metrics import schema
from metrics.abtest import (
    NotComparable,
    UnknownExperiment,
    VariantTotals,
    analyse,
    evaluate,
    recent,
    srm_p_value,
    visitors_needed,
    wilson,
    z_test,
)
from metrics.channels import ChannelRegistry
from metrics.db import upsert
from metrics.imports import ImportFailure, ImportOptions, import_file

TODAY = date(2026, 11, 25)
DAY0 = date(2026, 11, 1)


def _phi(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


def _z_by_hand(c1: int, n1: int, c0: int, n0: int) -> tuple[float, float]:
    """Pooled two-proportion z and its two-sided p, from the textbook formula."""
    p1, p0, pooled = c1 / n1, c0 / n0, (c1 + c0) / (n1 + n0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    z = (p1 - p0) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def _totals(*variants: tuple[str, int, int], revenue: bool = False) -> list[VariantTotals]:
    return [VariantTotals("exp", name, n, c, Decimal(c * 10) if revenue else None, DAY0, TODAY - timedelta(days=1))
            for name, n, c in variants]


# -- the statistics against formulas and published answers -----------------------------------------


@pytest.mark.parametrize(("c1", "n1", "c0", "n0"), [(130, 2400, 100, 2400), (45, 1000, 50, 1100), (7, 90, 3, 110)])
def test_z_test_matches_the_formula(c1: int, n1: int, c0: int, n0: int) -> None:
    z, p = z_test(c1, n1, c0, n0)
    z_hand, p_hand = _z_by_hand(c1, n1, c0, n0)
    assert z == pytest.approx(z_hand, rel=1e-9)
    assert p == pytest.approx(p_hand, rel=1e-9)


def test_aspirin_table_of_agresti_gives_the_published_chi_square() -> None:
    # Physicians' Health Study (Agresti, Categorical Data Analysis, Table 2.3): myocardial infarction
    # in 189 of 11,034 on placebo and 104 of 11,037 on aspirin; the book's Pearson X² = 25.01 (df 1)
    z, p = z_test(189, 11034, 104, 11037)
    assert z**2 == pytest.approx(25.01, abs=0.005)
    assert p == pytest.approx(math.erfc(math.sqrt(25.0139) / math.sqrt(2)), rel=1e-3)
    assert p < 1e-6


def test_wilson_interval_matches_newcombe() -> None:
    # Newcombe (1998), Statistics in Medicine 17:857, example 81/263: Wilson interval 0.2553 to 0.3662
    lo, hi = wilson(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    # and the score formula written out
    n, p, z = 263, 81 / 263, 1.959963984540054
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert lo == pytest.approx(centre - half, rel=1e-9) and hi == pytest.approx(centre + half, rel=1e-9)


def test_power_matches_cohen_and_the_normal_formula() -> None:
    # n per group = 2 ((z_{1-α/2} + z_{1-β}) / h)², Cohen's h = 2 asin √p1 − 2 asin √p0
    p0 = 0.03
    h = 2 * math.asin(math.sqrt(p0 * 1.1)) - 2 * math.asin(math.sqrt(p0))
    by_hand = 2 * ((1.959963984540054 + 0.8416212335729143) / h) ** 2
    assert visitors_needed(p0) == math.ceil(by_hand)
    # Cohen (1988), Table 6.4.1: h = 0.20, two-sided α = 0.05, power 0.80 → n = 392 per group
    assert 2 * ((1.959963984540054 + 0.8416212335729143) / 0.2) ** 2 == pytest.approx(392, abs=1)
    assert visitors_needed(0.0) is None


def test_srm_example_of_the_issue() -> None:
    # 4,950 / 5,600 against an even split: X² = 2 · 325² / 5,275 = 40.05 → p ≈ 2.5e-10
    chi2 = 2 * 325**2 / 5275
    assert srm_p_value([4950, 5600], [0.5, 0.5]) == pytest.approx(math.erfc(math.sqrt(chi2) / math.sqrt(2)))
    assert f"{srm_p_value([4950, 5600], [0.5, 0.5]):.2g}" == "2.5e-10"


def test_chi_square_across_three_variants_matches_the_formula() -> None:
    rows = _totals(("control", 3000, 90), ("B", 3010, 120), ("C", 2990, 95))
    result = evaluate(rows, today=TODAY)
    conv = [90, 120, 95]
    vis = [3000, 3010, 2990]
    pooled = sum(conv) / sum(vis)
    chi2 = sum((c - n * pooled) ** 2 / (n * pooled) + ((n - c) - n * (1 - pooled)) ** 2 / (n * (1 - pooled))
               for c, n in zip(conv, vis, strict=True))
    assert result.test == "chi2"
    assert result.statistic == pytest.approx(chi2, rel=1e-9)
    assert result.p_value == pytest.approx(math.exp(-chi2 / 2), rel=1e-9)  # chi-square survival, df = 2
    # each variant against the control, Holm-corrected: the smaller raw p doubles, the larger stays ≥ it
    raw = sorted((_z_by_hand(c, n, 90, 3000)[1], name) for name, n, c in (("B", 3010, 120), ("C", 2990, 95)))
    adjusted = {v.name: v.p_value for v in result.variants[1:]}
    assert adjusted[raw[0][1]] == pytest.approx(min(1.0, 2 * raw[0][0]))
    assert adjusted[raw[1][1]] == pytest.approx(max(min(1.0, 2 * raw[0][0]), raw[1][0]))


# -- verdicts -------------------------------------------------------------------------------------


def test_a_clear_winner_with_lift_interval_and_revenue_per_visitor() -> None:
    result = evaluate(_totals(("control", 10000, 300), ("B", 10050, 380), revenue=True), today=TODAY)
    control, b = result.variants
    assert (control.name, b.name) == ("control", "B")
    assert result.verdict.kind == "winner" and result.verdict.winner == "B"
    assert result.verdict.p_value == pytest.approx(_z_by_hand(380, 10050, 300, 10000)[1], rel=1e-9)
    assert b.lift == pytest.approx((380 / 10050) / (300 / 10000) - 1)
    assert b.ci_low < 380 / 10050 < b.ci_high
    assert b.revenue_per_visitor == (Decimal(3800) / 10050).quantize(Decimal("0.01"))
    assert result.has_revenue and result.running


def test_not_significant_says_how_many_more_visitors() -> None:
    result = evaluate(_totals(("control", 2000, 60), ("B", 2050, 66)), today=TODAY)
    v = result.verdict
    assert v.kind == "no_difference" and v.winner is None
    assert v.p_value == pytest.approx(_z_by_hand(66, 2050, 60, 2000)[1], rel=1e-9)
    p0 = 60 / 2000
    h = 2 * math.asin(math.sqrt(p0 * 1.1)) - 2 * math.asin(math.sqrt(p0))
    needed = math.ceil(2 * ((1.959963984540054 + 0.8416212335729143) / h) ** 2)
    assert v.needed_per_variant == needed and v.more_visitors == needed - 2000


def test_a_large_null_result_is_said_to_have_enough_power() -> None:
    result = evaluate(_totals(("control", 200_000, 6000), ("B", 200_000, 6010)), today=TODAY)
    assert result.verdict.kind == "powered_no_difference" and result.verdict.more_visitors == 0


def test_sample_ratio_mismatch_wins_over_a_winner() -> None:
    # B converts far better, but its traffic is 13 % larger than an even split allows: never a winner
    result = evaluate(_totals(("control", 4950, 100), ("B", 5600, 200)), today=TODAY)
    assert result.verdict.kind == "srm" and result.verdict.winner is None
    assert result.verdict.p_value == pytest.approx(2.4788e-10, rel=1e-3)


def test_intended_uneven_split_is_not_a_mismatch() -> None:
    rows = _totals(("control", 8000, 240), ("B", 2000, 60))
    assert evaluate(rows, today=TODAY).verdict.kind == "srm"
    assert evaluate(rows, today=TODAY, weights={"control": 0.8, "B": 0.2}).verdict.kind != "srm"


def test_control_is_the_variant_named_control_else_the_first() -> None:
    assert evaluate(_totals(("B", 1000, 30), ("control", 1000, 30)), today=TODAY).control == "control"
    assert evaluate(_totals(("old", 1000, 30), ("new", 1000, 30)), today=TODAY).control == "new"


def test_a_worse_variant_makes_the_control_the_winner() -> None:
    result = evaluate(_totals(("control", 10000, 400), ("B", 10000, 300)), today=TODAY)
    assert result.verdict.kind == "winner" and result.verdict.winner == "control"


def test_three_variants_pick_the_significantly_better_one() -> None:
    result = evaluate(_totals(("control", 10000, 300), ("B", 10000, 305), ("C", 10000, 400)), today=TODAY)
    assert result.verdict.kind == "winner" and result.verdict.winner == "C"
    assert result.verdict.p_value == next(v.p_value for v in result.variants if v.name == "C")


def test_nobody_converted_is_no_difference_not_an_error() -> None:
    result = evaluate(_totals(("control", 1000, 0), ("B", 1000, 0)), today=TODAY)
    assert result.verdict.kind == "no_difference" and result.verdict.more_visitors is None
    assert result.p_value == 1.0


@pytest.mark.parametrize(("rows", "reason"), [
    (_totals(("control", 1000, 30)), "one_variant"),
    (_totals(("control", 1000, 30), ("B", 0, 0)), "no_visitors"),
])
def test_untestable_data_is_refused_by_name(rows: list[VariantTotals], reason: str) -> None:
    with pytest.raises(NotComparable) as caught:
        evaluate(rows, today=TODAY)
    assert caught.value.reason == reason


# -- from the database -----------------------------------------------------------------------------


def _load(engine: Engine, rows: list[tuple[str, str, date, int, int, int | None]]) -> None:
    with engine.begin() as conn:
        upsert(conn, schema.experiments, [
            {"experiment": e, "variant": v, "date": d, "visitors": n, "conversions": c, "revenue_cents": r}
            for e, v, d, n, c, r in rows])


def test_totals_are_summed_over_days_on_every_backend(engine: Engine) -> None:
    rows = []
    for i in range(10):
        day = DAY0 + timedelta(days=i)
        rows += [("checkout-button", "control", day, 1000 + i, 30 + i, 300000 + i),
                 ("checkout-button", "B", day, 1010 + i, 38 + i, None if i == 3 else 310000)]
    rows += [("coupon-199", "control", DAY0, 500, 10, None), ("coupon-199", "B", DAY0, 510, 11, None),
             ("old-banner", "control", date(2026, 1, 5), 500, 10, None), ("old-banner", "B", date(2026, 1, 5), 500, 9,
                                                                            None)]
    _load(engine, rows)
    with engine.connect() as conn:
        result = analyse(conn, "Checkout-Button", today=TODAY)
        listed = recent(conn, today=TODAY)
    control, b = result.variants
    assert control.visitors == sum(1000 + i for i in range(10))
    assert control.conversions == sum(30 + i for i in range(10))
    assert b.visitors == sum(1010 + i for i in range(10))
    assert control.revenue == Decimal(sum(300000 + i for i in range(10))) / 100
    assert b.revenue == Decimal(310000 * 9) / 100  # the day without revenue adds nothing, it does not void the rest
    assert (result.first_day, result.last_day) == (DAY0, DAY0 + timedelta(days=9))
    assert result.verdict.p_value == pytest.approx(
        _z_by_hand(b.conversions, b.visitors, control.conversions, control.visitors)[1], rel=1e-9)
    assert not result.running  # last rows on 11-10, today is 11-25
    assert [s.name for s in listed.experiments] == ["checkout-button", "coupon-199"]
    assert listed.older == 1


def test_unknown_experiment_suggests_the_closest_name(engine: Engine) -> None:
    _load(engine, [("checkout-button", "control", DAY0, 10, 1, None), ("checkout-button", "B", DAY0, 10, 1, None)])
    with engine.connect() as conn, pytest.raises(UnknownExperiment) as caught:
        analyse(conn, "checkout-buton", today=TODAY)
    assert caught.value.suggestion == "checkout-button"
    with engine.connect() as conn, pytest.raises(UnknownExperiment) as nothing:
        analyse(conn, "zzz", today=TODAY)
    assert nothing.value.suggestion is None and nothing.value.known == ("checkout-button",)


def test_conversions_above_visitors_are_refused_at_import_and_nothing_is_written(engine: Engine, tmp_path: Path
                                                                                  ) -> None:
    path = tmp_path / "exp.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["experiment", "variant", "date", "visitors", "conversions"])
        w.writerow(["video", "control", "2026-11-01", "1000", "30"])
        w.writerow(["video", "B", "2026-11-01", "1000", "1001"])
    opts = ImportOptions(tz=ZoneInfo("Asia/Shanghai"), registry=ChannelRegistry(), today=TODAY)
    with pytest.raises(ImportFailure) as caught:
        import_file(engine, "experiments", path, opts)
    assert "conversions is larger than visitors" in str(caught.value)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.experiments)).scalar_one() == 0
