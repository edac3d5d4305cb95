"""Requests for money from the pool: created pending (once per client key), read back with approvals.

    req, created = create_request(engine, NewRequest(month="2026-11", channel="douyin", amount=Decimal("50000"),
                                  reason="KOL slot", requester="U1"), known=slugs, now=now, ttl=timedelta(hours=48))
    set_card(engine, req.id, channel="C1", ts="1.2")      # where its approval card is, to edit it later
    mark_card(engine, req, stale=True, now=now, detail="error id")   # its edit failed; False once redrawn
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from metrics.budget.ledger import CARD_REPAIRED, CARD_STALE, card_stale, record
from metrics.budget.model import PENDING, SYSTEM, Approval, BudgetError, NewRequest, Request
from metrics.budget.periods import no_period
from metrics.budget.values import aware, from_bp, parse_amount, parse_month, to_bp, validate_reason
from metrics.clock import utc_naive
from metrics.money import from_cents, to_cents
from metrics.schema_budget import budget_approvals, budget_periods, budget_requests
from metrics.tx import retrying


def _request(row: Row[Any], approvals: Sequence[Approval] = ()) -> Request:
    m = row._mapping
    return Request(
        id=int(m["id"]), month=m["month"], channel=m["channel"], amount=from_cents(m["amount_cents"]),
        reason=m["reason"], requester=m["requester"], status=m["status"],
        created_at=m["created_at"].replace(tzinfo=UTC), expires_at=m["expires_at"].replace(tzinfo=UTC),
        decided_at=aware(m["decided_at"]), decided_by=m["decided_by"], reject_reason=m["reject_reason"],
        pool_before=from_cents(m["pool_before_cents"]), roi=from_bp(m["roi_bp"]),
        card_channel=m["card_channel"], card_ts=m["card_ts"], origin_channel=m["origin_channel"],
        alert_channel=m["alert_channel"], alert_ts=m["alert_ts"], alert_link=m["alert_link"], note=m["note"],
        approvals=tuple(approvals),
    )


def _approvals(conn: Connection, request_ids: Sequence[int]) -> dict[int, list[Approval]]:
    out: dict[int, list[Approval]] = {i: [] for i in request_ids}
    if not request_ids:
        return out
    rows = conn.execute(select(budget_approvals).where(budget_approvals.c.request_id.in_(list(request_ids)))
                        .order_by(budget_approvals.c.approved_at, budget_approvals.c.role))
    for r in rows:
        out[int(r.request_id)].append(Approval(r.role, r.user_id, r.approved_at.replace(tzinfo=UTC),
                                               from_bp(r.roi_bp)))
    return out


def get_request(conn: Connection, request_id: int, *, lock: bool = False) -> Request | None:
    stmt = select(budget_requests).where(budget_requests.c.id == request_id)
    if lock:
        stmt = stmt.with_for_update(key_share=True)
    row = conn.execute(stmt).first()
    if row is None:
        return None
    return _request(row, _approvals(conn, [request_id])[request_id])


def load_request(engine: Engine, request_id: int) -> Request | None:
    with engine.connect() as conn:
        return get_request(conn, request_id)


def pending_requests(conn: Connection, month: str | None = None) -> list[Request]:
    cond = budget_requests.c.status == PENDING
    if month is not None:
        cond = and_(cond, budget_requests.c.month == month)
    rows = list(conn.execute(select(budget_requests).where(cond).order_by(budget_requests.c.id)))
    approvals = _approvals(conn, [int(r.id) for r in rows])
    return [_request(r, approvals[int(r.id)]) for r in rows]


def create_request(
    engine: Engine, new: NewRequest, *, known: Collection[str], now: datetime, ttl: timedelta
) -> tuple[Request, bool]:
    """Validate and store a pending request. Returns (request, created); a known `client_key` returns
    the request it already made with created=False."""
    month = parse_month(new.month)
    amount = parse_amount(new.amount)
    reason = validate_reason(new.reason)
    if new.channel not in known:
        raise BudgetError("unknown_channel", f"unknown channel `{new.channel}`", channel=new.channel)
    if new.client_key is not None:
        with engine.connect() as conn:
            done = _by_client_key(conn, new.client_key)
        if done is not None:
            return done, False

    def work(conn: Connection) -> Request:
        row = conn.execute(select(budget_periods).where(budget_periods.c.month == month)).first()
        if row is None:
            raise no_period(month)
        left = int(row.pool_left_cents)
        if to_cents(amount) > left:
            raise BudgetError("amount_over_pool", f"{amount} is more than the {from_cents(left)} left in the pool",
                              amount=amount, pool_left=from_cents(left))
        result = conn.execute(insert(budget_requests).values(
            month=month, channel=new.channel, amount_cents=to_cents(amount), reason=reason,
            requester=new.requester, status=PENDING, created_at=utc_naive(now), expires_at=utc_naive(now + ttl),
            pool_before_cents=left, roi_bp=to_bp(new.roi), client_key=new.client_key,
            origin_channel=new.origin_channel, alert_channel=new.alert_channel, alert_ts=new.alert_ts,
            alert_link=new.alert_link,
        ))
        pk = result.inserted_primary_key
        assert pk is not None
        request_id = int(pk[0])
        record(conn, now=now, month=month, kind="requested", actor=new.requester, request_id=request_id,
               channel=new.channel, amount_cents=to_cents(amount), pool_before=left, pool_after=left, detail=reason)
        got = get_request(conn, request_id)
        assert got is not None
        return got

    try:
        return retrying(work, engine), True
    except IntegrityError:
        # the same client_key committed by a concurrent retry: that one is the request
        if new.client_key is None:
            raise
        with engine.connect() as conn:
            done = _by_client_key(conn, new.client_key)
        if done is None:
            raise
        return done, False


def _by_client_key(conn: Connection, key: str) -> Request | None:
    row = conn.execute(select(budget_requests.c.id).where(budget_requests.c.client_key == key)).first()
    return None if row is None else get_request(conn, int(row.id))


def set_card(engine: Engine, request_id: int, *, channel: str, ts: str) -> None:
    """Remember where the approval card is, so every later change can edit it in place."""
    with engine.begin() as conn:
        conn.execute(update(budget_requests).where(budget_requests.c.id == request_id)
                     .values(card_channel=channel, card_ts=ts))


def mark_card(engine: Engine, request: Request, *, stale: bool, now: datetime, detail: str | None = None) -> None:
    """Record that the card missed an edit (stale) or was redrawn since; a redraw of a card that was not
    stale records nothing."""
    with engine.begin() as conn:
        if stale == card_stale(conn, request.id):
            return
        record(conn, now=now, month=request.month, kind=CARD_STALE if stale else CARD_REPAIRED, actor=SYSTEM,
               request_id=request.id, channel=request.channel, detail=detail)


def is_card_stale(engine: Engine, request_id: int) -> bool:
    with engine.connect() as conn:
        return card_stale(conn, request_id)
