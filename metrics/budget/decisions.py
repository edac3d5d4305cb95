"""Dual sign-off: approve, reject and expire, each in one transaction that locks the request first.

    approve(engine, req.id, user="U2", roles=frozenset({FINANCE}), now=now, roi=None)   # Outcome.APPROVED
    approve(engine, req.id, user="U3", roles=frozenset({OPS}), now=now, roi=None)       # Outcome.RELEASED

A release then locks the month's period row and debits the pool with a conditional UPDATE
(`… WHERE pool_left_cents >= amount`), so two approvals at the same instant release at most what it holds.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, Engine, and_, insert, select, update

from metrics.budget.ledger import RELEASE_BLOCKED, count_events, record
from metrics.budget.model import EXPIRED, PENDING, REJECTED, RELEASED, ROLES, SYSTEM, Decision, Outcome, Request
from metrics.budget.periods import lock_period, no_period
from metrics.budget.requests import get_request
from metrics.budget.values import to_bp, validate_reason
from metrics.clock import utc_naive
from metrics.money import from_cents, to_cents
from metrics.schema_budget import budget_allocations, budget_approvals, budget_periods, budget_requests
from metrics.tx import retrying


def refusal(request: Request, *, user: str, roles: Collection[str], now: datetime) -> Outcome | None:
    """Why `user` may not approve `request` now, or None. The same rules guard the reject button."""
    if request.final:
        return Outcome.ALREADY_FINAL
    if utc_naive(now) >= utc_naive(request.expires_at):
        return Outcome.EXPIRED
    if user == request.requester:
        return Outcome.SELF
    mine = [r for r in ROLES if r in roles]
    if not mine:
        return Outcome.OUTSIDER
    return None


def _approval_refusal(request: Request, user: str, roles: Collection[str]) -> tuple[Outcome | None, str | None]:
    filled = {a.role: a.user_id for a in request.approvals}
    mine = [r for r in ROLES if r in roles]
    open_roles = [r for r in mine if r not in filled]
    if user in filled.values():
        # approved once already: a second role would be one person signing twice
        return (Outcome.BOTH_ROLES if open_roles else Outcome.DUPLICATE), None
    if not open_roles:
        return Outcome.ROLE_TAKEN, mine[0]
    return None, open_roles[0]


def _expire(conn: Connection, request: Request, now: datetime) -> Request:
    conn.execute(update(budget_requests).where(budget_requests.c.id == request.id)
                 .values(status=EXPIRED, decided_at=utc_naive(now), decided_by=SYSTEM))
    record(conn, now=now, month=request.month, kind="expired", actor=SYSTEM, request_id=request.id,
           channel=request.channel, amount_cents=to_cents(request.amount))
    got = get_request(conn, request.id)
    assert got is not None
    return got


def _open_request(conn: Connection, request_id: int, user: str, roles: Collection[str],
                  now: datetime) -> Request | Decision:
    """The request, locked, if `user` may decide on it now; else the decision that says why not.
    A request found past its deadline is expired here, in the clicker's transaction."""
    request = get_request(conn, request_id, lock=True)
    if request is None:
        return Decision(Outcome.NOT_FOUND, None)
    why = refusal(request, user=user, roles=roles, now=now)
    if why is Outcome.EXPIRED:
        return Decision(Outcome.EXPIRED, _expire(conn, request, now))
    if why is not None:
        return Decision(why, request)
    return request


def approve(
    engine: Engine, request_id: int, *, user: str, roles: Collection[str], now: datetime, roi: Decimal | None
) -> Decision:
    """Record `user`'s approval for one role; the second role's approval releases the money.

    Double clicks, Slack retries and clicks on a final request change nothing (see `Outcome`)."""

    def work(conn: Connection) -> Decision:
        request = _open_request(conn, request_id, user, roles, now)
        if isinstance(request, Decision):
            return request
        why, role = _approval_refusal(request, user, roles)
        if why is not None or role is None:
            return Decision(why or Outcome.ROLE_TAKEN, request, role)
        if not request.approvals:
            _approve_row(conn, request, role, user, now, roi)
            record(conn, now=now, month=request.month, kind="approved", actor=user, request_id=request.id,
                   channel=request.channel, amount_cents=to_cents(request.amount), detail=role)
            return Decision(Outcome.APPROVED, get_request(conn, request_id), role)
        return _release(conn, request, role, user, now, roi)

    return retrying(work, engine)


def _approve_row(conn: Connection, request: Request, role: str, user: str, now: datetime,
                 roi: Decimal | None) -> None:
    conn.execute(insert(budget_approvals).values(
        request_id=request.id, role=role, user_id=user, approved_at=utc_naive(now), roi_bp=to_bp(roi)))


def _release(conn: Connection, request: Request, role: str, user: str, now: datetime,
             roi: Decimal | None) -> Decision:
    """Second approval: debit the pool, credit the channel, log it — or refuse if the pool is short."""
    cents = to_cents(request.amount)
    period = lock_period(conn, request.month)
    if period is None:
        raise no_period(request.month)
    before = int(period.pool_left_cents)
    debit = conn.execute(
        update(budget_periods)
        .where(budget_periods.c.month == request.month, budget_periods.c.pool_left_cents >= cents)
        .values(pool_left_cents=budget_periods.c.pool_left_cents - cents, updated_at=utc_naive(now))
    )
    if debit.rowcount != 1:
        note = f"pool short: {from_cents(before)} left, {request.amount} asked"
        # read under the request's lock, so of two blocked clicks exactly the first tells the requester
        told = count_events(conn, request_id=request.id, kind=RELEASE_BLOCKED) > 0
        conn.execute(update(budget_requests).where(budget_requests.c.id == request.id).values(note=note))
        record(conn, now=now, month=request.month, kind=RELEASE_BLOCKED, actor=user, request_id=request.id,
               channel=request.channel, amount_cents=cents, pool_before=before, pool_after=before, detail=note)
        return Decision(Outcome.INSUFFICIENT, get_request(conn, request.id), role, told=told)
    _approve_row(conn, request, role, user, now, roi)
    _credit(conn, request, cents, now)
    conn.execute(update(budget_requests).where(budget_requests.c.id == request.id).values(
        status=RELEASED, decided_at=utc_naive(now), decided_by=user, note=None))
    record(conn, now=now, month=request.month, kind="approved", actor=user, request_id=request.id,
           channel=request.channel, amount_cents=cents, detail=role)
    record(conn, now=now, month=request.month, kind="released", actor=user, request_id=request.id,
           channel=request.channel, amount_cents=cents, pool_before=before, pool_after=before - cents,
           detail=", ".join(f"{a.role} {a.user_id}" for a in request.approvals) + f", {role} {user}")
    return Decision(Outcome.RELEASED, get_request(conn, request.id), role)


def _credit(conn: Connection, request: Request, cents: int, now: datetime) -> None:
    where = and_(budget_allocations.c.month == request.month, budget_allocations.c.channel == request.channel)
    found = conn.execute(select(budget_allocations.c.released_cents).where(where).with_for_update()).first()
    if found is None:
        conn.execute(insert(budget_allocations).values(
            month=request.month, channel=request.channel, allocated_cents=0, released_cents=cents,
            updated_at=utc_naive(now)))
    else:
        conn.execute(update(budget_allocations).where(where).values(
            released_cents=budget_allocations.c.released_cents + cents, updated_at=utc_naive(now)))


def reject(
    engine: Engine, request_id: int, *, user: str, roles: Collection[str], reason: str, now: datetime
) -> Decision:
    """Either approver ends the request with a reason; nothing moves."""
    text = validate_reason(reason)

    def work(conn: Connection) -> Decision:
        request = _open_request(conn, request_id, user, roles, now)
        if isinstance(request, Decision):
            return request
        role = next(r for r in ROLES if r in roles)
        conn.execute(update(budget_requests).where(budget_requests.c.id == request.id).values(
            status=REJECTED, decided_at=utc_naive(now), decided_by=user, reject_reason=text))
        record(conn, now=now, month=request.month, kind="rejected", actor=user, request_id=request.id,
               channel=request.channel, amount_cents=to_cents(request.amount), detail=f"{role}: {text}")
        return Decision(Outcome.REJECTED, get_request(conn, request.id), role)

    return retrying(work, engine)


def expire_due(engine: Engine, *, now: datetime) -> list[Request]:
    """Expire every pending request past its deadline; each in its own locked transaction."""
    with engine.connect() as conn:
        ids = [int(i) for i in conn.execute(select(budget_requests.c.id).where(
            budget_requests.c.status == PENDING, budget_requests.c.expires_at <= utc_naive(now)))
            .scalars()]
    expired: list[Request] = []
    for request_id in ids:

        def work(conn: Connection, request_id: int = request_id) -> Request | None:
            request = get_request(conn, request_id, lock=True)
            if request is None or request.status != PENDING or utc_naive(request.expires_at) > utc_naive(now):
                return None  # decided or expired by someone else meanwhile
            return _expire(conn, request, now)

        done = retrying(work, engine)
        if done is not None:
            expired.append(done)
    return expired
