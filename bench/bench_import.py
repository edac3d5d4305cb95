"""Import throughput and ROI query time at scale (issue: foundation, "Speed").

    .venv/bin/python bench/bench_import.py                 # 1M orders, SQLite + PostgreSQL if reachable
    .venv/bin/python bench/bench_import.py --rows 200000 --pg ''   # SQLite only

Generates N order lines as a canonical orders CSV (plus 180 days of ad spend), imports it with
`ecombot import`'s own code path (parse + checks + bulk upsert + rollup refresh), and times the
30-day per-channel ROI query (`metrics.sales.roi_by_channel`) and, for comparison, the same
GMV aggregate straight off the raw orders table.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metrics import schema  # noqa: E402
from metrics.channels import ChannelRegistry  # noqa: E402
from metrics.db import connect  # noqa: E402
from metrics.imports import ImportOptions, import_file, kind_named, parse_frame, read_frame, write_rows  # noqa: E402
from metrics.sales import roi_by_channel  # noqa: E402
from metrics.windows import parse_window  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 25)
CHANNELS = ["douyin", "tmall", "jd", "pdd", "xiaohongshu", "wechat"]
DAYS = 180


def make_orders_csv(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    start = datetime.combine(TODAY - timedelta(days=DAYS), datetime.min.time())
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["order_id", "line_id", "channel", "ordered_at", "sku", "quantity", "paid_amount", "customer_id",
                    "status", "refund_amount"])
        for i in range(rows):
            ts = start + timedelta(seconds=rng.randrange(DAYS * 86400))
            status = "paid" if i % 20 else "refunded"
            paid = f"{rng.randrange(990, 59900) / 100:.2f}"
            w.writerow([f"O{i // 2}", f"L{i}", CHANNELS[i % 6], ts.isoformat(sep=" "), f"SKU-{rng.randrange(150)}",
                        1 + i % 3, paid, f"C{rng.randrange(rows // 3 + 1)}", status,
                        paid if status == "refunded" else "0"])


def make_spend_csv(path: Path) -> None:
    rng = random.Random(2)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["date", "channel", "campaign", "spend", "impressions", "clicks", "attributed_gmv"])
        for d in range(DAYS):
            day = TODAY - timedelta(days=DAYS - d)
            for c in CHANNELS:
                for k in range(3):
                    spend = rng.randrange(10000, 900000) / 100
                    w.writerow([day.isoformat(), c, f"{c}-{k}", f"{spend:.2f}", 100000, 2500,
                                f"{spend * 3:.2f}" if c in ("douyin", "tmall") else ""])


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def raw_gmv(engine: Engine, start: date, end: date) -> None:
    o = schema.orders
    with engine.connect() as conn:
        conn.execute(select(o.c.channel, func.sum(o.c.paid_cents)).where(
            and_(o.c.order_date >= start, o.c.order_date <= end, o.c.status != "cancelled")).group_by(o.c.channel)
        ).all()


def run(label: str, url: str, orders_csv: Path, spend_csv: Path, rows: int) -> dict[str, float]:
    engine = connect(url)
    with engine.begin() as conn:
        for table in (schema.orders, schema.daily_sales, schema.split_orders, schema.buyer_days, schema.ad_spend,
                      schema.imports):
            # TRUNCATE, not DELETE: dead rows of an earlier run would slow this one down
            if engine.dialect.name == "sqlite":
                conn.execute(table.delete())
            else:
                conn.execute(text(f"TRUNCATE TABLE {table.name}"))
    opts = ImportOptions(tz=TZ, registry=ChannelRegistry(), today=TODAY, progress=sys.stderr.isatty())
    # the same steps as import_file, timed apart: reading + checking in Python, then the database
    kind = kind_named("orders")
    t0 = time.perf_counter()
    frame = read_frame(orders_csv)
    df = parse_frame(kind, frame, opts, source=orders_csv.name)
    parsed = time.perf_counter() - t0
    result = write_rows(engine, kind, df, source=orders_csv.name, rows_read=len(frame), opts=opts)
    first = time.perf_counter() - t0
    written = first - parsed
    t0 = time.perf_counter()
    import_file(engine, "orders", orders_csv, opts)  # re-import: every row an update
    again = time.perf_counter() - t0
    import_file(engine, "ad-spend", spend_csv, opts)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    window = parse_window("30d", today=TODAY)

    def roi_query() -> None:
        with engine.connect() as conn:
            roi_by_channel(conn, window=window, channels=CHANNELS)

    roi_ms = timed(roi_query, 30)
    raw_ms = timed(lambda: raw_gmv(engine, window.start, window.end), 5)
    engine.dispose()
    figures = {
        "rows": float(result.rows_read),
        "import_rows_s": rows / first,
        "parse_rows_s": rows / parsed,
        "db_rows_s": rows / written,
        "reimport_rows_s": rows / again,
        "roi_p50_ms": statistics.median(roi_ms),
        "roi_max_ms": max(roi_ms),
        "raw_gmv_p50_ms": statistics.median(raw_ms),
    }
    print(f"{label:<11} import {figures['import_rows_s']:>9,.0f} rows/s (read+check {figures['parse_rows_s']:>9,.0f},"
          f" database {figures['db_rows_s']:>9,.0f})   re-import {figures['reimport_rows_s']:>9,.0f}"
          f" rows/s   30d ROI by channel p50 {figures['roi_p50_ms']:6.1f} ms (max {figures['roi_max_ms']:.1f})"
          f"   raw-orders GMV p50 {figures['raw_gmv_p50_ms']:7.1f} ms", flush=True)
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test", help="'' to skip PostgreSQL")
    ap.add_argument("--mysql", default="", help="e.g. mysql://root@127.0.0.1:3306/test")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        orders_csv, spend_csv = Path(tmp) / "orders.csv", Path(tmp) / "ad_spend.csv"
        t0 = time.perf_counter()
        make_orders_csv(orders_csv, args.rows)
        make_spend_csv(spend_csv)
        print(f"{args.rows:,} order lines generated in {time.perf_counter() - t0:.1f} s "
              f"({orders_csv.stat().st_size / 1e6:.0f} MB CSV)", flush=True)
        results = {"sqlite": run("SQLite", f"sqlite:///{tmp}/bench.db", orders_csv, spend_csv, args.rows)}
        for label, url in (("PostgreSQL", args.pg), ("MariaDB", args.mysql)):
            if not url:
                continue
            try:
                results[label] = run(label, url, orders_csv, spend_csv, args.rows)
            except Exception as exc:  # noqa: BLE001 - an unreachable server is reported, not fatal
                print(f"{label:<11} skipped: {str(exc).splitlines()[0]}")
    targets = [("SQLite import ≥ 50k rows/s (end to end)", results["sqlite"]["import_rows_s"] >= 50_000)]
    if "PostgreSQL" in results:
        targets.append(("PostgreSQL import ≥ 100k rows/s (end to end)",
                        results["PostgreSQL"]["import_rows_s"] >= 100_000))
    targets += [(f"{k} 30d ROI ≤ 100 ms", v["roi_p50_ms"] <= 100) for k, v in results.items()]
    for name, ok in targets:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")


if __name__ == "__main__":
    main()
