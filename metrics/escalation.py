"""Negative-review incidents and their escalation levels (SPEC §7), from the reviews table.

    incidents = find_incidents(conn, now_utc=now, limits=Limits.from_settings(settings))
    [(i.key, i.level, i.count) for i in incidents]      # ("sku:SKU-1001", 1, 30), ("social:safety", 1, 3)

An incident is the negative reviews of one SKU — or, for social posts without a SKU, of one
topic — within the trailing 24 hours. Counting happens in SQL; only a few sample texts per
incident are read back. The state of a posted incident (open, acknowledged, snoozed, resolved)
lives in `metrics.alerts` under kind `sentiment`, like every other alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, and_, case, func, literal, or_, select

from metrics import alerts
from metrics.schema import inventory, reviews
from metrics.sentiment import NEGATIVE_BELOW
from metrics.settings import Settings

KIND = "sentiment"
WINDOW = timedelta(hours=24)
# alert severities by level: a rise in level is a worsening that is posted again
SEVERITY = {1: "critical", 2: "warning", 3: "info"}
# response targets (seed 003) and the root-cause report after resolution (seed 001)
ACK_WITHIN = timedelta(hours=1)
FIRST_RESPONSE_WITHIN = timedelta(hours=4)
SOLVE_WITHIN = timedelta(hours=24)
RCA_WITHIN = timedelta(hours=72)


@dataclass(frozen=True)
class Limits:
    l1_count: int = 20
    l2_count: int = 5
    l1_followers: int = 100_000
    l2_followers: int = 10_000

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """SENTIMENT_L1_COUNT, SENTIMENT_L2_COUNT, SENTIMENT_L1_FOLLOWERS, SENTIMENT_L2_FOLLOWERS."""
        return cls(settings.sentiment_l1_count, settings.sentiment_l2_count,
                   settings.sentiment_l1_followers, settings.sentiment_l2_followers)


@dataclass(frozen=True)
class Incident:
    key: str  # "sku:<sku>" or "social:<topic>"
    sku: str | None
    topic: str | None  # the most frequent topic of its reviews
    count: int
    max_followers: int
    safety: bool
    level: int
    channels: tuple[str, ...]
    samples: tuple[str, ...]
    first_at: datetime
    last_at: datetime

    @property
    def severity(self) -> str:
        return SEVERITY[self.level]


def level_of(count: int, max_followers: int, safety: bool, limits: Limits) -> int:
    if count >= limits.l1_count or max_followers >= limits.l1_followers or safety:
        return 1
    if count >= limits.l2_count or max_followers >= limits.l2_followers:
        return 2
    return 3


def _negative() -> ColumnElement[bool]:
    # the same rule as metrics.sentiment.is_negative, on the stored score
    return or_(reviews.c.rating <= 2,
               and_(or_(reviews.c.rating.is_(None), reviews.c.rating == 3), reviews.c.sentiment < NEGATIVE_BELOW))


def _group() -> ColumnElement[str]:
    return case((reviews.c.sku.is_not(None), literal("sku:") + reviews.c.sku),
                else_=literal("social:") + func.coalesce(reviews.c.topic, "other"))


def find_incidents(conn: Connection, *, now_utc: datetime, limits: Limits | None = None,
                   samples: int = 3) -> list[Incident]:
    """Incidents of the 24 hours up to `now_utc` (naive UTC), most severe and largest first."""
    limits = limits or Limits()
    group = _group()
    cond = and_(reviews.c.created_at > now_utc - WINDOW, reviews.c.created_at <= now_utc, _negative())
    rows = conn.execute(
        select(group.label("key"), func.count().label("n"),
               func.max(func.coalesce(reviews.c.author_followers, 0)).label("followers"),
               func.max(case((reviews.c.topic == "safety", 1), else_=0)).label("safety"),
               func.min(reviews.c.created_at).label("first_at"), func.max(reviews.c.created_at).label("last_at"))
        .where(cond).group_by(group)
    ).all()
    if not rows:
        return []
    keys = [r.key for r in rows]
    topics: dict[str, dict[str, int]] = {}
    channels: dict[str, set[str]] = {}
    for key, topic, channel, n in conn.execute(
            select(group, reviews.c.topic, reviews.c.channel, func.count()).where(cond)
            .group_by(group, reviews.c.topic, reviews.c.channel)):
        if topic:
            topics.setdefault(key, {})[topic] = topics.get(key, {}).get(topic, 0) + int(n)
        channels.setdefault(key, set()).add(channel)
    texts = _samples(conn, cond, group, keys, samples)
    out = []
    for r in rows:
        count, followers, safety = int(r.n), int(r.followers or 0), bool(r.safety)
        by_topic = topics.get(r.key, {})
        main_topic = max(sorted(by_topic), key=lambda name: by_topic[name]) if by_topic else None
        if r.key.startswith("social:"):
            main_topic = r.key.removeprefix("social:")
        out.append(Incident(
            key=r.key, sku=r.key.removeprefix("sku:") if r.key.startswith("sku:") else None,
            topic="safety" if safety else main_topic, count=count, max_followers=followers, safety=safety,
            level=level_of(count, followers, safety, limits), channels=tuple(sorted(channels.get(r.key, ()))),
            samples=texts.get(r.key, ()), first_at=r.first_at, last_at=r.last_at))
    return sorted(out, key=lambda i: (i.level, -i.count, i.key))


def _samples(conn: Connection, cond: ColumnElement[bool], group: ColumnElement[str], keys: Sequence[str],
             n: int) -> dict[str, tuple[str, ...]]:
    """The loudest texts per incident: the most-followed authors first, then the newest."""
    # rank in SQL so only a few rows per incident come back; duplicates of one text are common
    # (copy-paste complaints), so read a few spare rows and drop repeats here
    rank = func.row_number().over(
        partition_by=group,
        order_by=(func.coalesce(reviews.c.author_followers, 0).desc(), reviews.c.created_at.desc(),
                  reviews.c.review_id)).label("rank")
    ranked = select(group.label("key"), reviews.c.text, rank).where(cond).subquery()
    out: dict[str, list[str]] = {}
    for key, text in conn.execute(select(ranked.c.key, ranked.c.text).where(ranked.c.rank <= n * 4)
                                  .order_by(ranked.c.key, ranked.c.rank)):
        bucket = out.setdefault(key, [])
        if len(bucket) < n and text not in bucket:
            bucket.append(text)
    return {k: tuple(v) for k, v in out.items() if k in keys}


def new_since(conn: Connection, key: str, since_utc: datetime, *, now_utc: datetime) -> int:
    """Negative reviews of incident `key` that arrived after `since_utc` (for "N more since")."""
    cond = and_(_group() == key, reviews.c.created_at > since_utc, reviews.c.created_at <= now_utc, _negative())
    return int(conn.execute(select(func.count()).select_from(reviews).where(cond)).scalar_one())


def product_names(conn: Connection, skus: Sequence[str]) -> dict[str, str]:
    """SKU → product name from the newest inventory snapshot that names it."""
    if not skus:
        return {}
    newest = (select(inventory.c.sku, func.max(inventory.c.as_of).label("as_of"))
              .where(inventory.c.sku.in_(list(skus))).group_by(inventory.c.sku).subquery())
    rows = conn.execute(select(inventory.c.sku, inventory.c.name).join(
        newest, and_(inventory.c.sku == newest.c.sku, inventory.c.as_of == newest.c.as_of)))
    return {sku: name for sku, name in rows}


def file_rca(conn: Connection, key: str, *, user: str, now_utc: datetime) -> alerts.Alert | None:
    """Record the root-cause report of a resolved incident as filed; None if not resolved or already filed."""
    alert = alerts.get(conn, key)
    if alert is None or alert.kind != KIND or alert.status != alerts.RESOLVED or alert.detail.get("rca_filed_at"):
        return None
    return alerts.update_detail(conn, key, {"rca_filed_at": now_utc.isoformat(), "rca_filed_by": user},
                                now_utc=now_utc)
