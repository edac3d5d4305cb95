"""stock-alerts: SPEC §5 low-stock and overstock, one grouped message per run, no repeat noise.

New alerts and worsenings (warning → critical) go into this run's message; an alert whose snooze
ended is repeated in the thread of its original message; an alert that cleared is noted there and
its line on the original message says so. Everything else stays quiet, across runs and replicas.
"""

from __future__ import annotations

from collections import defaultdict

from handlers.views import alerts as views
from handlers.views.texts import t
from jobs.kit.alerting import footer, in_thread, local_time, mark, post_alert, require_channel, stale_guard
from jobs.kit.context import JobContext, Outcome
from metrics import alerts
from metrics.inventory import StockItem, stock_alerts

JOB = "stock-alerts"
KIND = "stock"
SOURCES = ("inventory", "orders")


def key_for(sku: str) -> str:
    return f"{KIND}:{sku}"


def run(ctx: JobContext) -> Outcome:
    channel = require_channel(ctx, "supply_channel")
    held = stale_guard(ctx, job=JOB, channel=channel, sources=SOURCES)
    if held is not None:
        return held
    locale, now = ctx.locale, ctx.now_utc
    with ctx.deps.engine.connect() as conn:
        found = stock_alerts(conn, today=ctx.today)
        known = alerts.of_kind(conn, KIND)
    fresh: list[tuple[str, StockItem]] = []
    worse: list[alerts.Alert] = []
    repeats: dict[str, list[tuple[str, StockItem]]] = defaultdict(list)
    firing = set()
    for item in found.items:
        key = key_for(item.sku)
        firing.add(key)
        prev = known.get(key)
        decision = alerts.decide(prev, item.status, now_utc=now)
        if decision in (alerts.Decision.NEW, alerts.Decision.WORSE):
            fresh.append((key, item))
            if prev is not None and decision is alerts.Decision.WORSE:
                worse.append(prev)
        elif decision is alerts.Decision.REPEAT and prev is not None and prev.ts:
            repeats[prev.ts].append((key, item))
        elif prev is not None and item.status != prev.severity:
            with ctx.deps.engine.begin() as conn:
                alerts.set_severity(conn, key, item.status, now_utc=now)
    sent = 0
    if fresh:
        message = views.stock_message(fresh, day=ctx.today, locale=locale, footer=footer(ctx, SOURCES))
        ts = post_alert(ctx, channel, message)
        sent += 1
        with ctx.deps.engine.begin() as conn:
            for key, item in fresh:
                alerts.raise_alert(conn, key=key, kind=KIND, severity=item.status, channel=channel, ts=ts,
                                   detail=_detail(item), now_utc=now)
        for prev in worse:
            severity = next(it.status for k, it in fresh if k == prev.key)
            mark(ctx, prev, t("alert.worse", locale, when=local_time(ctx, now), severity=severity))
    for ts, items in repeats.items():
        post_alert(ctx, channel, views.stock_repeat(items, locale=locale), thread_ts=ts)
        sent += 1
        with ctx.deps.engine.begin() as conn:
            for key, _ in items:
                alerts.reopen(conn, key, now_utc=now)
    cleared = [a for key, a in known.items() if key not in firing]
    for prev in cleared:
        with ctx.deps.engine.begin() as conn:
            alerts.resolve(conn, prev.key, now_utc=now)
        mark(ctx, prev, t("alert.resolved", locale, when=local_time(ctx, now)))
    by_message: dict[str, list[alerts.Alert]] = defaultdict(list)
    for prev in cleared:
        by_message[prev.ts or ""].append(prev)
    for group in by_message.values():
        names = ", ".join(f"{a.detail.get('name', a.key)} `{a.detail.get('sku', '')}`" for a in group)
        in_thread(ctx, group[0], t("stock.resolved_note", locale, names=names))
        sent += 1
    detail = f"{len(fresh)} new/worse, {sum(map(len, repeats.values()))} repeated, {len(cleared)} resolved"
    return Outcome.posted(sent, detail) if sent else Outcome.empty(f"nothing new ({len(found.items)} known)")


def _detail(item: StockItem) -> dict[str, object]:
    return {"sku": item.sku, "name": item.name, "on_hand": item.on_hand, "days_of_cover": item.days_of_cover,
            "abc": item.abc, "reorder_qty": item.reorder_qty}
