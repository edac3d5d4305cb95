"""`ecombot sentiment classify FILE.csv [-o OUT.csv]`: score a file of reviews (SPEC §7)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from bot.cli_context import Context, pass_ctx

# below this many rows a bar only flickers
PROGRESS_FROM = 5000


@click.group()
def sentiment() -> None:
    """Review sentiment: score your own reviews with the bot's classifier."""


@sentiment.command("classify")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Where to write (default: FILE.scored.csv beside FILE).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal, large files).")
@pass_ctx
def classify(ctx: Context, file: Path, output: Path | None, progress: bool | None) -> None:
    """Add score (1 = positive), negative (after the rating override) and topic to a CSV of reviews.

    The text is the `text` column or a platform's name for it (评价内容, 评论内容, review, …), the
    rating `rating`, 评分 or 星级. Other columns are kept in order; rows that cannot be scored as they
    are get a reason."""
    from tqdm import tqdm

    from metrics.sentiment_file import ClassifyError, classify_file, default_output

    topics = ctx.settings.sentiment_topics
    target = output or default_output(file)
    if target.resolve() == file.resolve():
        raise click.ClickException(f"{target}: the output would overwrite the input; choose another -o")
    show = sys.stderr.isatty() if progress is None else progress
    bar: Any = None

    def tick(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="rows", desc="classify", disable=not show or total < PROGRESS_FROM,
                       leave=False)
        bar.update(done - bar.n)

    started = time.perf_counter()
    try:
        result = classify_file(file, target, topics=topics, aliases_file=ctx.settings.header_aliases_file,
                               progress=tick)
    except ClassifyError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.perf_counter() - started
    rate = f", {result.rows / elapsed:,.0f} rows/s" if elapsed > 0 and result.rows else ""
    click.echo(f"{result.rows:,} reviews scored → {result.output}: {result.negative:,} negative, "
               f"{result.marked:,} marked with a reason ({elapsed:.1f} s{rate})")


COMMANDS: list[click.Command] = [sentiment]
