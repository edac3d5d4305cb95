"""The budget's audit log: one row per change, written in the change's own transaction.

    record(conn, now=now, month="2026-11", kind="allocated", actor="U1", channel="douyin", amount_cents=100)
    events(conn, "2026-11", limit=20)     # oldest first; count_events(conn, "2026-11") for the total
    card_stale(conn, request_id)           # the card missed an edit and must be redrawn
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, func, insert, select

from metrics.budget.model import Event
from metrics.clock import utc_naive
from metrics.money import from_cents
from metrics.schema_budget import budget_events

RELEASE_BLOCKED = "release_blocked"
# Slack refused to edit a request's card after the database changed (detail: the error id), and the
# later redraw from the database; kept in the log, since the card is what people act on
CARD_STALE, CARD_REPAIRED = "card_stale", "card_repaired"


def record(
    conn: Connection,
    *,
    now: datetime,
    month: str,
    kind: str,
    actor: str,
    request_id: int | None = None,
    channel: str | None = None,
    amount_cents: int | None = None,
    pool_before: int | None = None,
    pool_after: int | None = None,
    detail: str | None = None,
) -> None:
    conn.execute(insert(budget_events).values(
        at=utc_naive(now), month=month, kind=kind, actor=actor, request_id=request_id, channel=channel,
        amount_cents=amount_cents, pool_before_cents=pool_before, pool_after_cents=pool_after, detail=detail,
    ))


def events(conn: Connection, month: str | None = None, *, limit: int | None = None) -> list[Event]:
    """The audit log, oldest first (the newest `limit` when given)."""
    stmt = select(budget_events)
    if month is not None:
        stmt = stmt.where(budget_events.c.month == month)
    stmt = stmt.order_by(budget_events.c.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = list(conn.execute(stmt))[::-1]
    return [
        Event(
            id=int(r.id), at=r.at.replace(tzinfo=UTC), month=r.month, kind=r.kind, actor=r.actor,
            request_id=r.request_id, channel=r.channel,
            amount=None if r.amount_cents is None else from_cents(r.amount_cents),
            pool_before=None if r.pool_before_cents is None else from_cents(r.pool_before_cents),
            pool_after=None if r.pool_after_cents is None else from_cents(r.pool_after_cents),
            detail=r.detail,
        )
        for r in rows
    ]


def count_events(conn: Connection, month: str | None = None, *, request_id: int | None = None,
                 kind: str | None = None) -> int:
    stmt = select(func.count()).select_from(budget_events)
    if month is not None:
        stmt = stmt.where(budget_events.c.month == month)
    if request_id is not None:
        stmt = stmt.where(budget_events.c.request_id == request_id)
    if kind is not None:
        stmt = stmt.where(budget_events.c.kind == kind)
    return int(conn.execute(stmt).scalar_one())


def card_stale(conn: Connection, request_id: int) -> bool:
    """Whether the request's card missed its last edit: the newest card event says so."""
    last = conn.execute(select(budget_events.c.kind).where(
        budget_events.c.request_id == request_id, budget_events.c.kind.in_((CARD_STALE, CARD_REPAIRED)))
        .order_by(budget_events.c.id.desc()).limit(1)).scalar_one_or_none()
    return last == CARD_STALE
