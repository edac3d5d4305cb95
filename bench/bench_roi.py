"""`/roi` speed end to end (issue: e2e tests of /roi, "Speed").

    .venv/bin/python bench/bench_roi.py            # 50 × `/roi douyin 30d`, one after the other
    .venv/bin/python bench/bench_roi.py --n 200 --burst 10

A fresh SQLite database in a temp dir gets the demo shop (`metrics.demo_data.seed_demo`, from a
child process; `--fixture-shop` for the small test shop). The real app (create_app + settle_heap
+ waitress, as `ecombot serve` runs it) answers signed requests and calls the fake Slack on
loopback. By default the bot runs in a process of its own, as it does in production, so its RSS
is its own and the fake Slack and this client do not compete with it for the GIL; `--in-process`
puts everything in one process, exactly as tests/e2e do. Each command waits for its chart upload
before the next one is sent, so every command is measured alone:

    (a) ack         request sent → HTTP response received (what Slack's 3 s deadline is about)
    (b) completion  request sent → files.completeUploadExternal reached the fake
    chart render    handlers.views.charts.daily_roi_chart on the same data, alone (warm)

`--burst K` then sends K commands at once from K threads, to show the ack under load.
"""

from __future__ import annotations

import argparse
import logging
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_bolt import App  # noqa: E402
from slack_bolt.lazy_listener.thread_runner import ThreadLazyListenerRunner  # noqa: E402
from sqlalchemy import Engine  # noqa: E402

from bot.app import create_app, settle_heap  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.sandbox import FakeSlack, slash_command  # noqa: E402
from bot.server import HttpServer, wsgi_app  # noqa: E402
from handlers.commands import roi as roi_command  # noqa: E402
from handlers.commands.args import parse_channel_window  # noqa: E402
from handlers.views import charts  # noqa: E402
from metrics import sales  # noqa: E402
from metrics.channels import ChannelRegistry  # noqa: E402
from metrics.db import connect  # noqa: E402
from metrics.runtime import Deps  # noqa: E402

SECRET = "bench-secret"
TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
COMMAND_TEXT = "douyin 30d"
CHANNEL = "C0GENERAL"

ACK_P99_MS = 50.0
COMPLETION_OVER_RENDER = 2.0
RSS_MB = 300.0


def seed(engine: Engine, fixture_shop: bool = False) -> str:
    """The demo shop (or the small test fixture shop); returns what was loaded."""
    if fixture_shop:
        from tests.metrics.fixtures import load_shop, make_shop

        load_shop(engine, make_shop())
        return "test fixture shop (tests/metrics/fixtures.py)"
    from metrics.demo_data import seed_demo

    counts: dict[str, int] = seed_demo(engine, today=TODAY, tz=TZ)
    return "demo shop: " + ", ".join(f"{name} {n:,}" for name, n in counts.items())


def seed_elsewhere(url: str, fixture_shop: bool) -> str:
    """Seed from a child process, so generating the data leaves nothing in this one's memory."""
    cmd = [sys.executable, __file__, "--seed-into", url] + (["--fixture-shop"] if fixture_shop else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"seeding failed:\n{done.stderr}")
    return done.stdout.strip()


def drain(app: App) -> None:
    """Shut Bolt's pools down once their work is done: acks first (they start the lazy listeners)."""
    runner = app.listener_runner
    runner.listener_executor.shutdown(wait=True)
    lazy = runner.lazy_listener_runner
    if isinstance(lazy, ThreadLazyListenerRunner):
        lazy.executor.shutdown(wait=True)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def rss_mb(status: Path) -> tuple[float, float]:
    """(VmRSS, VmHWM = peak) in MB from a /proc/<pid>/status file; (0, 0) where there is no /proc."""
    current = peak = 0.0
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return current, peak


def timed(fn: Callable[[], Any], times: int) -> list[float]:
    out = []
    for _ in range(times):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


class Run:
    def __init__(self, fake: FakeSlack, url: str) -> None:
        self.fake = fake
        self.url = url
        self.sent = 0

    def one(self) -> tuple[float, float]:
        """One command, waited for until its chart is uploaded: (ack ms, completion ms)."""
        self.sent += 1
        started = time.perf_counter()
        status, body = slash_command(self.url, SECRET, "/roi", COMMAND_TEXT, fake=self.fake,
                                     channel_id=CHANNEL, channel_name="general")
        acked = time.perf_counter()
        if status != 200 or body:
            raise SystemExit(f"unexpected ack: HTTP {status} {body[:200]!r}")
        self.fake.wait_for("files.completeUploadExternal", count=self.sent, timeout=60)
        done = time.perf_counter()
        return (acked - started) * 1000, (done - started) * 1000

    def burst(self, k: int) -> tuple[list[float], float]:
        """k commands at once: their ack times, and the time until all k charts were uploaded."""
        acks: list[float] = []
        lock = threading.Lock()
        gate = threading.Barrier(k)

        def send() -> None:
            gate.wait()
            started = time.perf_counter()
            status, _ = slash_command(self.url, SECRET, "/roi", COMMAND_TEXT, fake=self.fake,
                                      channel_id=CHANNEL, channel_name="general")
            with lock:
                acks.append((time.perf_counter() - started) * 1000 if status == 200 else math.inf)

        threads = [threading.Thread(target=send) for _ in range(k)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.sent += k
        self.fake.wait_for("files.completeUploadExternal", count=self.sent, timeout=120)
        return acks, (time.perf_counter() - started) * 1000


class InProcessBot:
    """The app on waitress in this very process (as tests/e2e run it)."""

    def __init__(self, db_url: str, api_url: str) -> None:
        self.app, self.server, _ = start_bot(db_url, api_url)
        self.url = self.server.url + "/slack/events"

    def rss(self) -> tuple[float, float]:
        current, peak = rss_mb(Path("/proc/self/status"))
        if not peak:  # no /proc: the peak is what getrusage knows (KB on Linux, bytes on macOS)
            raw = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            peak = raw / (1024 * 1024 if sys.platform == "darwin" else 1024)
        return current, peak

    def stop(self) -> None:
        drain(self.app)
        self.server.stop()


class ChildBot:
    """The app on waitress in a child process (`--serve-bot`), stopped by closing its stdin."""

    def __init__(self, db_url: str, api_url: str) -> None:
        cmd = [sys.executable, __file__, "--serve-bot", db_url, api_url]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http://"):
            self.proc.kill()
            raise SystemExit(f"the bot process did not start (said {line!r})")
        self.url = line + "/slack/events"

    def rss(self) -> tuple[float, float]:
        return rss_mb(Path(f"/proc/{self.proc.pid}/status"))

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        if self.proc.wait(timeout=60) != 0:
            raise SystemExit(f"the bot process exited with {self.proc.returncode}")


def start_bot(db_url: str, api_url: str) -> tuple[App, HttpServer, Deps]:
    """What `ecombot serve` does in HTTP mode, with the bench's clock and the fake's API URL."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # a --burst outnumbers the threads on purpose
    settings = load_settings(
        slack_bot_token="xoxb-bench", slack_signing_secret=SECRET, slack_api_url=api_url,
        database_url=db_url, bot_timezone="Asia/Shanghai", _env_file=None,
    )
    deps = Deps(settings, connect(db_url), ChannelRegistry(), clock=lambda: NOW)
    app = create_app(deps)
    settle_heap()
    server = HttpServer(wsgi_app(app, deps), host="127.0.0.1", port=0).start()
    return app, server, deps


def serve_bot(db_url: str, api_url: str) -> int:
    """The child process: serve until the parent closes our stdin."""
    app, server, deps = start_bot(db_url, api_url)
    print(server.url, flush=True)
    sys.stdin.read()
    drain(app)
    server.stop()
    deps.engine.dispose()
    return 0


def chart_timings(db_url: str, renders: int) -> tuple[list[float], list[float]]:
    """The chart alone, on the very data the command charts; and the whole view (SQL + chart)."""
    settings = load_settings(database_url=db_url, bot_timezone="Asia/Shanghai", _env_file=None)
    deps = Deps(settings, connect(db_url), ChannelRegistry(), clock=lambda: NOW)
    cw = parse_channel_window(COMMAND_TEXT, deps.registry, deps.today())
    assert cw.channel is not None
    with deps.engine.connect() as conn:
        daily = sales.daily_roi(conn, window=cw.window, channel=cw.channel.slug)
    floor = settings.floor_for(cw.channel.slug)

    def render() -> bytes:
        return charts.daily_roi_chart(daily, floor=floor, title="Daily ROI · Douyin · 30d", floor_label="floor 1:2.00")

    render()  # the font is registered once per process; the bot had done that before too
    rendered = timed(render, renders)
    built = timed(lambda: roi_command.build_view(deps, cw), renders)
    deps.engine.dispose()
    return rendered, built


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=50, help="commands in a row (default 50)")
    ap.add_argument("--renders", type=int, default=20, help="chart renders timed alone (default 20)")
    ap.add_argument("--burst", type=int, default=0, help="then K commands at once (default: skip)")
    ap.add_argument("--fixture-shop", action="store_true", help="the small test shop instead of the demo data")
    ap.add_argument("--in-process", action="store_true", help="bot, fake Slack and client in one process")
    ap.add_argument("--seed-into", metavar="URL", help=argparse.SUPPRESS)  # child process of seed_elsewhere
    ap.add_argument("--serve-bot", nargs=2, metavar=("DB_URL", "API_URL"), help=argparse.SUPPRESS)  # ChildBot
    args = ap.parse_args(argv)
    if args.seed_into:
        print(seed(connect(args.seed_into), args.fixture_shop))
        return 0
    if args.serve_bot:
        return serve_bot(*args.serve_bot)

    with tempfile.TemporaryDirectory(prefix="bench-roi-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        t0 = time.perf_counter()
        loaded = seed_elsewhere(db_url, args.fixture_shop)
        print(f"data: {loaded} (seeded in {time.perf_counter() - t0:.1f} s by a child process)")

        with FakeSlack(port=0, socket_mode=False) as fake:
            bot: InProcessBot | ChildBot = (InProcessBot if args.in_process else ChildBot)(db_url, fake.api_url)
            try:
                rss_start, _ = bot.rss()
                run = Run(fake, bot.url)
                cold_ack, cold_done = run.one()  # font registration, first figure, SQLite cache
                results = [run.one() for _ in range(args.n)]
                rss_after, rss_peak = bot.rss()
                burst = run.burst(args.burst) if args.burst > 0 else None
            finally:
                bot.stop()
        render, view = chart_timings(db_url, args.renders)

    acks = [a for a, _ in results]
    done = [d for _, d in results]
    render_p50 = statistics.median(render)
    where = "sharing one process with the fake Slack and the client" if args.in_process else "in its own process"
    print(f"\n/roi {COMMAND_TEXT} × {args.n} in a row (each waited for), bot {where}, fake Slack on loopback; "
          f"cold first command: ack {cold_ack:.1f} ms, chart uploaded {cold_done:.0f} ms\n")
    print(f"{'':34}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    rows = [
        ("(a) ack (HTTP response)", acks),
        ("(b) chart upload completed", done),
        (f"chart render alone (×{args.renders})", render),
        (f"view built: SQL + chart (×{args.renders})", view),
    ]
    for name, values in rows:
        print(f"{name:34}{statistics.median(values):10.1f}{percentile(values, 99):10.1f}{max(values):10.1f}")
    whose = "whole process: bot + fake Slack + bench" if args.in_process else "the bot's process"
    print(f"\nRSS ({whose}): {rss_start:.0f} MB started, {rss_after:.0f} MB after the run, peak {rss_peak:.0f} MB")
    if burst is not None:
        b_acks, b_total = burst
        print(f"burst of {args.burst} at once: ack p50 {statistics.median(b_acks):.1f} ms, "
              f"max {max(b_acks):.1f} ms; all charts uploaded after {b_total:.0f} ms")

    checks = [
        (f"ack p99 ≤ {ACK_P99_MS:.0f} ms", percentile(acks, 99) <= ACK_P99_MS,
         f"{percentile(acks, 99):.1f} ms"),
        (f"completion p50 ≤ {COMPLETION_OVER_RENDER:g} × chart render p50",
         statistics.median(done) <= COMPLETION_OVER_RENDER * render_p50,
         f"{statistics.median(done):.0f} ms vs {COMPLETION_OVER_RENDER * render_p50:.0f} ms"),
        (f"resident memory ≤ {RSS_MB:.0f} MB", rss_peak <= RSS_MB, f"{rss_after:.0f} MB, peak {rss_peak:.0f} MB"),
    ]
    print("\ntargets:")
    for name, ok, got in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {name:48} {got}")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
