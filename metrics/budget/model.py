"""What the budget rules speak of: roles, statuses, outcomes, and the frozen results they hand out.

    Decision(Outcome.RELEASED, request, FINANCE).changed     # True: the click moved money
    raise BudgetError("bad_month", "`x` is not a month", text="x")   # code picks the user's text
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

FINANCE, OPS = "finance", "ops"
ROLES = (FINANCE, OPS)
PENDING, RELEASED, REJECTED, EXPIRED = "pending", "released", "rejected", "expired"
FINAL = frozenset({RELEASED, REJECTED, EXPIRED})
SYSTEM = "system"
MAX_REASON = 1000
MAX_AMOUNT = Decimal("1000000000000")  # ¥1e12: far above any budget, far below BigInteger cents


class BudgetError(ValueError):
    """A rule said no. `code` picks the user-facing text; `params` fill it; str() is plain English."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class Outcome(StrEnum):
    APPROVED = "approved"  # one role recorded, waiting for the other
    RELEASED = "released"  # both roles: money moved
    REJECTED = "rejected"
    EXPIRED = "expired"  # found past its deadline by this click
    ALREADY_FINAL = "already_final"
    DUPLICATE = "duplicate"  # this person already approved (double click, Slack retry)
    ROLE_TAKEN = "role_taken"  # the clicker's role is already filled by someone else
    BOTH_ROLES = "both_roles"  # this person approved for one role and may not fill the other
    SELF = "self"  # the requester may not decide on their own request
    OUTSIDER = "outsider"  # in neither approver list
    INSUFFICIENT = "insufficient"  # both approved, but the pool holds less than the amount
    NOT_FOUND = "not_found"


CHANGED = frozenset({Outcome.APPROVED, Outcome.RELEASED, Outcome.REJECTED, Outcome.EXPIRED, Outcome.INSUFFICIENT})


@dataclass(frozen=True)
class Period:
    month: str
    total: Decimal
    pool: Decimal
    pool_left: Decimal
    updated_by: str
    updated_at: datetime

    @property
    def released(self) -> Decimal:
        return self.pool - self.pool_left


@dataclass(frozen=True)
class Approval:
    role: str
    user_id: str
    at: datetime
    roi: Decimal | None


@dataclass(frozen=True)
class Request:
    id: int
    month: str
    channel: str
    amount: Decimal
    reason: str
    requester: str
    status: str
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    reject_reason: str | None
    pool_before: Decimal
    roi: Decimal | None
    card_channel: str | None
    card_ts: str | None
    origin_channel: str | None
    alert_channel: str | None
    alert_ts: str | None
    alert_link: str | None
    note: str | None
    approvals: tuple[Approval, ...] = ()

    @property
    def pool_after(self) -> Decimal:
        """The pool left if this request is released, as it stood when it was made."""
        return self.pool_before - self.amount

    @property
    def final(self) -> bool:
        return self.status in FINAL

    def approver(self, role: str) -> Approval | None:
        return next((a for a in self.approvals if a.role == role), None)


@dataclass(frozen=True)
class NewRequest:
    month: str
    channel: str
    amount: Decimal
    reason: str
    requester: str
    roi: Decimal | None = None
    client_key: str | None = None  # same key, same request: retried submissions create nothing new
    origin_channel: str | None = None
    alert_channel: str | None = None
    alert_ts: str | None = None
    alert_link: str | None = None


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    request: Request | None
    role: str | None = None
    # the requester already heard this outcome (a pool found short again): the clicker is told, the
    # requester is not messaged a second time
    told: bool = False

    @property
    def changed(self) -> bool:
        return self.outcome in CHANGED


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    month: str
    kind: str
    actor: str
    request_id: int | None
    channel: str | None
    amount: Decimal | None
    pool_before: Decimal | None
    pool_after: Decimal | None
    detail: str | None


@dataclass(frozen=True)
class Outlook:
    """What a pending request's card shows beyond the request itself: the pool as it stands, what the
    month's other pending requests ask for, and whether the ROI guard paused the channel's spend."""

    amount: Decimal
    pool_left: Decimal | None  # None: the month has no budget
    others: Decimal
    others_count: int
    paused: bool

    @property
    def after(self) -> Decimal | None:
        return None if self.pool_left is None else self.pool_left - self.amount

    @property
    def short(self) -> bool:
        """Releasing this leaves less than the other pending requests need."""
        return self.others_count > 0 and self.after is not None and self.after < self.others


@dataclass(frozen=True)
class ChannelBudget:
    channel: str
    allocated: Decimal  # planned allocation
    released: Decimal  # added from the pool
    spend: Decimal  # ad spend in the month up to today
    roi: Decimal | None  # over the ROI-guard window
    floor: Decimal
    paused: bool  # the ROI guard paused this channel's spend and nobody resumed it (alert state)
    below_floor: bool = False  # ROI over the guard window is under the floor right now

    @property
    def budget(self) -> Decimal:
        return self.allocated + self.released

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spend


@dataclass(frozen=True)
class BudgetStatus:
    month: str
    period: Period | None
    channels: tuple[ChannelBudget, ...]
    pending: tuple[Request, ...]
    spend_through: date
    unallocated: Decimal = field(default=Decimal(0))

    @property
    def spend(self) -> Decimal:
        return sum((c.spend for c in self.channels), Decimal(0))

    @property
    def pending_amount(self) -> Decimal:
        return sum((r.amount for r in self.pending), Decimal(0))
