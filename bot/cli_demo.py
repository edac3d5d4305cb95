"""`ecombot demo`: demo data in a local database and a summary of what it holds.

The local Slack-like sandbox in the browser grows here (issue: `ecombot demo`).
"""

from __future__ import annotations

import click

from bot.cli import Context, pass_ctx


@click.command()
@pass_ctx
def demo(ctx: Context) -> None:
    """Seed the demo shop (if the database is empty) and print its headline figures."""
    from bot.deps import build_deps
    from metrics import sales
    from metrics.demo_data import is_empty, seed_demo
    from metrics.windows import parse_window

    settings = ctx.settings
    deps = build_deps(settings, engine=ctx.engine)
    if is_empty(deps.engine):
        click.echo("Seeding the demo shop (180 days, six channels)…")
        counts = seed_demo(deps.engine, today=deps.today(), tz=settings.tz, progress=True)
        click.echo("  " + ", ".join(f"{name} {n:,}" for name, n in counts.items()))
    window = parse_window("7d", today=deps.today())
    with deps.engine.connect() as conn:
        results = sales.roi_by_channel(conn, window=window, channels=list(deps.registry.slugs))
        total = sales.summary(conn, window=window)
    click.echo(f"\nLast 7 days ({window.start} … {window.end}), database {deps.engine.url.render_as_string()}")
    click.echo(f"  GMV ¥{total.gmv:,}   orders {total.orders:,}   buyers {total.buyers:,}")
    for r in results:
        roi = "n/a" if r.roi is None else f"1:{r.roi:.2f}"
        flag = "  below floor" if r.roi is not None and r.roi < settings.floor_for(r.channel or "") else ""
        click.echo(f"  {r.channel:<12} ROI {roi:>8}   spend ¥{r.spend:>12,}   GMV ¥{r.gmv:>13,}{flag}")
    click.echo("\nTry: ecombot serve (with Slack credentials in .env), or see README → Install in your workspace.")


COMMANDS: list[click.Command] = [demo]
