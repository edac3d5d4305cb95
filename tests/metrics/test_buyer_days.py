"""buyer_days, split_orders and daily_sales.orders stay what `orders` says through imports, re-imports of a
day, moved lines, cancellations and refunds, on every backend; the /gmv figures read from them match the
file rows counted in Python."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, select

from metrics import schema
from metrics.channels import ChannelRegistry
from metrics.gmv import figures
from metrics.imports import import_file
from metrics.rollup import refresh_all
from metrics.windows import Window, parse_window
from tests.metrics.test_imports import OPTS, ORDER_HEADER

TODAY = date(2026, 11, 25)
CHANNELS = list(ChannelRegistry().slugs)
Row = list[str]  # one line of ORDER_HEADER


def shop(seed: int, orders: int = 300) -> dict[tuple[str, str], Row]:
    """Lines by (order_id, line_id): repeat buyers across channels, some orders on two days, every status."""
    rng = random.Random(seed)
    out: dict[tuple[str, str], Row] = {}
    for i in range(orders):
        channel = rng.choice(["douyin", "tmall", "jd"])
        day = date(2026, 10, 20) + timedelta(days=rng.randrange(36))
        customer = f"C{rng.randrange(60)}"
        for j in range(rng.choice([1, 1, 2, 3])):
            # now and then a line a day later (a split order) or of another customer
            when = day + timedelta(days=1 if rng.random() < 0.1 else 0)
            who = f"C{rng.randrange(60)}" if rng.random() < 0.05 else customer
            out[(f"O{i}", f"L{i}-{j}")] = line(channel, f"O{i}", f"L{i}-{j}", when, who,
                                               rng.choices(["paid", "refunded", "cancelled"], [80, 12, 8])[0],
                                               rng.randrange(990, 39900))
    return out


def line(channel: str, order: str, line_id: str, day: date, customer: str, status: str, cents: int) -> Row:
    paid = f"{cents / 100:.2f}"
    return [order, line_id, channel, f"{day.isoformat()} 12:00:00", "SKU-1", "1", paid, customer, status,
            paid if status == "refunded" else "0"]


def load(engine: Engine, path: Path, rows: list[Row]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(ORDER_HEADER)
        w.writerows(rows)
    import_file(engine, "orders", path, OPTS)


def derived(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    with engine.connect() as conn:
        return {t.name: sorted(tuple(str(v) for v in r) for r in conn.execute(select(t)))
                for t in (schema.daily_sales, schema.split_orders, schema.buyer_days)}


def rebuilt(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    """The derived tables rebuilt from scratch, in a transaction rolled back afterwards."""
    with engine.connect() as conn:
        tx = conn.begin()
        refresh_all(conn)
        out = {t.name: sorted(tuple(str(v) for v in r) for r in conn.execute(select(t)))
               for t in (schema.daily_sales, schema.split_orders, schema.buyer_days)}
        tx.rollback()
    return out


def expected(rows: list[Row], w: Window, channels: list[str]) -> dict[str | None, tuple[int, int, Decimal]]:
    """channel (None = all of `channels`) → (orders, buyers, GMV) in `w`, from the rows alone."""
    live = [r for r in rows if r[8] != "cancelled" and r[2] in channels
            and w.start <= date.fromisoformat(r[3][:10]) <= w.end]
    out: dict[str | None, tuple[int, int, Decimal]] = {}
    for ch in [*channels, None]:
        mine = [r for r in live if ch is None or r[2] == ch]
        out[ch] = (len({(r[2], r[0]) for r in mine}), len({r[7] for r in mine}),
                   sum((Decimal(r[6]) for r in mine), Decimal("0")))
    return out


def check(engine: Engine, rows: list[Row], channels: list[str]) -> None:
    windows = [parse_window(t, today=TODAY) for t in ("7d", "14d", "30d", "2026-10-21..2026-10-23", "yesterday")]
    with engine.connect() as conn:
        for w in windows:
            got = figures(conn, windows=[w, w.previous(), w.last_year()], channels=channels)
            for i, win in enumerate([w, w.previous(), w.last_year()]):
                want = expected(rows, win, channels)
                for ch in [*channels, None]:
                    f = got[(i, ch)]
                    assert (f.orders, f.buyers, f.gmv) == want[ch], (win, ch)


def test_imports_and_reimports_keep_the_counts_exact(engine: Engine, tmp_path: Path) -> None:
    lines = shop(seed=11)
    load(engine, tmp_path / "all.csv", list(lines.values()))
    assert derived(engine) == rebuilt(engine)
    check(engine, list(lines.values()), CHANNELS)
    assert derived(engine)["split_orders"], "the fixture is meant to have orders on two days"

    # a day re-imported with corrections: lines moved to another day or customer, cancelled, refunded,
    # uncancelled; a split order becoming one-day and a one-day order becoming split
    rng = random.Random(5)
    day = "2026-11-10"
    changed: list[Row] = []
    for key, r in lines.items():
        if r[3][:10] != day:
            continue
        r = list(r)
        roll = rng.random()
        if roll < 0.2:
            r[3] = f"{date.fromisoformat(day) + timedelta(days=rng.choice([-3, 1, 9])):%Y-%m-%d} 09:00:00"
        elif roll < 0.4:
            r[7] = f"C{rng.randrange(60, 70)}"
        elif roll < 0.6:
            r[8] = "cancelled" if r[8] != "cancelled" else "paid"
        elif roll < 0.7:
            r[8], r[9] = "refunded", r[6]
        lines[key] = r
        changed.append(r)
    assert changed
    load(engine, tmp_path / "day.csv", changed)
    assert derived(engine) == rebuilt(engine)
    check(engine, list(lines.values()), CHANNELS)


def test_a_split_order_is_counted_once_per_window(engine: Engine, tmp_path: Path) -> None:
    d = date(2026, 11, 20)
    # S1: one customer on days 0 and 2; S2: a second customer on day 1
    later, next_day = d + timedelta(days=2), d + timedelta(days=1)
    rows = [line("jd", "S1", "a", d, "C1", "paid", 1000), line("jd", "S1", "b", later, "C1", "paid", 20),
            line("jd", "S2", "a", d, "C2", "paid", 500), line("jd", "S2", "b", next_day, "C3", "paid", 50)]
    load(engine, tmp_path / "s.csv", rows)
    check(engine, rows, CHANNELS)
    with engine.connect() as conn:
        three = parse_window("2026-11-20..2026-11-22", today=TODAY)
        assert figures(conn, windows=[three], channels=["jd"])[(0, "jd")].orders == 2
    # cancelling the later lines makes both one-day orders again
    rows[1] = line("jd", "S1", "b", later, "C1", "cancelled", 20)
    rows[3] = line("jd", "S2", "b", next_day, "C3", "cancelled", 50)
    load(engine, tmp_path / "c.csv", [rows[1], rows[3]])
    assert derived(engine)["split_orders"] == []
    assert derived(engine) == rebuilt(engine)
    check(engine, rows, CHANNELS)


def test_a_corrected_customer_or_day_leaves_no_row_behind(engine: Engine, tmp_path: Path) -> None:
    d = date(2026, 11, 20)
    rows = [line("tmall", "T1", "a", d, "C1", "paid", 1000), line("tmall", "T2", "a", d, "C2", "paid", 1000),
            line("tmall", "T3", "a", d + timedelta(days=3), "C2", "paid", 1000)]
    load(engine, tmp_path / "a.csv", rows)
    # T1 was C9's, not C1's; T2 was bought three days earlier: C1 has no row left, C2's later day a new previous
    rows = [line("tmall", "T1", "a", d, "C9", "paid", 1000), line("tmall", "T2", "a", d - timedelta(days=3), "C2",
                                                                   "paid", 1000), rows[2]]
    load(engine, tmp_path / "b.csv", rows[:2])
    assert derived(engine) == rebuilt(engine)
    assert not [r for r in derived(engine)["buyer_days"] if r[0] == "C1"]
    check(engine, rows, CHANNELS)


def test_a_channel_subset_counts_people_of_those_channels_only(engine: Engine, tmp_path: Path) -> None:
    # C1 buys on jd first and on tmall later the same day: among tmall and douyin alone, C1 still counts
    d = date(2026, 11, 20)
    rows = [line("jd", "J1", "a", d, "C1", "paid", 1000), line("tmall", "T1", "a", d, "C1", "paid", 1000),
            line("jd", "J2", "a", d - timedelta(days=1), "C2", "paid", 1000),
            line("douyin", "D1", "a", d, "C2", "paid", 1000)]
    load(engine, tmp_path / "s.csv", rows)
    check(engine, rows, ["tmall", "douyin"])
    check(engine, rows, ["jd"])
    lines = shop(seed=3)
    load(engine, tmp_path / "all.csv", list(lines.values()))
    check(engine, [*rows, *lines.values()], ["douyin", "tmall"])


def test_the_migration_fills_the_tables_from_existing_orders(tmp_path: Path) -> None:
    from alembic import command

    from metrics.db import alembic_config, connect

    engine = connect(f"sqlite:///{tmp_path / 'm.db'}")
    load(engine, tmp_path / "all.csv", list(shop(seed=2).values()))
    want = derived(engine)
    cfg = alembic_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
        command.upgrade(cfg, "head")
        conn.commit()
    assert derived(engine) == want
    engine.dispose()


def test_the_migration_matches_the_tables(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from metrics.schema import metadata

    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    ours = [d for d in diffs if any(t in repr(d) for t in ("buyer_days", "split_orders", "daily_sales"))]
    assert ours == []

