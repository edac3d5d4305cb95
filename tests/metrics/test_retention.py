"""Cohorts, LTV and repurchase: a fixture with known retention, a random shop walked in plain Python,
and the demo shop against an independent pandas analysis."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import Engine

from metrics.demo_data import generate, seed_demo
from metrics.retention import LTV_DAYS, cohorts, last_complete_month_end, ltv, ltv_cutoff, retention
from metrics.rfm import segments
from metrics.windows import Window, parse_window
from tests.metrics.fixtures import Line, Shop, load_shop
from tests.metrics.test_rfm import pandas_rfm

P = Decimal("100.00")
JUNE = Window(date(2026, 6, 1), date(2026, 6, 30), "2026-06")


def _known_lines() -> list[Line]:
    d = date
    return [
        # Dec cohort: U8's first order was refunded (still bought), then January
        Line("tmall", "U8a", "S", d(2025, 12, 20), 1, P, "U8", status="refunded", refund=P),
        Line("tmall", "U8b", "S", d(2026, 1, 3), 1, P, "U8"),
        # Jan cohort of four
        Line("tmall", "U1a", "S", d(2026, 1, 5), 1, P, "U1"),
        Line("tmall", "U1b", "S", d(2026, 2, 5), 1, P, "U1"),
        Line("jd", "U1c", "S", d(2026, 4, 5), 1, P, "U1"),
        Line("tmall", "U2a", "S", d(2026, 1, 10), 1, P, "U2"),
        Line("tmall", "U2b", "S", d(2026, 2, 1), 1, P, "U2"),
        Line("tmall", "U2c", "S", d(2026, 2, 28), 1, P, "U2"),  # twice in February counts once
        Line("tmall", "U3a", "S", d(2026, 1, 15), 1, P, "U3"),
        Line("tmall", "U3b", "S", d(2026, 3, 15), 1, P, "U3", status="cancelled"),  # not a purchase
        Line("douyin", "U4a", "S", d(2026, 1, 31), 1, P, "U4"),
        Line("douyin", "U4b", "S", d(2026, 3, 1), 1, P, "U4"),
        # Mar cohort of two; U6's second order comes after the table's last month
        Line("tmall", "U5a", "S", d(2026, 3, 2), 1, P, "U5"),
        Line("tmall", "U5b", "S", d(2026, 4, 2), 1, P, "U5"),
        Line("tmall", "U6a", "S", d(2026, 3, 20), 1, P, "U6"),
        Line("tmall", "U6b", "S", d(2026, 7, 2), 1, P, "U6"),
        # Jun cohort of one
        Line("jd", "U7a", "S", d(2026, 6, 30), 1, P, "U7"),
    ]


def test_known_retention(engine: Engine) -> None:
    load_shop(engine, Shop(_known_lines(), [], []))
    with engine.connect() as conn:
        table = cohorts(conn, through=date(2026, 6, 30))
    got = [(c.month, c.size, c.retained) for c in table]
    assert got == [
        (date(2025, 12, 1), 1, (1, 0, 0, 0, 0, 0)),
        (date(2026, 1, 1), 4, (2, 1, 1, 0, 0)),  # Feb: U1 U2 · Mar: U4 · Apr: U1
        (date(2026, 2, 1), 0, (0, 0, 0, 0)),
        (date(2026, 3, 1), 2, (1, 0, 0)),  # Apr: U5 (U6 came back in July, after the table)
        (date(2026, 4, 1), 0, (0, 0)),
        (date(2026, 5, 1), 0, (0,)),
        (date(2026, 6, 1), 1, ()),
    ]
    assert table[1].share(1) == Decimal("0.5000") and table[1].share(6) is None


def test_only_complete_months_are_shown() -> None:
    assert last_complete_month_end(date(2026, 6, 30)) == date(2026, 6, 30)
    assert last_complete_month_end(date(2026, 6, 29)) == date(2026, 5, 31)
    assert last_complete_month_end(date(2026, 3, 1)) == date(2026, 2, 28)


def test_ltv_cutoffs_need_the_full_period_for_the_whole_cohort() -> None:
    # a cohort month M counts when its last day + N − 1 ≤ end
    end = date(2026, 6, 30)
    assert ltv_cutoff(end, 90) == date(2026, 4, 1)  # Mar 31 + 89 days = Jun 28 ≤ Jun 30; Apr 30 + 89 > Jun 30
    assert ltv_cutoff(end, 180) == date(2026, 1, 1)  # Dec 31 + 179 = Jun 28
    assert ltv_cutoff(end, 365) == date(2025, 7, 1)
    assert ltv_cutoff(date(2026, 6, 28), 90) == date(2026, 4, 1)  # Jun 28 exactly: March still counts
    assert ltv_cutoff(date(2026, 6, 27), 90) == date(2026, 3, 1)


def test_channel_limits_buyers_and_their_history(engine: Engine) -> None:
    load_shop(engine, Shop(_known_lines(), [], []))
    with engine.connect() as conn:
        jd = cohorts(conn, through=date(2026, 6, 30), channel="jd")
    # on JD alone U1's first order is in April and U7's in June
    assert [(c.month, c.size, c.retained) for c in jd] == [(date(2026, 4, 1), 1, (0, 0)),
                                                            (date(2026, 5, 1), 0, (0,)), (date(2026, 6, 1), 1, ())]


# -- a random shop over 14 months, walked in plain Python -------------------------------------------


def _random_lines(seed: int = 5) -> list[Line]:
    rng = random.Random(seed)
    start = date(2025, 5, 1)
    lines = []
    for c in range(220):
        first = start + timedelta(days=rng.randrange(420))
        day, k = first, 0
        while day <= date(2026, 6, 30) and k < 8:
            channel = rng.choice(["douyin", "tmall", "jd"])
            status = rng.choices(["paid", "refunded", "cancelled"], [85, 10, 5])[0]
            paid = Decimal(rng.randrange(1990, 49900)) / 100
            refund = paid if status == "refunded" else Decimal(0)
            for j in range(rng.choice([1, 1, 2])):
                lines.append(Line(channel, f"O{c}-{k}", f"S{j}", day, 1, paid, f"C{c}", status, refund))
            day += timedelta(days=rng.choice([3, 20, 45, 90, 200]))
            k += 1
    return lines


def _expected_cohorts(lines: list[Line], through: date) -> dict[date, tuple[int, list[int]]]:
    live = [ln for ln in lines if ln.status != "cancelled" and ln.day <= through]
    first: dict[str, date] = {}
    months: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for ln in live:
        first[ln.customer] = min(first.get(ln.customer, ln.day), ln.day)
        months[ln.customer].add((ln.day.year, ln.day.month))
    last = (through.year, through.month)
    out: dict[date, tuple[int, list[int]]] = {}
    for i in range(12):
        y, m = divmod(last[0] * 12 + last[1] - 1 - i, 12)
        month = date(y, m + 1, 1)
        members = [c for c, f in first.items() if (f.year, f.month) == (month.year, month.month)]
        span = (last[0] * 12 + last[1]) - (month.year * 12 + month.month)
        again = []
        for k in range(1, span + 1):
            yy, mm = divmod(month.year * 12 + month.month - 1 + k, 12)
            again.append(sum(1 for c in members if (yy, mm + 1) in months[c]))
        out[month] = (len(members), again)
    return out


def _expected_ltv(lines: list[Line], end: date) -> dict[str, list[tuple[int, Decimal]]]:
    live = [ln for ln in lines if ln.status != "cancelled" and ln.day <= end]
    first: dict[str, tuple[date, str, str]] = {}
    for ln in sorted(live, key=lambda x: (x.day, x.channel, x.order_id)):  # the fixture's time is day + 2 h
        first.setdefault(ln.customer, (ln.day, ln.channel, ln.order_id))
    out: dict[str, list[tuple[int, Decimal]]] = {}
    for i, days in enumerate(LTV_DAYS):
        cutoff = ltv_cutoff(end, days)
        for customer, (day, channel, _) in first.items():
            if day >= cutoff:
                continue
            revenue = sum((ln.paid - ln.refund for ln in live
                           if ln.customer == customer and ln.day < day + timedelta(days=days)), Decimal(0))
            for key in (channel, "all"):
                cells = out.setdefault(key, [(0, Decimal(0))] * len(LTV_DAYS))
                n, total = cells[i]
                cells[i] = (n + 1, total + revenue)
    return out


def test_random_shop_cohorts_and_ltv(engine: Engine) -> None:
    lines = _random_lines()
    load_shop(engine, Shop(lines, [], []))
    end = date(2026, 6, 30)
    with engine.connect() as conn:
        table = cohorts(conn, through=end)
        rows, _ = ltv(conn, end=end)
    expected = _expected_cohorts(lines, end)
    first_month = min(m for m, (size, _) in expected.items() if size)
    assert [(c.month, c.size, list(c.retained)) for c in table] == [
        (m, *expected[m]) for m in sorted(expected) if m >= first_month]
    want = _expected_ltv(lines, end)
    got = {row.channel: [(cell.buyers, cell.revenue) for cell in row.cells] for row in rows}
    assert got == {k: [(n, t.quantize(Decimal("0.01"))) for n, t in v] for k, v in want.items()}
    assert rows[-1].channel == "all"
    for row in rows:
        for cell in row.cells:
            average = None if cell.buyers == 0 else (cell.revenue / cell.buyers).quantize(Decimal("0.01"))
            assert cell.average == average


def test_retention_puts_the_pieces_together(engine: Engine) -> None:
    load_shop(engine, Shop(_known_lines(), [], []))
    with engine.connect() as conn:
        r = retention(conn, window=JUNE)
    assert r.through == date(2026, 6, 30) and r.cohorts[0].month == date(2025, 12, 1)
    # June's buyers: U7 only, new → repurchase 0 / 1
    assert (r.mix.buyers, r.mix.new_buyers, r.mix.repeat_buyers) == (1, 1, 0)


# -- the demo shop against an independent pandas analysis of the same rows --------------------------

TODAY = date(2026, 11, 25)
TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.slow
def test_demo_shop_matches_an_independent_pandas_analysis(sqlite_engine: Engine) -> None:
    data = generate(today=TODAY, tz=TZ)
    seed_demo(sqlite_engine, today=TODAY, tz=TZ)
    window = parse_window("30d", today=TODAY)
    with sqlite_engine.connect() as conn:
        got = retention(conn, window=window)
        rfm = segments(conn, as_of=TODAY)

    df = pd.DataFrame(data.orders)
    df = df[df["status"] != "cancelled"]
    df = df[df["order_date"] <= window.end]
    orders_per_buyer = df.drop_duplicates(["customer_id", "channel", "order_id"]).groupby("customer_id").size()
    first_day = df.groupby("customer_id")["order_date"].min()
    buyers = df[df["order_date"] >= window.start]["customer_id"].unique()
    repeat = int((orders_per_buyer[buyers] >= 2).sum())
    assert got.mix.buyers == len(buyers)
    assert got.mix.repeat_buyers == repeat
    assert got.mix.repurchase_rate == (Decimal(repeat) / len(buyers)).quantize(Decimal("0.0001"))
    assert got.mix.new_buyers == int((first_day[buyers] >= window.start).sum())

    upto = df[df["order_date"] <= got.through]
    first_month = upto.groupby("customer_id")["order_date"].min().map(lambda d: d.replace(day=1))
    sizes = first_month.value_counts()
    assert {c.month: c.size for c in got.cohorts} == {m: int(n) for m, n in sizes.items() if m in
                                                      {c.month for c in got.cohorts}}
    assert sum(c.size for c in got.cohorts) == int(sizes.sum())  # every cohort of the data is in the table

    lines = [Line(r["channel"], r["order_id"], r["sku"], r["order_date"], r["quantity"],
                  Decimal(r["paid_cents"]) / 100, r["customer_id"], r["status"], Decimal(r["refund_cents"]) / 100)
             for r in data.orders]
    expected = pandas_rfm(lines, TODAY)["segment"].value_counts().to_dict()
    assert {row.segment.slug: row.buyers for row in rfm.rows if row.buyers} == expected
