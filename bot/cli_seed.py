"""`ecombot seed-demo`: deterministic realistic demo data."""

from __future__ import annotations

import sys
import time
from datetime import date, datetime, timedelta

import click

from bot.cli_context import Context, pass_ctx


@click.command("seed-demo")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The demo's today (YYYY-MM-DD); data ends the day before. Default: today in BOT_TIMEZONE.")
@click.option("--seed", type=int, default=618, show_default=True, help="Same seed, same shop.")
@click.option("--days", type=click.IntRange(1, 3660), default=180, show_default=True, help="Days of history.")
@click.option("--force", is_flag=True, help="Replace the shop data already in the database.")
@pass_ctx
def seed_demo(ctx: Context, today: datetime | None, seed: int, days: int, force: bool) -> None:
    """Fill the database with a demo shop: six channels, ~150 SKUs, orders, traffic, ads, stock, reviews."""
    from metrics.demo_data import DemoDataExists
    from metrics.demo_data import seed_demo as load

    tz = ctx.settings.tz
    day: date = today.date() if today is not None else datetime.now(tz).date()
    engine = ctx.engine
    started = time.perf_counter()
    try:
        counts = load(engine, today=day, tz=tz, seed=seed, days=days, progress=sys.stderr.isatty(), replace=force)
    except DemoDataExists as exc:
        raise click.ClickException(f"{exc}; nothing was changed. Use --force to replace it with the demo shop.") \
            from None
    elapsed = time.perf_counter() - started
    click.echo(f"Demo shop seeded in {elapsed:.1f} s: {day - timedelta(days=days)} … {day - timedelta(days=1)} "
               f"(seed {seed}, {tz.key}), database {engine.url.render_as_string()}")
    for name, n in counts.items():
        click.echo(f"  {name:<12} {n:>9,} rows")


COMMANDS: list[click.Command] = [seed_demo]
