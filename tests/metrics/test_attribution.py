from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from metrics.attribution import gmv_change, lmdi, log_mean
from metrics.windows import Window
from tests.metrics.fixtures import Line, Shop, Traffic, load_shop

CENT = Decimal("0.01")


def _factors(uv: int, buyers: int, gmv: Decimal) -> dict[str, Decimal | None]:
    return {"uv": Decimal(uv), "cvr": Decimal(buyers) / uv, "aov": gmv / buyers}


def _textbook(uv0: int, b0: int, g0: Decimal, uv1: int, b1: int, g1: Decimal) -> dict[str, float]:
    """ΔGMV × ln(X₁/X₀) / ln(GMV₁/GMV₀) in floats, straight from SPEC §4 (GMV₁ ≠ GMV₀)."""
    d, lg = float(g1 - g0), math.log(float(g1) / float(g0))
    return {
        "uv": d * math.log(uv1 / uv0) / lg,
        "cvr": d * math.log((b1 / uv1) / (b0 / uv0)) / lg,
        "aov": d * math.log((float(g1) / b1) / (float(g0) / b0)) / lg,
    }


CASES = {
    "all up": (1000, 20, Decimal("2000.00"), 1300, 30, Decimal("3600.00")),
    "all down": (1300, 30, Decimal("3600.00"), 1000, 20, Decimal("2000.00")),
    "traffic up, rest down": (1000, 40, Decimal("4000.00"), 1500, 45, Decimal("3900.00")),
    "traffic down, rest up": (1500, 45, Decimal("3900.00"), 1000, 40, Decimal("4000.00")),
    "odd cents": (977, 31, Decimal("3187.93"), 1013, 29, Decimal("3188.11")),
}


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_contributions_follow_the_formula_and_sum_exactly(case: tuple[int, int, Decimal, int, int, Decimal]) -> None:
    uv0, b0, g0, uv1, b1, g1 = case
    r = lmdi(g0, g1, _factors(uv0, b0, g0), _factors(uv1, b1, g1))
    assert r.reason is None and r.contributions is not None
    assert r.delta == g1 - g0
    assert sum(r.contributions.values(), Decimal(0)) == r.delta
    expected = _textbook(uv0, b0, g0, uv1, b1, g1)
    for name, value in expected.items():
        assert abs(float(r.contributions[name]) - value) < 0.011, name
        # the sign of each contribution is the sign of its factor's change
        assert (r.contributions[name] > 0) == (value > 0.005), name


def test_signs_and_leading_factor() -> None:
    up = lmdi(*_pair(CASES["all up"]))
    down = lmdi(*_pair(CASES["all down"]))
    assert up.contributions and all(v > 0 for v in up.contributions.values())
    assert up.leading_factor is None  # only a fall needs a culprit
    assert down.contributions and all(v < 0 for v in down.contributions.values())
    worst = min(down.contributions.items(), key=lambda kv: kv[1])[0]
    assert down.leading_factor == worst
    mixed = lmdi(*_pair(CASES["traffic up, rest down"]))
    assert mixed.contributions and mixed.contributions["uv"] > 0
    assert mixed.leading_factor == min(("cvr", "aov"), key=lambda n: mixed.contributions[n])  # type: ignore[index]


def _pair(case: tuple[int, int, Decimal, int, int, Decimal]) -> tuple[
    Decimal, Decimal, dict[str, Decimal | None], dict[str, Decimal | None]
]:
    uv0, b0, g0, uv1, b1, g1 = case
    return g0, g1, _factors(uv0, b0, g0), _factors(uv1, b1, g1)


def test_random_cases_always_sum_to_the_delta() -> None:
    rng = random.Random(3)
    for _ in range(300):
        uv0, uv1 = rng.randint(1, 50_000), rng.randint(1, 50_000)
        b0, b1 = rng.randint(1, 500), rng.randint(1, 500)
        g0, g1 = Decimal(rng.randint(1, 10_000_000)) / 100, Decimal(rng.randint(1, 10_000_000)) / 100
        r = lmdi(g0, g1, _factors(uv0, b0, g0), _factors(uv1, b1, g1))
        assert r.contributions is not None
        assert sum(r.contributions.values(), Decimal(0)) == g1 - g0
        if g0 != g1:
            for name, value in _textbook(uv0, b0, g0, uv1, b1, g1).items():
                assert abs(float(r.contributions[name]) - value) < 0.011 + abs(value) * 1e-9


def test_equal_gmv_still_splits() -> None:
    g = Decimal("1000.00")
    # twice the visitors converting half as often: GMV flat, the two effects cancel
    r = lmdi(g, g, _factors(100, 10, g), _factors(200, 10, g))
    assert r.delta == 0 and r.contributions is not None
    assert sum(r.contributions.values(), Decimal(0)) == 0
    assert abs(float(r.contributions["uv"]) - 1000 * math.log(2)) < 0.011
    assert r.contributions["cvr"] == -r.contributions["uv"]
    assert r.contributions["aov"] == 0
    assert r.leading_factor is None
    assert log_mean(g, g) == g


def test_only_traffic_falls() -> None:
    g0, g1 = Decimal("5000.00"), Decimal("4000.00")
    exact = lmdi(g0, g1, _factors(1000, 50, g0), _factors(800, 40, g1))
    assert exact.contributions == {"uv": Decimal("-1000.00"), "cvr": Decimal("0.00"), "aov": Decimal("0.00")}
    assert exact.leading_factor == "uv"
    # one buyer short of a flat conversion rate: traffic still carries nearly all of the fall
    g1 = Decimal("3900.00")
    near = lmdi(g0, g1, _factors(1000, 50, g0), _factors(800, 39, g1))
    assert near.contributions is not None and near.leading_factor == "uv"
    assert near.contributions["uv"] / near.delta > Decimal("0.85")


def test_ties_go_to_traffic_first() -> None:
    g0, g1 = Decimal("100.00"), Decimal("25.00")
    # visitors halve and conversion halves, order value flat: equal shares
    r = lmdi(g0, g1, _factors(1000, 100, g0), _factors(500, 25, g1))
    assert r.contributions is not None
    assert abs(r.contributions["uv"] - r.contributions["cvr"]) <= CENT
    assert r.leading_factor == "uv"


@pytest.mark.parametrize(
    ("f0", "f1", "g0", "g1", "words"),
    [
        ({"uv": Decimal(0), "cvr": None, "aov": None}, {"uv": Decimal(10), "cvr": Decimal("0.1"), "aov": Decimal(5)},
         Decimal(0), Decimal(5), ("uv", "previous")),
        ({"uv": Decimal(10), "cvr": Decimal("0.1"), "aov": Decimal(5)}, {"uv": Decimal(10), "cvr": None, "aov": None},
         Decimal(5), Decimal(0), ("cvr", "current")),
        ({"uv": Decimal(10), "cvr": Decimal("0.1"), "aov": Decimal(5)}, {"uv": Decimal(10), "cvr": Decimal("0.1")},
         Decimal(5), Decimal(5), ("aov", "current")),
        ({"uv": Decimal(10), "cvr": Decimal("0.1"), "aov": Decimal(5)},
         {"uv": Decimal(10), "cvr": Decimal("0.1"), "aov": Decimal(0)}, Decimal(5), Decimal(0), ("aov", "current")),
    ],
    ids=["no traffic before", "no buyers now", "factor missing", "zero order value"],
)
def test_unusable_windows_give_a_reason_not_an_error(
    f0: dict[str, Decimal | None], f1: dict[str, Decimal | None], g0: Decimal, g1: Decimal, words: tuple[str, str]
) -> None:
    r = lmdi(g0, g1, f0, f1)
    assert r.contributions is None and r.leading_factor is None
    assert r.reason is not None and all(w in r.reason for w in words)
    assert r.delta == g1 - g0


# --- through the database ------------------------------------------------------------------------

CURRENT = Window(date(2026, 11, 8), date(2026, 11, 14), "7d")


def _load(engine: Engine, days: dict[str, list[tuple[int, int, Decimal]]]) -> tuple[list[Line], list[Traffic]]:
    """days: channel → per-day (uv, buyers, GMV) over the 14 days of CURRENT.previous() + CURRENT."""
    lines: list[Line] = []
    traffic: list[Traffic] = []
    start = CURRENT.previous().start
    for channel, per_day in days.items():
        for i, (uv, buyers, gmv) in enumerate(per_day):
            day = start + timedelta(days=i)
            if uv:
                traffic.append(Traffic(channel, day, uv, uv * 3, uv // 10))
            for b in range(buyers):
                # the last buyer of the day takes the odd cents
                share = (gmv / buyers).quantize(CENT) if b < buyers - 1 else gmv - (gmv / buyers).quantize(CENT) * b
                lines.append(Line(channel, f"{channel}-{i}-{b}", "S1", day, 1, share, f"{channel}-c{i}-{b}"))
            # a cancelled order touches neither buyers nor GMV
            lines.append(Line(channel, f"{channel}-{i}-x", "S1", day, 1, Decimal("999.00"), "X", status="cancelled"))
    load_shop(engine, Shop(lines, [], traffic))
    return lines, traffic


def _window_totals(
    lines: list[Line], traffic: list[Traffic], w: Window, channel: str | None
) -> tuple[int, int, Decimal]:
    live = [ln for ln in lines
            if ln.status != "cancelled" and channel in (None, ln.channel) and w.start <= ln.day <= w.end]
    uv = sum(t.uv for t in traffic if channel in (None, t.channel) and w.start <= t.day <= w.end)
    return uv, len({ln.customer for ln in live}), sum((ln.paid for ln in live), Decimal(0))


@pytest.mark.parametrize("channel", [None, "tmall"])
def test_gmv_change_reads_both_windows(engine: Engine, channel: str | None) -> None:
    rng = random.Random(11)
    days = {
        c: [(rng.randint(200, 400), rng.randint(3, 9), Decimal(rng.randint(30_000, 90_000)) / 100) for _ in range(14)]
        for c in ("tmall", "jd")
    }
    lines, traffic = _load(engine, days)
    with engine.connect() as conn:
        r = gmv_change(conn, window=CURRENT, channel=channel)
    uv0, b0, g0 = _window_totals(lines, traffic, CURRENT.previous(), channel)
    uv1, b1, g1 = _window_totals(lines, traffic, CURRENT, channel)
    assert (r.previous.uv, r.previous.buyers, r.previous.gmv) == (uv0, b0, g0)
    assert (r.current.uv, r.current.buyers, r.current.gmv) == (uv1, b1, g1)
    assert r.previous.window == CURRENT.previous() and r.current.window == CURRENT
    assert r.current.cvr == (Decimal(b1) / uv1).quantize(Decimal("0.0001"))
    assert r.current.aov == (g1 / b1).quantize(CENT)
    assert r.delta == g1 - g0 and r.contributions is not None
    assert sum(r.contributions.values(), Decimal(0)) == r.delta
    for name, value in _textbook(uv0, b0, g0, uv1, b1, g1).items():
        assert abs(float(r.contributions[name]) - value) < 0.011, name


def test_gmv_change_when_only_traffic_fell(engine: Engine) -> None:
    # previous week 1000 visitors a day, 10 buyers at 100.00; this week half the visitors, same rates
    _load(engine, {"douyin": [(1000, 10, Decimal("1000.00"))] * 7 + [(500, 5, Decimal("500.00"))] * 7})
    with engine.connect() as conn:
        r = gmv_change(conn, window=CURRENT, channel="douyin")
    assert r.delta == Decimal("-3500.00")
    assert r.contributions == {"uv": Decimal("-3500.00"), "cvr": Decimal("0.00"), "aov": Decimal("0.00")}
    assert r.leading_factor == "uv"


def test_gmv_change_without_traffic_data_gives_a_reason(engine: Engine) -> None:
    # orders for both weeks, but traffic was only imported for the current one
    _load(engine, {"jd": [(0, 4, Decimal("400.00"))] * 7 + [(300, 5, Decimal("450.00"))] * 7})
    with engine.connect() as conn:
        r = gmv_change(conn, window=CURRENT, channel="jd")
        nothing = gmv_change(conn, window=Window(date(2025, 1, 8), date(2025, 1, 14), "7d"))
    assert r.previous.uv == 0 and r.previous.cvr is None
    assert r.contributions is None and r.reason is not None and "previous" in r.reason
    assert r.delta == Decimal("450.00") * 7 - Decimal("400.00") * 7
    assert nothing.contributions is None and nothing.delta == 0 and nothing.reason is not None
