"""`ecombot rfm export SEGMENT`: one RFM segment's customer ids as CSV, for a CRM push.

    ecombot rfm export 高价值沉睡用户 --channel tmall --as-of 2026-11-30 -o sleeping.csv
    ecombot rfm export cant-lose > sleeping.csv
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

import click

from bot.cli_context import Context, pass_ctx

HEADER = ("customer_id", "recency_days", "orders", "monetary", "r", "f", "m")


@click.group("rfm")
def rfm_group() -> None:
    """RFM segments of the buyers."""


@rfm_group.command("export")
@click.argument("segment")
@click.option("--channel", default=None, help="Slug or alias; default all channels.")
@click.option("--as-of", "as_of", default=None, help="YYYY-MM-DD; history up to this day (default today).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV file to write (default standard output).")
@pass_ctx
def rfm_export(ctx: Context, segment: str, channel: str | None, as_of: str | None, output: Path | None) -> None:
    """Write SEGMENT's buyers (English or Chinese name, e.g. cant-lose or 高价值沉睡用户) as CSV."""
    from metrics import rfm
    from metrics.channels import UnknownChannel
    from metrics.runtime import build_deps

    try:
        seg = rfm.segment_named(segment)
    except rfm.UnknownSegment as exc:
        raise click.ClickException(f"unknown segment {segment!r}; known segments: {', '.join(exc.known)}") from None
    deps = build_deps(ctx.settings, engine=ctx.engine)
    try:
        slug = deps.registry.resolve(channel).slug if channel else None
    except UnknownChannel as exc:
        raise click.ClickException(str(exc)) from None
    day = deps.today()
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise click.BadParameter(f"{as_of!r} is not YYYY-MM-DD", param_hint="--as-of") from None
    # every row is read before anything is written: a refusal (no buyers yet) leaves no file behind
    try:
        with deps.engine.connect() as conn:
            buyers = list(rfm.export(conn, seg, as_of=day, channel=slug))
    except rfm.NoBuyers as exc:
        raise click.ClickException(str(exc)) from None
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    for b in buyers:
        writer.writerow((b.customer_id, b.recency_days, b.orders, f"{b.monetary:.2f}", b.r, b.f, b.m))
    if output is None:
        sys.stdout.write(buf.getvalue())
    else:
        _write_atomically(output, buf.getvalue())
        click.echo(f"{len(buyers)} buyers of {seg.slug} ({seg.zh}) as of {day} written to {output}", err=True)


def _write_atomically(path: Path, text: str) -> None:
    """Write next to `path`, then rename: a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


COMMANDS = [rfm_group]
