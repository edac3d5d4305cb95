"""`ecombot sentiment classify FILE [-o OUT.csv]`: score a file of reviews (SPEC §7);
`ecombot sentiment fit FILE [-o MODEL.npz]`: fit the classifier further on the team's own rated reviews."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli_context import Context, pass_ctx

if TYPE_CHECKING:
    from metrics.sentiment_adapt import Distinct, Figures, Fitted
    from metrics.sentiment_file import Check, Rated

# below this many rows a bar only flickers
PROGRESS_FROM = 5000
FROM_DB_OUTPUT = "sentiment_model.npz"  # `fit --from-db` has no file to write beside


@click.group()
def sentiment() -> None:
    """Review sentiment: score your own reviews with the bot's classifier."""


def _file_command(name: str, writes: str, *, file_required: bool = True) -> Callable[[Callable[..., None]],
                                                                                  click.Command]:
    """A subcommand reading FILE and writing to -o (default: `writes`), with a progress bar switch."""
    def wrap(fn: Callable[..., None]) -> click.Command:
        fn = click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")(fn)
        fn = click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
                          help=f"Where to write (default: {writes}).")(fn)
        fn = click.argument("file", type=click.Path(path_type=Path, dir_okay=False), required=file_required)(fn)
        return sentiment.command(name)(pass_ctx(fn))
    return wrap


@_file_command("classify", "FILE.scored.csv beside FILE")
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
                               model=ctx.settings.sentiment_model, progress=tick)
    except ClassifyError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.perf_counter() - started
    rate = f", {result.rows / elapsed:,.0f} rows/s" if elapsed > 0 and result.rows else ""
    fitted = ctx.settings.sentiment_model_file
    by = f"; classifier: {fitted} (SENTIMENT_MODEL_FILE)" if fitted else ""
    click.echo(f"{result.rows:,} reviews scored → {result.output}: {result.negative:,} negative, "
               f"{result.marked:,} marked with a reason ({elapsed:.1f} s{rate}){by}")
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


@_file_command("fit", f"FILE.model.npz beside FILE; with --from-db, {FROM_DB_OUTPUT}", file_required=False)
@click.option("--from-db", is_flag=True, help="Fit on the rated reviews already imported (DATABASE_URL).")
@click.option("--channel", help="With --from-db: only this channel's reviews (slug or alias).")
def fit(ctx: Context, file: Path | None, output: Path | None, progress: bool | None, from_db: bool,
        channel: str | None) -> None:
    """Fit the classifier further on your own rated reviews, for SENTIMENT_MODEL_FILE.

    FILE is a review export (CSV or .xlsx, as for classify) with a rating — 1–2★ reviews are
    complaints, 4–5★ are not, 3★ are left out — or a `label` column (1 positive, 0 negative), which
    is used instead when present; or, with --from-db, the newest 50,000 rated reviews imported. The
    shipped model learns the shop's own words on top of what it knows; the fit is checked by
    5-fold cross-validation on the same reviews and written only if it beats the shipped model
    there."""
    from tqdm import tqdm

    from metrics import sentiment as shipped
    from metrics.sentiment_adapt import FOLDS, FitError, adapt, distinct, write_model_file

    if (file is None) == (not from_db):
        raise click.UsageError("give FILE or --from-db (one of them)")
    if channel and not from_db:
        raise click.UsageError("--channel goes with --from-db")
    channel = _channel_slug(ctx, channel) if channel else None
    rated = _stored_rated(ctx, channel) if file is None else _file_rated(ctx, file)
    source = file.name if file else f"the database{f' ({channel})' if channel else ''}"
    target = output or (file.with_name(f"{file.stem}.model.npz") if file else Path(FROM_DB_OUTPUT))
    if target.suffix.lower() != ".npz":
        raise click.ClickException(f"{target}: a model file is .npz; name it so")
    click.echo(rated_line(file or source, rated, distinct(rated.texts, rated.complaints)))
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(unit="fits", desc="fit", disable=not show, leave=False) as bar:
        def tick(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            fitted = adapt(shipped.model(), rated.texts, rated.complaints, progress=tick,
                           version=f"{shipped.model().version}+{source}")
        except FitError as exc:
            raise click.ClickException(f"{file or source}: {exc}") from None
    click.echo(f"cross-validated on these reviews ({FOLDS} folds): shipped {figures_text(fitted.before)} → "
               f"fitted {figures_text(fitted.after)}")
    if not fitted.helps:
        click.echo("the fit does not beat the shipped model on these reviews; nothing written (keep the shipped "
                   "model)")
        return
    write_model_file(fitted.model, target, fit_meta(source, rated, fitted))
    click.echo(f"model written → {target} ({fitted.ngrams:,} of the shop's n-grams, {fitted.new_ngrams:,} new to the "
               f"shipped model); to use it: SENTIMENT_MODEL_FILE={target}")


def _file_rated(ctx: Context, file: Path) -> Rated:
    from metrics.sentiment_file import ClassifyError, rated_reviews

    try:
        return rated_reviews(file, ctx.settings.header_aliases_file)
    except ClassifyError as exc:
        raise click.ClickException(str(exc)) from None


def _channel_slug(ctx: Context, channel: str) -> str:
    from metrics.channels import UnknownChannel
    from metrics.runtime import build_deps

    try:
        return build_deps(ctx.settings, engine=ctx.engine).registry.resolve(channel).slug
    except UnknownChannel as exc:
        raise click.ClickException(str(exc)) from None


def _stored_rated(ctx: Context, channel: str | None) -> Rated:
    from metrics.review_stats import stored_rated_reviews

    with ctx.engine.connect() as conn:
        return stored_rated_reviews(conn, channel=channel)


@sentiment.command("rescore")
@click.option("--channel", help="Only this channel's reviews (slug or alias).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@pass_ctx
def rescore(ctx: Context, channel: str | None, progress: bool | None) -> None:
    """Score the stored reviews again with today's classifier and topics.

    After setting SENTIMENT_MODEL_FILE (or SENTIMENT_TOPICS_FILE): an import scores a review once.
    Only reviews whose score or topic moves are written; safe to interrupt and run again."""
    from tqdm import tqdm

    from metrics.rescore import rescore as run
    from metrics.rescore import stored

    settings = ctx.settings
    slug = _channel_slug(ctx, channel) if channel else None
    total = stored(ctx.engine, channel=slug)
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(total=total, unit="reviews", desc="rescore", disable=not show, leave=False) as bar:
        result = run(ctx.engine, settings.sentiment_model, settings.sentiment_topics, channel=slug,
                     progress=bar.update)
    by = settings.sentiment_model_file or "the shipped classifier"
    click.echo(f"{result.reviews:,} reviews rescored with {by}: {result.changed:,} changed; "
               f"{result.now_negative:,} now negative, {result.no_longer_negative:,} no longer negative")


def rated_line(file: Path | str, rated: Rated, reviews: Distinct) -> str:
    source = "the label column" if rated.by == "label" else "the rating (1–2★ complaint, 4–5★ not)"
    left = [f"{n:,} {why}" for n, why in ((rated.no_verdict, "without a verdict" + (
        " (3★ or no rating)" if rated.by == "rating" else "")), (rated.no_text, "without text"),
        (reviews.repeats, "repeated texts"), (reviews.conflicting, "texts with both verdicts")) if n]
    return (f"{file}: {len(reviews.texts):,} reviews with a verdict from {source}, "
            f"{sum(reviews.complaints):,} of them complaints" + (f"; left out: {', '.join(left)}" if left else ""))


def figures_text(f: Figures) -> str:
    return f"accuracy {f.accuracy:.3f}, negative recall {f.neg_recall:.3f}"


def fit_meta(source: str, rated: Rated, fitted: Fitted) -> dict[str, object]:
    return {"fitted_from": source, "verdicts_from": rated.by, "reviews": fitted.reviews,
            "complaints": fitted.complaints, "strength": fitted.strength, "shift": fitted.shift,
            "cross_validated": {"shipped": vars(fitted.before), "fitted": vars(fitted.after)}}


COMMANDS: list[click.Command] = [sentiment]
