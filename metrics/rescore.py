"""Scoring the stored reviews again (`ecombot sentiment rescore`), after SENTIMENT_MODEL_FILE or
SENTIMENT_TOPICS_FILE changed: an import scores a review once, with the classifier of that day.

    result = rescore(engine, settings.sentiment_model, settings.sentiment_topics)
    result.reviews, result.changed, result.now_negative    # 5000, 4709, 8

Reviews are read in pages by primary key (keyset, so a review imported meanwhile is neither
skipped twice nor read twice) and only the rows whose score or topic moves are written, one
transaction per page: an interrupted run leaves every page either done or untouched, and running
it again finishes the job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from metrics.db import update_by_key
from metrics.schema import reviews
from metrics.sentiment import Model, is_negative
from metrics.sentiment_topics import TopicSet

PAGE = 5000


@dataclass(frozen=True)
class Rescored:
    reviews: int
    changed: int  # score or topic moved
    now_negative: int  # negative by SPEC §7 now and not before (the rating still overrides the text)
    no_longer_negative: int


def rescore(engine: Engine, model: Model, topics: TopicSet, *, channel: str | None = None, page: int = PAGE,
            progress: Callable[[int], object] | None = None) -> Rescored:
    """Score every stored review (of `channel`) with `model` and `topics`; `progress(n)` after each page."""
    last: str | None = None
    seen = changed = now_neg = no_longer = 0
    query = (select(reviews.c.review_id, reviews.c.text, reviews.c.rating, reviews.c.sentiment, reviews.c.topic)
             .order_by(reviews.c.review_id).limit(page))
    if channel:
        query = query.where(reviews.c.channel == channel)
    while True:
        with engine.begin() as conn:
            rows = conn.execute(query if last is None else query.where(reviews.c.review_id > last)).all()
            if not rows:
                break
            scores = model.scores([r.text for r in rows])
            moved: list[tuple[str, float, str | None]] = []
            for r, raw in zip(rows, scores, strict=True):
                s = round(raw, 4)  # as the import stores it
                t = topics.match(r.text)
                topic = t[0] if t else None
                if r.sentiment is not None and abs(r.sentiment - s) < 5e-5 and r.topic == topic:
                    continue
                moved.append((r.review_id, s, topic))
                was = is_negative(r.text, r.rating, sentiment=r.sentiment if r.sentiment is not None else 0.5)
                now = is_negative(r.text, r.rating, sentiment=s)
                now_neg += now and not was
                no_longer += was and not now
            if moved:
                ids, scores_, topics_ = zip(*moved, strict=True)
                update_by_key(conn, reviews, {"review_id": ids, "sentiment": scores_, "topic": topics_})
        seen += len(rows)
        changed += len(moved)
        last = rows[-1].review_id
        if progress:
            progress(len(rows))
    return Rescored(seen, changed, now_neg, no_longer)


def stored(engine: Engine, *, channel: str | None = None) -> int:
    """How many reviews are stored (of `channel`): the progress bar's total."""
    query = select(func.count()).select_from(reviews)
    with engine.connect() as conn:
        return int(conn.execute(query.where(reviews.c.channel == channel) if channel else query).scalar_one())
