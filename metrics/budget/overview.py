"""The month at a glance for `/budget status`: period, per channel budget and spend, pending requests.

    st = status(conn, "2026-11", today=today, channels=slugs, floors=floors, roi=roi)   # BudgetStatus
    st.spend, st.pending_amount, [c.remaining for c in st.channels]
    outlook(conn, request)    # the pool now, other pending requests, the guard's pause: for the card
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, func, select

from metrics.alerts import paused_channels
from metrics.budget.model import BudgetStatus, ChannelBudget, Outlook, Request
from metrics.budget.periods import get_period
from metrics.budget.requests import pending_requests
from metrics.budget.values import month_bounds
from metrics.money import from_cents
from metrics.schema import ad_spend
from metrics.schema_budget import budget_allocations


def status(
    conn: Connection,
    month: str,
    *,
    today: date,
    channels: Sequence[str],
    floors: Mapping[str, Decimal],
    roi: Mapping[str, Decimal | None],
) -> BudgetStatus:
    """The month at a glance: period, per channel allocation / released / spend to date, pending requests.

    `roi` is each channel's ROI over the guard window (metrics.sales), `floors` its floor: below it the
    ROI guard pauses the channel's spend (SPEC §6)."""
    first, last = month_bounds(month)
    through = min(last, today)
    spend: dict[str, int] = {}
    if through >= first:
        spend = {row[0]: int(row[1] or 0) for row in conn.execute(
            select(ad_spend.c.channel, func.sum(ad_spend.c.spend_cents))
            .where(ad_spend.c.date >= first, ad_spend.c.date <= through)
            .group_by(ad_spend.c.channel))}
    alloc = {r.channel: (int(r.allocated_cents), int(r.released_cents)) for r in conn.execute(
        select(budget_allocations).where(budget_allocations.c.month == month))}
    names = list(channels) + sorted(set(alloc) - set(channels))
    # the pause is what the guard marked (an operations head may have resumed it), not the rule
    guard_paused = set(paused_channels(conn))
    rows = []
    for ch in names:
        allocated, released = alloc.get(ch, (0, 0))
        ch_roi = roi.get(ch)
        floor = floors.get(ch, Decimal(2))
        rows.append(ChannelBudget(
            channel=ch, allocated=from_cents(allocated), released=from_cents(released),
            spend=from_cents(spend.get(ch, 0)), roi=ch_roi, floor=floor,
            paused=ch in guard_paused, below_floor=ch_roi is not None and ch_roi < floor,
        ))
    period = get_period(conn, month)
    unallocated = Decimal(0)
    if period is not None:
        unallocated = period.total - period.pool - sum((from_cents(a) for a, _ in alloc.values()), Decimal(0))
    return BudgetStatus(month, period, tuple(rows), tuple(pending_requests(conn, month)), through, unallocated)


def outlook(conn: Connection, request: Request) -> Outlook:
    """The pool left now and what the month's other pending requests ask for: each card alone would
    promise every request the whole pool."""
    period = get_period(conn, request.month)
    others = [r for r in pending_requests(conn, request.month) if r.id != request.id]
    return Outlook(amount=request.amount, pool_left=None if period is None else period.pool_left,
                   others=sum((r.amount for r in others), Decimal(0)), others_count=len(others),
                   paused=request.channel in paused_channels(conn))
