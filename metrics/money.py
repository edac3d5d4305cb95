"""Money is Decimal at the edges and integer cents (分) in the database."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


class MoneyError(ValueError):
    pass


def parse_money(raw: object) -> Decimal:
    """'1,234.50' / '¥99' / 12.3 → Decimal; more than 2 decimals, negatives and junk are refused."""
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = str(raw).strip().replace(",", "").replace("¥", "").replace("￥", "")
        if text == "":
            raise MoneyError("empty amount")
        try:
            # float input goes through repr so 0.1 stays 0.1, not 0.1000000000000000055…
            value = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"{raw!r} is not an amount") from None
    if not value.is_finite():
        raise MoneyError(f"{raw!r} is not an amount")
    if value != value.quantize(CENT):
        raise MoneyError(f"{raw!r} has more than 2 decimal places")
    if value < 0:
        raise MoneyError(f"{raw!r} is negative")
    return value.quantize(CENT)


def to_cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_cents(cents: int | None) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


def ratio(num: Decimal | int | None, den: Decimal | int | None, places: int = 4) -> Decimal | None:
    """num / den, or None when the denominator is zero or missing ("n/a" in views)."""
    if num is None or den is None or Decimal(den) == 0:
        return None
    return (Decimal(num) / Decimal(den)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
