"""RFM segments: buyers scored 1–5 on recency, frequency and monetary value, grouped into named segments.

    result = segments(conn, as_of=date(2026, 11, 24), channel=None)
    result.rows[0].segment.slug, result.rows[0].buyers, result.rows[0].revenue_share
    export(conn, segment_named("高价值沉睡用户"), as_of=...)   # one row per buyer, for a CRM push

Per buyer, over the history up to and including `as_of` (non-cancelled lines, one channel or all):
recency = days since the last order, frequency = distinct orders (a (channel, order_id) pair),
monetary = paid − refunded. Each is scored by quintile of *rank*:

    score = 1 + ⌊5 × (buyers with a strictly worse value) / (all buyers)⌋

so equal values always share a score — the score of the lowest position their tie group starts at —
and no buyer is split from an identical one by an arbitrary order (with 70 % one-time buyers,
all of them get F = 1, and the next frequency starts at F = 4). Nothing depends on customer_id
except the export's row order. "Worse" means an older last order, fewer orders, less money.

Segments come from R and FM = the mean of F and M rounded half up, on the usual R × FM grid
(SEGMENTS below). Scoring happens in SQL (RANK() window functions; SQLite ≥ 3.25, PostgreSQL,
MariaDB ≥ 10.2); the overview reads at most 125 rows (one per R, F, M cell), whatever the number
of buyers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, Select, and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from metrics.money import from_cents, ratio
from metrics.schema import orders

QUINTILES = 5


@dataclass(frozen=True)
class Segment:
    slug: str
    en: str
    zh: str
    r: tuple[int, int]  # inclusive range of R scores
    fm: tuple[int, int]  # inclusive range of FM scores

    def name(self, locale: str = "en") -> str:
        return self.zh if locale == "zh" else self.en

    def holds(self, r: int, fm: int) -> bool:
        return self.r[0] <= r <= self.r[1] and self.fm[0] <= fm <= self.fm[1]


# The R × FM grid; every one of the 25 cells belongs to exactly one segment (a test checks it).
SEGMENTS: tuple[Segment, ...] = (
    Segment("champions", "Champions", "重要价值用户", (5, 5), (4, 5)),
    Segment("loyal", "Loyal", "忠诚用户", (3, 4), (4, 5)),
    Segment("potential-loyalists", "Potential loyalists", "潜力用户", (4, 5), (2, 3)),
    Segment("new", "New", "新用户", (5, 5), (1, 1)),
    Segment("promising", "Promising", "低价值活跃用户", (4, 4), (1, 1)),
    Segment("need-attention", "Need attention", "需要关注用户", (3, 3), (1, 3)),
    Segment("at-risk", "At risk", "流失风险用户", (1, 2), (3, 4)),
    Segment("cant-lose", "Can't lose", "高价值沉睡用户", (1, 2), (5, 5)),
    Segment("hibernating", "Hibernating", "沉睡用户", (2, 2), (1, 2)),
    Segment("lost", "Lost", "已流失用户", (1, 1), (1, 2)),
)


class UnknownSegment(LookupError):
    def __init__(self, name: str) -> None:
        self.name = name
        self.known = tuple(f"{s.slug} ({s.zh})" for s in SEGMENTS)
        super().__init__(f"unknown segment {name!r}; known segments: {', '.join(self.known)}")


class NoBuyers(LookupError):
    """No non-cancelled order on or before `as_of` (in the channel): nothing to score."""

    def __init__(self, as_of: date, first_day: date | None, channel: str | None) -> None:
        self.as_of, self.first_day, self.channel = as_of, first_day, channel
        super().__init__(f"no orders on or before {as_of}" + (f"; the first is on {first_day}" if first_day else ""))


def _norm(name: str) -> str:
    return re.sub(r"[\s_'’\-]+", "", name.strip().lower())


def segment_named(name: str) -> Segment:
    """A segment by slug, English or Chinese name ("cant-lose", "Can't lose", "高价值沉睡用户")."""
    key = _norm(name)
    for s in SEGMENTS:
        if key in (_norm(s.slug), _norm(s.en), _norm(s.zh)):
            return s
    raise UnknownSegment(name)


def fm_score(f: int, m: int) -> int:
    """The mean of F and M, rounded half up: (1, 2) → 2, (4, 5) → 5."""
    return (f + m + 1) // 2


def segment_of(r: int, f: int, m: int) -> Segment:
    fm = fm_score(f, m)
    return next(s for s in SEGMENTS if s.holds(r, fm))


@dataclass(frozen=True)
class SegmentRow:
    segment: Segment
    buyers: int
    orders: int
    revenue: Decimal
    revenue_share: Decimal | None  # of all scored buyers' revenue; None when that is 0
    buyer_share: Decimal | None
    aov: Decimal | None  # revenue / orders


@dataclass(frozen=True)
class Edge:
    """The range of raw values that got one score: R in days since the last order, M in yuan."""

    score: int
    low: Decimal | int
    high: Decimal | int
    buyers: int


@dataclass(frozen=True)
class RfmResult:
    as_of: date
    channel: str | None
    buyers: int
    revenue: Decimal
    rows: tuple[SegmentRow, ...]  # every segment, in SEGMENTS order, empty ones included
    recency_edges: tuple[Edge, ...]  # days since the last order per R score (scores no buyer got are absent)
    frequency_edges: tuple[Edge, ...]
    monetary_edges: tuple[Edge, ...]


@dataclass(frozen=True)
class BuyerScore:
    customer_id: str
    recency_days: int
    orders: int
    monetary: Decimal
    r: int
    f: int
    m: int


# -- SQL ---------------------------------------------------------------------------------------------


def _live(channel: str | None, as_of: date) -> ColumnElement[bool]:
    cond = and_(orders.c.status != "cancelled", orders.c.order_date <= as_of)
    return and_(cond, orders.c.channel == channel) if channel is not None else cond


def _quintile(rank: ColumnElement[int], n: ColumnElement[int]) -> ColumnElement[int]:
    """1 + ⌊5 (rank − 1) / n⌋ in integer comparisons: portable (MySQL's `/` is decimal) and exact."""
    below = rank - 1
    return case(*((QUINTILES * below < k * n, k) for k in range(1, QUINTILES)), else_=QUINTILES)


def _scored(channel: str | None, as_of: date) -> Select[tuple[object, ...]]:
    """One row per buyer: last order day, orders, net cents, and the three scores."""
    live = _live(channel, as_of)
    # an order id is unique within its channel only; grouping by the pair first also keeps a
    # multi-line order from counting as several orders
    per_order = (
        select(orders.c.customer_id, func.max(orders.c.order_date).label("day"),
               func.sum(orders.c.paid_cents - orders.c.refund_cents).label("net"))
        .where(live)
        .group_by(orders.c.customer_id, orders.c.channel, orders.c.order_id)
        .subquery("per_order")
    )
    per_buyer = (
        select(per_order.c.customer_id, func.max(per_order.c.day).label("last_day"),
               func.count().label("n_orders"), func.sum(per_order.c.net).label("net"))
        .group_by(per_order.c.customer_id)
        .subquery("per_buyer")
    )
    n = func.count().over()
    ranked = select(
        per_buyer,
        func.rank().over(order_by=per_buyer.c.last_day).label("r_rank"),
        func.rank().over(order_by=per_buyer.c.n_orders).label("f_rank"),
        func.rank().over(order_by=per_buyer.c.net).label("m_rank"),
        n.label("n"),
    ).subquery("ranked")
    return select(
        ranked.c.customer_id, ranked.c.last_day, ranked.c.n_orders, ranked.c.net,
        _quintile(ranked.c.r_rank, ranked.c.n).label("r"),
        _quintile(ranked.c.f_rank, ranked.c.n).label("f"),
        _quintile(ranked.c.m_rank, ranked.c.n).label("m"),
    )


def _require_buyers(conn: Connection, channel: str | None, as_of: date) -> None:
    if conn.execute(select(orders.c.order_date).where(_live(channel, as_of)).limit(1)).first() is None:
        cond = orders.c.status != "cancelled"
        if channel is not None:
            cond = and_(cond, orders.c.channel == channel)
        first = conn.execute(select(func.min(orders.c.order_date)).where(cond)).scalar_one_or_none()
        raise NoBuyers(as_of, first, channel)


def segments(conn: Connection, *, as_of: date, channel: str | None = None) -> RfmResult:
    """Every segment's buyers, orders, revenue and share; NoBuyers when nobody bought by `as_of`."""
    _require_buyers(conn, channel, as_of)
    scored = _scored(channel, as_of).subquery("scored")
    s = scored.c
    cells = conn.execute(
        select(s.r, s.f, s.m, func.count(), func.sum(s.n_orders), func.sum(s.net),
               func.min(s.last_day), func.max(s.last_day), func.min(s.n_orders), func.max(s.n_orders),
               func.min(s.net), func.max(s.net))
        .group_by(s.r, s.f, s.m)
    ).all()
    per_segment: dict[str, list[int]] = {seg.slug: [0, 0, 0] for seg in SEGMENTS}
    r_edges: dict[int, list[int]] = {}
    f_edges: dict[int, list[int]] = {}
    m_edges: dict[int, list[int]] = {}
    for r, f, m, buyers, n_orders, net, first_last, last_last, lo_o, hi_o, lo_m, hi_m in cells:
        acc = per_segment[segment_of(int(r), int(f), int(m)).slug]
        acc[0] += int(buyers)
        acc[1] += int(n_orders)
        acc[2] += int(net)
        # recency in days: the newest last order is the smallest recency
        _widen(r_edges, int(r), (as_of - last_last).days, (as_of - first_last).days, int(buyers))
        _widen(f_edges, int(f), int(lo_o), int(hi_o), int(buyers))
        _widen(m_edges, int(m), int(lo_m), int(hi_m), int(buyers))
    total_buyers = sum(v[0] for v in per_segment.values())
    total_cents = sum(v[2] for v in per_segment.values())
    rows = tuple(
        SegmentRow(segment=seg, buyers=b, orders=o, revenue=from_cents(c), revenue_share=ratio(c, total_cents),
                   buyer_share=ratio(b, total_buyers), aov=None if o == 0 else (from_cents(c) / o).quantize(
                       Decimal("0.01")))
        for seg in SEGMENTS for b, o, c in [per_segment[seg.slug]]
    )
    return RfmResult(
        as_of=as_of, channel=channel, buyers=total_buyers, revenue=from_cents(total_cents), rows=rows,
        recency_edges=_edges(r_edges, money=False), frequency_edges=_edges(f_edges, money=False),
        monetary_edges=_edges(m_edges, money=True),
    )


def _widen(edges: dict[int, list[int]], score: int, low: int, high: int, buyers: int) -> None:
    cur = edges.setdefault(score, [low, high, 0])
    cur[0], cur[1], cur[2] = min(cur[0], low), max(cur[1], high), cur[2] + buyers


def _edges(edges: dict[int, list[int]], *, money: bool) -> tuple[Edge, ...]:
    out = []
    for score in sorted(edges):
        low, high, buyers = edges[score]
        out.append(Edge(score, from_cents(low) if money else low, from_cents(high) if money else high, buyers))
    return tuple(out)


def _segment_condition(seg: Segment, r: ColumnElement[int], f: ColumnElement[int], m: ColumnElement[int]
                       ) -> ColumnElement[bool]:
    # fm_score(f, m) in [lo, hi]  ⇔  f + m in [2·lo − 1, 2·hi]
    return and_(r.between(*seg.r), (f + m).between(2 * seg.fm[0] - 1, 2 * seg.fm[1]))


def export(conn: Connection, segment: Segment, *, as_of: date, channel: str | None = None) -> Iterator[BuyerScore]:
    """The buyers of `segment`, most valuable first (then by customer_id), streamed."""
    _require_buyers(conn, channel, as_of)
    scored = _scored(channel, as_of).subquery("scored")
    s = scored.c
    query = (
        select(s.customer_id, s.last_day, s.n_orders, s.net, s.r, s.f, s.m)
        .where(or_(_segment_condition(segment, s.r, s.f, s.m)))
        .order_by(s.net.desc(), s.customer_id)
    )
    for customer, last_day, n_orders, net, r, f, m in conn.execute(query):
        yield BuyerScore(str(customer), (as_of - last_day).days, int(n_orders), from_cents(int(net)),
                         int(r), int(f), int(m))


__all__ = [
    "SEGMENTS", "BuyerScore", "Edge", "NoBuyers", "RfmResult", "Segment", "SegmentRow", "UnknownSegment",
    "export", "fm_score", "segment_named", "segment_of", "segments",
]
