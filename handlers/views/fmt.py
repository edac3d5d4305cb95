"""How figures are written in messages: money, ROI ratios, percentages, changes."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NA = "n/a"


def money(value: Decimal | None) -> str:
    if value is None:
        return NA
    return f"¥{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def money_short(value: Decimal | None) -> str:
    """¥1.23M / ¥45.6k for chart labels and dense tables."""
    if value is None:
        return NA
    v = float(value)
    for size, suffix in ((1e8, "亿"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            return f"¥{v / size:.2f}{suffix}"
    return f"¥{v:.2f}"


def roi(value: Decimal | None) -> str:
    """ROI the way the team writes it (seed 001: the floor "1:2"): 1:2.35."""
    if value is None:
        return NA
    return f"1:{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def pct(value: Decimal | float | None, places: int = 1) -> str:
    if value is None:
        return NA
    return f"{Decimal(str(value)) * 100:.{places}f}%"


def change(now: Decimal | None, before: Decimal | None) -> str:
    """Relative change with an arrow: ▲ 12.3% / ▼ 4.0% / n/a."""
    if now is None or before is None or before == 0:
        return NA
    rel = (now - before) / before * 100
    arrow = "▲" if rel > 0 else "▼" if rel < 0 else "="
    return f"{arrow} {abs(rel):.1f}%"


def integer(value: int | None) -> str:
    return NA if value is None else f"{value:,}"
