"""`ecombot sentiment classify FILE.csv|FILE.xlsx [-o OUT.csv]`: score a file of reviews (SPEC §7)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli_context import Context, pass_ctx

if TYPE_CHECKING:
    from metrics.sentiment_file import Check

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
    """Add score (1 = positive), negative (after the rating override) and topic to a CSV or .xlsx of reviews.

    The text is the `text` column or a platform's name for it (评价内容, 评论内容, review, …), the
    rating `rating`, 评分 or 星级. Other columns are kept in order; rows that cannot be scored as they
    are get a reason. A `label` column (1 positive, 0 negative) is checked against: accuracy and
    negative recall are printed."""
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
    if result.check is not None:
        click.echo(check_line(result.check))


def check_line(check: Check) -> str:
    """The file's own labels against `negative`: accuracy, and the complaints found and flagged."""
    if not check.labelled:
        return f"label column: no row has both a readable label and a verdict (labels not read: {check.unreadable:,})"
    found = f"{check.found:,} of"
    parts = [f"against the label column, {check.labelled:,} rows: accuracy {check.accuracy:.3f}"]
    if check.neg_recall is not None:
        parts.append(f"{found} {check.complaints:,} complaints found (negative recall {check.neg_recall:.3f})")
    if check.neg_precision is not None:
        parts.append(f"{found} {check.flagged:,} flagged are complaints (precision {check.neg_precision:.3f})")
    if check.unreadable:
        parts.append(f"labels not read: {check.unreadable:,} (expected 1/0, positive/negative, 正面/负面, 好评/差评)")
    return "; ".join(parts)


COMMANDS: list[click.Command] = [sentiment]
