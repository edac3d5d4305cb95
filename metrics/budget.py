"""Budget periods, the contingency pool and dual sign-off (SPEC §6). No Slack here: rules and transactions.

    set_period(engine, "2026-11", Decimal("1000000"), share=Decimal("0.20"), actor="cli", now=now)
    req, created = create_request(engine, NewRequest(month="2026-11", channel="douyin", amount=Decimal("50000"),
                                                    reason="KOL slot", requester="U1"), known=slugs, now=now)
    approve(engine, req.id, user="U2", roles=frozenset({FINANCE}), now=now, roi=None)   # Outcome.APPROVED
    approve(engine, req.id, user="U3", roles=frozenset({OPS}), now=now, roi=None)       # Outcome.RELEASED

Every change runs in one transaction that first locks what it reads (`SELECT … FOR UPDATE` on
PostgreSQL and MySQL/MariaDB, `BEGIN IMMEDIATE` on SQLite) and writes the audit log in the same
transaction. A release locks the request, then the month's period row, and debits the pool with a
conditional UPDATE (`… WHERE pool_left_cents >= amount`), so two replicas approving two requests
at the same instant release at most what the pool holds; a CHECK constraint is the last guard.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Row, and_, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from metrics.alerts import paused_channels
from metrics.money import CENT, from_cents, to_cents
from metrics.schema import ad_spend
from metrics.schema_budget import (
    budget_allocations,
    budget_approvals,
    budget_events,
    budget_periods,
    budget_requests,
)

log = logging.getLogger(__name__)

FINANCE, OPS = "finance", "ops"
ROLES = (FINANCE, OPS)
PENDING, RELEASED, REJECTED, EXPIRED = "pending", "released", "rejected", "expired"
FINAL = frozenset({RELEASED, REJECTED, EXPIRED})
SYSTEM = "system"
MAX_REASON = 1000
MAX_AMOUNT = Decimal("1000000000000")  # ¥1e12: far above any budget, far below BigInteger cents
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_BP = Decimal(10000)
_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")

T = TypeVar("T")


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


# -- values ---------------------------------------------------------------------------------------


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(text: str) -> str:
    value = text.strip()
    if not _MONTH.match(value):
        raise BudgetError("bad_month", f"`{text}` is not a month; write YYYY-MM, e.g. 2026-11", text=text)
    return value


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of `month`."""
    year, mon = (int(x) for x in parse_month(month).split("-"))
    first = date(year, mon, 1)
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def parse_amount(raw: object) -> Decimal:
    """'50,000' / '¥0.30' / Decimal → Decimal with 2 places; zero, negatives, >2 decimals and junk refused.

    Floats are refused outright: 0.1 + 0.2 must never reach the pool as 0.30000000000000004.
    """
    if isinstance(raw, float | bool):
        raise BudgetError("bad_amount", f"{raw!r} is not an amount", text=str(raw))
    text = str(raw).strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
    if not _AMOUNT.match(text):  # digits only: no exponents (1e3), NaN, Infinity or signs but a minus
        raise BudgetError("bad_amount", f"`{raw}` is not an amount", text=str(raw))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BudgetError("bad_amount", f"`{raw}` is not an amount", text=str(raw)) from None
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise BudgetError("amount_places", f"`{raw}` has more than 2 decimal places", text=str(raw))
    if value <= 0:
        raise BudgetError("amount_positive", f"`{raw}` must be more than zero", text=str(raw))
    if value > MAX_AMOUNT:
        raise BudgetError("bad_amount", f"`{raw}` is too large", text=str(raw))
    return value.quantize(CENT)


def share_of(total: Decimal, share: Decimal) -> Decimal:
    """The pool carved out of `total`: share × total, to the cent (half up)."""
    return (total * share).quantize(CENT, rounding=ROUND_HALF_UP)


def _bp(roi: Decimal | None) -> int | None:
    return None if roi is None else int((roi * _BP).to_integral_value(rounding=ROUND_HALF_UP))


def _from_bp(bp: int | None) -> Decimal | None:
    return None if bp is None else (Decimal(int(bp)) / _BP).quantize(Decimal("0.0001"))


def _utc(moment: datetime) -> datetime:
    """Naive UTC, as the database keeps timestamps."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


# -- transactions -----------------------------------------------------------------------------------


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction for a change. On SQLite it starts with BEGIN IMMEDIATE: the write lock is
    taken before the first read, so two processes cannot both read the old pool."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise


def _transient(exc: DBAPIError) -> bool:
    """Deadlock, serialisation failure or a busy database: safe to run the transaction again."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in ("40P01", "40001", "55P03"):
        return True
    args = getattr(orig, "args", ())
    if args and args[0] in (1205, 1213):  # MySQL/MariaDB: lock wait timeout, deadlock
        return True
    return "database is locked" in str(orig)


def _retrying(work: Callable[[Connection], T], engine: Engine, attempts: int = 5) -> T:
    for attempt in range(1, attempts + 1):
        try:
            with write_transaction(engine) as conn:
                return work(conn)
        except DBAPIError as exc:
            if attempt == attempts or not _transient(exc):
                raise
            log.warning("budget transaction retried after %s (attempt %s)", type(exc.orig).__name__, attempt)
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def _event(
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
        at=_utc(now), month=month, kind=kind, actor=actor, request_id=request_id, channel=channel,
        amount_cents=amount_cents, pool_before_cents=pool_before, pool_after_cents=pool_after, detail=detail,
    ))


def _lock_period(conn: Connection, month: str) -> Row[Any] | None:
    stmt = select(budget_periods).where(budget_periods.c.month == month).with_for_update(key_share=True)
    return conn.execute(stmt).first()


def _period(row: Row[Any]) -> Period:
    m = row._mapping
    return Period(
        month=m["month"],
        total=from_cents(m["total_cents"]),
        pool=from_cents(m["pool_cents"]),
        pool_left=from_cents(m["pool_left_cents"]),
        updated_by=m["updated_by"],
        updated_at=m["updated_at"].replace(tzinfo=UTC),
    )


def _no_period(month: str) -> BudgetError:
    return BudgetError("no_period", f"no budget is set for {month}; run `ecombot budget set {month} TOTAL`",
                       month=month)


# -- periods and allocations ----------------------------------------------------------------------------


def set_period(engine: Engine, month: str, total: Decimal, *, share: Decimal, actor: str, now: datetime) -> Period:
    """Set (or change) a month's total; the pool is `share` of it. What was already released stays released."""
    month = parse_month(month)
    total_cents = to_cents(parse_amount(total))
    pool_cents = to_cents(share_of(from_cents(total_cents), share))

    def work(conn: Connection) -> Period:
        row = _lock_period(conn, month)
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
                      updated_by=actor, updated_at=_utc(now))
        if row is None:
            conn.execute(insert(budget_periods).values(month=month, **values))
        else:
            conn.execute(update(budget_periods).where(budget_periods.c.month == month).values(**values))
        _event(conn, now=now, month=month, kind="period_set", actor=actor, amount_cents=total_cents,
               pool_before=None if row is None else int(row.pool_left_cents), pool_after=left,
               detail=f"total {from_cents(total_cents)}, pool {from_cents(pool_cents)} ({share:%})")
        got = _lock_period(conn, month)
        assert got is not None
        return _period(got)

    return _retrying(work, engine)


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
        row = _lock_period(conn, month)
        if row is None:
            raise _no_period(month)
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
                month=month, channel=channel, allocated_cents=cents, released_cents=0, updated_at=_utc(now)))
        else:
            conn.execute(update(budget_allocations).where(
                budget_allocations.c.month == month, budget_allocations.c.channel == channel
            ).values(allocated_cents=cents, updated_at=_utc(now)))
        _event(conn, now=now, month=month, kind="allocated", actor=actor, channel=channel, amount_cents=cents,
               detail=f"allocation {from_cents(old or 0)} → {from_cents(cents)}")
        return from_cents(cents)

    return _retrying(work, engine)


def get_period(conn: Connection, month: str) -> Period | None:
    row = conn.execute(select(budget_periods).where(budget_periods.c.month == month)).first()
    return None if row is None else _period(row)


def pool_left(engine: Engine, month: str) -> Decimal | None:
    with engine.connect() as conn:
        period = get_period(conn, month)
    return None if period is None else period.pool_left


# -- requests --------------------------------------------------------------------------------------


def _request(row: Row[Any], approvals: Sequence[Approval] = ()) -> Request:
    m = row._mapping
    return Request(
        id=int(m["id"]), month=m["month"], channel=m["channel"], amount=from_cents(m["amount_cents"]),
        reason=m["reason"], requester=m["requester"], status=m["status"],
        created_at=m["created_at"].replace(tzinfo=UTC), expires_at=m["expires_at"].replace(tzinfo=UTC),
        decided_at=_aware(m["decided_at"]), decided_by=m["decided_by"], reject_reason=m["reject_reason"],
        pool_before=from_cents(m["pool_before_cents"]), roi=_from_bp(m["roi_bp"]),
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
                                               _from_bp(r.roi_bp)))
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


def validate_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise BudgetError("no_reason", "a reason is required")
    if len(text) > MAX_REASON:
        raise BudgetError("reason_too_long", f"the reason is longer than {MAX_REASON} characters", limit=MAX_REASON)
    return text


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
            raise _no_period(month)
        left = int(row.pool_left_cents)
        if to_cents(amount) > left:
            raise BudgetError("amount_over_pool", f"{amount} is more than the {from_cents(left)} left in the pool",
                              amount=amount, pool_left=from_cents(left))
        result = conn.execute(insert(budget_requests).values(
            month=month, channel=new.channel, amount_cents=to_cents(amount), reason=reason,
            requester=new.requester, status=PENDING, created_at=_utc(now), expires_at=_utc(now + ttl),
            pool_before_cents=left, roi_bp=_bp(new.roi), client_key=new.client_key,
            origin_channel=new.origin_channel, alert_channel=new.alert_channel, alert_ts=new.alert_ts,
            alert_link=new.alert_link,
        ))
        pk = result.inserted_primary_key
        assert pk is not None
        request_id = int(pk[0])
        _event(conn, now=now, month=month, kind="requested", actor=new.requester, request_id=request_id,
               channel=new.channel, amount_cents=to_cents(amount), pool_before=left, pool_after=left, detail=reason)
        got = get_request(conn, request_id)
        assert got is not None
        return got

    try:
        return _retrying(work, engine), True
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


# -- decisions -----------------------------------------------------------------------------------------


def refusal(request: Request, *, user: str, roles: Collection[str], now: datetime) -> Outcome | None:
    """Why `user` may not approve `request` now, or None. The same rules guard the reject button."""
    if request.final:
        return Outcome.ALREADY_FINAL
    if _utc(now) >= _utc(request.expires_at):
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
                 .values(status=EXPIRED, decided_at=_utc(now), decided_by=SYSTEM))
    _event(conn, now=now, month=request.month, kind="expired", actor=SYSTEM, request_id=request.id,
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
            _event(conn, now=now, month=request.month, kind="approved", actor=user, request_id=request.id,
                   channel=request.channel, amount_cents=to_cents(request.amount), detail=role)
            return Decision(Outcome.APPROVED, get_request(conn, request_id), role)
        return _release(conn, request, role, user, now, roi)

    return _retrying(work, engine)


def _approve_row(conn: Connection, request: Request, role: str, user: str, now: datetime,
                 roi: Decimal | None) -> None:
    conn.execute(insert(budget_approvals).values(
        request_id=request.id, role=role, user_id=user, approved_at=_utc(now), roi_bp=_bp(roi)))


def _release(conn: Connection, request: Request, role: str, user: str, now: datetime,
             roi: Decimal | None) -> Decision:
    """Second approval: debit the pool, credit the channel, log it — or refuse if the pool is short."""
    cents = to_cents(request.amount)
    period = _lock_period(conn, request.month)
    if period is None:
        raise _no_period(request.month)
    before = int(period.pool_left_cents)
    debit = conn.execute(
        update(budget_periods)
        .where(budget_periods.c.month == request.month, budget_periods.c.pool_left_cents >= cents)
        .values(pool_left_cents=budget_periods.c.pool_left_cents - cents, updated_at=_utc(now))
    )
    if debit.rowcount != 1:
        note = f"pool short: {from_cents(before)} left, {request.amount} asked"
        conn.execute(update(budget_requests).where(budget_requests.c.id == request.id).values(note=note))
        _event(conn, now=now, month=request.month, kind="release_blocked", actor=user, request_id=request.id,
               channel=request.channel, amount_cents=cents, pool_before=before, pool_after=before, detail=note)
        return Decision(Outcome.INSUFFICIENT, get_request(conn, request.id), role)
    _approve_row(conn, request, role, user, now, roi)
    _credit(conn, request, cents, now)
    conn.execute(update(budget_requests).where(budget_requests.c.id == request.id).values(
        status=RELEASED, decided_at=_utc(now), decided_by=user, note=None))
    _event(conn, now=now, month=request.month, kind="approved", actor=user, request_id=request.id,
           channel=request.channel, amount_cents=cents, detail=role)
    _event(conn, now=now, month=request.month, kind="released", actor=user, request_id=request.id,
           channel=request.channel, amount_cents=cents, pool_before=before, pool_after=before - cents,
           detail=", ".join(f"{a.role} {a.user_id}" for a in request.approvals) + f", {role} {user}")
    return Decision(Outcome.RELEASED, get_request(conn, request.id), role)


def _credit(conn: Connection, request: Request, cents: int, now: datetime) -> None:
    where = and_(budget_allocations.c.month == request.month, budget_allocations.c.channel == request.channel)
    found = conn.execute(select(budget_allocations.c.released_cents).where(where).with_for_update()).first()
    if found is None:
        conn.execute(insert(budget_allocations).values(
            month=request.month, channel=request.channel, allocated_cents=0, released_cents=cents,
            updated_at=_utc(now)))
    else:
        conn.execute(update(budget_allocations).where(where).values(
            released_cents=budget_allocations.c.released_cents + cents, updated_at=_utc(now)))


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
            status=REJECTED, decided_at=_utc(now), decided_by=user, reject_reason=text))
        _event(conn, now=now, month=request.month, kind="rejected", actor=user, request_id=request.id,
               channel=request.channel, amount_cents=to_cents(request.amount), detail=f"{role}: {text}")
        return Decision(Outcome.REJECTED, get_request(conn, request.id), role)

    return _retrying(work, engine)


def expire_due(engine: Engine, *, now: datetime) -> list[Request]:
    """Expire every pending request past its deadline; each in its own locked transaction."""
    with engine.connect() as conn:
        ids = [int(i) for i in conn.execute(select(budget_requests.c.id).where(
            budget_requests.c.status == PENDING, budget_requests.c.expires_at <= _utc(now)))
            .scalars()]
    expired: list[Request] = []
    for request_id in ids:

        def work(conn: Connection, request_id: int = request_id) -> Request | None:
            request = get_request(conn, request_id, lock=True)
            if request is None or request.status != PENDING or _utc(request.expires_at) > _utc(now):
                return None  # decided or expired by someone else meanwhile
            return _expire(conn, request, now)

        done = _retrying(work, engine)
        if done is not None:
            expired.append(done)
    return expired


# -- reading ---------------------------------------------------------------------------------------------


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


def count_events(conn: Connection, month: str | None = None) -> int:
    stmt = select(func.count()).select_from(budget_events)
    if month is not None:
        stmt = stmt.where(budget_events.c.month == month)
    return int(conn.execute(stmt).scalar_one())


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
