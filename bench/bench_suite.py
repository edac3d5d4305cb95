"""`/gmv` and `/funnel` speed at 1M order lines (issue: the command suite, "Speed").

    .venv/bin/python bench/bench_suite.py                          # PostgreSQL at 127.0.0.1, 1M lines
    .venv/bin/python bench/bench_suite.py --rows 200000 --url sqlite:////tmp/suite.db

Loads N order lines over 180 days (bench_import's generator, through the real import path) and
180 days of traffic, then runs the real app on waitress in this process against the fake Slack,
as `bench/bench_roi.py --in-process` does for `/roi`: each command is sent signed, and timed from
the request until its chart upload reached the fake (the answer, figures and chart, in Slack).
`--explain` prints PostgreSQL's plan of each query of the /gmv figures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_import import CHANNELS, DAYS, TODAY, TZ, make_orders_csv  # noqa: E402
from bench_roi import NOW, SECRET, drain, percentile  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from bot.app import create_app, settle_heap  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.sandbox import FakeSlack, slash_command  # noqa: E402
from bot.server import HttpServer, wsgi_app  # noqa: E402
from metrics import schema  # noqa: E402
from metrics.channels import ChannelRegistry  # noqa: E402
from metrics.db import connect, upsert  # noqa: E402
from metrics.gmv import figures  # noqa: E402
from metrics.imports import ImportOptions, import_file  # noqa: E402
from metrics.runtime import Deps  # noqa: E402
from metrics.windows import parse_window  # noqa: E402

COMMANDS = [("/gmv", ""), ("/gmv", "30d"), ("/gmv", "douyin 30d"), ("/funnel", ""), ("/funnel", "30d")]
TARGET_MS = 300.0


def seed(url: str, rows: int) -> None:
    engine = connect(url)
    with engine.begin() as conn:
        for table in (schema.orders, schema.daily_sales, schema.split_orders, schema.buyer_days, schema.traffic,
                      schema.imports):
            if engine.dialect.name == "sqlite":
                conn.execute(table.delete())
            else:
                conn.execute(text(f"TRUNCATE TABLE {table.name}"))
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as tmp:
        path = Path(tmp) / "orders.csv"
        make_orders_csv(path, rows)
        import_file(engine, "orders", path, ImportOptions(tz=TZ, registry=ChannelRegistry(), today=TODAY))
    rng = random.Random(3)
    with engine.begin() as conn:
        upsert(conn, schema.traffic, [
            {"date": TODAY - timedelta(days=DAYS - d), "channel": c, "uv": (uv := rng.randrange(20_000, 90_000)),
             "pv": uv * 3, "cart_users": uv // rng.randrange(6, 14)} for d in range(DAYS + 1) for c in CHANNELS])
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
    engine.dispose()


def explain(url: str) -> None:
    engine = connect(url)
    w = parse_window("30d", today=TODAY)
    windows = [w, w.previous(), w.last_year()]
    with engine.connect() as conn:
        started = time.perf_counter()
        figures(conn, windows=windows, channels=CHANNELS)
        print(f"figures() for 3 windows × 6 channels: {(time.perf_counter() - started) * 1000:.0f} ms")
        if engine.dialect.name == "postgresql":
            seen: list[tuple[str, Any]] = []

            def keep(_c: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
                seen.append((statement, parameters))

            event.listen(engine, "before_cursor_execute", keep)
            figures(conn, windows=windows, channels=CHANNELS)
            event.remove(engine, "before_cursor_execute", keep)
            for statement, parameters in seen:  # every query figures() runs, as PostgreSQL runs it
                for (line,) in conn.exec_driver_sql("EXPLAIN ANALYZE " + statement, parameters):
                    print("   ", line)
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--n", type=int, default=20, help="runs of each command (default 20)")
    ap.add_argument("--no-seed", action="store_true", help="reuse the data of an earlier run")
    ap.add_argument("--explain", action="store_true")
    args = ap.parse_args(argv)
    if not args.no_seed:
        t0 = time.perf_counter()
        seed(args.url, args.rows)
        print(f"seeded {args.rows:,} order lines + {DAYS + 1} days of traffic in {time.perf_counter() - t0:.0f} s")
    if args.explain:
        explain(args.url)
    settings = load_settings(slack_bot_token="xoxb-bench", slack_signing_secret=SECRET, database_url=args.url,
                             bot_timezone="Asia/Shanghai", _env_file=None)
    results: dict[str, list[float]] = {}
    with FakeSlack(port=0, socket_mode=False) as fake:
        deps = Deps(settings.model_copy(update={"slack_api_url": fake.api_url}), connect(args.url),
                    ChannelRegistry(), clock=lambda: NOW)
        app = create_app(deps)
        settle_heap()
        server = HttpServer(wsgi_app(app, deps), host="127.0.0.1", port=0).start()
        url = server.url + "/slack/events"
        sent = 0
        try:
            for command, words in COMMANDS:
                times = []
                for i in range(args.n + 1):
                    started = time.perf_counter()
                    status, body = slash_command(url, SECRET, command, words, fake=fake, channel_id="C0GENERAL",
                                                 channel_name="general")
                    if status != 200 or body:
                        raise SystemExit(f"unexpected ack for {command} {words}: {status} {body[:200]}")
                    sent += 1
                    fake.wait_for("files.completeUploadExternal", count=sent, timeout=60)
                    if i:  # the first of each is warm-up (font, plan cache)
                        times.append((time.perf_counter() - started) * 1000)
                results[f"{command} {words or '(7d, all channels)'}"] = times
        finally:
            drain(app)
            server.stop()
            deps.engine.dispose()
    print(f"\n{args.rows:,} order lines on {connect(args.url).dialect.name}; request → chart uploaded, "
          f"{args.n} runs each\n")
    print(f"{'':32}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    ok = True
    for name, values in results.items():
        p50 = statistics.median(values)
        ok = ok and p50 <= TARGET_MS
        print(f"{name:32}{p50:10.0f}{percentile(values, 95):10.0f}{percentile(values, 99):10.0f}{max(values):10.0f}")
    print(f"\ntarget p50 ≤ {TARGET_MS:.0f} ms: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
