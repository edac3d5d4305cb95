"""`ecombot import KIND FILE [--channel SLUG]`: load a canonical export (SPEC §3)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli_context import Context, pass_ctx

KIND_CHOICES = ["orders", "traffic", "ad-spend", "ad_spend", "inventory", "reviews", "experiments"]


@click.command("import")
@click.argument("kind", type=click.Choice(KIND_CHOICES, case_sensitive=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--channel", help="Channel (slug or alias) for rows without a channel column.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@pass_ctx
def import_(ctx: Context, kind: str, files: tuple[Path, ...], channel: str | None, progress: bool | None) -> None:
    """Import CSV/XLSX FILES of KIND. Idempotent; a file with a bad row imports nothing."""
    from metrics.channels import UnknownChannel
    from metrics.imports import ImportFailure, ImportOptions, import_file
    from metrics.runtime import build_deps

    settings = ctx.settings
    engine = ctx.engine
    deps = build_deps(settings, engine=engine)
    if channel:
        try:
            channel = deps.registry.resolve(channel).slug
        except UnknownChannel as exc:
            raise click.ClickException(str(exc)) from None
    opts = ImportOptions(
        tz=settings.tz,
        registry=deps.registry,
        today=deps.today(),
        channel=channel,
        aliases_file=settings.header_aliases_file,
        progress=sys.stderr.isatty() if progress is None else progress,
        topics=settings.sentiment_topics,
        model=settings.sentiment_model,
    )
    failed = 0
    for path in files:
        try:
            result = import_file(engine, kind, path, opts)
        except ImportFailure as exc:
            failed += 1
            click.echo(str(exc), err=True)
            continue
        click.echo(result.summary())
    if failed:
        raise click.exceptions.Exit(1)


COMMANDS: list[click.Command] = [import_]
