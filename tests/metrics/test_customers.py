from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from metrics.customers import buyer_mix
from metrics.windows import Window
from tests.metrics.fixtures import START, Line, Shop, load_shop, make_shop

W = Window(date(2026, 11, 10), date(2026, 11, 16), "7d")
BEFORE, INSIDE, LATE, AFTER = date(2026, 11, 2), date(2026, 11, 12), date(2026, 11, 16), date(2026, 11, 20)
P = Decimal("50.00")


def _hand_lines() -> list[Line]:
    return [
        # C1 bought before the window and again inside it: repeat, returning
        Line("tmall", "A1", "S1", BEFORE, 1, P, "C1"),
        Line("tmall", "A2", "S1", INSIDE, 1, P, "C1"),
        # C2: one order of two lines is still one order: not repeat, new
        Line("tmall", "B1", "S1", INSIDE, 1, P, "C2"),
        Line("tmall", "B1", "S2", INSIDE, 2, P, "C2"),
        # C3: two orders inside the window: repeat, new
        Line("jd", "C1", "S1", W.start, 1, P, "C3"),
        Line("jd", "C2", "S2", LATE, 1, P, "C3"),
        # C4: the earlier order was cancelled, so it neither repeats nor makes C4 returning
        Line("tmall", "D1", "S1", BEFORE, 1, P, "C4", status="cancelled"),
        Line("tmall", "D2", "S1", INSIDE, 1, P, "C4"),
        # C5 only cancelled inside the window: not a buyer at all
        Line("jd", "E1", "S1", INSIDE, 1, P, "C5", status="cancelled"),
        # C6's second order comes after the window's end: not repeat yet
        Line("tmall", "F1", "S1", INSIDE, 1, P, "C6"),
        Line("tmall", "F2", "S1", AFTER, 1, P, "C6"),
        # C7 bought on douyin before, on tmall now: returning overall, new to tmall
        Line("douyin", "G1", "S1", BEFORE, 1, P, "C7"),
        Line("tmall", "G2", "S1", INSIDE, 1, P, "C7"),
        # C8 has the same order id on two channels: two orders
        Line("tmall", "H1", "S1", INSIDE, 1, P, "C8"),
        Line("jd", "H1", "S1", INSIDE, 1, P, "C8"),
        # C9: a refunded order still counts as bought; only one of its lines was cancelled
        Line("jd", "I1", "S1", BEFORE, 1, P, "C9", status="refunded", refund=P),
        Line("jd", "I2", "S1", INSIDE, 1, P, "C9", status="cancelled"),
        Line("jd", "I2", "S2", INSIDE, 1, P, "C9"),
        # C10 bought only after the window
        Line("tmall", "J1", "S1", AFTER, 1, P, "C10"),
    ]


def _expected(lines: list[Line], w: Window, channel: str | None) -> tuple[int, int, int]:
    """(buyers, repeat buyers, new buyers) by walking the lines."""
    live = [ln for ln in lines if ln.status != "cancelled" and channel in (None, ln.channel) and ln.day <= w.end]
    buyers = {ln.customer for ln in live if ln.day >= w.start}
    orders: dict[str, set[tuple[str, str]]] = {}
    first: dict[str, date] = {}
    for ln in live:
        orders.setdefault(ln.customer, set()).add((ln.channel, ln.order_id))
        first[ln.customer] = min(first.get(ln.customer, ln.day), ln.day)
    repeat = sum(1 for c in buyers if len(orders[c]) >= 2)
    new = sum(1 for c in buyers if first[c] >= w.start)
    return len(buyers), repeat, new


@pytest.mark.parametrize("channel", [None, "tmall", "jd", "douyin"])
def test_hand_cases(engine: Engine, channel: str | None) -> None:
    lines = _hand_lines()
    load_shop(engine, Shop(lines, [], []))
    with engine.connect() as conn:
        m = buyer_mix(conn, window=W, channel=channel)
    buyers, repeat, new = _expected(lines, W, channel)
    assert (m.buyers, m.repeat_buyers, m.new_buyers) == (buyers, repeat, new)
    assert m.returning_buyers == buyers - new
    assert m.repurchase_rate == (None if buyers == 0 else (Decimal(repeat) / buyers).quantize(Decimal("0.0001")))
    assert m.channel == channel and m.window == W


def test_hand_cases_read_as_the_comments_say(engine: Engine) -> None:
    load_shop(engine, Shop(_hand_lines(), [], []))
    with engine.connect() as conn:
        everything = buyer_mix(conn, window=W)
        tmall = buyer_mix(conn, window=W, channel="tmall")
        douyin = buyer_mix(conn, window=W, channel="douyin")
    # buyers C1 C2 C3 C4 C6 C7 C8 C9; repeat C1 C3 C7 C8 C9; returning C1 C7 C9
    assert (everything.buyers, everything.repeat_buyers, everything.returning_buyers) == (8, 5, 3)
    assert everything.repurchase_rate == Decimal("0.6250")
    # tmall buyers C1 C2 C4 C6 C7 C8; repeat C1 only; returning C1 only
    assert (tmall.buyers, tmall.repeat_buyers, tmall.new_buyers, tmall.returning_buyers) == (6, 1, 5, 1)
    # douyin had a buyer before the window but none inside it
    assert douyin.buyers == 0 and douyin.repurchase_rate is None


def test_empty_window_gives_none_rate(engine: Engine) -> None:
    load_shop(engine, Shop(_hand_lines(), [], []))
    with engine.connect() as conn:
        m = buyer_mix(conn, window=Window(date(2025, 1, 1), date(2025, 1, 7), "7d"))
    assert (m.buyers, m.repeat_buyers, m.new_buyers, m.returning_buyers) == (0, 0, 0, 0)
    assert m.repurchase_rate is None


@pytest.mark.parametrize("channel", [None, "douyin"])
def test_random_shop_matches_a_walk_over_the_lines(engine: Engine, channel: str | None) -> None:
    shop = make_shop(days=20)
    load_shop(engine, shop)
    w = Window(START + timedelta(days=10), START + timedelta(days=16), "7d")
    with engine.connect() as conn:
        m = buyer_mix(conn, window=w, channel=channel)
    buyers, repeat, new = _expected(shop.lines, w, channel)
    assert buyers > 0 and 0 < new < buyers and repeat > 0  # the fixture exercises every count
    assert (m.buyers, m.repeat_buyers, m.new_buyers) == (buyers, repeat, new)
