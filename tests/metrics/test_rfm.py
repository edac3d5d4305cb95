"""RFM scores and segments: a hand-worked fixture (ties included) and an independent pandas analysis."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine

from metrics.rfm import SEGMENTS, NoBuyers, UnknownSegment, export, fm_score, segment_named, segment_of, segments
from tests.metrics.fixtures import Line, Shop, load_shop, make_shop

AS_OF = date(2026, 11, 30)


def ago(days: int) -> date:
    return AS_OF - timedelta(days=days)


def _hand_lines() -> list[Line]:
    d = Decimal
    return [
        Line("tmall", "A1", "S1", ago(2), 1, d(50), "A"),
        Line("tmall", "B1", "S1", ago(2), 1, d(200), "B"),
        Line("tmall", "B1", "S2", ago(2), 1, d(100), "B"),  # two lines, one order
        Line("tmall", "C1", "S1", ago(100), 1, d(80), "C"),
        Line("tmall", "C2", "S1", ago(1), 1, d(999), "C", status="cancelled"),  # not an order
        Line("tmall", "D1", "S1", ago(40), 1, d(100), "D", status="refunded", refund=d(20)),  # net 80
        Line("tmall", "E1", "S1", ago(30), 1, d(150), "E"),
        Line("tmall", "E2", "S1", ago(10), 1, d(250), "E"),
        Line("tmall", "F1", "S1", ago(300), 1, d(400), "F"),
        Line("tmall", "F2", "S1", ago(200), 1, d(500), "F"),
        *(Line("tmall", f"G{i}", "S1", ago(days), 1, d(400), "G") for i, days in enumerate((50, 20, 5))),
        Line("tmall", "H1", "S1", ago(60), 1, d(20), "H"),
        Line("tmall", "H2", "S1", ago(-3), 1, d(500), "H"),  # after the as-of date
        *(Line("tmall", f"I{i}", "S1", ago(days), 1, d(500), "I") for i, days in enumerate((400, 350, 300, 250, 150))),
        Line("tmall", "J1", "S1", ago(2), 1, d(100), "J"),
        Line("jd", "J1", "S1", ago(2), 1, d(50), "J"),  # the same order id on another channel: a second order
    ]


# Worked by hand, n = 10, score = 1 + ⌊5 · (buyers strictly worse) / 10⌋ = 1 + ⌊worse / 2⌋:
#   recency days F 200, I 150, C 100, H 60, D 40, E 10, G 5, A = B = J 2
#     → worse 0 1 2 3 4 5 6 and 7 for the three tied at 2 days: R 1 1 2 2 3 3 4 4 4 4 (nobody gets R 5:
#       the tie at the 4/5 edge stays together, in the lower score)
#   orders A B C D H 1, E F J 2, G 3, I 5 → worse 0 (five tied), 5, 8, 9 → F 1, 3, 5, 5
#   money H 20, A 50, C = D 80, J 150, B 300, E 400, F 900, G 1200, I 2500
#     → worse 0 1 2 2 4 5 6 7 8 9 → M 1 1 2 2 3 3 4 4 5 5
HAND = {  # customer: (recency days, orders, net yuan, R, F, M, segment)
    "A": (2, 1, 50, 4, 1, 1, "promising"),  # FM = ⌈(1+1)/2⌉ = 1
    "B": (2, 1, 300, 4, 1, 3, "potential-loyalists"),  # FM 2
    "C": (100, 1, 80, 2, 1, 2, "hibernating"),  # FM 2 (1.5 rounds up)
    "D": (40, 1, 80, 3, 1, 2, "need-attention"),
    "E": (10, 2, 400, 3, 3, 4, "loyal"),  # FM 4 (3.5 up)
    "F": (200, 2, 900, 1, 3, 4, "at-risk"),
    "G": (5, 3, 1200, 4, 5, 5, "loyal"),
    "H": (60, 1, 20, 2, 1, 1, "hibernating"),
    "I": (150, 5, 2500, 1, 5, 5, "cant-lose"),
    "J": (2, 2, 150, 4, 3, 3, "potential-loyalists"),
}


def test_every_grid_cell_has_exactly_one_segment() -> None:
    for r in range(1, 6):
        for fm in range(1, 6):
            assert sum(s.holds(r, fm) for s in SEGMENTS) == 1, (r, fm)
    assert [fm_score(f, m) for f, m in ((1, 1), (1, 2), (2, 2), (4, 5), (5, 5))] == [1, 2, 2, 5, 5]


def test_hand_worked_scores_and_ties(engine: Engine) -> None:
    load_shop(engine, Shop(_hand_lines(), [], []))
    with engine.connect() as conn:
        got = {}
        for seg in SEGMENTS:
            for b in export(conn, seg, as_of=AS_OF):
                got[b.customer_id] = (b.recency_days, b.orders, b.monetary, b.r, b.f, b.m, seg.slug)
    assert got == {c: (rd, o, Decimal(m).quantize(Decimal("0.01")), r, f, mm, s)
                   for c, (rd, o, m, r, f, mm, s) in HAND.items()}


def test_hand_worked_segments_shares_and_edges(engine: Engine) -> None:
    load_shop(engine, Shop(_hand_lines(), [], []))
    with engine.connect() as conn:
        result = segments(conn, as_of=AS_OF)
    total = sum(v[2] for v in HAND.values())
    assert total == 5680 and result.buyers == 10 and result.revenue == Decimal(5680)
    by = {row.segment.slug: row for row in result.rows}
    assert [row.segment.slug for row in result.rows] == [s.slug for s in SEGMENTS]  # empty ones too
    for slug in by:
        members = [v for v in HAND.values() if v[6] == slug]
        row = by[slug]
        assert row.buyers == len(members)
        assert row.orders == sum(v[1] for v in members)
        assert row.revenue == sum(Decimal(v[2]) for v in members)
        assert row.revenue_share == (Decimal(sum(v[2] for v in members)) / total).quantize(Decimal("0.0001"))
        assert row.aov == (None if not members else
                           (Decimal(sum(v[2] for v in members)) / sum(v[1] for v in members)).quantize(Decimal("0.01")))
    assert by["cant-lose"].revenue_share == Decimal("0.4401")
    assert by["loyal"].aov == Decimal("320.00")  # (400 + 1200) / (2 + 3)
    assert [(e.score, e.low, e.high, e.buyers) for e in result.recency_edges] == [
        (1, 150, 200, 2), (2, 60, 100, 2), (3, 10, 40, 2), (4, 2, 5, 4)]
    assert [(e.score, e.low, e.high, e.buyers) for e in result.frequency_edges] == [(1, 1, 1, 5), (3, 2, 2, 3),
                                                                                     (5, 3, 5, 2)]
    assert [(e.score, e.low, e.high) for e in result.monetary_edges] == [
        (1, 20, 50), (2, 80, 80), (3, 150, 300), (4, 400, 900), (5, 1200, 2500)]


def test_export_order_is_most_valuable_first(engine: Engine) -> None:
    load_shop(engine, Shop(_hand_lines(), [], []))
    with engine.connect() as conn:
        assert [b.customer_id for b in export(conn, segment_named("hibernating"), as_of=AS_OF)] == ["C", "H"]
        assert [b.customer_id for b in export(conn, segment_named("champions"), as_of=AS_OF)] == []


def test_as_of_before_any_order_is_refused_with_the_first_day(engine: Engine) -> None:
    load_shop(engine, Shop(_hand_lines(), [], []))
    with engine.connect() as conn, pytest.raises(NoBuyers) as caught:
        segments(conn, as_of=ago(401))
    assert caught.value.first_day == ago(400)
    with engine.connect() as conn, pytest.raises(NoBuyers) as empty_channel:
        segments(conn, as_of=AS_OF, channel="pdd")
    assert empty_channel.value.first_day is None


@pytest.mark.parametrize("name", ["cant-lose", "Can't lose", "cant_lose", "CANT LOSE", "高价值沉睡用户"])
def test_segments_are_named_in_english_or_chinese(name: str) -> None:
    assert segment_named(name).slug == "cant-lose"


def test_unknown_segment_lists_the_known_ones() -> None:
    with pytest.raises(UnknownSegment) as caught:
        segment_named("whales")
    assert len(caught.value.known) == 10 and "cant-lose (高价值沉睡用户)" in caught.value.known


# -- an independent pandas analysis of random rows -------------------------------------------------

GRID = {  # R → segment per FM 1…5, written out again here rather than read from SEGMENTS
    5: ["new", "potential-loyalists", "potential-loyalists", "champions", "champions"],
    4: ["promising", "potential-loyalists", "potential-loyalists", "loyal", "loyal"],
    3: ["need-attention", "need-attention", "need-attention", "loyal", "loyal"],
    2: ["hibernating", "hibernating", "at-risk", "at-risk", "cant-lose"],
    1: ["lost", "lost", "at-risk", "at-risk", "cant-lose"],
}


def pandas_rfm(lines: list[Line], as_of: date, channel: str | None = None) -> pd.DataFrame:
    """Per buyer: recency_days, orders, net cents, r, f, m, segment — with pandas, from the lines."""
    df = pd.DataFrame([{"customer": ln.customer, "channel": ln.channel, "order": ln.order_id, "day": ln.day,
                        "net": int((ln.paid - ln.refund) * 100)}
                       for ln in lines if ln.status != "cancelled" and ln.day <= as_of
                       and channel in (None, ln.channel)])
    per_order = df.groupby(["customer", "channel", "order"]).agg(day=("day", "max"), net=("net", "sum"))
    per_buyer = per_order.groupby("customer").agg(last=("day", "max"), orders=("day", "size"), net=("net", "sum"))
    n = len(per_buyer)

    def score(values: pd.Series) -> pd.Series:
        worse = values.rank(method="min") - 1  # buyers with a strictly smaller value
        return (1 + (5 * worse) // n).astype(int)

    per_buyer["recency_days"] = [(as_of - d).days for d in per_buyer["last"]]
    per_buyer["r"] = score(-per_buyer["recency_days"])
    per_buyer["f"] = score(per_buyer["orders"])
    per_buyer["m"] = score(per_buyer["net"])
    per_buyer["segment"] = [GRID[r][int((f + m) / 2 + 0.5) - 1]
                            for r, f, m in zip(per_buyer["r"], per_buyer["f"], per_buyer["m"], strict=True)]
    return per_buyer


@pytest.mark.parametrize("channel", [None, "tmall"])
def test_random_shop_matches_pandas(engine: Engine, channel: str | None) -> None:
    shop = make_shop(seed=11, days=60)
    load_shop(engine, shop)
    as_of = date(2026, 12, 20)
    expected = pandas_rfm(shop.lines, as_of, channel)
    with engine.connect() as conn:
        result = segments(conn, as_of=as_of, channel=channel)
        rows = {b.customer_id: b for seg in SEGMENTS for b in export(conn, seg, as_of=as_of, channel=channel)}
    counts = expected["segment"].value_counts().to_dict()
    assert {r.segment.slug: r.buyers for r in result.rows if r.buyers} == counts
    assert result.buyers == len(expected)
    assert set(rows) == set(expected.index)
    for customer, b in rows.items():
        e = expected.loc[customer]
        assert (b.recency_days, b.orders, int(b.monetary * 100), b.r, b.f, b.m) == (
            e["recency_days"], e["orders"], e["net"], e["r"], e["f"], e["m"])
        assert segment_of(b.r, b.f, b.m).slug == e["segment"]
