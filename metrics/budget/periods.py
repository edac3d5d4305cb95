"""A month's budget period (total and contingency pool) and the channels' planned allocations.

    set_period(engine, "2026-11", Decimal("1000000"), share=Decimal("0.20"), actor="cli", now=now)
    allocate(engine, "2026-11", "douyin", Decimal("300000"), known=slugs, actor="cli", now=now)
    pool_left(engine, "2026-11")          # Decimal, or None before the month has a budget
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Row, and_, func, insert, select, update

from metrics.budget.ledger import record
from metrics.budget.model import BudgetError, Period
from metrics.budget.values import parse_amount, parse_month, share_of
from metrics.clock import utc_naive
from metrics.money import from_cents, to_cents
from metrics.schema_budget import budget_allocations, budget_periods
from metrics.tx import retrying


def lock_period(conn: Connection, month: str) -> Row[Any] | None:
    stmt = select(budget_periods).where(budget_periods.c.month == month).with_for_update(key_share=True)
    return conn.execute(stmt).first()


def period_of(row: Row[Any]) -> Period:
    m = row._mapping
    return Period(
        month=m["month"],
        total=from_cents(m["total_cents"]),
        pool=from_cents(m["pool_cents"]),
        pool_left=from_cents(m["pool_left_cents"]),
        updated_by=m["updated_by"],
        updated_at=m["updated_at"].replace(tzinfo=UTC),
    )


def no_period(month: str) -> BudgetError:
    return BudgetError("no_period", f"no budget is set for {month}; run `ecombot budget set {month} TOTAL`",
                       month=month)


def set_period(engine: Engine, month: str, total: Decimal, *, share: Decimal, actor: str, now: datetime) -> Period:
    """Set (or change) a month's total; the pool is `share` of it. What was already released stays released."""
    month = parse_month(month)
    total_cents = to_cents(parse_amount(total))
    pool_cents = to_cents(share_of(from_cents(total_cents), share))

    def work(conn: Connection) -> Period:
        row = lock_period(conn, month)
        released = 0 if row is None else int(row.pool_cents) - int(row.pool_left_cents)
        left = pool_cents - released
        if left < 0:
            raise BudgetError(
                "total_below_released",
                f"{from_cents(released)} was already released from the {month} pool; a total of "
                f"{from_cents(total_cents)} leaves a pool of only {from_cents(pool_cents)}",
                month=month, released=from_cents(released), pool=from_cents(pool_cents))
        allocated = _allocated_cents(conn, month)
        if allocated > total_cents - pool_cents:
            raise BudgetError(
                "allocations_exceed",
                f"channels already hold {from_cents(allocated)}, more than the "
                f"{from_cents(total_cents - pool_cents)} outside the pool",
                allocated=from_cents(allocated), available=from_cents(total_cents - pool_cents))
        values = dict(total_cents=total_cents, pool_cents=pool_cents, pool_left_cents=left,
                      updated_by=actor, updated_at=utc_naive(now))
        if row is None:
            conn.execute(insert(budget_periods).values(month=month, **values))
        else:
            conn.execute(update(budget_periods).where(budget_periods.c.month == month).values(**values))
        record(conn, now=now, month=month, kind="period_set", actor=actor, amount_cents=total_cents,
               pool_before=None if row is None else int(row.pool_left_cents), pool_after=left,
               detail=f"total {from_cents(total_cents)}, pool {from_cents(pool_cents)} ({share:%})")
        got = lock_period(conn, month)
        assert got is not None
        return period_of(got)

    return retrying(work, engine)


def _allocated_cents(conn: Connection, month: str, *, besides: str | None = None) -> int:
    cond = budget_allocations.c.month == month
    if besides is not None:
        cond = and_(cond, budget_allocations.c.channel != besides)
    return int(conn.execute(select(func.coalesce(func.sum(budget_allocations.c.allocated_cents), 0))
                            .where(cond)).scalar_one())


def allocate(engine: Engine, month: str, channel: str, amount: Decimal, *, known: Collection[str], actor: str,
             now: datetime) -> Decimal:
    """Set a channel's planned allocation; allocations together stay within the total minus the pool."""
    month = parse_month(month)
    if channel not in known:
        raise BudgetError("unknown_channel", f"unknown channel `{channel}`", channel=channel)
    cents = to_cents(amount) if amount == 0 else to_cents(parse_amount(amount))

    def work(conn: Connection) -> Decimal:
        row = lock_period(conn, month)
        if row is None:
            raise no_period(month)
        others = _allocated_cents(conn, month, besides=channel)
        room = int(row.total_cents) - int(row.pool_cents) - others
        if cents > room:
            raise BudgetError("allocation_too_large",
                              f"only {from_cents(room)} of {month} is left to allocate outside the pool",
                              room=from_cents(room))
        old = conn.execute(select(budget_allocations.c.allocated_cents).where(
            budget_allocations.c.month == month, budget_allocations.c.channel == channel).with_for_update()
        ).scalar_one_or_none()
        if old is None:
            conn.execute(insert(budget_allocations).values(
                month=month, channel=channel, allocated_cents=cents, released_cents=0, updated_at=utc_naive(now)))
        else:
            conn.execute(update(budget_allocations).where(
                budget_allocations.c.month == month, budget_allocations.c.channel == channel
            ).values(allocated_cents=cents, updated_at=utc_naive(now)))
        record(conn, now=now, month=month, kind="allocated", actor=actor, channel=channel, amount_cents=cents,
               detail=f"allocation {from_cents(old or 0)} → {from_cents(cents)}")
        return from_cents(cents)

    return retrying(work, engine)


def get_period(conn: Connection, month: str) -> Period | None:
    row = conn.execute(select(budget_periods).where(budget_periods.c.month == month)).first()
    return None if row is None else period_of(row)


def pool_left(engine: Engine, month: str) -> Decimal | None:
    with engine.connect() as conn:
        period = get_period(conn, month)
    return None if period is None else period.pool_left
