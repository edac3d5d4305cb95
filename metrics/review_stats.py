"""What /sentiment shows (SPEC §7): negative share per day, top negative topics, open incidents.

    r = sentiment_report(conn, window=w, tz=tz, channel="douyin")
    r.share, r.topics[0]          # Decimal("0.1830"), ("logistics", 12, Decimal("0.4000"))
    open_incidents(conn, sku=None)  # the posted incidents not yet resolved, Level Ⅰ first

Counting happens in SQL on `created_at` (indexed) within the window's UTC bounds, grouped by the
local `created_date`. Reviews with neither a score nor a deciding rating are "unscored" and left
out of the share, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, and_, case, func, or_, select

from metrics import alerts
from metrics.escalation import KIND
from metrics.money import ratio
from metrics.schema import reviews
from metrics.sentiment import NEGATIVE_BELOW
from metrics.sentiment_file import Rated, clean
from metrics.windows import Window


def negative() -> ColumnElement[bool]:
    """SPEC §7 on the stored columns: rating ≤ 2 is negative, ≥ 4 is not, else the score decides."""
    return or_(reviews.c.rating <= 2,
               and_(or_(reviews.c.rating.is_(None), reviews.c.rating == 3), reviews.c.sentiment < NEGATIVE_BELOW))


def _scored() -> ColumnElement[bool]:
    return or_(reviews.c.rating <= 2, reviews.c.rating >= 4, reviews.c.sentiment.is_not(None))


@dataclass(frozen=True)
class DayShare:
    date: date
    total: int
    negative: int
    share: Decimal | None


@dataclass(frozen=True)
class TopicCount:
    topic: str
    count: int
    share: Decimal | None  # of the negative reviews


@dataclass(frozen=True)
class OpenIncident:
    key: str
    level: int
    subject: str
    count: int
    status: str
    channel: str | None
    ts: str | None


@dataclass(frozen=True)
class SentimentReport:
    window: Window
    channel: str | None
    sku: str | None
    total: int
    negative: int
    unscored: int
    share: Decimal | None
    previous_share: Decimal | None
    daily: tuple[DayShare, ...]
    topics: tuple[TopicCount, ...]  # most frequent first
    incidents: tuple[OpenIncident, ...]


def _cond(window: Window, tz: ZoneInfo, channel: str | None, sku: str | None) -> ColumnElement[bool]:
    lo, hi = window.utc_bounds(tz)
    cond = and_(reviews.c.created_at >= lo, reviews.c.created_at < hi)
    if channel is not None:
        cond = and_(cond, reviews.c.channel == channel)
    if sku is not None:
        cond = and_(cond, reviews.c.sku == sku)
    return cond


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def open_incidents(conn: Connection, *, sku: str | None = None) -> tuple[OpenIncident, ...]:
    out = []
    for a in alerts.of_kind(conn, KIND).values():
        if sku is not None and a.detail.get("sku") != sku:
            continue
        out.append(OpenIncident(key=a.key, level=int(a.detail.get("level") or 3),
                                subject=str(a.detail.get("subject") or a.key), count=int(a.detail.get("count") or 0),
                                status=a.status, channel=a.channel, ts=a.ts))
    return tuple(sorted(out, key=lambda i: (i.level, -i.count, i.key)))


def sentiment_report(conn: Connection, *, window: Window, tz: ZoneInfo, channel: str | None = None,
                     sku: str | None = None, top: int = 5) -> SentimentReport:
    cond = _cond(window, tz, channel, sku)
    neg = case((negative(), 1), else_=0)
    scored = case((_scored(), 1), else_=0)
    by_day = {
        _as_date(d): (int(s or 0), int(n or 0), int(a or 0))
        for d, s, n, a in conn.execute(
            select(reviews.c.created_date, func.sum(scored), func.sum(neg), func.count())
            .where(cond).group_by(reviews.c.created_date))
    }
    daily = tuple(DayShare(d, by_day.get(d, (0, 0, 0))[0], by_day.get(d, (0, 0, 0))[1],
                           ratio(by_day.get(d, (0, 0, 0))[1], by_day.get(d, (0, 0, 0))[0])) for d in window.dates())
    total = sum(v[0] for v in by_day.values())
    negatives = sum(v[1] for v in by_day.values())
    unscored = sum(v[2] - v[0] for v in by_day.values())
    prev = conn.execute(select(func.sum(scored), func.sum(neg))
                        .where(_cond(window.previous(), tz, channel, sku))).one()
    topic = func.coalesce(reviews.c.topic, "other")
    rows = conn.execute(select(topic, func.count()).where(and_(cond, negative())).group_by(topic)
                        .order_by(func.count().desc(), topic).limit(top)).all()
    topics = tuple(TopicCount(str(name), int(n), ratio(int(n), negatives)) for name, n in rows)
    return SentimentReport(
        window=window, channel=channel, sku=sku, total=total, negative=negatives, unscored=unscored,
        share=ratio(negatives, total), previous_share=ratio(int(prev[1] or 0), int(prev[0] or 0)), daily=daily,
        topics=topics, incidents=open_incidents(conn, sku=sku),
    )


def stored_rated_reviews(conn: Connection, *, channel: str | None = None, limit: int = 50_000) -> Rated:
    """The newest `limit` stored reviews with a deciding rating (≤ 2★ a complaint, ≥ 4★ not), newest first,
    as `ecombot sentiment fit` reads a file's (`rows`: the reviews stored, of `channel`)."""
    where = [reviews.c.channel == channel] if channel else []
    rated = or_(reviews.c.rating <= 2, reviews.c.rating >= 4)
    stored, with_verdict = conn.execute(
        select(func.count(), func.coalesce(func.sum(case((rated, 1), else_=0)), 0)).select_from(reviews).where(*where)
    ).one()
    rows = conn.execute(select(reviews.c.text, reviews.c.rating).where(rated, *where)
                        .order_by(reviews.c.created_at.desc(), reviews.c.review_id).limit(limit)).all()
    kept = [(text, r.rating <= 2) for r in rows if (text := clean(r.text).text) is not None]
    return Rated([t for t, _ in kept], [c for _, c in kept], "rating", int(stored), int(stored) - int(with_verdict),
                 len(rows) - len(kept))
