"""Budget periods, the contingency pool and dual sign-off (SPEC §6). No Slack here: rules and transactions.

    set_period(engine, "2026-11", Decimal("1000000"), share=Decimal("0.20"), actor="cli", now=now)
    req, created = create_request(engine, NewRequest(month="2026-11", channel="douyin", amount=Decimal("50000"),
                                  reason="KOL slot", requester="U1"), known=slugs, now=now, ttl=timedelta(hours=48))
    approve(engine, req.id, user="U2", roles=frozenset({FINANCE}), now=now, roi=None)   # Outcome.APPROVED
    approve(engine, req.id, user="U3", roles=frozenset({OPS}), now=now, roi=None)       # Outcome.RELEASED

Every change runs in one transaction that first locks what it reads (`SELECT … FOR UPDATE` on
PostgreSQL and MySQL/MariaDB, `BEGIN IMMEDIATE` on SQLite: `metrics.tx`) and writes the audit log
(`ledger`) in the same transaction. A release locks the request, then the month's period row, and
debits the pool with a conditional UPDATE, so two replicas approving two requests at the same instant
release at most what the pool holds; a CHECK constraint is the last guard.

The modules: `model` (roles, statuses, results), `values` (months, amounts, reasons), `periods`
(totals, pool, allocations), `requests`, `decisions` (approve, reject, expire), `ledger` (audit log),
`overview` (`status`). This package re-exports their public names, the surface callers use.
"""

from __future__ import annotations

from metrics.budget.decisions import approve, expire_due, refusal, reject
from metrics.budget.ledger import CARD_REPAIRED, CARD_STALE, RELEASE_BLOCKED, count_events, events
from metrics.budget.model import (
    CHANGED,
    EXPIRED,
    FINAL,
    FINANCE,
    MAX_AMOUNT,
    MAX_REASON,
    OPS,
    PENDING,
    REJECTED,
    RELEASED,
    ROLES,
    SYSTEM,
    Approval,
    BudgetError,
    BudgetStatus,
    ChannelBudget,
    Decision,
    Event,
    NewRequest,
    Outcome,
    Outlook,
    Period,
    Request,
)
from metrics.budget.overview import outlook, status
from metrics.budget.periods import allocate, get_period, pool_left, set_period
from metrics.budget.requests import (
    create_request,
    get_request,
    is_card_stale,
    load_request,
    mark_card,
    pending_requests,
    set_card,
)
from metrics.budget.values import month_bounds, month_of, parse_amount, parse_month, share_of, validate_reason

__all__ = [
    "CARD_REPAIRED", "CARD_STALE", "CHANGED", "EXPIRED", "FINAL", "FINANCE", "MAX_AMOUNT", "MAX_REASON", "OPS",
    "PENDING", "REJECTED", "RELEASED", "RELEASE_BLOCKED", "ROLES", "SYSTEM",
    "Approval", "BudgetError", "BudgetStatus", "ChannelBudget", "Decision", "Event", "NewRequest", "Outcome",
    "Outlook", "Period", "Request",
    "allocate", "approve", "count_events", "create_request", "events", "expire_due", "get_period", "get_request",
    "is_card_stale", "load_request", "mark_card", "month_bounds", "month_of", "outlook", "parse_amount",
    "parse_month", "pending_requests", "pool_left", "refusal", "reject", "set_card", "set_period", "share_of",
    "status", "validate_reason",
]
