"""Money is Decimal at the edges and integer cents (分) in the database.

    to_cents(Decimal("19.90"))     # 1990;  from_cents(1990) → Decimal("19.90")
    ratio(gmv, spend)              # Decimal to 4 places, or None when spend is zero
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_cents(cents: int | None) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


def ratio(num: Decimal | int | None, den: Decimal | int | None, places: int = 4) -> Decimal | None:
    """num / den, or None when the denominator is zero or missing ("n/a" in views)."""
    if num is None or den is None or Decimal(den) == 0:
        return None
    return (Decimal(num) / Decimal(den)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
