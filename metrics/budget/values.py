"""The values a person types, checked: months, amounts, reasons; and ROI as basis points.

    parse_amount("50,000")            # Decimal("50000.00"); floats, >2 places and junk raise BudgetError
    month_bounds(parse_month("2026-11"))   # (date(2026, 11, 1), date(2026, 11, 30))
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from metrics.budget.model import MAX_AMOUNT, MAX_REASON, BudgetError
from metrics.money import CENT

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# months a budget can be set for: wide enough for any plan, narrow enough that `date()` never overflows
FIRST_YEAR, LAST_YEAR = 2000, 2099
# tab and newlines are whitespace a person types (collapsed below); any other control character
# (NUL above all: PostgreSQL refuses it in text) is a paste accident, refused with a reason
_TYPED = frozenset("\t\n\r")
_BP = Decimal(10000)
_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(text: str) -> str:
    value = text.strip()
    found = _MONTH.match(value)
    if not found or not FIRST_YEAR <= int(found.group(1)) <= LAST_YEAR:
        raise BudgetError("bad_month", f"`{text}` is not a month (YYYY-MM between {FIRST_YEAR}-01 and "
                          f"{LAST_YEAR}-12)", text=text, first=f"{FIRST_YEAR}-01", last=f"{LAST_YEAR}-12")
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


def to_bp(roi: Decimal | None) -> int | None:
    return None if roi is None else int((roi * _BP).to_integral_value(rounding=ROUND_HALF_UP))


def from_bp(bp: int | None) -> Decimal | None:
    return None if bp is None else (Decimal(int(bp)) / _BP).quantize(Decimal("0.0001"))


def aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def validate_reason(reason: str) -> str:
    if any(unicodedata.category(c) == "Cc" and c not in _TYPED for c in reason):
        raise BudgetError("reason_control", "the reason contains a control character")
    text = " ".join(reason.split())
    if not text:
        raise BudgetError("no_reason", "a reason is required")
    if len(text) > MAX_REASON:
        raise BudgetError("reason_too_long", f"the reason is longer than {MAX_REASON} characters", limit=MAX_REASON)
    return text
