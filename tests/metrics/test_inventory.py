from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any, cast

import pytest
from sqlalchemy import Engine

from metrics import schema
from metrics.db import upsert
from metrics.inventory import abc_classes, stock_alerts, stock_status
from tests.metrics.fixtures import Line, Shop, load_shop

TODAY = date(2026, 12, 1)
YESTERDAY = TODAY - timedelta(days=1)
FIRST_28 = TODAY - timedelta(days=28)  # 2026-11-03, the first day of the 28-day window
FIRST_90 = TODAY - timedelta(days=90)
UNIT = Decimal("10.00")


@dataclass(frozen=True)
class Snap:
    sku: str
    on_hand: int
    lead: int
    as_of: date = YESTERDAY


# sku → units sold in the 28 days (avg = units / 28), split over the window's first and last day
UNITS_28 = {
    "A-EDGE": 56, "A-OK": 56, "B-EDGE": 56, "CRIT": 56, "CRIT2": 112, "WARN": 56, "WARN2": 28,
    "OVER": 28, "OVER2": 28, "FULL": 28, "NEW": 28,
}
SNAPS = [
    Snap("A-EDGE", 20, 5),  # A: 20 < 2 × 7 × 1.5 = 21 → low; cover 10 ≥ 5 → warning
    Snap("A-OK", 21, 5),  # A, one unit more: 21 < 21 is false → ok
    Snap("B-EDGE", 20, 5),  # not A: 20 < 2 × 7 = 14 is false → ok
    Snap("CRIT", 15, 10),  # cover 7.5 < lead 10 → critical
    Snap("CRIT2", 8, 14),  # cover 2 → the most urgent
    Snap("WARN", 12, 5),  # 12 < 14, cover 6 ≥ 5 → warning
    Snap("WARN2", 5, 3),  # 5 < 1 × 7, cover 5 ≥ 3 → warning, ahead of WARN
    Snap("OVER", 31, 5),  # cover 31 > 30 → overstock
    Snap("OVER2", 60, 5),  # cover 60 → overstock, ahead of OVER
    Snap("FULL", 30, 5),  # cover exactly 30 → ok
    Snap("DEAD", 5, 5),  # sold only before the 28 days → dead
    Snap("GONE", 0, 5),  # nothing on hand, nothing sold → ok
    # three snapshots: the newest on or before today wins, the future one does not exist yet
    Snap("NEW", 1000, 7, date(2026, 11, 20)),
    Snap("NEW", 3, 7, YESTERDAY),  # cover 3 < 7 → critical
    Snap("NEW", 999, 7, date(2026, 12, 5)),
]
EXPECTED_STATUS = {
    "A-EDGE": "warning", "A-OK": "ok", "B-EDGE": "ok", "CRIT": "critical", "CRIT2": "critical", "WARN": "warning",
    "WARN2": "warning", "OVER": "overstock", "OVER2": "overstock", "FULL": "ok", "DEAD": "dead", "GONE": "ok",
    "NEW": "critical",
}


def _lines() -> list[Line]:
    ids = count()
    lines: list[Line] = []

    def sell(sku: str, day: date, qty: int, paid: Decimal | None = None, status: str = "paid") -> None:
        n = next(ids)
        lines.append(Line("tmall" if n % 2 else "jd", f"O{n}", sku, day, qty, paid or UNIT * qty, f"C{n}", status))

    for sku, units in UNITS_28.items():
        sell(sku, FIRST_28, units // 2)
        sell(sku, YESTERDAY, units - units // 2)
        # none of these count as units: cancelled, the day before the window, today
        sell(sku, FIRST_28 + timedelta(days=5), 100, status="cancelled")
        sell(sku, FIRST_28 - timedelta(days=1), 40)
        sell(sku, TODAY, 50)
    # the two A SKUs earn most of the 90-day GMV outside the 28 days
    sell("A-EDGE", date(2026, 10, 15), 1, Decimal("20000.00"))
    sell("A-OK", date(2026, 10, 15), 1, Decimal("20000.00"))
    sell("DEAD", FIRST_90, 3)  # first day of the 90: counts for GMV
    sell("DEAD", FIRST_90 - timedelta(days=1), 1, Decimal("90000.00"))  # one day too old: would make DEAD an A
    return lines


def _load(engine: Engine, lines: list[Line]) -> None:
    load_shop(engine, Shop(lines, [], []))
    with engine.begin() as conn:
        upsert(conn, schema.inventory, [
            {"sku": s.sku, "as_of": s.as_of, "name": f"商品 {s.sku}", "category": "demo", "on_hand": s.on_hand,
             "lead_time_days": s.lead, "unit_cost_cents": 500}
            for s in SNAPS
        ])


def _prefix_classes(gmv: dict[str, Decimal]) -> dict[str, str]:
    """A = the shortest best-first prefix reaching 80 % of GMV, B = the shortest reaching 95 % minus A."""
    ranked = sorted(gmv, key=lambda s: (-gmv[s], s))
    total = sum(gmv.values(), Decimal(0))

    def reach(share: Decimal) -> int:
        for k in range(len(ranked) + 1):
            if total > 0 and sum((gmv[s] for s in ranked[:k]), Decimal(0)) >= total * share:
                return k
        return 0

    a, b = reach(Decimal("0.80")), reach(Decimal("0.95"))
    return {s: "A" if i < a and gmv[s] > 0 else "B" if i < b and gmv[s] > 0 else "C" for i, s in enumerate(ranked)}


@dataclass(frozen=True)
class Want:
    abc: str
    status: str
    cover: Decimal | None
    reorder: int
    safety: Decimal


def _reference(lines: list[Line]) -> dict[str, Want]:
    """SPEC §5 in Decimal over the fixture rows (every avg here is a whole number, so Decimal is exact)."""
    live = [ln for ln in lines if ln.status != "cancelled" and ln.day <= YESTERDAY]
    gmv: dict[str, Decimal] = {}
    for ln in live:
        if ln.day >= FIRST_90:
            gmv[ln.sku] = gmv.get(ln.sku, Decimal(0)) + ln.paid
    classes = _prefix_classes(gmv)
    current = {s.sku: s for s in sorted(SNAPS, key=lambda s: s.as_of) if s.as_of <= TODAY}
    out = {}
    for sku, snap in current.items():
        avg = Decimal(sum(ln.quantity for ln in live if ln.sku == sku and ln.day >= FIRST_28)) / 28
        abc = classes.get(sku, "C")
        f = Decimal("1.5") if abc == "A" else Decimal(1)
        cover = snap.on_hand / avg if avg else None
        if cover is not None and snap.on_hand < avg * max(7, snap.lead) * f:
            status = "critical" if cover < snap.lead else "warning"
        elif cover is not None and cover > 30:
            status = "overstock"
        elif avg == 0 and snap.on_hand > 0:
            status = "dead"
        else:
            status = "ok"
        reorder = max(0, math.ceil(avg * (snap.lead + 30) * f) - snap.on_hand)
        out[sku] = Want(abc, status, cover, reorder, avg * snap.lead)
    return out


def test_every_status_against_the_rules(engine: Engine) -> None:
    lines = _lines()
    _load(engine, lines)
    with engine.connect() as conn:
        df = stock_status(conn, today=TODAY)
    want = _reference(lines)
    assert sorted(df["sku"]) == sorted(want)  # one row per SKU
    got = {r.sku: r for r in cast(Any, df).itertuples()}
    for sku, w in want.items():
        r = got[sku]
        assert (r.abc, r.status, r.reorder_qty) == (w.abc, w.status, w.reorder), sku
        assert r.safety_stock == pytest.approx(float(w.safety)), sku
        if w.cover is None:
            assert math.isnan(r.days_of_cover), sku
        else:
            assert r.days_of_cover == pytest.approx(float(w.cover)), sku
    # the fixture is built so that each status and the A-class boundary really occur
    assert {sku: r.status for sku, r in got.items()} == EXPECTED_STATUS
    assert got["A-EDGE"].abc == got["A-OK"].abc == "A" and got["B-EDGE"].abc != "A"


def test_newest_snapshot_wins_and_the_future_is_ignored(engine: Engine) -> None:
    _load(engine, _lines())
    with engine.connect() as conn:
        now = stock_status(conn, today=TODAY).set_index("sku")
        before = stock_status(conn, today=date(2026, 11, 25)).set_index("sku")
    assert now.loc["NEW", "on_hand"] == 3 and now.loc["NEW", "as_of"] == YESTERDAY
    assert before.loc["NEW", "on_hand"] == 1000
    # on 11-25 only NEW had a snapshot
    assert list(before.index) == ["NEW"]


def test_reorder_quantities_by_hand(engine: Engine) -> None:
    _load(engine, _lines())
    with engine.connect() as conn:
        df = stock_status(conn, today=TODAY).set_index("sku")
    # ceil(avg × (lead + 30) × f) − on_hand
    assert df.loc["CRIT", "reorder_qty"] == 2 * 40 - 15
    assert df.loc["CRIT2", "reorder_qty"] == 4 * 44 - 8
    assert df.loc["A-EDGE", "reorder_qty"] == 2 * 35 * 3 // 2 - 20
    assert df.loc["OVER2", "reorder_qty"] == 0  # 35 − 60 would be negative: nothing to order
    assert df.loc["CRIT", "safety_stock"] == 20.0


def test_alerts_grouped_most_urgent_first(engine: Engine) -> None:
    _load(engine, _lines())
    with engine.connect() as conn:
        alerts = stock_alerts(conn, today=TODAY)
    assert [i.sku for i in alerts.critical] == ["CRIT2", "NEW", "CRIT"]  # covers 2, 3, 7.5
    assert [i.sku for i in alerts.warning] == ["WARN2", "WARN", "A-EDGE"]  # covers 5, 6, 10
    assert [i.sku for i in alerts.overstock] == ["DEAD", "OVER2", "OVER"]  # no sales, then 60 and 31 days
    assert [i.sku for i in alerts.items] == ["CRIT2", "NEW", "CRIT", "WARN2", "WARN", "A-EDGE", "DEAD", "OVER2", "OVER"]
    assert [i.suggestion for i in alerts.overstock] == ["clearance"] * 3
    by_sku = {i.sku: i for i in alerts.items}
    assert by_sku["A-EDGE"].suggestion == "reorder"
    # a class C SKU running short is sold ahead rather than restocked
    assert by_sku["WARN2"].abc == "C" and by_sku["WARN2"].suggestion == "presale"
    assert alerts.today == TODAY and alerts


def test_nothing_to_report(engine: Engine) -> None:
    with engine.connect() as conn:
        df = stock_status(conn, today=TODAY)
        alerts = stock_alerts(conn, today=TODAY)
    assert df.empty and "status" in df.columns
    assert not alerts and alerts.items == ()


@pytest.mark.parametrize(
    "gmv",
    [
        {"a": 50, "b": 31, "c": 10, "d": 5, "e": 4, "z": 0},  # b crosses 80 % (A), d crosses 95 % (B)
        {"a": 80, "b": 15, "c": 5},  # exactly 80 % and 95 %: the next SKU starts the next class
        {"a": 100},
        {"a": 0, "b": 0},
        {"x": 7, "y": 7, "z": 7, "w": 7, "v": 7},  # ties are ranked by SKU
        {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1, "g": 1, "h": 1, "i": 1, "j": 1,
         "k": 1, "l": 1, "m": 1, "n": 1, "o": 1, "p": 1, "q": 1, "r": 1, "s": 1, "t": 1},
    ],
)
def test_abc_boundaries(gmv: dict[str, int]) -> None:
    assert abc_classes(gmv) == _prefix_classes({k: Decimal(v) for k, v in gmv.items()})


def test_abc_boundaries_by_hand() -> None:
    assert abc_classes({"a": 50, "b": 31, "c": 10, "d": 5, "e": 4, "z": 0}) == {
        "a": "A", "b": "A", "c": "B", "d": "B", "e": "C", "z": "C"}
    assert abc_classes({"a": 80, "b": 15, "c": 5}) == {"a": "A", "b": "B", "c": "C"}
    assert abc_classes({"a": 0}) == {"a": "C"}
