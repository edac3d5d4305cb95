"""`/rfm` and `/retention` at scale: 1M order lines of 200k buyers in PostgreSQL (issue 13, "Speed").

    .venv/bin/python bench/bench_analysis.py                       # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/bench_analysis.py --orders 100000 --buyers 40000

Rows are generated inside PostgreSQL with generate_series (deterministic: setseed), two lines per
order, every buyer with at least one order and the rest skewed towards a few heavy buyers, over two
years so the 365-day LTV has cohorts. Then the metrics (SQL aggregation; no order reaches Python)
and the whole answer (metrics + Block Kit + chart PNG) are timed, p50 of a few runs after a warm-up.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import load_settings  # noqa: E402
from handlers.commands import retention as retention_cmd  # noqa: E402
from handlers.commands import rfm as rfm_cmd  # noqa: E402
from metrics import retention, rfm, schema  # noqa: E402
from metrics.channels import ChannelRegistry  # noqa: E402
from metrics.db import connect  # noqa: E402
from metrics.runtime import Deps  # noqa: E402
from metrics.windows import parse_window  # noqa: E402
from tests.dbs import scratch_database  # noqa: E402

TODAY = date(2026, 11, 25)
CHANNELS = ("douyin", "tmall", "jd", "pdd", "xiaohongshu", "wechat")

GENERATE = """
INSERT INTO orders (channel, order_id, line_key, line_id, ordered_at, order_date, sku, quantity, paid_cents,
                    customer_id, status, refund_cents)
SELECT (ARRAY['douyin','tmall','jd','pdd','xiaohongshu','wechat'])[1 + o.o % 6], 'O' || o.o, 'L' || l, 'L' || l,
       o.day + o.secs * INTERVAL '1 second', o.day, 'SKU-' || ((o.o * 7 + l) % 150), 1 + (o.o + l) % 3,
       o.paid + l * 100, 'C' || o.cust, o.status, CASE WHEN o.status = 'refunded' THEN o.paid + l * 100 ELSE 0 END
FROM (
    SELECT g AS o,
           CASE WHEN g <= :buyers THEN g ELSE 1 + floor(:buyers * power(random(), 2.5))::int END AS cust,
           DATE '2026-11-24' - floor(random() * 730)::int AS day,
           floor(random() * 86400)::int AS secs,
           990 + floor(random() * 50000)::int AS paid,
           CASE WHEN random() < 0.05 THEN 'refunded' WHEN random() < 0.03 THEN 'cancelled' ELSE 'paid' END AS status
    FROM generate_series(1, :orders) AS g
) AS o CROSS JOIN generate_series(1, 2) AS l
"""


def generate(engine: Engine, orders: int, buyers: int) -> float:
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(schema.orders.delete())
        conn.execute(text("SELECT setseed(0.42)"))
        conn.execute(text(GENERATE), {"orders": orders, "buyers": buyers})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE orders"))
    return time.perf_counter() - started


def p50(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()  # warm-up: plans and caches, as on a server that has answered before
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orders", type=int, default=500_000, help="orders (two lines each)")
    ap.add_argument("--buyers", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()
    with scratch_database(args.pg) as url:
        engine = connect(url)
        seconds = generate(engine, args.orders, args.buyers)
        with engine.connect() as conn:
            lines = conn.execute(select(func.count()).select_from(schema.orders)).scalar_one()
            buyers = conn.execute(select(func.count(func.distinct(schema.orders.c.customer_id)))).scalar_one()
        print(f"PostgreSQL: {lines:,} order lines, {buyers:,} buyers generated in {seconds:.1f} s")
        settings = load_settings(database_url=url, _env_file=None)
        deps = Deps(settings, engine, ChannelRegistry(), clock=lambda: datetime(2026, 11, 25, 2, tzinfo=UTC))
        window = parse_window("30d", today=TODAY)

        def rfm_content() -> object:
            with engine.connect() as conn:
                return rfm.segments(conn, as_of=TODAY)

        def rfm_channel() -> object:
            with engine.connect() as conn:
                return rfm.segments(conn, as_of=TODAY, channel="tmall")

        def retention_content() -> object:
            with engine.connect() as conn:
                return retention.retention(conn, window=window)

        cases: list[tuple[str, Callable[[], object]]] = [
            ("/rfm content (all channels)", rfm_content),
            ("/rfm content (tmall)", rfm_channel),
            ("/retention content (30d, all channels)", retention_content),
            ("/rfm whole answer (content + blocks + chart)",
             lambda: rfm_cmd.build_view(deps, rfm_cmd.parse(deps, ""), "en")),
            ("/retention whole answer (content + blocks + chart)",
             lambda: retention_cmd.build_view(deps, retention_cmd.parse(deps, "30d"), "en")),
        ]
        print(f"{'what':52} {'p50':>8} {'max':>8}   (runs: {args.runs} after a warm-up; target 5 s)")
        for label, fn in cases:
            mid, worst = p50(fn, args.runs)
            print(f"{label:52} {mid:7.2f}s {worst:7.2f}s")
        engine.dispose()


if __name__ == "__main__":
    main()
