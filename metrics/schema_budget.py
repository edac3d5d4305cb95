"""Tables of the budget feature (SPEC §6), on the shared metadata (see metrics/schema.py).

- `budget_periods`: one row per month: the total, the contingency pool carved out of it and what
  is left of the pool. Every release locks this row, and `pool_left_cents` may never go negative
  (a CHECK constraint backs the locked, conditional UPDATE in `metrics.budget`).
- `budget_allocations`: per month and sales channel, the planned allocation and what releases
  from the pool have added to it.
- `budget_requests`: a request for pool money, its state (pending → released / rejected /
  expired), where its approval card is, and the ROI the requester saw.
- `budget_approvals`: one row per role that approved; the primary key (request, role) makes a
  role count once, the unique (request, user) stops one person from filling both roles.
- `budget_events`: the append-only audit log: who did what, when, amounts and pool before/after.
  The migration adds a trigger that refuses UPDATE on it.

Money is integer cents; ROI ratios are integer basis points (ratio × 10,000), as Numeric on
SQLite warns about lost precision.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from metrics.schema import CHANNEL, metadata

MONTH = String(7)  # "2026-11"
USER = String(64)  # Slack user id, or "cli:<name>" for the command line

budget_periods = Table(
    "budget_periods",
    metadata,
    Column("month", MONTH, primary_key=True),
    Column("total_cents", BigInteger, nullable=False),
    Column("pool_cents", BigInteger, nullable=False),
    Column("pool_left_cents", BigInteger, nullable=False),
    Column("updated_by", USER, nullable=False),
    Column("updated_at", DateTime, nullable=False),  # naive UTC
    CheckConstraint("pool_left_cents >= 0", name="ck_budget_periods_pool_left"),
    CheckConstraint("pool_left_cents <= pool_cents", name="ck_budget_periods_pool_within"),
)

budget_allocations = Table(
    "budget_allocations",
    metadata,
    Column("month", MONTH, ForeignKey("budget_periods.month", name="fk_budget_allocations_month_budget_periods"),
           primary_key=True),
    Column("channel", CHANNEL, primary_key=True),
    Column("allocated_cents", BigInteger, nullable=False),
    Column("released_cents", BigInteger, nullable=False),  # added by releases from the pool
    Column("updated_at", DateTime, nullable=False),
)

budget_requests = Table(
    "budget_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("month", MONTH, ForeignKey("budget_periods.month", name="fk_budget_requests_month_budget_periods"),
           nullable=False),
    Column("channel", CHANNEL, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("requester", USER, nullable=False),
    Column("status", String(16), nullable=False),  # pending, released, rejected, expired
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("decided_at", DateTime),
    Column("decided_by", USER),
    Column("reject_reason", Text),
    Column("pool_before_cents", BigInteger, nullable=False),  # pool left when it was requested
    Column("roi_bp", BigInteger),  # channel ROI at request time, basis points; NULL = no spend
    # a retried modal submission or command carries the same key: one request, not two
    Column("client_key", String(191)),
    Column("card_channel", String(32)),
    Column("card_ts", String(32)),
    Column("origin_channel", String(32)),  # where the requester asked (for the ephemeral note)
    Column("alert_channel", String(32)),  # the ROI-floor / campaign alert it came from
    Column("alert_ts", String(32)),
    Column("alert_link", String(500)),
    Column("note", Text),  # the last thing the card should say (e.g. "pool too small at last try")
    CheckConstraint("amount_cents > 0", name="ck_budget_requests_amount"),
    UniqueConstraint("client_key"),
    Index("ix_budget_requests_status_expires", "status", "expires_at"),
    Index("ix_budget_requests_month", "month"),
)

budget_approvals = Table(
    "budget_approvals",
    metadata,
    Column("request_id", Integer,
           ForeignKey("budget_requests.id", name="fk_budget_approvals_request_id_budget_requests"), primary_key=True),
    Column("role", String(16), primary_key=True),  # finance, ops
    Column("user_id", USER, nullable=False),
    Column("approved_at", DateTime, nullable=False),
    Column("roi_bp", BigInteger),  # the channel ROI the approver saw when clicking
    UniqueConstraint("request_id", "user_id"),
)

budget_events = Table(
    "budget_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),  # naive UTC
    Column("month", MONTH, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", USER, nullable=False),
    Column("request_id", Integer),
    Column("channel", CHANNEL),
    Column("amount_cents", BigInteger),
    Column("pool_before_cents", BigInteger),
    Column("pool_after_cents", BigInteger),
    Column("detail", Text),
    Index("ix_budget_events_month_id", "month", "id"),
)

BUDGET_TABLES = (budget_events, budget_approvals, budget_requests, budget_allocations, budget_periods)

__all__ = [
    "BUDGET_TABLES",
    "budget_allocations",
    "budget_approvals",
    "budget_events",
    "budget_periods",
    "budget_requests",
    "metadata",
]
